//! Which checks a change affects: their `watch` globs match a changed path; a check
//! without globs is affected by any change.

use crate::domain::check::CheckSpec;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// The checks' globs, compiled once per configuration.
pub struct Triggers {
    sets: Vec<(String, Option<GlobSet>)>,
}

impl Triggers {
    pub fn new(checks: &[CheckSpec]) -> Triggers {
        let sets = checks
            .iter()
            .map(|c| {
                let set = (!c.watch.is_empty()).then(|| {
                    let mut builder = GlobSetBuilder::new();
                    for glob in &c.watch {
                        // Validated when the configuration was loaded.
                        if let Ok(g) = GlobBuilder::new(glob).literal_separator(true).build() {
                            builder.add(g);
                        }
                    }
                    builder.build().unwrap_or_else(|_| GlobSet::empty())
                });
                (c.id.clone(), set)
            })
            .collect();
        Triggers { sets }
    }

    /// Whether `check` has no `watch` globs: any change re-runs it.
    pub fn watches_everything(&self, check: &str) -> bool {
        self.sets
            .iter()
            .any(|(id, set)| id == check && set.is_none())
    }

    /// For each affected check (in configuration order), every changed path that
    /// triggers it. `changed` are paths relative to the repository root.
    pub fn affected_by<'a>(&self, changed: &'a [PathBuf]) -> Vec<(String, Vec<&'a Path>)> {
        self.sets
            .iter()
            .filter_map(|(id, set)| {
                let paths: Vec<&Path> = changed
                    .iter()
                    .filter(|p| set.as_ref().is_none_or(|set| set.is_match(p)))
                    .map(PathBuf::as_path)
                    .collect();
                (!paths.is_empty()).then(|| (id.clone(), paths))
            })
            .collect()
    }

    /// For each affected check (in configuration order), the first changed path that
    /// triggers it. `changed` are paths relative to the repository root.
    pub fn affected<'a>(&self, changed: &'a [PathBuf]) -> Vec<(String, &'a Path)> {
        let Some(first) = changed.first() else {
            return Vec::new();
        };
        self.sets
            .iter()
            .filter_map(|(id, set)| match set {
                None => Some((id.clone(), first.as_path())),
                Some(set) => changed
                    .iter()
                    .find(|p| set.is_match(p))
                    .map(|p| (id.clone(), p.as_path())),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load_str, Source};

    #[test]
    fn globs_pick_the_checks_a_change_affects() {
        let config = load_str(
            r#"
[[check]]
id = "rust"
run = "x"
watch = ["**/*.rs", "Cargo.toml"]
[[check]]
id = "web"
run = "x"
watch = ["web/**"]
[[check]]
id = "any"
run = "x"
"#,
            Path::new("p"),
            Source::Default,
        )
        .unwrap();
        let triggers = Triggers::new(&config.checks);
        /// Changed paths, and the (check, trigger) pairs they should start.
        type Case = (
            &'static [&'static str],
            &'static [(&'static str, &'static str)],
        );
        let table: &[Case] = &[
            (
                &["src/main.rs"],
                &[("rust", "src/main.rs"), ("any", "src/main.rs")],
            ),
            (&["main.rs"], &[("rust", "main.rs"), ("any", "main.rs")]),
            (
                &["README.md", "web/app.ts"],
                &[("web", "web/app.ts"), ("any", "README.md")],
            ),
            (
                &["Cargo.toml"],
                &[("rust", "Cargo.toml"), ("any", "Cargo.toml")],
            ),
            (&["docs/x.md"], &[("any", "docs/x.md")]),
            (&[], &[]),
        ];
        for (changed, expected) in table {
            let changed: Vec<PathBuf> = changed.iter().map(PathBuf::from).collect();
            let got: Vec<(String, String)> = triggers
                .affected(&changed)
                .into_iter()
                .map(|(id, p)| (id, p.display().to_string()))
                .collect();
            let want: Vec<(String, String)> = expected
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            assert_eq!(got, want, "{changed:?}");
        }
    }
}
