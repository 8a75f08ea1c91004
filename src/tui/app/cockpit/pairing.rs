//! The cockpit among the others on its repository: what it does with a re-run key,
//! with trust granted, and with what the other cockpits did.

use super::Cockpit;
use crate::pairing::{Holder, Seen};
use crate::tui::model::Runner;
use crate::tui::update::Msg;

impl Cockpit {
    /// `r`/`R`: the runner runs what no one re-ran since it was shown; a follower
    /// asks the runner to.
    pub(super) fn rerun(&mut self, checks: &[(String, u64)], trigger: &str) -> Vec<Msg> {
        if self.pairing.is_runner() {
            let wanted = self.pairing.still_wanted(checks);
            if wanted.is_empty() {
                return vec![Msg::tell("already re-run since shown: nothing more to run")];
            }
            return self.start(&wanted, trigger);
        }
        self.pairing.ask(checks);
        let names: Vec<&str> = checks.iter().map(|(c, _)| c.as_str()).collect();
        let who = match &self.model.runner {
            Runner::Other(label) => label.clone(),
            Runner::Me | Runner::Nobody => "the next runner".into(),
        };
        let what = if names.len() > 3 {
            format!("{} checks", names.len())
        } else {
            names.join(", ")
        };
        vec![Msg::tell(format!("asked {who} to re-run {what}"))]
    }

    /// Trust was granted: run the checks if nobody does, else follow the runner.
    pub(super) fn claim(&mut self) -> Vec<Msg> {
        if self.pairing.claim() {
            let checks: Vec<String> = self.ws.config.checks.iter().map(|c| c.id.clone()).collect();
            let mut msgs = vec![Msg::Runner(Runner::Me)];
            msgs.extend(self.start(&checks, "trusted"));
            msgs
        } else {
            match self.pairing.unavailable() {
                Some(why) => vec![Msg::warn(format!(
                    "{why}: this cockpit can follow the runner, not run the checks"
                ))],
                None => vec![Msg::tell(
                    "trusted: another cockpit runs the checks; this one takes over when it goes",
                )],
            }
        }
    }

    /// What the other cockpits did.
    pub(super) fn on_seen(&mut self, seen: Seen) -> Vec<Msg> {
        match seen {
            Seen::Entry { entry, output } => {
                if self.pairing.is_runner() {
                    return Vec::new();
                }
                self.pairing.saw(&entry);
                vec![Msg::Board { entry, output }]
            }
            // The lock just taken by this cockpit's own waiting thread (its hand-over
            // arrives on its own channel).
            Seen::Runner(Some(holder)) if self.pairing.is_me(&holder) => Vec::new(),
            Seen::Runner(holder) if !self.pairing.is_runner() => {
                vec![Msg::Runner(runner_of(holder))]
            }
            Seen::Runner(_) => Vec::new(),
            Seen::Requests(requests) if self.pairing.is_runner() => {
                let mut msgs = Vec::new();
                for request in requests {
                    let asked = [(request.check.clone(), request.after)];
                    if self.pairing.still_wanted(&asked).is_empty()
                        || self.ws.config.check(&request.check).is_none()
                    {
                        continue;
                    }
                    let trigger = format!("r by {}", request.by);
                    msgs.extend(self.start(&[request.check], &trigger));
                }
                msgs
            }
            Seen::Requests(_) => Vec::new(),
        }
    }
}

/// The model's view of a lock holder.
pub(super) fn runner_of(holder: Option<Holder>) -> Runner {
    holder.map_or(Runner::Nobody, |h| Runner::Other(h.label()))
}
