use super::*;

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/metrics/",
            $path
        ))
        .as_slice()
    };
}

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 0.01,
        "expected {expected}, got {actual}"
    );
}

fn lcov(name: &str, bytes: &[u8]) -> MetricValue {
    read_report_named(ReportKind::Lcov, name, bytes).unwrap()
}

fn cobertura(name: &str, bytes: &[u8]) -> MetricValue {
    read_report_named(ReportKind::Cobertura, name, bytes).unwrap()
}

// ---- lcov -------------------------------------------------------------------

#[test]
fn lcov_from_geninfo_with_checksums_and_lcov2_records() {
    let v = lcov("lcov.info", fixture!("lcov/genhtml-geninfo.info"));
    close(v.value, 13.0 * 100.0 / 16.0); // 81.25
    assert_eq!(v.unit.as_deref(), Some("%"));
    assert_eq!(v.note, None);
}

#[test]
fn lcov_from_c8_nyc_jest() {
    close(lcov("lcov.info", fixture!("lcov/c8.info")).value, 66.67);
}

#[test]
fn lcov_from_cargo_llvm_cov() {
    close(
        lcov("lcov.info", fixture!("lcov/cargo-llvm-cov.info")).value,
        70.0,
    );
}

#[test]
fn lcov_with_windows_line_endings_and_drive_letters() {
    let bytes = fixture!("lcov/jest-windows.info");
    assert!(
        bytes.windows(2).any(|w| w == b"\r\n"),
        "fixture must be CRLF"
    );
    close(lcov("lcov.info", bytes).value, 75.0);
}

#[test]
fn lcov_with_a_byte_order_mark() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(fixture!("lcov/c8.info"));
    assert_eq!(detect(&bytes), Detected::Lcov);
    close(lcov("lcov.info", &bytes).value, 66.67);
}

#[test]
fn lcov_without_lf_lh_counts_da_lines() {
    // a.py: 2 of 4 (a negative gcov count is not a hit), b.py: 2 of 3.
    close(
        lcov("lcov.info", fixture!("lcov/da-only.info")).value,
        57.14,
    );
}

#[test]
fn lcov_merged_from_several_tools_counts_each_line_once() {
    // Summing LF/LH naively would give 8/13 = 61.5%.
    let v = lcov("lcov.info", fixture!("lcov/merged.info"));
    close(v.value, 7.0 * 100.0 / 9.0); // 77.78
    assert_eq!(
        v.note.as_deref(),
        Some("1 file appears in several records; its lines were merged")
    );
}

#[test]
fn lcov_with_zero_lines_is_an_error() {
    let err = read_report_named(
        ReportKind::Lcov,
        "lcov.info",
        fixture!("lcov/zero-lines.info"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        "lcov.info: the lcov report covers no lines (0 instrumented lines)"
    );
}

#[test]
fn empty_report_is_an_error() {
    let err =
        read_report_named(ReportKind::Lcov, "lcov.info", fixture!("lcov/empty.info")).unwrap_err();
    assert_eq!(err, "lcov.info is empty: the check wrote no coverage");
    let err = read_report(ReportKind::Cobertura, b"  \n\r\n").unwrap_err();
    assert_eq!(err, "the report is empty: the check wrote no coverage");
}

#[test]
fn lcov_with_a_broken_count_says_where() {
    let err = read_report_named(
        ReportKind::Lcov,
        "lcov.info",
        b"SF:a.rs\nDA:1,1\nLF:two\nLH:1\nend_of_record\n",
    )
    .unwrap_err();
    assert_eq!(err, "lcov.info line 3: LF is not a count: `two`");
}

#[test]
fn lcov_with_lh_above_lf_is_an_error() {
    let err = read_report_named(
        ReportKind::Lcov,
        "lcov.info",
        b"SF:a.rs\nLF:2\nLH:3\nend_of_record\n",
    )
    .unwrap_err();
    assert!(err.contains("a.rs has 3 lines hit out of 2"), "{err}");
}

// ---- Cobertura ----------------------------------------------------------------

#[test]
fn cobertura_from_coverage_py() {
    let v = cobertura("coverage.xml", fixture!("cobertura/coverage-py.xml"));
    close(v.value, 76.4);
    assert_eq!(v.note, None);
}

#[test]
fn cobertura_from_tarpaulin() {
    close(
        cobertura("cobertura.xml", fixture!("cobertura/tarpaulin.xml")).value,
        66.67,
    );
}

#[test]
fn cobertura_from_gcovr_with_doctype() {
    close(
        cobertura("coverage.xml", fixture!("cobertura/gcovr.xml")).value,
        81.25,
    );
}

#[test]
fn cobertura_without_line_rate_uses_the_counts() {
    close(
        cobertura("coverage.xml", fixture!("cobertura/counts-only.xml")).value,
        75.0,
    );
}

#[test]
fn cobertura_without_totals_counts_class_lines_once() {
    let v = cobertura("coverage.xml", fixture!("cobertura/no-line-rate.xml"));
    close(v.value, 4.0 * 100.0 / 7.0); // 57.14
    assert!(v.note.is_some_and(|n| n.contains("no line-rate")));
}

#[test]
fn cobertura_with_a_decimal_comma_and_a_namespace() {
    let xml = br#"<?xml version="1.0"?>
<c:coverage xmlns:c="urn:x" line-rate="0,5" lines-valid="4" lines-covered="2"/>"#;
    assert_eq!(detect(xml), Detected::Cobertura);
    close(cobertura("coverage.xml", xml).value, 50.0);
}

#[test]
fn cobertura_with_no_lines_is_an_error() {
    let xml = br#"<?xml version="1.0" ?>
<coverage version="7.4.1" lines-valid="0" lines-covered="0" line-rate="1" branch-rate="0"><packages/></coverage>"#;
    let err = read_report_named(ReportKind::Cobertura, "coverage.xml", xml).unwrap_err();
    assert_eq!(
        err,
        "coverage.xml: the Cobertura report covers no lines (lines-valid=\"0\")"
    );
}

#[test]
fn huge_cobertura_is_read_from_its_root_only() {
    // 300k lines, and cut off mid-element as if the tool was killed while writing:
    // the totals on the root are all that is needed.
    let mut xml = String::from(
        r#"<?xml version="1.0" ?><coverage line-rate="0.9" lines-valid="300000" lines-covered="270000"><packages><package name="p"><classes><class name="c" filename="c.py"><lines>"#,
    );
    for i in 0..300_000 {
        xml.push_str(&format!(r#"<line number="{i}" hits="1"/>"#));
    }
    xml.push_str("<line number=");
    close(cobertura("coverage.xml", xml.as_bytes()).value, 90.0);
}

#[test]
fn malformed_cobertura_without_totals_is_an_error() {
    let xml = br#"<coverage version="1"><packages><package></wrong></packages></coverage>"#;
    let err = read_report_named(ReportKind::Cobertura, "coverage.xml", xml).unwrap_err();
    assert!(
        err.starts_with("coverage.xml: malformed XML at byte"),
        "{err}"
    );
}

// ---- JaCoCo and misdeclared reports --------------------------------------------

#[test]
fn jacoco_report_level_line_counter() {
    let bytes = fixture!("jacoco/jacoco.xml");
    assert_eq!(detect(bytes), Detected::JaCoCo);
    let v = cobertura("jacoco.xml", bytes);
    close(v.value, 75.0);
    assert_eq!(
        v.note.as_deref(),
        Some("jacoco.xml is a JaCoCo report, not Cobertura; read it as JaCoCo")
    );
}

#[test]
fn coverage_xml_that_is_jacoco_is_read_with_a_note() {
    let v = cobertura("coverage.xml", fixture!("jacoco/coverage.xml"));
    close(v.value, 89.0 * 100.0 / 120.0); // 74.17
    assert_eq!(
        v.note.as_deref(),
        Some("coverage.xml is a JaCoCo report, not Cobertura; read it as JaCoCo")
    );
}

#[test]
fn jacoco_without_report_counter_sums_packages() {
    let xml = br#"<report name="x"><group name="g"><package name="a"><counter type="LINE" missed="1" covered="3"/></package><package name="b"><counter type="LINE" missed="3" covered="1"/></package></group></report>"#;
    close(cobertura("jacoco.xml", xml).value, 50.0);
    let err = read_report_named(
        ReportKind::Cobertura,
        "jacoco.xml",
        br#"<report name="x"><sessioninfo id="1"/></report>"#,
    )
    .unwrap_err();
    assert_eq!(err, "jacoco.xml: the JaCoCo report has no LINE counter");
}

#[test]
fn declared_lcov_but_cobertura_is_read_as_cobertura() {
    let v = lcov("lcov.info", fixture!("cobertura/coverage-py.xml"));
    close(v.value, 76.4);
    assert_eq!(
        v.note.as_deref(),
        Some("lcov.info is a Cobertura report, not lcov; read it as Cobertura")
    );
}

#[test]
fn declared_cobertura_but_lcov_is_read_as_lcov() {
    let v = cobertura("coverage.xml", fixture!("lcov/cargo-llvm-cov.info"));
    close(v.value, 70.0);
    assert_eq!(
        v.note.as_deref(),
        Some("coverage.xml is an lcov report, not Cobertura; read it as lcov")
    );
}

#[test]
fn merge_note_and_mismatch_note_are_both_kept() {
    let v = cobertura("coverage.xml", fixture!("lcov/merged.info"));
    assert_eq!(
        v.note.as_deref(),
        Some("coverage.xml is an lcov report, not Cobertura; read it as lcov; 1 file appears in several records; its lines were merged")
    );
}

#[test]
fn coverage_py_json_reads_lines_not_the_branch_weighted_percent() {
    let bytes = fixture!("json/coverage-py.json");
    assert_eq!(
        detect(bytes),
        Detected::CoverageJson(JsonFlavor::CoveragePy)
    );
    let v = cobertura("coverage.json", bytes);
    close(v.value, 66.67);
    assert_eq!(
        v.note.as_deref(),
        Some("coverage.json is a coverage.py JSON report, not Cobertura; read it as coverage.py JSON")
    );
}

#[test]
fn istanbul_summary_json() {
    let bytes = fixture!("json/coverage-summary.json");
    assert_eq!(
        detect(bytes),
        Detected::CoverageJson(JsonFlavor::IstanbulSummary)
    );
    close(lcov("coverage-summary.json", bytes).value, 77.5);
}

// ---- not coverage at all ---------------------------------------------------------

#[test]
fn junit_named_coverage_xml_is_refused_and_named() {
    let err = read_report_named(
        ReportKind::Cobertura,
        "coverage.xml",
        fixture!("other/junit.xml"),
    )
    .unwrap_err();
    assert_eq!(
        err,
        "coverage.xml is not an lcov or Cobertura report (it looks like a JUnit test report)"
    );
}

#[test]
fn clover_is_not_mistaken_for_cobertura() {
    let bytes = fixture!("other/clover.xml");
    assert!(matches!(detect(bytes), Detected::Unknown(w) if w.contains("Clover")));
    assert!(read_report(ReportKind::Cobertura, bytes).is_err());
}

#[test]
fn detect_names_what_it_sees() {
    let cases: [(&[u8], &str); 9] = [
        (b"", "an empty file"),
        (
            b"running 3 tests\ntest a ... ok\n",
            "plain text starting with `running 3 tests`",
        ),
        (
            b"mode: set\nx.go:1.1,2.2 1 1\n",
            "a Go cover profile (go test -coverprofile)",
        ),
        (
            b"<html><body>cov</body></html>",
            "an HTML page (an HTML coverage report?)",
        ),
        (br#"{"version":"2.1.0","runs":[]}"#, "a SARIF log"),
        (
            br#"{"/src/a.js":{"path":"/src/a.js","statementMap":{}}}"#,
            "Istanbul's raw coverage-final.json (use the json-summary reporter)",
        ),
        (br#"{"a":1}"#, "JSON, but not a coverage summary"),
        (b"\x00\x01lprofraw", "binary data"),
        (
            b"<?xml version=\"1.0\"?><project/>",
            "XML whose root is <project>",
        ),
    ];
    for (bytes, looks) in cases {
        assert_eq!(detect(bytes), Detected::Unknown(looks.into()), "{looks}");
    }
    assert!(matches!(detect(b"{oops"), Detected::Unknown(w) if w.starts_with("malformed JSON")));
    assert!(matches!(detect(b"<coverage"), Detected::Unknown(w) if w.starts_with("malformed XML")));
}

#[test]
fn lcov_detection_needs_lcov_lines_throughout() {
    assert_eq!(
        detect(b"TN:\nSF:a.rs\nDA:1,1\nend_of_record\n"),
        Detected::Lcov
    );
    assert_eq!(
        detect(b"SF:a.rs\nLF:1\nLH:1\n"),
        Detected::Lcov,
        "no end_of_record"
    );
    assert!(matches!(
        detect(b"TN: this is\nsome prose that mentions SF: a file\n"),
        Detected::Unknown(_)
    ));
}

#[test]
fn report_kind_follows_the_metric_source() {
    let lcov = MetricSource::Lcov {
        path: "lcov.info".into(),
    };
    let regex = MetricSource::Regex {
        pattern: regex::Regex::new("x").unwrap(),
    };
    assert_eq!(ReportKind::of(&lcov), Some(ReportKind::Lcov));
    assert_eq!(ReportKind::of(&regex), None);
}

#[test]
fn lcov_prefers_lf_lh_over_da_lines() {
    // A record's LF/LH are its own totals (exclusions applied); DA lines count only
    // when they are missing.
    let v = lcov(
        "lcov.info",
        b"SF:a.rs\nDA:1,1\nDA:2,0\nLF:10\nLH:9\nend_of_record\nSF:b.rs\nDA:1,1\nDA:2,0\nLF:1\nend_of_record\n",
    );
    close(v.value, 10.0 * 100.0 / 12.0);
}

#[test]
fn latin1_xml_is_decoded() {
    // JaCoCo on a JVM with a Latin-1 default charset writes what it declares.
    let mut xml = br#"<?xml version="1.0" encoding="ISO-8859-1"?><report name="caf"#.to_vec();
    xml.push(0xE9);
    xml.extend_from_slice(br#""><counter type="LINE" missed="1" covered="3"/></report>"#);
    assert_eq!(detect(&xml), Detected::JaCoCo);
    close(cobertura("jacoco.xml", &xml).value, 75.0);
}

#[test]
fn big_lcov_with_long_mangled_names_is_detected() {
    // Long C++/Rust symbol names push the 64 KiB detection window mid-line.
    let mut text = String::from("TN:\nSF:src/lib.rs\n");
    let name = "_ZN".to_string() + &"x".repeat(700);
    for i in 1..=400 {
        text.push_str(&format!("FN:{i},{name}{i}\nFNDA:1,{name}{i}\nDA:{i},1\n"));
    }
    text.push_str("LF:400\nLH:400\nend_of_record\n");
    assert!(text.len() > 64 * 1024);
    assert_eq!(detect(text.as_bytes()), Detected::Lcov);
    close(lcov("lcov.info", text.as_bytes()).value, 100.0);
}
