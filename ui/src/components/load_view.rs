//! How a screen looks while its data loads, or when loading failed.

use crate::hooks::use_ctx;
use crate::state::load::{Load, NEEDS_CONNECTION};
use biomend_ipc::{IpcError, codes};
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct FailureProps {
    pub error: IpcError,
    pub retry: Callback<()>,
}

/// Offline, a plain "needs a connection" notice; any other failure goes to
/// the error banner, with a way to try again here.
#[function_component(Failure)]
pub fn failure(p: &FailureProps) -> Html {
    let ctx = use_ctx();
    let offline = p.error.code == codes::OFFLINE;
    {
        let fail = ctx.fail.clone();
        let e = p.error.clone();
        use_effect_with(e, move |e| {
            if e.code != codes::OFFLINE {
                fail.emit(e.clone());
            }
        });
    }
    let retry = p.retry.reform(|_| ());
    html! {
        <div class={classes!("notice", offline.then_some("offline"))} data-code={p.error.code.clone()}>
            <p>{ if offline { NEEDS_CONNECTION.to_string() } else { "This could not be loaded.".to_string() } }</p>
            <button type="button" class="retry" onclick={retry}>{ "Try again" }</button>
        </div>
    }
}

/// Renders `load` with `ready`, or the loading line, or the failure.
pub fn view<T>(load: &Load<T>, retry: &Callback<()>, ready: impl FnOnce(&T) -> Html) -> Html {
    match load {
        Load::Loading => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
        Load::Failed(e) => html! { <Failure error={e.clone()} retry={retry.clone()} /> },
        Load::Ready(v) => ready(v),
    }
}
