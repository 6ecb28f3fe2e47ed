//! The linearizability check off the main thread: a dedicated Web Worker runs the same wasm
//! module (no second download: the page hands the worker its compiled `WebAssembly.Module`)
//! and answers [`CheckRequest`]s with [`CheckReply`]s, both carried by serde-wasm-bindgen. The
//! worker is a [`CheckService`]; the page keeps the [`CheckFeed`] and sends only what is new.
//!
//! Where no worker can start — no `Worker` in the browser, a page opened from a file where the
//! browser refuses a worker, a failed import — [`CheckHost`] checks on the main thread instead,
//! with the same incremental checker, so the verdicts never depend on where they were made.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::Callback;

use crate::check_service::{CheckFeed, CheckReply, CheckRequest, CheckService};
use quorum_cluster::check::linearizability::IncrementalChecker;

use super::insights::{CheckPlace, CheckResult};
use super::state::{ChoreOutcome, LabAction, LabInner};

#[wasm_bindgen]
extern "C" {
    /// The address of wasm-bindgen's glue module (this module's `import.meta.url`): the worker
    /// imports the same glue to run the same wasm.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: JsValue;
}

/// The worker's script: it imports the glue, instantiates the module its first message carries
/// and starts listening.
const WORKER_BOOT: &str = r#"import init, { quorum_lab_check_worker } from "GLUE";
self.onmessage = async ({ data }) => {
  self.onmessage = null;
  await init({ module_or_path: data });
  quorum_lab_check_worker();
};
"#;

/// The same for a classic worker, appended to the glue's own text made classic (see
/// [`classic_script`]): a page opened from a file has an opaque origin, where browsers start
/// classic workers from Blob URLs but not module workers.
const WORKER_BOOT_AFTER_GLUE: &str = r#"
self.onmessage = async ({ data }) => {
  self.onmessage = null;
  await __wbg_init({ module_or_path: data });
  quorum_lab_check_worker();
};
"#;

/// wasm-bindgen's glue module as a classic script: its exports become plain declarations and
/// its own address is the worker's.
fn classic_script(glue: &str) -> String {
    let mut script = String::with_capacity(glue.len() + WORKER_BOOT_AFTER_GLUE.len());
    for line in glue.lines() {
        if line.starts_with("export {") {
            continue;
        }
        script.push_str(
            &line
                .strip_prefix("export ")
                .unwrap_or(line)
                .replace("import.meta.url", "self.location.href"),
        );
        script.push('\n');
    }
    script.push_str(WORKER_BOOT_AFTER_GLUE);
    script
}

/// The element the single-file build keeps the glue's text in.
const INLINE_GLUE_ID: &str = "quorum-lab-glue";

/// The worker's message when it is listening.
const READY: &str = "ready";

/// serde-wasm-bindgen both ways with 64-bit numbers as BigInts (digests use all 64 bits) and
/// absent values as `null`.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, String> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_large_number_types_as_bigints(true)
        .serialize_missing_as_null(true);
    value.serialize(&serializer).map_err(|e| e.to_string())
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// The worker's entry point, called by [`WORKER_BOOT`] once the module is instantiated there:
/// answers every request with the service's reply.
#[wasm_bindgen]
pub fn quorum_lab_check_worker() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let service = RefCell::new(CheckService::default());
    let replies = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        // A request that does not decode cannot be answered by number; the page's pending check
        // then waits for the worker's error instead (see `CheckHost`).
        let reply = match from_js::<CheckRequest>(event.data()) {
            Ok(request) => service.borrow_mut().answer(request),
            Err(e) => wasm_bindgen::throw_str(&format!("check request: {e}")),
        };
        match to_js(&reply) {
            Ok(value) => drop(replies.post_message(&value)),
            Err(e) => wasm_bindgen::throw_str(&format!("check reply: {e}")),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}

/// Where the page's checks run and what is waiting for an answer. One request is in flight at
/// a time; checks asked meanwhile share the next one, made from the run as it is when it goes.
#[derive(Default)]
pub struct CheckHost {
    worker: WorkerState,
    feed: CheckFeed,
    /// The request sent and the chores its answer completes.
    in_flight: Option<(u64, Vec<u64>)>,
    /// Chores for the next request.
    queued: Vec<u64>,
    /// For checks on the main thread.
    fallback: IncrementalChecker,
    /// The worker's message and error handlers, kept alive with it.
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

#[derive(Default)]
enum WorkerState {
    /// Not started yet.
    #[default]
    Unstarted,
    /// Started, loading the module.
    Starting(Worker),
    /// Listening.
    Ready(Worker),
    /// Unavailable: checks run on the main thread.
    Failed,
}

/// The host as the page's hooks share it.
pub type SharedCheckHost = Rc<RefCell<CheckHost>>;

/// Chores done, with what they came to, for the caller to report.
type Done = Vec<(u64, ChoreOutcome)>;

/// What the handlers need to reach the page.
#[derive(Clone)]
pub struct PageHandles {
    /// The page's state, read to build requests.
    pub inner: Rc<RefCell<LabInner>>,
    /// Reports finished chores.
    pub dispatch: Callback<LabAction>,
}

impl CheckHost {
    /// Starts chore `id`, a check of the run in `lab`: answered later through the page's
    /// dispatch when a worker checks it, or returned as done when the main thread did.
    pub fn check(host: &SharedCheckHost, lab: &LabInner, id: u64, page: &PageHandles) -> Done {
        let mut this = host.borrow_mut();
        if matches!(this.worker, WorkerState::Unstarted) {
            this.start(host, page);
        }
        this.queued.push(id);
        this.pump(lab)
    }

    /// Sends the next request if the worker is free and a check is queued; without a worker,
    /// does every waiting check here.
    fn pump(&mut self, lab: &LabInner) -> Done {
        if matches!(self.worker, WorkerState::Failed) {
            let mut chores: Vec<u64> = self.in_flight.take().map(|(_, c)| c).unwrap_or_default();
            chores.append(&mut self.queued);
            if chores.is_empty() {
                return Vec::new();
            }
            let result = Rc::new(lab.check_history(&mut self.fallback));
            return chores
                .into_iter()
                .map(|id| (id, ChoreOutcome::Checked(result.clone())))
                .collect();
        }
        let WorkerState::Ready(worker) = &self.worker else {
            return Vec::new();
        };
        if self.in_flight.is_some() || self.queued.is_empty() {
            return Vec::new();
        }
        let sim = lab.timeline.sim();
        let request = self
            .feed
            .request(sim.history(), sim.outstanding_operations(), sim.now());
        let sent = to_js(&request).and_then(|m| {
            worker
                .post_message(&m)
                .map_err(|_| "the worker refused it".to_string())
        });
        match sent {
            Ok(()) => {
                self.in_flight = Some((request.id, std::mem::take(&mut self.queued)));
                Vec::new()
            }
            Err(e) => {
                self.give_up(&e);
                self.pump(lab)
            }
        }
    }

    /// Stops the worker: from now on checks run on the main thread.
    fn give_up(&mut self, why: &str) {
        if let WorkerState::Starting(worker) | WorkerState::Ready(worker) =
            std::mem::replace(&mut self.worker, WorkerState::Failed)
        {
            worker.terminate();
        }
        // The first request on the main thread takes in the whole history.
        self.feed.start_over();
        web_sys::console::warn_1(
            &format!("Quorum Lab checks linearizability on the main thread: {why}").into(),
        );
    }

    /// Creates the worker and hands it the module; on any failure, checks stay here.
    fn start(&mut self, host: &SharedCheckHost, page: &PageHandles) {
        match spawn() {
            Ok(worker) => {
                let on_message = {
                    let (host, page) = (host.clone(), page.clone());
                    Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                        if let Some(event) = event.dyn_ref::<MessageEvent>() {
                            received(&host, &page, event.data());
                        }
                    })
                };
                let on_error = {
                    let (host, page) = (host.clone(), page.clone());
                    Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                        event.prevent_default();
                        let message = event
                            .dyn_ref::<web_sys::ErrorEvent>()
                            .map_or_else(|| "it failed to load".to_string(), |e| e.message());
                        failed(&host, &page, &message);
                    })
                };
                worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
                worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
                self.handlers = vec![on_message, on_error];
                self.worker = WorkerState::Starting(worker);
            }
            Err(e) => self.give_up(&format!("{e:?}")),
        }
    }
}

/// A module worker running [`WORKER_BOOT`], already sent the module.
fn spawn() -> Result<Worker, JsValue> {
    let inline_glue = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(INLINE_GLUE_ID))
        .and_then(|e| e.text_content());
    let worker_options = WorkerOptions::new();
    worker_options.set_name("quorum-lab-check");
    let source = match inline_glue {
        Some(glue) => classic_script(&glue),
        None => {
            let url = GLUE_URL.with(JsValue::as_string).ok_or("no glue address")?;
            worker_options.set_type(WorkerType::Module);
            WORKER_BOOT.replace("GLUE", &url.replace('\\', "\\\\").replace('"', "\\\""))
        }
    };
    let parts = js_sys::Array::of1(&JsValue::from_str(&source));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let worker = Worker::new_with_options(&url, &worker_options);
    let _ = web_sys::Url::revoke_object_url(&url);
    let worker = worker?;
    worker.post_message(&wasm_bindgen::module())?;
    Ok(worker)
}

/// Reports chores done.
fn report(page: &PageHandles, done: Done) {
    for (id, outcome) in done {
        page.dispatch.emit(LabAction::ChoreDone { id, outcome });
    }
}

/// A message from the worker: it is ready, or it answered.
fn received(host: &SharedCheckHost, page: &PageHandles, data: JsValue) {
    let Ok(lab) = page.inner.try_borrow() else {
        return;
    };
    let mut this = host.borrow_mut();
    let mut done = Vec::new();
    if data.as_string().as_deref() == Some(READY) {
        if let WorkerState::Starting(worker) = std::mem::take(&mut this.worker) {
            this.worker = WorkerState::Ready(worker);
        }
    } else {
        match from_js::<CheckReply>(data) {
            Ok(CheckReply::Checked {
                id,
                at,
                len,
                digest,
                report,
                history,
            }) => {
                if let Some((_, chores)) = this.in_flight.take_if(|(sent, _)| *sent == id) {
                    let result = Rc::new(CheckResult {
                        at,
                        len,
                        digest,
                        place: CheckPlace::Worker,
                        report,
                        history: Rc::new(history.unwrap_or_default()),
                    });
                    done.extend(
                        chores
                            .into_iter()
                            .map(|c| (c, ChoreOutcome::Checked(result.clone()))),
                    );
                }
            }
            Ok(CheckReply::OutOfStep { .. }) => {
                // The worker lost what it was sent: send it the whole history.
                this.feed.start_over();
                if let Some((_, mut chores)) = this.in_flight.take() {
                    chores.append(&mut this.queued);
                    this.queued = chores;
                }
            }
            Err(e) => this.give_up(&format!("an answer that does not decode ({e})")),
        }
    }
    done.extend(this.pump(&lab));
    drop((this, lab));
    report(page, done);
}

/// The worker failed (it could not load, or threw): checks move to the main thread, starting
/// with those waiting.
fn failed(host: &SharedCheckHost, page: &PageHandles, why: &str) {
    let Ok(lab) = page.inner.try_borrow() else {
        return;
    };
    let mut this = host.borrow_mut();
    this.give_up(why);
    let done = this.pump(&lab);
    drop((this, lab));
    report(page, done);
}
