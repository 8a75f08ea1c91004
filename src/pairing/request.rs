//! Re-run requests: a follower asks the runner to run a check again by leaving
//! `requests/<check>.json` in local state; the runner takes it (renamed away first,
//! so a request written meanwhile is kept for the next take) and runs the check.
//!
//! A request names the run its asker saw (`after`, the board's `seq`). The runner
//! runs the check only if no run started since ([`wanted`]): two people pressing `r`
//! at once get one run, and a request that arrives after the runner's own `r` is
//! already served.

use super::board::write_replacing;
use crate::fsutil::{self, Links};
use crate::sharing::Sharing;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The requests' folder in local state.
pub const REQUESTS_DIR: &str = "requests";
/// Largest request read.
const MAX_REQUEST: u64 = 4096;

/// One check to run again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub check: String,
    /// The last run of the check its asker saw (0: none).
    pub after: u64,
    /// Who asks: `ana@box (1234)`.
    pub by: String,
}

/// Whether `request` still wants a run, with the check's latest run at `current`.
pub fn wanted(request: &Request, current: u64) -> bool {
    current <= request.after
}

/// The requests folder of a repository's local state.
#[derive(Debug, Clone)]
pub struct Requests {
    dir: PathBuf,
    sharing: Sharing,
}

impl Requests {
    pub fn new(state_dir: &Path, sharing: Sharing) -> Requests {
        Requests {
            dir: state_dir.join(REQUESTS_DIR),
            sharing,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Leave a request (replacing an earlier one for the same check).
    pub fn write(&self, request: &Request) -> std::io::Result<()> {
        let text = serde_json::to_vec(request).map_err(std::io::Error::other)?;
        let path = self.dir.join(format!("{}.json", request.check));
        write_replacing(&self.dir, &path, &text, self.sharing)
    }

    /// Take every request waiting (they are removed).
    pub fn take(&self) -> Vec<Request> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut taken = Vec::new();
        for entry in entries.flatten().take(super::board::MAX_LISTED) {
            let path = entry.path();
            let Some(check) = super::board::Board::check_of(&path) else {
                continue;
            };
            // Claimed by a rename: a request written after it is a new file.
            let claimed = self.dir.join(format!(
                ".{check}.{}.{}.taken",
                std::process::id(),
                fastrand::u32(..)
            ));
            if std::fs::rename(&path, &claimed).is_err() {
                continue;
            }
            let request = read(&claimed).filter(|r| r.check == check);
            let _ = std::fs::remove_file(&claimed);
            taken.extend(request);
        }
        taken.sort_by(|a, b| a.check.cmp(&b.check));
        taken
    }
}

/// A request another account may have written: only a regular file of at most
/// [`MAX_REQUEST`] bytes, its asker's name cleaned (one short line).
fn read(path: &Path) -> Option<Request> {
    let text = fsutil::read_regular(path, MAX_REQUEST, Links::Refuse).ok()?;
    let mut request: Request = serde_json::from_slice(&text).ok()?;
    request.by = super::board::short_line(&request.by);
    Some(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(check: &str, after: u64, by: &str) -> Request {
        Request {
            check: check.into(),
            after,
            by: by.into(),
        }
    }

    #[test]
    fn two_askers_of_one_run_make_one_request() {
        let dir = tempfile::tempdir().unwrap();
        let requests = Requests::new(dir.path(), Sharing::Umask);
        assert!(requests.take().is_empty());
        requests.write(&ask("lint", 4, "ana@box (1)")).unwrap();
        requests.write(&ask("lint", 4, "sam@box (2)")).unwrap();
        requests.write(&ask("test", 0, "sam@box (2)")).unwrap();
        let taken = requests.take();
        assert_eq!(taken.len(), 2, "{taken:?}");
        assert_eq!(taken[0].check, "lint");
        assert_eq!(taken[1].check, "test");
        // Taken means gone, and nothing is left beside.
        assert!(requests.take().is_empty());
        assert_eq!(std::fs::read_dir(requests.dir()).unwrap().count(), 0);
    }

    #[test]
    fn a_request_is_served_once_whoever_asks_first() {
        // Both saw run 4. The first request starts run 5; the second then wants nothing.
        let first = ask("lint", 4, "ana@box (1)");
        let second = ask("lint", 4, "sam@box (2)");
        assert!(wanted(&first, 4));
        assert!(!wanted(&second, 5));
        // Someone who saw run 5 and asks again does get a run.
        assert!(wanted(&ask("lint", 5, "sam@box (2)"), 5));
    }

    #[test]
    fn garbage_and_foreign_requests_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let requests = Requests::new(dir.path(), Sharing::Umask);
        std::fs::create_dir_all(requests.dir()).unwrap();
        std::fs::write(requests.dir().join("lint.json"), "not json").unwrap();
        std::fs::write(
            requests.dir().join("fmt.json"),
            r#"{"check":"test","after":1,"by":"x"}"#,
        )
        .unwrap();
        assert!(requests.take().is_empty());
        assert_eq!(std::fs::read_dir(requests.dir()).unwrap().count(), 0);
    }
}
