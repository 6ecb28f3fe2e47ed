//! The page: Yew components that render the core's view model and dispatch user actions. This is
//! the only module that touches yew, web-sys, js-sys or wasm-bindgen.

mod app;
pub mod check_worker;
mod chores;
mod controls;
mod diagram;
mod feed;
mod files;
mod help;
mod insights;
mod inspector;
mod js_api;
mod kv;
mod lesson;
pub mod lesson_state;
mod logs;
mod panels;
pub mod panic;
mod probe;
mod protocol;
mod spacetime;
pub mod state;
mod welcome;

pub use app::{App, AppProps};
pub use probe::wasm_memory_bytes;

/// Installs the panic banner and mounts [`App`] into the page's `#app` element (or the body).
pub fn start() {
    // The same module also runs in the check worker (see `check_worker`), where there is no
    // page to render: its entry point is `quorum_lab_check_worker`.
    let Some(window) = web_sys::window() else {
        return;
    };
    panic::install();
    let document = window.document();
    let root = document.as_ref().and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}
