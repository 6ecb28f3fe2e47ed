//! The page's linearizability check as a service that can live elsewhere: in the page it runs in
//! a Web Worker, so checking an hour of history never holds up a frame. The page holds a
//! [`CheckFeed`], which remembers what it has sent and turns the run's history into the next
//! [`CheckRequest`] — only the operations the service does not have yet, plus how many of the
//! old ones still stand (after a seek back or on another branch, fewer than were sent). The
//! service, a [`CheckService`], keeps its own copy of the history and an incremental checker,
//! and answers with a [`CheckReply`]. Both halves are plain data and code, tested natively.

use serde::{Deserialize, Serialize};

use quorum_cluster::check::linearizability::{IncrementalChecker, LinearizabilityReport};
use quorum_core::time::Time;
use quorum_traffic::client::{HistoryLog, HistoryOp};

/// One check, asked of the service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckRequest {
    /// Numbers the request; the reply carries it back.
    pub id: u64,
    /// The instant of the run the history is of (µs), carried back to label the verdict.
    pub at: Time,
    /// How many of the operations the service holds still stand; it drops the rest.
    pub keep: usize,
    /// The completed operations that follow them.
    pub appended: Vec<HistoryOp>,
    /// Operations still waiting for an answer (checked as `info`: outcome unknown).
    pub outstanding: Vec<HistoryOp>,
    /// The run's digest of its first `keep + appended.len()` operations: what the verdict is
    /// about, so the page can tell a verdict on its current run from one on a run it left.
    pub digest: u64,
}

/// The service's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CheckReply {
    /// The history was checked.
    Checked {
        /// The request's number.
        id: u64,
        /// The request's instant.
        at: Time,
        /// How many completed operations the verdict covers.
        len: usize,
        /// The request's digest of them.
        digest: u64,
        /// The verdict, per key.
        report: LinearizabilityReport,
        /// When some key did not fit: the whole history the report's indexes refer to.
        history: Option<Vec<HistoryOp>>,
    },
    /// The request builds on more operations than the service holds (it was replaced, or
    /// started afresh): the sender must start over and send everything.
    OutOfStep {
        /// The request's number.
        id: u64,
    },
}

/// The sending half: what the service has been sent, to send only what it lacks.
#[derive(Clone, Debug, Default)]
pub struct CheckFeed {
    /// The history as last sent (a clone shares its structure with the run's).
    sent: HistoryLog,
    next_id: u64,
}

impl CheckFeed {
    /// The request that brings the service from what it was sent to `log` (the run's completed
    /// operations at instant `at`), with the operations still `outstanding`.
    pub fn request(
        &mut self,
        log: &HistoryLog,
        outstanding: Vec<HistoryOp>,
        at: Time,
    ) -> CheckRequest {
        let keep = self.sent.common_prefix(log);
        self.sent = log.clone();
        self.next_id += 1;
        CheckRequest {
            id: self.next_id,
            at,
            keep,
            appended: log.iter_from(keep).collect(),
            outstanding,
            digest: log.prefix_digest(log.len()),
        }
    }

    /// Forgets what was sent: the next request carries the whole history (after the service
    /// said it is out of step, or a new one took its place).
    pub fn start_over(&mut self) {
        self.sent = HistoryLog::new();
    }
}

/// The answering half: its own copy of the history and the checker that resumes on it.
#[derive(Clone, Debug, Default)]
pub struct CheckService {
    log: HistoryLog,
    checker: IncrementalChecker,
}

impl CheckService {
    /// Brings the copy up to date with `request` and checks it.
    pub fn answer(&mut self, request: CheckRequest) -> CheckReply {
        if request.keep > self.log.len() {
            return CheckReply::OutOfStep { id: request.id };
        }
        if request.keep < self.log.len() {
            let mut kept = HistoryLog::new();
            for op in self.log.iter().take(request.keep) {
                kept.push(&op);
            }
            self.log = kept;
        }
        for op in &request.appended {
            self.log.push(op);
        }
        let checked = self.checker.check(&self.log, &request.outstanding);
        CheckReply::Checked {
            id: request.id,
            at: request.at,
            len: self.log.len(),
            digest: request.digest,
            report: checked.report,
            history: checked.history,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_cluster::check::linearizability::{check_history, Verdict};
    use quorum_cluster::timeline::Timeline;
    use quorum_cluster::{Action, ClusterConfig, Sim};
    use quorum_core::rng::Rng;
    use quorum_core::time::SECOND;
    use quorum_traffic::balancer::BalancerConfig;
    use quorum_traffic::client::WorkloadConfig;

    fn timeline(seed: u64) -> Timeline {
        let config = ClusterConfig {
            seed,
            servers: 3,
            ..Default::default()
        };
        let workload = WorkloadConfig {
            clients: 4,
            rate: 40.0,
            keys: 2,
            balancer: Some(BalancerConfig::default()),
            ..Default::default()
        };
        Timeline::new(Sim::new(config, workload).expect("valid"))
    }

    /// Sends the run's history through the feed and the service (through serde, as the page's
    /// worker messages go) and returns the reply.
    fn ask(feed: &mut CheckFeed, service: &mut CheckService, timeline: &Timeline) -> CheckReply {
        ask_counting(feed, service, timeline).1
    }

    /// [`ask`], also saying how many operations the request carried.
    fn ask_counting(
        feed: &mut CheckFeed,
        service: &mut CheckService,
        timeline: &Timeline,
    ) -> (usize, CheckReply) {
        let sim = timeline.sim();
        let request = feed.request(sim.history(), sim.outstanding_operations(), sim.now());
        let carried = request.appended.len();
        let wire = serde_json::to_string(&request).expect("a request serializes");
        let request: CheckRequest = serde_json::from_str(&wire).expect("and comes back");
        let reply = service.answer(request);
        let wire = serde_json::to_string(&reply).expect("a reply serializes");
        (
            carried,
            serde_json::from_str(&wire).expect("and comes back"),
        )
    }

    /// Through faults, stale reads, seeks back and new branches, the service's verdict is the
    /// whole-history checker's on the run as it stands, and each request carries only what the
    /// service lacks.
    #[test]
    fn the_service_agrees_with_the_whole_history_check_through_seeks_and_branches() {
        let mut verdicts = [0usize; 2];
        let mut sent_in_total = 0;
        let mut checked_in_total = 0;
        for seed in 1..=12 {
            let mut timeline = timeline(seed);
            let mut faults = Rng::new(seed * 11);
            let (mut feed, mut service) = (CheckFeed::default(), CheckService::default());
            for step in 1..=16u64 {
                let now = timeline.now();
                match faults.below(8) {
                    0 => drop(timeline.apply(Action::CrashLeader { label: None })),
                    1 => drop(timeline.apply(Action::RestartAll)),
                    2 if seed % 3 == 0 => {
                        drop(timeline.apply(Action::SetStaleReads { enabled: true }))
                    }
                    // Back a few seconds; sometimes act there (a new branch).
                    3 | 4 => {
                        timeline.seek(now.saturating_sub((1 + faults.below(3) as u64) * SECOND));
                        if faults.below(2) == 0 {
                            drop(timeline.apply(Action::CrashLeader { label: None }));
                        }
                    }
                    _ => {}
                }
                timeline.advance_to(timeline.now() + SECOND);
                let (carried, reply) = ask_counting(&mut feed, &mut service, &timeline);
                let sim = timeline.sim();
                let history = sim.final_history();
                let whole = check_history(&history);
                let CheckReply::Checked {
                    report,
                    len,
                    digest,
                    history: diagnosed,
                    at,
                    ..
                } = reply
                else {
                    panic!("seed {seed} step {step}: the service fell out of step");
                };
                assert_eq!(report.verdict, whole.verdict, "seed {seed} step {step}");
                assert_eq!((len, at), (sim.history().len(), sim.now()));
                assert_eq!(digest, sim.history().prefix_digest(len));
                if whole.verdict == Verdict::NotLinearizable {
                    assert_eq!(report.keys, whole.keys, "the same diagnosis");
                    assert_eq!(diagnosed.as_ref(), Some(&history));
                    verdicts[1] += 1;
                } else {
                    verdicts[0] += 1;
                }
                sent_in_total += carried;
                checked_in_total += len;
            }
        }
        assert!(
            verdicts[0] > 50 && verdicts[1] > 2,
            "both verdicts: {verdicts:?}"
        );
        assert!(
            sent_in_total * 3 < checked_in_total,
            "requests carry what is new, not everything ({sent_in_total} of {checked_in_total})"
        );
    }

    /// A service that lost its copy (a new worker) says so rather than checking a wrong
    /// history, and the feed recovers by starting over.
    #[test]
    fn a_service_that_lost_its_copy_asks_for_everything() {
        let mut timeline = timeline(3);
        let mut feed = CheckFeed::default();
        let mut service = CheckService::default();
        timeline.advance_to(3 * SECOND);
        assert!(matches!(
            ask(&mut feed, &mut service, &timeline),
            CheckReply::Checked { .. }
        ));
        timeline.advance_to(5 * SECOND);
        let mut replacement = CheckService::default();
        let reply = ask(&mut feed, &mut replacement, &timeline);
        assert!(matches!(reply, CheckReply::OutOfStep { .. }));
        feed.start_over();
        let CheckReply::Checked { report, len, .. } = ask(&mut feed, &mut replacement, &timeline)
        else {
            panic!("checked after starting over");
        };
        assert_eq!(len, timeline.sim().history().len());
        assert_eq!(report.verdict, Verdict::Linearizable);
    }
}
