//! The load balancer in the running system: routing follows the strategy, health checks take a
//! crashed server out of rotation and bring it back, and stale reads break linearizability in a
//! partition while linearizable reads never do.

mod common;

use common::*;
use quorum_cluster::check::linearizability::{check_history, Verdict};
use quorum_cluster::{Action, ClusterConfig, NodeId, Sim};
use quorum_core::time::MS;
use quorum_traffic::balancer::{BalancerConfig, Strategy};
use quorum_traffic::client::{OpMix, WorkloadConfig};

fn through_balancer(servers: usize, strategy: Strategy, seed: u64) -> Sim {
    let config = ClusterConfig {
        servers,
        seed,
        ..Default::default()
    };
    let workload = WorkloadConfig {
        clients: 6,
        rate: 60.0,
        keys: 8,
        balancer: Some(BalancerConfig {
            strategy,
            ..Default::default()
        }),
        ..Default::default()
    };
    Sim::new(config, workload).expect("valid config")
}

fn routed(sim: &Sim) -> Vec<(NodeId, u64)> {
    sim.view()
        .balancer
        .expect("a balancer")
        .backends
        .iter()
        .map(|b| (b.id, b.routed))
        .collect()
}

fn shares(sim: &Sim) -> Vec<f64> {
    let r = routed(sim);
    let total: u64 = r.iter().map(|(_, n)| n).sum();
    r.iter()
        .map(|(_, n)| *n as f64 / total.max(1) as f64)
        .collect()
}

#[test]
fn round_robin_spreads_requests_evenly() {
    let mut sim = through_balancer(5, Strategy::RoundRobin, 81);
    run_for(&mut sim, 10 * S);
    for share in shares(&sim) {
        assert!(
            (0.17..=0.23).contains(&share),
            "each server ≈ 1/5: {:?}",
            routed(&sim)
        );
    }
    assert_safe(&sim);
    assert_eq!(
        check_history(&sim.final_history()).verdict,
        Verdict::Linearizable
    );
}

#[test]
fn weighted_round_robin_follows_the_weights() {
    let mut sim = through_balancer(3, Strategy::WeightedRoundRobin, 82);
    for (node, weight) in [(1, 1), (2, 2), (3, 3)] {
        sim.apply(Action::SetServerWeight { node, weight }).unwrap();
    }
    run_for(&mut sim, 10 * S);
    let s = shares(&sim);
    for (share, expected) in s.iter().zip([1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0]) {
        assert!((share - expected).abs() < 0.04, "{s:?}");
    }
}

#[test]
fn consistent_hashing_sends_each_key_to_one_server() {
    let mut sim = through_balancer(
        5,
        Strategy::ConsistentHash {
            vnodes: 64,
            bounded_load: None,
        },
        83,
    );
    // Two keys only: at most two servers see any traffic.
    let mut workload_keys = sim.workload().clone();
    workload_keys.keys = 2;
    let config = sim.config().clone();
    sim = Sim::new(config, workload_keys).unwrap();
    run_for(&mut sim, 5 * S);
    let busy = routed(&sim).iter().filter(|(_, n)| *n > 0).count();
    assert!(busy <= 2, "{:?}", routed(&sim));
}

#[test]
fn leader_aware_routing_sends_writes_to_the_leader() {
    let config = ClusterConfig {
        servers: 5,
        seed: 84,
        ..Default::default()
    };
    let workload = WorkloadConfig {
        clients: 4,
        rate: 40.0,
        mix: OpMix {
            get: 0,
            put: 1,
            delete: 0,
            cas: 0,
        },
        balancer: Some(BalancerConfig::default()),
        ..Default::default()
    };
    let mut sim = Sim::new(config, workload).unwrap();
    run_for(&mut sim, 2 * S);
    let before = routed(&sim);
    run_for(&mut sim, 5 * S);
    let leader = leaders(&sim)[0];
    let after = routed(&sim);
    for ((id, a), (_, b)) in after.iter().zip(before.iter()) {
        if *id != leader {
            assert!(
                a - b <= 2,
                "once the leader is known, writes go to it: {after:?}"
            );
        }
    }
}

#[test]
fn a_crashed_server_leaves_rotation_and_returns_after_restart() {
    let mut sim = through_balancer(3, Strategy::RoundRobin, 85);
    run_for(&mut sim, 2 * S);
    sim.apply(Action::Crash { node: 2.into() }).unwrap();
    // Three missed health checks at 100 ms, plus one interval: out of rotation within 0.5 s.
    run_for(&mut sim, 500 * MS);
    let lb = sim.view().balancer.unwrap();
    assert!(!lb.backends[1].healthy);
    let routed_down = routed(&sim)[1].1;
    run_for(&mut sim, 2 * S);
    assert_eq!(
        routed(&sim)[1].1,
        routed_down,
        "nothing is routed to the crashed server"
    );
    sim.apply(Action::Restart { node: 2.into() }).unwrap();
    run_for(&mut sim, 2 * S);
    assert!(sim.view().balancer.unwrap().backends[1].healthy);
    assert!(routed(&sim)[1].1 > routed_down, "back in rotation");
    assert!(sim
        .feed()
        .iter()
        .any(|f| f.text.contains("took S2 out of rotation")));
    assert!(sim.feed().iter().any(|f| f.text.contains("put S2 back")));
}

/// A follower is cut off from the others (the balancer still reaches it) while writes go on.
fn partitioned_follower_run(stale: bool) -> Verdict {
    let config = ClusterConfig {
        servers: 3,
        seed: 86,
        ..Default::default()
    };
    let workload = WorkloadConfig {
        clients: 4,
        rate: 60.0,
        keys: 2,
        balancer: Some(BalancerConfig {
            stale_reads: stale,
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut sim = Sim::new(config, workload).unwrap();
    run_for(&mut sim, 2 * S);
    let leader = leaders(&sim)[0];
    let follower = (1..=3).find(|&n| n != leader).unwrap();
    let others: Vec<NodeId> = (1..=3).filter(|&n| n != follower).collect();
    sim.apply(Action::Partition {
        groups: vec![vec![follower], others],
        replace: false,
    })
    .unwrap();
    run_for(&mut sim, 4 * S);
    assert_safe(&sim);
    check_history(&sim.final_history()).verdict
}

#[test]
fn stale_reads_through_a_partitioned_follower_are_not_linearizable() {
    assert_eq!(partitioned_follower_run(true), Verdict::NotLinearizable);
}

#[test]
fn linearizable_reads_stay_linearizable_in_the_same_partition() {
    assert_eq!(partitioned_follower_run(false), Verdict::Linearizable);
}

#[test]
fn zipf_keys_make_the_first_key_hot() {
    let w = WorkloadConfig {
        keys: 10,
        keys_distribution: quorum_traffic::client::KeyDistribution::Zipf { exponent: 1.2 },
        ..Default::default()
    };
    let mut rng = quorum_core::rng::Rng::new(9);
    let mut counts = [0usize; 11];
    for _ in 0..10_000 {
        counts[w.next_key(&mut rng)] += 1;
    }
    assert!(counts[1] > 3 * counts[3], "{counts:?}");
    assert!(
        counts[1..].windows(2).all(|p| p[0] + 150 >= p[1]),
        "falling: {counts:?}"
    );
    assert!(counts[1] > 2_500, "k1 ≈ 37% of requests: {counts:?}");
}

#[test]
fn backoff_grows_with_attempts_and_is_jittered() {
    let w = WorkloadConfig::default();
    let mut rng = quorum_core::rng::Rng::new(3);
    let first: Vec<u64> = (0..50).map(|_| w.backoff(1, &mut rng)).collect();
    let fourth: Vec<u64> = (0..50).map(|_| w.backoff(4, &mut rng)).collect();
    assert!(first.iter().all(|d| (10 * MS..=20 * MS).contains(d)));
    assert!(fourth.iter().all(|d| (80 * MS..=160 * MS).contains(d)));
    assert!(first.iter().any(|d| *d != first[0]), "jittered");
    assert!(w.backoff(30, &mut rng) <= 400 * MS, "capped");
}

#[test]
fn an_open_loop_sheds_arrivals_that_find_every_client_busy() {
    let config = ClusterConfig {
        servers: 3,
        seed: 87,
        ..Default::default()
    };
    let workload = WorkloadConfig {
        clients: 2,
        rate: 200.0,
        mode: quorum_traffic::client::LoadMode::Open,
        ..Default::default()
    };
    let mut sim = Sim::new(config, workload).unwrap();
    run_for(&mut sim, 5 * S);
    let done = sim.history().len() as u64;
    let shed = sim.stats().shed;
    let offered = done + shed;
    // 200 per second for 4.5 s ≈ 900 arrivals; two clients can finish only a fraction.
    assert!(
        (750..=1050).contains(&offered),
        "offered {offered} (done {done}, shed {shed})"
    );
    assert!(
        shed > done,
        "most arrivals are shed when only two clients serve them"
    );
    assert_safe(&sim);
}

#[test]
fn raising_the_rate_while_running_raises_throughput() {
    let mut sim = through_balancer(3, Strategy::LeaderAware, 88);
    run_for(&mut sim, 3 * S);
    let slow = sim.history().len();
    let mut faster = sim.workload().clone();
    faster.clients = 12;
    faster.rate = 240.0;
    sim.apply(Action::SetWorkload { workload: faster }).unwrap();
    run_for(&mut sim, 3 * S);
    let fast = sim.history().len() - slow;
    assert!(fast > 2 * slow, "{slow} then {fast} operations in 3 s");
    assert_eq!(
        check_history(&sim.final_history()).verdict,
        Verdict::Linearizable
    );
}

#[test]
fn random_least_outstanding_and_two_choices_spread_load_over_equal_servers() {
    for (i, strategy) in [
        Strategy::Random,
        Strategy::LeastOutstanding,
        Strategy::PowerOfTwoChoices,
        Strategy::PeakEwma,
    ]
    .into_iter()
    .enumerate()
    {
        let mut sim = through_balancer(5, strategy, 90 + i as u64);
        run_for(&mut sim, 10 * S);
        for share in shares(&sim) {
            assert!(
                (0.08..=0.35).contains(&share),
                "{strategy:?}: every server gets a share: {:?}",
                routed(&sim)
            );
        }
        assert_safe(&sim);
    }
}
