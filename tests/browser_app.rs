//! The real page mounted into a fresh element in a headless browser: it must draw the cluster the
//! core is configured with.
#![cfg(target_arch = "wasm32")]

use quorum_cluster::ClusterConfig;
use quorum_lab::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A new mount point, with the address cleared of any run an earlier test left in it (the page
/// keeps its run in the address and opens the run an address holds).
fn fresh_root() -> web_sys::Element {
    let window = web_sys::window().unwrap();
    let _ = window.history().unwrap().replace_state_with_url(
        &wasm_bindgen::JsValue::NULL,
        "",
        Some("#"),
    );
    // The first-visit overlay was read long ago.
    let _ = window
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item("quorum-lab.welcomed", "1");
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

#[wasm_bindgen_test]
async fn page_draws_every_configured_server_labelled_on_the_ring() {
    let root = fresh_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;

    let servers = root.query_selector_all("svg.cluster g.server").unwrap();
    let expected = ClusterConfig::default().servers;
    assert_eq!(
        servers.length() as usize,
        expected,
        "one drawn server per configured server"
    );
    let labels: Vec<String> = (0..servers.length())
        .map(|i| {
            let el: web_sys::Element = servers.item(i).unwrap().dyn_into().unwrap();
            el.get_attribute("data-server").unwrap_or_default()
        })
        .collect();
    assert_eq!(labels, ["S1", "S2", "S3", "S4", "S5"]);
    // Every pair of servers is joined by a link.
    let links = root.query_selector_all("svg.cluster g.link").unwrap();
    assert_eq!(links.length() as usize, expected * (expected - 1) / 2);
}

#[wasm_bindgen_test]
async fn page_has_header_side_panel_and_versioned_footer() {
    let root = fresh_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;

    let brand = root
        .query_selector(".brand")
        .unwrap()
        .expect("header brand");
    assert_eq!(brand.text_content().unwrap(), "Quorum Lab");
    assert!(root.query_selector(".side").unwrap().is_some());
    let footer = root
        .query_selector(".footer")
        .unwrap()
        .expect("footer")
        .text_content()
        .unwrap();
    assert!(
        footer.contains(quorum_lab::VERSION),
        "footer shows the version: {footer}"
    );
}
