#!/usr/bin/env bash
# Build bacon and watchexec from crates.io (into target/peers, never committed), then
# run the watch benchmark with all three side by side. Takes ~10 minutes on 2 cores
# the first time (the peers' builds), then ~8 minutes (the 100,000-file tree).
# Arguments go to the benchmark: [saves per kind] [idle seconds], default 30 60.
set -euo pipefail
cd "$(dirname "$0")/.."
peers="$PWD/target/peers"
if [ ! -x "$peers/bin/bacon" ] || [ ! -x "$peers/bin/watchexec" ]; then
  cargo install --locked --root "$peers" bacon@3.26.0 watchexec-cli@2.8.0
fi
BACON="$peers/bin/bacon" WATCHEXEC="$peers/bin/watchexec" cargo bench --bench watch -- "$@"
