#!/usr/bin/env bash
# Bytes the real cockpit writes to its terminal while nothing happens: open it on the
# demo repository in tmux, let the startup runs finish, then record the pane's output
# stream (tmux pipe-pane) for a minute. Target (issue #6): 0 bytes.
# Run: `benches/cockpit-idle.sh [SECONDS]` (default 60).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
work=$(mktemp -d)
trap 'tmux -L pf-idle kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME="$work" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"
PREFLIGHT="$root/target/release/preflight" "$root/screenshots/demo-repo.sh" "$work/demo" >/dev/null
(cd "$work/demo" && "$root/target/release/preflight" trust --yes >/dev/null)
tmux -L pf-idle -f /dev/null new-session -d -s idle -x 120 -y 40 \
    "cd '$work/demo' && TERM=xterm-256color '$root/target/release/preflight'"
sleep 3
tmux -L pf-idle pipe-pane -t idle -o "cat > '$work/stream'"
sleep "$seconds"
tmux -L pf-idle pipe-pane -t idle
bytes=$(wc -c < "$work/stream")
echo "idle for ${seconds}s: $bytes bytes written to the terminal"
tmux -L pf-idle send-keys -t idle j
sleep 0.5
tmux -L pf-idle pipe-pane -t idle -o "cat > '$work/key'"
tmux -L pf-idle send-keys -t idle j
sleep 0.5
tmux -L pf-idle pipe-pane -t idle
echo "one key press (j) after that: $(wc -c < "$work/key") bytes"
