#!/usr/bin/env bash
# Installs what huecast needs, builds it, and runs it with the given flags.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh >&2
export PATH=$PATH:/usr/local/go/bin
go build -o bin/huecast .
exec bin/huecast "$@"
