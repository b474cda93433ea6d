#!/usr/bin/env bash
# Installs what building and running huecast needs (scripts/deps.sh), builds
# it, and runs it with the given flags: `scripts/run.sh --help` lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh >&2
export PATH=$PATH:/usr/local/go/bin
# scripts/cgo-cc spares gcc minutes of spelling suggestions in cgo's probe of
# go-gl's names: from a clean clone on 2 cores the first window came in 118 s
# instead of 402 (docs/PACKAGING.md).
case $PWD in
*"'"*) ;;
*) export CC="'$PWD/scripts/cgo-cc' ${CC:-gcc}" ;;
esac
go build -o bin/huecast .
exec bin/huecast "$@"
