//! Repair or replace one asset (managers and administrators): the
//! technician's repair estimate in, the verdict first, then every rule with
//! whether it fired and what it read, and the facts the rules used.

use crate::components::{input_value, load_view};
use crate::hooks::use_ipc;
use crate::state::dashboards::parse_estimate;
use crate::state::format::money;
use crate::state::replace::{RuleRow, rows, verdict};
use biomend_ipc::{Days, ReplaceArgs, ReplaceReport, cmd};
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct ReplaceProps {
    pub tag: String,
}

#[function_component(ReplacePage)]
pub fn replace_page(p: &ReplaceProps) -> Html {
    let estimate = use_state(String::new);
    let error = use_state(|| None::<String>);
    let args = {
        let tag = p.tag.clone();
        use_state(move || ReplaceArgs {
            tag,
            repair_estimate: None,
            days: Days::default(),
        })
    };
    let on_input = {
        let estimate = estimate.clone();
        Callback::from(move |e: InputEvent| estimate.set(input_value(e)))
    };
    let apply = {
        let (estimate, error, args) = (estimate.clone(), error.clone(), args.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_estimate(&estimate) {
                Ok(repair_estimate) => {
                    error.set(None);
                    args.set(ReplaceArgs {
                        repair_estimate,
                        ..(*args).clone()
                    });
                }
                Err(m) => error.set(Some(m)),
            }
        })
    };
    html! {
        <div id="rvr-page" class="panel" data-tag={p.tag.clone()}>
            <h1>{ format!("Repair or replace · {}", p.tag) }</h1>
            <form class="field-row card" onsubmit={apply}>
                <div>
                    <label for="repair-estimate">{ "Estimate for this repair ($)" }</label>
                    <input id="repair-estimate" type="text" inputmode="decimal" autocomplete="off"
                        placeholder="e.g. 1,850.00" value={(*estimate).clone()} oninput={on_input} />
                </div>
                <div><button type="submit" id="rvr-apply" class="primary">{ "Weigh it" }</button></div>
            </form>
            if let Some(e) = &*error { <p class="error-text" role="alert">{ e }</p> }
            <Advice args={(*args).clone()} />
        </div>
    }
}

#[derive(Debug, Properties, PartialEq)]
struct AdviceProps {
    args: ReplaceArgs,
}

fn rule_list(id: &str, title: &str, rules: Vec<RuleRow>) -> Html {
    html! {
        <>
            <h2>{ title }</h2>
            <ul id={id.to_string()} class="rows rules">
                { for rules.into_iter().map(|r| html! {
                    <li class="card rvr-rule" data-rule={r.code} data-state={r.state}>
                        <p>
                            <strong>{ r.label }</strong>{ " " }
                            <span class={classes!("tag", match r.state {
                                "fired" => "fail",
                                "unknown" => "warn",
                                _ => "ok",
                            })}>{ r.state_text }</span>
                        </p>
                        <details class="explain">
                            <summary>{ "How this is judged" }</summary>
                            <ul>{ for r.lines.iter().map(|l| html! { <li>{ l }</li> }) }</ul>
                        </details>
                    </li>
                }) }
            </ul>
        </>
    }
}

#[function_component(Advice)]
fn advice_view(p: &AdviceProps) -> Html {
    let (load, reload) =
        use_ipc::<ReplaceArgs, ReplaceReport>(cmd::REPAIR_OR_REPLACE, p.args.clone());
    load_view::view(&load, &reload, |r| {
        let (code, text) = verdict(&r.advice, r.repair_estimate.is_some());
        let f = &r.facts;
        let opt_money = |m: Option<biomend_domain::Money>| m.map_or("unknown".to_string(), money);
        let hours = |h: Option<f64>| h.map_or("unknown".to_string(), |h| format!("{h:.0} h"));
        html! {
            <>
                <p id="rvr-verdict" class="card verdict-line" data-verdict={code}>{ text }</p>
                if !r.advice.repair_rules.is_empty() {
                    { rule_list("rvr-repair-rules", "This repair", rows(&r.advice.repair_rules)) }
                }
                { rule_list("rvr-candidate-rules", "Replacement candidate", rows(&r.advice.candidate_rules)) }
                <h2>{ "What the rules read" }</h2>
                <div class="card">
                    <dl class="facts">
                        <div><dt>{ "Replacement cost" }</dt><dd>{ opt_money(f.replacement_cost) }</dd></div>
                        <div><dt>{ "Expected life used" }</dt><dd>{ f.life_used.map_or("unknown".to_string(), |x| format!("{:.0}%", x * 100.0)) }</dd></div>
                        <div><dt>{ "Service cost per year" }</dt><dd>{ opt_money(f.annual_service_cost) }</dd></div>
                        <div><dt>{ "Past end of support" }</dt><dd>{ if f.past_end_of_support { "yes" } else { "no" } }</dd></div>
                        <div><dt>{ "Unsupported OS" }</dt><dd>{ if f.unsupported_os { "yes" } else { "no" } }</dd></div>
                        <div><dt>{ "MTBF (this unit / its type)" }</dt><dd>{ format!("{} / {}", hours(f.mtbf_hours), hours(f.peer_mtbf_hours)) }</dd></div>
                    </dl>
                    <p class="muted">{ format!("Service history from {} to {}", r.period.from, r.period.to) }</p>
                </div>
            </>
        }
    })
}
