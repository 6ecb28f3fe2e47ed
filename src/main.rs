//! The page binary: mounts the Yew application into the document body.

#[cfg(target_arch = "wasm32")]
fn main() {
    quorum_lab::ui::start();
}

/// Natively there is nothing to show: the page is built for the browser with `trunk`.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "quorum-lab is a web page: run `scripts/serve.sh` and open http://127.0.0.1:8080/ \
         (or use the headless runner `quorum-run`)."
    );
    std::process::exit(2);
}
