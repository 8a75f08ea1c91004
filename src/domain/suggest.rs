//! "Did you mean …?": the likely intended name for a typo, among the names known.
//! Pure, so the domain's own parsers (triage assignments) can say it too.

/// The closest of `candidates` to `word`, if close enough to be a likely typo: a
/// transposition or a slip of one key in three, or a long shared prefix.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let allowed = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| {
            (
                strsim::osa_distance(word, c),
                strsim::jaro_winkler(word, c),
                c,
            )
        })
        .filter(|(distance, similarity, _)| *distance <= allowed || *similarity >= 0.88)
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    #[test_case("dismis", Some("dismiss") ; "a missing letter")]
    #[test_case("sevirity", Some("severity") ; "a slip of one key")]
    #[test_case("owenr", Some("owner") ; "a transposition")]
    #[test_case("zzz", None ; "nothing close")]
    #[test_case("owner", None ; "the word itself is not a suggestion")]
    #[test_case("", None ; "empty")]
    fn suggests_close_names_only(word: &str, expected: Option<&str>) {
        let known = ["dismiss", "severity", "owner", "status"];
        assert_eq!(did_you_mean(word, known), expected);
    }
}
