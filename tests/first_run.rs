//! First contact with a repository of each ecosystem the default detects (Rust, Python
//! with ruff and pytest, Node, C with a Makefile, Go): no preflight.toml, the detected
//! checks run as a new user would run them, and
//! - every detected command only reads the tree: `git status --porcelain` and the
//!   hash of every tracked file are the same after the run (a repository whose ruff
//!   settings say `fix = true` keeps its code);
//! - what they find files with sensible severities: style lints `low`, likely bugs
//!   `medium`, security `high`.
//!
//! Tools that are not installed skip their ecosystem with a message (`.ci/run` installs
//! ruff and pytest from PyPI; cargo, node and make are part of the CI image).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{output_of, Sandbox};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// Whether a tool runs: `argv` is a command that only prints its version.
fn installed(argv: &[&str]) -> bool {
    Command::new(argv[0])
        .args(&argv[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn skip(ecosystem: &str, why: &str) {
    eprintln!("first_run: {ecosystem} skipped: {why}");
}

/// `git status --porcelain` and the SHA-256 of every tracked file.
fn tree_state(repo: &Path) -> (String, BTreeMap<String, String>) {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(repo)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let status = git(&["status", "--porcelain", "--untracked-files=all"]);
    let hashes = git(&["ls-files"])
        .lines()
        .map(|path| {
            let bytes = std::fs::read(repo.join(path)).unwrap();
            (path.to_string(), format!("{:x}", Sha256::digest(bytes)))
        })
        .collect();
    (status, hashes)
}

/// The sandbox gives preflight a private HOME: cargo and rustup still need the real
/// toolchain.
fn with_toolchain(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    let home = std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
    for (var, default) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
        let value = std::env::var_os(var).unwrap_or_else(|| home.join(default).into());
        cmd.env(var, value);
    }
    cmd.env_remove("CARGO_TARGET_DIR")
}

/// A committed repository holding `files`, with no preflight.toml.
fn fixture(files: &[(&str, &str)]) -> Sandbox {
    let sb = Sandbox::new();
    for (path, text) in files {
        sb.write(path, text);
    }
    sb.git(&["add", "-A"]);
    sb.git(&["commit", "-qm", "fixture"]);
    sb
}

/// Run every detected check once (nothing filed), and return each check's status;
/// the tree must be exactly as it was.
fn run_detected(sb: &Sandbox) -> BTreeMap<String, String> {
    let before = tree_state(&sb.repo);
    assert_eq!(before.0, "", "the fixture starts clean");
    let out = with_toolchain(&mut sb.cmd(&["check", "--trust", "--no-register", "--json"]))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    let after = tree_state(&sb.repo);
    assert_eq!(after.0, before.0, "git status changed:\n{}", after.0);
    assert_eq!(after.1, before.1, "a tracked file changed");
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let status = c["status"].as_str().unwrap().to_string();
            if status != "passed" && status != "failed" {
                panic!("{c:#}");
            }
            (c["id"].as_str().unwrap().to_string(), status)
        })
        .collect()
}

/// File what the checks find, and return `rule → severity` of the new issues.
fn filed_severities(sb: &Sandbox) -> BTreeMap<String, String> {
    let (code, _, err) = output_of(with_toolchain(&mut sb.cmd(&["check", "--trust"])));
    assert_eq!(code, 1, "{err}");
    sb.issues()
        .iter()
        .map(|i| {
            (
                i["finding"]["rule"].as_str().unwrap().to_string(),
                i["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn statuses(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn rust_checks_read_only_and_clippy_style_is_low() {
    if !installed(&["cargo", "clippy", "--version"]) || !installed(&["cargo", "fmt", "--version"]) {
        return skip("rust", "cargo clippy or cargo fmt is not installed");
    }
    let sb = fixture(&[
        (".gitignore", "/target\n"),
        (
            "Cargo.toml",
            "[package]\nname = \"fx\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "Cargo.lock",
            "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = \"fx\"\nversion = \"0.1.0\"\n",
        ),
        (
            "src/lib.rs",
            "pub fn double(x: u32) -> u32 {\n    return x * 2;\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn doubles() {\n        assert_eq!(super::double(2), 4);\n    }\n}\n",
        ),
    ]);
    assert_eq!(
        run_detected(&sb),
        statuses(&[("clippy", "failed"), ("fmt", "passed"), ("test", "passed")])
    );
    assert_eq!(
        filed_severities(&sb),
        statuses(&[("clippy::needless_return", "low")])
    );
}

#[test]
fn python_checks_read_only_even_with_ruff_fix_true() {
    if !installed(&["ruff", "--version"]) {
        return skip(
            "python",
            "ruff is not on PATH (.ci/run installs it from PyPI)",
        );
    }
    if !installed(&["python3", "-m", "pytest", "--version"]) {
        return skip(
            "python",
            "pytest is not installed for python3 (.ci/run installs it)",
        );
    }
    let sb = fixture(&[
        (
            "pyproject.toml",
            "[project]\nname = \"fx\"\nversion = \"0.1\"\n\n[tool.ruff]\nfix = true\nshow-fixes = true\noutput-format = \"full\"\n\n[tool.ruff.lint]\nselect = [\"F\", \"I\", \"S\"]\n",
        ),
        (
            "app.py",
            "import sys\nimport os\nimport pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n",
        ),
        ("tests/test_app.py", "def test_adds():\n    assert 1 + 1 == 2\n"),
    ]);
    assert_eq!(
        run_detected(&sb),
        statuses(&[("lint", "failed"), ("test", "passed")])
    );
    // ruff marks every result `error`: only security stays high (but `assert` in the
    // tests, S101, is not a security problem). --json says what the register files.
    let (_, json) = sb.check_json(&["--trust", "--no-register"]);
    let reported: BTreeMap<String, String> = json["checks"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = statuses(&[
        ("F401", "medium"),
        ("I001", "low"),
        ("S101", "low"),
        ("S301", "high"),
    ]);
    assert_eq!(reported, expected);
    assert_eq!(filed_severities(&sb), expected);
}

#[test]
fn node_checks_read_only_and_a_fixing_lint_script_is_not_run() {
    if !installed(&["node", "--version"]) || !installed(&["npm", "--version"]) {
        return skip("node", "node or npm is not installed");
    }
    let sb = fixture(&[
        (
            "package.json",
            r#"{"name": "fx", "private": true, "scripts": {"lint": "node lint.js --fix", "lint:check": "node lint.js", "test": "node --test"}}"#,
        ),
        (
            "lint.js",
            "const fs = require('fs');\nif (process.argv.includes('--fix')) fs.writeFileSync('index.js', '// fixed\\n');\n",
        ),
        ("index.js", "module.exports = (a, b) => a + b;\n"),
        (
            "test/add.test.js",
            "const test = require('node:test');\nconst assert = require('node:assert');\ntest('adds', () => assert.strictEqual(require('../index.js')(1, 2), 3));\n",
        ),
    ]);
    assert_eq!(
        run_detected(&sb),
        statuses(&[("lint", "passed"), ("test", "passed")])
    );
}

#[test]
fn make_checks_read_only() {
    if !installed(&["make", "--version"]) || !installed(&["cc", "--version"]) {
        return skip("c", "make or cc is not installed");
    }
    let sb = fixture(&[
        (".gitignore", "/build/\n"),
        (
            "Makefile",
            "test: build/t\n\t./build/t\n\nbuild/t: t.c\n\tmkdir -p build\n\tcc -o build/t t.c\n",
        ),
        ("t.c", "int main(void) { return 1 + 1 == 2 ? 0 : 1; }\n"),
    ]);
    assert_eq!(run_detected(&sb), statuses(&[("test", "passed")]));
}

#[test]
fn go_checks_read_only() {
    if !installed(&["go", "version"]) {
        return skip("go", "go is not installed");
    }
    let sb = fixture(&[
        ("go.mod", "module example.com/fx\n\ngo 1.21\n"),
        (
            "add.go",
            "package fx\n\n// Add adds.\nfunc Add(a, b int) int { return a + b }\n",
        ),
        (
            "add_test.go",
            "package fx\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal(\"no\")\n\t}\n}\n",
        ),
    ]);
    assert_eq!(
        run_detected(&sb),
        statuses(&[("test", "passed"), ("vet", "passed")])
    );
}
