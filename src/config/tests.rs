use super::*;
use std::collections::BTreeMap;
use std::time::Duration;

fn load(text: &str) -> Result<Config, ConfigErrors> {
    load_str(
        text,
        Path::new("preflight.toml"),
        Source::File("preflight.toml".into()),
    )
}

fn first_error(text: &str) -> String {
    match load(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(errors) => errors.0[0].to_string(),
    }
}

const GOOD: &str = r#"
[project]
name = "acme-api"
plans = ["docs/plan/*.md"]

[runner]
jobs = 3
output_lines = 500

[watch]
ignore = ["docs/**"]
debounce = "40ms"

[[phase]]
id = "p3"
title = "Phase 3"

[[phase.task]]
id = "p3-1"
title = "Fix C2"
status = "done"
checks = ["clippy"]

[[phase.task]]
id = "p3-2"
title = "Deploy"
needs = ["p3-1"]

[[check]]
id = "clippy"
run = "cargo clippy --message-format=json"
watch = ["src/**/*.rs"]
format = "cargo"
timeout = "5m"
env = { RUST_LOG = "debug" }
severity = "high"
severity_map = { medium = "low", "clippy::unwrap_used" = "high" }

[[check]]
id = "flake8"
run = "flake8"
format = "lines"
pattern = '^(?P<path>[^:]+):(?P<line>\d+):\d+: (?P<message>.*)$'

[[check]]
id = "cov"
run = "make cov"
metric = { from = "lcov", path = "coverage/lcov.info", unit = "%" }

[[gate]]
id = "green"
checks = ["clippy"]

[[gate]]
id = "crit"
name = "No criticals"
max_open = { critical = 0, high = 2 }

[[gate]]
id = "coverage"
metric = "cov"
min = 80
advisory = true
"#;

#[test]
fn a_full_file_loads() {
    let config = load(GOOD).unwrap();
    assert_eq!(config.project.name, "acme-api");
    assert_eq!(config.project.plans, ["docs/plan/*.md"]);
    assert_eq!(config.runner.jobs, Some(3));
    assert_eq!(config.runner.output_lines, 500);
    assert_eq!(config.watch.ignore, ["docs/**"]);
    assert_eq!(config.watch.debounce, Some(Duration::from_millis(40)));
    assert_eq!(config.plan.phases[0].tasks[1].needs, ["p3-1"]);
    assert_eq!(config.plan.phases[0].tasks[0].status, TaskStatus::Done);
    let clippy = config.check("clippy").unwrap();
    assert_eq!(clippy.timeout, Some(Duration::from_secs(300)));
    assert_eq!(clippy.severity, Severity::High);
    assert_eq!(clippy.env["RUST_LOG"], "debug");
    assert_eq!(clippy.severity_map["medium"], Severity::Low);
    assert_eq!(clippy.severity_map["clippy::unwrap_used"], Severity::High);
    assert_eq!(clippy.name, "clippy");
    assert!(matches!(
        config.check("flake8").unwrap().format,
        Format::Lines(_)
    ));
    assert_eq!(config.gates.len(), 3);
    assert!(config.gates[2].advisory);
    assert_eq!(
        config.gates[2].kind,
        GateKind::Metric {
            check: "cov".into(),
            min: Some(80.0),
            max: None
        }
    );
    assert!(config.warnings.is_empty());
}

#[test]
fn toml_syntax_error_is_located() {
    let err = first_error("[project]\nname = \"x\n");
    assert!(err.starts_with("preflight.toml:2:"), "{err}");
}

#[test]
fn unknown_key_suggests_the_nearest() {
    let err = first_error("[[check]]\nid = \"a\"\nrun = \"true\"\ntimout = \"5s\"\n");
    assert!(
        err.starts_with("preflight.toml:4:1: unknown key `timout` in [[check]]"),
        "{err}"
    );
    assert!(err.ends_with("did you mean `timeout`?"), "{err}");
}

#[test]
fn unknown_top_level_table() {
    let err = first_error("[projekt]\nname = \"x\"\n");
    assert!(err.contains("unknown table `[projekt]`"), "{err}");
    assert!(err.contains("did you mean `[project]`?"), "{err}");
}

/// Errors whose span points into a table header name the whole header, never a cut
/// `[[c`.
#[test_case::test_case("[[chekc]]\nid = \"a\"\n", "1:3: unknown table `[[chekc]]`; did you mean `[[check]]`?" ; "an unknown array table")]
#[test_case::test_case("[[check]]\nid = \"a\"\n", "1:1: missing key `run` in [[check]]" ; "a missing key of a table")]
#[test_case::test_case("[[check]]\nid = \"a\"\nrun = \"x\"\n[[check.checks]]\nid = 1\n", "4:9: unknown key `checks` in [[check]]; expected one of: id, name, run" ; "an unknown sub-table")]
#[test_case::test_case("[[check]]  # the lint\nid = \"a\"\n", "1:1: missing key `run` in [[check]]" ; "a header with a comment")]
fn errors_on_table_headers_name_the_whole_header(text: &str, expected: &str) {
    let err = first_error(text);
    assert!(
        err.starts_with(&format!("preflight.toml:{expected}")),
        "{err}"
    );
}

#[test]
fn missing_run_is_named() {
    let err = first_error("[[check]]\nid = \"a\"\n");
    assert!(err.contains("missing key `run`"), "{err}");
}

#[test]
fn duplicate_ids_point_at_the_second() {
    let text = "[[check]]\nid = \"a\"\nrun = \"x\"\n\n[[check]]\nid = \"a\"\nrun = \"y\"\n";
    assert_eq!(
        first_error(text),
        "preflight.toml:6:6: duplicate check id `a` (first defined on line 2)"
    );
}

#[test]
fn needs_naming_nothing() {
    let text = "[[phase]]\nid = \"p\"\n[[phase.task]]\nid = \"build\"\n[[phase.task]]\nid = \"ship\"\nneeds = [\"biuld\"]\n";
    assert_eq!(
        first_error(text),
        "preflight.toml:7:10: task `ship` needs `biuld`, which is no task; did you mean `build`?"
    );
}

#[test]
fn cycle_is_printed() {
    let text = "[[phase]]\nid = \"p\"\n[[phase.task]]\nid = \"a\"\nneeds = [\"b\"]\n[[phase.task]]\nid = \"b\"\nneeds = [\"a\"]\n";
    assert_eq!(
        first_error(text),
        "preflight.toml:4:6: dependency cycle: a → b → a"
    );
}

#[test]
fn gate_naming_an_unknown_check() {
    let text = "[[check]]\nid = \"test\"\nrun = \"x\"\n[[gate]]\nid = \"g\"\nchecks = [\"tset\"]\n";
    assert_eq!(
        first_error(text),
        "preflight.toml:6:11: gate `g` names check `tset`, which is not defined; did you mean `test`?"
    );
}

#[test]
fn gate_with_no_kind_or_two_kinds() {
    assert!(first_error("[[gate]]\nid = \"g\"\n").contains("says nothing to check"));
    assert!(first_error("[[gate]]\nid = \"g\"\nblockers = 0\nchecks = []\n").contains("mixes"));
    assert!(
        first_error("[[phase]]\nid = \"p4\"\n[[gate]]\nid = \"g\"\ntasks_done = \"p5\"\n")
            .contains("names phase `p5`")
    );
}

#[test]
fn bad_glob() {
    let err = first_error("[[check]]\nid = \"a\"\nrun = \"x\"\nwatch = [\"src/[a.rs\"]\n");
    assert!(
        err.starts_with("preflight.toml:4:10: bad glob `src/[a.rs`"),
        "{err}"
    );
}

#[test]
fn unknown_format_suggests() {
    assert_eq!(
        first_error("[[check]]\nid = \"a\"\nrun = \"x\"\nformat = \"sarf\"\n"),
        "preflight.toml:4:10: unknown format `sarf`, expected one of: exit-code, cargo, sarif, junit, lines, npm-audit, pip-audit, safety, cargo-audit, bandit, pylint, mypy, auto; did you mean `sarif`?"
    );
    assert!(
        first_error("[[check]]\nid = \"a\"\nrun = \"x\"\nformat = \"npm_audit\"\n")
            .ends_with("did you mean `npm-audit`?")
    );
}

#[test]
fn checks_with_max_open_is_one_gate_counting_only_their_findings() {
    let text = "[[check]]\nid = \"audit\"\nrun = \"x\"\nformat = \"npm-audit\"\n\
                [[gate]]\nid = \"security\"\nchecks = [\"audit\"]\nmax_open = { critical = 0, high = 0 }\n";
    let config = load(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.gates[0].kind,
        GateKind::MaxOpenOf {
            checks: vec!["audit".into()],
            limits: BTreeMap::from([(Severity::Critical, 0), (Severity::High, 0)]),
        }
    );
    let err =
        first_error("[[gate]]\nid = \"g\"\nblockers = 0\nmax_open = { high = 0 }\nchecks = []\n");
    assert!(err.contains("mixes several kinds"), "{err}");
}

#[test]
fn scanner_formats_by_name_and_a_report_without_format_is_recognised() {
    let text = "[[check]]\nid = \"a\"\nrun = \"npm audit --json\"\nformat = \"npm-audit\"\n\
                [[check]]\nid = \"b\"\nrun = \"mypy .\"\nformat = \"mypy\"\n\
                [[check]]\nid = \"c\"\nrun = \"x\"\nreport = \"out.json\"\n\
                [[check]]\nid = \"d\"\nrun = \"x\"\n";
    let config = load(text).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = config.checks.iter().map(|c| c.format.name()).collect();
    assert_eq!(names, ["npm-audit", "mypy", "auto", "exit-code"]);
    assert!(config.checks[0].format.reads_document());
    assert!(
        !config.checks[1].format.reads_document(),
        "mypy is read as it runs"
    );
}

#[test]
fn bad_duration() {
    let err = first_error("[[check]]\nid = \"a\"\nrun = \"x\"\ntimeout = \"5 parsecs\"\n");
    assert!(
        err.starts_with("preflight.toml:4:11: bad duration `5 parsecs`"),
        "{err}"
    );
}

#[test]
fn lines_format_needs_named_groups() {
    let err = first_error(
        "[[check]]\nid = \"a\"\nrun = \"x\"\nformat = \"lines\"\npattern = '^(?P<path>.*)$'\n",
    );
    assert!(
        err.contains("lacks the named group(s) `line`, `message`"),
        "{err}"
    );
}

#[test]
fn bad_task_status_and_severity() {
    let err =
        first_error("[[phase]]\nid = \"p\"\n[[phase.task]]\nid = \"t\"\nstatus = \"finished\"\n");
    assert!(
        err.starts_with("preflight.toml:5:10: unknown task status `finished`"),
        "{err}"
    );
    let err = first_error("[[check]]\nid = \"a\"\nrun = \"x\"\nseverity = \"severe\"\n");
    assert!(err.contains("unknown severity `severe`"), "{err}");
}

#[test]
fn bad_severity_map_value() {
    let err =
        first_error("[[check]]\nid = \"a\"\nrun = \"x\"\nseverity_map = { B301 = \"urgent\" }\n");
    assert!(
        err.starts_with("preflight.toml:4:25: unknown severity `urgent`"),
        "{err}"
    );
}

#[test]
fn ids_must_be_safe_for_file_names() {
    let err = first_error("[[check]]\nid = \"../x\"\nrun = \"x\"\n");
    assert!(err.contains("may only hold letters"), "{err}");
}

#[test]
fn several_errors_display_as_one_line() {
    let text = "[[check]]\nid = \"a\"\nrun = \"x\"\nformat = \"nope\"\ntimeout = \"nope\"\n";
    let errors = load(text).unwrap_err();
    assert_eq!(errors.0.len(), 2);
    let line = errors.to_string();
    assert!(line.ends_with("(and 1 more)"), "{line}");
    assert!(!line.contains('\n'));
}

#[test]
fn a_trusted_key_is_ignored_with_a_warning() {
    let config = load("trusted = true\n").unwrap();
    assert_eq!(config.warnings.len(), 1);
    assert!(config.warnings[0].contains("ignoring `trusted`"));
}

#[test]
fn line_column_counts_characters() {
    assert_eq!(line_column("ab\nçd", 5), (2, 2));
    assert_eq!(line_column("", 10), (1, 1));
}

#[test]
fn max_new_gates_load_and_bad_severities_are_located() {
    let config = load("[[gate]]\nid = \"clean\"\nmax_new = { high = 0, critical = 0 }\n").unwrap();
    assert_eq!(
        config.gates[0].kind,
        GateKind::MaxNew(
            [(Severity::Critical, 0), (Severity::High, 0)]
                .into_iter()
                .collect()
        )
    );
    let err = first_error("[[gate]]\nid = \"clean\"\nmax_new = { hgh = 0 }\n");
    assert!(
        err.starts_with("preflight.toml:3:11: unknown severity `hgh`"),
        "{err}"
    );
    let err = first_error("[[gate]]\nid = \"x\"\nmax_new = { high = 0 }\nblockers = 0\n");
    assert!(err.contains("mixes several kinds"), "{err}");
}
