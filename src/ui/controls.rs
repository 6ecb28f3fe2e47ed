//! The top bar: play/pause, single step, skip ahead, speed on a log scale, the time slider that
//! scrubs through the recorded run, theme and help.

use yew::prelude::*;

use super::state::{LabAction, MAX_SPEED, MIN_SPEED, SKIP};
use quorum_cluster::Time;
use quorum_core::time::{format_time, MS};

/// Properties of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// Running or paused.
    pub playing: bool,
    /// Virtual seconds per real second.
    pub speed: f64,
    /// The instant shown.
    pub now: Time,
    /// The furthest instant recorded.
    pub horizon: Time,
    /// Where actions go.
    pub dispatch: Callback<LabAction>,
}

/// Slider position (0–1000) for a speed, on a log scale from [`MIN_SPEED`] to [`MAX_SPEED`].
pub fn speed_to_slider(speed: f64) -> f64 {
    ((speed / MIN_SPEED).ln() / (MAX_SPEED / MIN_SPEED).ln() * 1000.0).clamp(0.0, 1000.0)
}

/// Speed for a slider position.
pub fn slider_to_speed(v: f64) -> f64 {
    MIN_SPEED * (MAX_SPEED / MIN_SPEED).powf(v / 1000.0)
}

/// A speed as people say it: `1/100×`, `1×`.
pub fn describe_speed(speed: f64) -> String {
    if speed >= 0.999 {
        "1×".into()
    } else {
        format!("1/{:.0}×", 1.0 / speed)
    }
}

fn input_value(e: &Event) -> Option<String> {
    e.target_dyn_into::<web_sys::HtmlInputElement>()
        .map(|i| i.value())
}

/// Cycles the colour theme: follow the system, light, dark (for projectors and dark rooms).
#[component]
fn ThemeButton() -> Html {
    let theme = use_state(|| "auto");
    let onclick = {
        let theme = theme.clone();
        Callback::from(move |_| {
            let next = match *theme {
                "auto" => "light",
                "light" => "dark",
                _ => "auto",
            };
            if let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = if next == "auto" {
                    root.remove_attribute("data-theme")
                } else {
                    root.set_attribute("data-theme", next)
                };
            }
            theme.set(next);
        })
    };
    html! {
        <button class="btn" data-action="theme" {onclick} title="Colour theme: system, light or dark">
            { match *theme { "light" => "☀ Light", "dark" => "☾ Dark", _ => "◐ Auto" } }
        </button>
    }
}

/// The playback controls.
#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let d = props.dispatch.clone();
    let toggle = {
        let d = d.clone();
        Callback::from(move |_| d.emit(LabAction::TogglePlay))
    };
    let step = {
        let d = d.clone();
        Callback::from(move |_| d.emit(LabAction::Step))
    };
    let skip = {
        let d = d.clone();
        Callback::from(move |_| d.emit(LabAction::Skip(SKIP)))
    };
    let on_speed = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e).and_then(|v| v.parse::<f64>().ok()) {
                d.emit(LabAction::SetSpeed(slider_to_speed(v)));
            }
        })
    };
    let on_seek = {
        let d = d.clone();
        let horizon = props.horizon;
        Callback::from(move |e: InputEvent| {
            if let Some(v) = input_value(&e).and_then(|v| v.parse::<u64>().ok()) {
                // The slider counts whole milliseconds; its end is the live instant exactly.
                let t = if v >= horizon / MS { horizon } else { v * MS };
                d.emit(LabAction::Seek(t));
            }
        })
    };
    let help = {
        let d = d.clone();
        Callback::from(move |_| d.emit(LabAction::ToggleHelp))
    };
    let copy_link = {
        let d = d.clone();
        Callback::from(move |_| d.emit(LabAction::CopyLink))
    };
    let in_past = props.now < props.horizon;
    html! {
        <div class="controls">
            <button class="btn primary play" data-action="play" onclick={toggle}
                    title="Play / pause (space)">
                { if props.playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            <button class="btn" data-action="step" onclick={step} title="Process the next event (s)">{"Step"}</button>
            <button class="btn" data-action="skip" onclick={skip} title="Run one simulated second at once">{"+1 s"}</button>
            <label class="speed" title="Playback speed (log scale)">
                <span>{"Speed"}</span>
                <input type="range" min="0" max="1000" step="1" data-control="speed"
                       value={format!("{:.0}", speed_to_slider(props.speed))} oninput={on_speed} />
                <span class="speed-value">{describe_speed(props.speed)}</span>
            </label>
            <label class="time" title="Scrub through the recorded run (← →)">
                <span class="clock" data-control="clock">{format_time(props.now)}</span>
                <input type="range" min="0" max={(props.horizon / MS).to_string()} step="1"
                       data-control="time" value={(props.now / MS).to_string()} oninput={on_seek} />
                if in_past {
                    <span class="badge past" title="Acting now discards the recorded future">{"past · acting forks"}</span>
                } else {
                    <span class="badge live">{"live"}</span>
                }
            </label>
            <button class="btn" data-action="present" onclick={
                let d = d.clone();
                Callback::from(move |_| d.emit(LabAction::TogglePresenting))
            } title="Presentation mode: large type, diagram, logs and feed only (p)">{"Present"}</button>
            <button class="btn" data-action="copy-link" onclick={copy_link}
                    title="Copy a link that opens this run at this instant">{"Copy link"}</button>
            <ThemeButton />
            <button class="btn icon" data-action="help" onclick={help} title="Keyboard shortcuts (?)">{"?"}</button>
        </div>
    }
}
