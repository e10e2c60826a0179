//! The header: the scan box (a keyboard-wedge scanner types the tag and
//! Enter), the navigation, and sign-out.

use crate::hooks::use_ctx;
use crate::ipc::invoke;
use crate::state::dashboards::Tab;
use crate::state::nav::{NavAction, Route};
use biomend_ipc::{Find, Found, Session, cmd};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct HeaderProps {
    pub route: Route,
    pub session: Rc<Session>,
    pub on_sign_out: Callback<()>,
}

#[function_component(Header)]
pub fn header(p: &HeaderProps) -> Html {
    let ctx = use_ctx();
    let scan_ref = use_node_ref();

    // The scan box has the focus on "My day", so a scan needs no tap first.
    {
        let scan_ref = scan_ref.clone();
        use_effect_with(p.route.clone(), move |route| {
            if *route == Route::MyDay
                && let Some(input) = scan_ref.cast::<HtmlInputElement>()
            {
                let _ = input.focus();
            }
        });
    }

    // The box is read from the page itself on Enter: a scanner types the
    // whole tag and Enter faster than the screen re-renders.
    let find = {
        let scan_ref = scan_ref.clone();
        let ctx = ctx.clone();
        Callback::from(move |_: ()| {
            let Some(input) = scan_ref.cast::<HtmlInputElement>() else {
                return;
            };
            let q = input.value().trim().to_string();
            if q.is_empty() {
                return;
            }
            input.set_value("");
            let ctx = ctx.clone();
            spawn_local(async move {
                match invoke::<_, Found>(cmd::FIND, &Find { query: q.clone() }).await {
                    Ok(found) => ctx.go.emit(NavAction::Go(Route::from_found(&q, found))),
                    Err(e) => ctx.fail.emit(e),
                }
            });
        })
    };
    let on_submit = find.reform(|e: SubmitEvent| e.prevent_default());
    // Scanners set to end with a line feed or carriage return send that
    // key instead of Enter, which submits no form: treat it as Enter.
    let on_keydown = {
        let find = find.clone();
        Callback::from(move |e: KeyboardEvent| {
            if matches!(e.key().as_str(), "\n" | "\r") {
                e.prevent_default();
                find.emit(());
            }
        })
    };

    let nav_button = |id: &'static str, label: &'static str, target: Route| {
        let current = std::mem::discriminant(&p.route) == std::mem::discriminant(&target);
        let go = ctx.go.clone();
        html! {
            <button type="button" id={id}
                aria-current={current.then_some("page")}
                onclick={Callback::from(move |_| go.emit(NavAction::Go(target.clone())))}>
                { label }
            </button>
        }
    };
    let sign_out = p.on_sign_out.reform(|_| ());
    html! {
        <header class="top">
            <span class="brand">{ "Biomend" }</span>
            <form class="scan" role="search" onsubmit={on_submit}>
                <label for="scan" class="visually-hidden" style="position:absolute;left:-9999px">{ "Scan or type an asset tag" }</label>
                <input id="scan" ref={scan_ref} onkeydown={on_keydown} type="search" autocomplete="off" autocapitalize="characters"
                    spellcheck="false" enterkeyhint="go"
                    placeholder="Scan or type an asset tag, or search"
                    />
                <button type="submit">{ "Find" }</button>
            </form>
            <nav aria-label="Screens">
                { nav_button("nav-my-day", "My day", Route::MyDay) }
                if p.session.supervises {
                    { nav_button("nav-shift", "Shift", Route::Shift) }
                    { nav_button("nav-conflicts", "Conflicts", Route::Conflicts) }
                    { nav_button("nav-signoff", "Sign-off", Route::SignOff) }
                    { nav_button("nav-team", "Team", Route::Team) }
                }
                if p.session.sees_kpis || p.session.sees_reports {
                    { nav_button("nav-dashboards", "Dashboards", Route::Dashboards { tab: Tab::Kpis }) }
                }
                if p.session.sees_reports {
                    { nav_button("nav-settings", "Settings", Route::Settings) }
                }
            </nav>
            <div class="who">
                <span title={p.session.username.clone()}>
                    { &p.session.display_name }
                    if p.session.offline { { " (offline sign-in)" } }
                </span>
                <button type="button" id="sign-out" onclick={sign_out}>{ "Sign out" }</button>
            </div>
        </header>
    }
}
