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
        fixture!("callouts.md"),
        fixture!("callouts-crlf.md"),
        fixture!("goal-checklist.md"),
        fixture!("acceptance-only.md"),
        fixture!("study-links.md"),
        fixture!("obsidian-tasks.md"),
        fixture!("bullets-tabs.md"),
        fixture!("details.md"),
        fixture!("setext.md"),
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

/// Each task as `id | section`, for the files whose sections say where a task sits.
fn sections(doc: &Document) -> Vec<String> {
    doc.tasks()
        .map(|t| format!("{} | {}", t.id, t.section.as_deref().unwrap_or("-")))
        .collect()
}

#[test]
fn blockquotes_and_callouts_hold_tasks_and_quoted_fences_hold_examples() {
    let text = fixture!("callouts.md");
    let doc = read(text, "release");
    assert_eq!(
        rows(&doc),
        vec![
            "task-1 | Cut the release branch | done |  | 8 | - | ",
            "task-2 | Freeze the schema | todo |  | 9 | - | ",
            "task-2.1 | Review the last migration | todo |  | 10 | task-2 | ",
            "task-3 | Nested quote: tag the RC | done |  | 11 | - | ",
            "task-4 | Flip the feature flag | todo |  | 14 | - | ",
            "task-5 | Watch the error rate | doing |  | 15 | - | ",
            "task-6 | Send the press release | cancelled |  | 16 | - | ",
            "task-7 | Write the changelog | todo |  | 24 | - | ",
            "task-8 | Thank the contributors | done |  | 26 | - | ",
            "task-9 | Plain item after the callouts | todo |  | 28 | - | ",
        ]
    );
    assert_eq!(
        sections(&doc),
        vec![
            "task-1 | Before the freeze",
            "task-2 | Before the freeze",
            "task-2.1 | Before the freeze",
            "task-3 | Before the freeze",
            "task-4 | Launch day",
            "task-5 | Launch day",
            "task-6 | Launch day",
            "task-7 | Tip",
            "task-8 | Tip",
            "task-9 | Before the freeze",
        ]
    );
    let marks: Vec<&str> = doc
        .tasks()
        .map(|t| &text[t.status_at.clone().unwrap()])
        .collect();
    assert_eq!(
        marks,
        vec!["x", " ", " ", "x", " ", "/", "-", " ", "x", " "]
    );
    assert_eq!(
        doc.notes,
        vec!["1 checklist item(s) inside code fences ignored: examples, not tasks"]
    );
}

#[test]
fn crlf_callout_keeps_offsets_right() {
    let text = fixture!("callouts-crlf.md");
    assert_eq!(text.matches("\r\n").count(), text.matches('\n').count());
    let doc = read(text, "handover");
    assert_eq!(
        rows(&doc),
        vec![
            "task-1 | Hand over the pager | todo |  | 4 | - | ",
            "task-2 | Update the runbook | done |  | 5 | - | ",
            "task-3 | Nested: revoke the VPN key | todo |  | 7 | - | ",
            "task-4 | Plain item after the quote | todo |  | 9 | - | ",
        ]
    );
    assert_eq!(
        sections(&doc),
        vec![
            "task-1 | Before you leave",
            "task-2 | Before you leave",
            "task-3 | Before you leave",
            "task-4 | -",
        ]
    );
    let marks: Vec<&str> = doc
        .tasks()
        .map(|t| &text[t.status_at.clone().unwrap()])
        .collect();
    assert_eq!(marks, vec![" ", "x", " ", " "]);
    assert!(doc.notes.is_empty(), "{:?}", doc.notes);
}

#[test]
fn a_goal_checklist_is_tasks_and_its_prose_stays_context() {
    let doc = read(fixture!("goal-checklist.md"), "launch");
    let p = &doc.phases[0];
    assert_eq!(
        (p.id.as_str(), p.title.as_str()),
        ("p7", "Launch readiness")
    );
    assert_eq!(
        rows(&doc),
        vec![
            "p7-1 | Error budget above 99.5 % for two weeks | done |  | 8 | - | ",
            "p7-2 | Load test at twice the peak traffic | todo |  | 9 | - | ",
            "p7-2.1 | Record the p95 latency | todo |  | 10 | p7-2 | ",
            "p7-3 | On-call rota covers the launch week | todo |  | 11 | - | ",
        ]
    );
    assert!(doc.tasks().all(|t| t.section.as_deref() == Some("Goal")));
    assert_eq!(
        headings(p),
        vec!["Goal", "Deliverables", "Success Criteria"]
    );
    assert_eq!(
        p.context[0].text,
        "Ship 2.0 to every customer without a pager alert. The checklist below is\nwhat we tick in the weekly review.\n\nOwner: the release captain."
    );
    assert_eq!(
        p.context[1].text,
        "- [ ] Launch announcement\n- [ ] Updated status page"
    );
    assert_eq!(
        doc.notes,
        vec!["2 checklist item(s) under Deliverables kept as phase context, not tasks"]
    );
}

#[test]
fn criteria_are_the_tasks_when_a_file_has_no_others() {
    let doc = read(fixture!("acceptance-only.md"), "rate-limit");
    assert_eq!(
        rows(&doc),
        vec![
            "task-1 | Limits are configurable per API key | done |  | 9 | - | ",
            "task-2 | A 429 response carries a `Retry-After` header | todo |  | 10 | - | ",
            "task-3 | Limits are documented in the API reference | todo |  | 11 | - | ",
        ]
    );
    assert!(doc
        .tasks()
        .all(|t| t.section.as_deref() == Some("Acceptance criteria")));
    assert!(
        doc.phases[0].context.is_empty(),
        "nothing but the tasks was there"
    );
    assert!(doc.notes.is_empty(), "{:?}", doc.notes);
}

#[test]
fn link_titles_show_their_text_and_numbers_inside_links_are_no_ids() {
    let doc = read(fixture!("study-links.md"), "study");
    assert_eq!(
        rows(&doc),
        vec![
            "task-1 | 1. Elementary sorts | done |  | 5 | - | ",
            "task-2 | 2. Bottom up Mergesort | todo |  | 6 | - | ",
            "3 | Quicksort and its 3-way partition | todo |  | 7 | - | ",
            "task-3 | Lecture: priority queues | todo |  | 8 | - | ",
            "task-4 | Slides for week 2 | todo |  | 9 | - | ",
            "4 | **Binary search trees** | todo |  | 13 | - | ",
            "task-5 | Balanced search trees (red-black) | todo |  | 14 | - | ",
        ]
    );
    assert_eq!(
        sections(&doc)[4..],
        [
            "task-4 | Week 1: Sorting",
            "4 | Week 2: Searching",
            "task-5 | Week 2: Searching"
        ]
    );
    assert!(doc.notes.is_empty(), "{:?}", doc.notes);
}

#[test]
fn cancelled_priorities_metadata_and_odd_boxes() {
    let doc = read(fixture!("obsidian-tasks.md"), "q3");
    assert_eq!(
        rows(&doc),
        vec![
            "task-1 | (A) Renew the TLS certificates 📅 2026-09-01 | todo |  | 6 | - | ",
            "task-2 | (B) Rotate the signing key ✅ 2026-08-12 | done |  | 7 | - | ",
            "task-3 | (C) Migrate to the new CDN ❌ 2026-08-20 | cancelled |  | 8 | - | ",
            "guide | Write the upgrade guide | doing |  | 9 | - | ",
            "demo-2 | Record the demo | todo |  | 10 | - | ",
            "notes1 | Publish the release notes 🆔 notes1 ⛔ guide,demo-2 | todo | guide,demo-2 | 11 | - | ",
            "task-4 | [est:2h] | todo |  | 12 | - | ",
        ]
    );
    let body = |id: &str| doc.tasks().find(|t| t.id == id).unwrap().body.clone();
    assert_eq!(body("guide"), "id:guide est:3h");
    assert_eq!(body("demo-2"), "id:: demo-2\nest:: 1h");
    assert_eq!(body("task-4"), "");
    assert_eq!(
        doc.notes,
        vec!["2 list item(s) start with a box that is no checkbox (`[?]`, `[]`…; line 13, 14): not read as tasks; write `[ ]`, `[x]`, `[/]` or `[-]`"]
    );
}

#[test]
fn mixed_bullets_and_tab_indentation_nest() {
    let doc = read(fixture!("bullets-tabs.md"), "rebuild");
    assert_eq!(
        rows(&doc),
        vec![
            "task-1 | Order the parts | todo |  | 3 | - | ",
            "task-1.1 | Case and power supply | done |  | 4 | task-1 | ",
            "task-1.2 | Disks | todo |  | 5 | task-1 | ",
            "task-1.2.1 | Check the SMART data | todo |  | 6 | task-1.2 | ",
            "task-2 | Flash the firmware | done |  | 7 | - | ",
            "task-2.1 | Enable secure boot | todo |  | 8 | task-2 | ",
            "task-3 | Install the OS | todo |  | 9 | - | ",
            "task-3.1 | Partition the disks | todo |  | 10 | task-3 | ",
        ]
    );
    let last = doc.tasks().last().unwrap();
    assert_eq!(last.body, "With LVM, one volume per service.");
    assert!(doc.notes.is_empty(), "{:?}", doc.notes);
}

#[test]
fn checklists_in_details_blocks_are_named_by_their_summary() {
    let doc = read(fixture!("details.md"), "onboarding");
    assert_eq!(
        rows(&doc),
        vec![
            "task-1 | Laptop and badge | done |  | 6 | - | ",
            "task-2 | Accounts: email, chat, VPN | todo |  | 7 | - | ",
            "task-3 | Pair on a bug fix | todo |  | 12 | - | ",
            "task-3.1 | Ship it behind a flag | todo |  | 13 | task-3 | ",
            "task-4 | Present at the team demo | todo |  | 19 | - | ",
            "task-5 | Write a blog post (optional) | todo |  | 23 | - | opt",
            "task-6 | Pick a mentor | todo |  | 25 | - | ",
            "task-7 | Fill in the feedback form | todo |  | 28 | - | ",
        ]
    );
    assert_eq!(
        sections(&doc),
        vec![
            "task-1 | Week 1: accounts",
            "task-2 | Week 1: accounts",
            "task-3 | Week 2: first change",
            "task-3.1 | Week 2: first change",
            "task-4 | Later",
            "task-5 | Extras",
            "task-6 | Later",
            "task-7 | -",
        ]
    );
    assert!(doc.tasks().all(|t| t.body.is_empty()), "markup is no body");
    assert!(doc.notes.is_empty(), "{:?}", doc.notes);
}

#[test]
fn setext_headings_open_phases_and_sections() {
    let doc = read(fixture!("setext.md"), "runbook");
    let phases: Vec<(&str, &str, usize)> = doc
        .phases
        .iter()
        .map(|p| (p.id.as_str(), p.title.as_str(), p.line))
        .collect();
    assert_eq!(phases, vec![("p1", "Prepare", 4), ("p2", "Cut over", 10)]);
    assert_eq!(
        rows(&doc),
        vec![
            "p1-1 | Snapshot the database | done |  | 7 | - | ",
            "p1-2 | Announce the window | todo |  | 8 | - | ",
            "p2-1 | Switch the traffic | todo |  | 16 | - | ",
            "p2-2 | Watch the dashboards | todo |  | 17 | - | ",
            "p2-3 | Roll back if errors pass 1 % | todo |  | 20 | - | ",
            "p2-4 | Close the change ticket | todo |  | 23 | - | ",
        ]
    );
    assert_eq!(
        sections(&doc)[2],
        "p2-1 | Checks",
        "a setext h2 is a section"
    );
    assert_eq!(
        sections(&doc)[5],
        "p2-4 | Checks",
        "`---` under a list item is a rule, not a heading"
    );
}
