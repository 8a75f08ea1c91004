//! `preflight check --watch` on temporary repositories. Every wait is for an expected
//! line, bounded; absence is shown by a later positive control, never by sleeping.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Sandbox;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// Longest wait for any expected line (generous: CI machines are shared).
const PATIENCE: Duration = Duration::from_secs(20);

/// One watcher at a time: several at once on a 2-core machine stall each other for
/// longer than a quiet window, which is not what these tests are about.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

struct Watching {
    _turn: std::sync::MutexGuard<'static, ()>,
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Watching {
    /// `check --watch --trust --no-register` and `extra`.
    fn start(sb: &Sandbox, extra: &[&str]) -> Watching {
        let mut args = vec!["--trust", "--no-register"];
        args.extend_from_slice(extra);
        Watching::start_with(sb, &args)
    }

    /// `check --watch` and `args`, ready once watching and the first runs are told.
    fn start_with(sb: &Sandbox, args: &[&str]) -> Watching {
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("preflight"))
            .env("XDG_DATA_HOME", sb.home.join("data"))
            .env("XDG_STATE_HOME", sb.home.join("state"))
            .arg("--repo")
            .arg(&sb.repo)
            .args(["check", "--watch"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let mut w = Watching {
            _turn: turn,
            child,
            lines,
            seen: Vec::new(),
        };
        // Ready once every folder is watched and the startup runs are summarised.
        let mut ready = false;
        let mut summarised = false;
        while !(ready && summarised) {
            let line = w.wait_for(|l| {
                l.contains(" watching ") || l.contains(" passed ·") || l.contains(" failed ·")
            });
            ready |= line.contains(" watching ");
            summarised |= !line.contains(" watching ");
        }
        w
    }

    /// Wait for a line matching `pred`; returns it. Lines read meanwhile are kept.
    fn wait_for(&mut self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(_) => panic!("timed out; output so far:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Wait until every predicate has matched a line, in any order.
    fn wait_for_all(&mut self, preds: &[&dyn Fn(&str) -> bool]) {
        let mut pending: Vec<&dyn Fn(&str) -> bool> = preds.to_vec();
        while !pending.is_empty() {
            let line = self.wait_for(|l| pending.iter().any(|p| p(l)));
            pending.retain(|p| !p(&line));
        }
    }

    /// Forget what was seen so far (to count what comes next).
    fn mark(&mut self) {
        self.seen.clear();
    }

    fn starts_of(&self, check: &str) -> usize {
        let needle = format!("▶ {check} (");
        self.seen.iter().filter(|l| l.contains(&needle)).count()
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGINT,
        );
        let _ = self.child.wait();
    }
}

const TWO_CHECKS: &str = r#"
[[check]]
id = "py"
run = "echo py-ran"
watch = ["**/*.py"]

[[check]]
id = "js"
run = "echo js-ran"
watch = ["**/*.js"]

[[check]]
id = "control"
run = "echo control-ran"
watch = ["control.txt"]
"#;

fn sandbox() -> Sandbox {
    let sb = Sandbox::with_config(TWO_CHECKS);
    sb.write(".gitignore", "target/\n*.log\n");
    sb.write("src/a.py", "1\n");
    sb.write("src/b.js", "1\n");
    sb.write("target/keep", "");
    sb
}

/// Touch the control file and wait until its run has ended: everything caused by
/// earlier changes has been reported by then.
fn control(w: &mut Watching, sb: &Sandbox, n: usize) {
    sb.write("control.txt", &n.to_string());
    w.wait_for(|l| l.contains("✔ control passed"));
}

#[test]
fn an_edit_reruns_only_the_affected_check() {
    let sb = sandbox();
    let mut w = Watching::start(&sb, &[]);
    w.mark();
    sb.write("src/a.py", "2\n");
    let line = w.wait_for(|l| l.contains("▶ py ("));
    assert!(line.contains("(src/a.py)"), "{line}");
    control(&mut w, &sb, 1);
    assert_eq!(w.starts_of("py"), 1);
    assert_eq!(w.starts_of("js"), 0);
}

#[test]
fn ignored_paths_rerun_nothing() {
    let sb = sandbox();
    let mut w = Watching::start(&sb, &[]);
    w.mark();
    sb.write("target/gen.py", "x");
    sb.write("debug.log", "x");
    sb.write("src/.a.py.swp", "x");
    sb.write("src/a.py~", "x");
    control(&mut w, &sb, 1);
    assert_eq!(w.starts_of("py"), 0, "{:?}", w.seen);
}

#[test]
fn a_rename_style_save_reruns_once() {
    let sb = sandbox();
    let mut w = Watching::start(&sb, &[]);
    w.mark();
    sb.write("src/.a.py.tmp", "3\n");
    std::fs::rename(sb.repo.join("src/.a.py.tmp"), sb.repo.join("src/a.py")).unwrap();
    w.wait_for(|l| l.contains("✔ py passed"));
    control(&mut w, &sb, 1);
    assert_eq!(w.starts_of("py"), 1, "{:?}", w.seen);
}

/// A checkout of 5,000 files, as git does it: under `.git/index.lock`, which holds the
/// burst open however long the writer is descheduled on a loaded machine (a bare
/// writer pausing past the storm's quiet window would rightly make two bursts).
#[test]
fn a_checkout_of_five_thousand_files_reruns_each_affected_check_exactly_once() {
    let sb = sandbox();
    let mut w = Watching::start(&sb, &[]);
    w.mark();
    let lock = sb.repo.join(".git/index.lock");
    std::fs::write(&lock, "").unwrap();
    std::fs::create_dir_all(sb.repo.join("gen")).unwrap();
    for n in 0..5000 {
        let ext = if n % 2 == 0 { "py" } else { "js" };
        std::fs::write(sb.repo.join(format!("gen/f{n}.{ext}")), n.to_string()).unwrap();
    }
    std::fs::remove_file(&lock).unwrap();
    w.wait_for_all(&[&|l| l.contains("✔ py passed"), &|l| {
        l.contains("✔ js passed")
    }]);
    control(&mut w, &sb, 1);
    assert_eq!(
        (w.starts_of("py"), w.starts_of("js")),
        (1, 1),
        "{:?}",
        w.seen
    );
}

#[test]
fn a_running_check_is_cancelled_and_restarted_when_its_inputs_change() {
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"slow\"\nrun = \"sleep 2; echo done\"\nwatch = [\"*.txt\"]\n",
    );
    let mut w = Watching::start(&sb, &[]);
    w.mark();
    sb.write("a.txt", "1");
    w.wait_for(|l| l.contains("▶ slow (a.txt)"));
    sb.write("b.txt", "2");
    w.wait_for(|l| l.contains("↻ slow cancelled"));
    w.wait_for(|l| l.contains("✔ slow passed"));
    assert_eq!(w.starts_of("slow"), 2);
}

#[test]
fn a_config_edit_reloads_and_a_bad_one_keeps_the_old_config() {
    let sb = sandbox();
    let mut w = Watching::start(&sb, &[]);
    sb.write(
        "preflight.toml",
        &TWO_CHECKS.replace("echo py-ran", "echo py-v2; exit 3"),
    );
    w.wait_for(|l| l.contains("↻ reloaded preflight.toml (3 checks)"));
    sb.write("src/a.py", "2\n");
    w.wait_for(|l| l.contains("✖ py failed"));

    sb.write(
        "preflight.toml",
        "[[check]]\nid = \"py\"\nrun = \"x\"\ntimeout = \"soon\"\n",
    );
    let line = w.wait_for(|l| l.contains("still running the previous configuration"));
    assert!(
        line.contains("preflight.toml:4:11: bad duration `soon`"),
        "{line}"
    );
    w.mark();
    sb.write("src/a.py", "3\n");
    w.wait_for(|l| l.contains("✖ py failed"));
    control(&mut w, &sb, 1);
}

#[test]
fn a_symlink_loop_in_the_tree_neither_hangs_nor_crashes_it() {
    let sb = sandbox();
    std::fs::create_dir_all(sb.repo.join("src/loop")).unwrap();
    std::os::unix::fs::symlink(sb.repo.join("src"), sb.repo.join("src/loop/back")).unwrap();
    std::os::unix::fs::symlink(sb.repo.join("src/loop/self"), sb.repo.join("src/loop/self"))
        .unwrap_or(());
    let mut w = Watching::start(&sb, &[]);
    w.mark();
    sb.write("src/a.py", "2\n");
    w.wait_for(|l| l.contains("✔ py passed"));
    control(&mut w, &sb, 1);
}

#[test]
fn watch_runs_are_recorded_for_the_gates() {
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"ok\"\nrun = \"true\"\n[[gate]]\nid = \"green\"\nchecks = [\"ok\"]\n",
    );
    let (code, _, _) = common::output_of(&mut sb.cmd(&["gate", "--no-run"]));
    assert_eq!(code, 1, "nothing recorded yet");
    let w = Watching::start(&sb, &[]);
    drop(w);
    let (code, out, err) = common::output_of(&mut sb.cmd(&["gate", "--no-run"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok passed"), "{out}");
}

#[test]
fn a_command_edited_while_watching_does_not_run_until_trusted_again() {
    let config = "[[check]]\nid = \"show\"\nrun = \"echo shown\"\nwatch = [\"src/**\"]\n";
    let sb = Sandbox::with_config(config);
    sb.write("src/a.txt", "1");
    sb.trust();
    let mut w = Watching::start_with(&sb, &["--no-register"]);
    sb.write(
        "preflight.toml",
        &config.replace("echo shown", "touch ran-after-edit"),
    );
    let line = w.wait_for(|l| l.contains("still running the previous configuration"));
    assert!(line.contains("is not trusted"), "{line}");
    // A change still runs the trusted command (the positive control), not the new one.
    w.mark();
    sb.write("src/a.txt", "2");
    w.wait_for(|l| l.contains("✔ show passed"));
    assert!(!sb.repo.join("ran-after-edit").exists());
    assert_eq!(w.starts_of("show"), 1, "{:?}", w.seen);
}

/// A C project whose `make test` writes its binary, objects and output into the tree
/// (nothing ignored), committed; the detected default runs `make test`, which has no
/// watch globs: every change would re-run it.
fn make_repo(counter: &std::path::Path) -> Sandbox {
    let sb = Sandbox::new();
    sb.write(
        "Makefile",
        &format!(
            "test: t\n\t./t > test-output.txt\n\techo run >> {}\n\nt: t.o\n\tcc -o t t.o\n\nt.o: t.c\n\tcc -c -o t.o t.c\n",
            counter.display()
        ),
    );
    sb.write("t.c", "int main(void) { return 0; }\n");
    sb.write("notes.txt", "1\n");
    sb.git(&["add", "-A"]);
    sb.git(&["commit", "-qm", "c project"]);
    sb
}

/// The runs' own writes (binaries, objects, output, none of them ignored) never re-run
/// the check; a real save still does, once.
#[test]
fn a_check_writing_into_the_tree_never_reruns_itself() {
    if Command::new("cc").arg("--version").output().is_err() {
        eprintln!("skipped: no C compiler");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sb = make_repo(&dir.path().join("runs"));
    let mut w = Watching::start(&sb, &[]);
    w.mark();
    // A save of the source: make rebuilds t.o and t, and rewrites test-output.txt.
    sb.write("t.c", "int main(void) { return 1 - 1; }\n");
    w.wait_for(|l| l.contains("▶ test (t.c)"));
    w.wait_for(|l| l.contains("✔ test passed"));
    // Then a save elsewhere: its run comes after anything the first run caused.
    sb.write("notes.txt", "2\n");
    w.wait_for(|l| l.contains("▶ test (notes.txt)"));
    w.wait_for(|l| l.contains("✔ test passed"));
    sb.write("notes.txt", "3\n");
    w.wait_for(|l| l.contains("▶ test (notes.txt)"));
    w.wait_for(|l| l.contains("✔ test passed"));
    assert_eq!(w.starts_of("test"), 3, "{:#?}", w.seen);
    let runs = std::fs::read_to_string(dir.path().join("runs")).unwrap();
    assert_eq!(
        runs.lines().count(),
        4,
        "startup and three saves: {:#?}",
        w.seen
    );
}

/// A check that rewrites a file git tracks on every run re-triggers itself: it is
/// paused, with the path named and how to ignore it; a real edit resumes it.
#[test]
fn a_check_that_keeps_retriggering_itself_is_paused_and_says_why() {
    // It rewrites gen.txt once `go` exists, so the loop starts when the test says.
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"gen\"\nrun = \"sleep 0.2; test ! -f go || date +%s%N > gen.txt\"\n",
    );
    sb.write("gen.txt", "0\n");
    sb.write("notes.txt", "1\n");
    sb.git(&["add", "-A"]);
    sb.git(&["commit", "-qm", "tracked"]);
    let mut w = Watching::start(&sb, &[]);
    sb.write("go", "");
    let line = w.wait_for(|l| l.contains("⏸ gen paused"));
    assert!(line.contains("gen paused for gen.txt:"), "{line}");
    assert!(line.contains("[watch] ignore = [\"gen.txt\"]"), "{line}");
    // Its runs' own write no longer re-runs it: a real edit runs it once, and the
    // next real edit's run is the next one.
    w.mark();
    sb.write("notes.txt", "3\n");
    w.wait_for(|l| l.contains("▶ gen (notes.txt)"));
    w.wait_for(|l| l.contains("✔ gen passed"));
    sb.write("notes.txt", "4\n");
    w.wait_for(|l| l.contains("▶ gen (notes.txt)"));
    w.wait_for(|l| l.contains("✔ gen passed"));
    assert_eq!(w.starts_of("gen"), 2, "{:#?}", w.seen);
}
