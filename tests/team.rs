//! The register across clones: real git (a bare remote and clones), the real merge
//! driver (`preflight merge-file`, wired by `preflight init --merge-driver`), real
//! `git merge`, `git rebase` and `git pull` both ways.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use preflight::domain::finding::{Finding, Severity};
use preflight::domain::issue::{reconcile, Actor, DismissReason, Issue, RunFacts, Status};
use preflight::domain::triage::{self, Edit};
use preflight::repo::Repo;
use preflight::store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A bare remote and its clones, with git isolated from the machine's own config.
struct Team {
    _dir: tempfile::TempDir,
    home: PathBuf,
    remote: PathBuf,
    clones: Vec<PathBuf>,
}

impl Team {
    /// A remote seeded by `seed` (run in a first clone, then committed and pushed), and
    /// `n` clones of it, each wired with the driver.
    fn new(n: usize, seed: impl FnOnce(&Path)) -> Team {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Seed\n\temail = seed@example.com\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n",
        )
        .unwrap();
        let remote = dir.path().join("remote.git");
        let mut team = Team {
            _dir: dir,
            home,
            remote,
            clones: Vec::new(),
        };
        team.git_in(
            team.home.as_path(),
            &["init", "-q", "--bare", team.remote.to_str().unwrap()],
        );
        let first = team.clone_as("seed");
        team.preflight(&first, &["init", "--merge-driver"]);
        seed(&first);
        team.commit(&first, "seed");
        team.ok(&first, &["push", "-q", "origin", "HEAD:main"]);
        for i in 0..n {
            let clone = team.clone_as(&format!("c{i}"));
            team.preflight(&clone, &["init", "--merge-driver"]);
            team.clones.push(clone);
        }
        team
    }

    fn clone_as(&self, name: &str) -> PathBuf {
        let path = self.remote.parent().unwrap().join(name);
        self.git_in(
            self.remote.parent().unwrap(),
            &["clone", "-q", self.remote.to_str().unwrap(), name],
        );
        self.ok(&path, &["config", "user.name", name]);
        self.ok(
            &path,
            &["config", "user.email", &format!("{name}@example.com")],
        );
        path
    }

    fn command(&self, program: &str, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(dir)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_STATE_HOME", self.home.join("state"))
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("PREFLIGHT_TRUST");
        cmd
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Output {
        self.command("git", dir).args(args).output().unwrap()
    }

    fn git_in(&self, dir: &Path, args: &[&str]) {
        let out = self.git(dir, args);
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    }

    fn ok(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git(dir, args);
        assert!(
            out.status.success(),
            "git {args:?} in {}: {}{}",
            dir.display(),
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    fn preflight_any(&self, dir: &Path, args: &[&str]) -> Output {
        self.command(env!("CARGO_BIN_EXE_preflight"), dir)
            .arg("--repo")
            .arg(dir)
            .args(args)
            .output()
            .unwrap()
    }

    fn preflight(&self, dir: &Path, args: &[&str]) -> Output {
        let out = self.preflight_any(dir, args);
        assert!(
            out.status.success(),
            "preflight {args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        out
    }

    /// Commit everything; false when there was nothing to commit.
    fn commit(&self, dir: &Path, message: &str) -> bool {
        self.ok(dir, &["add", "-A"]);
        if self
            .git(dir, &["diff", "--cached", "--quiet"])
            .status
            .success()
        {
            return false;
        }
        self.ok(dir, &["commit", "-q", "--no-verify", "-m", message]);
        true
    }

    /// Paths git left unmerged (conflicts for a person).
    fn unmerged(&self, dir: &Path) -> Vec<String> {
        self.ok(dir, &["diff", "--name-only", "--diff-filter=U"])
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Pull (rebase or merge), then push; retried while someone else pushed first.
    /// Returns the conflicts met (the pull is aborted when there are any).
    fn sync(&self, dir: &Path, rebase: bool) -> Vec<String> {
        for _ in 0..20 {
            let pull = if rebase {
                self.git(dir, &["pull", "-q", "--rebase", "origin", "main"])
            } else {
                self.git(
                    dir,
                    &["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"],
                )
            };
            if !pull.status.success() {
                let mut conflicts = self.unmerged(dir);
                if conflicts.is_empty() {
                    conflicts.push(format!("pull failed: {}", text(&pull.stderr)));
                }
                let _ = self.git(dir, &["rebase", "--abort"]);
                let _ = self.git(dir, &["merge", "--abort"]);
                return conflicts;
            }
            if self
                .git(dir, &["push", "-q", "origin", "HEAD:main"])
                .status
                .success()
            {
                return Vec::new();
            }
        }
        panic!("could not push from {} in 20 tries", dir.display());
    }

    fn head(&self, dir: &Path) -> String {
        self.ok(dir, &["rev-parse", "HEAD"]).trim().to_string()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn store(dir: &Path) -> Store {
    Store::new(&Repo::discover(dir).unwrap())
}

/// An actor at `step` seconds into the simulated day: the clock every clone shares.
fn actor(by: &str, step: u64) -> Actor {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_392_000 + step);
    let at = humantime::format_rfc3339_seconds(at).to_string();
    let today = at[..10].to_string();
    Actor {
        by: by.into(),
        at,
        today,
    }
}

fn seed_issue(store: &Store, id: &str, title: &str, step: u64) {
    let who = actor("seed", step);
    let mut issue = Issue::new(
        id.into(),
        title.into(),
        Severity::Medium,
        Status::Open,
        &who,
    );
    issue.log(&who.at, &who.by, "filed by hand");
    let lock = store.lock().unwrap();
    store.create(&lock, &mut issue).unwrap();
}

fn edit(store: &Store, id: &str, who: &Actor, edit: Edit) {
    store
        .update(id, None, who, |issue, actor| {
            triage::apply(issue, &edit, actor);
            Ok(())
        })
        .unwrap();
}

fn note(store: &Store, id: &str, who: &Actor, text: &str) {
    store
        .update(id, None, who, |issue, actor| {
            triage::add_note(issue, text, actor)
        })
        .unwrap();
}

/// File one finding as `check` would: reconcile, the id derived from the fingerprint.
fn file_finding(store: &Store, fingerprint: &str, who: &Actor, commit: &str) {
    let lock = store.lock().unwrap();
    let loaded = store.load();
    let mut finding = Finding::new("B301", Severity::High, format!("pickle load {fingerprint}"))
        .at("app/data.py", Some(12));
    finding.fingerprint = fingerprint.into();
    let map = BTreeMap::new();
    let facts = RunFacts {
        check: "bandit",
        judged: false,
        commit,
        severity_map: &map,
    };
    let out = reconcile(&loaded.issues, &facts, &[finding], who, &mut String::new);
    for mut issue in out.created {
        issue.id = store.finding_id("bandit", fingerprint);
        store.create(&lock, &mut issue).unwrap();
    }
}

fn severity_of(dir: &Path, id: &str) -> Issue {
    store(dir).read(id).unwrap()
}

#[test]
fn git_merge_and_git_rebase_run_through_the_driver() {
    let team = Team::new(2, |dir| {
        seed_issue(
            &store(dir),
            "PF-7K3Q9X",
            "Cache disk I/O failure cascades",
            0,
        );
    });
    let attributes = std::fs::read_to_string(team.clones[0].join(".gitattributes")).unwrap();
    assert!(
        attributes.contains(".preflight/issues/*.toml merge=preflight"),
        "{attributes}"
    );
    let (a, b) = (&team.clones[0], &team.clones[1]);

    // Both raise the severity and add a note; b is later.
    edit(
        &store(a),
        "PF-7K3Q9X",
        &actor("ana", 10),
        Edit::Severity(Severity::High),
    );
    note(&store(a), "PF-7K3Q9X", &actor("ana", 11), "seen on staging");
    team.commit(a, "ana triages");
    edit(
        &store(b),
        "PF-7K3Q9X",
        &actor("bo", 20),
        Edit::Severity(Severity::Critical),
    );
    note(&store(b), "PF-7K3Q9X", &actor("bo", 21), "customer hit it");
    edit(
        &store(b),
        "PF-7K3Q9X",
        &actor("bo", 22),
        Edit::Owner(Some("bo".into())),
    );
    team.commit(b, "bo triages");
    team.ok(b, &["push", "-q", "origin", "HEAD:main"]);

    // git merge
    team.ok(a, &["fetch", "-q", "origin"]);
    let merge = team.git(a, &["merge", "--no-edit", "origin/main"]);
    assert!(merge.status.success(), "{}", text(&merge.stderr));
    let merged = severity_of(a, "PF-7K3Q9X");
    assert_eq!(merged.severity, Severity::Critical);
    assert_eq!(merged.owner.as_deref(), Some("bo"));
    let notes: Vec<&str> = merged.notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(notes, ["seen on staging", "customer hit it"]);
    assert!(merged
        .history
        .iter()
        .any(|h| h.change == "merged: ana set severity high, bo set critical → critical"));
    assert_eq!(merged.revision, 5, "past both (3 and 4)");

    // git rebase: the same edits replayed on top of the other side agree.
    team.ok(a, &["reset", "-q", "--hard", "HEAD^1"]);
    let rebase = team.git(a, &["rebase", "origin/main"]);
    assert!(rebase.status.success(), "{}", text(&rebase.stderr));
    let rebased = severity_of(a, "PF-7K3Q9X");
    assert_eq!(rebased.severity, Severity::Critical);
    assert_eq!(rebased.notes, merged.notes);
    assert_eq!(rebased.history, merged.history);
    assert!(team.unmerged(a).is_empty());
}

/// A baseline file with one `lint` entry per fingerprint.
fn baseline_text(fingerprints: &[&str]) -> String {
    let mut text = String::from("# preflight's baseline\n\n");
    for fp in fingerprints {
        text.push_str(&format!(
            "[[finding]]\ncheck = \"lint\"\nfingerprint = \"{fp}\"\nrule = \"R1\"\nseverity = \"low\"\ntitle = \"finding {fp}\"\n\n"
        ));
    }
    text
}

#[test]
fn baselines_recorded_on_two_branches_merge_without_conflict() {
    let team = Team::new(2, |dir| {
        std::fs::create_dir_all(dir.join(".preflight")).unwrap();
        std::fs::write(
            dir.join(".preflight/baseline.toml"),
            baseline_text(&["f1", "f3", "f5"]),
        )
        .unwrap();
    });
    let (a, b) = (&team.clones[0], &team.clones[1]);
    // a's review drops f5 and records f2; b records f25 (where a wrote f2: git's line
    // merge conflicts there) and f6.
    std::fs::write(
        a.join(".preflight/baseline.toml"),
        baseline_text(&["f1", "f2", "f3"]),
    )
    .unwrap();
    team.commit(a, "ana re-records the baseline");
    team.ok(a, &["push", "-q", "origin", "HEAD:main"]);
    std::fs::write(
        b.join(".preflight/baseline.toml"),
        baseline_text(&["f1", "f25", "f3", "f5", "f6"]),
    )
    .unwrap();
    team.commit(b, "bo records two more");
    team.ok(b, &["fetch", "-q", "origin"]);
    let merge = team.git(b, &["merge", "--no-edit", "origin/main"]);
    assert!(merge.status.success(), "{}", text(&merge.stderr));
    let merged = std::fs::read_to_string(b.join(".preflight/baseline.toml")).unwrap();
    let fingerprints: Vec<&str> = merged
        .lines()
        .filter_map(|l| l.strip_prefix("fingerprint = \""))
        .map(|l| l.trim_end_matches('"'))
        .collect();
    assert_eq!(fingerprints, ["f1", "f2", "f25", "f3", "f6"], "{merged}");
    assert!(team.unmerged(b).is_empty());
}

#[test]
fn the_same_finding_filed_in_two_clones_is_one_open_issue_after_the_merge() {
    let config = r#"
[[check]]
id = "bandit"
run = "echo 'app/data.py:12: B301 pickle load of untrusted data'"
format = "lines"
pattern = '^(?P<path>[^:]+):(?P<line>\d+): (?P<rule>\w+) (?P<message>.*)$'
"#;
    let team = Team::new(2, |dir| {
        std::fs::write(dir.join("preflight.toml"), config).unwrap();
        std::fs::create_dir_all(dir.join("app")).unwrap();
        std::fs::write(dir.join("app/data.py"), "import pickle\n".repeat(20)).unwrap();
    });
    for (i, clone) in team.clones.iter().enumerate() {
        let out = team.preflight_any(clone, &["check", "--trust", "--json"]);
        assert_eq!(out.status.code(), Some(1), "the check fails on its finding");
        if i == 1 {
            edit(
                &store(clone),
                &store(clone).load().issues[0].id,
                &actor("bo", 5),
                Edit::Owner(Some("bo".into())),
            );
        }
        team.commit(clone, "checked");
    }
    let ids: Vec<String> = team
        .clones
        .iter()
        .map(|c| store(c).load().issues[0].id.clone())
        .collect();
    assert_eq!(ids[0], ids[1], "the id is derived from the finding");
    assert!(team.sync(&team.clones[0], false).is_empty());
    assert!(
        team.sync(&team.clones[1], false).is_empty(),
        "an add/add the driver merges"
    );
    let loaded = store(&team.clones[1]).load();
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let open: Vec<&Issue> = loaded
        .issues
        .iter()
        .filter(|i| i.status.is_open())
        .collect();
    assert_eq!(open.len(), 1, "one finding, one issue");
    assert_eq!(open[0].owner.as_deref(), Some("bo"));
    let filed = open[0]
        .history
        .iter()
        .filter(|h| h.change.starts_with("filed by bandit"))
        .count();
    assert_eq!(filed, 2, "both filings are in its history");
}

#[test]
fn a_clone_without_the_driver_is_told_once_how_to_wire_it() {
    let team = Team::new(1, |_| {});
    let fresh = team.clone_as("newcomer");
    let out = team.preflight(&fresh, &["report"]);
    let err = text(&out.stderr);
    assert!(err.contains("preflight init --merge-driver"), "{err}");
    let again = text(&team.preflight(&fresh, &["report"]).stderr);
    assert!(!again.contains("merge driver"), "told once: {again}");
    let wired = team.preflight(&fresh, &["init", "--merge-driver"]);
    assert!(
        text(&wired.stdout).contains("merge.preflight.driver"),
        "{}",
        text(&wired.stdout)
    );
}

// ---- the simulation ------------------------------------------------------------------

/// What the simulation asks of the team.
struct Plan {
    seed: u64,
    clones: usize,
    actions: usize,
    shared: usize,
    /// Findings every clone may discover (the same fingerprints everywhere).
    findings: usize,
}

/// What it measured.
#[derive(Debug, Default)]
struct Figures {
    syncs: usize,
    rebases: usize,
    conflicts: Vec<String>,
    notes_written: usize,
    commits: usize,
    /// Merge commits in the final history (rebased work leaves none).
    merge_commits: usize,
    /// Fields both sides had changed differently, decided by the driver.
    decisions: usize,
}

/// Random triage in every clone, random pulls (rebase and merge) and pushes, then a
/// final round of syncs: every note kept, every file valid, every clone identical.
#[expect(
    clippy::too_many_lines,
    reason = "one story: set-up, random rounds, final syncs, then every invariant checked"
)]
fn simulate(plan: &Plan) -> Figures {
    let shared = plan.shared;
    let team = Team::new(plan.clones, |dir| {
        let st = store(dir);
        for n in 0..shared {
            seed_issue(&st, &format!("PF-S{n:05}"), &format!("Shared issue {n}"), 0);
        }
    });
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    let mut figures = Figures::default();
    let mut notes: BTreeSet<String> = BTreeSet::new();
    let mut own: Vec<Vec<String>> = vec![Vec::new(); plan.clones];
    let mut done = vec![0usize; plan.clones];
    let mut step = 100u64;
    while done.iter().any(|d| *d < plan.actions) {
        let c = rng.usize(0..plan.clones);
        if done[c] >= plan.actions {
            continue;
        }
        step += 1;
        let dir = &team.clones[c];
        let who = actor(&format!("c{c}"), step);
        if rng.u8(0..100) < 20 {
            let rebase = rng.bool();
            figures.rebases += usize::from(rebase);
            figures.syncs += 1;
            figures.conflicts.extend(team.sync(dir, rebase));
            continue;
        }
        done[c] += 1;
        let st = store(dir);
        let pick = |rng: &mut fastrand::Rng| -> String {
            if !own[c].is_empty() && rng.u8(0..4) == 0 {
                own[c][rng.usize(0..own[c].len())].clone()
            } else {
                format!("PF-S{:05}", rng.usize(0..shared))
            }
        };
        let id = pick(&mut rng);
        match rng.u8(0..100) {
            0..=14 => edit(
                &st,
                &id,
                &who,
                Edit::Severity(Severity::ALL[rng.usize(0..5)]),
            ),
            15..=29 => {
                let status = [Status::Open, Status::InProgress, Status::Fixed][rng.usize(0..3)];
                edit(&st, &id, &who, Edit::Status(status));
            }
            30..=41 => edit(
                &st,
                &id,
                &who,
                Edit::Owner(Some(format!("c{}", rng.usize(0..9)))),
            ),
            42..=51 => edit(&st, &id, &who, Edit::Blocker(rng.bool())),
            52..=57 => {
                let reason = DismissReason::ALL[rng.usize(0..3)];
                st.update(&id, None, &who, |issue, actor| {
                    triage::dismiss(issue, reason, Some("simulated".into()), None, actor)
                })
                .unwrap();
            }
            58..=87 => {
                let text = format!("note {c}-{step}");
                note(&st, &id, &who, &text);
                notes.insert(text);
            }
            88..=93 => {
                let n = own[c].len();
                let new_id = format!("PF-C{c}{n:04}");
                let mut issue = Issue::new(
                    new_id.clone(),
                    format!("Found by c{c}: {n}"),
                    Severity::Low,
                    Status::New,
                    &who,
                );
                issue.log(&who.at, &who.by, "filed by hand");
                let lock = st.lock().unwrap();
                st.create(&lock, &mut issue).unwrap();
                own[c].push(new_id);
            }
            _ => {
                let fp = format!("{:016x}", rng.usize(0..plan.findings));
                file_finding(&st, &fp, &who, &format!("c{c}{step}"));
            }
        }
        figures.commits += usize::from(team.commit(dir, &format!("c{c} step {step}")));
    }
    // Everyone syncs, twice round, so every change reaches every clone.
    for _ in 0..2 {
        for dir in &team.clones {
            figures.conflicts.extend(team.sync(dir, false));
        }
    }
    let heads: BTreeSet<String> = team.clones.iter().map(|d| team.head(d)).collect();
    assert_eq!(heads.len(), 1, "every clone at the same commit");
    for dir in &team.clones {
        assert!(team.ok(dir, &["status", "--porcelain"]).is_empty());
    }
    let loaded = store(&team.clones[0]).load();
    assert!(
        loaded.errors.is_empty(),
        "every issue file valid: {:?}",
        loaded.errors
    );
    for entry in std::fs::read_dir(team.clones[0].join(".preflight/issues")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains("<<<<<<<"), "no conflict markers");
    }
    let kept: Vec<&str> = loaded
        .issues
        .iter()
        .flat_map(|i| i.notes.iter().map(|n| n.text.as_str()))
        .collect();
    let unique: BTreeSet<&str> = kept.iter().copied().collect();
    assert_eq!(kept.len(), unique.len(), "no note twice");
    let lost: Vec<&String> = notes
        .iter()
        .filter(|n| !unique.contains(n.as_str()))
        .collect();
    assert!(lost.is_empty(), "notes lost: {lost:?}");
    figures.notes_written = notes.len();
    figures.merge_commits = team
        .ok(
            &team.clones[0],
            &["rev-list", "--merges", "--count", "HEAD"],
        )
        .trim()
        .parse()
        .unwrap();
    figures.decisions = loaded
        .issues
        .iter()
        .flat_map(|i| &i.history)
        .filter(|h| h.by == preflight::domain::merge::MERGE_ACTOR)
        .count();
    let mut by_finding: BTreeMap<&str, usize> = BTreeMap::new();
    for issue in &loaded.issues {
        if let Some(link) = &issue.finding {
            *by_finding.entry(link.fingerprint.as_str()).or_default() += 1;
        }
    }
    assert!(
        by_finding.values().all(|n| *n == 1),
        "one issue per finding: {by_finding:?}"
    );
    assert_eq!(
        loaded.issues.len(),
        shared + own.iter().map(Vec::len).sum::<usize>() + by_finding.len()
    );
    figures
}

#[test]
fn many_clones_triaging_in_parallel_never_conflict_small() {
    let figures = simulate(&Plan {
        seed: 16,
        clones: 3,
        actions: 40,
        shared: 20,
        findings: 6,
    });
    assert!(figures.conflicts.is_empty(), "{:?}", figures.conflicts);
    assert!(
        figures.rebases > 0 && figures.syncs > figures.rebases,
        "{figures:?}"
    );
}

/// The full count of issue #16: `cargo test --release --test team -- --ignored --nocapture`.
#[test]
#[ignore = "about a minute: the full simulation (5 clones × 200 actions on 100 issues)"]
fn many_clones_triaging_in_parallel_never_conflict_full() {
    let started = std::time::Instant::now();
    let figures = simulate(&Plan {
        seed: 16,
        clones: 5,
        actions: 200,
        shared: 100,
        findings: 30,
    });
    eprintln!(
        "simulation: 5 clones × 200 actions, {} commits, {} syncs ({} by rebase), {} merge commits, {} fields decided by the driver, {} notes, {} conflicts, {:.1}s",
        figures.commits,
        figures.syncs,
        figures.rebases,
        figures.merge_commits,
        figures.decisions,
        figures.notes_written,
        figures.conflicts.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(figures.conflicts.is_empty(), "{:?}", figures.conflicts);
}
