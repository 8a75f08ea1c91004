use super::*;

const BASE: &str = r#"# triaged in the Tuesday review
id = "PF-7K3Q9X"
title = "Cache disk I/O failure cascades"
severity = "medium"
status = "open"
blocker = false
created = "2026-11-22T09:00:00Z"
updated = "2026-11-22T09:00:00Z"
revision = 3
ticket = "OPS-12"

[[history]]
at = "2026-11-22T09:00:00Z"
by = "ci"
change = "filed by hand"
"#;

fn with(text: &str, edits: &[(&str, &str)], history: &[(&str, &str, &str)]) -> String {
    let mut doc: DocumentMut = text.parse().unwrap();
    for (key, value) in edits {
        doc[*key] = toml_edit::value(value.parse::<toml_edit::Value>().unwrap());
    }
    let mut out = doc.to_string();
    for (at, by, change) in history {
        out.push_str(&format!(
            "\n[[history]]\nat = \"{at}\"\nby = \"{by}\"\nchange = \"{change}\"\n"
        ));
    }
    out
}

fn files(base: &str, ours: &str, theirs: &str) -> (tempfile::TempDir, [std::path::PathBuf; 3]) {
    let dir = tempfile::tempdir().unwrap();
    let paths = ["base", "ours", "theirs"].map(|n| dir.path().join(n));
    for (path, text) in paths.iter().zip([base, ours, theirs]) {
        std::fs::write(path, text).unwrap();
    }
    (dir, paths)
}

#[test]
fn two_valid_sides_merge_into_ours_keeping_its_layout_and_peoples_keys() {
    let ours = with(
        BASE,
        &[
            ("severity", "\"high\""),
            ("revision", "4"),
            ("updated", "\"2026-11-22T10:00:00Z\""),
        ],
        &[("2026-11-22T10:00:00Z", "ana", "severity: medium → high")],
    );
    let theirs = with(
        &BASE.replace("ticket = \"OPS-12\"\n", "ticket = \"OPS-12\"\nsprint = 7\n"),
        &[
            ("severity", "\"critical\""),
            ("revision", "5"),
            ("owner", "\"bo\""),
        ],
        &[
            ("2026-11-22T10:05:00Z", "bo", "severity: medium → critical"),
            ("2026-11-22T10:06:00Z", "bo", "owner: - → bo"),
        ],
    );
    let (_dir, [b, o, t]) = files(BASE, &ours, &theirs);
    let outcome = merge_files(&b, &o, &t).unwrap();
    assert_eq!(
        outcome,
        Outcome::Merged {
            id: "PF-7K3Q9X".into(),
            decided: 1
        }
    );
    let text = std::fs::read_to_string(&o).unwrap();
    assert!(
        text.starts_with("# triaged in the Tuesday review\n"),
        "{text}"
    );
    assert!(
        text.contains("ticket = \"OPS-12\"") && text.contains("sprint = 7"),
        "{text}"
    );
    let issue: Issue = toml::from_str(&text).unwrap();
    assert_eq!(issue.severity.as_str(), "critical");
    assert_eq!(issue.owner.as_deref(), Some("bo"));
    assert_eq!(issue.revision, 6);
    assert_eq!(issue.history.len(), 5);
    let changes: Vec<&str> = issue.history.iter().map(|h| h.change.as_str()).collect();
    assert_eq!(
        changes,
        [
            "filed by hand",
            "severity: medium → high",
            "severity: medium → critical",
            "merged: ana set severity high, bo set critical → critical",
            "owner: - → bo"
        ],
        "in time order, the decision right after the change that won"
    );
}

#[test]
fn an_empty_base_is_an_add_add() {
    let ours = with(
        BASE,
        &[("owner", "\"ana\"")],
        &[("2026-11-22T10:00:00Z", "ana", "owner: - → ana")],
    );
    let (_dir, [b, o, t]) = files("", &ours, BASE);
    std::fs::remove_file(&b).unwrap();
    assert!(matches!(
        merge_files(&b, &o, &t).unwrap(),
        Outcome::Merged { .. }
    ));
    let issue: Issue = toml::from_str(&std::fs::read_to_string(&o).unwrap()).unwrap();
    assert_eq!(issue.owner.as_deref(), Some("ana"));
}

#[test]
fn a_side_that_is_not_an_issue_falls_back_to_gits_conflict() {
    let theirs = "<<<<<<< not toml\nid = \n";
    let ours = with(BASE, &[("owner", "\"ana\"")], &[]);
    let (_dir, [b, o, t]) = files(BASE, &ours, theirs);
    match merge_files(&b, &o, &t).unwrap() {
        Outcome::Textual { reason, conflicts } => {
            assert!(
                reason.starts_with("theirs is not a valid issue file"),
                "{reason}"
            );
            assert!(conflicts > 0);
        }
        other => panic!("{other:?}"),
    }
    let text = std::fs::read_to_string(&o).unwrap();
    assert!(
        text.contains("<<<<<<< ours") && text.contains(">>>>>>> theirs"),
        "{text}"
    );
}

#[test]
fn oversized_binary_and_clashing_sides_are_not_merged() {
    let huge = "x".repeat(MAX_ISSUE_FILE as usize + 1);
    let (_dir, [b, o, t]) = files(BASE, BASE, &huge);
    match merge_files(&b, &o, &t).unwrap() {
        Outcome::Textual { reason, .. } => assert!(reason.contains("larger than"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let (_dir, [b, o, t]) = files(BASE, &with(BASE, &[("title", "\"x\"")], &[]), "\u{0}\u{ff}");
    std::fs::write(&t, [0xffu8, 0xfe, b'a']).unwrap();
    match merge_files(&b, &o, &t).unwrap() {
        Outcome::Textual { reason, .. } => assert!(reason.contains("UTF-8"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let other = with(BASE, &[("created", "\"2026-11-01T00:00:00Z\"")], &[]);
    assert!(merge_texts("", BASE, &other)
        .unwrap_err()
        .contains("different issues"));
}

#[test]
fn keys_people_removed_on_one_side_stay_removed() {
    let theirs = BASE.replace("ticket = \"OPS-12\"\n", "");
    let ours = with(
        BASE,
        &[("owner", "\"ana\"")],
        &[("2026-11-22T10:00:00Z", "ana", "owner: - → ana")],
    );
    let (text, _, _) = merge_texts(BASE, &ours, &theirs).unwrap();
    assert!(!text.contains("ticket"), "{text}");
    let (text, _, _) = merge_texts(BASE, &theirs, &ours).unwrap();
    assert!(!text.contains("ticket"), "{text}");
}

/// Hostile sides: random cuts, byte flips and junk in otherwise valid files. The merge
/// never panics; what it merges always reads back as an issue.
#[test]
fn mangled_sides_never_panic_and_merged_text_is_always_valid() {
    let ours = with(
        BASE,
        &[("owner", "\"ana\"")],
        &[("2026-11-22T10:00:00Z", "ana", "owner: - → ana")],
    );
    let theirs = with(
        BASE,
        &[("severity", "\"high\"")],
        &[("2026-11-22T10:01:00Z", "bo", "severity: medium → high")],
    );
    let mut rng = fastrand::Rng::with_seed(11);
    let junk = [
        "\u{0}",
        "\u{1b}[2J",
        "\"",
        "[[",
        "]]",
        "=",
        "\n",
        "é",
        "revision = -1\n",
        "[finding]\n",
    ];
    let (mut merged, mut refused) = (0, 0);
    for _ in 0..400 {
        let mut side = if rng.bool() {
            ours.clone()
        } else {
            theirs.clone()
        };
        for _ in 0..rng.usize(1..4) {
            let at = rng.usize(0..=side.len());
            let at = (0..=at)
                .rev()
                .find(|i| side.is_char_boundary(*i))
                .unwrap_or(0);
            match rng.u8(0..3) {
                0 => side.truncate(at),
                1 => side.insert_str(at, junk[rng.usize(0..junk.len())]),
                _ => {
                    let end = (at + rng.usize(0..20)).min(side.len());
                    let end = (end..=side.len())
                        .find(|i| side.is_char_boundary(*i))
                        .unwrap_or(side.len());
                    side.replace_range(at..end, "");
                }
            }
        }
        let other = if rng.bool() { &ours } else { &theirs };
        match merge_texts(BASE, &side, other) {
            Ok((text, _, _)) => {
                toml::from_str::<Issue>(&text).unwrap();
                merged += 1;
            }
            Err(why) => {
                assert!(!why.contains('\n'), "one line: {why}");
                refused += 1;
            }
        }
    }
    assert!(
        merged > 0 && refused > 0,
        "{merged} merged, {refused} refused"
    );
}

#[test]
fn two_branches_baselines_merge_entry_by_entry() {
    let entry = |fp: &str, severity: &str| {
        format!(
            "[[finding]]\ncheck = \"lint\"\nfingerprint = \"{fp}\"\nrule = \"R1\"\nseverity = \"{severity}\"\ntitle = \"t {fp}\"\n\n"
        )
    };
    let header = "# preflight's baseline\n\n";
    let base = format!("{header}{}{}", entry("a", "low"), entry("b", "low"));
    // Ours re-recorded lint: b gone, c new. Theirs raised a and added d.
    let ours = format!("{header}{}{}", entry("a", "low"), entry("c", "low"));
    let theirs = format!(
        "{header}{}{}{}",
        entry("a", "high"),
        entry("b", "low"),
        entry("d", "low")
    );
    let (_dir, [b, o, t]) = files(&base, &ours, &theirs);
    assert_eq!(
        merge_files(&b, &o, &t).unwrap(),
        Outcome::Baseline {
            entries: 3,
            decided: 0
        }
    );
    let merged =
        crate::register::baseline::parse(&std::fs::read_to_string(&o).unwrap(), "o").unwrap();
    let got: Vec<String> = merged
        .entries()
        .map(|e| format!("{} {:?}", e.fingerprint, e.severity))
        .collect();
    assert_eq!(got, ["a High", "c Low", "d Low"]);
    // An issue file beside a baseline is no baseline merge: git's textual one.
    let (_dir, [b, o, t]) = files(&base, &ours, BASE);
    assert!(matches!(
        merge_files(&b, &o, &t).unwrap(),
        Outcome::Textual { .. }
    ));
}
