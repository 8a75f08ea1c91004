#!/usr/bin/env bash
# Regenerate the screenshots from the running binary: `screenshots/make.sh`.
# Builds preflight, makes the demo repository (demo-repo.sh), opens the cockpit in a
# private tmux server, drives it with keys, and turns each `tmux capture-pane -e` into
# an SVG (ansi2svg.py). Needs cargo, git, tmux and python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/release/preflight"
work=$(mktemp -d)
trap 'tmux -L pf-shots kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config"
export XDG_STATE_HOME="$work/home/state" PREFLIGHT="$bin"
mkdir -p "$HOME"
demo="$work/acme-api"
"$here/demo-repo.sh" "$demo"
(cd "$demo" && "$bin" trust --yes >/dev/null)

cols=110 rows=32
t() { tmux -L pf-shots -f /dev/null "$@"; }
t new-session -d -s shots -x "$cols" -y "$rows" \
    "cd '$demo' && TERM=xterm-256color COLORTERM=truecolor '$bin'; sleep 60"

wait_for() { # wait_for TEXT [ABSENT]: until the screen shows TEXT (and not ABSENT)
    for _ in $(seq 1 200); do
        screen=$(t capture-pane -p -t shots)
        if grep -qF -- "$1" <<<"$screen" && { [ -z "${2:-}" ] || ! grep -qF -- "$2" <<<"$screen"; }; then
            sleep 0.3
            return
        fi
        sleep 0.05
    done
    echo "timed out waiting for '$1'" >&2
    t capture-pane -p -t shots >&2
    exit 1
}
shot() { # shot NAME TITLE
    t capture-pane -p -e -t shots |
        python3 "$here/ansi2svg.py" --cols "$cols" --rows "$rows" --title "$2" >"$here/$1.svg"
    echo "screenshots/$1.svg"
}

wait_for "watching" "queued"
# Show the failing test's output: select it in the checks pane (from the top: a failing
# check may already be selected), back to the register.
t send-keys -t shots Tab Tab g j j Tab Tab
wait_for "test_disk_full"
shot main "preflight · NO-GO: a failing test, a release blocker"

t send-keys -t shots j j d
wait_for "Dismiss PF-"
shot triage "preflight · triage: dismissing a finding"
t send-keys -t shots Escape

t send-keys -t shots '?'
wait_for "Everywhere"
shot help "preflight · every key (?)"
t send-keys -t shots Escape

# Fix the bug and close the blocker: the checks re-run and the verdict turns GO.
blocker=$(cd "$demo" && "$bin" issue list --json | python3 -c 'import json,sys; print([i["id"] for i in json.load(sys.stdin) if i["blocker"]][0])')
(cd "$demo" && "$bin" issue set "$blocker" status=verified blocker=false >/dev/null)
sed -i 's/^# FIXME.*$/# retries stop after 5 attempts/' "$demo/src/db.py"
wait_for "GO ·" "NO-GO"
# Every re-run ended (the output shown is whichever check the cockpit chose).
wait_for "GO ·" "running"
shot go "preflight · GO: every gate passes"
