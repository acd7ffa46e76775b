#!/usr/bin/env bash
# Compiles the shim against the installed libdpdk. Called by Maven (exec-maven-plugin) with the output folder.
set -euo pipefail
out=${1:?usage: build-shim.sh OUTPUT_DIR}
src=$(cd "$(dirname "$0")" && pwd)/dataplane_shim.c
if ! pkg-config --exists libdpdk; then
    echo "build-shim: libdpdk not found by pkg-config; install Debian's libdpdk-dev (bin/setup does)" >&2
    exit 1
fi
mkdir -p "$out"
# --no-as-needed keeps every listed librte_* as a dependency of the shim, so one dlopen of the shim
# brings in every symbol the Java side looks up.
gcc -O2 -g -fPIC -shared -Wall -Wextra -Werror $(pkg-config --cflags libdpdk) \
    -o "$out/libdataplane_shim.so" "$src" \
    -Wl,--no-as-needed -lrte_ethdev -lrte_mbuf -lrte_mempool -lrte_ring -lrte_net -lrte_eal -lrte_kvargs
