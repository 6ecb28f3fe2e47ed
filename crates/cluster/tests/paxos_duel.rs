//! Duelling proposers, with the real Multi-Paxos servers (acceptor, proposer and learner as the
//! page runs them) over a hand-made network that delivers in any order, drops and duplicates:
//! with the stable leader off every server proposes what it receives, ballots race, and still no
//! slot ever has two different values chosen ("Paxos Made Simple" P2), across many seeds. The
//! test also counts the slots chosen, so it can fail.

use std::collections::BTreeMap;

use quorum_cluster::config::PaxosMutation;
use quorum_cluster::{ClusterConfig, NodeId};
use quorum_core::actor::Effect;
use quorum_core::rng::Rng;
use quorum_core::time::{Time, MS};
use quorum_core::Addr;
use quorum_paxos::{PaxosMsg, PaxosNode};
use quorum_service::kv::{ClientCommand, KvOp};
use quorum_service::{ClientRequest, ReadConsistency, TimerKind, Wire};

mod node_harness;

use node_harness::{EffectOf, One};

const SERVERS: u32 = 5;

/// A message on its way.
struct Flying {
    from: NodeId,
    to: NodeId,
    message: Wire<PaxosMsg>,
}

/// Five servers, their pending timers and the messages between them.
struct Duel {
    servers: Vec<One<PaxosNode>>,
    timers: BTreeMap<(NodeId, TimerKind), Time>,
    flying: Vec<Flying>,
    net: Rng,
    now: Time,
    /// Every slot some server learned, with the value each learned there: recorded after every
    /// step, since servers discard what all of them have learned (compaction).
    learned: BTreeMap<u64, Vec<(NodeId, u64)>>,
    /// Per server, the learned prefix already recorded.
    recorded: Vec<u64>,
}

impl Duel {
    fn new(seed: u64, mutation: Option<PaxosMutation>) -> Self {
        let mut config = ClusterConfig {
            servers: SERVERS as usize,
            protocol: quorum_cluster::config::ProtocolKind::MultiPaxos,
            ..Default::default()
        };
        // Every server proposes what it receives, nobody defers to a leader: the proposers duel.
        config.paxos.stable_leader = false;
        config.paxos.probe_before_prepare = false;
        config.paxos.sticky_leader = false;
        config.paxos.mutation = mutation;
        let mut duel = Duel {
            servers: Vec::new(),
            timers: BTreeMap::new(),
            flying: Vec::new(),
            net: Rng::new(seed),
            now: 0,
            learned: BTreeMap::new(),
            recorded: vec![0; SERVERS as usize],
        };
        for id in 1..=SERVERS {
            let mut one =
                One::new_unbooted(id, PaxosNode::new(id), config.clone(), seed + id as u64);
            let effects = one.run(quorum_service::Protocol::boot);
            duel.servers.push(one);
            duel.absorb(id, effects);
        }
        duel
    }

    /// Files what a server asked for: its messages into the air, its timers onto the clock.
    fn absorb(&mut self, from: NodeId, effects: Vec<EffectOf<PaxosNode>>) {
        for effect in effects {
            match effect {
                Effect::Send {
                    to: Addr::Server(to),
                    payload,
                    ..
                } => self.flying.push(Flying {
                    from,
                    to,
                    message: payload,
                }),
                Effect::SetTimer { kind, after } => {
                    self.timers.insert((from, kind), self.now + after);
                }
                Effect::CancelTimer(kind) => {
                    self.timers.remove(&(from, kind));
                }
                _ => {}
            }
        }
    }

    fn server(&mut self, id: NodeId) -> &mut One<PaxosNode> {
        let now = self.now;
        let one = &mut self.servers[id as usize - 1];
        one.now = now;
        one
    }

    /// One step (see [`Duel::act`]), then what every server learned in it.
    fn step(&mut self, request: &mut u64) {
        self.act(request);
        for one in &self.servers {
            let recorded = &mut self.recorded[one.id as usize - 1];
            let mut slot = (*recorded).max(one.node.snapshot_slot()) + 1;
            while let Some(value) = one.node.chosen_value(slot) {
                self.learned
                    .entry(slot)
                    .or_default()
                    .push((one.id, value.digest()));
                *recorded = slot;
                slot += 1;
            }
        }
    }

    /// A client request, a message delivered (maybe lost or doubled) or a timer. Timers fire
    /// rarely while messages are in the air: a message takes milliseconds, a timeout hundreds,
    /// and a network slower than the timeouts would only ever duel.
    fn act(&mut self, request: &mut u64) {
        let roll = self.net.below(100);
        if roll < 2 {
            *request += 1;
            let to = self.net.below(SERVERS as usize) as NodeId + 1;
            let command = ClientCommand {
                session: 1,
                seq: *request,
                op: KvOp::Put {
                    key: "x".into(),
                    value: *request as i64,
                },
            };
            let message = Wire::Request(ClientRequest {
                reply_to: Addr::Client(1),
                command,
                hops: 0,
                consistency: ReadConsistency::Linearizable,
            });
            let effects = self.server(to).run(|n, ctx| {
                quorum_service::Protocol::on_message(n, ctx, Addr::Client(1), message)
            });
            self.absorb(to, effects);
        } else if roll < 98 && !self.flying.is_empty() {
            let i = self.net.below(self.flying.len());
            let Flying { from, to, message } = self.flying.swap_remove(i);
            if self.net.below(100) < 10 {
                return; // lost
            }
            if self.net.below(100) < 5 {
                self.flying.push(Flying {
                    from,
                    to,
                    message: message.clone(),
                });
            }
            self.now += self.net.below(3) as Time * MS;
            let effects = self.server(to).deliver(from, message);
            self.absorb(to, effects);
        } else if let Some((&(id, kind), &at)) = self.timers.iter().min_by_key(|(_, at)| **at) {
            self.timers.remove(&(id, kind));
            self.now = self.now.max(at);
            let effects = self.server(id).timer(kind);
            self.absorb(id, effects);
        }
    }

    /// Every slot some server learned, with the values learned there.
    fn chosen(&self) -> &BTreeMap<u64, Vec<(NodeId, u64)>> {
        &self.learned
    }
}

/// Runs the duel for each seed; returns the slots chosen and the first slot (with its seed) that
/// has two different values chosen, if any.
fn duel_over_seeds(seeds: u64, mutation: Option<PaxosMutation>) -> (usize, Option<(u64, u64)>) {
    let mut slots_chosen = 0;
    for seed in 0..seeds {
        let mut duel = Duel::new(seed, mutation);
        let mut request = 0;
        for _ in 0..3_000 {
            duel.step(&mut request);
        }
        for (slot, known) in duel.chosen() {
            if known.iter().any(|(_, digest)| *digest != known[0].1) {
                return (slots_chosen, Some((seed, *slot)));
            }
            slots_chosen += 1;
        }
    }
    (slots_chosen, None)
}

#[test]
fn duelling_proposers_never_choose_two_values_for_one_slot_paxos_made_simple_p2() {
    let (slots_chosen, conflict) = duel_over_seeds(150, None);
    assert_eq!(conflict, None, "(seed, slot) with two chosen values");
    assert!(
        slots_chosen > 1_000,
        "the duel must still choose values ({slots_chosen} slots over 150 seeds)"
    );
}

/// The same duel with acceptors that ignore their promise (P1a broken) does choose two values
/// for one slot: the check above can fail.
#[test]
fn with_acceptors_that_ignore_their_promise_the_duel_chooses_two_values_somewhere() {
    let (_, conflict) = duel_over_seeds(150, Some(PaxosMutation::AcceptorIgnoresPromise));
    assert!(
        conflict.is_some(),
        "some seed must choose two values for a slot"
    );
}
