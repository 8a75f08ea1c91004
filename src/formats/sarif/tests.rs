use super::*;
use crate::domain::finding::Severity::{Critical, High, Info, Low, Medium};

fn ctx(root: &'static str) -> ParseContext<'static> {
    ParseContext {
        default_severity: Low,
        root: Path::new(root),
    }
}

fn finding(rule: &str, severity: Severity, message: &str, path: &str, line: u32) -> Finding {
    Finding::new(rule, severity, message).at(path, Some(line))
}

fn with_fingerprint(mut finding: Finding, fingerprint: &str) -> Finding {
    finding.tool_fingerprint = Some(fingerprint.to_string());
    finding
}

fn read(text: &str, root: &'static str) -> Vec<Finding> {
    match parse(text.as_bytes(), &ctx(root)) {
        Ok(findings) => findings.into_vec(),
        Err(e) => panic!("fixture should parse: {e}"),
    }
}

#[test]
fn codeql_rules_in_extensions_security_severity_and_line_hashes() {
    let findings = read(
        include_str!("../../../tests/fixtures/formats/sarif_codeql.sarif"),
        "/home/runner/work/shop/shop",
    );
    let expected = vec![
        with_fingerprint(
            finding(
                "js/sql-injection",
                High,
                "This query string depends on a [user-provided value](1).",
                "server/routes/users.js",
                42,
            ),
            "primaryLocationLineHash:c4a2f3e1b0d9a877:1",
        ),
        with_fingerprint(
            finding(
                "js/unused-local-variable",
                Low,
                "Unused variable legacyHandler.",
                "server/app.js",
                7,
            ),
            "primaryLocationLineHash:5b1e9d0c7a3f2e64:1",
        ),
        // security-severity 7.5 beats the rule's default level `warning`.
        with_fingerprint(
            finding(
                "js/missing-rate-limiting",
                High,
                "This route handler performs [a database access](1), but is not rate-limited.",
                "server/routes/users.js",
                38,
            ),
            "primaryLocationLineHash:0f7d3c2b1a998e51:1",
        ),
        // Message from the rule's messageStrings, location by artifact index.
        with_fingerprint(
            finding(
                "js/insecure-randomness",
                Critical,
                "This uses a cryptographically insecure random number generated at Math.random() in a security context.",
                "server/lib/token.js",
                12,
            ),
            "primaryLocationLineHash:9e8d7c6b5a4f3e2d:2",
        ),
    ];
    assert_eq!(findings, expected);
}

#[test]
fn semgrep_placeholder_fingerprints_are_ignored_and_uris_decoded() {
    let findings = read(
        include_str!("../../../tests/fixtures/formats/sarif_semgrep.sarif"),
        "/src",
    );
    assert_eq!(findings.len(), 3);
    assert!(findings.iter().all(|f| f.tool_fingerprint.is_none()));
    assert_eq!(
        findings[0].rule,
        "python.django.security.injection.raw-html-format.raw-html-format"
    );
    // No level on the result: the rule's default level `error`.
    assert_eq!(findings[0].severity, High);
    assert_eq!(findings[0].path.as_deref(), Some("app/views.py"));
    assert_eq!(findings[0].line, Some(31));
    assert!(findings[0]
        .message
        .starts_with("Detected user input flowing into a manually constructed HTML string."));
    assert_eq!(
        findings[1],
        finding(
            "python.django.security.audit.django-debug-true",
            Medium,
            "Hardcoded DEBUG=True in settings.py",
            "app/settings.py",
            26
        )
    );
    assert_eq!(
        findings[2],
        finding(
            "bash.curl.security.curl-insecure.curl-insecure",
            Medium,
            "Using curl with -k disables certificate checks.",
            "scripts/deploy tools/run.sh",
            9
        )
    );
}

#[test]
fn ruff_file_uris_become_relative_and_rule_levels_apply() {
    let findings = read(
        include_str!("../../../tests/fixtures/formats/sarif_ruff.sarif"),
        "/home/dev/project",
    );
    let expected = vec![
        finding("F401", High, "`os` imported but unused", "app/main.py", 1),
        finding(
            "E501",
            Medium,
            "Line too long (97 > 88)",
            "app/data loaders/csv_reader.py",
            14,
        ),
        // `ruleId: null` (a syntax error): generic rule, the check's default severity.
        finding(
            "sarif",
            Low,
            "SyntaxError: Expected an indented block after function definition",
            "app/broken.py",
            3,
        ),
    ];
    assert_eq!(findings, expected);
}

#[test]
fn suppressed_passing_and_absent_results_are_skipped_across_runs() {
    let findings = read(
        include_str!("../../../tests/fixtures/formats/sarif_suppressed.sarif"),
        "/home/dev/web",
    );
    let mut no_location = Finding::new(
        "config-error",
        Medium,
        "Configuration file **setup.cfg** could not be parsed",
    );
    no_location.path = None;
    let mut line_zero = Finding::new(
        "B602",
        High,
        "subprocess call with shell=True identified, security issue.",
    );
    line_zero.path = Some("tools/deploy.py".to_string());
    let expected = vec![
        finding(
            "no-unused-vars",
            Medium,
            "'helper' is defined but never used.",
            "src/app.js",
            3,
        ),
        // Only `ruleIndex`: the id comes from the driver's rules.
        finding(
            "eqeqeq",
            High,
            "Expected '===' and instead saw '=='.",
            "src/legacy.js",
            20,
        ),
        finding("no-eval", High, "eval can be harmful.", "src/legacy.js", 31),
        finding("no-eval", High, "eval can be harmful.", "src/legacy.js", 50),
        finding(
            "B105",
            Info,
            "Possible hardcoded password: 'hunter2'",
            "tools/seed.py",
            8,
        ),
        // Only `rule.index`; rule default level `error`; startLine 0 is no line.
        line_zero,
        no_location,
    ];
    assert_eq!(findings, expected);
}

#[test]
fn empty_runs_is_a_valid_log_without_findings() {
    let findings = read(
        include_str!("../../../tests/fixtures/formats/sarif_empty_runs.sarif"),
        "/",
    );
    assert!(findings.is_empty());
}

#[test]
fn json_without_runs_is_an_error() {
    let text = include_str!("../../../tests/fixtures/formats/not_sarif.json");
    assert_eq!(
        parse(text.as_bytes(), &ctx("/")),
        Err("report is not SARIF: expected a JSON object with `runs`".to_string())
    );
    assert!(parse(b"[]", &ctx("/")).is_err());
    assert!(parse(br#"{"runs": null}"#, &ctx("/")).is_err());
}

#[test]
fn empty_or_broken_json_is_an_error() {
    assert_eq!(
        parse(b"  \n", &ctx("/")),
        Err("report is empty".to_string())
    );
    let broken = parse(br#"{"version": "2.1.0", "runs": ["#, &ctx("/"));
    assert!(matches!(broken, Err(e) if e.starts_with("report is not valid JSON")));
}

#[test]
fn byte_order_mark_is_tolerated() {
    let text = "\u{feff}{\"runs\": []}";
    assert_eq!(parse(text.as_bytes(), &ctx("/")), Ok(Findings::new()));
}

#[test]
fn placeholder_chains_in_arguments_cannot_blow_up_memory() {
    // 738 bytes that used to grow without bound: each argument doubles the last.
    let arguments: Vec<String> = (0..40)
        .map(|i| format!("\"{{{}}}{{{}}}\"", i + 1, i + 1))
        .collect();
    let text = format!(
        r#"{{"runs": [{{"results": [{{"ruleId": "r", "message": {{"text": "{{0}} and {{{{0}}}}", "arguments": [{}]}}}}]}}]}}"#,
        arguments.join(",")
    );
    let findings = read(&text, "/");
    // The argument is text: its `{1}{1}` is not filled again.
    assert_eq!(findings[0].message, "{1}{1} and {0}");
    let template = "{0}".repeat(10_000);
    let big = Value::String("z".repeat(50_000));
    let filled = fill_placeholders(&template, std::slice::from_ref(&big));
    assert!(filled.len() <= MAX_MESSAGE + 1, "{}", filled.len());
    assert_eq!(
        fill_placeholders("{1} {x} {} {0", &[Value::from(7)]),
        "{1} {x} {} {0"
    );
    assert_eq!(fill_placeholders("a {0}", &[Value::from(7)]), "a 7");
}

#[test]
fn a_huge_result_is_read_field_by_field_and_its_message_cut() {
    let message = "M".repeat(3 * MAX_RESULT);
    let flows = vec!["0"; MAX_RESULT].join(",");
    let text = format!(
        r#"{{"runs": [{{"results": [{{"ruleId": "r", "level": "error", "codeFlows": [{flows}], "message": {{"text": "{message}"}}, "locations": [{{"physicalLocation": {{"artifactLocation": {{"uri": "a.rs"}}, "region": {{"startLine": 3}}}}}}]}}]}}]}}"#
    );
    let findings = read(&text, "/");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, High);
    assert_eq!(findings[0].path.as_deref(), Some("a.rs"));
    assert!(findings[0].message.len() <= MAX_MESSAGE);
    assert!(findings[0].message.starts_with("MMMM"));
}

#[test]
fn fingerprint_choice_is_deterministic() {
    let pick = |json: &str| {
        let value: Value = serde_json::from_str(json).unwrap_or(Value::Null);
        tool_fingerprint(&value)
    };
    assert_eq!(
        pick(r#"{"partialFingerprints": {"zeta/v1": "z1", "alpha/v1": "a1"}}"#),
        Some("alpha/v1:a1".to_string())
    );
    assert_eq!(
        pick(
            r#"{"partialFingerprints": {"primaryLocationStartColumnFingerprint": "4"}, "fingerprints": {"matchBasedId/v1": "0f9e8d7c_0"}}"#
        ),
        Some("matchBasedId/v1:0f9e8d7c_0".to_string())
    );
    assert_eq!(
        pick(r#"{"fingerprints": {"matchBasedId/v1": "requires login"}}"#),
        None
    );
    assert_eq!(pick(r#"{"partialFingerprints": {"hash": 12}}"#), None);
}

#[test]
fn security_severity_bands_and_zero_falls_back_to_level() {
    let sev = |json: &str| {
        let value: Value = serde_json::from_str(json).unwrap_or(Value::Null);
        severity(&value, None, Low)
    };
    assert_eq!(
        sev(r#"{"properties": {"security-severity": "9.0"}}"#),
        Critical
    );
    assert_eq!(sev(r#"{"properties": {"security-severity": 6.5}}"#), Medium);
    assert_eq!(sev(r#"{"properties": {"security-severity": "3.1"}}"#), Low);
    assert_eq!(
        sev(r#"{"level": "error", "properties": {"security-severity": "0.0"}}"#),
        High
    );
    assert_eq!(
        sev(r#"{"level": "warning", "properties": {"security-severity": "n/a"}}"#),
        Medium
    );
    assert_eq!(sev(r#"{"level": "bogus"}"#), Low);
}
