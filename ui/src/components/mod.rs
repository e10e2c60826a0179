//! Pieces shared by screens: the header with the scan box, the sync strip,
//! the signature pad, and how a screen shows that it is loading or failed.

pub mod header;
pub mod load_view;
pub mod signature_pad;
pub mod status_strip;

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The text of an `<input>` from its `input` event.
pub fn input_value(e: InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

/// The text of a `<textarea>` from its `input` event.
pub fn textarea_value(e: InputEvent) -> String {
    e.target_unchecked_into::<HtmlTextAreaElement>().value()
}

/// The chosen value of a `<select>` from its `change` event.
pub fn select_value(e: Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

/// Whether a checkbox is checked, from its `change` event.
pub fn checkbox_value(e: Event) -> bool {
    e.target_unchecked_into::<HtmlInputElement>().checked()
}
