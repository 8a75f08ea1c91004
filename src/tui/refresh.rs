//! The header's repository facts (branch, commit, dirty files), read again after files
//! change, so that the header tells the truth without a timer. `git status` walks the
//! tree, so it runs off the loop, after a short quiet time, one read at a time, with
//! at most one more queued behind it however many changes come meanwhile (gitui's
//! single pending slot).

use super::update::Msg;
use crate::repo::Repo;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// Quiet time before a read: an editor's save or a checkout's bursts count once.
const QUIET: Duration = Duration::from_millis(250);

/// Invariant: at most one read in flight, and `again` only while one is.
#[derive(Debug, Default)]
pub struct HeadRefresh {
    busy: bool,
    again: bool,
}

impl HeadRefresh {
    /// Files changed: read the facts again soon. The result comes back as `Msg::Head`.
    pub fn request<T: From<Msg> + Send + 'static>(
        &mut self,
        repo: &Repo,
        back: &UnboundedSender<T>,
    ) {
        if self.busy {
            self.again = true;
            return;
        }
        self.busy = true;
        let repo = repo.clone();
        let back = back.clone();
        tokio::spawn(async move {
            tokio::time::sleep(QUIET).await;
            let head = tokio::task::spawn_blocking(move || repo.head())
                .await
                .ok()
                .flatten();
            let _ = back.send(T::from(Msg::Head(head)));
        });
    }

    /// A read came back: start the one queued behind it, if any.
    pub fn done<T: From<Msg> + Send + 'static>(&mut self, repo: &Repo, back: &UnboundedSender<T>) {
        self.busy = false;
        if std::mem::take(&mut self.again) {
            self.request(repo, back);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc::unbounded_channel;

    #[tokio::test]
    async fn many_changes_make_one_read_and_one_queued_behind_it() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo {
            root: dir.path().into(),
            canonical_root: dir.path().into(),
            git_dir: None,
            state_dir: dir.path().join("state"),
            sharing: crate::sharing::Sharing::Umask,
        };
        let (back, mut backs) = unbounded_channel();
        let mut refresh = HeadRefresh::default();
        for _ in 0..50 {
            refresh.request(&repo, &back);
        }
        let mut reads = 0;
        while let Ok(Some(msg)) = tokio::time::timeout(QUIET * 8, backs.recv()).await {
            assert!(matches!(msg, Msg::Head(None)), "not a git repository");
            reads += 1;
            refresh.done(&repo, &back);
        }
        assert_eq!(reads, 2, "one read, then one for what came meanwhile");
        assert!(!refresh.busy && !refresh.again);
    }
}
