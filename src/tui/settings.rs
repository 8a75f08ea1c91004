//! The user's own settings: `$XDG_CONFIG_HOME/preflight/config.toml` (theme, key
//! bindings). Personal taste lives here, never in the repository's preflight.toml.
//!
//! ```toml
//! theme = "light"            # dark, light, high-contrast, or a path to a theme file
//! mouse = false              # leave the mouse to the terminal (default: clicks select)
//! [keys.register]
//! X = "fixed"                # bind
//! x = "none"                 # unbind
//! ```

use super::keymap::{KeyMap, RawMap};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub theme: Option<String>,
    /// Capture the mouse (click selects, the wheel scrolls); `false` leaves it to the
    /// terminal, for selecting text.
    pub mouse: Option<bool>,
    #[serde(default)]
    pub keys: RawMap,
    /// Where they were read from (for messages); not a setting.
    #[serde(skip)]
    pub origin: Option<PathBuf>,
}

/// Where the settings file is.
pub fn path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("preflight").join("config.toml"))
}

impl Settings {
    /// Read the settings file; none is fine. A bad file is one line with
    /// file:line:column.
    pub fn load(path: Option<&Path>) -> Result<Settings, String> {
        let Some(path) = path else {
            return Ok(Settings::default());
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let mut settings: Settings = toml::from_str(&text).map_err(|e| {
            let (line, column) = crate::config::line_column(&text, e.span().map_or(0, |s| s.start));
            format!(
                "{}:{line}:{column}: {}",
                path.display(),
                e.message().lines().next().unwrap_or("")
            )
        })?;
        settings.origin = Some(path.to_path_buf());
        Ok(settings)
    }

    /// The default key map with the user's bindings over it.
    pub fn key_map(&self) -> Result<KeyMap, String> {
        let mut map = KeyMap::default_map()?;
        let origin = self
            .origin
            .as_ref()
            .map_or("settings".to_string(), |p| p.display().to_string());
        map.apply_tables(self.keys.clone(), &origin)?;
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::keymap::{Key, Scope};

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn user_bindings_override_the_defaults() {
        let (_dir, path) =
            write("theme = \"light\"\n[keys.register]\nX = \"fixed\"\nx = \"none\"\n");
        let settings = Settings::load(Some(&path)).unwrap();
        assert_eq!(settings.theme.as_deref(), Some("light"));
        let map = settings.key_map().unwrap();
        let key = |t| Key::parse(t).unwrap();
        assert_eq!(map.action(Scope::Register, &key("X")), Some(Action::Fixed));
        assert_eq!(map.action(Scope::Register, &key("x")), None);
        assert_eq!(map.action(Scope::Register, &key("a")), Some(Action::Accept));
    }

    #[test]
    fn a_missing_file_is_the_defaults_and_a_bad_one_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let none = Settings::load(Some(&dir.path().join("none.toml"))).unwrap();
        assert_eq!(none.theme, None);
        assert!(none.keys.is_empty());
        assert_eq!(none.origin, None);
        let defaults = KeyMap::default_map().unwrap();
        let map = none.key_map().unwrap();
        assert!(
            map.bindings().eq(defaults.bindings()),
            "no file: exactly the default key map"
        );
        let nowhere = Settings::load(None).unwrap();
        assert_eq!((nowhere.theme, nowhere.keys.len()), (None, 0));
        let (_dir, path) = write("theme = \"dark\"\ncolour = 3\n");
        let error = Settings::load(Some(&path)).unwrap_err();
        assert!(error.contains("config.toml:2:1"), "{error}");
        let (_dir, path) = write("[keys.register]\nx = \"fixd\"\n");
        let error = Settings::load(Some(&path)).unwrap().key_map().unwrap_err();
        assert!(error.contains("did you mean `fixed`"), "{error}");
    }
}
