//! The asset page: identity, location, status, risk, open work, history,
//! contract, network profile and PM plans, with "New corrective work order"
//! and "Open PM".

use super::open_pm;
use crate::components::load_view;
use crate::hooks::{use_ctx, use_ipc};
use crate::state::asset::{is_down, location_text, next_pm_plan, status_text};
use crate::state::format::{date, humanize, kind_label, minutes, money};
use crate::state::my_day::wo_overdue;
use crate::state::nav::{NavAction, Route};
use biomend_ipc::{AssetPage, TagArg, WorkOrderSummary, cmd};
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct AssetProps {
    pub tag: String,
}

fn fact(label: &str, value: impl Into<Html>) -> Html {
    html! { <div><dt>{ label }</dt><dd>{ value.into() }</dd></div> }
}

fn wo_list(
    ctx: &crate::app::Ctx,
    list: &[WorkOrderSummary],
    today: Option<chrono::NaiveDate>,
) -> Html {
    html! {
        <ul class="rows">
            { for list.iter().map(|w| {
                let go = ctx.go.clone();
                let number = w.number.clone();
                let overdue = today.is_some_and(|t| wo_overdue(w, t));
                html! {
                    <li>
                        <button type="button" class={classes!("row", "wo-row", overdue.then_some("overdue"))}
                            data-number={w.number.clone()} data-priority={w.priority.as_str()}
                            data-status={w.status.as_str()}
                            onclick={Callback::from(move |_| go.emit(NavAction::Go(Route::WorkOrder { number: number.clone() })))}>
                            <span class="title">{ format!("{} · {}", w.number, kind_label(w.kind)) }</span>
                            <span class="sub">{ &w.problem }</span>
                            <span class="side">
                                <span class={classes!("tag", w.priority.as_str())}>{ humanize(w.priority.as_str()) }</span>{ " " }
                                <span class="tag">{ humanize(w.status.as_str()) }</span>
                            </span>
                        </button>
                    </li>
                }
            }) }
        </ul>
    }
}

#[function_component(AssetScreen)]
pub fn asset_screen(p: &AssetProps) -> Html {
    let ctx = use_ctx();
    let (load, reload) =
        use_ipc::<TagArg, AssetPage>(cmd::ASSET_PAGE, TagArg { tag: p.tag.clone() });
    let body = load_view::view(&load, &reload, |page| {
        let d = &page.detail;
        let a = &d.asset;
        let down = is_down(a.status);
        let high = page.risk_class.is_high_risk();
        let new_wo = {
            let go = ctx.go.clone();
            let tag = a.tag.clone();
            Callback::from(move |_| {
                go.emit(NavAction::Go(Route::NewWorkOrder { tag: tag.clone() }))
            })
        };
        let pm = open_pm(&ctx, a.tag.clone(), next_pm_plan(page), None);
        let replace = {
            let go = ctx.go.clone();
            let tag = a.tag.clone();
            Callback::from(move |_| {
                go.emit(NavAction::Go(Route::RepairOrReplace { tag: tag.clone() }))
            })
        };
        html! {
            <>
                <div class="wo-head">
                    <h1>{ format!("{} · {} {}", a.tag, d.manufacturer, d.model.name) }</h1>
                    <span class={classes!("tag", down.then_some("down"), (!down).then_some("ok"))}>{ status_text(a.status) }</span>
                    <span class={classes!("tag", high.then_some("risk"))}>
                        { format!("{} · EM {}", humanize(page.risk_class.as_str()), page.em_number) }
                    </span>
                    if page.unsupported_os { <span class="tag fail">{ "Unsupported OS" }</span> }
                    if page.past_end_of_support { <span class="tag warn">{ "Past end of support" }</span> }
                </div>
                <div class="actions">
                    <button type="button" id="new-corrective" class="primary" onclick={new_wo}>{ "New corrective work order" }</button>
                    <button type="button" id="open-pm" onclick={pm}>{ "Open PM" }</button>
                    if ctx.session.sees_reports {
                        <button type="button" id="repair-or-replace" onclick={replace}>{ "Repair or replace?" }</button>
                    }
                </div>
                <div class="card">
                    <dl class="facts">
                        { fact("Device type", format!("{} ({})", d.device_type.name, d.device_type.code)) }
                        { fact("Serial", a.serial.clone().unwrap_or_else(|| "—".into())) }
                        { fact("Location", location_text(d)) }
                        { fact("Ownership", humanize(a.ownership.as_str())) }
                        { fact("Risk", format!("{} (EM number {})", humanize(page.risk_class.as_str()), page.em_number)) }
                        { fact("Age", match page.age_years {
                            Some(y) => format!("{y:.1} of {} years expected", page.expected_life_years),
                            None => format!("Unknown ({} years expected)", page.expected_life_years),
                        }) }
                        { fact("Acquired", a.acquired_on.map(date).unwrap_or_else(|| "—".into())) }
                        { fact("Warranty ends", a.warranty_end.map(date).unwrap_or_else(|| "—".into())) }
                        if let Some(parent) = &d.parent_tag { { fact("Part of", parent.clone()) } }
                        if !d.children.is_empty() { { fact("Accessories", d.children.join(", ")) } }
                    </dl>
                    if !a.notes.trim().is_empty() { <p class="muted">{ &a.notes }</p> }
                </div>

                <h2>{ format!("Open work ({})", page.open_work.len()) }</h2>
                if page.open_work.is_empty() { <p class="muted">{ "No open work." }</p> }
                { wo_list(&ctx, &page.open_work, None) }

                <h2>{ "PM plans" }</h2>
                if d.pm.is_empty() { <p class="muted">{ "No PM plan for this device." }</p> }
                <ul class="rows">
                    { for d.pm.iter().map(|s| html! {
                        <li class="card">
                            <strong>{ &s.plan.name }</strong>
                            { format!(" · every {} months · {}", s.plan.interval_months, humanize(s.plan.strategy.as_str())) }
                            <br />
                            { format!("Next due {}", date(s.schedule.next_due)) }
                            if let Some(done) = s.schedule.last_done { { format!(" · last done {}", date(done)) } }
                        </li>
                    }) }
                </ul>

                <h2>{ "Service contract" }</h2>
                if let Some(c) = &d.contract {
                    <div class="card">
                        <dl class="facts">
                            { fact("Vendor", c.vendor.clone()) }
                            { fact("Contract", c.contract.number.clone()) }
                            { fact("Coverage", humanize(c.contract.coverage.as_str())) }
                            { fact("Term", format!("{} – {}", date(c.contract.starts_on), date(c.contract.ends_on))) }
                            { fact("Cost per year", money(c.contract.annual_cost)) }
                        </dl>
                    </div>
                } else {
                    <p class="muted">{ "No service contract." }</p>
                }

                <h2>{ "Network" }</h2>
                if let Some(n) = &d.network {
                    <div class="card">
                        <dl class="facts">
                            { fact("Operating system", n.os_label().unwrap_or_else(|| "—".into())) }
                            { fact("Unsupported OS", if page.unsupported_os { "Yes" } else { "No" }) }
                            { fact("Patch level", n.patch_level.clone().unwrap_or_else(|| "—".into())) }
                            { fact("Patch validation", humanize(n.patch_validation.as_str())) }
                            { fact("Firmware", n.firmware_version.clone().unwrap_or_else(|| "—".into())) }
                            { fact("Hostname", n.hostname.clone().unwrap_or_else(|| "—".into())) }
                            { fact("IP / MAC", format!("{} / {}", n.ip_address.as_deref().unwrap_or("—"), n.mac_address.as_deref().unwrap_or("—"))) }
                            { fact("VLAN / segment", format!("{} / {}", n.vlan.map(|v| v.to_string()).unwrap_or_else(|| "—".into()), n.segment.as_deref().unwrap_or("—"))) }
                            { fact("Remote recovery", if n.remote_recoverable { "Yes" } else { "No: hands on the device" }) }
                            { fact("Stores patient data", if n.stores_phi { "Yes" } else { "No" }) }
                        </dl>
                    </div>
                } else {
                    <p class="muted">{ "Not a networked device." }</p>
                }

                <h2>{ "History" }</h2>
                if page.history.is_empty() { <p class="muted">{ "No past work." }</p> }
                <ol class="timeline">
                    { for page.history.iter().map(|w| {
                        let go = ctx.go.clone();
                        let number = w.number.clone();
                        let when = w.completed_at.unwrap_or(w.opened_at).date_naive();
                        html! {
                            <li>
                                <strong>{ date(when) }</strong>{ " · " }
                                <button type="button" class="link wo-row" data-number={w.number.clone()}
                                    onclick={Callback::from(move |_| go.emit(NavAction::Go(Route::WorkOrder { number: number.clone() })))}>
                                    { &w.number }
                                </button>
                                { format!(" · {} · {}", kind_label(w.kind), humanize(w.status.as_str())) }
                                if let Some(c) = w.closure { { format!(" · {}", c.label()) } }
                                <br />
                                <span class="muted">
                                    { &w.problem }
                                    if w.labor_minutes > 0 { { format!(" · {}", minutes(w.labor_minutes)) } }
                                    if w.parts_cost.0 > 0 { { format!(" · parts {}", money(w.parts_cost)) } }
                                </span>
                            </li>
                        }
                    }) }
                </ol>
            </>
        }
    });
    html! { <section id="asset-page" data-tag={p.tag.clone()}>{ body }</section> }
}
