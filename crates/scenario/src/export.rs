//! Turning a run into a scenario file: the starting configuration, workload and seed, plus every
//! action with the exact microsecond it was applied at. Loading it back — on the page or with
//! `quorum-run` — replays the same run, because scheduled actions take effect after all events of
//! their instant, exactly as actions applied live do.

use super::format::{Scenario, ScheduledAction};
use quorum_cluster::timeline::Timeline;
use quorum_core::time::MS;

/// The run's own schedule and the actions taken live, in time order (a scheduled action before
/// a live one at the same instant, as they happened).
fn merged(timeline: &Timeline) -> Vec<ScheduledAction> {
    let mut all: Vec<(quorum_cluster::Time, u8, quorum_cluster::Action)> = timeline
        .scheduled()
        .iter()
        .map(|(at, a)| (*at, 0, a.clone()))
        .chain(
            timeline
                .actions()
                .iter()
                .map(|a| (a.at, 1, a.action.clone())),
        )
        .collect();
    all.sort_by_key(|(at, order, _)| (*at, *order));
    all.into_iter()
        .map(|(at, _, action)| ScheduledAction {
            at_ms: at / MS,
            at_us: Some(at),
            action,
        })
        .collect()
}

/// The scenario that reproduces `timeline` up to its furthest recorded instant.
pub fn scenario_of(timeline: &Timeline, name: &str) -> Scenario {
    let initial = timeline.initial();
    let config = initial.config().clone();
    let schedule = merged(timeline);
    // A loaded scenario's actions still to come are kept: the run lasts until the latest.
    let end = schedule
        .iter()
        .map(|s| s.at())
        .max()
        .unwrap_or(0)
        .max(timeline.horizon());
    Scenario {
        name: name.to_string(),
        description: format!(
            "Recorded in Quorum Lab: {} actions over {:.3} s.",
            timeline.actions().len(),
            timeline.horizon() as f64 / 1e6
        ),
        protocol: config.protocol,
        seed: config.seed,
        cluster: config,
        workload: initial.workload().clone(),
        schedule,
        duration_ms: end.div_ceil(MS).max(1),
        speed: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_scenario, run_scenario};
    use quorum_cluster::{Action, ClusterConfig, Sim};
    use quorum_traffic::client::WorkloadConfig;

    /// Switching protocol part way through a preset replays the schedule so far and keeps the
    /// rest for later (it used to fail: "schedule[1].at_us: … is after the end of the run").
    #[test]
    fn a_preset_recorded_part_way_keeps_its_later_actions() {
        let preset = crate::preset("leader-crash").unwrap();
        let mut timeline = preset.timeline().unwrap();
        timeline.advance_to(1_000 * MS);
        let mut recorded = scenario_of(&timeline, "part way");
        let later = recorded
            .schedule
            .iter()
            .filter(|s| s.at() > 1_000 * MS)
            .count();
        assert!(later > 0, "the preset's crashes lie ahead");
        recorded.protocol = quorum_cluster::config::ProtocolKind::MultiPaxos;
        let mut switched = recorded.timeline().expect("valid under the other protocol");
        switched.advance_to(preset.duration_ms * MS);
        assert!(
            switched.sim().stats().leader_crashes.len() >= 2,
            "the later crashes happened"
        );
    }

    #[test]
    fn an_exported_run_replays_identically() {
        recorded_run_replays_identically(quorum_cluster::config::ProtocolKind::Raft);
    }

    #[test]
    fn an_exported_multi_paxos_run_replays_identically_under_multi_paxos() {
        recorded_run_replays_identically(quorum_cluster::config::ProtocolKind::MultiPaxos);
    }

    fn recorded_run_replays_identically(protocol: quorum_cluster::config::ProtocolKind) {
        let workload = WorkloadConfig {
            clients: 4,
            rate: 40.0,
            ..Default::default()
        };
        let config = ClusterConfig {
            protocol,
            ..Default::default()
        };
        let mut t = Timeline::new(Sim::new(config, workload).unwrap());
        // Act at frame boundaries, as the page does (16.7 ms frames).
        let mut now = 0;
        for frame in 1..=179u64 {
            now += 16_667;
            t.advance_to(now);
            match frame {
                40 => t.apply(Action::CrashLeader { label: None }).unwrap(),
                70 => t
                    .apply(Action::Partition {
                        groups: vec![vec![1, 2], vec![3, 4, 5]],
                        replace: false,
                    })
                    .unwrap(),
                100 => t.apply(Action::Heal).unwrap(),
                120 => t.apply(Action::RestartAll).unwrap(),
                _ => {}
            }
        }
        t.advance_to(3_000_000);
        let scenario = scenario_of(&t, "recorded");
        assert_eq!(scenario.schedule.len(), 4);
        let json = serde_json::to_string_pretty(&scenario).unwrap();
        let loaded = parse_scenario(&json).expect("an exported scenario is valid input");
        assert_eq!(loaded.protocol, protocol, "the protocol is exported");
        let replay = run_scenario(&loaded, None).unwrap();
        assert_eq!(replay.sim.now(), t.sim().now());
        assert_eq!(
            replay.sim.trace_hash(),
            t.sim().trace_hash(),
            "the same run, event for event"
        );
        assert_eq!(replay.sim.view(), t.sim().view());
    }
}

#[cfg(test)]
mod reexport_tests {
    use super::*;
    use crate::preset;
    use quorum_cluster::Action;

    #[test]
    fn a_loaded_scenario_exports_with_its_schedule_and_the_live_actions() {
        let s = preset("leader-crash").unwrap();
        let mut t = s.timeline().unwrap();
        t.advance_to(4_000_000);
        t.apply(Action::Heal).unwrap();
        t.advance_to(5_000_000);
        let again = scenario_of(&t, "again");
        assert_eq!(again.schedule.len(), s.schedule.len() + 1);
        assert!(
            again.schedule.windows(2).all(|w| w[0].at() <= w[1].at()),
            "in time order"
        );
    }
}
