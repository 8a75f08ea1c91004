//! The repositories the cockpit's end-to-end tests (tests/cockpit*.rs) open: one with
//! a watched check and a filed issue, one with six SARIF findings of two rules.

use super::Sandbox;

const CONFIG: &str = r#"
[[check]]
id = "show"
run = "cat src/value.txt"
watch = ["src/**"]
"#;

/// A trusted repository whose check `show` prints src/value.txt (`value one`) and
/// re-runs on a save under src/, with one issue filed by hand (high, "Pickle load of
/// untrusted data"), whose id is returned beside it.
pub fn sandbox() -> (Sandbox, String) {
    let sb = Sandbox::with_config(CONFIG);
    sb.write("src/value.txt", "value one\n");
    sb.trust();
    let id = sb.new_issue(&[
        "--title",
        "Pickle load of untrusted data",
        "--severity",
        "high",
    ]);
    (sb, id)
}

/// The file of issue `id`.
pub fn issue_file(sb: &Sandbox, id: &str) -> std::path::PathBuf {
    sb.repo.join(".preflight/issues").join(format!("{id}.toml"))
}

/// A trusted repository whose SARIF check finds five of rule B301 and one of B105 (on
/// line 11), in src/app.py.
pub fn sarif_sandbox() -> Sandbox {
    let result = |rule: &str, n: usize| {
        format!(
            r#"{{"ruleId":"{rule}","level":"error","message":{{"text":"{rule} finding {n}"}},
            "locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"src/app.py"}},
            "region":{{"startLine":{line}}}}}}}],
            "partialFingerprints":{{"primaryLocationLineHash":"{rule}-{n}"}}}}"#,
            line = n + 2
        )
    };
    let mut results: Vec<String> = (0..5).map(|n| result("B301", n)).collect();
    results.push(result("B105", 9));
    let sarif = format!(
        r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"bandit"}}}},"results":[{}]}}]}}"#,
        results.join(",")
    );
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"bandit\"\nrun = \"cat findings.sarif\"\nformat = \"sarif\"\nwatch = [\"findings.sarif\"]\n",
    );
    sb.write("findings.sarif", &sarif);
    let source: String = (1..=20).map(|n| format!("line_{n} = {n}\n")).collect();
    sb.write("src/app.py", &source);
    sb.trust();
    sb
}
