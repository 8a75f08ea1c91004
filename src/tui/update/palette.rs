//! The `:` palette: every action by name, matched as typed.

use super::*;

/// Palette entries matching `input`: (action, key, description), best first: a name
/// equal to the input, then names starting with it, then any other match.
pub fn palette_matches(model: &Model, input: &str) -> Vec<(&'static str, String, &'static str)> {
    let query = input.trim().to_lowercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut found: Vec<(u8, usize, &'static str, &'static str)> = ACTIONS
        .iter()
        .enumerate()
        .filter(|(_, (name, description))| {
            let hay = format!("{name} {description}").to_lowercase();
            words.iter().all(|w| hay.contains(w))
        })
        .map(|(order, (name, description))| {
            let rank = if *name == query {
                0
            } else if name.starts_with(&query) {
                1
            } else if name.contains(&query) {
                2
            } else {
                3
            };
            (rank, order, *name, *description)
        })
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|(_, _, name, description)| {
            (name, key_for(model, name).unwrap_or_default(), description)
        })
        .collect()
}
