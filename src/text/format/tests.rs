use super::*;
use test_case::test_case;

#[test_case(340, "0.3s" ; "under a second")]
#[test_case(9_950, "9.9s" ; "just under ten seconds")]
#[test_case(12_000, "12s" ; "seconds")]
#[test_case(242_000, "4m 02s" ; "minutes pad seconds")]
#[test_case(3_900_000, "1h 05m" ; "hours pad minutes")]
#[test_case(u64::MAX, "5124095576030h 25m" ; "the longest duration does not panic")]
fn durations_read_naturally(millis: u64, text: &str) {
    assert_eq!(human_duration(Duration::from_millis(millis)), text);
}

#[test_case(0, "0m" ; "now")]
#[test_case(300, "5m" ; "minutes")]
#[test_case(3 * 3600, "3h" ; "hours")]
#[test_case(3 * 86_400, "3d" ; "days")]
#[test_case(13 * 86_400, "13d" ; "days up to two weeks")]
#[test_case(30 * 86_400, "4w" ; "weeks after")]
#[test_case(u64::MAX, "30500568904943w" ; "the longest age does not panic")]
fn short_ages_read_naturally(secs: u64, text: &str) {
    assert_eq!(short_age(Duration::from_secs(secs)), text);
}

#[test_case("2026-11-01T00:00:00Z", 300, "5m" ; "from a timestamp")]
#[test_case("2026-11-01T00:00:00Z", -300, "0m" ; "a future timestamp is now")]
#[test_case("garbage", 0, "?" ; "unreadable")]
#[test_case("", 0, "?" ; "empty")]
fn ages_since_a_time(since: &str, offset: i64, text: &str) {
    let base = humantime::parse_rfc3339("2026-11-01T00:00:00Z").unwrap();
    let now = if offset >= 0 {
        base + Duration::from_secs(offset.unsigned_abs())
    } else {
        base - Duration::from_secs(offset.unsigned_abs())
    };
    assert_eq!(age(since, now), text);
}

#[test_case("short", 10, "short" ; "short text is kept")]
#[test_case("a long title here", 8, "a long …" ; "cut with an ellipsis")]
#[test_case("exact", 5, "exact" ; "exactly fits")]
#[test_case("abc", 0, "" ; "no room")]
#[test_case("abc", 1, "…" ; "room for the ellipsis only")]
#[test_case("数据库连接失败", 7, "数据库…" ; "wide characters count two columns")]
#[test_case("数据库连接", 10, "数据库连接" ; "wide text that fits")]
#[test_case("e\u{301}e\u{301}e\u{301}", 3, "e\u{301}e\u{301}e\u{301}" ; "combining marks take no room")]
fn clip_counts_columns_and_fit_pads_to_them(text: &str, width: usize, clipped: &str) {
    let out = clip(text, width);
    assert_eq!(out, clipped);
    assert!(out.width() <= width, "{out:?} is wider than {width}");
    assert_eq!(fit(text, width).width(), width, "{text:?} fit to {width}");
}

#[test_case("Filter (register: text, sev:high, status:new, owner:x, blocker)", 30, &["Filter (register: text,", "sev:high, status:new, owner:x,", "blocker)"] ; "words move to the next line")]
#[test_case("short", 30, &["short"] ; "one line")]
#[test_case("", 30, &[""] ; "empty is one empty line")]
#[test_case("a verylongword", 5, &["a", "very…"] ; "a long word is clipped")]
#[test_case("数据库 连接", 6, &["数据库", "连接"] ; "wide characters count two")]
fn wrap_fills_lines_by_columns(text: &str, width: usize, lines: &[&str]) {
    let wrapped = wrap(text, width);
    assert_eq!(wrapped, lines);
    assert!(wrapped.iter().all(|l| l.width() <= width), "{wrapped:?}");
}
