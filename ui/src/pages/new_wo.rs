//! A new corrective work order in a few taps: the problem, who reported it,
//! priority as big buttons, and whether the device is down.

use crate::app::reducible;
use crate::components::{checkbox_value, input_value};
use crate::hooks::{Reform, use_ctx};
use crate::ipc::invoke;
use crate::state::format::humanize;
use crate::state::load::error_text;
use crate::state::nav::{NavAction, Route};
use crate::state::new_wo::{NewWoAction, NewWoForm};
use biomend_domain::work_order::Priority;
use biomend_ipc::{WorkOrderPage, cmd};
use yew::platform::spawn_local;
use yew::prelude::*;

reducible!(NewWoForm, NewWoAction);

#[derive(Debug, Properties, PartialEq)]
pub struct NewWoProps {
    pub tag: String,
}

#[function_component(NewWoPage)]
pub fn new_wo_page(p: &NewWoProps) -> Html {
    let ctx = use_ctx();
    let form = use_reducer(NewWoForm::default);
    let problem_ref = use_node_ref();
    {
        let problem_ref = problem_ref.clone();
        use_effect_with((), move |_| {
            if let Some(i) = problem_ref.cast::<web_sys::HtmlInputElement>() {
                let _ = i.focus();
            }
        });
    }
    let on_submit = {
        let form = form.clone();
        let ctx = ctx.clone();
        let tag = p.tag.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if form.sending {
                return;
            }
            match form.args(&tag) {
                Err(m) => form.dispatch(NewWoAction::Invalid(m)),
                Ok(args) => {
                    form.dispatch(NewWoAction::Sending);
                    let form = form.clone();
                    let ctx = ctx.clone();
                    spawn_local(async move {
                        match invoke::<_, WorkOrderPage>(cmd::NEW_CORRECTIVE, &args).await {
                            Ok(page) => {
                                ctx.refresh_status.emit(());
                                ctx.go.emit(NavAction::Replace(Route::WorkOrder {
                                    number: page.bundle.work_order.number,
                                }));
                            }
                            Err(e) => {
                                if crate::state::load::is_signed_out(&e) {
                                    ctx.signed_out.emit(());
                                }
                                form.dispatch(NewWoAction::Failed(error_text(&e)));
                            }
                        }
                    });
                }
            }
        })
    };
    let priority_button = |prio: Priority| {
        let form = form.clone();
        let pressed = form.priority == prio;
        html! {
            <button type="button" class="priority" data-priority={prio.as_str()}
                aria-pressed={pressed.to_string()}
                onclick={Callback::from(move |_| form.dispatch(NewWoAction::Priority(prio)))}>
                { humanize(prio.as_str()) }
            </button>
        }
    };
    let f = &*form;
    html! {
        <section id="new-wo">
            <h1>{ format!("New corrective work order · {}", p.tag) }</h1>
            <form class="card" onsubmit={on_submit}>
                <label for="problem">{ "Problem as reported" }</label>
                <input id="problem" ref={problem_ref} type="text" autocomplete="off"
                    placeholder="e.g. occlusion alarm with no line attached"
                    value={f.problem.clone()}
                    oninput={form.reform(|e: InputEvent| NewWoAction::Problem(input_value(e)))} />
                <label for="reported-by">{ "Reported by" }</label>
                <input id="reported-by" type="text" autocomplete="off"
                    placeholder="Name and unit, e.g. RN Kim, 4 West"
                    value={f.reported_by.clone()}
                    oninput={form.reform(|e: InputEvent| NewWoAction::ReportedBy(input_value(e)))} />
                <label id="priority-label">{ "Priority" }</label>
                <div class="big-choices" role="group" aria-labelledby="priority-label">
                    { for Priority::ALL.iter().map(|p| priority_button(*p)) }
                </div>
                <label class="inline" for="device-down">
                    <input id="device-down" type="checkbox" checked={f.device_down}
                        onchange={form.reform(|e: Event| NewWoAction::DeviceDown(checkbox_value(e)))} />
                    { "Device is down (out of patient care)" }
                </label>
                if let Some(err) = &f.error {
                    <p class="error-text" role="alert">{ err }</p>
                }
                <div class="actions">
                    <button id="create-wo" type="submit" class="primary" disabled={f.sending}>
                        { if f.sending { "Creating…" } else { "Create work order" } }
                    </button>
                </div>
            </form>
        </section>
    }
}
