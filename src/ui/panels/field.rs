//! A number field people can type into. The page re-renders every frame, so a field that showed
//! the applied value on each render would overwrite every keystroke: this one keeps what is being
//! typed as a draft and applies it on Enter, when the field loses focus, or after a short pause
//! in typing (a gloo-timers timeout, cancelled by the next keystroke). A value out of range or
//! not a number is refused — never clamped — with a message that names the field as the page
//! labels it and gives the range in the page's units; the draft stays for correcting.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::form::{show, NumberRule};

/// How long typing must pause before the draft applies, ms.
pub const APPLY_AFTER_PAUSE_MS: u32 = 800;

/// Properties of [`NumberField`].
#[derive(Properties, PartialEq, Clone)]
pub struct NumberFieldProps {
    /// What the field accepts, with its label as the page shows it.
    pub rule: NumberRule,
    /// `data-field` name, for tests and scripts.
    pub name: AttrValue,
    /// The value in force, in the page's units.
    pub value: f64,
    /// Receives a value that passed the checks.
    pub on_value: Callback<f64>,
}

/// The field.
#[component]
pub fn NumberField(props: &NumberFieldProps) -> Html {
    let draft = use_state(|| None::<String>);
    let error = use_state(|| None::<String>);
    let pending: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);

    // Applies `text`: sends it on when it passes, keeps it with a message when not.
    let apply = {
        let (draft, error, props, pending) =
            (draft.clone(), error.clone(), props.clone(), pending.clone());
        Rc::new(move |text: String| {
            pending.borrow_mut().take();
            match props.rule.check(&text) {
                Ok(v) => {
                    error.set(None);
                    draft.set(None);
                    props.on_value.emit(v);
                }
                Err(message) => error.set(Some(message)),
            }
        })
    };
    let oninput = {
        let (draft, pending, apply) = (draft.clone(), pending.clone(), apply.clone());
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let text = input.value();
            draft.set(Some(text.clone()));
            let apply = apply.clone();
            // Replacing the timeout drops (cancels) the one the previous keystroke started.
            *pending.borrow_mut() = Some(Timeout::new(APPLY_AFTER_PAUSE_MS, move || apply(text)));
        })
    };
    let onkeydown = {
        let (draft, apply) = (draft.clone(), apply.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                if let Some(text) = (*draft).clone() {
                    apply(text);
                }
            }
        })
    };
    let onblur = {
        let (draft, apply) = (draft.clone(), apply.clone());
        Callback::from(move |_: FocusEvent| {
            if let Some(text) = (*draft).clone() {
                apply(text);
            }
        })
    };
    let shown = (*draft).clone().unwrap_or_else(|| show(props.value));
    let error_id = format!("{}-error", props.name);
    html! {
        <label class={classes!("field", error.is_some().then_some("invalid"))}>
            <span>{props.rule.label.clone()}</span>
            <input type="text" inputmode={if props.rule.whole { "numeric" } else { "decimal" }}
                   data-field={props.name.clone()} value={shown}
                   aria-invalid={error.is_some().to_string()}
                   aria-describedby={error.is_some().then(|| error_id.clone())}
                   {oninput} {onkeydown} {onblur} />
            if let Some(message) = &*error {
                <span class="field-error" id={error_id} role="alert">{message.clone()}</span>
            }
        </label>
    }
}
