#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, run the default
# scenario and print its report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec build/aitbc-sim run scenarios/default.ini "$@"
