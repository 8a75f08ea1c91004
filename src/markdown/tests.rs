//! The exact tasks, findings, context and notes read from each fixture shape in
//! `tests/fixtures/plans/` (written for this project, in the shapes teams use).

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../tests/fixtures/plans/", $name))
    };
}

/// One task as `id | title | status | needs | line | parent | flags`, flags being
/// `opt` (optional), so a whole plan compares in one assertion.
fn row(t: &MdTask) -> String {
    let mut flags = Vec::new();
    if t.optional {
        flags.push("opt");
    }
    format!(
        "{} | {} | {} | {} | {} | {} | {}",
        t.id,
        t.title,
        t.status,
        t.needs.join(","),
        t.line,
        t.parent.as_deref().unwrap_or("-"),
        flags.join(",")
    )
}

fn rows(doc: &Document) -> Vec<String> {
    doc.tasks().map(row).collect()
}

fn headings(p: &MdPhase) -> Vec<&str> {
    p.context.iter().map(|c| c.heading.as_str()).collect()
}

#[test]
fn phase_document_with_table_checklist_graph_risks_and_criteria() {
    let doc = read(fixture!("phase-2-data-layer.md"), "phase-2-data-layer");
    assert_eq!(doc.phases.len(), 1);
    let p = &doc.phases[0];
    assert_eq!(
        (p.id.as_str(), p.title.as_str(), p.line),
        ("p2", "Data Layer Hardening", 1)
    );
    assert_eq!(
        rows(&doc),
        vec![
            "p2-1 | Enable point-in-time recovery | done |  | 18 | - | ",
            "p2-2 | Move sessions to Redis cluster | doing |  | 19 | - | ",
            "p2-3 | Add connection pool limits | todo | p2-1 | 20 | - | ",
            "p2-4 | Verify restore drill under 30 min | todo | p2-1,p2-2 | 21 | - | ",
            "p2-5 | Document the restore runbook (depends on p2-4) | todo | p2-4,p2-3 | 24 | - | ",
            "p2-6 | Rotate the database credentials | done |  | 25 | - | ",
            "p2-7 | Alert on replication lag | todo |  | 26 | - | ",
        ]
    );
    let origins: Vec<Origin> = doc.tasks().map(|t| t.origin).collect();
    assert_eq!(origins[..4], [Origin::TableRow; 4]);
    assert_eq!(origins[4..], [Origin::Checkbox; 3]);
    let alert = doc.tasks().find(|t| t.id == "p2-7").unwrap();
    assert_eq!(alert.body, "Page the on-call when lag exceeds 30 seconds.");
    assert_eq!(alert.section.as_deref(), Some("Follow-ups"));
    assert_eq!(
        headings(p),
        vec![
            "Goals",
            "Prerequisites",
            "Dependency Graph",
            "Risks",
            "Success Criteria",
            "Deliverables"
        ]
    );
    let criteria = &p.context[4];
    assert_eq!(criteria.line, 45);
    assert_eq!(
        criteria.text,
        "- Restore drill completes in under 30 minutes\n- No write lost in a zone failover test"
    );
    assert!(p.context[3].text.contains("Redis failover drops sessions"));
    assert!(doc.findings.is_empty());
    assert_eq!(
        doc.notes,
        vec![
            "1 checklist item(s) inside code fences ignored: examples, not tasks",
            "4 checklist item(s) under Prerequisites, Deliverables kept as phase context, not tasks",
        ]
    );
}

#[test]
fn numbered_checkbox_list_with_subtasks_optional_and_requirements() {
    let doc = read(fixture!("tasks-numbered.md"), "tasks");
    assert_eq!(doc.phases.len(), 1);
    assert_eq!(doc.phases[0].title, "Implementation Plan");
    assert_eq!(
        rows(&doc),
        vec![
            "1 | Bootstrap the worker service | done |  | 3 | - | ",
            "2 | Make uploads resumable | todo |  | 7 | - | ",
            "2.1 | Persist upload offsets | done |  | 8 | 2 | ",
            "2.2 | Resume from the stored offset | todo |  | 11 | 2 | ",
            "2.2.1 | Handle offsets past the end of the object | todo |  | 12 | 2.2 | ",
            "2.2.2 | Reject a resume after the upload expired | todo |  | 13 | 2.2 | ",
            "2.3 | Fuzz the offset parser | todo |  | 14 | 2 | opt",
            "3 | Ship metrics for the worker | todo |  | 17 | - | ",
            "4 | Optional: soak test for 24 hours | todo |  | 22 | - | opt",
            "5 | Write the operator guide (optional) | todo |  | 25 | - | opt",
        ]
    );
    let body = |id: &str| doc.tasks().find(|t| t.id == id).unwrap().body.clone();
    assert_eq!(
        body("1"),
        "- Create the binary crate and the config loader\n- _Requirements: 1.1_"
    );
    assert_eq!(body("2"), "");
    assert_eq!(
        body("2.1"),
        "- Store offsets in the metadata table\n- _Requirements: 2.1, 2.2_"
    );
    assert_eq!(
        body("3"),
        "Export queue depth and processing latency\nas Prometheus gauges.\n  - _Requirements: 3.1_"
    );
    assert!(doc
        .tasks()
        .all(|t| t.origin == Origin::Checkbox && !t.can_say_doing));
    assert!(doc.notes.is_empty(), "{:?}", doc.notes);
}

#[test]
fn front_matter_todos_then_findings_table() {
    let doc = read(fixture!("frontmatter-todos.md"), "payments");
    assert_eq!(doc.phases.len(), 1);
    let p = &doc.phases[0];
    assert_eq!(
        (p.id.as_str(), p.title.as_str(), p.line),
        ("payments-ga", "Payments GA", 26)
    );
    assert_eq!(
        rows(&doc),
        vec![
            "audit-log | Write an audit log entry for every refund: who, when, how much | done |  | 5 | - | ",
            "pin-deps | Pin the payment SDK and its transitive dependencies | doing | audit-log | 8 | - | ",
            "legacy-api | Remove the legacy v1 refund endpoint | cancelled |  | 12 | - | ",
            "ci-gates | Add the coverage and audit gates to the release pipeline | todo | pin-deps,legacy-api | 15 | - | ",
        ]
    );
    assert!(doc
        .tasks()
        .all(|t| t.origin == Origin::FrontMatter && t.can_say_doing));
    let text = fixture!("frontmatter-todos.md");
    let at = |id: &str| {
        doc.tasks()
            .find(|t| t.id == id)
            .unwrap()
            .status_at
            .clone()
            .unwrap()
    };
    assert_eq!(&text[at("pin-deps")], "in_progress");
    assert_eq!(&text[at("ci-gates")], "pending");
    assert_eq!(
        doc.findings,
        vec![
            MdFinding {
                id: "SEC-4".into(),
                severity: Some("Critical".into()),
                title: "Refund endpoint lacks idempotency keys".into(),
                owner: Some("maya".into()),
                status: Some("Open".into()),
                line: 31,
            },
            MdFinding {
                id: "H2".into(),
                severity: Some("High".into()),
                title: "Webhook secret logged at debug level".into(),
                owner: None,
                status: Some("In progress".into()),
                line: 32,
            },
            MdFinding {
                id: "L3".into(),
                severity: Some("Low".into()),
                title: "Stale `TODO` in the refund handler".into(),
                owner: None,
                status: Some("Fixed".into()),
                line: 33,
            },
        ]
    );
    assert!(doc.notes.is_empty(), "{:?}", doc.notes);
}

#[test]
fn front_matter_that_is_not_yaml_is_read_line_by_line() {
    let text = fixture!("frontmatter-lenient.md");
    let doc = read(text, "hotfix");
    assert_eq!(
        rows(&doc),
        vec![
            "repro | Reproduce: the crash on save | done |  | 4 | - | ",
            "patch | Patch the serializer | todo | repro | 7 | - | ",
        ]
    );
    let patch = doc.tasks().nth(1).unwrap();
    assert_eq!(&text[patch.status_at.clone().unwrap()], "pending");
    assert_eq!(doc.notes.len(), 1);
    assert!(
        doc.notes[0].starts_with("front matter is not valid YAML (mapping values are not allowed"),
        "{}",
        doc.notes[0]
    );
}

#[test]
fn mojibake_is_repaired_for_display_and_seen_through_for_status() {
    let text = fixture!("mojibake.md");
    let doc = read(text, "phase-5");
    let p = &doc.phases[0];
    assert_eq!((p.id.as_str(), p.title.as_str()), ("p5", "Observability"));
    assert_eq!(
        rows(&doc),
        vec![
            "T-1 | Structured logs — JSON only | done |  | 6 | - | ",
            "T-2 | Trace sampling at 10\u{a0}% | doing | T-1 | 7 | - | ",
            "T-3 | SLO dashboards | todo | T-1,T-2 | 8 | - | ",
            "T-4 | Page on burn rate → 2× budget | done | T-2 | 10 | - | ",
            "p5-1 | “Runbook” for the alert | todo |  | 11 | - | ",
        ]
    );
    assert_eq!(p.context[0].text, "```\nT-2 → T-4\n```");
    for t in doc.tasks() {
        assert!(
            !t.title.contains('â') && !t.title.contains('Ã'),
            "{}",
            t.title
        );
    }
    let t1 = doc.tasks().next().unwrap();
    assert_eq!(&text[t1.status_at.clone().unwrap()], "âœ…");
    assert_eq!(doc.notes.len(), 1);
    assert!(doc.notes[0].starts_with("mojibake"));
}

#[test]
fn checklists_inside_code_fences_are_examples() {
    let doc = read(fixture!("fenced-only.md"), "template");
    assert!(doc.phases.is_empty());
    assert!(doc.findings.is_empty());
    assert_eq!(
        doc.notes,
        vec![
            "4 checklist item(s) inside code fences ignored: examples, not tasks",
            "no tasks recognised: no checklist, task table or front-matter todos",
        ]
    );
}

#[test]
fn crlf_and_bom_keep_offsets_right() {
    let text = fixture!("crlf.md");
    assert!(text.starts_with('\u{feff}') && text.contains("\r\n"));
    let doc = read(text, "cutover");
    let p = &doc.phases[0];
    assert_eq!((p.id.as_str(), p.title.as_str()), ("p6", "Cutover"));
    assert_eq!(
        rows(&doc),
        vec![
            "c-1 | Freeze writes | done |  | 5 | - | ",
            "c-2 | Switch DNS | todo |  | 6 | - | ",
            "c-3 | Announce the cutover | todo |  | 8 | - | ",
            "c-4 | Archive the old cluster | done |  | 9 | - | ",
        ]
    );
    let spans: Vec<&str> = doc
        .tasks()
        .map(|t| &text[t.status_at.clone().unwrap()])
        .collect();
    assert_eq!(spans, vec!["done", "todo", " ", "x"]);
}

#[test]
fn prose_only_says_why_nothing_was_found() {
    let doc = read(fixture!("prose.md"), "retro");
    assert_eq!(
        doc,
        Document {
            phases: vec![],
            findings: vec![],
            notes: vec![
                "no tasks recognised: no checklist, task table or front-matter todos".into()
            ],
        }
    );
}

#[test]
fn several_phases_details_mermaid_and_dependency_tables() {
    let doc = read(fixture!("multi-phase.md"), "migration");
    let ids: Vec<(&str, &str, usize)> = doc
        .phases
        .iter()
        .map(|p| (p.id.as_str(), p.title.as_str(), p.line))
        .collect();
    assert_eq!(ids, vec![("p1", "Foundations", 5), ("p2", "Migration", 21)]);
    assert_eq!(
        rows(&doc),
        vec![
            "F1 | Provision the clusters | todo |  | 9 | - | ",
            "F2 | Set up secrets store | todo | F1 | 10 | - | ",
            "F2.1 | Create the vault namespaces | todo |  | 14 | F2 | ",
            "F2.2 | Migrate CI secrets | doing |  | 15 | F2 | ",
            "p2-1 | Move the read path | todo | F2 | 23 | - | ",
            "p2-2 | Dual-write period (dropped) | cancelled |  | 24 | - | ",
            "p2-3 | Backfill historic data | done | p2-1 | 25 | - | ",
        ]
    );
    let f2 = doc.tasks().nth(1).unwrap();
    assert_eq!(
        f2.body,
        "Owner: ben\nUse the managed vault; no secrets in env files."
    );
    assert_eq!(f2.status_at, None);
    assert!(doc
        .tasks()
        .filter(|t| t.origin == Origin::Checkbox)
        .all(|t| t.can_say_doing));
    assert_eq!(headings(&doc.phases[1]), vec!["Task dependencies", "Notes"]);
    assert_eq!(doc.findings.len(), 1);
    assert_eq!(
        (
            doc.findings[0].id.as_str(),
            doc.findings[0].severity.as_deref(),
            doc.findings[0].title.as_str()
        ),
        ("M1", Some("Medium"), "Read path lacks retries")
    );
    assert!(doc.notes.is_empty(), "{:?}", doc.notes);
}

#[test]
fn derived_ids_do_not_depend_on_the_file_name() {
    let text = "# Cutover\n\n- [ ] Freeze\n- [x] Switch\n";
    let a = read(text, "phase-7-cutover");
    let b = read(text, "");
    assert_eq!(a.phases[0].id, "p7");
    assert_eq!(b.phases[0].id, "plan");
    let ids = |d: &Document| d.tasks().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), vec!["task-1", "task-2"]);
    assert_eq!(ids(&a), ids(&b));
}

#[test]
fn no_fixture_gets_other_task_ids_from_another_file_name() {
    let mixed = "---\nname: n\n---\n- [ ] Before\n## Phase 2: Work\n- [ ] During\n";
    let texts = [
        fixture!("phase-2-data-layer.md"),
        fixture!("tasks-numbered.md"),
        fixture!("frontmatter-todos.md"),
        fixture!("mojibake.md"),
        fixture!("crlf.md"),
        fixture!("multi-phase.md"),
        mixed,
    ];
    let ids = |d: &Document| d.tasks().map(|t| t.id.clone()).collect::<Vec<_>>();
    for text in texts {
        let plain = ids(&read(text, ""));
        for stem in ["phase-2-x", "phase-9", "tasks", "n"] {
            assert_eq!(ids(&read(text, stem)), plain, "{stem}");
        }
    }
    assert_eq!(ids(&read(mixed, "phase-2-x")), vec!["task-1", "p2-1"]);
}

#[test]
fn duplicate_ids_and_dangling_needs_are_explained() {
    let text = "# Phase 1: X\n\n| ID | Task | Depends on |\n|---|---|---|\n| a-1 | One | p9-9 |\n\n- [ ] a-1 Again\n";
    let doc = read(text, "x");
    assert_eq!(
        doc.notes,
        vec![
            "task id `a-1` appears 2 times (lines 5, 7): status changes to it are refused as ambiguous",
            "task `a-1` needs `p9-9`, not defined in this file",
        ]
    );
}
