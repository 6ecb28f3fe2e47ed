//! Randomized fault schedules over many seeds: crashes and restarts, symmetric and asymmetric
//! partitions, loss, duplication and reordering, under a concurrent put/get/delete/cas workload.
//! Every run must keep every safety invariant, produce a linearizable history and, once the faults
//! are healed, complete every client operation. A failure prints the seed and the schedule, which
//! `quorum-run` replays exactly.
//!
//! Clusters of 3, 4, 5 and 7 servers in turn (an even size tests the majority arithmetic); the
//! network changes to loss up to 44% and duplication up to 29% at random moments.
//! A quarter of the runs send clients through the load balancer, cycling through its strategies.
//! Faults include membership changes (servers added and removed, the leader among them).
//! Seeds cycle through the read modes (through the log, ReadIndex, lease), with PreVote and
//! CheckQuorum on and off, with and without the no-op entry and forwarding, and with log
//! compaction off, every 8 or every 25 entries.
//!
//! The same schedules run under Multi-Paxos (600 seeds), cycling through its switches
//! (CheckQuorum, forwarding, the three read modes) and the load balancer; membership changes are refused there and
//! only noted.
//!
//! Run with `cargo test --profile fast-test` (the README's test command does): it is heavy.

use quorum_cluster::action::NodeRef;
use quorum_cluster::check::linearizability::{check_history, Verdict};
use quorum_cluster::config::{
    LatencyDistribution, LongDelay, NetworkConfig, PaxosOptions, ProtocolKind, RaftOptions,
    ReadMode,
};
use quorum_cluster::message::kinds_of;
use quorum_cluster::{Action, ClusterConfig, NodeId};
use quorum_core::network::MessageFault;
use quorum_core::rng::Rng;
use quorum_scenario::{Scenario, ScheduledAction};
use quorum_traffic::balancer::{BalancerConfig, Strategy};
use quorum_traffic::client::{Status, WorkloadConfig};

/// The balancer strategies the runs through a load balancer cycle through.
const STRATEGIES: [Strategy; 8] = [
    Strategy::RoundRobin,
    Strategy::Random,
    Strategy::WeightedRoundRobin,
    Strategy::LeastOutstanding,
    Strategy::PowerOfTwoChoices,
    Strategy::PeakEwma,
    Strategy::ConsistentHash {
        vnodes: 32,
        bounded_load: Some(1.25),
    },
    Strategy::LeaderAware,
];

/// Seeds run by the main test (Raft).
const SEEDS: u64 = 2000;
/// Seeds run under Multi-Paxos.
const PAXOS_SEEDS: u64 = 600;
/// Seeds run under Multi-Paxos without a stable leader (dueling proposers).
const DUEL_SEEDS: u64 = 200;
/// Seeds of the gray-failure family, per protocol.
const GRAY_SEEDS: u64 = 1000;
/// Seeds of the membership-churn family (Raft).
const CHURN_SEEDS: u64 = 4000;
/// Faults happen during the first part of the run…
const FAULT_MS: u64 = 8_000;
/// …then everything is healed and the workload runs on…
const CALM_MS: u64 = 4_000;
/// …then the workload stops and outstanding operations drain.
const DRAIN_MS: u64 = 5_000;

fn random_action(rng: &mut Rng, servers: usize) -> Action {
    let node = |rng: &mut Rng| rng.below(servers) as NodeId + 1;
    match rng.below(12) {
        0 | 1 => Action::Crash {
            node: (node(rng)).into(),
        },
        2 => Action::CrashLeader { label: None },
        3 | 4 => Action::Restart {
            node: (node(rng)).into(),
        },
        5 => {
            // A symmetric partition into two random groups.
            let mut groups = vec![Vec::new(), Vec::new()];
            for n in 1..=servers as NodeId {
                groups[rng.below(2)].push(n);
            }
            Action::Partition {
                groups,
                replace: false,
            }
        }
        6 => {
            // An asymmetric fault: one direction of one link.
            let from = node(rng);
            let mut to = node(rng);
            if to == from {
                to = from % servers as NodeId + 1;
            }
            Action::CutLink { from, to }
        }
        7 => Action::Heal,
        8 => Action::SetNetwork {
            network: NetworkConfig {
                latency_min_ms: 1 + rng.below(10) as u64,
                latency_max_ms: 15 + rng.below(40) as u64,
                jitter_ms: rng.below(10) as u64,
                loss: rng.below(45) as f64 / 100.0,
                duplicate: rng.below(30) as f64 / 100.0,
                fifo: false,
                ..NetworkConfig::default()
            },
        },
        9 => Action::IsolateLeader { label: None },
        10 => Action::AddServer,
        _ => Action::RemoveServer { node: node(rng) },
    }
}

/// Membership churn (the family that finds the 2015 single-server change bug): a change asked
/// for and the leader crashed or cut off a few milliseconds later, so the configuration entry
/// reaches only some servers; restarts of servers a change removed; short partitions; leader
/// crashes. Mostly clusters of four, where two different removals leave disjoint majorities.
fn churn_actions(rng: &mut Rng, servers: usize, t: u64, out: &mut Vec<(u64, Action)>) {
    let node = |rng: &mut Rng| rng.below(servers) as NodeId + 1;
    match rng.below(15) {
        9..=14 => {
            // The 2015 race: a change whose leader fails at once, a new leader asked for
            // another change right away (its messages to some servers lost), then it fails
            // too and the first leader — labelled when crashed — comes back.
            out.push((
                t,
                Action::IsolateLeader {
                    label: Some("first".into()),
                },
            ));
            out.push((t + 1, Action::RemoveServer { node: node(rng) }));
            let first_crash = t + 2 + rng.below(10) as u64;
            out.push((
                first_crash,
                Action::Crash {
                    node: NodeRef::Label("first".into()),
                },
            ));
            out.push((first_crash, Action::Heal));
            // The next leader is asked for another change every 10 ms while the election runs,
            // so the first ask it sees comes right after it wins — before any entry of its term
            // can have committed (the asks before it find no leader; the later ones are refused
            // while a change is pending).
            let victim = node(rng);
            let second_change = first_crash + 140 + rng.below(60) as u64;
            for k in 0..30 {
                out.push((
                    second_change + 10 * k,
                    Action::RemoveServer { node: victim },
                ));
            }
            // Some links turn very slow, so a new leader's entries reach only some servers.
            let mut slowed = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let (a, b) = (node(rng), node(rng));
                if a != b {
                    let slow = NetworkConfig {
                        latency_min_ms: 400,
                        latency_max_ms: 900,
                        ..NetworkConfig::default()
                    };
                    out.push((
                        first_crash,
                        Action::SetLink {
                            from: a,
                            to: b,
                            network: Some(slow),
                        },
                    ));
                    slowed.push((a, b));
                }
            }
            let second_crash = second_change + 160 + rng.below(350) as u64;
            out.push((
                second_crash,
                Action::CrashLeader {
                    label: Some("second".into()),
                },
            ));
            out.push((
                second_crash + rng.below(50) as u64,
                Action::Restart {
                    node: NodeRef::Label("first".into()),
                },
            ));
            let calm = second_crash + 600 + rng.below(600) as u64;
            out.push((
                calm,
                Action::Restart {
                    node: NodeRef::Label("second".into()),
                },
            ));
            for (a, b) in slowed {
                out.push((
                    calm,
                    Action::SetLink {
                        from: a,
                        to: b,
                        network: None,
                    },
                ));
            }
        }
        0..=3 => {
            let change = if rng.below(3) == 0 {
                Action::AddServer
            } else {
                Action::RemoveServer { node: node(rng) }
            };
            out.push((t, change));
            let after = t + rng.below(25) as u64;
            let fault = if rng.below(3) == 0 {
                Action::IsolateLeader { label: None }
            } else {
                Action::CrashLeader { label: None }
            };
            out.push((after, fault));
        }
        4 => {
            // A server (perhaps one a change removed) goes down and comes back with its own,
            // perhaps stale, configuration.
            let n = node(rng);
            out.push((t, Action::Crash { node: n.into() }));
            out.push((
                t + 50 + rng.below(400) as u64,
                Action::Restart { node: n.into() },
            ));
        }
        5 => {
            let mut groups = vec![Vec::new(), Vec::new()];
            for n in 1..=servers as NodeId {
                groups[rng.below(2)].push(n);
            }
            out.push((
                t,
                Action::Partition {
                    groups,
                    replace: false,
                },
            ));
            out.push((t + 50 + rng.below(300) as u64, Action::Heal));
        }
        6 => out.push((t, Action::RestartAll)),
        7 => out.push((t, Action::Heal)),
        _ => out.push((t, Action::CrashLeader { label: None })),
    }
}

/// Gray failures — the ones that are not a clean crash or a clean partition: one-way links,
/// partial partitions (A–C cut while both still reach B), swizzle-clogging (the links of a
/// random subset stalled one by one and restored in random order), process pauses, clock
/// jumps, faults on one message kind, heavy-tailed and rare very long delays.
fn gray_actions(
    rng: &mut Rng,
    protocol: ProtocolKind,
    servers: usize,
    t: u64,
    out: &mut Vec<(u64, Action)>,
) {
    let node = |rng: &mut Rng| rng.below(servers) as NodeId + 1;
    let two = |rng: &mut Rng| {
        let a = node(rng);
        let b = (a + rng.below(servers - 1) as NodeId) % servers as NodeId + 1;
        (a, b)
    };
    let later = |rng: &mut Rng| t + 100 + rng.below(1500) as u64;
    match rng.below(8) {
        0 => {
            let (from, to) = two(rng);
            out.push((t, Action::CutLink { from, to }));
            out.push((later(rng), Action::RestoreLink { from, to }));
        }
        1 => {
            let (a, c) = two(rng);
            out.push((t, Action::CutLink { from: a, to: c }));
            out.push((t, Action::CutLink { from: c, to: a }));
            let back = later(rng);
            out.push((back, Action::RestoreLink { from: a, to: c }));
            out.push((back, Action::RestoreLink { from: c, to: a }));
        }
        2 => {
            let mut subset: Vec<NodeId> = (1..=servers as NodeId)
                .filter(|_| rng.below(2) == 0)
                .collect();
            for (i, &n) in subset.iter().enumerate() {
                out.push((t + 100 * i as u64, Action::Isolate { node: n.into() }));
            }
            let start = t + 100 * subset.len() as u64 + rng.below(500) as u64;
            for i in (1..subset.len()).rev() {
                subset.swap(i, rng.below(i + 1));
            }
            for (i, &n) in subset.iter().enumerate() {
                out.push((start + 150 * i as u64, Action::Connect { node: n.into() }));
            }
        }
        3 => {
            let label = format!("paused{t}");
            if rng.below(2) == 0 {
                out.push((
                    t,
                    Action::PauseLeader {
                        label: Some(label.clone()),
                    },
                ));
            } else {
                let n = node(rng);
                out.push((t, Action::Pause { node: n.into() }));
                out.push((later(rng), Action::Resume { node: n.into() }));
                return;
            }
            out.push((
                later(rng),
                Action::Resume {
                    node: NodeRef::Label(label),
                },
            ));
        }
        4 => {
            let by = (100 + rng.below(2_000) as i64) * if rng.below(2) == 0 { -1 } else { 1 };
            out.push((
                t,
                Action::JumpClock {
                    node: node(rng).into(),
                    by_ms: by,
                },
            ));
        }
        5 => {
            let kinds = kinds_of(protocol);
            let (from, to) = match rng.below(3) {
                0 => (None, None),
                1 => (Some(node(rng)), None),
                _ => {
                    let (a, b) = two(rng);
                    (Some(a), Some(b))
                }
            };
            let fault = MessageFault {
                kind: kinds[rng.below(kinds.len())].to_string(),
                from,
                to,
                drop: [0.0, 0.5, 1.0][rng.below(3)],
                delay_ms: [0, 80, 400][rng.below(3)],
            };
            let clear = MessageFault {
                drop: 0.0,
                delay_ms: 0,
                ..fault.clone()
            };
            out.push((t, Action::SetMessageFault { fault }));
            out.push((later(rng), Action::SetMessageFault { fault: clear }));
        }
        6 => {
            out.push((
                t,
                Action::CrashLeader {
                    label: Some("gone".into()),
                },
            ));
            out.push((
                later(rng),
                Action::Restart {
                    node: NodeRef::Label("gone".into()),
                },
            ));
        }
        _ => {
            let distribution = if rng.below(2) == 0 {
                LatencyDistribution::LogNormal {
                    sigma: 0.8,
                    cap_ms: 1_500,
                }
            } else {
                LatencyDistribution::Pareto {
                    alpha: 1.3,
                    cap_ms: 1_500,
                }
            };
            let network = NetworkConfig {
                distribution,
                long_delay: Some(LongDelay {
                    probability: 0.01,
                    min_ms: 500,
                    max_ms: 2_000,
                }),
                ..NetworkConfig::default()
            };
            out.push((t, Action::SetNetwork { network }));
            out.push((
                later(rng),
                Action::SetNetwork {
                    network: NetworkConfig::default(),
                },
            ));
        }
    }
}

/// The gray-failure scenario for one seed.
pub fn gray_scenario_for(protocol: ProtocolKind, seed: u64) -> Scenario {
    let mut rng = Rng::new(seed ^ 0x96a7_fa11);
    let servers = [5, 3, 4, 7][(seed % 4) as usize];
    let mut timed = Vec::new();
    let mut t = 300;
    while t < FAULT_MS {
        t += 100 + rng.below(600) as u64;
        gray_actions(&mut rng, protocol, servers, t, &mut timed);
    }
    scenario_with(protocol, seed, servers, timed)
}

/// The scenario for one seed: random faults, then a full heal.
pub fn scenario_for(protocol: ProtocolKind, seed: u64) -> Scenario {
    let mut rng = Rng::new(seed ^ 0x5eed_f00d);
    let servers = [5, 3, 7, 4][(seed % 4) as usize];
    let mut timed = Vec::new();
    let mut t = 300;
    while t < FAULT_MS {
        t += 50 + rng.below(400) as u64;
        timed.push((t, random_action(&mut rng, servers)));
    }
    scenario_with(protocol, seed, servers, timed)
}

/// The membership-churn scenario for one seed.
pub fn churn_scenario_for(protocol: ProtocolKind, seed: u64) -> Scenario {
    let mut rng = Rng::new(seed ^ 0xc4a5_9e11);
    let servers = [4, 4, 3, 5][(seed % 4) as usize];
    let mut timed = Vec::new();
    let mut t = 300;
    while t < FAULT_MS {
        t += 100 + rng.below(500) as u64;
        churn_actions(&mut rng, servers, t, &mut timed);
    }
    scenario_with(protocol, seed, servers, timed)
}

/// A scenario of these timed faults (clamped to the fault phase, in time order) followed by a
/// full heal, with the seed's protocol switches and workload.
fn scenario_with(
    protocol: ProtocolKind,
    seed: u64,
    servers: usize,
    mut timed: Vec<(u64, Action)>,
) -> Scenario {
    timed.sort_by_key(|(t, _)| *t);
    let mut schedule: Vec<ScheduledAction> = timed
        .into_iter()
        .map(|(t, action)| ScheduledAction {
            at_us: None,
            at_ms: t.min(FAULT_MS),
            action,
        })
        .collect();
    let resume_all = (1..=servers as NodeId).map(|n| Action::Resume { node: n.into() });
    let end_of_faults = [
        Action::Heal,
        Action::RestartAll,
        Action::SetNetwork {
            network: NetworkConfig::default(),
        },
        Action::ClearMessageFaults,
    ];
    for action in end_of_faults.into_iter().chain(resume_all) {
        schedule.push(ScheduledAction {
            at_us: None,
            at_ms: FAULT_MS,
            action,
        });
    }
    Scenario {
        name: format!("random faults, seed {seed}"),
        description: String::new(),
        protocol,
        seed,
        cluster: ClusterConfig {
            servers,
            // Half the runs without the no-op entry: then entries of old terms can sit on a
            // majority uncommitted, the situation of the paper's Figure 8.
            raft: RaftOptions {
                noop_on_election: seed % 4 < 2,
                forward_to_leader: !seed.is_multiple_of(3),
                // Every read mode over a third of the seeds each; lease reads only with
                // CheckQuorum, which they rely on.
                read_mode: [ReadMode::Log, ReadMode::ReadIndex, ReadMode::Lease]
                    [(seed % 3) as usize],
                pre_vote: !seed.is_multiple_of(5),
                check_quorum: seed % 3 == 2 || !seed.is_multiple_of(7),
                // Frequent snapshots in two thirds of the runs, so InstallSnapshot happens a lot.
                snapshot_every: [0, 8, 25][(seed / 3 % 3) as usize],
                ..Default::default()
            },
            paxos: PaxosOptions {
                stable_leader: true,
                forward_to_leader: !seed.is_multiple_of(3),
                check_quorum: !seed.is_multiple_of(5),
                read_mode: [ReadMode::Log, ReadMode::ReadIndex, ReadMode::Lease]
                    [(seed / 2 % 3) as usize],
                // Probing and stickiness on in most runs, off in some (each alone too).
                probe_before_prepare: seed % 7 != 3,
                sticky_leader: seed % 11 != 4,
                ..Default::default()
            },
            ..Default::default()
        },
        workload: WorkloadConfig {
            clients: 4,
            rate: 40.0,
            keys: 3,
            stop_ms: Some(FAULT_MS + CALM_MS),
            // A quarter of the runs go through the load balancer, each strategy in turn.
            balancer: seed.is_multiple_of(4).then(|| BalancerConfig {
                strategy: STRATEGIES[(seed / 4) as usize % STRATEGIES.len()],
                ..Default::default()
            }),
            ..Default::default()
        },
        schedule,
        duration_ms: FAULT_MS + CALM_MS + DRAIN_MS,
        speed: None,
    }
}

/// A family of random schedules: the scenario for a protocol and a seed.
type Family = fn(ProtocolKind, u64) -> Scenario;

/// Runs one seed; returns a description of what went wrong, if anything.
fn run_seed(
    family: Family,
    protocol: ProtocolKind,
    seed: u64,
    stable_leader: bool,
) -> Result<usize, String> {
    let mut scenario = family(protocol, seed);
    scenario.cluster.paxos.stable_leader = stable_leader;
    let outcome = quorum_scenario::run_scenario(&scenario, None).map_err(|e| e.to_string())?;
    let sim = &outcome.sim;
    if let Some(v) = sim.violations().first() {
        return Err(format!("{}: {}", v.invariant, v.explanation));
    }
    let report = check_history(&outcome.history);
    if report.verdict != Verdict::Linearizable {
        return Err(report.explain(&outcome.history));
    }
    if !scenario.cluster.paxos.stable_leader {
        // Dueling proposers may livelock: only safety is promised.
        return Ok(outcome.history.len());
    }
    if let Some(f) = sim.liveness_failures().first() {
        return Err(format!("liveness: {}", f.explain()));
    }
    // After the heal, the workload must get through: nothing outstanding at the end, and every
    // operation called a little after the heal completed.
    if let Some(c) = sim.clients().find(|c| c.outstanding.is_some()) {
        return Err(format!(
            "client C{} still has an operation outstanding at the end",
            c.id
        ));
    }
    let settled = (FAULT_MS + 2_000) * 1_000;
    let late_unknown = outcome
        .history
        .iter()
        .filter(|op| op.call >= settled && op.status == Status::Info)
        .count();
    if late_unknown > 0 {
        return Err(format!(
            "{late_unknown} operations issued after the heal ended as info"
        ));
    }
    Ok(outcome.history.len())
}

/// Runs `seeds` seeds under `protocol` and fails with every failing seed's replayable scenario.
fn run_seeds(family: Family, protocol: ProtocolKind, seeds: u64, stable_leader: bool) {
    let mut failures = Vec::new();
    let mut operations = 0;
    for seed in 1..=seeds {
        match run_seed(family, protocol, seed, stable_leader) {
            Ok(n) => operations += n,
            Err(e) => failures.push((seed, e)),
        }
    }
    for (seed, e) in &failures {
        eprintln!("{} seed {seed} failed: {e}", protocol.label());
        let mut scenario = family(protocol, *seed);
        scenario.cluster.paxos.stable_leader = stable_leader;
        if let Ok(json) = serde_json::to_string(&scenario) {
            eprintln!("  replay: save this as a file and run `quorum-run FILE`:\n  {json}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {seeds} {} seeds failed",
        failures.len(),
        protocol.label()
    );
    assert!(
        operations > seeds as usize * 100,
        "the workload ran ({operations} operations)"
    );
}

#[test]
fn random_fault_schedules_keep_every_invariant_and_linearizability() {
    run_seeds(scenario_for, ProtocolKind::Raft, SEEDS, true);
}

#[test]
fn paxos_random_fault_schedules_keep_every_invariant_and_linearizability() {
    run_seeds(scenario_for, ProtocolKind::MultiPaxos, PAXOS_SEEDS, true);
}

#[test]
fn dueling_paxos_proposers_stay_safe_under_random_faults() {
    run_seeds(scenario_for, ProtocolKind::MultiPaxos, DUEL_SEEDS, false);
}

/// Gray failures under Raft: safety, linearizability and liveness once they stop.
#[test]
fn gray_failures_keep_raft_safe_and_live() {
    run_seeds(gray_scenario_for, ProtocolKind::Raft, GRAY_SEEDS, true);
}

/// Gray failures under Multi-Paxos: safety, linearizability and liveness once they stop.
#[test]
fn gray_failures_keep_multi_paxos_safe_and_live() {
    run_seeds(
        gray_scenario_for,
        ProtocolKind::MultiPaxos,
        GRAY_SEEDS,
        true,
    );
}

/// Dissertation §4.1 and Ongaro's 2015 correction: membership churn with leaders failing right
/// after appending a configuration never loses an acknowledged write.
#[test]
fn membership_churn_with_leaders_failing_after_configuration_appends_keeps_every_write() {
    run_seeds(churn_scenario_for, ProtocolKind::Raft, CHURN_SEEDS, true);
}

#[test]
fn the_random_scenario_itself_is_valid_input() {
    // The generated scenarios survive a round trip through the file format.
    for seed in 1..=20 {
        let protocol = [ProtocolKind::Raft, ProtocolKind::MultiPaxos][seed as usize % 2];
        let s = scenario_for(protocol, seed);
        let json = serde_json::to_string(&s).unwrap();
        let back = quorum_scenario::parse_scenario(&json).unwrap();
        assert_eq!(back, s);
    }
}
