#!/bin/sh
# Make the demo repository the screenshots show: `screenshots/demo-repo.sh DIR`.
# A small service ("acme-api") with a plan, four checks (one streams coloured output,
# one finds TODOs, one fails until src/db.py is fixed), release gates, and a register
# with a few hand-filed issues. Needs the preflight binary as $PREFLIGHT.
set -eu
dir=$1
preflight=${PREFLIGHT:-preflight}
rm -rf "$dir"
mkdir -p "$dir/src" "$dir/tests"
cd "$dir"
git init -q -b main
git config user.name "Sarah Chen"
git config user.email sarah@example.com

cat > src/app.py <<'PY'
import pickle

def load(blob):
    # TODO: validate the payload before unpickling
    return pickle.loads(blob)

def handler(request):
    # TODO: rate-limit the export endpoint
    return load(request.body)
PY
cat > src/db.py <<'PY'
POOL_SIZE = 4
# FIXME: retries are unbounded when the disk is full
PY
cat > tests/test_app.py <<'PY'
def test_ok():
    assert True
PY

cat > preflight.toml <<'TOML'
[project]
name = "acme-api"

[[phase]]
id = "p3"
title = "Phase 3: hardening"
[[phase.task]]
id = "p3-1"
title = "Fix the cache cascade"
status = "done"
[[phase.task]]
id = "p3-2"
title = "Performance baseline"
status = "doing"
[[phase.task]]
id = "p3-3"
title = "Deploy to staging"
needs = ["p3-2"]

[[phase]]
id = "p4"
title = "Phase 4: release"
[[phase.task]]
id = "p4-1"
title = "Runbook reviewed"
[[phase.task]]
id = "p4-2"
title = "Go/no-go meeting"
needs = ["p4-1"]

[[check]]
id = "fmt"
run = "printf '\\033[32mAll files formatted\\033[0m\\n'"
watch = ["src/**"]

[[check]]
id = "lint"
run = "grep -n -E 'TODO|FIXME' src/*.py | sed -E 's/^([^:]+):([0-9]+):[[:space:]]*#?[[:space:]]*/\\1:\\2:/'"
format = "lines"
pattern = '^(?P<path>[^:]+):(?P<line>\d+):(?P<message>.*)$'
severity = "medium"
watch = ["src/**"]

[[check]]
id = "test"
run = """
for i in $(seq 1 12); do printf '\\033[32mPASSED\\033[0m tests/test_app.py::test_case_%s\\n' "$i"; done
if grep -q unbounded src/db.py; then
  printf '\\033[31;1mFAILED\\033[0m tests/test_db.py::test_disk_full - retries never stop\\n'; exit 1
fi
printf '\\033[32m13 passed\\033[0m in 0.42s\\n'
"""
watch = ["src/**", "tests/**"]

[[check]]
id = "coverage"
run = "printf 'SF:src/app.py\\nLF:100\\nLH:84\\nend_of_record\\n' > lcov.info; echo 'coverage written to lcov.info'"
metric = { from = "lcov", path = "lcov.info" }
watch = ["src/**", "tests/**"]

[[gate]]
id = "green"
name = "tests pass"
checks = ["test"]

[[gate]]
id = "critical"
name = "no open critical issue"
max_open = { critical = 0 }

[[gate]]
id = "blockers"
name = "no release blocker"
blockers = 0

[[gate]]
id = "coverage"
name = "coverage at least 80%"
metric = "coverage"
min = 80
TOML
printf 'lcov.info\n' > .gitignore
git add -A
git commit -q -m "acme-api: phase 3"

export PREFLIGHT_TRUST=1
"$preflight" issue new --title "Cache disk I/O failure cascades to every request" --severity critical --blocker --owner sarah --area cache >/dev/null
"$preflight" issue new --title "Export endpoint has no rate limit" --severity high --owner dev >/dev/null
"$preflight" issue new --title "Runbook lacks the rollback steps" --severity low >/dev/null
"$preflight" check --no-register fmt coverage >/dev/null 2>&1 || true
"$preflight" check lint test >/dev/null 2>&1 || true
