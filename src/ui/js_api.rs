//! `window.quorumLab`: a small scripting interface for teaching, embedding and end-to-end tests.
//!
//! - `view()` → the current view model (nodes, messages, logs, KV, feed, violations) as an object
//! - `apply(action)` → applies a simulation action given as an object or JSON text
//!   (e.g. `{"type":"crash_leader"}`); returns `null` or an error message naming the field
//! - `history()` → the client history so far, JSON Lines (the format external checkers read)
//! - `exportScenario()` → the run as a scenario (JSON) that replays it; `loadScenario(text)`
//!   loads one (returns `null` or the error naming the field)
//! - `switchProtocol(name)` → replays the run under `"raft"` or `"multi_paxos"`; returns `null` or
//!   an error naming the protocol
//! - `play()`, `pause()`
//! - `frameStats()` → `{frames, p50, p95, max, longFrames}`: simulation + render milliseconds per
//!   frame (percentiles of the last 600; the longest and the count over 33 ms since opening or
//!   since `resetFrameStats()`)
//! - `skip(seconds)` → runs the simulation that far ahead at once (to reach an hour quickly)
//! - `wasmMemory()` → bytes of WebAssembly memory the page holds (it never shrinks: a peak)
//! - `lastCheck()` → the latest linearizability verdict shown, `{at, operations, verdict,
//!   inWorker}` (`null` before the first)

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::Callback;

use super::probe::FrameProbe;
use super::state::{LabAction, LabInner};
use quorum_cluster::config::ProtocolKind;

fn set(target: &js_sys::Object, name: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(name), value);
}

/// A value as a plain JavaScript object, shaped as its JSON would be: maps become objects (their
/// keys strings, server numbers included), numbers numbers.
fn to_object<T: serde::Serialize>(value: &T) -> Option<JsValue> {
    let shaped = serde_json::to_value(value).ok()?;
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    serde::Serialize::serialize(&shaped, &serializer).ok()
}

fn function<F: FnMut(JsValue) -> JsValue + 'static>(f: F) -> JsValue {
    Closure::<dyn FnMut(JsValue) -> JsValue>::new(f).into_js_value()
}

/// Installs `window.quorumLab` for the page state behind `inner`.
pub fn install(
    inner: Rc<RefCell<LabInner>>,
    probe: Rc<RefCell<FrameProbe>>,
    dispatch: Callback<LabAction>,
) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let api = js_sys::Object::new();

    let i = inner.clone();
    set(
        &api,
        "view",
        &function(move |_| {
            i.try_borrow()
                .ok()
                .and_then(|lab| to_object(&lab.timeline.sim().view()))
                .unwrap_or(JsValue::NULL)
        }),
    );

    let d = dispatch.clone();
    set(
        &api,
        "apply",
        &function(move |arg| {
            // An object, or the same as JSON text. Objects become text first, so an action is
            // read by the one parser scenario files use (one copy of it in the page's code), and
            // the error names the field where the parser can tell it.
            let text = arg.as_string().or_else(|| {
                js_sys::JSON::stringify(&arg)
                    .ok()
                    .and_then(|text| text.as_string())
            });
            let parsed = match text {
                Some(text) => quorum_scenario::parse_action(&text),
                None => Err("action: expected an action object or its JSON text".to_string()),
            };
            match parsed {
                Ok(action) => {
                    d.emit(LabAction::Sim(action));
                    JsValue::NULL
                }
                Err(e) => JsValue::from_str(&e),
            }
        }),
    );

    let i = inner.clone();
    set(
        &api,
        "history",
        &function(move |_| {
            let text = i
                .try_borrow()
                .map(|lab| {
                    lab.timeline
                        .sim()
                        .final_history()
                        .iter()
                        .map(|op| op.to_json_line() + "\n")
                        .collect::<String>()
                })
                .unwrap_or_default();
            JsValue::from_str(&text)
        }),
    );

    let d = dispatch.clone();
    set(
        &api,
        "play",
        &function(move |_| {
            d.emit(LabAction::SetPlaying(true));
            JsValue::NULL
        }),
    );
    let d = dispatch.clone();
    set(
        &api,
        "pause",
        &function(move |_| {
            d.emit(LabAction::SetPlaying(false));
            JsValue::NULL
        }),
    );

    let i = inner.clone();
    set(
        &api,
        "exportScenario",
        &function(move |_| {
            let text = i
                .try_borrow()
                .map(|lab| lab.scenario_text())
                .unwrap_or_default();
            JsValue::from_str(&text)
        }),
    );
    let d = dispatch.clone();
    set(
        &api,
        "switchProtocol",
        &function(move |arg| {
            let name = arg.as_string().unwrap_or_default();
            match ProtocolKind::parse(&name, "protocol") {
                Ok(protocol) => {
                    d.emit(LabAction::SwitchProtocol(protocol));
                    JsValue::NULL
                }
                Err(e) => JsValue::from_str(&e.to_string()),
            }
        }),
    );
    let d = dispatch.clone();
    set(
        &api,
        "loadScenario",
        &function(move |arg| {
            let text = arg.as_string().unwrap_or_default();
            // Validate first so the caller gets the error; the page then loads it.
            match quorum_scenario::parse_scenario(&text) {
                Ok(_) => {
                    d.emit(LabAction::LoadScenario(text));
                    JsValue::NULL
                }
                Err(e) => JsValue::from_str(&e.to_string()),
            }
        }),
    );

    let p = probe.clone();
    set(
        &api,
        "frameStats",
        &function(move |_| {
            let stats = p.try_borrow().map(|p| p.stats()).unwrap_or_default();
            to_object(&stats).unwrap_or(JsValue::NULL)
        }),
    );
    set(
        &api,
        "resetFrameStats",
        &function(move |_| {
            if let Ok(mut p) = probe.try_borrow_mut() {
                p.reset();
            }
            JsValue::NULL
        }),
    );

    let d = dispatch.clone();
    set(
        &api,
        "skip",
        &function(move |arg| match arg.as_f64() {
            Some(s) if s.is_finite() && s > 0.0 && s <= 3_600.0 => {
                let micros = (s * quorum_cluster::time::SECOND as f64).round() as u64;
                d.emit(LabAction::Skip(micros));
                JsValue::NULL
            }
            _ => JsValue::from_str("skip: seconds must be a number above 0 and at most 3600"),
        }),
    );

    set(
        &api,
        "wasmMemory",
        &function(move |_| JsValue::from_f64(f64::from(super::probe::wasm_memory_bytes()))),
    );

    set(
        &api,
        "lastCheck",
        &function(move |_| {
            let Ok(lab) = inner.try_borrow() else {
                return JsValue::NULL;
            };
            let Some(check) = &lab.check else {
                return JsValue::NULL;
            };
            let summary = js_sys::Object::new();
            set(&summary, "at", &JsValue::from_f64(check.at as f64));
            set(&summary, "operations", &JsValue::from_f64(check.len as f64));
            let verdict = to_object(&check.report.verdict).unwrap_or(JsValue::NULL);
            set(&summary, "verdict", &verdict);
            let in_worker = check.place == super::insights::CheckPlace::Worker;
            set(&summary, "inWorker", &JsValue::from_bool(in_worker));
            summary.into()
        }),
    );

    set(
        window.unchecked_ref::<js_sys::Object>(),
        "quorumLab",
        &api.into(),
    );
}
