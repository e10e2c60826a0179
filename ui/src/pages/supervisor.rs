//! The supervisor's screens: what came in this shift, conflicts, the
//! sign-off queue and the team's workload. Most need the server; offline
//! they say so plainly.

use crate::app::reducible;
use crate::browser::{now_utc, utc_offset_minutes};
use crate::components::{input_value, load_view};
use crate::hooks::{Reform, use_ctx, use_ipc};
use crate::ipc::invoke;
use crate::state::conflicts::{
    ConflictsAction, ConflictsModel, resolution_text, rule_text, value_text,
};
use crate::state::format::{clock, humanize, kind_code_label, kind_label};
use crate::state::load::Load;
use crate::state::nav::{NavAction, Route};
use crate::state::sync_strip::mutation_label;
use biomend_ipc::{
    ConflictV1, ConflictsArg, NoArgs, NumberArg, ResolveAction, ShiftSummary, SignOffQueue,
    SinceArg, SyncStatus, TeamMember, WorkOrderPage, cmd,
};
use std::collections::BTreeSet;
use yew::platform::spawn_local;
use yew::prelude::*;

reducible!(ConflictsModel, ConflictsAction);

#[function_component(ShiftPage)]
pub fn shift_page() -> Html {
    let ctx = use_ctx();
    let (load, reload) = use_ipc::<SinceArg, ShiftSummary>(cmd::INCOMING, SinceArg::default());
    let syncing = use_state(|| false);
    let sync_then_reload = {
        let (ctx, reload, syncing) = (ctx.clone(), reload.clone(), syncing.clone());
        Callback::from(move |_| {
            syncing.set(true);
            let (ctx, reload, syncing) = (ctx.clone(), reload.clone(), syncing.clone());
            spawn_local(async move {
                match invoke::<_, SyncStatus>(cmd::SYNC_NOW, &NoArgs {}).await {
                    Ok(_) => reload.emit(()),
                    Err(e) => ctx.fail.emit(e),
                }
                ctx.refresh_status.emit(());
                syncing.set(false);
            });
        })
    };
    let (now, offset) = (now_utc(), utc_offset_minutes());
    let body = load_view::view(&load, &reload, |s| {
        html! {
            <>
                <p class="muted">{ format!("Since {}", clock(s.since, now, offset)) }</p>
                if s.people.is_empty() { <p class="notice">{ "Nothing has come in from the team since then." }</p> }
                <ul class="rows">
                    { for s.people.iter().map(|p| html! {
                        <li class="card person" data-user={p.user_name.clone()}>
                            <strong>{ &p.user_name }</strong>
                            <span class="muted">{ format!(" · {}", p.devices.join(", ")) }</span>
                            <p>
                                <span class="tag ok">{ format!("{} applied", p.applied) }</span>{ " " }
                                <span class="tag">{ format!("{} completed", p.work_orders_completed) }</span>{ " " }
                                if p.refused > 0 { <span class="tag fail">{ format!("{} refused", p.refused) }</span>{ " " } }
                                if p.conflicts > 0 { <span class="tag warn">{ format!("{} conflicts", p.conflicts) }</span> }
                            </p>
                        </li>
                    }) }
                </ul>
                if !s.items.is_empty() {
                    <h2>{ "What came in" }</h2>
                    <table class="entries">
                        <tr><th>{ "When" }</th><th>{ "Who" }</th><th>{ "What" }</th><th>{ "Result" }</th></tr>
                        { for s.items.iter().map(|i| html! {
                            <tr class={classes!("incoming", (i.outcome != "applied").then_some("refused"))}>
                                <td>{ clock(i.received_at, now, offset) }</td>
                                <td>{ format!("{} ({})", i.user_name, i.device_name) }</td>
                                <td>{ mutation_label(&i.mutation) }</td>
                                <td>{ format!("{}: {}", humanize(&i.outcome), i.summary) }</td>
                            </tr>
                        }) }
                    </table>
                }
            </>
        }
    });
    html! {
        <section id="shift">
            <h1>{ "Shift summary" }</h1>
            <div class="actions">
                <button type="button" id="shift-sync" class="primary" disabled={*syncing} onclick={sync_then_reload}>
                    { if *syncing { "Syncing…" } else { "Sync now and refresh" } }
                </button>
            </div>
            { body }
        </section>
    }
}

#[function_component(ConflictsPage)]
pub fn conflicts_page() -> Html {
    let ctx = use_ctx();
    let (load, reload) =
        use_ipc::<ConflictsArg, Vec<ConflictV1>>(cmd::CONFLICTS, ConflictsArg { all: false });
    let model = use_reducer(ConflictsModel::default);
    {
        let model = model.clone();
        use_effect_with((*load).clone(), move |l| {
            if let Load::Ready(items) = l {
                model.dispatch(ConflictsAction::Loaded(items.clone()));
            }
        });
    }
    let (now, offset) = (now_utc(), utc_offset_minutes());
    let resolve = |id: uuid::Uuid, action: ResolveAction| {
        let (model, ctx) = (model.clone(), ctx.clone());
        Callback::from(move |_| match model.resolve_args(id, action) {
            Err(m) => model.dispatch(ConflictsAction::Invalid(id, m)),
            Ok(args) => {
                model.dispatch(ConflictsAction::Resolving(id));
                let (model, ctx) = (model.clone(), ctx.clone());
                spawn_local(async move {
                    match invoke::<_, ConflictV1>(cmd::RESOLVE, &args).await {
                        Ok(c) => {
                            model.dispatch(ConflictsAction::Resolved(Box::new(c)));
                            ctx.refresh_status.emit(());
                        }
                        Err(e) => model.dispatch(ConflictsAction::Failed(id, e)),
                    }
                });
            }
        })
    };
    let m = &*model;
    let body = load_view::view(&load, &reload, |_| {
        html! {
            <>
                <p class="muted">{ format!("{} open", m.open_count()) }</p>
                if m.items.is_empty() { <p class="notice">{ "No conflicts to review." }</p> }
                <ul class="rows">
                    { for m.items.iter().map(|c| {
                        let id = c.id;
                        let busy = m.busy == Some(id);
                        let note = m.notes.get(&id).cloned().unwrap_or_default();
                        html! {
                            <li class="card conflict" data-id={id.to_string()}
                                data-resolved={c.resolution.is_some().to_string()}>
                                <strong>{ format!("{} · {}", c.label, humanize(&c.field)) }</strong>
                                <span class="muted">{ format!(" · {} · {} · {}", humanize(&c.kind), c.user_name, clock(c.detected_at, now, offset)) }</span>
                                <p><span class="tag">{ "Rule applied" }</span>{ " " }<span class="rule">{ rule_text(&c.rule) }</span></p>
                                <dl class="values">
                                    <div class="base"><dt>{ "Both started from" }</dt><dd>{ value_text(&c.base) }</dd></div>
                                    <div class="kept"><dt>{ "Kept" }</dt><dd>{ value_text(&c.kept) }</dd></div>
                                    <div class="aside"><dt>{ "Set aside" }</dt><dd>{ value_text(&c.set_aside) }</dd></div>
                                </dl>
                                if let Some(r) = resolution_text(c) {
                                    <p class="notice ok resolution">{ r }</p>
                                } else {
                                    <label for={format!("note-{id}")}>{ "Note (needed to reverse)" }</label>
                                    <input id={format!("note-{id}")} class="conflict-note" type="text" value={note}
                                        oninput={model.reform(move |e: InputEvent| ConflictsAction::Note(id, input_value(e)))} />
                                    <div class="actions">
                                        <button type="button" class="resolve-accept primary" disabled={busy}
                                            onclick={resolve(id, ResolveAction::Accept)}>{ "Accept: keep the rule's choice" }</button>
                                        <button type="button" class="resolve-reverse" disabled={busy}
                                            onclick={resolve(id, ResolveAction::Reverse)}>{ "Reverse: restore the set-aside value" }</button>
                                    </div>
                                }
                                if let Some(err) = m.errors.get(&id) {
                                    <p class="error-text" role="alert">{ err }</p>
                                }
                            </li>
                        }
                    }) }
                </ul>
            </>
        }
    });
    html! {
        <section id="conflicts">
            <h1>{ "Conflicts" }</h1>
            { body }
        </section>
    }
}

/// One row in the sign-off queue, from this tablet or the server.
#[derive(Clone, Debug, PartialEq)]
struct QueueRow {
    number: String,
    tag: String,
    kind: String,
    who: String,
    closure: String,
    open_conflicts: u32,
}

fn queue_rows(q: &SignOffQueue) -> Vec<QueueRow> {
    let mut rows: Vec<QueueRow> = Vec::new();
    if let Some(server) = &q.server {
        rows.extend(server.iter().map(|i| QueueRow {
            number: i.number.clone(),
            tag: i.asset_tag.clone(),
            kind: kind_code_label(&i.kind),
            who: i.completed_by_name.clone(),
            closure: i.closure.as_deref().map(humanize).unwrap_or_default(),
            open_conflicts: i.open_conflicts,
        }));
    }
    for w in &q.local {
        if !rows.iter().any(|r| r.number == w.number) {
            rows.push(QueueRow {
                number: w.number.clone(),
                tag: w.asset_tag.clone(),
                kind: kind_label(w.kind),
                who: w.assigned_to.clone().unwrap_or_default(),
                closure: w.closure.map(|c| c.label()).unwrap_or_default(),
                open_conflicts: 0,
            });
        }
    }
    rows
}

#[function_component(SignOffPage)]
pub fn sign_off_page() -> Html {
    let ctx = use_ctx();
    let (load, reload) = use_ipc::<NoArgs, SignOffQueue>(cmd::SIGN_OFF_QUEUE, NoArgs {});
    let signed = use_state(BTreeSet::<String>::new);
    let busy = use_state(|| None::<String>);
    let sign = |number: String| {
        let (ctx, signed, busy) = (ctx.clone(), signed.clone(), busy.clone());
        Callback::from(move |_| {
            busy.set(Some(number.clone()));
            let (ctx, signed, busy, number) =
                (ctx.clone(), signed.clone(), busy.clone(), number.clone());
            spawn_local(async move {
                match invoke::<_, WorkOrderPage>(
                    cmd::SIGN_OFF,
                    &NumberArg {
                        number: number.clone(),
                    },
                )
                .await
                {
                    Ok(_) => {
                        let mut s = (*signed).clone();
                        s.insert(number);
                        signed.set(s);
                        ctx.refresh_status.emit(());
                    }
                    Err(e) => ctx.fail.emit(e),
                }
                busy.set(None);
            });
        })
    };
    let body = load_view::view(&load, &reload, |q| {
        let rows = queue_rows(q);
        html! {
            <>
                if q.server.is_none() {
                    <p class="notice offline">{ "Showing this tablet's completed work only: the queue across every tablet needs a connection to the server." }</p>
                }
                if rows.is_empty() { <p class="notice">{ "Nothing waiting for sign-off." }</p> }
                <ul class="rows">
                    { for rows.into_iter().map(|r| {
                        let done = signed.contains(&r.number);
                        let is_busy = busy.as_deref() == Some(r.number.as_str());
                        let open = {
                            let go = ctx.go.clone();
                            let number = r.number.clone();
                            Callback::from(move |_| go.emit(NavAction::Go(Route::WorkOrder { number: number.clone() })))
                        };
                        html! {
                            <li class="card signoff-item" data-number={r.number.clone()} data-signed={done.to_string()}>
                                <button type="button" class="link" onclick={open}>{ &r.number }</button>
                                { format!(" · {} · {}", r.tag, r.kind) }
                                if !r.who.is_empty() { { format!(" · {}", r.who) } }
                                if !r.closure.is_empty() { <br /><span class="muted">{ &r.closure }</span> }
                                if r.open_conflicts > 0 {
                                    <p class="error-text">{ format!("{} open conflict{}: settle first", r.open_conflicts, if r.open_conflicts == 1 { "" } else { "s" }) }</p>
                                }
                                <div class="actions">
                                    if done {
                                        <span class="tag ok">{ "Signed off" }</span>
                                    } else {
                                        <button type="button" class="sign-off primary" disabled={is_busy}
                                            onclick={sign(r.number.clone())}>{ "Sign off" }</button>
                                    }
                                </div>
                            </li>
                        }
                    }) }
                </ul>
            </>
        }
    });
    html! {
        <section id="signoff">
            <h1>{ "Sign-off queue" }</h1>
            { body }
        </section>
    }
}

#[function_component(TeamPage)]
pub fn team_page() -> Html {
    let (load, reload) = use_ipc::<NoArgs, Vec<TeamMember>>(cmd::TEAM, NoArgs {});
    let body = load_view::view(&load, &reload, |team| {
        html! {
            <table class="team">
                <tr>
                    <th>{ "Technician" }</th><th>{ "Open" }</th><th>{ "In progress" }</th>
                    <th>{ "On hold" }</th><th>{ "Overdue" }</th><th>{ "Emergencies" }</th>
                </tr>
                { for team.iter().map(|m| html! {
                    <tr class="team-row" data-username={m.username.clone()}>
                        <td>{ &m.display_name }</td>
                        <td>{ m.open }</td>
                        <td>{ m.in_progress }</td>
                        <td>{ m.on_hold }</td>
                        <td>
                            if m.overdue > 0 { <span class="tag overdue">{ m.overdue }</span> } else { { 0 } }
                        </td>
                        <td>
                            if m.emergencies > 0 { <span class="tag emergency">{ m.emergencies }</span> } else { { 0 } }
                        </td>
                    </tr>
                }) }
            </table>
        }
    });
    html! {
        <section id="team">
            <h1>{ "Team workload" }</h1>
            { body }
        </section>
    }
}
