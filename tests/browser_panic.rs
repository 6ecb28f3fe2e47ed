//! A panic must leave a visible banner with its message, not a dead page. Kept in its own test
//! binary because a panic aborts the wasm instance it happens in.
#![cfg(target_arch = "wasm32")]

use quorum_lab::ui::panic::{install, BANNER_ID};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_panic_shows_the_error_banner_with_its_message() {
    install();
    let window = web_sys::window().unwrap();
    // Panic inside a browser callback, as a bug in an event handler would.
    let boom = Closure::<dyn FnMut()>::new(|| panic!("deliberate test panic 7431")).into_js_value();
    window
        .set_timeout_with_callback_and_timeout_and_arguments_0(boom.unchecked_ref(), 0)
        .unwrap();
    // Let the timer fire; the panic aborts only that callback's call into wasm.
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(wait).await.unwrap();

    let document = window.document().unwrap();
    let banner = document
        .get_element_by_id(BANNER_ID)
        .expect("banner is shown");
    let text = banner.text_content().unwrap();
    assert!(
        text.contains("deliberate test panic 7431"),
        "banner names the panic: {text}"
    );
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
}
