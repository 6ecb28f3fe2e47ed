//! Runs the page's pure modules are tested on (compiled for tests only).

use quorum_cluster::config::ProtocolKind;
use quorum_cluster::view::MessageView;
use quorum_cluster::{Action, ClusterConfig, Sim};
use quorum_core::time::{Time, MS};
use quorum_traffic::client::WorkloadConfig;

/// Every message in flight at each 50 ms of a 20 s run under `protocol` with `seed`: three
/// clients through the balancer, the leader crashed every 5 s and everything restarted 2 s
/// later, so elections, replication, client traffic and losses all show up. Returns the instant
/// the run reached.
pub fn faulty_run_messages(
    protocol: ProtocolKind,
    seed: u64,
    mut each: impl FnMut(&MessageView),
) -> Time {
    let config = ClusterConfig {
        seed,
        protocol,
        ..Default::default()
    };
    let workload = WorkloadConfig {
        clients: 3,
        rate: 30.0,
        balancer: Some(Default::default()),
        ..Default::default()
    };
    let mut sim = Sim::new(config, workload).expect("valid");
    for step in 1..=400u64 {
        if step % 100 == 0 {
            drop(sim.apply(Action::CrashLeader { label: None }));
        }
        if step % 100 == 40 {
            drop(sim.apply(Action::RestartAll));
        }
        sim.advance_to(step * 50 * MS);
        for m in &sim.view().messages {
            each(m);
        }
    }
    sim.now()
}
