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

/// Fixers and formatters that write would edit the user's code on every save.
#[test]
fn detected_commands_only_read_the_tree() {
    let dir = repo(&[
        ("Cargo.toml", ""),
        (
            "package.json",
            r#"{"scripts":{"lint":"eslint . --fix","lint:check":"eslint .","test":"jest"}}"#,
        ),
        ("pyproject.toml", "[tool.ruff]\nfix = true\n"),
    ]);
    let found = detect(dir.path());
    let run = |id: &str| {
        found
            .iter()
            .find(|d| d.id == id)
            .map_or_else(|| panic!("no {id}"), |d| d.run.as_str())
    };
    assert_eq!(run("fmt"), "cargo fmt --all -- --check");
    assert_eq!(
        run("clippy"),
        "cargo clippy --all-targets --message-format=json",
        "no Cargo.lock to keep"
    );
    assert_eq!(run("lint"), "npm run lint:check", "not the fixing script");
    assert!(run("python-lint").contains("--no-fix"));
    assert!(run("python-lint").contains("--no-cache"));
    assert!(run("python-test").contains("no:cacheprovider"));
    for d in &found {
        assert!(!rewrites_files(&d.run), "{}: {}", d.id, d.run);
    }
    // A Cargo.lock is kept as it is: a stale one fails the check instead.
    std::fs::write(dir.path().join("Cargo.lock"), "").unwrap();
    let found = detect(dir.path());
    let runs: Vec<&str> = found.iter().map(|d| d.run.as_str()).collect();
    assert!(runs.contains(&"cargo clippy --locked --all-targets --message-format=json"));
    assert!(runs.contains(&"cargo test --locked"));
    // Only a fixing lint script: no lint check at all.
    let dir = repo(&[(
        "package.json",
        r#"{"scripts":{"lint":"prettier --write ."}}"#,
    )]);
    assert!(detect(dir.path()).is_empty());
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
    let ruff = config.check("python-lint").map(|c| &c.severity_map);
    assert_eq!(
        ruff.and_then(|m| m.get("S*")),
        Some(&crate::domain::finding::Severity::High)
    );
    let pytest = config.check("python-test").map(|c| &c.env);
    assert_eq!(
        pytest.and_then(|e| e.get("PYTHONDONTWRITEBYTECODE")),
        Some(&"1".to_string())
    );
    // Working gates: every detected check, no open blocker, no open critical.
    let gates: Vec<(&str, &crate::domain::gate::GateKind)> = config
        .gates
        .iter()
        .map(|g| (g.id.as_str(), &g.kind))
        .collect();
    assert_eq!(gates.len(), 3, "{text}");
    assert_eq!(
        gates[0],
        (
            "checks",
            &crate::domain::gate::GateKind::Checks(
                ids(&found).iter().map(|s| s.to_string()).collect()
            )
        )
    );
    assert_eq!(
        gates[1],
        ("blockers", &crate::domain::gate::GateKind::Blockers(0))
    );
    let empty = render("x", &[]);
    let config = load_str(&empty, Path::new("p"), Source::Default).unwrap();
    assert_eq!(config.gates.len(), 2, "no checks gate without checks");
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
    assert!(
        text.contains(
            "# checks = [\"pip-audit\", \"cargo-audit\"]\n# max_open = { critical = 0, high = 0 }"
        ),
        "{text}"
    );
    let uncommented: String = text
        .lines()
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(uncommented.contains("id = \"security\""));
    // The working checks gate leaves the scans to their findings' severities.
    let checks_gate = config.gates.iter().find(|g| g.id == "checks");
    assert_eq!(
        checks_gate.map(|g| &g.kind),
        Some(&crate::domain::gate::GateKind::Checks(
            ["fmt", "clippy", "test", "lint", "python-test", "mypy"]
                .map(String::from)
                .to_vec()
        ))
    );
}
