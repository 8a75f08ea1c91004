//! The embedded default: checks detected from what a repository holds.
//!
//! Detection produces the text that `preflight init` writes, and that same text is
//! parsed by the ordinary loader when there is no `preflight.toml`, so the default, the
//! starter file and the trust hash can never disagree.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

/// A check found by detection, before it is written out as TOML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub id: String,
    pub name: String,
    pub run: String,
    pub watch: Vec<&'static str>,
    pub format: Option<&'static str>,
    pub pattern: Option<&'static str>,
    pub timeout: &'static str,
    /// Which ecosystem it came from, used to keep ids unique (`node-test`).
    pub origin: &'static str,
    /// Severity of findings whose tool gives none (pip-audit gives none).
    pub severity: Option<&'static str>,
    /// Environment that keeps the command from writing into the tree.
    pub env: &'static [(&'static str, &'static str)],
    /// Register severity by rule (`S*`: a rule prefix) or tool level, so a style nit
    /// never files as `high`.
    pub severity_map: &'static [(&'static str, &'static str)],
}

const RUST_WATCH: &[&str] = &["**/*.rs", "**/Cargo.toml", "Cargo.lock"];
const NODE_WATCH: &[&str] = &[
    "**/*.js",
    "**/*.jsx",
    "**/*.ts",
    "**/*.tsx",
    "**/*.mjs",
    "**/*.cjs",
    "**/*.vue",
    "**/*.svelte",
    "package.json",
];
const PY_WATCH: &[&str] = &[
    "**/*.py",
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "requirements*.txt",
];
const GO_WATCH: &[&str] = &["**/*.go", "go.mod", "go.sum"];

const FLAKE8_PATTERN: &str =
    r"^(?P<path>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<rule>[A-Z]+\d+) (?P<message>.*)$";
const GO_VET_PATTERN: &str =
    r"^(?:vet: )?(?P<path>[^\s:]+\.go):(?P<line>\d+):(?:(?P<col>\d+):)? (?P<message>.*)$";

/// Everything detection found, in a stable order.
pub fn detect(root: &Path) -> Vec<Detected> {
    detect_with(root, &super::scanners::on_path)
}

/// [`detect`], with `installed(tool)` saying which scanners are on PATH.
pub fn detect_with(root: &Path, installed: &dyn Fn(&str) -> bool) -> Vec<Detected> {
    let mut found = Vec::new();
    if root.join("Cargo.toml").is_file() {
        found.extend(rust(root.join("Cargo.lock").is_file()));
    }
    if let Some(node) = node(root) {
        found.extend(node);
    }
    if is_python(root) {
        found.extend(python(root));
    }
    if root.join("go.mod").is_file() {
        found.extend(go());
    }
    found.extend(super::scanners::detect(root, installed));
    let taken: HashSet<String> = found.iter().map(|d| d.id.clone()).collect();
    found.extend(
        make_targets(root)
            .into_iter()
            .filter(|d| !taken.contains(&d.id)),
    );
    make_ids_unique(found)
}

fn check(
    origin: &'static str,
    id: &str,
    name: &str,
    run: &str,
    watch: &[&'static str],
    timeout: &'static str,
) -> Detected {
    Detected {
        id: id.into(),
        name: name.into(),
        run: run.into(),
        watch: watch.to_vec(),
        format: None,
        pattern: None,
        timeout,
        origin,
        severity: None,
        env: &[],
        severity_map: &[],
    }
}

// Every detected command only reads the tree: no fixer, no formatter writing files,
// no byte-code or cache dropped beside the sources. Build output goes where the
// ecosystem's ignore files expect it (target/, node_modules/), or nowhere.

/// clippy's warnings (style, complexity, pedantic lints) file as `low`; what rustc and
/// clippy deny (errors, clippy::correctness) stays `high`.
const CLIPPY_SEVERITY: &[(&str, &str)] = &[("medium", "low")];
/// ruff's SARIF marks every result `error` (→ `high`): most rules are style. Security
/// (flake8-bandit, `S`) stays `high` (but `assert`, S101, is how tests are written);
/// likely bugs (pyflakes `F`, bugbear `B`, syntax
/// `E9`, pylint errors `PLE`) are `medium`; the rest is `low`.
const RUFF_SEVERITY: &[(&str, &str)] = &[
    ("high", "low"),
    ("S*", "high"),
    ("S101", "low"),
    ("F*", "medium"),
    ("B*", "medium"),
    ("E9*", "medium"),
    ("PLE*", "medium"),
];
/// flake8 gives no level: pycodestyle (`E`, `W`) and the like are `low`, pyflakes
/// (`F`) `medium`.
const FLAKE8_SEVERITY: &[(&str, &str)] = &[("medium", "low"), ("F*", "medium")];
/// No `.pyc` files beside the sources (the repository may not ignore `__pycache__`).
const PY_ENV: &[(&str, &str)] = &[("PYTHONDONTWRITEBYTECODE", "1")];
/// Test runners in CI mode: jest writes no new snapshot, nothing starts watching.
const NODE_TEST_ENV: &[(&str, &str)] = &[("CI", "true")];

/// `locked`: the repository has a Cargo.lock, which cargo must then not rewrite (a
/// Cargo.toml edited ahead of its lock fails the check and says so).
fn rust(locked: bool) -> Vec<Detected> {
    let lock = if locked { " --locked" } else { "" };
    let mut clippy = check(
        "rust",
        "clippy",
        "clippy",
        &format!("cargo clippy{lock} --all-targets --message-format=json"),
        RUST_WATCH,
        "10m",
    );
    clippy.format = Some("cargo");
    clippy.severity_map = CLIPPY_SEVERITY;
    vec![
        check(
            "rust",
            "fmt",
            "rustfmt",
            "cargo fmt --all -- --check",
            &["**/*.rs"],
            "2m",
        ),
        clippy,
        check(
            "rust",
            "test",
            "cargo test",
            &format!("cargo test{lock}"),
            RUST_WATCH,
            "20m",
        ),
    ]
}

/// A manifest of the repository, if it is a regular file inside it of a sane size.
fn read(root: &Path, name: &str) -> Option<String> {
    crate::fsutil::read_in_repo_text(root, &root.join(name), crate::fsutil::MAX_TEXT_FILE).ok()
}

/// npm's placeholder test script, which always fails.
const NPM_PLACEHOLDER_TEST: &str = "no test specified";

fn node(root: &Path) -> Option<Vec<Detected>> {
    let text = read(root, "package.json")?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    let scripts = manifest.get("scripts")?.as_object()?;
    let pm = if root.join("pnpm-lock.yaml").is_file() {
        "pnpm"
    } else if root.join("yarn.lock").is_file() {
        "yarn"
    } else if root.join("bun.lockb").is_file() || root.join("bun.lock").is_file() {
        "bun"
    } else {
        "npm"
    };
    let mut found = Vec::new();
    let script = |name: &str| scripts.get(name).and_then(|v| v.as_str());
    // A lint script that fixes (`eslint --fix`, `prettier --write`) would rewrite the
    // sources on every save: take a checking variant, or none.
    let lint = ["lint", "lint:check", "check:lint"]
        .into_iter()
        .find(|name| script(name).is_some_and(|body| !rewrites_files(body)));
    if let Some(name) = lint {
        found.push(check(
            "node",
            "lint",
            "lint",
            &format!("{pm} run {name}"),
            NODE_WATCH,
            "10m",
        ));
    }
    if let Some(test) = script("test") {
        if !test.contains(NPM_PLACEHOLDER_TEST) {
            let mut test = check(
                "node",
                "test",
                "test",
                &format!("{pm} run test"),
                NODE_WATCH,
                "20m",
            );
            test.env = NODE_TEST_ENV;
            found.push(test);
        }
    }
    Some(found)
}

/// Whether a package.json script fixes or formats files in place.
fn rewrites_files(script: &str) -> bool {
    script.split_whitespace().any(|word| {
        matches!(word, "--fix" | "--write" | "-w" | "--fix-type") || word.starts_with("--fix=")
    })
}

fn is_python(root: &Path) -> bool {
    ["pyproject.toml", "setup.py", "setup.cfg"]
        .iter()
        .any(|f| root.join(f).is_file())
        || std::fs::read_dir(root)
            .map(|entries| {
                entries.flatten().any(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.starts_with("requirements") && name.ends_with(".txt")
                })
            })
            .unwrap_or(false)
}

fn file_mentions(root: &Path, file: &str, needle: &str) -> bool {
    read(root, file).is_some_and(|t| t.contains(needle))
}

fn python(root: &Path) -> Vec<Detected> {
    let ruff_configured = root.join("ruff.toml").is_file()
        || root.join(".ruff.toml").is_file()
        || file_mentions(root, "pyproject.toml", "[tool.ruff");
    let flake8_configured = root.join(".flake8").is_file()
        || file_mentions(root, "setup.cfg", "[flake8]")
        || file_mentions(root, "tox.ini", "[flake8]");
    let lint = if flake8_configured && !ruff_configured {
        let mut d = check("python", "lint", "flake8", "flake8 .", PY_WATCH, "5m");
        d.format = Some("lines");
        d.pattern = Some(FLAKE8_PATTERN);
        d.severity_map = FLAKE8_SEVERITY;
        d
    } else {
        // `--no-fix` beats `fix = true` in the repository's ruff settings, `--no-cache`
        // leaves no .ruff_cache behind.
        let mut d = check(
            "python",
            "lint",
            "ruff",
            "ruff check --no-fix --no-cache --output-format=sarif .",
            PY_WATCH,
            "5m",
        );
        d.format = Some("sarif");
        d.severity_map = RUFF_SEVERITY;
        d
    };
    let mut test = check(
        "python",
        "test",
        "pytest",
        "python3 -m pytest -q -p no:cacheprovider",
        PY_WATCH,
        "20m",
    );
    test.env = PY_ENV;
    vec![lint, test]
}

fn go() -> Vec<Detected> {
    let mut vet = check("go", "vet", "go vet", "go vet ./...", GO_WATCH, "5m");
    vet.format = Some("lines");
    vet.pattern = Some(GO_VET_PATTERN);
    vec![
        vet,
        check("go", "test", "go test", "go test ./...", GO_WATCH, "20m"),
    ]
}

fn make_targets(root: &Path) -> Vec<Detected> {
    let Some(text) = ["GNUmakefile", "makefile", "Makefile"]
        .iter()
        .find_map(|f| read(root, f))
    else {
        return Vec::new();
    };
    let has_target = |name: &str| {
        text.lines().any(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(':') && !rest.starts_with(":="))
        })
    };
    ["lint", "test"]
        .into_iter()
        .filter(|t| has_target(t))
        .map(|t| {
            check(
                "make",
                t,
                &format!("make {t}"),
                &format!("make {t}"),
                &[],
                "20m",
            )
        })
        .collect()
}

/// A second ecosystem's `test` becomes `node-test`, and so on.
fn make_ids_unique(found: Vec<Detected>) -> Vec<Detected> {
    let mut seen = HashSet::new();
    found
        .into_iter()
        .map(|mut d| {
            if !seen.insert(d.id.clone()) {
                d.id = format!("{}-{}", d.origin, d.id);
                seen.insert(d.id.clone());
            }
            d
        })
        .collect()
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn literal(s: &str) -> String {
    if s.contains('\'') {
        quoted(s)
    } else {
        format!("'{s}'")
    }
}

/// The commented starter file for a repository.
pub fn render(project_name: &str, checks: &[Detected]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# preflight.toml: the plan, checks and release gates of this repository.\n\
         # Written by `preflight init` from what the repository holds; edit freely.\n\
         # Commands here only run once you trust this file: `preflight trust`.\n"
    );
    let _ = writeln!(out, "[project]\nname = {}", quoted(project_name));
    let _ = writeln!(
        out,
        "# Markdown plans to read as phases and tasks (globs from the repository root):\n\
         # plans = [\"docs/plan/*.md\"]\n"
    );
    let _ = writeln!(
        out,
        "# Each check is a command line run by `sh -c` at the repository root.\n\
         #   watch    globs whose changes re-run it (none: any change)\n\
         #   format   how to read its result: exit-code (default), cargo, sarif, junit,\n\
         #            lines (with `pattern`, a regex with groups path, line, message),\n\
         #            npm-audit, pip-audit, safety, cargo-audit, bandit, pylint, mypy\n\
         #   report   a file the command writes, read instead of its output\n\
         #   timeout  how long it may run (\"90s\", \"5m\")\n\
         #   env      environment variables for the command\n\
         #   severity of its findings when the tool gives none (default medium)\n\
         #   severity_map  register severity by rule id, rule prefix (\"S*\") or tool\n\
         #            level (high, medium…): style lints file as low\n\
         # The detected commands only read the tree: no fixer runs, nothing is written\n\
         # beside the sources."
    );
    if checks.is_empty() {
        let _ = writeln!(
            out,
            "# Nothing was detected (no Cargo.toml, package.json, pyproject.toml, go.mod or\n\
             # Makefile with test/lint targets). An example:\n\
             #\n\
             # [[check]]\n\
             # id = \"test\"\n\
             # run = \"make test\"\n\
             # timeout = \"10m\""
        );
    }
    for d in checks {
        render_check(&mut out, d);
    }
    let _ = writeln!(
        out,
        "\n# Phases and tasks of the plan (a task is blocked while its `needs` are not done):\n\
         # [[phase]]\n\
         # id = \"p1\"\n\
         # title = \"Harden\"\n\
         # [[phase.task]]\n\
         # id = \"p1-1\"\n\
         # title = \"Fix the critical findings\"\n\
         # status = \"todo\"        # todo, doing, done, cancelled\n\
         # needs = []"
    );
    render_gates(&mut out, checks);
    let scans: Vec<String> = checks
        .iter()
        .filter(|d| is_scan(d))
        .map(|d| quoted(&d.id))
        .collect();
    if !scans.is_empty() {
        let _ = writeln!(
            out,
            "\n\
             # Security scans ran and left no open critical or high issue (`checks` with\n\
             # `max_open` counts only those checks' findings):\n\
             # [[gate]]\n\
             # id = \"security\"\n\
             # checks = [{}]\n\
             # max_open = {{ critical = 0, high = 0 }}",
            scans.join(", ")
        );
    }
    out
}

/// One `[[check]]` table.
fn render_check(out: &mut String, d: &Detected) {
    let _ = writeln!(out, "\n[[check]]\nid = {}", quoted(&d.id));
    if d.name != d.id {
        let _ = writeln!(out, "name = {}", quoted(&d.name));
    }
    let _ = writeln!(out, "run = {}", quoted(&d.run));
    if !d.watch.is_empty() {
        let globs: Vec<String> = d.watch.iter().map(|g| quoted(g)).collect();
        let _ = writeln!(out, "watch = [{}]", globs.join(", "));
    }
    if let Some(format) = d.format {
        let _ = writeln!(out, "format = {}", quoted(format));
    }
    if let Some(pattern) = d.pattern {
        let _ = writeln!(out, "pattern = {}", literal(pattern));
    }
    if let Some(severity) = d.severity {
        let _ = writeln!(out, "severity = {}", quoted(severity));
    }
    if !d.env.is_empty() {
        let _ = writeln!(out, "env = {}", inline_table(d.env));
    }
    if !d.severity_map.is_empty() {
        let _ = writeln!(out, "severity_map = {}", inline_table(d.severity_map));
    }
    let _ = writeln!(out, "timeout = {}", quoted(d.timeout));
}

/// A security scan: judged by what it found (the suggested `security` gate, the
/// `critical` gate), not by passing, since any advisory at all fails it.
fn is_scan(d: &Detected) -> bool {
    matches!(
        d.format,
        Some("npm-audit" | "pip-audit" | "safety" | "cargo-audit" | "bandit")
    )
}

/// The default release gates: the detected checks pass (scans are judged by their
/// findings), no open release blocker, no open critical issue. Without gates nothing
/// can say GO.
fn render_gates(out: &mut String, checks: &[Detected]) {
    let _ = writeln!(
        out,
        "\n# Release gates: the verdict is GO when every gate passes (`preflight gate`).\n\
         # Others: max_open = {{ high = 0 }}, tasks_done = \"p1\", metric = \"cov\" with\n\
         # min = 80; advisory = true shows a gate without letting it block."
    );
    let ids: Vec<String> = checks
        .iter()
        .filter(|d| !is_scan(d))
        .map(|d| quoted(&d.id))
        .collect();
    if !ids.is_empty() {
        let _ = writeln!(
            out,
            "\n[[gate]]\nid = \"checks\"\nname = \"Checks pass\"\nchecks = [{}]",
            ids.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\n[[gate]]\nid = \"blockers\"\nname = \"No open release blocker\"\nblockers = 0\n\n\
         [[gate]]\nid = \"critical\"\nname = \"No open critical issue\"\n\
         max_open = {{ critical = 0 }}"
    );
}

/// `{ KEY = "value", "S*" = "high" }`, keys quoted where TOML needs it.
fn inline_table(pairs: &[(&str, &str)]) -> String {
    let bare = |k: &str| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let items: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            let key = if bare(k) { (*k).to_string() } else { quoted(k) };
            format!("{key} = {}", quoted(v))
        })
        .collect();
    format!("{{ {} }}", items.join(", "))
}

#[cfg(test)]
mod tests;
