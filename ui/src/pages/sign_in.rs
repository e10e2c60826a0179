//! Sign-in: server and username prefilled from the tablet's last sign-in.

use crate::components::input_value;
use crate::ipc::invoke;
use crate::state::session::{Field, Phase, SessionAction, SessionModel};
use biomend_ipc::{Session, cmd};
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct SignInProps {
    pub model: UseReducerHandle<SessionModel>,
}

#[function_component(SignInPage)]
pub fn sign_in_page(p: &SignInProps) -> Html {
    let model = p.model.clone();
    let f = &model.form;
    let submitting = model.phase == Phase::Submitting;
    let edit = |field: Field| {
        let model = model.clone();
        Callback::from(move |e: InputEvent| {
            model.dispatch(SessionAction::Edit(field, input_value(e)))
        })
    };
    let on_submit = {
        let model = model.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if model.phase == Phase::Submitting {
                return;
            }
            match model.sign_in_args() {
                Err(m) => model.dispatch(SessionAction::Invalid(m)),
                Ok(args) => {
                    model.dispatch(SessionAction::Submitting);
                    let model = model.clone();
                    spawn_local(async move {
                        let r = invoke::<_, Session>(cmd::SIGN_IN, &args).await;
                        model.dispatch(SessionAction::SignedIn(r));
                    });
                }
            }
        })
    };
    // The first empty field gets the focus.
    let focus_user = !f.server_url.is_empty() && f.username.is_empty();
    let focus_password = !f.server_url.is_empty() && !f.username.is_empty();
    html! {
        <main>
            <form class="card sign-in" onsubmit={on_submit} aria-labelledby="sign-in-title">
                <div class="brand-big">{ "Biomend" }</div>
                <h1 id="sign-in-title">{ "Sign in" }</h1>
                <label for="server-url">{ "Server" }</label>
                <input id="server-url" type="url" inputmode="url" autocomplete="url"
                    autofocus={f.server_url.is_empty()}
                    value={f.server_url.clone()} oninput={edit(Field::ServerUrl)} />
                <label for="username">{ "Username" }</label>
                <input id="username" type="text" autocomplete="username" autocapitalize="none"
                    spellcheck="false" autofocus={focus_user}
                    value={f.username.clone()} oninput={edit(Field::Username)} />
                <label for="password">{ "Password" }</label>
                <input id="password" type="password" autocomplete="current-password"
                    autofocus={focus_password}
                    value={f.password.clone()} oninput={edit(Field::Password)} />
                if let Some(err) = &f.error {
                    <p id="sign-in-error" class="error-text" role="alert">{ err }</p>
                }
                <button id="sign-in" type="submit" class="primary" disabled={submitting}>
                    { if submitting { "Signing in…" } else { "Sign in" } }
                </button>
                <p class="muted">{ model.offline_hint() }</p>
            </form>
        </main>
    }
}
