#!/usr/bin/env bash
# Installs what is missing (Debian/Ubuntu packages only) and builds.
# Sourced by scripts/demo.sh and scripts/test.sh; usable alone:
#   scripts/setup.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

# The packages the project needs, and the command or file that proves each.
need_pkgs=()
want() { # want PACKAGE CHECK-COMMAND...
    local pkg=$1; shift
    if ! "$@" >/dev/null 2>&1; then need_pkgs+=("$pkg"); fi
}
want build-essential  command -v cc
want build-essential  command -v make
want cmake            command -v cmake
want pkg-config       command -v pkg-config
want libglib2.0-dev   pkg-config --exists glib-2.0
want libsodium-dev    pkg-config --exists libsodium
want libsqlite3-dev   pkg-config --exists sqlite3
want check            pkg-config --exists check
want gnuplot-nox      command -v gnuplot
want parallel         command -v parallel

if [ ${#need_pkgs[@]} -gt 0 ]; then
    mapfile -t need_pkgs < <(printf '%s\n' "${need_pkgs[@]}" | sort -u)
    echo "setup: installing ${need_pkgs[*]}" >&2
    sudo_cmd=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${need_pkgs[*]}" >&2; exit 1; }
        sudo_cmd=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

build_dir=${1:-build}
shift || true
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j "$jobs"
