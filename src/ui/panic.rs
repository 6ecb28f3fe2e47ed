//! Turns a panic into a visible banner instead of a dead page: the message, where it happened,
//! and a hint to reload. The banner is plain DOM so it works even when Yew itself is gone.

use std::panic::PanicHookInfo;

/// Id of the banner element, so tests and styles can find it.
pub const BANNER_ID: &str = "panic-banner";

/// Installs the hook (through Yew, so mounting an app does not replace it).
pub fn install() {
    yew::set_custom_panic_hook(Box::new(on_panic));
}

fn on_panic(info: &PanicHookInfo<'_>) {
    let message = panic_message(info);
    web_sys::console::error_1(&format!("Quorum Lab crashed: {message}").into());
    show_banner(&message);
}

fn panic_message(info: &PanicHookInfo<'_>) -> String {
    let payload = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    match info.location() {
        Some(loc) => format!("{payload} (at {}:{})", loc.file(), loc.line()),
        None => payload,
    }
}

/// Puts (or replaces) the error banner at the top of the page.
pub fn show_banner(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    let banner = match document.get_element_by_id(BANNER_ID) {
        Some(existing) => existing,
        None => match document.create_element("div") {
            Ok(el) => {
                el.set_id(BANNER_ID);
                let _ = el.set_attribute("role", "alert");
                let _ = body.prepend_with_node_1(&el);
                el
            }
            Err(_) => return,
        },
    };
    let title = document.create_element("strong").ok();
    let text = document.create_element("span").ok();
    banner.set_text_content(None);
    if let (Some(title), Some(text)) = (title, text) {
        title.set_text_content(Some("Quorum Lab stopped because of a bug. "));
        text.set_text_content(Some(&format!(
            "{message} — reload the page to start again."
        )));
        let _ = banner.append_child(&title);
        let _ = banner.append_child(&text);
    }
}
