//! The app's frame: sign-in or the signed-in shell (header with the scan
//! box, sync strip, error banner, the current screen), and the context the
//! screens share.

use crate::components::header::Header;
use crate::components::status_strip::StatusStrip;
use crate::ipc::invoke;
use crate::pages;
use crate::state::load::{error_text, is_signed_out};
use crate::state::nav::{Nav, NavAction, Route};
use crate::state::session::{Phase, SessionAction, SessionModel};
use biomend_ipc::{IpcError, NoArgs, Session, SessionState, cmd};
use serde::de::IgnoredAny;
use std::rc::Rc;
use yew::platform::spawn_local;
use yew::prelude::*;

/// Lets a plain model with `reduce(self, action) -> Self` drive
/// `use_reducer`.
macro_rules! reducible {
    ($model:ty, $action:ty) => {
        impl yew::Reducible for $model {
            type Action = $action;
            fn reduce(self: std::rc::Rc<Self>, action: $action) -> std::rc::Rc<Self> {
                std::rc::Rc::new((*self).clone().reduce(action))
            }
        }
    };
}
pub(crate) use reducible;

reducible!(SessionModel, SessionAction);
reducible!(Nav, NavAction);

/// What every signed-in screen may use.
#[derive(Clone, Debug, PartialEq)]
pub struct Ctx {
    pub session: Rc<Session>,
    pub route: Route,
    pub go: Callback<NavAction>,
    /// Shows a failed command in the error banner (or returns to sign-in).
    pub fail: Callback<IpcError>,
    /// Shows a plain message in the error banner.
    pub message: Callback<String>,
    /// A command said nobody is signed in.
    pub signed_out: Callback<()>,
    /// Something changed here: read the sync status again now.
    pub refresh_status: Callback<()>,
}

#[function_component(App)]
pub fn app() -> Html {
    let session = use_reducer(SessionModel::default);
    {
        let session = session.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                let r = invoke::<_, SessionState>(cmd::SESSION, &NoArgs {}).await;
                session.dispatch(SessionAction::Loaded(r));
            });
        });
    }
    match &session.phase {
        Phase::Checking => html! {
            <main aria-busy="true"><p class="muted">{ "Starting Biomend…" }</p></main>
        },
        Phase::SignedOut | Phase::Submitting => html! {
            <pages::sign_in::SignInPage model={session.clone()} />
        },
        Phase::SignedIn(s) => html! {
            <SignedIn session={s.clone()} on_signed_out={
                let session = session.clone();
                Callback::from(move |_| session.dispatch(SessionAction::SignedOut))
            } />
        },
    }
}

#[derive(Debug, Properties, PartialEq)]
pub struct SignedInProps {
    pub session: Rc<Session>,
    pub on_signed_out: Callback<()>,
}

#[function_component(SignedIn)]
fn signed_in(p: &SignedInProps) -> Html {
    // Each role starts where its work is (managers on the dashboards).
    let nav = {
        let home = Route::home(&p.session);
        use_reducer(move || Nav::new(home))
    };
    let error = use_state(|| None::<String>);
    let status_tick = use_state(|| 0u32);

    // A new screen starts without the last screen's error.
    {
        let error = error.clone();
        use_effect_with(nav.current.clone(), move |_| error.set(None));
    }

    let signed_out = p.on_signed_out.clone();
    let fail = {
        let error = error.clone();
        let signed_out = signed_out.clone();
        Callback::from(move |e: IpcError| {
            if is_signed_out(&e) {
                signed_out.emit(());
            } else {
                error.set(Some(error_text(&e)));
            }
        })
    };
    let message = {
        let error = error.clone();
        Callback::from(move |m: String| error.set(Some(m)))
    };
    let refresh_status = {
        let status_tick = status_tick.clone();
        Callback::from(move |_| status_tick.set(status_tick.wrapping_add(1)))
    };
    let go = {
        let nav = nav.clone();
        Callback::from(move |a: NavAction| nav.dispatch(a))
    };
    let ctx = Ctx {
        session: p.session.clone(),
        route: nav.current.clone(),
        go: go.clone(),
        fail: fail.clone(),
        message,
        signed_out: signed_out.clone(),
        refresh_status,
    };
    let sign_out = {
        let fail = fail.clone();
        Callback::from(move |_| {
            let fail = fail.clone();
            let signed_out = signed_out.clone();
            spawn_local(async move {
                match invoke::<_, IgnoredAny>(cmd::SIGN_OUT, &NoArgs {}).await {
                    Ok(_) => signed_out.emit(()),
                    Err(e) => fail.emit(e),
                }
            });
        })
    };
    let dismiss = {
        let error = error.clone();
        Callback::from(move |_| error.set(None))
    };
    let route = nav.current.clone();
    html! {
        <ContextProvider<Ctx> context={ctx}>
            // Header, sync strip and errors stay in view while the screen scrolls.
            <div class="topbar">
                <Header route={route.clone()} session={p.session.clone()} on_sign_out={sign_out} />
                <StatusStrip tick={*status_tick} />
                if let Some(msg) = (*error).clone() {
                    <div id="error" class="banner" role="alert">
                        <span>{ msg }</span>
                        <button type="button" onclick={dismiss}>{ "Dismiss" }</button>
                    </div>
                }
            </div>
            <main>
                if nav.can_go_back() {
                    <div class="actions">
                        <button type="button" id="back" onclick={go.reform(|_| NavAction::Back)}>{ "‹ Back" }</button>
                    </div>
                }
                { pages::render(&route, &p.session) }
            </main>
        </ContextProvider<Ctx>>
    }
}
