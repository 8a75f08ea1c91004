//! The sample plans in `../shared/plans/` (real-world shapes from elsewhere, not copied
//! into the project): what a human reader sees in each must be what `read` returns.
//! Skipped, saying so, when the folder is not there. Never writes to those files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may fail loudly

use preflight::domain::plan::TaskStatus::{self, Doing, Done, Todo};
use preflight::markdown::{read, set_status, Document, Origin, SetError};
use std::path::{Path, PathBuf};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/plans");

/// The sample's text and its document, or `None` (with a message) when absent.
fn sample(name: &str) -> Option<(String, Document)> {
    let dir = Path::new(SAMPLES);
    if !dir.is_dir() {
        println!("skipping: ../shared/plans not found");
        return None;
    }
    let path: PathBuf = dir.join(name);
    let text = std::fs::read_to_string(&path).ok()?;
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    let doc = read(&text, &stem);
    Some((text, doc))
}

fn ids(doc: &Document) -> Vec<&str> {
    doc.tasks().map(|t| t.id.as_str()).collect()
}

fn needs<'a>(doc: &'a Document, id: &str) -> Vec<&'a str> {
    let task = doc.tasks().find(|t| t.id == id);
    task.map(|t| t.needs.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn frontmatter_sample_has_its_todos_and_findings() {
    let Some((_, doc)) = sample("plan-frontmatter-style.md") else {
        return;
    };
    let got: Vec<(&str, TaskStatus)> = doc.tasks().map(|t| (t.id.as_str(), t.status)).collect();
    assert_eq!(
        got,
        vec![
            ("inventory", Done),
            ("authz-review", Doing),
            ("dep-pins", Todo),
            ("gates", Todo)
        ]
    );
    assert!(doc.tasks().all(|t| t.origin == Origin::FrontMatter));
    assert_eq!(needs(&doc, "authz-review"), vec!["inventory"]);
    assert_eq!(needs(&doc, "gates"), vec!["dep-pins", "authz-review"]);
    assert_eq!(doc.phases.len(), 1);
    assert_eq!(doc.phases[0].title, "Release hardening");
    let findings: Vec<String> = doc
        .findings
        .iter()
        .map(|f| format!("{} {:?} {:?} {:?}", f.id, f.severity, f.owner, f.status))
        .collect();
    assert_eq!(
        findings,
        vec![
            r#"C1 Some("Critical") Some("dana") Some("Open")"#,
            r#"H1 Some("High") Some("li") Some("In progress")"#,
            r#"M1 Some("Medium") None Some("Open")"#,
        ]
    );
    assert_eq!(
        doc.findings[0].title,
        "Admin routes accept unsigned session cookies"
    );
}

#[test]
fn checkbox_sample_has_four_tasks_two_subtasks_one_optional() {
    let Some((_, doc)) = sample("tasks-checkbox-style.md") else {
        return;
    };
    assert_eq!(ids(&doc), vec!["1", "2", "2.1", "2.2", "3", "4"]);
    let top: Vec<&str> = doc
        .tasks()
        .filter(|t| t.parent.is_none())
        .map(|t| t.id.as_str())
        .collect();
    let subs: Vec<(&str, Option<&str>)> = doc
        .tasks()
        .filter(|t| t.parent.is_some())
        .map(|t| (t.id.as_str(), t.parent.as_deref()))
        .collect();
    assert_eq!(top, vec!["1", "2", "3", "4"]);
    assert_eq!(subs, vec![("2.1", Some("2")), ("2.2", Some("2"))]);
    let optional: Vec<&str> = doc
        .tasks()
        .filter(|t| t.optional)
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(optional, vec!["4"]);
    let done: Vec<&str> = doc
        .tasks()
        .filter(|t| t.status == Done)
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(done, vec!["1", "2.1"]);
    let first = doc.tasks().next().unwrap();
    assert!(
        first.body.contains("_Requirements: 1.1, 1.2_"),
        "{}",
        first.body
    );
    let three = doc.tasks().find(|t| t.id == "3").unwrap();
    assert!(
        three.body.starts_with("Add structured logs"),
        "{}",
        three.body
    );
}

#[test]
fn production_hardening_sample_has_table_tasks_and_column_needs() {
    let Some((text, doc)) = sample("phase-4-production-hardening.md") else {
        return;
    };
    assert_eq!(doc.phases.len(), 1);
    assert_eq!(
        (doc.phases[0].id.as_str(), doc.phases[0].title.as_str()),
        ("p4", "Production Hardening")
    );
    assert_eq!(ids(&doc), vec!["p4-1", "p4-2", "p4-3", "p4-4", "p4-5"]);
    assert!(doc
        .tasks()
        .all(|t| t.origin == Origin::TableRow && t.status == Todo));
    assert_eq!(needs(&doc, "p4-1"), Vec::<&str>::new());
    assert_eq!(needs(&doc, "p4-4"), vec!["p4-1", "p4-2", "p4-3"]);
    assert_eq!(needs(&doc, "p4-5"), vec!["p4-4"]);
    let audit = doc.tasks().next().unwrap();
    assert_eq!(audit.title, "Security audit");
    assert!(audit
        .body
        .contains("**Goal:** Identify and fix security vulnerabilities"));
    let headings: Vec<&str> = doc.phases[0]
        .context
        .iter()
        .map(|c| c.heading.as_str())
        .collect();
    for h in [
        "Prerequisites",
        "Deliverables",
        "Dependency Graph",
        "Success Criteria",
    ] {
        assert!(headings.contains(&h), "{h} in {headings:?}");
    }
    let err = set_status(&text, "p4-1", Done).unwrap_err();
    assert!(
        matches!(err, SetError::Unsupported(_)),
        "no status column to write to"
    );
}

#[test]
fn containerize_sample_has_subphase_checklists_and_no_criteria_tasks() {
    let Some((_, doc)) = sample("phase-4-containerize-and-harden.md") else {
        return;
    };
    assert_eq!(doc.phases.len(), 1);
    assert_eq!(
        (doc.phases[0].id.as_str(), doc.phases[0].title.as_str()),
        ("p4", "Production Hardening")
    );
    let per_section: Vec<(String, usize)> = ["4A", "4B", "4C", "4D", "4E", "4F", "4G", "4H"]
        .iter()
        .map(|s| {
            (
                s.to_string(),
                doc.tasks()
                    .filter(|t| t.id.starts_with(&format!("{s}.")))
                    .count(),
            )
        })
        .collect();
    let counts: Vec<usize> = per_section.iter().map(|(_, n)| *n).collect();
    assert_eq!(counts, vec![3, 3, 3, 4, 3, 3, 3, 4]);
    assert_eq!(doc.tasks().count(), 26);
    assert_eq!(
        doc.tasks().next().unwrap().title,
        "Create `Dockerfile` for agent service"
    );
    assert!(doc
        .tasks()
        .all(|t| t.origin == Origin::Checkbox && t.status == Todo));
    assert!(
        !doc.tasks().any(|t| t.title.contains("docker-compose up")),
        "acceptance criteria are not tasks"
    );
    let headings: Vec<&str> = doc.phases[0]
        .context
        .iter()
        .map(|c| c.heading.as_str())
        .collect();
    assert!(
        headings.contains(&"Acceptance Criteria") && headings.contains(&"Risks"),
        "{headings:?}"
    );
}

#[test]
fn readiness_sample_with_mojibake_has_only_fenced_examples() {
    let Some((_, doc)) = sample("phase-3-production-readiness.md") else {
        return;
    };
    assert_eq!(doc.phases.len(), 1);
    let p = &doc.phases[0];
    assert_eq!(p.id, "p3");
    assert_eq!(
        doc.tasks().count(),
        0,
        "its checklists are inside ```markdown fences"
    );
    assert!(doc
        .notes
        .iter()
        .any(|n| n.starts_with("no tasks recognised")));
    assert!(doc
        .notes
        .iter()
        .any(|n| n.contains("inside code fences ignored")));
    assert!(!p.title.contains('â') && !p.title.contains('ð'));
    for c in &p.context {
        assert!(
            !c.heading.contains('â') && !c.heading.contains('ð'),
            "{}",
            c.heading
        );
        assert!(!c.text.contains("âœ…"), "{}", c.heading);
    }
    let criteria = p
        .context
        .iter()
        .find(|c| c.heading.contains("SUCCESS CRITERIA"))
        .unwrap();
    assert!(criteria.heading.starts_with('📊'));
    assert!(criteria.text.contains("✅ OWASP Top 10 addressed"));
}

/// Every sample: every writable task goes todo → done → todo (or back to what it was)
/// in memory, and the files on disk are untouched.
#[test]
fn every_sample_round_trips_in_memory_and_stays_untouched() {
    let dir = Path::new(SAMPLES);
    let Ok(entries) = std::fs::read_dir(dir) else {
        println!("skipping: ../shared/plans not found");
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let before = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&before).into_owned();
        for t in read(&text, "").tasks() {
            let other = if t.status == Done { Todo } else { Done };
            let Ok(changed) = set_status(&text, &t.id, other) else {
                continue;
            };
            assert_ne!(changed, text, "{}: {}", path.display(), t.id);
            assert_eq!(
                set_status(&changed, &t.id, t.status).unwrap(),
                text,
                "{}: {}",
                path.display(),
                t.id
            );
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "{} must not change",
            path.display()
        );
    }
}
