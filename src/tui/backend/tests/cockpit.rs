//! The real cockpit through the backend onto `vt100`: a register of 300 issues (some
//! titles wide: CJK, emoji), triaged, moved through and paged at random, each key's
//! writes landed as the app lands them, every frame compared cell by cell.

use super::emulated::Emulated;
use crate::config::{self, Source};
use crate::domain::finding::Severity;
use crate::domain::issue::{Issue, Status};
use crate::store::{actor_named, Store};
use crate::tui::app::work::{self, Author, Done};
use crate::tui::keymap::KeyMap;
use crate::tui::model::Model;
use crate::tui::theme::{ColorDepth, Theme};
use crate::tui::update::{update, Effect, Msg};
use crate::tui::view;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::VecDeque;
use std::path::Path;

const CONFIG: &str = "[[check]]\nid = \"test\"\nrun = \"true\"\n";

/// A cockpit on a register of 300 issues written to a temporary store.
struct Cockpit {
    _dir: tempfile::TempDir,
    store: Store,
    author: Author,
    model: Model,
}

impl Cockpit {
    fn new(width: u16, height: u16) -> Cockpit {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("issues"), dir.path().join("state/lock"));
        std::fs::create_dir_all(store.dir()).unwrap();
        let actor = actor_named("me".into());
        let titles = [
            "retry storm in the queue worker",
            "証明書の期限切れ: tls certificate expiry",
            "cache 🚀 stampede after deploy",
            "SQL built from a request parameter",
            "漢字のファイル名 breaks the upload",
        ];
        let issues: Vec<Issue> = (0..300)
            .map(|n| {
                let mut issue = Issue::new(
                    format!("PF-{n:05}"),
                    format!("{} (#{n})", titles[n % titles.len()]),
                    Severity::ALL[n % 5],
                    [Status::New, Status::Open, Status::InProgress][n % 3],
                    &actor,
                );
                issue.owner = (n % 4 == 0).then(|| "sam".into());
                issue.revision = 1;
                std::fs::write(store.path_of(&issue.id), toml::to_string(&issue).unwrap()).unwrap();
                issue
            })
            .collect();
        let config =
            config::load_str(CONFIG, Path::new("preflight.toml"), Source::Default).unwrap();
        let mut model = Model::new(config, KeyMap::default_map().unwrap());
        model.trusted = true;
        model.set_issues(issues);
        update(&mut model, Msg::Resize(width, height));
        Cockpit {
            _dir: dir,
            store,
            author: Author::named("me"),
            model,
        }
    }

    /// Press a key and land its writes as the app does.
    fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        let effects = update(&mut self.model, Msg::Key(KeyEvent::new(code, modifiers)));
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let Effect::Write { batch, write } = effect else {
                continue;
            };
            let before = self
                .model
                .issues
                .iter()
                .find(|i| i.id == write.id())
                .cloned()
                .map(Box::new);
            for done in work::write(&self.store, &self.author, batch, write, before) {
                if let Done::Msg(msg) = done {
                    queue.extend(update(&mut self.model, msg));
                }
            }
        }
    }
}

fn triage(width: u16, height: u16, theme: &str, depth: ColorDepth, seed: u64) -> Emulated {
    let theme = Theme::load(theme, depth).unwrap();
    let mut cockpit = Cockpit::new(width, height);
    let mut e = Emulated::new(width, height);
    let mut rng = fastrand::Rng::with_seed(seed);
    for _ in 0..80 {
        e.draw(|f| view::draw(f, &cockpit.model, &theme));
        cockpit.model.drawn();
        let (code, modifiers) = match rng.u8(0..20) {
            0..=5 => (KeyCode::Char('j'), KeyModifiers::NONE),
            6 | 7 => (KeyCode::Char('k'), KeyModifiers::NONE),
            8 => (KeyCode::Char('d'), KeyModifiers::CONTROL),
            9 => (KeyCode::Char('u'), KeyModifiers::CONTROL),
            10 => (KeyCode::Char('g'), KeyModifiers::NONE),
            n => (KeyCode::Char(char::from(b'1' + n % 5)), KeyModifiers::NONE),
        };
        cockpit.press(code, modifiers);
    }
    e
}

#[test]
fn the_register_triaged_at_random_shows_what_each_frame_asks() {
    for (width, height, theme, depth, seed) in [
        (160, 48, "dark", ColorDepth::TrueColor, 1),
        (80, 24, "dark", ColorDepth::Ansi256, 2),
        (120, 40, "light", ColorDepth::TrueColor, 3),
        (80, 24, "light", ColorDepth::Ansi16, 4),
    ] {
        let e = triage(width, height, theme, depth, seed);
        assert!(
            e.moved > 5,
            "{width}x{height} {theme}: lines were moved in {} frames",
            e.moved
        );
        assert!(
            e.sent < e.sent_plain,
            "{width}x{height} {theme}: moving lines sent {} bytes, painting {}",
            e.sent,
            e.sent_plain
        );
        eprintln!(
            "{width}x{height} {theme}: {} frames, lines moved in {}, {} bytes (painting: {})",
            e.frames, e.moved, e.sent, e.sent_plain
        );
    }
}
