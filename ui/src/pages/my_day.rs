//! "My day": assigned work orders and PMs due in my area, most urgent first,
//! overdue marked.

use super::open_pm;
use crate::components::load_view;
use crate::hooks::{use_ctx, use_ipc};
use crate::state::format::date;
use crate::state::my_day::{pm_rows, wo_rows};
use crate::state::nav::{NavAction, Route};
use biomend_ipc::{MyDay, NoArgs, cmd};
use yew::prelude::*;

#[function_component(MyDayPage)]
pub fn my_day_page() -> Html {
    let ctx = use_ctx();
    let (load, reload) = use_ipc::<NoArgs, MyDay>(cmd::MY_DAY, NoArgs {});
    let body = load_view::view(&load, &reload, |day| {
        let wos = wo_rows(day);
        let pms = pm_rows(day);
        html! {
            <>
                <h1>{ format!("My day — {}", date(day.today)) }</h1>
                <h2>{ format!("Work orders ({})", wos.len()) }</h2>
                if wos.is_empty() {
                    <p class="muted">{ "No work orders assigned to you." }</p>
                }
                <ul class="rows">
                    { for wos.into_iter().map(|r| {
                        let go = ctx.go.clone();
                        let number = r.number.clone();
                        html! {
                            <li>
                                <button type="button" class={classes!("row", "wo-row", r.overdue.then_some("overdue"))}
                                    data-number={r.number.clone()} data-priority={r.priority}
                                    data-status={r.status}
                                    onclick={Callback::from(move |_| go.emit(NavAction::Go(Route::WorkOrder { number: number.clone() })))}>
                                    <span class="title">{ format!("{} · {} · {}", r.number, r.tag, r.kind) }</span>
                                    <span class="sub">{ &r.problem }</span>
                                    <span class="side">
                                        <span class={classes!("tag", r.priority)}>{ &r.priority_label }</span>{ " " }
                                        <span class="tag">{ &r.status_label }</span>
                                        if let Some(d) = &r.due {
                                            <br />
                                            <span class={classes!("tag", r.overdue.then_some("overdue"))}>{ d }</span>
                                        }
                                    </span>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
                <h2>{ format!("PMs due in my area ({})", pms.len()) }</h2>
                if pms.is_empty() {
                    <p class="muted">{ "No PMs due." }</p>
                }
                <ul class="rows">
                    { for pms.into_iter().map(|r| {
                        let onclick = open_pm(&ctx, r.tag.clone(), Some(r.plan_id), r.work_order.clone());
                        html! {
                            <li>
                                <button type="button" class={classes!("row", "pm-row", r.overdue.then_some("overdue"))}
                                    data-tag={r.tag.clone()} data-priority="scheduled" onclick={onclick}>
                                    <span class="title">{ format!("{} · {}", r.tag, r.plan) }</span>
                                    <span class="sub">
                                        { &r.device }{ " · " }{ &r.department }
                                        if let Some(l) = &r.location { { " · " }{ l } }
                                    </span>
                                    <span class="side">
                                        if r.high_risk { <span class="tag risk">{ "High risk" }</span>{ " " } }
                                        if let Some(n) = &r.work_order { <span class="tag">{ n }</span>{ " " } }
                                        <br />
                                        <span class={classes!("tag", r.overdue.then_some("overdue"))}>{ &r.due }</span>
                                    </span>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            </>
        }
    });
    html! { <section id="my-day">{ body }</section> }
}
