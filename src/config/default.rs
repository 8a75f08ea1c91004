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
        found.extend(rust());
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
    }
}

fn rust() -> Vec<Detected> {
    let mut clippy = check(
        "rust",
        "clippy",
        "clippy",
        "cargo clippy --all-targets --message-format=json",
        RUST_WATCH,
        "10m",
    );
    clippy.format = Some("cargo");
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
            "cargo test",
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
    if scripts.contains_key("lint") {
        found.push(check(
            "node",
            "lint",
            "lint",
            &format!("{pm} run lint"),
            NODE_WATCH,
            "10m",
        ));
    }
    if let Some(test) = scripts.get("test").and_then(|v| v.as_str()) {
        if !test.contains(NPM_PLACEHOLDER_TEST) {
            found.push(check(
                "node",
                "test",
                "test",
                &format!("{pm} run test"),
                NODE_WATCH,
                "20m",
            ));
        }
    }
    Some(found)
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
        d
    } else {
        let mut d = check(
            "python",
            "lint",
            "ruff",
            "ruff check --output-format=sarif .",
            PY_WATCH,
            "5m",
        );
        d.format = Some("sarif");
        d
    };
    vec![
        lint,
        check(
            "python",
            "test",
            "pytest",
            "python3 -m pytest -q",
            PY_WATCH,
            "20m",
        ),
    ]
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
         #   severity of its findings when the tool gives none (default medium)"
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
        let _ = writeln!(out, "timeout = {}", quoted(d.timeout));
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
         # needs = []\n\
         #\n\
         # Release gates: the verdict is GO when every gate passes.\n\
         # [[gate]]\n\
         # id = \"green\"\n\
         # name = \"Checks pass\"\n\
         # checks = [{}]",
        checks
            .iter()
            .map(|d| quoted(&d.id))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let scans: Vec<String> = checks
        .iter()
        .filter(|d| {
            matches!(
                d.format,
                Some("npm-audit" | "pip-audit" | "safety" | "cargo-audit" | "bandit")
            )
        })
        .map(|d| quoted(&d.id))
        .collect();
    if !scans.is_empty() {
        let _ = writeln!(
            out,
            "#\n\
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load_str, Source};

    /// Detection as on a machine without scanners, so tests do not depend on PATH.
    fn detect(root: &Path) -> Vec<Detected> {
        detect_with(root, &|_| false)
    }

    fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, body) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, body).unwrap();
        }
        dir
    }

    fn ids(found: &[Detected]) -> Vec<&str> {
        found.iter().map(|d| d.id.as_str()).collect()
    }

    #[test]
    fn rust_repository_gets_fmt_clippy_test() {
        let dir = repo(&[("Cargo.toml", "[package]\nname='x'\n")]);
        let found = detect(dir.path());
        assert_eq!(ids(&found), ["fmt", "clippy", "test"]);
        assert_eq!(found[1].format, Some("cargo"));
    }

    #[test]
    fn node_scripts_use_the_lockfile_package_manager_and_skip_placeholder() {
        let dir = repo(&[
            (
                "package.json",
                r#"{"scripts":{"lint":"eslint .","test":"echo \"Error: no test specified\" && exit 1"}}"#,
            ),
            ("pnpm-lock.yaml", ""),
        ]);
        let found = detect(dir.path());
        assert_eq!(ids(&found), ["lint"]);
        assert_eq!(found[0].run, "pnpm run lint");
    }

    #[test]
    fn python_prefers_configured_flake8_and_ecosystems_get_unique_ids() {
        let dir = repo(&[
            ("Cargo.toml", "[package]\nname='x'\n"),
            ("requirements-dev.txt", "pytest\n"),
            (".flake8", "[flake8]\n"),
            ("Makefile", "test:\n\tcargo test\nlint:\n\techo\nVAR := 1\n"),
        ]);
        let found = detect(dir.path());
        assert_eq!(
            ids(&found),
            ["fmt", "clippy", "test", "lint", "python-test"]
        );
        assert_eq!(found[3].name, "flake8");
        assert_eq!(found[3].format, Some("lines"));
    }

    #[test]
    fn go_and_makefile_targets() {
        let dir = repo(&[("go.mod", "module x\n")]);
        assert_eq!(ids(&detect(dir.path())), ["vet", "test"]);
        let dir = repo(&[("Makefile", "all:\n\ttrue\nlint: deps\n\ttrue\n")]);
        assert_eq!(ids(&detect(dir.path())), ["lint"]);
    }

    #[test]
    fn every_rendered_default_parses_back_to_the_same_checks() {
        let dir = repo(&[
            ("Cargo.toml", ""),
            ("package.json", r#"{"scripts":{"lint":"x","test":"y"}}"#),
            ("pyproject.toml", "[tool.ruff]\n"),
            ("go.mod", ""),
            ("Makefile", "test:\n"),
        ]);
        let found = detect(dir.path());
        let text = render("demo \"quoted\"", &found);
        let config = load_str(&text, Path::new("preflight.toml"), Source::Default)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let parsed: Vec<&str> = config.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(parsed, ids(&found));
        assert_eq!(config.project.name, "demo \"quoted\"");
        let empty = render("x", &[]);
        assert!(load_str(&empty, Path::new("p"), Source::Default).is_ok());
    }

    #[test]
    fn detected_scanners_render_parse_back_and_suggest_a_security_gate() {
        let dir = repo(&[
            ("Cargo.toml", ""),
            ("Cargo.lock", ""),
            ("requirements.txt", ""),
            ("mypy.ini", ""),
        ]);
        let found = detect_with(dir.path(), &|_| true);
        let text = render("demo", &found);
        let config = load_str(&text, Path::new("preflight.toml"), Source::Default)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let formats: Vec<(&str, &str)> = config
            .checks
            .iter()
            .map(|c| (c.id.as_str(), c.format.name()))
            .collect();
        assert_eq!(
            formats,
            [
                ("fmt", "exit-code"),
                ("clippy", "cargo"),
                ("test", "exit-code"),
                ("lint", "sarif"),
                ("python-test", "exit-code"),
                ("pip-audit", "pip-audit"),
                ("cargo-audit", "cargo-audit"),
                ("mypy", "mypy"),
            ]
        );
        let pip = config.checks.iter().find(|c| c.id == "pip-audit");
        assert_eq!(
            pip.map(|c| c.severity),
            Some(crate::domain::finding::Severity::High)
        );
        assert!(text.contains("# checks = [\"pip-audit\", \"cargo-audit\"]\n# max_open = { critical = 0, high = 0 }"), "{text}");
        let uncommented: String = text
            .lines()
            .map(|l| l.strip_prefix("# ").unwrap_or(l))
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(uncommented.contains("id = \"security\""));
    }
}
