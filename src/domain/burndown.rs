//! The register over time: open issues per severity per day, counted from snapshots
//! of the register. Pure: the git walk that finds the snapshots is `crate::git_burndown`,
//! so the counting rules can be tested without a repository.

use crate::domain::finding::Severity;
use crate::domain::issue::Issue;
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::collections::HashSet;

/// Open issues (`Status::is_open`) per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeverityCounts([usize; 5]);

impl SeverityCounts {
    /// Count the open issues among `issues`; closed ones are not counted.
    pub fn of<'a>(issues: impl IntoIterator<Item = &'a Issue>) -> SeverityCounts {
        let mut counts = SeverityCounts::default();
        for issue in issues.into_iter().filter(|i| i.status.is_open()) {
            counts.0[index(issue.severity)] += 1;
        }
        counts
    }

    /// Build from explicit numbers, critical first (tests and fixtures).
    pub fn from_array(counts: [usize; 5]) -> SeverityCounts {
        SeverityCounts(counts)
    }

    pub fn get(&self, severity: Severity) -> usize {
        self.0[index(severity)]
    }

    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }
}

fn index(severity: Severity) -> usize {
    match severity {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
        Severity::Info => 4,
    }
}

/// `{"critical": 1, "high": 0, …, "total": 3}`: the total is included so JSON readers
/// need not add it up.
impl Serialize for SeverityCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("SeverityCounts", 6)?;
        for severity in Severity::ALL {
            s.serialize_field(severity.as_str(), &self.get(severity))?;
        }
        s.serialize_field("total", &self.total())?;
        s.end()
    }
}

/// The register as it was at one commit.
#[derive(Debug, Clone)]
pub struct Snapshot<'a> {
    /// Commit time, seconds since the Unix epoch (UTC).
    pub at: i64,
    pub issues: Vec<&'a Issue>,
}

/// Open issues at the end of one day (UTC).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DayCount {
    /// YYYY-MM-DD.
    pub day: String,
    #[serde(flatten)]
    pub open: SeverityCounts,
}

/// One data point per UTC day: the counts of that day's last snapshot.
///
/// `snapshots` come newest first (the order of a walk back from HEAD), so the first
/// one seen for a day is its last; commit times that go backwards along the history
/// therefore cannot make an older state win. The result is oldest day first.
pub fn per_day(snapshots: &[Snapshot]) -> Vec<DayCount> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut days: Vec<DayCount> = snapshots
        .iter()
        .filter_map(|snap| {
            let day = utc_day(snap.at);
            seen.insert(day.clone()).then(|| DayCount {
                day,
                open: SeverityCounts::of(snap.issues.iter().copied()),
            })
        })
        .collect();
    days.sort_by(|a, b| a.day.cmp(&b.day));
    days
}

/// The UTC calendar day (YYYY-MM-DD) of a Unix time, any sign.
pub fn utc_day(secs: i64) -> String {
    // Howard Hinnant's days-to-civil: exact for the proleptic Gregorian calendar.
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(id: &str, severity: &str, status: &str) -> Issue {
        toml::from_str(&format!(
            "id = \"{id}\"\ntitle = \"t\"\nseverity = \"{severity}\"\nstatus = \"{status}\"\ncreated = \"2026-01-01T00:00:00Z\"\nupdated = \"2026-01-01T00:00:00Z\"\n"
        ))
        .unwrap()
    }

    #[test]
    fn days_are_utc_calendar_days() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(-1), "1969-12-31");
        assert_eq!(utc_day(951_782_400), "2000-02-29");
        assert_eq!(utc_day(1_800_000_000), "2027-01-15");
        assert_eq!(
            utc_day(1_800_000_000 - 1_800_000_000 % 86_400 - 1),
            "2027-01-14"
        );
    }

    #[test]
    fn only_open_issues_count_and_the_total_is_serialised() {
        let issues = [
            issue("A", "critical", "new"),
            issue("B", "critical", "verified"),
            issue("C", "high", "fixed"),
            issue("D", "low", "dismissed"),
            issue("E", "info", "in-progress"),
        ];
        let counts = SeverityCounts::of(&issues);
        assert_eq!(counts, SeverityCounts::from_array([1, 1, 0, 0, 1]));
        assert_eq!(counts.total(), 3);
        let json = serde_json::to_value(DayCount {
            day: "2026-01-01".into(),
            open: counts,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"day": "2026-01-01", "critical": 1, "high": 1,
                "medium": 0, "low": 0, "info": 1, "total": 3})
        );
    }

    #[test]
    fn the_last_snapshot_of_each_day_wins_and_days_come_oldest_first() {
        let open = issue("A", "high", "open");
        let fixed = issue("A", "high", "verified");
        let other = issue("B", "medium", "new");
        let day = 86_400 * 20_000;
        // Newest first, as walked back from HEAD.
        let snapshots = [
            Snapshot {
                at: day + 86_400 + 10,
                issues: vec![&fixed, &other],
            },
            Snapshot {
                at: day + 7_200,
                issues: vec![&fixed],
            },
            Snapshot {
                at: day + 3_600,
                issues: vec![&open],
            },
            // A commit dated later on the same day but older in history: ignored.
            Snapshot {
                at: day + 80_000,
                issues: vec![&open, &other],
            },
        ];
        let days = per_day(&snapshots);
        let counts: Vec<(String, usize, usize)> = days
            .iter()
            .map(|d| (d.day.clone(), d.open.get(Severity::High), d.open.total()))
            .collect();
        assert_eq!(
            counts,
            vec![(utc_day(day), 0, 0), (utc_day(day + 86_400), 0, 1),]
        );
    }
}
