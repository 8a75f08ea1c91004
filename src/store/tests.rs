use super::*;
use crate::domain::finding::Severity;
use crate::domain::issue::{Note, Status};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(
        dir.path().join("issues"),
        dir.path().join("state/register.lock"),
    );
    (dir, store)
}

fn actor() -> Actor {
    actor_named("ana".into())
}

fn issue(id: &str) -> Issue {
    let at = Actor {
        by: "ana".into(),
        at: "2026-11-22T10:00:00Z".into(),
        today: "2026-11-22".into(),
    };
    Issue::new(
        id.into(),
        "Cache disk I/O failure cascades".into(),
        Severity::High,
        Status::New,
        &at,
    )
}

fn create(store: &Store, id: &str) -> Issue {
    let lock = store.lock().unwrap();
    let mut i = issue(id);
    store.create(&lock, &mut i).unwrap();
    i
}

#[test]
fn created_issues_load_back() {
    let (_dir, store) = store();
    let created = create(&store, "PF-AAAAAA");
    assert_eq!(created.revision, 1);
    let loaded = store.load();
    assert!(loaded.errors.is_empty());
    assert_eq!(loaded.issues, vec![created]);
}

#[test]
fn an_id_taken_meanwhile_gets_a_fresh_one() {
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    let again = create(&store, "PF-AAAAAA");
    assert_ne!(again.id, "PF-AAAAAA");
    assert!(again.id.starts_with("PF-") && again.id.len() == 9);
    assert_eq!(store.load().issues.len(), 2);
}

#[test]
fn updates_bump_the_revision_and_stale_writes_are_refused() {
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    let one = store
        .update("PF-AAAAAA", Some(1), &actor(), |i, _| {
            i.owner = Some("sam".into());
            Ok(())
        })
        .unwrap();
    assert_eq!(one.revision, 2);
    let stale = store.update("PF-AAAAAA", Some(1), &actor(), |i, _| {
        i.owner = Some("kim".into());
        Ok(())
    });
    let err = stale.unwrap_err();
    assert_eq!(
        err,
        WriteError::Stale {
            id: "PF-AAAAAA".into(),
            base: 1,
            current: 2
        }
    );
    assert!(err
        .to_string()
        .contains("revision 2, this change was based on 1"));
    assert_eq!(
        store.read("PF-AAAAAA").unwrap().owner.as_deref(),
        Some("sam")
    );
}

#[test]
fn an_unchanged_update_writes_nothing() {
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    let before = std::fs::read_to_string(store.path_of("PF-AAAAAA")).unwrap();
    let same = store
        .update("PF-AAAAAA", None, &actor(), |_, _| Ok(()))
        .unwrap();
    assert_eq!(same.revision, 1);
    assert_eq!(
        std::fs::read_to_string(store.path_of("PF-AAAAAA")).unwrap(),
        before
    );
}

#[test]
fn a_refused_change_writes_nothing() {
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    let err = store
        .update("PF-AAAAAA", None, &actor(), |i, _| {
            i.owner = Some("x".into());
            Err("no".into())
        })
        .unwrap_err();
    assert_eq!(err, WriteError::Invalid("no".into()));
    assert_eq!(store.read("PF-AAAAAA").unwrap().owner, None);
}

#[test]
fn comments_and_unknown_keys_people_add_survive_a_rewrite() {
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    let path = store.path_of("PF-AAAAAA");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited =
        format!("# reviewed in the Tuesday triage\n{text}jira = \"OPS-12\" # keep in sync\n")
            .replace(
                "severity = \"high\"",
                "severity = \"high\"   # was critical",
            );
    std::fs::write(&path, &edited).unwrap();
    store
        .update("PF-AAAAAA", None, &actor(), |i, a| {
            i.status = Status::Open;
            i.log(&a.at, &a.by, "status: new → open");
            Ok(())
        })
        .unwrap();
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(
        after.starts_with("# reviewed in the Tuesday triage\n"),
        "{after}"
    );
    assert!(
        after.contains("jira = \"OPS-12\" # keep in sync"),
        "{after}"
    );
    assert!(
        after.contains("severity = \"high\"   # was critical"),
        "{after}"
    );
    assert!(after.contains("status = \"open\""), "{after}");
    assert!(after.contains("[[history]]"), "{after}");
}

#[test]
fn history_and_notes_are_append_only() {
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    for text in ["first", "second"] {
        store
            .update("PF-AAAAAA", None, &actor(), |i, a| {
                i.notes.push(Note {
                    at: a.at.clone(),
                    by: a.by.clone(),
                    text: text.into(),
                });
                Ok(())
            })
            .unwrap();
    }
    let path = store.path_of("PF-AAAAAA");
    let text = std::fs::read_to_string(&path).unwrap();
    // An entry edited by hand is kept as written.
    std::fs::write(
        &path,
        text.replace("text = \"first\"", "text = \"first (amended)\""),
    )
    .unwrap();
    store
        .update("PF-AAAAAA", None, &actor(), |i, a| {
            i.notes.push(Note {
                at: a.at.clone(),
                by: a.by.clone(),
                text: "third".into(),
            });
            Ok(())
        })
        .unwrap();
    let notes: Vec<String> = store
        .read("PF-AAAAAA")
        .unwrap()
        .notes
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(notes, ["first (amended)", "second", "third"]);
}

#[test]
fn a_malformed_file_is_reported_left_alone_and_the_rest_loads() {
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    let broken = store.dir().join("PF-BBBBBB.toml");
    std::fs::write(
        &broken,
        "id = \"PF-BBBBBB\"\ntitle = \"x\nseverity = \"high\"\n",
    )
    .unwrap();
    let misnamed = store.dir().join("PF-CCCCCC.toml");
    std::fs::write(
        &misnamed,
        std::fs::read_to_string(store.path_of("PF-AAAAAA")).unwrap(),
    )
    .unwrap();
    let loaded = store.load();
    assert_eq!(loaded.issues.len(), 1);
    assert_eq!(loaded.errors.len(), 2);
    assert!(
        loaded.errors[0].contains("PF-BBBBBB.toml:2:"),
        "{:?}",
        loaded.errors
    );
    assert!(
        loaded.errors[1].contains("must be named after its id"),
        "{:?}",
        loaded.errors
    );
    let err = store
        .update("PF-BBBBBB", None, &actor(), |_, _| Ok(()))
        .unwrap_err();
    assert!(matches!(err, WriteError::Malformed(_)));
    assert!(std::fs::read_to_string(&broken)
        .unwrap()
        .contains("title = \"x\n"));
}

#[test]
fn temporary_and_hidden_files_are_not_issues() {
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    std::fs::write(store.dir().join(".PF-AAAAAA.toml.123.tmp"), "garbage").unwrap();
    std::fs::write(store.dir().join("README.md"), "# register").unwrap();
    let loaded = store.load();
    assert_eq!((loaded.issues.len(), loaded.errors.len()), (1, 0));
}

#[test]
fn concurrent_writers_lose_no_update() {
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    let writers = 4;
    let per_writer = 25;
    std::thread::scope(|scope| {
        for w in 0..writers {
            let store = store.clone();
            scope.spawn(move || {
                for n in 0..per_writer {
                    // Read, then write based on what was read; on a conflict, re-read.
                    loop {
                        let seen = store.read("PF-AAAAAA").unwrap();
                        let result =
                            store.update("PF-AAAAAA", Some(seen.revision), &actor(), |i, a| {
                                i.notes.push(Note {
                                    at: a.at.clone(),
                                    by: format!("w{w}"),
                                    text: format!("{w}-{n}"),
                                });
                                Ok(())
                            });
                        match result {
                            Ok(_) => break,
                            Err(WriteError::Stale { .. }) => continue,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
            });
        }
    });
    let issue = store.read("PF-AAAAAA").unwrap();
    assert_eq!(issue.notes.len(), writers * per_writer);
    assert_eq!(issue.revision, 1 + (writers * per_writer) as u64);
}

#[test]
fn restore_puts_fields_back_keeps_history_and_refuses_stale_bases() {
    let (_dir, store) = store();
    let created = create(&store, "PF-AAAAAA");
    let changed = store
        .update("PF-AAAAAA", Some(1), &actor(), |i, a| {
            i.severity = Severity::Critical;
            i.log(&a.at, &a.by, "severity: high → critical");
            Ok(())
        })
        .unwrap();
    assert_eq!(changed.revision, 2);
    let stale = store.restore(&created, 1, &actor()).unwrap_err();
    assert!(matches!(
        stale,
        WriteError::Stale {
            base: 1,
            current: 2,
            ..
        }
    ));
    let restored = store.restore(&created, 2, &actor()).unwrap();
    assert_eq!(restored.severity, Severity::High);
    assert_eq!(restored.revision, 3);
    let history: Vec<&str> = restored.history.iter().map(|h| h.change.as_str()).collect();
    assert_eq!(
        history,
        [
            "severity: high → critical",
            "undo: the last change was reverted"
        ]
    );
    assert_eq!(store.read("PF-AAAAAA").unwrap(), restored);
}

#[test]
fn a_patient_store_refuses_a_held_lock_instead_of_waiting_it_out() {
    let (_dir, store) = store();
    let mut first = issue("PF-AAAAAA");
    store.create(&store.lock().unwrap(), &mut first).unwrap();
    let patient = store
        .clone()
        .with_patience(std::time::Duration::from_millis(50));
    let held = store.lock().unwrap();
    let started = std::time::Instant::now();
    let err = patient
        .update("PF-AAAAAA", Some(1), &actor(), |i, _| {
            i.owner = Some("sam".into());
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, WriteError::Busy { .. }), "{err}");
    assert!(
        err.to_string().contains("locked by another writer"),
        "{err}"
    );
    // It waited about its patience, not for the holder.
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(
        store.read("PF-AAAAAA").unwrap().owner,
        None,
        "nothing written"
    );
    drop(held);
    let written = patient
        .update("PF-AAAAAA", Some(1), &actor(), |i, _| {
            i.owner = Some("sam".into());
            Ok(())
        })
        .unwrap();
    assert_eq!(written.owner.as_deref(), Some("sam"));
}

#[test]
fn finding_ids_are_derived_the_same_everywhere_and_step_past_taken_ones() {
    let (_d1, one) = store();
    let (_d2, two) = store();
    let id = one.finding_id("clippy", "9c1e0f7a52b3d846");
    assert_eq!(
        id,
        two.finding_id("clippy", "9c1e0f7a52b3d846"),
        "same in every clone"
    );
    assert!(
        id.starts_with(ID_PREFIX) && id.len() == ID_PREFIX.len() + ID_LEN,
        "{id}"
    );
    assert!(id[ID_PREFIX.len()..]
        .bytes()
        .all(|b| ID_ALPHABET.contains(&b)));
    assert_ne!(id, one.finding_id("clippy", "9c1e0f7a52b3d847"));
    assert_ne!(id, one.finding_id("ruff", "9c1e0f7a52b3d846"));
    create(&one, &id);
    let next = one.finding_id("clippy", "9c1e0f7a52b3d846");
    assert_ne!(next, id, "a taken id moves on to the next derivation");
    assert_eq!(next, derived_id("clippy", "9c1e0f7a52b3d846", 1));
}

// ---- a hostile register -------------------------------------------------------------

/// A repository whose committed `.preflight/issues` is a symlink to a folder outside.
fn repo_with_register_link() -> (tempfile::TempDir, tempfile::TempDir, Store) {
    let repo = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join(".preflight")).unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join(".preflight/issues")).unwrap();
    std::fs::write(outside.path().join(".old.tmp"), "someone's file").unwrap();
    let store = Store {
        root: repo.path().to_path_buf(),
        dir: repo.path().join(REGISTER_DIR),
        lock_path: repo.path().join(".git/preflight/register.lock"),
        patience: None,
    };
    (repo, outside, store)
}

#[test]
fn a_register_folder_leading_outside_the_repository_is_refused() {
    let (_repo, outside, store) = repo_with_register_link();
    let err = store.lock().err().expect("the lock is refused");
    assert!(
        err.to_string().contains("leads outside the repository"),
        "{err}"
    );
    // Nothing was written there, and nothing cleaned: the outside file is still there.
    assert!(outside.path().join(".old.tmp").exists());
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
    let loaded = store.load();
    assert!(loaded.issues.is_empty());
    assert!(loaded.errors[0].contains("leads outside the repository"));
    assert!(matches!(store.read("PF-AAAAAA"), Err(WriteError::Io(_))));
}

#[test]
fn a_symlinked_issue_file_is_refused() {
    let (dir, store) = store();
    create(&store, "PF-AAAAAA");
    let target = dir.path().join("elsewhere.toml");
    std::fs::copy(store.path_of("PF-AAAAAA"), &target).unwrap();
    let text = std::fs::read_to_string(&target).unwrap();
    std::fs::write(&target, text.replace("PF-AAAAAA", "PF-BBBBBB")).unwrap();
    std::os::unix::fs::symlink(&target, store.path_of("PF-BBBBBB")).unwrap();
    let loaded = store.load();
    assert_eq!(loaded.issues.len(), 1);
    assert_eq!(loaded.errors.len(), 1);
    assert!(
        loaded.errors[0].contains("symbolic link: refused"),
        "{loaded:?}"
    );
    let err = store.read("PF-BBBBBB").unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    let change = store.update("PF-BBBBBB", None, &actor(), |i, _| {
        i.owner = Some("mallory".into());
        Ok(())
    });
    assert!(change.is_err());
    assert!(!std::fs::read_to_string(&target)
        .unwrap()
        .contains("mallory"));
}

#[test]
fn ids_that_could_name_a_path_are_refused_before_any_file_is_opened() {
    let (_dir, store) = store();
    for bad in [
        "PF-A/../../../X",
        "PF-..",
        "PF-",
        "pf-aaaaaa",
        "PF-AAA AAA",
        "PF-\u{1b}[2J",
        "../PF-AAAAAA",
    ] {
        assert!(!is_valid_id(bad), "{bad:?}");
        let err = store.read(bad).unwrap_err();
        assert!(
            matches!(&err, WriteError::Invalid(m) if m.contains("is not an issue id")),
            "{bad:?}: {err}"
        );
        assert!(crate::text::sanitize::is_clean_line(&err.to_string()));
    }
    assert!(is_valid_id("PF-7K3Q9X") && is_valid_id("PF-RISK01"));
}

#[test]
fn fifos_and_sockets_named_like_issues_are_skipped_unopened() {
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    let fifo = store.path_of("PF-FIFO01");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(store.path_of("PF-SOCK01")).unwrap();
    // `load` would block forever on opening the FIFO: it returns at once instead.
    let loaded = store.load();
    assert_eq!(loaded.issues.len(), 1);
    assert_eq!(loaded.errors.len(), 2, "{:?}", loaded.errors);
    assert!(loaded.errors.iter().any(|e| e.contains("is a FIFO")));
    assert!(loaded.errors.iter().any(|e| e.contains("is a socket")));
    assert!(store.read("PF-FIFO01").is_err());
}

#[test]
fn a_huge_issue_file_is_refused_not_read() {
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    let path = store.path_of("PF-AAAAAA");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("# {}\n", "x".repeat(MAX_ISSUE_FILE as usize)));
    std::fs::write(&path, text).unwrap();
    let err = store.read("PF-AAAAAA").unwrap_err();
    assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
}

#[test]
fn rewrites_keep_the_mode_and_read_only_files_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, store) = store();
    create(&store, "PF-AAAAAA");
    let path = store.path_of("PF-AAAAAA");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    store
        .update("PF-AAAAAA", None, &actor(), |i, _| {
            i.owner = Some("sam".into());
            Ok(())
        })
        .unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "0640 stays 0640");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = store
        .update("PF-AAAAAA", None, &actor(), |i, _| {
            i.owner = Some("kim".into());
            Ok(())
        })
        .unwrap_err();
    assert!(err.to_string().contains("is read-only"), "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "not silently replaced"
    );
}
