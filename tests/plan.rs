//! Markdown plans as live sources, end to end: `plan`, `plan set`, `import`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{output_of, Sandbox};
use serde_json::Value;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/plans/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn plan_sandbox() -> Sandbox {
    let sb = Sandbox::with_config(
        "# our plan\n[project]\nplans = [\"docs/plan/*.md\"]\n\n[[phase]]\nid = \"p0\"\ntitle = \"Groundwork\"\n\n[[phase.task]]\nid = \"p0-1\"\ntitle = \"Agree on the gates\"\nstatus = \"todo\"   # nobody started\n",
    );
    sb.write("docs/plan/tasks.md", &fixture("tasks-numbered.md"));
    sb.write("docs/plan/payments.md", &fixture("frontmatter-todos.md"));
    sb
}

fn plan_json(sb: &Sandbox) -> Value {
    let (code, out, err) = output_of(&mut sb.cmd(&["plan", "--json"]));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn task<'a>(plan: &'a Value, id: &str) -> &'a Value {
    plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["tasks"].as_array().unwrap())
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no task {id} in {plan}"))
}

/// The byte ranges where two texts differ (as one span from first to last difference).
fn changed_span(a: &str, b: &str) -> (usize, usize, usize) {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let start = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let end_a = a.len()
        - a.iter()
            .rev()
            .zip(b.iter().rev())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
    (start, end_a, b.len() - (a.len() - end_a))
}

#[test]
fn plan_shows_toml_and_markdown_tasks_with_their_sources_and_blockers() {
    let sb = plan_sandbox();
    let plan = plan_json(&sb);
    assert_eq!(task(&plan, "p0-1")["source"]["file"], "preflight.toml");
    assert_eq!(task(&plan, "p0-1")["source"]["line"], 10);
    let offsets = task(&plan, "2.1");
    assert_eq!(offsets["status"], "done");
    assert_eq!(offsets["source"]["file"], "docs/plan/tasks.md");
    assert_eq!(offsets["source"]["line"], 8);
    let gates = task(&plan, "ci-gates");
    assert_eq!(
        gates["needs"],
        serde_json::json!(["pin-deps", "legacy-api"])
    );
    assert_eq!(
        gates["blocked_by"],
        serde_json::json!(["pin-deps"]),
        "cancelled counts as done"
    );
    assert_eq!(task(&plan, "pin-deps")["status"], "doing");

    let (code, out, _) = output_of(&mut sb.cmd(&["plan"]));
    assert_eq!(code, 0);
    assert!(out.contains("(waits for pin-deps)"), "{out}");
    assert!(out.contains("docs/plan/tasks.md:8"), "{out}");
}

#[test]
fn ticking_a_checkbox_changes_that_byte_only() {
    let sb = plan_sandbox();
    let before = fixture("tasks-numbered.md");
    sb.cmd(&["plan", "set", "2.2", "done"]).assert().success();
    let after = std::fs::read_to_string(sb.repo.join("docs/plan/tasks.md")).unwrap();
    assert_eq!(after.len(), before.len());
    let (start, end_before, end_after) = changed_span(&before, &after);
    assert_eq!(
        (end_before - start, end_after - start),
        (1, 1),
        "exactly one byte changed"
    );
    assert_eq!(&after[start - 1..start + 2], "[X]", "the file's own style");
    assert_eq!(task(&plan_json(&sb), "2.2")["status"], "done");
    sb.cmd(&["plan", "set", "2.2", "todo"]).assert().success();
    assert_eq!(
        std::fs::read_to_string(sb.repo.join("docs/plan/tasks.md")).unwrap(),
        before
    );
}

#[test]
fn front_matter_and_toml_statuses_change_alone() {
    let sb = plan_sandbox();
    sb.cmd(&["plan", "set", "ci-gates", "doing"])
        .assert()
        .success();
    let after = std::fs::read_to_string(sb.repo.join("docs/plan/payments.md")).unwrap();
    assert_eq!(
        after,
        fixture("frontmatter-todos.md").replace("status: 'pending'", "status: 'in_progress'")
    );

    let config_before = std::fs::read_to_string(sb.repo.join("preflight.toml")).unwrap();
    sb.cmd(&["plan", "set", "p0-1", "done"]).assert().success();
    let config_after = std::fs::read_to_string(sb.repo.join("preflight.toml")).unwrap();
    assert_eq!(
        config_after,
        config_before.replace("status = \"todo\"", "status = \"done\"")
    );
}

#[test]
fn plan_set_errors_are_one_line_and_exit_2() {
    let sb = plan_sandbox();
    for (args, expected) in [
        (vec!["plan", "set", "2.9", "done"], "no task `2.9`"),
        (
            vec!["plan", "set", "2.1", "finished"],
            "unknown task status",
        ),
    ] {
        let (code, _, err) = output_of(&mut sb.cmd(&args));
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(expected), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

#[test]
fn import_prints_valid_toml_merges_once_and_files_findings_once() {
    let sb = Sandbox::new();
    sb.write("plan.md", &fixture("frontmatter-todos.md"));
    let (code, out, _) = output_of(&mut sb.cmd(&["import", "plan.md"]));
    assert_eq!(code, 0);
    assert!(out.contains("[[phase.task]]\nid = \"pin-deps\""), "{out}");
    let parsed: toml::Value = toml::from_str(&out).unwrap();
    assert_eq!(parsed["phase"][0]["task"].as_array().unwrap().len(), 4);

    sb.write("preflight.toml", "# keep me\n[project]\nname = \"pay\"\n");
    sb.cmd(&[
        "import",
        "plan.md",
        "-o",
        sb.repo.join("preflight.toml").to_str().unwrap(),
        "--issues",
    ])
    .assert()
    .success();
    let merged = std::fs::read_to_string(sb.repo.join("preflight.toml")).unwrap();
    assert!(
        merged.starts_with("# keep me\n[project]\nname = \"pay\"\n"),
        "{merged}"
    );
    let first_issues = sb.issues();
    assert!(!first_issues.is_empty());
    assert!(first_issues
        .iter()
        .all(|i| i["finding"]["check"] == "import"));

    let (code, out, _) =
        output_of(&mut sb.cmd(&["import", "plan.md", "-o", "preflight.toml", "--issues"]));
    assert_eq!(code, 0);
    assert!(out.contains("imported 0 tasks"), "{out}");
    assert!(out.contains("filed 0 issues"), "{out}");
    assert_eq!(
        std::fs::read_to_string(sb.repo.join("preflight.toml")).unwrap(),
        merged
    );
    assert_eq!(sb.issues().len(), first_issues.len());
}

#[test]
fn unrecognised_documents_import_nothing_and_unreadable_ones_fail() {
    let sb = Sandbox::new();
    sb.write("prose.md", &fixture("prose.md"));
    let (code, out, err) = output_of(&mut sb.cmd(&["import", "prose.md"]));
    assert_eq!((code, out.as_str()), (0, ""));
    assert!(
        err.starts_with("preflight: nothing to import from prose.md: "),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1);
    let (code, _, err) = output_of(&mut sb.cmd(&["import", "missing.md"]));
    assert_eq!(code, 2);
    assert!(err.contains("cannot read missing.md"), "{err}");
}

#[test]
fn a_gate_on_a_markdown_phase() {
    let sb = Sandbox::with_config(
        "[project]\nplans = [\"plan.md\"]\n[[gate]]\nid = \"ga\"\ntasks_done = \"p4\"\n",
    );
    sb.write(
        "plan.md",
        "# Phase 4: Harden\n\n- [x] p4-1 Pin\n- [ ] p4-2 Load test\n",
    );
    let (code, out, _) = output_of(&mut sb.cmd(&["gate", "--no-run"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("1 of 2 tasks of p4 not done: p4-2"), "{out}");
    sb.cmd(&["plan", "set", "p4-2", "done"]).assert().success();
    sb.cmd(&["gate", "--no-run"]).assert().success();
}

#[test]
fn callouts_sections_and_cancelled_tasks_through_plan_and_plan_set() {
    let sb = Sandbox::with_config("[project]\nplans = [\"docs/plan/*.md\"]\n");
    let before = fixture("callouts.md");
    sb.write("docs/plan/release.md", &before);
    let plan = plan_json(&sb);
    let release = plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "release")
        .unwrap();
    assert_eq!(
        release["counts"],
        serde_json::json!({"todo": 5, "doing": 1, "done": 3, "cancelled": 1})
    );
    assert_eq!(
        release["progress"], 0.333,
        "3 of 9: the cancelled one is left out"
    );
    assert_eq!(task(&plan, "task-6")["status"], "cancelled");
    assert_eq!(task(&plan, "task-6")["section"], "Launch day");
    assert_eq!(
        plan["notes"],
        serde_json::json!([{"file": "docs/plan/release.md",
            "note": "1 checklist item(s) inside code fences ignored: examples, not tasks"}])
    );

    sb.cmd(&["plan", "set", "task-3", "cancelled"])
        .assert()
        .success();
    let after = std::fs::read_to_string(sb.repo.join("docs/plan/release.md")).unwrap();
    assert_eq!(
        after,
        before.replace("> > - [x] Nested quote", "> > - [-] Nested quote"),
        "only the box inside the nested quote changed"
    );
    let (code, out, _) = output_of(&mut sb.cmd(&["plan"]));
    assert_eq!(code, 0);
    assert!(out.contains("  § Launch day\n"), "{out}");
    assert!(out.contains("✗ task-3"), "{out}");
    assert!(out.contains("(2 cancelled)"), "{out}");
    assert!(out.contains("notes on the markdown plans:"), "{out}");
    sb.cmd(&["plan", "set", "task-3", "done"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(sb.repo.join("docs/plan/release.md")).unwrap(),
        before
    );
}

#[test]
fn what_the_reader_leaves_out_is_said_and_obsidian_needs_block() {
    let sb = Sandbox::with_config("[project]\nplans = [\"docs/plan/*.md\"]\n");
    sb.write("docs/plan/q3.md", &fixture("obsidian-tasks.md"));
    let plan = plan_json(&sb);
    assert_eq!(
        task(&plan, "notes1")["blocked_by"],
        serde_json::json!(["guide", "demo-2"])
    );
    assert_eq!(task(&plan, "task-3")["status"], "cancelled");
    assert_eq!(task(&plan, "task-3")["blocked_by"], serde_json::json!([]));
    let (code, out, _) = output_of(&mut sb.cmd(&["plan"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("  docs/plan/q3.md: 2 list item(s) start with a box that is no checkbox"),
        "{out}"
    );
}
