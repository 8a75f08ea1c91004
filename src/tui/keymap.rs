//! Keys → named actions, as data. The default map is `keys.toml`; users override any
//! subset. The help overlay and the command palette are generated from
//! [`Action::ALL`] and the map, so they can never disagree with what the keys do.

use super::action::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

/// The default key map.
pub const DEFAULT: &str = include_str!("keys.toml");

/// Where a binding applies: a pane, or everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Global,
    Plan,
    Checks,
    Output,
    Register,
}

impl Scope {
    pub const ALL: [Scope; 5] = [
        Scope::Global,
        Scope::Plan,
        Scope::Checks,
        Scope::Output,
        Scope::Register,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Plan => "plan",
            Scope::Checks => "checks",
            Scope::Output => "output",
            Scope::Register => "register",
        }
    }
}

/// What a key map says to unbind a key.
const UNBIND: &str = "none";

/// A key as pressed: code plus modifiers (shift is folded into letters and BackTab).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
    alt: bool,
}

/// `KeyCode` is not `Ord`; this is the part of it key maps can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(&'static str),
}

const NAMED: [(&str, KeyCode); 13] = [
    ("enter", KeyCode::Enter),
    ("tab", KeyCode::Tab),
    ("shift-tab", KeyCode::BackTab),
    ("esc", KeyCode::Esc),
    ("backspace", KeyCode::Backspace),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
];

impl Key {
    /// Parse `q`, `G`, `?`, `ctrl-c`, `alt-x`, `shift-tab`, `space`, `f5`, `pgdn`…
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut rest = text.trim();
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("m-"))
            {
                alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-").filter(|r| *r != "tab") {
                shift = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "backtab" => "shift-tab",
            "return" => "enter",
            "escape" => "esc",
            "pageup" => "pgup",
            "pagedown" => "pgdn",
            other => other,
        };
        let code = if alias == "space" {
            KeyCodeOrd::Char(' ')
        } else if let Some((name, _)) = NAMED.iter().find(|(n, _)| *n == alias) {
            KeyCodeOrd::Named(name)
        } else if let Some(n) = alias.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            KeyCodeOrd::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCodeOrd::Char(if shift { c.to_ascii_uppercase() } else { c }),
                _ => return Err(format!("unknown key `{text}`")),
            }
        };
        Ok(Key { code, ctrl, alt })
    }

    /// The key of a terminal event.
    pub fn from_event(event: &KeyEvent) -> Option<Key> {
        let code = match event.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            other => NAMED
                .iter()
                .find(|(_, k)| *k == other)
                .map(|(n, _)| KeyCodeOrd::Named(n))?,
        };
        Some(Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// How help shows it: `q`, `ctrl-c`, `shift-tab`, `space`.
    pub fn label(&self) -> String {
        let mut out = String::new();
        if self.ctrl {
            out.push_str("ctrl-");
        }
        if self.alt {
            out.push_str("alt-");
        }
        match self.code {
            KeyCodeOrd::Char(' ') => out.push_str("space"),
            KeyCodeOrd::Char(c) => out.push(c),
            KeyCodeOrd::F(n) => out.push_str(&format!("f{n}")),
            KeyCodeOrd::Named(name) => out.push_str(name),
        }
        out
    }

    /// Bare Esc and Alt chords arrive late or mangled through tmux over SSH.
    pub fn is_unreliable(&self) -> bool {
        self.alt || self.code == KeyCodeOrd::Named("esc")
    }
}

/// A key map: per scope, key → action. Invariant: a key is bound at most once per
/// scope (aliases included), so what a key does never depends on table order.
#[derive(Debug, Clone, Default)]
pub struct KeyMap {
    scopes: BTreeMap<Scope, BTreeMap<Key, Action>>,
}

/// Scope name → key → action name, as written in TOML.
pub type RawMap = BTreeMap<String, BTreeMap<String, String>>;

impl KeyMap {
    /// The built-in map.
    pub fn default_map() -> Result<KeyMap, String> {
        let mut map = KeyMap::default();
        map.apply(DEFAULT, "the default key map")?;
        Ok(map)
    }

    /// Apply a user's `[keys]` tables over this map (a key bound to "none" is unbound).
    pub fn apply(&mut self, text: &str, origin: &str) -> Result<(), String> {
        let raw: RawMap = toml::from_str(text).map_err(|e| {
            let (line, column) = crate::config::line_column(text, e.span().map_or(0, |s| s.start));
            format!(
                "{origin}:{line}:{column}: {}",
                e.message().lines().next().unwrap_or("")
            )
        })?;
        self.apply_tables(raw, origin)
    }

    /// Apply already-parsed `[keys.<scope>]` tables (from the user's config file).
    pub fn apply_tables(&mut self, raw: RawMap, origin: &str) -> Result<(), String> {
        for (scope_name, bindings) in raw {
            let scope = Scope::ALL
                .into_iter()
                .find(|s| s.name() == scope_name)
                .ok_or_else(|| format!("{origin}: unknown key scope [{scope_name}] (global, plan, checks, output, register)"))?;
            let mut seen: BTreeMap<Key, &str> = BTreeMap::new();
            for (key_text, action) in &bindings {
                let key =
                    Key::parse(key_text).map_err(|e| format!("{origin}: [{scope_name}] {e}"))?;
                if let Some(other) = seen.insert(key, key_text) {
                    return Err(format!(
                        "{origin}: [{scope_name}] `{key_text}` and `{other}` are the same key"
                    ));
                }
                let table = self.scopes.entry(scope).or_default();
                if action == UNBIND {
                    table.remove(&key);
                    continue;
                }
                let action: Action = action
                    .parse()
                    .map_err(|e| format!("{origin}: [{scope_name}] `{key_text}` = {e}"))?;
                table.insert(key, action);
            }
        }
        Ok(())
    }

    /// The action a key does in a pane: the pane's own binding, else the global one.
    pub fn action(&self, scope: Scope, key: &Key) -> Option<Action> {
        self.scopes
            .get(&scope)
            .and_then(|t| t.get(key))
            .or_else(|| self.scopes.get(&Scope::Global).and_then(|t| t.get(key)))
            .copied()
    }

    /// Help for one scope: each action bound there, with its keys (`q ctrl-c`).
    pub fn help(&self, scope: Scope) -> Vec<(String, Action)> {
        let Some(table) = self.scopes.get(&scope) else {
            return Vec::new();
        };
        Action::ALL
            .iter()
            .filter_map(|action| {
                let mut keys: Vec<&Key> = table
                    .iter()
                    .filter(|(_, a)| *a == action)
                    .map(|(k, _)| k)
                    .collect();
                // Plain characters first, then named keys, then chords: `q ctrl-c`.
                keys.sort_by_key(|k| {
                    (
                        k.ctrl || k.alt,
                        !matches!(k.code, KeyCodeOrd::Char(_)),
                        k.label(),
                    )
                });
                let keys: Vec<String> = keys.into_iter().map(Key::label).collect();
                (!keys.is_empty()).then(|| (keys.join(" "), *action))
            })
            .collect()
    }

    /// The first key bound to `action` (global scope first, then the panes), for hints.
    pub fn key_for(&self, action: Action) -> Option<String> {
        Scope::ALL.iter().find_map(|scope| {
            self.help(*scope)
                .into_iter()
                .find(|(_, a)| *a == action)
                .and_then(|(keys, _)| keys.split(' ').next().map(str::to_string))
        })
    }

    /// Every binding, for tests and the palette.
    pub fn bindings(&self) -> impl Iterator<Item = (Scope, &Key, Action)> {
        self.scopes
            .iter()
            .flat_map(|(scope, table)| table.iter().map(move |(k, a)| (*scope, k, *a)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    #[test]
    fn the_default_map_parses_binds_every_action_and_avoids_esc_and_alt() {
        let map = KeyMap::default_map().unwrap();
        for action in Action::ALL {
            assert!(
                map.bindings().any(|(_, _, a)| a == *action),
                "no key for {action}"
            );
        }
        for (scope, key, action) in map.bindings() {
            assert!(!key.is_unreliable(), "{scope:?} {} → {action}", key.label());
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope_even_through_aliases() {
        let err = KeyMap::default_map()
            .unwrap()
            .apply(
                "[global]\nshift-tab = \"quit\"\nbacktab = \"help\"\n",
                "config.toml",
            )
            .unwrap_err();
        assert!(err.contains("are the same key"), "{err}");
        let err = KeyMap::default()
            .apply(
                "[register]\nG = \"top\"\nshift-g = \"bottom\"\n",
                "config.toml",
            )
            .unwrap_err();
        assert!(err.contains("are the same key"), "{err}");
    }

    #[test]
    fn pane_bindings_come_before_global_ones() {
        let map = KeyMap::default_map().unwrap();
        let n = Key::parse("n").unwrap();
        assert_eq!(map.action(Scope::Register, &n), Some(Action::NewIssue));
        assert_eq!(map.action(Scope::Checks, &n), None);
        let q = Key::parse("q").unwrap();
        assert_eq!(map.action(Scope::Register, &q), Some(Action::Quit));
    }

    #[test]
    fn users_override_a_subset_and_can_unbind() {
        let mut map = KeyMap::default_map().unwrap();
        map.apply("[register]\nD = \"dismiss\"\nd = \"none\"\n", "config.toml")
            .unwrap();
        assert_eq!(
            map.action(Scope::Register, &Key::parse("D").unwrap()),
            Some(Action::Dismiss)
        );
        assert_eq!(map.action(Scope::Register, &Key::parse("d").unwrap()), None);
        assert_eq!(
            map.action(Scope::Register, &Key::parse("a").unwrap()),
            Some(Action::Accept)
        );
        let err = map
            .apply("[register]\nz = \"dismis\"\n", "config.toml")
            .unwrap_err();
        assert!(err.ends_with("did you mean `dismiss`?"), "{err}");
        assert!(map
            .apply("[pane]\nz = \"quit\"\n", "c")
            .unwrap_err()
            .contains("unknown key scope"));
    }

    #[test_case("q", Ok("q") ; "a letter")]
    #[test_case("G", Ok("G") ; "a capital")]
    #[test_case("shift-g", Ok("G") ; "shift makes a capital")]
    #[test_case("?", Ok("?") ; "punctuation")]
    #[test_case("ctrl-c", Ok("ctrl-c") ; "ctrl")]
    #[test_case("C-c", Ok("ctrl-c") ; "emacs ctrl")]
    #[test_case("M-x", Ok("alt-x") ; "emacs meta")]
    #[test_case("ctrl-alt-x", Ok("ctrl-alt-x") ; "two modifiers")]
    #[test_case("space", Ok("space") ; "space")]
    #[test_case("backtab", Ok("shift-tab") ; "backtab alias")]
    #[test_case("shift-tab", Ok("shift-tab") ; "shift-tab")]
    #[test_case("Return", Ok("enter") ; "return alias in any case")]
    #[test_case("pagedown", Ok("pgdn") ; "page down alias")]
    #[test_case("f5", Ok("f5") ; "a function key")]
    #[test_case("  j  ", Ok("j") ; "spaces around")]
    #[test_case("é", Ok("é") ; "a non-ascii letter")]
    #[test_case("f999", Err("unknown key `f999`".into()) ; "a function key past u8")]
    #[test_case("hyper-q", Err("unknown key `hyper-q`".into()) ; "an unknown modifier")]
    #[test_case("", Err("unknown key ``".into()) ; "empty")]
    #[test_case("ctrl-", Err("unknown key `ctrl-`".into()) ; "a modifier alone")]
    #[test_case("qq", Err("unknown key `qq`".into()) ; "two letters")]
    fn keys_parse(text: &str, label: Result<&str, String>) {
        assert_eq!(
            Key::parse(text).map(|k| k.label()),
            label.map(str::to_string)
        );
    }

    #[test]
    fn keys_parse_from_text_and_from_events() {
        assert_eq!(Key::parse("C-c").unwrap(), Key::parse("ctrl-c").unwrap());
        assert_eq!(Key::parse("shift-g").unwrap(), Key::parse("G").unwrap());
        let event = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            Key::from_event(&event),
            Some(Key::parse("shift-tab").unwrap())
        );
        let event = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(Key::from_event(&event), Some(Key::parse("ctrl-c").unwrap()));
    }

    #[test]
    fn help_is_generated_from_the_map() {
        let map = KeyMap::default_map().unwrap();
        let help = map.help(Scope::Global);
        assert!(
            help.contains(&("j down".to_string(), Action::Down)),
            "{help:?}"
        );
        assert!(help.contains(&("q".to_string(), Action::Quit)), "{help:?}");
        assert_eq!(map.key_for(Action::Trust).as_deref(), Some("T"));
        assert_eq!(map.key_for(Action::Dismiss).as_deref(), Some("d"));
    }
}
