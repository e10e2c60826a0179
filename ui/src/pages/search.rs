//! Search results for what was typed or scanned in the header.

use crate::hooks::use_ctx;
use crate::state::asset::{is_down, status_text};
use crate::state::nav::{NavAction, Route};
use biomend_ipc::AssetSummary;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct SearchProps {
    pub query: String,
    pub assets: Vec<AssetSummary>,
}

#[function_component(SearchPage)]
pub fn search_page(p: &SearchProps) -> Html {
    let ctx = use_ctx();
    html! {
        <section id="search">
            <h1>{ format!("Results for “{}”", p.query) }</h1>
            if p.assets.is_empty() {
                <p class="notice">{ "No device matches. Check the tag, or search by serial, model, department or room." }</p>
            } else {
                <p class="muted">{ format!("{} device{}, best match first.", p.assets.len(), if p.assets.len() == 1 { "" } else { "s" }) }</p>
            }
            <ul class="rows">
                { for p.assets.iter().map(|a| {
                    let go = ctx.go.clone();
                    let tag = a.tag.clone();
                    let down = is_down(a.status);
                    html! {
                        <li>
                            <button type="button" class="row asset-row" data-tag={a.tag.clone()}
                                onclick={Callback::from(move |_| go.emit(NavAction::Go(Route::Asset { tag: tag.clone() })))}>
                                <span class="title">{ format!("{} · {} {}", a.tag, a.manufacturer, a.model) }</span>
                                <span class="sub">
                                    { &a.device_type }{ " · " }{ &a.department }
                                    if let Some(l) = &a.location { { " · " }{ l } }
                                    if let Some(s) = &a.serial { { " · SN " }{ s } }
                                </span>
                                <span class="side">
                                    <span class={classes!("tag", down.then_some("down"))}>{ status_text(a.status) }</span>
                                    if a.life_support { { " " }<span class="tag risk">{ "Life support" }</span> }
                                </span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
