#!/usr/bin/env bash
# Installs what building and running huecast needs (scripts/deps.sh), builds
# it, and runs it with the given flags: `scripts/run.sh --help` lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh >&2
export PATH=$PATH:/usr/local/go/bin
go build -o bin/huecast .
exec bin/huecast "$@"
