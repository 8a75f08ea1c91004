//! The cockpit end to end: the real binary in tmux, driven by keys, read off the
//! screen, with the issue files checked on disk. Each test has its own tmux server
//! (`-L`), so they run in parallel without meeting. Waits are bounded polls of the
//! screen, never fixed sleeps.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Sandbox;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Set to 1 to let these tests pass without tmux (they check nothing then).
const SKIP_TMUX: &str = "PREFLIGHT_SKIP_TMUX";

/// Longest wait for something to show on screen (a shared CI machine can be slow).
const PATIENCE: Duration = Duration::from_secs(20);

const CONFIG: &str = r#"
[[check]]
id = "show"
run = "cat src/value.txt"
watch = ["src/**"]
"#;

/// A tmux server of its own, killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// A server of its own. Without tmux the test fails (`.ci/run` installs it),
    /// unless skipping is asked for with `PREFLIGHT_SKIP_TMUX=1`: then `None`, and
    /// the test passes having checked nothing, as asked.
    fn new(name: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os(SKIP_TMUX).is_some_and(|v| v == "1"),
                "tmux is not installed: install it (the cockpit's end-to-end tests drive \
                 the real binary in it), or set {SKIP_TMUX}=1 to skip them"
            );
            eprintln!("skipped, as {SKIP_TMUX}=1 asks: tmux is not installed");
            return None;
        }
        Some(Tmux {
            socket: format!("pf-{name}-{}", std::process::id()),
        })
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Open the cockpit on the sandbox's repository in window `name`; when it exits,
    /// the window shows `EXITED:<code>`.
    fn open(&self, sb: &Sandbox, name: &str, extra: &str) {
        self.open_with(sb, name, "", extra);
    }

    /// [`Tmux::open`] with more environment (`EDITOR=…`).
    fn open_with(&self, sb: &Sandbox, name: &str, env: &str, extra: &str) {
        let command = format!(
            "env HOME={home} XDG_DATA_HOME={home}/data XDG_STATE_HOME={home}/state \
             XDG_CONFIG_HOME={home}/config TERM=xterm-256color {env} {bin} --repo {repo} {extra}; \
             echo EXITED:$?; sleep 60",
            home = sb.home.display(),
            bin = env!("CARGO_BIN_EXE_preflight"),
            repo = sb.repo.display(),
        );
        let target = "pf".to_string();
        if self.has_session() {
            self.tmux(&[
                "new-window",
                "-d",
                "-t",
                &target,
                "-n",
                name,
                "sh",
                "-c",
                &command,
            ]);
        } else {
            self.tmux(&[
                "new-session",
                "-d",
                "-s",
                &target,
                "-x",
                "100",
                "-y",
                "30",
                "-n",
                name,
                "sh",
                "-c",
                &command,
            ]);
        }
    }

    fn has_session(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "pf"])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn screen(&self, window: &str) -> String {
        self.tmux(&["capture-pane", "-p", "-t", &format!("pf:{window}")])
    }

    fn keys(&self, window: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t"];
        let target = format!("pf:{window}");
        args.push(&target);
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Type text literally.
    fn type_text(&self, window: &str, text: &str) {
        self.tmux(&["send-keys", "-t", &format!("pf:{window}"), "-l", text]);
    }

    /// Wait until the screen shows `text`; panic with the screen when it does not.
    fn wait_for(&self, window: &str, text: &str) -> String {
        self.wait_for_all(window, &[text])
    }

    /// Wait until one capture of the screen shows every one of `texts`.
    fn wait_for_all(&self, window: &str, texts: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen(window);
            if texts.iter().all(|t| screen.contains(t)) {
                return screen;
            }
            if start.elapsed() > PATIENCE {
                panic!("{texts:?} never showed together on screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn pane_pid(&self, window: &str) -> u32 {
        self.tmux(&[
            "display",
            "-p",
            "-t",
            &format!("pf:{window}"),
            "#{pane_pid}",
        ])
        .trim()
        .parse()
        .unwrap()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// Wait until `path` holds `text`.
fn wait_for_file(path: &Path, text: &str) -> String {
    let start = Instant::now();
    loop {
        let content = std::fs::read_to_string(path).unwrap_or_default();
        if content.contains(text) {
            return content;
        }
        if start.elapsed() > PATIENCE {
            panic!("{} never held `{text}`:\n{content}", path.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn sandbox() -> (Sandbox, String) {
    let sb = Sandbox::with_config(CONFIG);
    sb.write("src/value.txt", "value one\n");
    sb.trust();
    let id = sb.new_issue(&[
        "--title",
        "Pickle load of untrusted data",
        "--severity",
        "high",
    ]);
    (sb, id)
}

fn issue_file(sb: &Sandbox, id: &str) -> std::path::PathBuf {
    sb.repo.join(".preflight/issues").join(format!("{id}.toml"))
}

#[test]
fn triage_keys_write_the_issue_files_at_once() {
    let Some(tmux) = Tmux::new("triage") else {
        return;
    };
    let (sb, id) = sandbox();
    let file = issue_file(&sb, &id);
    tmux.open(&sb, "a", "");
    tmux.wait_for("a", "Pickle load");
    tmux.keys("a", &["1"]);
    wait_for_file(&file, "severity = \"critical\"");
    tmux.wait_for("a", "CRIT");
    tmux.keys("a", &["b"]);
    wait_for_file(&file, "blocker = true");
    // Dismiss: reason 2 (won't fix), a note, enter.
    tmux.keys("a", &["d", "2"]);
    tmux.type_text("a", "vendored code");
    tmux.keys("a", &["Enter"]);
    let text = wait_for_file(&file, "status = \"dismissed\"");
    assert!(text.contains("reason = \"wont-fix\""), "{text}");
    assert!(text.contains("note = \"vendored code\""), "{text}");
    // Undo brings it back.
    tmux.keys("a", &["u"]);
    wait_for_file(&file, "status = \"open\"");
    tmux.wait_for("a", "undone");
    // The owner prompt.
    tmux.keys("a", &["o"]);
    tmux.type_text("a", "sam");
    tmux.keys("a", &["Enter"]);
    wait_for_file(&file, "owner = \"sam\"");
    tmux.keys("a", &["q"]);
    let screen = tmux.wait_for("a", "EXITED:0");
    assert!(
        !screen.contains("Register"),
        "the alternate screen was left:\n{screen}"
    );
}

#[test]
fn a_saved_file_reruns_its_check_on_screen() {
    let Some(tmux) = Tmux::new("watch") else {
        return;
    };
    let (sb, _) = sandbox();
    tmux.open(&sb, "a", "");
    tmux.wait_for("a", "value one");
    // Wait until watching, so the save is seen.
    tmux.wait_for("a", "watching");
    sb.write("src/value.txt", "value two\n");
    let screen = tmux.wait_for("a", "value two");
    assert!(
        screen.contains("src/value.txt"),
        "the trigger is shown:\n{screen}"
    );
}

/// `make test` writing its binary and output into the tree (nothing ignored) does not
/// re-run itself in the cockpit; a real save still re-runs it.
#[test]
fn a_check_writing_into_the_tree_does_not_loop_in_the_cockpit() {
    let Some(tmux) = Tmux::new("selfwrite") else {
        return;
    };
    if Command::new("cc").arg("--version").output().is_err() {
        eprintln!("skipped: no C compiler");
        return;
    }
    let sb = Sandbox::new();
    let counter = sb.home.join("runs");
    sb.write(
        "Makefile",
        &format!(
            "test: t\n\t./t > test-output.txt\n\techo run >> {}\n\nt: t.c\n\tcc -o t t.c\n",
            counter.display()
        ),
    );
    sb.write("t.c", "int main(void) { return 0; }\n");
    sb.write("notes.txt", "1\n");
    sb.git(&["add", "-A"]);
    sb.git(&["commit", "-qm", "c project"]);
    sb.trust();
    let runs = || {
        std::fs::read_to_string(&counter)
            .unwrap_or_default()
            .lines()
            .count()
    };
    tmux.open(&sb, "a", "");
    tmux.wait_for("a", "watching");
    wait_for_file(&counter, "run");
    tmux.wait_for("a", "✔ test");
    // A real save: make rebuilds t and rewrites test-output.txt while it runs.
    sb.write("t.c", "int main(void) { return 1 - 1; }\n");
    wait_for_file(&counter, "run\nrun\n");
    // The positive control: a later save runs it once more, and only that.
    sb.write("notes.txt", "2\n");
    wait_for_file(&counter, "run\nrun\nrun\n");
    tmux.wait_for("a", "notes.txt");
    sb.write("notes.txt", "3\n");
    wait_for_file(&counter, "run\nrun\nrun\nrun\n");
    tmux.wait_for("a", "✔ test");
    assert_eq!(runs(), 4, "startup and three saves, no self-triggered run");
    tmux.keys("a", &["q"]);
    tmux.wait_for("a", "EXITED:0");
}

#[test]
fn two_cockpits_see_each_others_triage() {
    let Some(tmux) = Tmux::new("pair") else {
        return;
    };
    let (sb, id) = sandbox();
    tmux.open(&sb, "a", "");
    tmux.open(&sb, "b", "--read-only");
    tmux.wait_for("a", "HIGH");
    tmux.wait_for("b", "HIGH");
    tmux.wait_for("a", "watching");
    tmux.keys("a", &["1"]);
    wait_for_file(&issue_file(&sb, &id), "critical");
    let start = Instant::now();
    tmux.wait_for("b", "CRIT");
    // The brief's bar is a second; the poll itself adds up to 50 ms.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // The read-only one refuses triage.
    tmux.keys("b", &["2"]);
    tmux.wait_for("b", "read-only");
    assert!(std::fs::read_to_string(issue_file(&sb, &id))
        .unwrap()
        .contains("critical"));
}

#[test]
fn untrusted_opens_runs_nothing_and_names_the_key() {
    let Some(tmux) = Tmux::new("untrusted") else {
        return;
    };
    let sb = Sandbox::with_config("[[check]]\nid = \"boom\"\nrun = \"touch ran\"\n");
    tmux.open(&sb, "a", "");
    let screen = tmux.wait_for("a", "not trusted");
    assert!(screen.contains("(T)"), "{screen}");
    // Nothing was started: a startup run is queued before the first frame, and the
    // check would show as queued or running, not "never" (run). A re-run asked for by
    // hand is refused (the key was read: the positive control).
    let never = |screen: &str| {
        screen
            .lines()
            .any(|l| l.contains("· boom") && l.contains("never"))
    };
    assert!(never(&screen), "{screen}");
    tmux.keys("a", &["R"]);
    let screen = tmux.wait_for("a", "nothing runs until you trust this repository");
    assert!(never(&screen), "{screen}");
    assert!(!sb.repo.join("ran").exists());
    // T shows the commands, y trusts, and the check runs.
    tmux.keys("a", &["T"]);
    tmux.wait_for("a", "touch ran");
    tmux.keys("a", &["y"]);
    let start = Instant::now();
    while !sb.repo.join("ran").exists() {
        assert!(
            start.elapsed() < PATIENCE,
            "the check never ran after trust"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn hostile_check_output_reaches_the_screen_as_text_only() {
    let Some(tmux) = Tmux::new("hostile") else {
        return;
    };
    let sb = Sandbox::with_config(
        r#"
[[check]]
id = "evil"
run = '''printf 'start\033]0;pwned\007 \033]52;c;ZXZpbA==\007 \033P1$qm\033\\ \033[2J\033[?1049l\033[6n\302\233 31m end-of-evil\n' '''
"#,
    );
    sb.trust();
    tmux.open(&sb, "a", "");
    // A capture can land mid-frame: wait for one that holds both the output and the
    // register below it. Were the screen cleared by the check, the register (drawn
    // once, then only diffed) would never come back and this would time out.
    let screen = tmux.wait_for_all("a", &["end-of-evil", "Register"]);
    let title = tmux.tmux(&["display", "-p", "-t", "pf:a", "#{pane_title}"]);
    assert!(!title.contains("pwned"), "the check set the title: {title}");
    // The screen was not cleared or switched: the cockpit's frame is intact.
    assert!(screen.contains("Register"), "{screen}");
    assert!(screen.contains("start"), "{screen}");
    tmux.keys("a", &["q"]);
    tmux.wait_for("a", "EXITED:0");
}

#[test]
fn sigterm_and_hangup_restore_and_exit() {
    let Some(tmux) = Tmux::new("signals") else {
        return;
    };
    let sb = Sandbox::with_config("[[check]]\nid = \"slow\"\nrun = \"echo started; sleep 3141\"\n");
    sb.trust();
    // SIGTERM: the terminal comes back and the check's group is ended.
    tmux.open(&sb, "a", "");
    tmux.wait_for("a", "started");
    let shell = tmux.pane_pid("a");
    let pid = child_of(shell, "preflight");
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let screen = tmux.wait_for("a", "EXITED:");
    assert!(!screen.contains("Register"), "{screen}");
    assert!(!process_running("sleep 3141"), "the running check survived");

    // Hang-up (the window closes, as when SSH drops): gone within 2 s, no spinning.
    tmux.open(&sb, "b", "");
    tmux.wait_for("b", "started");
    let pid = child_of(tmux.pane_pid("b"), "preflight");
    let start = Instant::now();
    tmux.tmux(&["kill-window", "-t", "pf:b"]);
    while Path::new(&format!("/proc/{pid}")).exists() && !is_zombie(pid) {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "still running {:?} after the hang-up",
            start.elapsed()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The pid of `parent`'s child named `name`.
fn child_of(parent: u32, name: &str) -> u32 {
    let start = Instant::now();
    loop {
        let out = Command::new("pgrep")
            .args(["-P", &parent.to_string(), name])
            .output()
            .unwrap();
        if let Some(pid) = String::from_utf8_lossy(&out.stdout).lines().next() {
            return pid.trim().parse().unwrap();
        }
        assert!(start.elapsed() < PATIENCE, "no {name} under {parent}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn process_running(pattern: &str) -> bool {
    Command::new("pgrep")
        .args(["-f", pattern])
        .status()
        .is_ok_and(|s| s.success())
}

fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.contains(") Z "))
        .unwrap_or(true)
}

/// The text rows of the pane whose title starts with `title`, and its title row.
fn pane(screen: &str, title: &str) -> (String, Vec<String>) {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let (top, left) = rows
        .iter()
        .enumerate()
        .find_map(|(y, row)| {
            let text: String = row.iter().collect();
            let at = text.find(&format!(" {title} "))?;
            // The border corner is the character before the title's leading space.
            Some((y, text[..at].chars().count() - 1))
        })
        .unwrap_or_else(|| panic!("no pane titled {title}:\n{screen}"));
    let border = |c: char| matches!(c, '│' | '┃');
    let body = rows[top + 1..]
        .iter()
        .take_while(|row| row.get(left).copied().is_some_and(border))
        .map(|row| {
            let inside: String = row[left + 1..]
                .iter()
                .take_while(|c| !border(**c))
                .collect();
            inside.trim_end().to_string()
        })
        .collect();
    (rows[top].iter().collect(), body)
}

/// The number of lines the output title counts (`line 1,201/1,250` → 1250).
fn lines_seen(title: &str) -> u64 {
    let after = title.split('/').nth(1).unwrap_or("");
    after
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

#[test]
fn scrolled_up_output_stays_put_while_lines_arrive() {
    let Some(tmux) = Tmux::new("stream") else {
        return;
    };
    // About a thousand lines a second, for minutes.
    let sb = Sandbox::with_config(
        r#"
[[check]]
id = "stream"
run = 'i=0; while [ $i -lt 300000 ]; do echo "line $i"; i=$((i+1)); case $i in *00) sleep 0.1;; esac; done'
"#,
    );
    sb.trust();
    tmux.open(&sb, "a", "");
    // Wait for a few pages of output (the title counts them while following).
    let start = Instant::now();
    loop {
        let title = tmux.screen("a");
        let count = title
            .split(" lines ")
            .next()
            .and_then(|t| t.rsplit(' ').next())
            .map(|n| n.replace(',', ""))
            .and_then(|n| n.parse::<u64>().ok());
        if count.is_some_and(|n| n >= 500) {
            break;
        }
        assert!(start.elapsed() < PATIENCE, "no stream:\n{title}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Focus the output, scroll up a page: the view is pinned. (One key: once the
    // title shows the pin, no key is left to move it.)
    tmux.keys("a", &["BTab", "PgUp"]);
    let start = Instant::now();
    let (title, before) = loop {
        let (title, body) = pane(&tmux.screen("a"), "stream");
        if title.contains(" line ") && title.contains('/') {
            break (title, body);
        }
        assert!(start.elapsed() < PATIENCE, "never pinned: {title}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(before.iter().any(|r| r.starts_with("line ")), "{before:#?}");
    let seen = lines_seen(&title);
    // For a second, while lines keep arriving, the text under the eyes stays the same.
    let watch = Instant::now();
    let mut last_title = title.clone();
    while watch.elapsed() < Duration::from_secs(1) {
        let (title, body) = pane(&tmux.screen("a"), "stream");
        assert_eq!(body, before, "the pinned text moved (title now {title})");
        last_title = title;
        std::thread::sleep(Duration::from_millis(100));
    }
    let start = Instant::now();
    while lines_seen(&last_title) <= seen {
        assert!(start.elapsed() < PATIENCE, "no line arrived: {last_title}");
        std::thread::sleep(Duration::from_millis(100));
        last_title = pane(&tmux.screen("a"), "stream").0;
    }
    assert_eq!(pane(&tmux.screen("a"), "stream").1, before);
    // G follows the tail again: the text moves on.
    tmux.keys("a", &["G"]);
    let start = Instant::now();
    while pane(&tmux.screen("a"), "stream").1 == before {
        assert!(start.elapsed() < PATIENCE, "G did not follow");
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.keys("a", &["q"]);
    tmux.wait_for("a", "EXITED:0");
}

/// `check` on a terminal, on a first run that would file a flood of new issues, asks
/// whether to take them as the baseline; answered yes, they are filed open.
#[test]
fn a_first_flood_on_a_terminal_is_offered_the_baseline() {
    let Some(tmux) = Tmux::new("flood") else {
        return;
    };
    let sb = Sandbox::with_config(
        r#"
[[check]]
id = "lint"
run = "cat findings.txt"
format = "lines"
pattern = '^(?P<path>[^:]+):(?P<line>\d+): (?P<rule>\w+) (?P<message>.*)$'
"#,
    );
    let findings: String = (1..=40)
        .map(|i| format!("src/a.rs:{i}: W{i} style nit {i}\n"))
        .collect();
    sb.write("findings.txt", &findings);
    sb.write("src/a.rs", &"let x = 1;\n".repeat(50));
    sb.trust();
    tmux.open(&sb, "check", "check");
    tmux.wait_for("check", "[Y/n]");
    tmux.keys("check", &["y", "Enter"]);
    tmux.wait_for("check", "EXITED:");
    // The whole output, scrollback included (the summary may push lines off screen).
    let screen = tmux.tmux(&["capture-pane", "-p", "-J", "-S", "-500", "-t", "pf:check"]);
    assert!(
        screen.contains("recorded 40 findings in .preflight/baseline.toml"),
        "{screen}"
    );
    assert!(
        screen.contains("register: 40 filed into the baseline"),
        "{screen}"
    );
    let issues = sb.issues();
    assert_eq!(issues.len(), 40);
    assert!(issues.iter().all(|i| i["status"] == "open"));
}

/// Findings of one SARIF run: five of rule B301 and one of B105, in src/app.py.
fn sarif_sandbox() -> Sandbox {
    let result = |rule: &str, n: usize| {
        format!(
            r#"{{"ruleId":"{rule}","level":"error","message":{{"text":"{rule} finding {n}"}},
            "locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"src/app.py"}},
            "region":{{"startLine":{line}}}}}}}],
            "partialFingerprints":{{"primaryLocationLineHash":"{rule}-{n}"}}}}"#,
            line = n + 2
        )
    };
    let mut results: Vec<String> = (0..5).map(|n| result("B301", n)).collect();
    results.push(result("B105", 9));
    let sarif = format!(
        r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"bandit"}}}},"results":[{}]}}]}}"#,
        results.join(",")
    );
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"bandit\"\nrun = \"cat findings.sarif\"\nformat = \"sarif\"\nwatch = [\"findings.sarif\"]\n",
    );
    sb.write("findings.sarif", &sarif);
    let source: String = (1..=20).map(|n| format!("line_{n} = {n}\n")).collect();
    sb.write("src/app.py", &source);
    sb.trust();
    sb
}

/// The issue files of the register, read.
fn issue_files(sb: &Sandbox) -> Vec<String> {
    let dir = sb.repo.join(".preflight/issues");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
                .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Wait until `count` issue files hold `text`.
fn wait_for_files(sb: &Sandbox, text: &str, count: usize) {
    let start = Instant::now();
    loop {
        let n = issue_files(sb).iter().filter(|f| f.contains(text)).count();
        if n == count {
            return;
        }
        if start.elapsed() > PATIENCE {
            panic!("{n} issue files hold `{text}`, not {count}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_paste_is_text_in_a_prompt_and_never_keys() {
    let Some(tmux) = Tmux::new("paste") else {
        return;
    };
    let (sb, _) = sandbox();
    tmux.open(&sb, "a", "");
    tmux.wait_for("a", "Pickle load");
    // Outside a prompt: nothing of it runs (no `d` opens the dismissal).
    tmux.tmux(&["set-buffer", "-b", "p", "d1"]);
    tmux.tmux(&["paste-buffer", "-p", "-b", "p", "-t", "pf:a"]);
    tmux.wait_for("a", "only taken in a prompt");
    // In the new-issue prompt: one title, the line break a space.
    tmux.keys("a", &["n"]);
    tmux.wait_for("a", "New issue");
    tmux.tmux(&["set-buffer", "-b", "p", "title\nd1"]);
    tmux.tmux(&["paste-buffer", "-p", "-b", "p", "-t", "pf:a"]);
    tmux.wait_for("a", "title d1");
    tmux.keys("a", &["Enter"]);
    wait_for_files(&sb, "title = \"title d1\"", 1);
    let screen = tmux.wait_for("a", "filed");
    assert!(
        !screen.contains("because"),
        "no dismissal opened:\n{screen}"
    );
    assert_eq!(issue_files(&sb).len(), 2);
}

#[test]
fn undo_three_times_on_one_issue_walks_it_back() {
    let Some(tmux) = Tmux::new("undo") else {
        return;
    };
    let (sb, id) = sandbox();
    let file = issue_file(&sb, &id);
    let original = std::fs::read_to_string(&file).unwrap();
    tmux.open(&sb, "a", "");
    tmux.wait_for("a", "Pickle load");
    tmux.keys("a", &["b"]);
    wait_for_file(&file, "blocker = true");
    tmux.keys("a", &["o"]);
    tmux.wait_for("a", "Owner of");
    tmux.type_text("a", "sam");
    tmux.keys("a", &["Enter"]);
    wait_for_file(&file, "owner = \"sam\"");
    tmux.keys("a", &["1"]);
    wait_for_file(&file, "severity = \"critical\"");
    tmux.keys("a", &["u"]);
    wait_for_file(&file, "severity = \"high\"");
    tmux.keys("a", &["u"]);
    let text = wait_for_file(&file, "revision = 6");
    assert!(!text.contains("owner ="), "{text}");
    tmux.keys("a", &["u"]);
    let text = wait_for_file(&file, "revision = 7");
    assert!(text.contains("blocker = false"), "{text}");
    let screen = tmux.wait_for("a", "undone");
    assert!(!screen.contains("someone else"), "{screen}");
    assert!(original.contains("severity = \"high\""));
    // ctrl-r makes the blocker again.
    tmux.keys("a", &["C-r"]);
    wait_for_file(&file, "blocker = true");
}

#[test]
fn dismissing_every_finding_of_a_rule_takes_six_keys() {
    let Some(tmux) = Tmux::new("bulk") else {
        return;
    };
    let sb = sarif_sandbox();
    tmux.open(&sb, "a", "");
    tmux.wait_for("a", "6 new");
    // / rule:B301 ⏎ * d 1 ⏎
    tmux.keys("a", &["/"]);
    tmux.type_text("a", "rule:B301");
    tmux.keys("a", &["Enter"]);
    tmux.wait_for("a", "1/5");
    tmux.keys("a", &["*"]);
    tmux.wait_for("a", "5 marked");
    tmux.keys("a", &["d"]);
    tmux.wait_for("a", "Dismiss 5 issues");
    tmux.keys("a", &["1", "Enter"]);
    wait_for_files(&sb, "reason = \"false-positive\"", 5);
    tmux.wait_for("a", "5 issues: dismissed");
    let b105 = issue_files(&sb)
        .into_iter()
        .find(|f| f.contains("B105"))
        .unwrap();
    assert!(b105.contains("status = \"new\""), "{b105}");
    // One u brings all five back.
    tmux.keys("a", &["u"]);
    wait_for_files(&sb, "status = \"new\"", 6);
}

#[test]
fn e_opens_the_editor_at_the_findings_line_and_comes_back() {
    let Some(tmux) = Tmux::new("editor") else {
        return;
    };
    let sb = sarif_sandbox();
    let bin = sb.home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let args = sb.home.join("args");
    for name in ["vi", "code"] {
        let script = bin.join(name);
        std::fs::write(
            &script,
            format!("#!/bin/sh\necho \"{name} $*\" >> {}\n", args.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let real = sb.repo.canonicalize().unwrap().join("src/app.py");
    // The first cockpit runs the check (filing the findings); the second only looks.
    for (window, editor, extra) in [("a", "vi", ""), ("b", "code", "--read-only")] {
        let env = format!("EDITOR={}", bin.join(editor).display());
        tmux.open_with(&sb, window, &env, extra);
        tmux.wait_for(window, "B105");
        tmux.keys(window, &["/"]);
        tmux.type_text(window, "rule:B105");
        tmux.keys(window, &["Enter"]);
        tmux.wait_for(window, "1/1");
        tmux.keys(window, &["E"]);
        let line = if editor == "vi" {
            format!("vi +11 {}", real.display())
        } else {
            format!("code -g {}:11", real.display())
        };
        wait_for_text_file(&args, &line);
        let screen = tmux.wait_for(window, "back from");
        assert!(
            screen.contains("Register"),
            "the cockpit came back:\n{screen}"
        );
    }
}

#[test]
fn esc_and_q_close_the_detail_and_q_quits_only_from_the_main_view() {
    let Some(tmux) = Tmux::new("detail") else {
        return;
    };
    let (sb, _) = sandbox();
    tmux.open(&sb, "a", "");
    tmux.wait_for("a", "Pickle load");
    tmux.keys("a", &["Enter"]);
    let screen = tmux.wait_for("a", "rev 1");
    assert!(
        screen.contains("Register"),
        "a split under the list:\n{screen}"
    );
    tmux.keys("a", &["Escape"]);
    wait_until_gone(&tmux, "a", "rev 1");
    tmux.keys("a", &["Enter"]);
    tmux.wait_for("a", "rev 1");
    tmux.keys("a", &["q"]);
    let screen = wait_until_gone(&tmux, "a", "rev 1");
    assert!(
        !screen.contains("EXITED"),
        "q in the detail quit:\n{screen}"
    );
    tmux.keys("a", &["q"]);
    tmux.wait_for("a", "EXITED:0");
}

/// Wait until the screen no longer shows `text`.
fn wait_until_gone(tmux: &Tmux, window: &str, text: &str) -> String {
    let start = Instant::now();
    loop {
        let screen = tmux.screen(window);
        if !screen.contains(text) {
            return screen;
        }
        if start.elapsed() > PATIENCE {
            panic!("`{text}` stayed on screen:\n{screen}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Wait until a plain file holds `text`.
fn wait_for_text_file(path: &Path, text: &str) {
    let start = Instant::now();
    loop {
        let content = std::fs::read_to_string(path).unwrap_or_default();
        if content.contains(text) {
            return;
        }
        if start.elapsed() > PATIENCE {
            panic!("{} never held `{text}`:\n{content}", path.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// CPU time (user + system) of a process so far, or `None` once it is gone or a zombie.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if fields.first() == Some(&"Z") {
        return None;
    }
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after `)`.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let hz = 100; // USER_HZ on Linux
    Some(Duration::from_millis(ticks * 1000 / hz))
}

#[test]
fn a_hang_up_with_a_check_that_ignores_sigterm_spins_no_core() {
    let Some(tmux) = Tmux::new("stubborn") else {
        return;
    };
    let sb = Sandbox::new();
    let pgid_file = sb.home.join("pgid");
    sb.write(
        "preflight.toml",
        &format!(
            "[[check]]\nid = \"stubborn\"\nwatch = [\"src/**\"]\nrun = \"trap '' TERM; echo $$ > {}; echo started; while :; do sleep 1; done\"\n",
            pgid_file.display()
        ),
    );
    sb.trust();
    tmux.open(&sb, "a", "");
    tmux.wait_for("a", "started");
    let pid = child_of(tmux.pane_pid("a"), "preflight");
    let pgid: i32 = wait_for_file(&pgid_file, "\n").trim().parse().unwrap();
    let before = cpu_time(pid).unwrap();
    let start = Instant::now();
    let mut last = before;
    tmux.tmux(&["kill-window", "-t", "pf:a"]);
    while let Some(now) = cpu_time(pid) {
        last = now;
        assert!(start.elapsed() < PATIENCE, "never exited");
        std::thread::sleep(Duration::from_millis(5));
    }
    let burnt = last.saturating_sub(before);
    assert!(
        burnt < Duration::from_millis(300),
        "{burnt:?} of CPU in {:?} after the hang-up",
        start.elapsed()
    );
    // The check's group, which ignores SIGTERM, is still ended (SIGKILL after the grace).
    while group_alive(pgid) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the check outlived the cockpit"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether any process of the group still runs (zombies do not count).
fn group_alive(pgid: i32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.get(2) == Some(&pgid.to_string().as_str()) && fields.first() != Some(&"Z")
    })
}

#[test]
fn the_mouse_selects_and_scrolls_and_y_copies_through_osc_52() {
    let Some(tmux) = Tmux::new("mouse") else {
        return;
    };
    let sb = sarif_sandbox();
    tmux.open(&sb, "a", "");
    let screen = tmux.wait_for_all("a", &["6 new", "1/6"]);
    let modes = || {
        tmux.tmux(&[
            "display",
            "-p",
            "-t",
            "pf:a",
            "#{mouse_sgr_flag}#{mouse_any_flag}",
        ])
    };
    assert_eq!(
        modes().trim(),
        "11",
        "the cockpit asked for SGR mouse reports"
    );
    tmux.tmux(&["set", "-g", "set-clipboard", "on"]);
    // The register's third row: two lines under its column header.
    let lines: Vec<&str> = screen.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.contains("ID ") && l.contains("SEV"))
        .unwrap_or_else(|| panic!("no register header:\n{screen}"));
    let third = header + 3;
    let id: String = lines[third]
        .split_whitespace()
        .find(|w| w.starts_with("PF-"))
        .unwrap_or_else(|| panic!("no id on line {third}:\n{screen}"))
        .to_string();
    // SGR mouse reports, 1-based: press and release of the left button.
    let at = format!("10;{}", third + 1);
    tmux.type_text("a", &format!("\x1b[<0;{at}M\x1b[<0;{at}m"));
    tmux.wait_for("a", "3/6");
    tmux.keys("a", &["y"]);
    tmux.wait_for("a", &format!("copied {id}"));
    let start = Instant::now();
    while tmux.tmux(&["show-buffer"]) != id {
        assert!(start.elapsed() < PATIENCE, "the clipboard never held {id}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The wheel scrolls the pane under the pointer: three rows a notch.
    tmux.type_text("a", &format!("\x1b[<65;{at}M"));
    tmux.wait_for("a", "6/6");
    tmux.type_text("a", &format!("\x1b[<64;{at}M"));
    tmux.wait_for("a", "3/6");
    // Quitting gives the mouse back to the terminal.
    tmux.keys("a", &["q"]);
    tmux.wait_for("a", "EXITED:0");
    assert_eq!(modes().trim(), "00");
}
