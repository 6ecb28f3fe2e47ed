//! Same configuration, seed and actions ⇒ the same run, bit for bit (DESIGN.md core rule 1).

use quorum_scenario::{preset, presets, run_scenario, Protocol};

#[test]
fn every_preset_run_twice_gives_the_same_trace_hash_under_either_protocol() {
    for p in presets() {
        let mut scenario = preset(p.id).unwrap_or_else(|e| panic!("preset {}: {e}", p.id));
        let mut hashes = Vec::new();
        for protocol in [Protocol::Raft, Protocol::MultiPaxos] {
            scenario.protocol = protocol;
            let a = run_scenario(&scenario, None).unwrap();
            let b = run_scenario(&scenario, None).unwrap();
            let what = format!("preset {} under {}", p.id, protocol.label());
            assert_eq!(a.summary.trace_hash, b.summary.trace_hash, "{what}");
            assert_eq!(a.history, b.history, "{what}");
            assert!(a.summary.events > 1000, "{what} ran");
            hashes.push(a.summary.trace_hash);
        }
        assert_ne!(
            hashes[0], hashes[1],
            "preset {}: the protocol matters",
            p.id
        );
    }
}

#[test]
fn a_different_seed_gives_a_different_run() {
    let scenario = preset("leader-crash").unwrap();
    let a = run_scenario(&scenario, Some(1)).unwrap();
    let b = run_scenario(&scenario, Some(2)).unwrap();
    assert_ne!(a.summary.trace_hash, b.summary.trace_hash);
}

#[test]
fn a_cloned_simulation_continues_exactly_like_the_original() {
    // Time travel restores a clone and replays: the clone must not share mutable state.
    let scenario = preset("lossy-network").unwrap();
    let mut original = scenario.build().unwrap();
    original.advance_to(3_000_000);
    let mut copy = original.clone();
    original.advance_to(9_000_000);
    copy.advance_to(9_000_000);
    assert_eq!(original.trace_hash(), copy.trace_hash());
    assert_eq!(original.view(), copy.view());
}

#[test]
fn every_preset_passes_its_checks() {
    for p in presets() {
        let outcome = run_scenario(&preset(p.id).unwrap(), None).unwrap();
        assert!(
            outcome.summary.passed(),
            "preset {}: {:#?}",
            p.id,
            outcome.summary
        );
    }
}

#[test]
fn every_message_kind_the_presets_send_is_typed_as_the_name_it_carries() {
    // The engine fingerprints each delivery by its typed kind; the typed kind must be the one
    // the message's own name says, or a run would hash (and the page draw) another kind.
    let mut seen = std::collections::BTreeSet::new();
    for p in presets() {
        let mut scenario = preset(p.id).unwrap_or_else(|e| panic!("preset {}: {e}", p.id));
        for protocol in [Protocol::Raft, Protocol::MultiPaxos] {
            scenario.protocol = protocol;
            let mut sim = scenario.build().unwrap();
            let end = scenario.duration_ms * quorum_core::time::MS;
            while sim.now() < end && sim.step() {
                for envelope in sim.in_flight().values() {
                    let typed = envelope.payload.message_kind();
                    assert_eq!(typed.label(), envelope.payload.kind(), "preset {}", p.id);
                    seen.insert(typed);
                }
            }
        }
    }
    let missing: Vec<_> = quorum_cluster::message::MessageKind::ALL
        .into_iter()
        .filter(|k| !seen.contains(k))
        .collect();
    assert!(missing.is_empty(), "the presets never send {missing:?}");
}
