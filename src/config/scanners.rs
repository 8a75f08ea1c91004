//! Detected security scanners and Python analysers: where the repository shows the
//! ecosystem (a lockfile, a manifest, the tool's own configuration) and the tool is
//! installed. Only read-only commands: nothing here ever fixes, upgrades or edits the
//! tree (no `npm audit fix`, no `pip-audit --fix`, no `cargo audit fix`).

use super::default::Detected;
use std::path::Path;

/// The scanners for `root`; `installed(tool)` says whether an executable is on PATH.
pub fn detect(root: &Path, installed: &dyn Fn(&str) -> bool) -> Vec<Detected> {
    let mut found = Vec::new();
    let has = |file: &str| root.join(file).is_file();
    if (has("package-lock.json") || has("npm-shrinkwrap.json")) && installed("npm") {
        found.push(scanner(
            "node",
            "npm-audit",
            "npm audit --json",
            &["package-lock.json", "npm-shrinkwrap.json", "package.json"],
            "npm-audit",
        ));
    }
    if let Some(target) = python_target(root).filter(|_| installed("pip-audit")) {
        let mut d = scanner(
            "python",
            "pip-audit",
            &format!("pip-audit -f json --progress-spinner off {target}"),
            &[
                "requirements*.txt",
                "pyproject.toml",
                "poetry.lock",
                "uv.lock",
            ],
            "pip-audit",
        );
        // pip-audit reports no severity: a known vulnerability counts as high until
        // someone triages it.
        d.severity = Some("high");
        found.push(d);
    }
    if has("Cargo.lock") && installed("cargo-audit") {
        found.push(scanner(
            "rust",
            "cargo-audit",
            "cargo audit --json",
            &["Cargo.lock"],
            "cargo-audit",
        ));
    }
    if let Some(config) = bandit_config(root).filter(|_| installed("bandit")) {
        found.push(scanner(
            "python",
            "bandit",
            &format!("bandit -f json -q -r . {config}"),
            &["**/*.py"],
            "bandit",
        ));
    }
    if configures(
        root,
        &["mypy.ini", ".mypy.ini"],
        &[("pyproject.toml", "[tool.mypy"), ("setup.cfg", "[mypy")],
    ) && installed("mypy")
    {
        found.push(scanner(
            "python",
            "mypy",
            // Unwrapped messages whatever the project's `pretty` says.
            "mypy --no-pretty .",
            &["**/*.py", "**/*.pyi"],
            "mypy",
        ));
    }
    if configures(
        root,
        &[".pylintrc", "pylintrc"],
        &[("pyproject.toml", "[tool.pylint"), ("setup.cfg", "[pylint")],
    ) && installed("pylint")
    {
        found.push(scanner(
            "python",
            "pylint",
            "pylint --output-format=json2 --recursive=y .",
            &["**/*.py"],
            "pylint",
        ));
    }
    found
}

fn scanner(
    origin: &'static str,
    id: &str,
    run: &str,
    watch: &[&'static str],
    format: &'static str,
) -> Detected {
    Detected {
        id: id.into(),
        name: id.into(),
        run: run.into(),
        watch: watch.to_vec(),
        format: Some(format),
        pattern: None,
        timeout: "5m",
        origin,
        severity: None,
        env: &[],
        severity_map: &[],
    }
}

/// What pip-audit audits: `-r requirements.txt`, else the project (`.`) when there
/// is a pyproject.toml, else the first other requirements file.
fn python_target(root: &Path) -> Option<String> {
    if root.join("requirements.txt").is_file() {
        return Some("-r requirements.txt".into());
    }
    if root.join("pyproject.toml").is_file() {
        return Some(".".into());
    }
    let mut files: Vec<String> = std::fs::read_dir(root)
        .ok()?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with("requirements") && n.ends_with(".txt") && !n.contains(char::is_whitespace)
        })
        .collect();
    files.sort();
    files.first().map(|f| format!("-r {f}"))
}

/// bandit's configuration, as the flag that points bandit at it.
fn bandit_config(root: &Path) -> Option<String> {
    for file in ["bandit.yaml", "bandit.yml", ".bandit.yaml", ".bandit.yml"] {
        if root.join(file).is_file() {
            return Some(format!("-c {file}"));
        }
    }
    if root.join(".bandit").is_file() {
        return Some("--ini .bandit".into());
    }
    mentions(root, "pyproject.toml", "[tool.bandit").then(|| "-c pyproject.toml".into())
}

fn configures(root: &Path, files: &[&str], sections: &[(&str, &str)]) -> bool {
    files.iter().any(|f| root.join(f).is_file())
        || sections
            .iter()
            .any(|(file, section)| mentions(root, file, section))
}

fn mentions(root: &Path, file: &str, needle: &str) -> bool {
    // A repository file: never a FIFO or a device, never more than a manifest's size.
    crate::fsutil::read_in_repo_text(root, &root.join(file), crate::fsutil::MAX_TEXT_FILE)
        .is_ok_and(|t| t.contains(needle))
}

/// Whether an executable of that name is on PATH.
pub fn on_path(tool: &str) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        std::fs::metadata(dir.join(tool))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for (name, body) in files {
            std::fs::write(dir.path().join(name), body).unwrap_or_else(|e| panic!("{e}"));
        }
        dir
    }

    fn runs(found: &[Detected]) -> Vec<&str> {
        found.iter().map(|d| d.run.as_str()).collect()
    }

    #[test]
    fn each_scanner_needs_its_ecosystem_and_its_tool() {
        let dir = repo(&[
            ("package-lock.json", "{}"),
            ("Cargo.lock", ""),
            ("requirements.txt", "requests\n"),
            (
                "pyproject.toml",
                "[tool.mypy]\nstrict = true\n[tool.bandit]\nskips = []\n",
            ),
            (".pylintrc", "[MAIN]\n"),
        ]);
        let everything = detect(dir.path(), &|_| true);
        assert_eq!(
            runs(&everything),
            [
                "npm audit --json",
                "pip-audit -f json --progress-spinner off -r requirements.txt",
                "cargo audit --json",
                "bandit -f json -q -r . -c pyproject.toml",
                "mypy --no-pretty .",
                "pylint --output-format=json2 --recursive=y .",
            ]
        );
        assert_eq!(everything[1].severity, Some("high"));
        let only_npm = detect(dir.path(), &|tool| tool == "npm");
        assert_eq!(runs(&only_npm), ["npm audit --json"]);
        assert!(
            detect(dir.path(), &|_| false).is_empty(),
            "nothing installed"
        );
    }

    #[test]
    fn unconfigured_analysers_and_missing_lockfiles_are_not_detected() {
        let dir = repo(&[("package.json", "{}"), ("Cargo.toml", ""), ("setup.py", "")]);
        assert!(detect(dir.path(), &|_| true).is_empty());
        let dir = repo(&[
            ("pyproject.toml", "[project]\nname = 'x'\n"),
            (".bandit", "[bandit]\n"),
        ]);
        assert_eq!(
            runs(&detect(dir.path(), &|_| true)),
            [
                "pip-audit -f json --progress-spinner off .",
                "bandit -f json -q -r . --ini .bandit"
            ]
        );
        let dir = repo(&[
            ("requirements-prod.txt", ""),
            ("requirements-dev.txt", ""),
            ("mypy.ini", ""),
        ]);
        assert_eq!(
            runs(&detect(dir.path(), &|_| true)),
            [
                "pip-audit -f json --progress-spinner off -r requirements-dev.txt",
                "mypy --no-pretty ."
            ]
        );
    }

    #[test]
    fn no_detected_command_changes_the_tree() {
        let dir = repo(&[
            ("package-lock.json", "{}"),
            ("Cargo.lock", ""),
            ("requirements.txt", ""),
            ("bandit.yaml", ""),
            ("mypy.ini", ""),
            ("pylintrc", ""),
        ]);
        for d in detect(dir.path(), &|_| true) {
            for word in [
                "fix", "--fix", "install", "upgrade", "update", "-o", "--output",
            ] {
                assert!(
                    !d.run.split_whitespace().any(|w| w == word),
                    "{} runs `{word}`",
                    d.run
                );
            }
        }
    }

    #[test]
    fn tools_are_found_on_path() {
        assert!(on_path("sh"));
        assert!(!on_path("preflight-no-such-tool"));
    }
}
