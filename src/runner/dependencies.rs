//! What a dependency audit leaves unsaid, read from the repository after the run: the
//! manifest an advisory is in (pip-audit names none) and npm's installed versions
//! (npm audit gives only lockfile paths). Best effort: a file that cannot be read
//! leaves the finding as the tool reported it.

use crate::domain::finding::{Ecosystem, Finding};
use crate::formats::npm_audit;
use std::path::Path;

/// Largest lockfile read for versions; bigger ones are left unread.
const MAX_LOCKFILE: u64 = 64 * 1024 * 1024;

/// Python manifests, most specific first, when the command names none with `-r`.
const PYTHON_MANIFESTS: &[&str] = &[
    "requirements.txt",
    "pyproject.toml",
    "poetry.lock",
    "Pipfile.lock",
    "setup.py",
    "setup.cfg",
];

/// Fill versions and manifest paths of the dependency findings of one run; `workdir`
/// is where the command ran, `run` its command line. Paths stay relative to
/// `workdir` (the runner anchors them to the root afterwards).
pub fn enrich(findings: &mut [Finding], run: &str, workdir: &Path) {
    let needs_npm_versions = findings.iter().any(|f| {
        f.dependency.as_ref().is_some_and(|d| {
            d.ecosystem == Ecosystem::Npm && d.version.is_none() && !d.nodes.is_empty()
        })
    });
    if needs_npm_versions {
        if let Some(lock) = read_bounded(&workdir.join(npm_audit::LOCKFILE)) {
            npm_audit::fill_versions(findings, &lock);
        }
    }
    let python_manifest = requirement_file(run).or_else(|| {
        PYTHON_MANIFESTS
            .iter()
            .find(|m| workdir.join(m).is_file())
            .map(|m| m.to_string())
    });
    for finding in findings.iter_mut().filter(|f| f.path.is_none()) {
        let Some(dep) = &finding.dependency else {
            continue;
        };
        finding.path = match dep.ecosystem {
            Ecosystem::PyPI => python_manifest.clone(),
            Ecosystem::Npm => Some(npm_audit::LOCKFILE.to_string()),
            Ecosystem::Crates => Some(crate::formats::cargo_audit::LOCKFILE.to_string()),
        };
    }
}

/// The requirements file a command audits: `-r FILE`, `--requirement FILE` or
/// `--requirement=FILE` (the first one).
fn requirement_file(run: &str) -> Option<String> {
    let mut words = run.split_whitespace();
    while let Some(word) = words.next() {
        if let Some(file) = word.strip_prefix("--requirement=") {
            return Some(unquote(file));
        }
        if word == "-r" || word == "--requirement" {
            return words.next().map(unquote);
        }
        if let Some(file) = word
            .strip_prefix("-r")
            .filter(|f| !f.is_empty() && !f.starts_with('-'))
        {
            return Some(unquote(file));
        }
    }
    None
}

fn unquote(word: &str) -> String {
    word.trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// A lockfile of the repository: only a regular file (a FIFO there must not hang the
/// run), of at most [`MAX_LOCKFILE`] bytes.
fn read_bounded(path: &Path) -> Option<Vec<u8>> {
    crate::fsutil::read_regular(path, MAX_LOCKFILE, crate::fsutil::Links::Follow).ok()
}

/// The line of a failed tool's output that says why, for a report that never came:
/// the first error line (`error: …`, `pylint: error: …`), else the last line.
pub fn reason_line(lines: &[&str]) -> Option<String> {
    let is_error = |line: &&&str| {
        let t = line.trim_start();
        ["error:", "Error:", "ERROR:", "fatal:", "npm error"]
            .iter()
            .any(|p| t.starts_with(p))
            || t.contains(": error:")
    };
    let found = lines
        .iter()
        .find(is_error)
        .or_else(|| lines.iter().rev().find(|l| !l.trim().is_empty()))?;
    let line = found.trim();
    Some(match line.char_indices().nth(300) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::finding::{Dependency, Severity};

    fn finding(ecosystem: Ecosystem, nodes: &[&str]) -> Finding {
        let mut f = Finding::new("X-1", Severity::High, "m");
        f.dependency = Some(Dependency {
            ecosystem,
            package: "p".into(),
            version: None,
            fixed: vec![],
            aliases: vec![],
            nodes: nodes.iter().map(|n| n.to_string()).collect(),
        });
        f
    }

    #[test]
    fn manifests_and_npm_versions_are_filled_from_the_tree() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.path().join("package-lock.json"),
            r#"{"lockfileVersion":3,"packages":{"node_modules/p":{"version":"1.2.3"}}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("pyproject.toml"), "").unwrap_or_else(|e| panic!("{e}"));
        let mut findings = vec![
            finding(Ecosystem::Npm, &["node_modules/p"]),
            finding(Ecosystem::PyPI, &[]),
            finding(Ecosystem::Crates, &[]),
        ];
        findings[0].path = Some("package-lock.json".into());
        enrich(&mut findings, "pip-audit -f json", dir.path());
        let version = findings[0]
            .dependency
            .as_ref()
            .and_then(|d| d.version.clone());
        assert_eq!(version.as_deref(), Some("1.2.3"));
        assert_eq!(findings[1].path.as_deref(), Some("pyproject.toml"));
        assert_eq!(findings[2].path.as_deref(), Some("Cargo.lock"));
        let mut again = vec![finding(Ecosystem::PyPI, &[])];
        enrich(
            &mut again,
            "pip-audit -f json -r requirements/prod.txt",
            dir.path(),
        );
        assert_eq!(again[0].path.as_deref(), Some("requirements/prod.txt"));
    }

    #[test]
    fn requirement_files_from_the_command_line() {
        assert_eq!(
            requirement_file("pip-audit -r req.txt -f json").as_deref(),
            Some("req.txt")
        );
        assert_eq!(
            requirement_file("pip-audit --requirement='a.txt'").as_deref(),
            Some("a.txt")
        );
        assert_eq!(
            requirement_file("pip-audit -rreq.txt").as_deref(),
            Some("req.txt")
        );
        assert_eq!(
            requirement_file("pip-audit --requirement x.txt").as_deref(),
            Some("x.txt")
        );
        assert_eq!(requirement_file("pip-audit -f json ."), None);
    }

    #[test]
    fn the_reason_is_the_first_error_line_else_the_last_line() {
        let cargo_audit =
            include_str!("../../tests/fixtures/formats/audit/cargo-audit-offline.stderr.txt");
        assert_eq!(
            reason_line(&cargo_audit.lines().collect::<Vec<_>>()).as_deref(),
            Some("error: couldn't fetch advisory database: git operation failed: An IO error occurred when talking to the server")
        );
        let safety =
            include_str!("../../tests/fixtures/formats/audit/safety-check-offline.stderr.txt");
        assert_eq!(
            reason_line(&safety.lines().collect::<Vec<_>>()).as_deref(),
            Some("Check your network connection, unable to reach the server.")
        );
        let pylint = include_str!("../../tests/fixtures/formats/python/pylint-usage.stderr.txt");
        assert_eq!(
            reason_line(&pylint.lines().collect::<Vec<_>>()).as_deref(),
            Some("pylint: error: Unrecognized option found: bogus")
        );
        let osv =
            include_str!("../../tests/fixtures/formats/audit/pip-audit-osv-offline.stderr.txt");
        let reason = reason_line(&osv.lines().collect::<Vec<_>>()).unwrap_or_default();
        assert!(
            reason.starts_with(
                "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev'"
            ),
            "{reason}"
        );
        let long = "x".repeat(400);
        let cut = reason_line(&[long.as_str()]).unwrap_or_default();
        assert_eq!(cut.chars().count(), 301, "cut at 300 characters and …");
        let resolve =
            include_str!("../../tests/fixtures/formats/audit/pip-audit-resolve.stderr.txt");
        assert!(reason_line(&resolve.lines().collect::<Vec<_>>())
            .unwrap_or_default()
            .starts_with("ERROR:pip_audit._virtual_env:internal pip failure: ERROR: Cannot install -r requirements.txt"));
        assert_eq!(reason_line(&["", "  "]), None);
    }
}
