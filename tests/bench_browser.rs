//! Simulation speed in the browser (run by `scripts/bench.sh` in release mode; not part of the
//! test suite): the standard workload's simulated seconds per wall second in headless Chrome,
//! under Raft and under Multi-Paxos; wasm memory over an hour; what the page's periodic
//! linearizability check costs over an hour of one hot key.
#![cfg(target_arch = "wasm32")]

use quorum_scenario::{run_scenario, standard_benchmark, Protocol};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Runs of each protocol before any is timed. V8 runs wasm on its baseline compiler until hot
/// code has been recompiled optimised (in the background, which on two cores takes a while),
/// and a page runs for minutes, so the steady state is the figure that matters. Both protocols
/// warm up first: they share most of the engine.
const WARM_UP_RUNS: usize = 3;

#[wasm_bindgen_test]
fn speed() {
    let scenarios = [Protocol::Raft, Protocol::MultiPaxos].map(|protocol| {
        let mut scenario = standard_benchmark(SIMULATED_S * 1000);
        scenario.protocol = protocol;
        scenario
    });
    for scenario in &scenarios {
        for _ in 0..WARM_UP_RUNS {
            run_scenario(scenario, None).expect("valid");
        }
    }
    for scenario in &scenarios {
        bench(scenario);
    }
}

/// Simulated seconds of the standard workload per run.
const SIMULATED_S: u64 = 60;

/// Simulation speed of the standard workload in this browser, warmed up: ten timed runs with
/// the sub-millisecond clock; a run takes some 40 ms, so the median is quoted beside the best.
fn bench(scenario: &quorum_scenario::Scenario) {
    const TIMED_RUNS: usize = 10;
    let clock = web_sys::window()
        .and_then(|w| w.performance())
        .expect("a page has a clock");
    let mut walls = Vec::with_capacity(TIMED_RUNS);
    let mut outcomes = Vec::with_capacity(TIMED_RUNS);
    for _ in 0..TIMED_RUNS {
        let start = clock.now();
        outcomes.push(run_scenario(scenario, None).expect("valid"));
        walls.push((clock.now() - start) / 1000.0);
    }
    let outcome = &outcomes[0];
    assert!(
        outcomes
            .iter()
            .all(|o| o.summary.events == outcome.summary.events),
        "the same seed runs the same"
    );
    walls.sort_by(f64::total_cmp);
    let (best, median) = (walls[0], walls[TIMED_RUNS / 2]);
    web_sys::console::log_1(
        &format!(
            "wasm, {}: {SIMULATED_S} simulated s in {median:.4} wall s = {:.0}x real time (median of {TIMED_RUNS} after {WARM_UP_RUNS} warm-up runs of each protocol; best {:.0}x; {} events, {} operations)",
            scenario.protocol.label(),
            SIMULATED_S as f64 / median,
            SIMULATED_S as f64 / best,
            outcome.summary.events,
            outcome.history.len()
        )
        .into(),
    );
    assert!(outcome.summary.passed());
}

/// Wasm memory over an hour of the page's heaviest standard run under Raft (run alone:
/// `bench_browser hour_raft`, since wasm memory never shrinks).
#[wasm_bindgen_test]
fn hour_raft() {
    hour_in_the_browser(quorum_cluster::config::ProtocolKind::Raft);
}

/// The same under Multi-Paxos (`bench_browser hour_multi_paxos`).
#[wasm_bindgen_test]
fn hour_multi_paxos() {
    hour_in_the_browser(quorum_cluster::config::ProtocolKind::MultiPaxos);
}

/// Wasm memory over an hour of the page's heaviest standard run (9 servers, 10 clients, 100
/// operations per second) recorded by a timeline exactly as the page keeps it — checkpoints,
/// history and feed — with the checkpoint spacing and seek times.
fn hour_in_the_browser(protocol: quorum_cluster::config::ProtocolKind) {
    use quorum_cluster::time::SECOND;
    use quorum_cluster::timeline::Timeline;
    use quorum_cluster::Sim;
    use quorum_scenario::PageParams;

    let wasm_memory = || f64::from(quorum_lab::ui::wasm_memory_bytes()) / 1e6;
    {
        let (config, workload) = PageParams::heaviest(protocol).start();
        let mut timeline = Timeline::new(Sim::new(config, workload).expect("valid"));
        let start = js_sys::Date::now();
        for minutes in [1u64, 10, 30, 60] {
            timeline.advance_to(minutes * 60 * SECOND);
            web_sys::console::log_1(
                &format!(
                    "wasm, {}: after {minutes:>2} simulated min the wasm memory is {:.1} MB ({} operations, {} checkpoints, widest gap {:.1} s)",
                    protocol.label(),
                    wasm_memory(),
                    timeline.sim().history().len(),
                    timeline.checkpoint_count(),
                    timeline.widest_checkpoint_gap() as f64 / SECOND as f64
                )
                .into(),
            );
        }
        let wall = (js_sys::Date::now() - start) / 1000.0;
        let mut seeks = Vec::new();
        for target in [
            0,
            30 * 60 * SECOND + 1_900_000,
            timeline.horizon(),
            10 * 60 * SECOND + 1_900_000,
        ] {
            let t0 = js_sys::Date::now();
            timeline.seek(target);
            seeks.push(format!("{:.0} ms", js_sys::Date::now() - t0));
        }
        web_sys::console::log_1(
            &format!(
                "wasm, {}: the hour took {wall:.1} wall s ({:.0}x real time, checkpoints included); seeks live -> start -> 30 min -> live -> 10 min: {}",
                protocol.label(),
                3600.0 / wall,
                seeks.join(", ")
            )
            .into(),
        );
    }
}

/// What the page's periodic linearizability check costs in wasm over an hour of one hot key in
/// open loop (100 operations a second through the balancer, 5 Raft servers: operations overlap
/// all the time, so no instant has nothing in flight). Every 2 simulated seconds, as the page's
/// worker does, the feed turns the history into a request, serde-wasm-bindgen carries it there
/// and the reply back, and the service checks what is new (`bench_browser lincheck_hot_key`).
#[wasm_bindgen_test]
fn lincheck_hot_key() {
    use quorum_cluster::check::linearizability::Verdict;
    use quorum_cluster::time::SECOND;
    use quorum_lab::check_service::{CheckFeed, CheckReply, CheckRequest, CheckService};
    use quorum_traffic::client::LoadMode;

    let mut scenario = standard_benchmark(3_600_000);
    scenario.workload.keys = 1;
    scenario.workload.mode = LoadMode::Open;
    scenario.workload.balancer = Some(Default::default());
    let mut sim = scenario.build().expect("valid");
    let clock = web_sys::window()
        .and_then(|w| w.performance())
        .expect("a page has a clock");
    let (mut feed, mut service) = (CheckFeed::default(), CheckService::default());
    let mut window: Vec<f64> = Vec::new();
    for second in (2..=3_600u64).step_by(2) {
        sim.advance_to(second * SECOND);
        let start = clock.now();
        let request = feed.request(sim.history(), sim.outstanding_operations(), second * SECOND);
        let request: CheckRequest = across(&request);
        let reply: CheckReply = across(&service.answer(request));
        window.push(clock.now() - start);
        let CheckReply::Checked { report, .. } = reply else {
            panic!("the service keeps up with the feed");
        };
        assert_eq!(report.verdict, Verdict::Linearizable, "at {second} s");
        if [60, 600, 1_800, 3_600].contains(&second) {
            window.sort_by(f64::total_cmp);
            let p95 = window[(window.len() * 95 / 100).min(window.len() - 1)];
            web_sys::console::log_1(
                &format!(
                    "wasm, lincheck of one hot key every 2 s, up to {:>4} s ({} operations): {} checks, mean {:.2} ms, p95 {p95:.2} ms, max {:.2} ms",
                    second,
                    sim.history().len(),
                    window.len(),
                    window.iter().sum::<f64>() / window.len() as f64,
                    window[window.len() - 1]
                )
                .into(),
            );
            window.clear();
        }
    }
}

/// `value` carried to a worker or back as the page carries it: serde-wasm-bindgen, 64-bit
/// numbers as BigInts, absent values as `null`.
fn across<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_large_number_types_as_bigints(true)
        .serialize_missing_as_null(true);
    let js = value.serialize(&serializer).expect("serializable");
    serde_wasm_bindgen::from_value(js).expect("readable")
}
