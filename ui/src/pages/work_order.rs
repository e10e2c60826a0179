//! Work-order execution: status steps, labor (typed or timed), parts,
//! checklist readings judged as they are typed, notes, findings, the
//! closure code, the signature and completion; PM attempts on a PM.

use crate::app::{Ctx, reducible};
use crate::browser::{now_ms, now_utc, utc_offset_minutes};
use crate::components::signature_pad::SignaturePad;
use crate::components::{input_value, load_view, select_value, textarea_value};
use crate::hooks::{Reform, use_ctx, use_ipc, use_ticker};
use crate::ipc::invoke;
use crate::state::format::{clock, date, humanize, kind_label, minutes, money};
use crate::state::load::{Load, error_text};
use crate::state::nav::{NavAction, Route};
use crate::state::wo_form::{
    Area, WoAction, WoForm, closure_button_label, closure_groups, judge_input,
};
use biomend_domain::checklist::ItemKind;
use biomend_domain::work_order::{AttemptOutcome, WorkOrderKind};
use biomend_ipc::{
    IpcError, NumberArg, PmAttemptArgs, RecordWork, Step, WoStep, WorkOrderPage, cmd,
};
use std::rc::Rc;
use yew::platform::spawn_local;
use yew::prelude::*;

reducible!(WoForm, WoAction);

/// The step's code, as its button's id says it (`step-hold_for_parts`).
pub fn step_code(s: Step) -> &'static str {
    match s {
        Step::Start => "start",
        Step::HoldForParts => "hold_for_parts",
        Step::HoldForVendor => "hold_for_vendor",
        Step::Resume => "resume",
        Step::Cancel => "cancel",
    }
}

fn step_label(s: Step) -> &'static str {
    match s {
        Step::Start => "Start work",
        Step::HoldForParts => "Hold for parts",
        Step::HoldForVendor => "Hold for vendor",
        Step::Resume => "Resume",
        Step::Cancel => "Cancel work order",
    }
}

#[derive(Debug, Properties, PartialEq)]
pub struct WoProps {
    pub number: String,
}

#[function_component(WorkOrderScreen)]
pub fn work_order_screen(p: &WoProps) -> Html {
    let (load, reload) = use_ipc::<NumberArg, WorkOrderPage>(
        cmd::WORK_ORDER,
        NumberArg {
            number: p.number.clone(),
        },
    );
    let (number, status) = match &*load {
        Load::Ready(page) => (
            page.bundle.work_order.number.clone(),
            page.bundle.work_order.status.as_str().to_string(),
        ),
        _ => (p.number.clone(), String::new()),
    };
    let on_page = {
        let load = load.clone();
        Callback::from(move |page: WorkOrderPage| load.set(Load::Ready(page)))
    };
    let body = load_view::view(&load, &reload, |page| {
        html! { <WoBody page={Rc::new(page.clone())} on_page={on_page.clone()} /> }
    });
    html! {
        <section id="wo-page" data-number={number} data-status={status}>{ body }</section>
    }
}

#[derive(Debug, Properties, PartialEq)]
struct BodyProps {
    page: Rc<WorkOrderPage>,
    on_page: Callback<WorkOrderPage>,
}

/// Runs a command that answers the work order's new page, and shows it.
fn run(
    ctx: &Ctx,
    form: &UseReducerHandle<WoForm>,
    on_page: &Callback<WorkOrderPage>,
    fut: impl std::future::Future<Output = Result<WorkOrderPage, IpcError>> + 'static,
    then: Option<WoAction>,
) {
    let ctx = ctx.clone();
    let form = form.clone();
    let on_page = on_page.clone();
    form.dispatch(WoAction::Busy(true));
    spawn_local(async move {
        match fut.await {
            Ok(page) => {
                on_page.emit(page);
                if let Some(a) = then {
                    form.dispatch(a);
                }
                ctx.refresh_status.emit(());
            }
            Err(e) => {
                form.dispatch(WoAction::Message(Some(error_text(&e))));
                ctx.fail.emit(e);
            }
        }
        form.dispatch(WoAction::Busy(false));
    });
}

#[function_component(WoBody)]
fn wo_body(p: &BodyProps) -> Html {
    let ctx = use_ctx();
    let form = use_reducer(WoForm::default);
    use_ticker(1_000, form.timer.is_running());
    let page = p.page.clone();
    let wo = &page.bundle.work_order;
    let number = wo.number.clone();
    let f = &*form;
    let now = now_utc();
    let offset = utc_offset_minutes();

    let step_buttons = page.steps.iter().map(|s| {
        let step = *s;
        let args = WoStep {
            number: number.clone(),
            step,
        };
        let onclick = {
            let (ctx, form, on_page) = (ctx.clone(), form.clone(), p.on_page.clone());
            Callback::from(move |_| {
                let args = args.clone();
                run(&ctx, &form, &on_page, async move { invoke(cmd::WO_STEP, &args).await }, None)
            })
        };
        html! {
            <button type="button" id={format!("step-{}", step_code(step))}
                class={classes!(matches!(step, Step::Start | Step::Resume).then_some("primary"), (step == Step::Cancel).then_some("danger"))}
                disabled={f.busy} onclick={onclick}>
                { step_label(step) }
            </button>
        }
    });

    let open = wo.status.is_open();
    let recording = page.can_record && open;
    let kind = wo.kind;

    // ----- actions -----
    let save = {
        let (ctx, form, on_page, page) =
            (ctx.clone(), form.clone(), p.on_page.clone(), page.clone());
        Callback::from(move |_| {
            match form.pending_record(&page.checklist, page.safety_edition.as_ref(), now_ms()) {
                Err(problems) => form.dispatch(WoAction::Message(Some(problems.join(" ")))),
                Ok(record) if record.is_empty() => {
                    form.dispatch(WoAction::Message(Some("Nothing new to save yet.".into())))
                }
                Ok(record) => {
                    let args = RecordWork {
                        number: page.bundle.work_order.number.clone(),
                        record,
                    };
                    run(
                        &ctx,
                        &form,
                        &on_page,
                        async move { invoke(cmd::WO_RECORD, &args).await },
                        Some(WoAction::Recorded),
                    )
                }
            }
        })
    };
    let complete = {
        let (ctx, form, on_page, page) =
            (ctx.clone(), form.clone(), p.on_page.clone(), page.clone());
        Callback::from(move |_| {
            let w = &page.bundle.work_order;
            match form.complete_args(
                &w.number,
                w.kind,
                w.status,
                &page.checklist,
                page.safety_edition.as_ref(),
                now_ms(),
            ) {
                Err(missing) => form.dispatch(WoAction::Missing(missing)),
                Ok(args) => {
                    form.dispatch(WoAction::Missing(Vec::new()));
                    run(
                        &ctx,
                        &form,
                        &on_page,
                        async move { invoke(cmd::WO_COMPLETE, &args).await },
                        Some(WoAction::Recorded),
                    )
                }
            }
        })
    };
    let attempt = |outcome: AttemptOutcome| {
        let (ctx, form, on_page, number) =
            (ctx.clone(), form.clone(), p.on_page.clone(), number.clone());
        Callback::from(move |_| {
            let args = PmAttemptArgs {
                number: number.clone(),
                outcome,
                note: form.attempt_note.trim().to_string(),
            };
            run(
                &ctx,
                &form,
                &on_page,
                async move { invoke(cmd::PM_ATTEMPT, &args).await },
                Some(WoAction::AttemptNote(String::new())),
            )
        })
    };
    let sign_off = {
        let (ctx, form, on_page, number) =
            (ctx.clone(), form.clone(), p.on_page.clone(), number.clone());
        Callback::from(move |_| {
            let args = NumberArg {
                number: number.clone(),
            };
            run(
                &ctx,
                &form,
                &on_page,
                async move { invoke(cmd::SIGN_OFF, &args).await },
                None,
            )
        })
    };
    let to_asset = {
        let go = ctx.go.clone();
        let tag = page.asset.tag.clone();
        Callback::from(move |_| go.emit(NavAction::Go(Route::Asset { tag: tag.clone() })))
    };

    // A problem shows beside the entry it is about.
    let message = |area: Area| match &f.message {
        Some(m) if f.message_area == area => html! {
            <p class="error-text wo-message" role="alert">{ m }</p>
        },
        _ => html! {},
    };
    let timer_running = f.timer.is_running();
    let timer_text = if timer_running {
        format!("Stop timer · {}", f.timer.elapsed_text(now_ms()))
    } else {
        "Start timer".to_string()
    };

    html! {
        <>
            <div class="wo-head">
                <h1>{ format!("{} · {}", wo.number, kind_label(kind)) }</h1>
                <span class="tag">{ humanize(wo.status.as_str()) }</span>
                <span class={classes!("tag", wo.priority.as_str())}>{ humanize(wo.priority.as_str()) }</span>
            </div>
            <p>
                <button type="button" class="link" id="wo-asset" onclick={to_asset}>
                    { format!("{} · {} {} · {}", page.asset.tag, page.asset.manufacturer, page.asset.model, page.asset.device_type) }
                </button>
            </p>
            <div class="card">
                <p><strong>{ "Problem: " }</strong>{ if wo.problem.is_empty() { "—" } else { &wo.problem } }</p>
                if !wo.reported_by.is_empty() { <p><strong>{ "Reported by: " }</strong>{ &wo.reported_by }</p> }
                <p><strong>{ "Assigned to: " }</strong>{ page.assigned_to.clone().unwrap_or_else(|| "nobody yet".into()) }</p>
                <p class="muted">{ format!("Opened {}", clock(wo.opened_at, now, offset)) }</p>
            </div>

            if !page.steps.is_empty() {
                <div class="steps actions" role="group" aria-label="Status">{ for step_buttons }</div>
            }

            if kind == WorkOrderKind::Pm && recording {
                <h2>{ "Couldn't do the PM?" }</h2>
                <div class="card">
                    <label for="attempt-note">{ "Note (where you looked, who you asked)" }</label>
                    <input id="attempt-note" type="text" value={f.attempt_note.clone()}
                        oninput={form.reform(|e: InputEvent| WoAction::AttemptNote(input_value(e)))} />
                    <div class="actions">
                        <button type="button" id="attempt-in-use" disabled={f.busy} onclick={attempt(AttemptOutcome::InUse)}>{ "Device in use" }</button>
                        <button type="button" id="attempt-not-located" disabled={f.busy} onclick={attempt(AttemptOutcome::NotLocated)}>{ "Not located" }</button>
                    </div>
                </div>
            }

            if recording {
                <h2>{ "Labor" }</h2>
                <form class="card" onsubmit={form.reform(|e: SubmitEvent| { e.prevent_default(); WoAction::AddLabor })}>
                    <div class="field-row">
                        <div>
                            <label for="labor-minutes">{ "Minutes" }</label>
                            <input id="labor-minutes" type="text" inputmode="numeric" value={f.labor_minutes.clone()}
                                oninput={form.reform(|e: InputEvent| WoAction::LaborMinutes(input_value(e)))} />
                        </div>
                        <div>
                            <label for="labor-note">{ "What you did" }</label>
                            <input id="labor-note" type="text" value={f.labor_note.clone()}
                                oninput={form.reform(|e: InputEvent| WoAction::LaborNote(input_value(e)))} />
                        </div>
                    </div>
                    <div class="actions">
                        <span class="timer">
                            <button type="button" id="labor-timer" aria-pressed={timer_running.to_string()}
                                onclick={form.reform(|_| WoAction::ToggleTimer(now_ms()))}>{ timer_text }</button>
                        </span>
                        <button type="submit" id="add-labor">{ "Add labor" }</button>
                    </div>
                    { message(Area::Labor) }
                    if !f.labor.is_empty() {
                        <table class="entries">
                            <tr><th>{ "Not saved yet" }</th><th>{ "Minutes" }</th><th></th></tr>
                            { for f.labor.iter().enumerate().map(|(i, l)| html! {
                                <tr class="pending-labor">
                                    <td>{ if l.note.is_empty() { "—" } else { &l.note } }</td>
                                    <td>{ l.minutes }</td>
                                    <td><button type="button" onclick={form.reform(move |_| WoAction::RemoveLabor(i))}>{ "Remove" }</button></td>
                                </tr>
                            }) }
                        </table>
                    }
                </form>

                <h2>{ "Parts used" }</h2>
                <form class="card" onsubmit={form.reform(|e: SubmitEvent| { e.prevent_default(); WoAction::AddPart })}>
                    <div class="field-row">
                        <div>
                            <label for="part-number">{ "Part number" }</label>
                            <input id="part-number" type="text" value={f.part.number.clone()}
                                oninput={form.reform(|e: InputEvent| WoAction::PartNumber(input_value(e)))} />
                        </div>
                        <div>
                            <label for="part-desc">{ "Description" }</label>
                            <input id="part-desc" type="text" value={f.part.description.clone()}
                                oninput={form.reform(|e: InputEvent| WoAction::PartDescription(input_value(e)))} />
                        </div>
                        <div>
                            <label for="part-qty">{ "Quantity" }</label>
                            <input id="part-qty" type="text" inputmode="numeric" placeholder="1" value={f.part.quantity.clone()}
                                oninput={form.reform(|e: InputEvent| WoAction::PartQuantity(input_value(e)))} />
                        </div>
                        <div>
                            <label for="part-cost">{ "Unit cost ($)" }</label>
                            <input id="part-cost" type="text" inputmode="decimal" placeholder="12.50" value={f.part.cost.clone()}
                                oninput={form.reform(|e: InputEvent| WoAction::PartCost(input_value(e)))} />
                        </div>
                    </div>
                    <div class="actions"><button type="submit" id="add-part">{ "Add part" }</button></div>
                    { message(Area::Parts) }
                    if !f.parts.is_empty() {
                        <table class="entries">
                            <tr><th>{ "Not saved yet" }</th><th>{ "Qty" }</th><th>{ "Unit cost" }</th><th></th></tr>
                            { for f.parts.iter().enumerate().map(|(i, part)| html! {
                                <tr class="pending-part">
                                    <td>{ format!("{} {}", part.part_number, part.description) }</td>
                                    <td>{ part.quantity }</td>
                                    <td>{ part.unit_cost.map(money).unwrap_or_else(|| "—".into()) }</td>
                                    <td><button type="button" onclick={form.reform(move |_| WoAction::RemovePart(i))}>{ "Remove" }</button></td>
                                </tr>
                            }) }
                        </table>
                    }
                </form>

                if !page.checklist.is_empty() {
                    <h2>{ "Checklist" }</h2>
                    <div class="card checklist">
                        if let Some(e) = &page.safety_edition {
                            <p class="muted">{ format!("Electrical safety limits: {}", e.name) }</p>
                        }
                        { for page.checklist.iter().map(|item| {
                            let raw = f.readings.get(&item.key).cloned().unwrap_or_default();
                            let v = judge_input(item, &raw, page.safety_edition.as_ref());
                            let key = item.key.clone();
                            let input_id = format!("reading-{}", item.key);
                            let input = match &item.kind {
                                ItemKind::PassFail => html! {
                                    <select id={input_id.clone()} class="reading" data-key={item.key.clone()}
                                        onchange={form.reform(move |e: Event| WoAction::Reading(key.clone(), select_value(e)))}>
                                        <option value="" selected={raw.is_empty()}>{ "Choose…" }</option>
                                        <option value="pass" selected={raw == "pass"}>{ "Pass" }</option>
                                        <option value="fail" selected={raw == "fail"}>{ "Fail" }</option>
                                        <option value="na" selected={raw == "na"}>{ "Not applicable" }</option>
                                    </select>
                                },
                                _ => html! {
                                    <input id={input_id.clone()} class="reading" data-key={item.key.clone()} type="text"
                                        inputmode="decimal" autocomplete="off" placeholder="value, or N/A" value={raw.clone()}
                                        oninput={form.reform(move |e: InputEvent| WoAction::Reading(key.clone(), input_value(e)))} />
                                },
                            };
                            let recorded = page.bundle.readings.iter().rev().find(|r| r.item_key == item.key);
                            html! {
                                <div class="reading-row">
                                    <label for={input_id} class="prompt">
                                        { &item.prompt }
                                        if let Some(l) = &v.limit { <span class="limit">{ format!("Limit: {l}") }</span> }
                                        if let Some(r) = recorded {
                                            <span class="limit">
                                                { format!("Recorded: {}{} — {}",
                                                    r.value.map(|x| x.to_string()).unwrap_or_default(),
                                                    r.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default(),
                                                    humanize(r.verdict.as_str())) }
                                            </span>
                                        }
                                    </label>
                                    { input }
                                    <span class="verdict" data-verdict={v.verdict} aria-live="polite"
                                        title={v.problem.clone().unwrap_or_default()}>{ &v.text }</span>
                                </div>
                            }
                        }) }
                    </div>
                }

                <h2>{ "Note" }</h2>
                <div class="card">
                    <label for="note">{ "Add a note to the work order" }</label>
                    <textarea id="note" value={f.note.clone()}
                        oninput={form.reform(|e: InputEvent| WoAction::Note(textarea_value(e)))} />
                    <div class="actions">
                        <button type="button" id="save-record" disabled={f.busy} onclick={save}>{ "Save labor, parts, readings and note" }</button>
                        if let Some(n) = &f.notice { <span class="tag ok" id="saved" role="status">{ n }</span> }
                    </div>
                    { message(Area::Record) }
                </div>

                <h2>{ "Complete" }</h2>
                <div class="card">
                    <label for="findings">{ "Findings" }</label>
                    <textarea id="findings" value={f.findings.clone()}
                        oninput={form.reform(|e: InputEvent| WoAction::Findings(textarea_value(e)))} />
                    <h3 id="closure-label" class="section-label">{ "Closure code" }</h3>
                    { for closure_groups(kind).into_iter().map(|(group, codes)| html! {
                        <div class="closure-group" role="group" aria-label={group}>
                            <h3>{ group }</h3>
                            <div class="big-choices">
                                { for codes.into_iter().map(|c| html! {
                                    <button type="button" class="closure" data-code={c.code()}
                                        aria-pressed={(f.closure == Some(c)).to_string()}
                                        onclick={form.reform(move |_| WoAction::Closure(c))}>
                                        { closure_button_label(c) }
                                    </button>
                                }) }
                            </div>
                        </div>
                    }) }
                    <h3>{ "Signature" }</h3>
                    <SignaturePad on_change={form.reform(WoAction::Signature)} />
                    if !f.missing.is_empty() {
                        <div class="missing" id="missing" role="alert">
                            <strong>{ "Before completing:" }</strong>
                            <ul>{ for f.missing.iter().map(|m| html! { <li>{ m }</li> }) }</ul>
                        </div>
                    }
                    <div class="actions">
                        <button type="button" id="complete" class="primary" disabled={f.busy} onclick={complete}>{ "Complete work order" }</button>
                    </div>
                </div>
            }

            if wo.status.is_done() {
                <div class="notice ok">
                    { format!("{}{}", humanize(wo.status.as_str()),
                        wo.completed_at.map(|t| format!(" {}", clock(t, now, offset))).unwrap_or_default()) }
                    if let Some(c) = wo.closure { { format!(" · {}", c.label()) } }
                    if page.bundle.signature.is_some() { { " · signed" } }
                </div>
                if !wo.findings.is_empty() { <p><strong>{ "Findings: " }</strong>{ &wo.findings }</p> }
            }
            if page.can_sign_off {
                <div class="actions">
                    <button type="button" id="wo-sign-off" class="primary sign-off" disabled={f.busy} onclick={sign_off}>{ "Sign off" }</button>
                </div>
            }

            <h2>{ "Recorded" }</h2>
            <div class="card">
                if page.bundle.labor.is_empty() && page.bundle.parts.is_empty() && page.bundle.notes.is_empty()
                    && page.bundle.attempts.is_empty() && page.bundle.readings.is_empty() {
                    <p class="muted">{ "Nothing recorded yet." }</p>
                }
                if !page.bundle.labor.is_empty() {
                    <table class="entries" id="recorded-labor">
                        <tr>
                            <th>{ "Labor" }</th>
                            <th>{ format!("Total {}", minutes(page.bundle.labor.iter().map(|l| i64::from(l.minutes)).sum())) }</th>
                        </tr>
                        { for page.bundle.labor.iter().map(|l| html! {
                            <tr class="labor-entry" data-minutes={l.minutes.to_string()}>
                                <td>{ format!("{} · {}", date(l.performed_on), if l.note.is_empty() { "—" } else { &l.note }) }</td>
                                <td>{ format!("{} min", l.minutes) }</td>
                            </tr>
                        }) }
                    </table>
                }
                if !page.bundle.parts.is_empty() {
                    <table class="entries" id="recorded-parts">
                        <tr><th>{ "Part" }</th><th>{ "Qty" }</th><th>{ "Total" }</th></tr>
                        { for page.bundle.parts.iter().map(|pu| html! {
                            <tr class="part-entry"><td>{ format!("{} {}", pu.part_number, pu.description) }</td><td>{ pu.quantity }</td><td>{ money(pu.total()) }</td></tr>
                        }) }
                    </table>
                }
                if !page.bundle.readings.is_empty() {
                    <p><strong>{ "Readings: " }</strong>
                        { format!("{} taken, {} failed", page.bundle.readings.len(),
                            page.bundle.readings.iter().filter(|r| r.verdict == biomend_domain::checklist::Verdict::Fail).count()) }
                    </p>
                }
                { for page.bundle.attempts.iter().map(|a| html! {
                    <p class="attempt">{ format!("PM attempt {}: {}{}", clock(a.attempted_at, now, offset), humanize(a.outcome.as_str()),
                        if a.note.is_empty() { String::new() } else { format!(" — {}", a.note) }) }</p>
                }) }
                { for page.bundle.notes.iter().map(|n| html! {
                    <p class="note">{ format!("{}: {}", clock(n.written_at, now, offset), n.text) }</p>
                }) }
            </div>
        </>
    }
}
