//! The managers' dashboards: KPIs by group as a bar chart and a table,
//! a device type's service scorecard, the capital plan by year, the
//! effect of a training event, and the Environment of Care report. Every
//! figure is a button that lists the work orders behind it, and carries
//! its explanation (formula, inputs, period) in an expander beneath it.

use crate::app::reducible;
use crate::components::{input_value, load_view, select_value};
use crate::hooks::{Reform, use_ctx, use_ipc};
use crate::ipc::invoke;
use crate::state::dashboards::{
    DrillAction, DrillModel, GROUPINGS, Metric, Tab, Unit, bars, expected_count, explain,
    format_value, group_by_code, group_by_parse, group_key_text, parse_budget, parse_days,
    parse_years, period_text,
};
use crate::state::format::{date, kind_label, money};
use crate::state::load::error_text;
use crate::state::nav::{NavAction, Route};
use biomend_domain::ids::TrainingEventId;
use biomend_ipc::{
    CapitalArgs, CapitalReport, DeviceTypeChoice, Drill, DrillDown, GroupBy, KpiArgs, KpiReport,
    Measure, NoArgs, Period, Scope, ScorecardArgs, ScorecardReport, SurveyArgs, SurveyWritten,
    TrainingArgs, TrainingEventItem, TrainingReport, cmd,
};
use yew::platform::spawn_local;
use yew::prelude::*;

reducible!(DrillModel, DrillAction);

#[derive(Debug, Properties, PartialEq)]
pub struct DashboardsProps {
    pub tab: Tab,
}

#[function_component(DashboardsPage)]
pub fn dashboards_page(p: &DashboardsProps) -> Html {
    let ctx = use_ctx();
    let tabs = Tab::visible(ctx.session.sees_kpis, ctx.session.sees_reports);
    let panel = match p.tab {
        Tab::Kpis => html! { <KpiPanel /> },
        Tab::Scorecard => html! { <ScorecardPanel /> },
        Tab::Capital => html! { <CapitalPanel /> },
        Tab::Training => html! { <TrainingPanel /> },
        Tab::Survey => html! { <SurveyPanel /> },
    };
    html! {
        <section id="dashboards" data-tab={p.tab.id()}>
            <h1>{ "Dashboards" }</h1>
            <div class="tabs" role="tablist" aria-label="Dashboards">
                { for tabs.into_iter().map(|t| {
                    let go = ctx.go.clone();
                    html! {
                        <button type="button" role="tab" id={t.id()}
                            aria-selected={(t == p.tab).to_string()}
                            aria-pressed={(t == p.tab).to_string()}
                            onclick={Callback::from(move |_| go.emit(NavAction::Go(Route::Dashboards { tab: t })))}>
                            { t.label() }
                        </button>
                    }
                }) }
            </div>
            { panel }
        </section>
    }
}

// ---- shared pieces ---------------------------------------------------------

#[derive(Debug, Properties, PartialEq)]
struct ExplainProps {
    measure: Measure,
}

/// A figure's formula, inputs, period and note, opened on demand.
#[function_component(Explain)]
fn explain_view(p: &ExplainProps) -> Html {
    html! {
        <details class="explain">
            <summary>{ "How this is worked out" }</summary>
            <ul>{ for explain(&p.measure).into_iter().map(|l| html! { <li>{ l }</li> }) }</ul>
        </details>
    }
}

/// One bar: its length in SVG, with the label and value as text.
fn bar_svg(fraction: f64) -> Html {
    let w = format!("{:.2}", (fraction * 100.0).clamp(0.0, 100.0));
    html! {
        <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
            <rect class="track" x="0" y="0" width="100" height="10" />
            <rect class="fill" x="0" y="0" width={w} height="10" />
        </svg>
    }
}

/// The period fields, typed as dates; blank means the last 365 days.
#[derive(Debug, Properties, PartialEq)]
struct DaysProps {
    prefix: &'static str,
    from: UseStateHandle<String>,
    to: UseStateHandle<String>,
}

#[function_component(DaysFields)]
fn days_fields(p: &DaysProps) -> Html {
    let set = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| h.set(input_value(e)))
    };
    let (from_id, to_id) = (format!("{}-from", p.prefix), format!("{}-to", p.prefix));
    html! {
        <>
            <div>
                <label for={from_id.clone()}>{ "From (first day)" }</label>
                <input id={from_id} type="date" value={(*p.from).clone()} oninput={set(&p.from)} />
            </div>
            <div>
                <label for={to_id.clone()}>{ "To (last day)" }</label>
                <input id={to_id} type="date" value={(*p.to).clone()} oninput={set(&p.to)} />
            </div>
        </>
    }
}

/// Builds the callback that opens the drill-down for one figure.
fn open_drill(
    drill: &UseReducerHandle<DrillModel>,
    title: String,
    scope: Scope,
    which: Drill,
    period: Period,
    expected: Option<u64>,
) -> Callback<MouseEvent> {
    let drill = drill.clone();
    Callback::from(move |_| {
        drill.dispatch(DrillAction::Open {
            title: title.clone(),
            scope,
            drill: which,
            period,
            expected,
        })
    })
}

#[derive(Debug, Properties, PartialEq)]
struct DrillProps {
    model: UseReducerHandle<DrillModel>,
}

/// The work orders behind the chosen figure, a page at a time; each
/// opens its work-order page.
#[function_component(DrillPanel)]
fn drill_panel(p: &DrillProps) -> Html {
    let ctx = use_ctx();
    let args = p.model.open.as_ref().map(|o| o.args);
    {
        let model = p.model.clone();
        let signed_out = ctx.signed_out.clone();
        use_effect_with(args, move |args| {
            if let Some(args) = *args {
                spawn_local(async move {
                    let r = invoke::<_, DrillDown>(cmd::DRILL_DOWN, &args).await;
                    if let Err(e) = &r
                        && crate::state::load::is_signed_out(e)
                    {
                        signed_out.emit(());
                    }
                    model.dispatch(DrillAction::Loaded(r.map_err(|e| error_text(&e))));
                });
            }
        });
    }
    let Some(o) = &p.model.open else {
        return html! {
            <p class="muted drill-hint">{ "Choose any figure to list the work orders behind it." }</p>
        };
    };
    let go = ctx.go.clone();
    html! {
        <section id="drill-down" class="card" aria-live="polite"
            data-total={o.total().map(|t| t.to_string())}
            data-expected={o.expected.map(|t| t.to_string())}>
            <h2>{ &o.title }</h2>
            if let Some(Ok(page)) = &o.page {
                <p class="muted">{ format!("{} · {}", page.description, period_text(&page.period)) }</p>
            }
            <p class="drill-range">
                { o.range_text() }
                { match o.matches_figure() {
                    Some(true) => html! { <span class="tag ok">{ " matches the figure's count" }</span> },
                    Some(false) => html! { <span class="tag fail">{ format!(" the figure counted {}", o.expected.unwrap_or_default()) }</span> },
                    None => html! {},
                } }
            </p>
            { match &o.page {
                Some(Err(e)) => html! { <p class="error-text" role="alert">{ e }</p> },
                Some(Ok(page)) => html! {
                    <ul class="rows">
                        { for page.items.iter().map(|w| {
                            let number = w.number.clone();
                            let go = go.clone();
                            html! {
                                <li>
                                    <button type="button" class="row wo-row" data-number={w.number.clone()}
                                        onclick={Callback::from(move |_| go.emit(NavAction::Go(Route::WorkOrder { number: number.clone() })))}>
                                        <span class="title">{ format!("{} · {} · {}", w.number, w.asset_tag, kind_label(w.kind)) }</span>
                                        <span class="sub">{ &w.problem }</span>
                                        <span class="side">
                                            <span class="tag">{ date(w.opened_at.date_naive()) }</span>
                                            if let Some(c) = w.closure { <br /><span class="tag">{ c.label() }</span> }
                                        </span>
                                    </button>
                                </li>
                            }
                        }) }
                    </ul>
                },
                None => html! { <p class="muted" aria-busy="true">{ "Loading…" }</p> },
            } }
            <div class="actions">
                <button type="button" id="drill-prev" disabled={o.args.offset == 0}
                    onclick={p.model.reform(|_: MouseEvent| DrillAction::Previous)}>{ "‹ Previous" }</button>
                <button type="button" id="drill-next" disabled={!o.has_next()}
                    onclick={p.model.reform(|_: MouseEvent| DrillAction::Next)}>{ "Next ›" }</button>
                <button type="button" id="drill-close"
                    onclick={p.model.reform(|_: MouseEvent| DrillAction::Close)}>{ "Close list" }</button>
            </div>
        </section>
    }
}

// ---- KPIs ----------------------------------------------------------------------

#[function_component(KpiPanel)]
fn kpi_panel() -> Html {
    let by = use_state(|| GroupBy::Department);
    let metric = use_state(|| Metric::Uptime);
    let from = use_state(String::new);
    let to = use_state(String::new);
    let args = use_state(|| KpiArgs {
        by: GroupBy::Department,
        days: Default::default(),
    });
    let form_error = use_state(|| None::<String>);
    let drill = use_reducer(DrillModel::default);
    let (load, reload) = use_ipc::<KpiArgs, KpiReport>(cmd::KPI_REPORT, *args);

    let apply = {
        let (by, from, to, args, form_error) = (
            by.clone(),
            from.clone(),
            to.clone(),
            args.clone(),
            form_error.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_days(&from, &to) {
                Ok(days) => {
                    form_error.set(None);
                    args.set(KpiArgs { by: *by, days });
                }
                Err(m) => form_error.set(Some(m)),
            }
        })
    };
    let on_by = {
        let by = by.clone();
        Callback::from(move |e: Event| {
            if let Some(b) = group_by_parse(&select_value(e)) {
                by.set(b);
            }
        })
    };
    let on_metric = {
        let metric = metric.clone();
        Callback::from(move |e: Event| {
            if let Some(m) = Metric::parse(&select_value(e)) {
                metric.set(m);
            }
        })
    };
    let m = *metric;
    let body = load_view::view(&load, &reload, |r| {
        let chart = bars(r, m);
        html! {
            <>
                <p class="muted">{ format!("{} · {}", m.label(), period_text(&r.period)) }</p>
                <ul id="kpi-chart" class="bars" aria-label={format!("{} by group", m.label())}>
                    { for chart.into_iter().map(|b| {
                        let title = format!("{} — {}", b.label, m.label());
                        let expected = expected_count(m.drill(), &b.measure);
                        let aria = format!("{}: {}. List the work orders behind it.", b.label, b.value);
                        html! {
                            <li key={b.key.clone()}>
                                <button type="button" class="kpi-bar bar-button" data-key={b.key.clone()}
                                    data-metric={m.code()} aria-label={aria}
                                    onclick={open_drill(&drill, title, Scope::group(b.group), m.drill(), r.period, expected)}>
                                    <span class="bar-label">{ &b.label }</span>
                                    { bar_svg(b.fraction) }
                                    <span class="bar-value">{ &b.value }</span>
                                </button>
                                if let Some(n) = &b.note { <p class="muted note">{ n }</p> }
                                <Explain measure={b.measure.clone()} />
                            </li>
                        }
                    }) }
                </ul>
                <DrillPanel model={drill.clone()} />
                <h2>{ "All KPIs" }</h2>
                <div class="table-wrap">
                    <table id="kpi-table" class="entries figures">
                        <thead>
                            <tr>
                                <th scope="col">{ "Group" }</th>
                                <th scope="col">{ "Assets" }</th>
                                { for Metric::ALL.iter().map(|x| html! { <th scope="col">{ x.label() }</th> }) }
                            </tr>
                        </thead>
                        <tbody>
                            { for r.groups.iter().map(|g| {
                                let key = group_key_text(&g.key);
                                html! {
                                    <tr class="kpi-row" data-key={key.clone()}>
                                        <th scope="row">{ &g.name }</th>
                                        <td>{ g.kpis.assets }</td>
                                        { for Metric::ALL.iter().map(|x| {
                                            let measure = x.measure(&g.kpis);
                                            let title = format!("{} — {}", g.name, x.label());
                                            let expected = expected_count(x.drill(), measure);
                                            html! {
                                                <td>
                                                    <button type="button" class="figure kpi-cell" data-key={key.clone()} data-metric={x.code()}
                                                        aria-label={format!("{}, {}: {}. List the work orders behind it.", g.name, x.label(), format_value(measure.value, x.unit()))}
                                                        onclick={open_drill(&drill, title, Scope::group(g.key), x.drill(), r.period, expected)}>
                                                        { format_value(measure.value, x.unit()) }
                                                    </button>
                                                </td>
                                            }
                                        }) }
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            </>
        }
    });
    html! {
        <div id="kpis" class="panel">
            <form class="field-row card" onsubmit={apply}>
                <div>
                    <label for="kpi-by">{ "Group by" }</label>
                    <select id="kpi-by" onchange={on_by}>
                        { for GROUPINGS.iter().map(|(b, l)| html! {
                            <option value={group_by_code(*b)} selected={*b == *by}>{ *l }</option>
                        }) }
                    </select>
                </div>
                <DaysFields prefix="kpi" from={from.clone()} to={to.clone()} />
                <div><button type="submit" id="kpi-apply" class="primary">{ "Show" }</button></div>
                <div>
                    <label for="kpi-metric">{ "Chart" }</label>
                    <select id="kpi-metric" onchange={on_metric}>
                        { for Metric::ALL.iter().map(|x| html! {
                            <option value={x.code()} selected={*x == m}>{ x.label() }</option>
                        }) }
                    </select>
                </div>
            </form>
            if let Some(e) = &*form_error { <p class="error-text" role="alert">{ e }</p> }
            { body }
        </div>
    }
}

// ---- scorecard -----------------------------------------------------------------

#[function_component(ScorecardPanel)]
fn scorecard_panel() -> Html {
    let (types, reload) = use_ipc::<NoArgs, Vec<DeviceTypeChoice>>(cmd::DEVICE_TYPES, NoArgs {});
    let code = use_state(String::new);
    let by = use_state(|| GroupBy::Manufacturer);
    let from = use_state(String::new);
    let to = use_state(String::new);
    let args = use_state(|| None::<ScorecardArgs>);
    let form_error = use_state(|| None::<String>);
    let apply = {
        let (code, by, from, to, args, form_error) = (
            code.clone(),
            by.clone(),
            from.clone(),
            to.clone(),
            args.clone(),
            form_error.clone(),
        );
        let types = types.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let chosen = match (code.trim(), &*types) {
                ("", crate::state::load::Load::Ready(t)) => {
                    t.first().map(|t| t.code.clone()).unwrap_or_default()
                }
                (c, _) => c.to_string(),
            };
            match parse_days(&from, &to) {
                Ok(_) if chosen.is_empty() => form_error.set(Some("Choose a device type".into())),
                Ok(days) => {
                    form_error.set(None);
                    args.set(Some(ScorecardArgs {
                        device_type: chosen,
                        by: *by,
                        days,
                    }));
                }
                Err(m) => form_error.set(Some(m)),
            }
        })
    };
    let form = load_view::view(&types, &reload, |t| {
        let on_type = {
            let code = code.clone();
            Callback::from(move |e: Event| code.set(select_value(e)))
        };
        let on_by = {
            let by = by.clone();
            Callback::from(move |e: Event| {
                if let Some(b) = group_by_parse(&select_value(e)) {
                    by.set(b);
                }
            })
        };
        html! {
            <form class="field-row card" onsubmit={apply.clone()}>
                <div>
                    <label for="score-type">{ "Device type" }</label>
                    <select id="score-type" onchange={on_type}>
                        { for t.iter().map(|x| html! {
                            <option value={x.code.clone()} selected={*code == x.code}>{ format!("{} {}", x.code, x.name) }</option>
                        }) }
                    </select>
                </div>
                <div>
                    <label for="score-by">{ "Compare" }</label>
                    <select id="score-by" onchange={on_by}>
                        <option value="manufacturer" selected={*by == GroupBy::Manufacturer}>{ "Manufacturers" }</option>
                        <option value="model" selected={*by == GroupBy::Model}>{ "Models" }</option>
                    </select>
                </div>
                <DaysFields prefix="score" from={from.clone()} to={to.clone()} />
                <div><button type="submit" id="score-apply" class="primary">{ "Show scorecard" }</button></div>
            </form>
        }
    });
    html! {
        <div id="scorecard" class="panel">
            { form }
            if let Some(e) = &*form_error { <p class="error-text" role="alert">{ e }</p> }
            if let Some(a) = &*args {
                <ScorecardView args={a.clone()} />
            } else {
                <p class="muted">{ "Choose a device type to compare its makers or models." }</p>
            }
        </div>
    }
}

#[derive(Debug, Properties, PartialEq)]
struct ScorecardViewProps {
    args: ScorecardArgs,
}

#[function_component(ScorecardView)]
fn scorecard_view(p: &ScorecardViewProps) -> Html {
    let (load, reload) = use_ipc::<ScorecardArgs, ScorecardReport>(cmd::SCORECARD, p.args.clone());
    let drill = use_reducer(DrillModel::default);
    load_view::view(&load, &reload, |r| {
        let period = r.card.period;
        html! {
            <>
                <h2>{ format!("{} · {}", r.device_type, period_text(&period)) }</h2>
                <p class="muted">{ "Rank 1 is best. The bar is the weighted score: 0 best on every measure, 1 worst." }</p>
                <ul id="scorecard-chart" class="bars">
                    { for r.card.rows.iter().zip(&r.names).map(|(row, name)| {
                        let key = group_key_text(&row.group);
                        let score = row.score.value;
                        let rank = row.rank.map_or("not ranked".to_string(), |k| format!("rank {k}"));
                        let scope = Scope::within_type(row.group, r.device_type_id);
                        let title = format!("{name} — failures");
                        let expected = expected_count(Drill::Failures, &row.failures_per_unit_year);
                        html! {
                            <li key={key.clone()}>
                                <button type="button" class="score-bar bar-button" data-key={key.clone()}
                                    data-rank={row.rank.map(|k| k.to_string())}
                                    aria-label={format!("{name}: {rank}, score {}. List its failures.", score.map_or("n/a".into(), |s| format!("{s:.2}")))}
                                    onclick={open_drill(&drill, title, scope, Drill::Failures, period, expected)}>
                                    <span class="bar-label">{ format!("{name} ({rank})") }</span>
                                    { bar_svg(score.unwrap_or(0.0)) }
                                    <span class="bar-value">{ score.map_or("n/a".into(), |s| format!("{s:.2}")) }</span>
                                </button>
                                <Explain measure={row.score.clone()} />
                            </li>
                        }
                    }) }
                </ul>
                <DrillPanel model={drill.clone()} />
                <div class="table-wrap">
                    <table id="scorecard-table" class="entries figures">
                        <thead><tr>
                            <th scope="col">{ "Rank" }</th><th scope="col">{ "Name" }</th><th scope="col">{ "Units" }</th>
                            <th scope="col">{ "Failures / unit-year" }</th><th scope="col">{ "COSR" }</th>
                            <th scope="col">{ "MTTR" }</th><th scope="col">{ "Uptime" }</th><th scope="col">{ "CND rate" }</th>
                            <th scope="col">{ "Recalls" }</th>
                        </tr></thead>
                        <tbody>
                            { for r.card.rows.iter().zip(&r.names).map(|(row, name)| {
                                let scope = Scope::within_type(row.group, r.device_type_id);
                                let cell = |m: &Measure, unit: Unit, d: Option<Drill>, what: &str| {
                                    let text = format_value(m.value, unit);
                                    match d {
                                        Some(d) => html! {
                                            <td><button type="button" class="figure score-cell" data-key={group_key_text(&row.group)} data-measure={what.to_string()}
                                                onclick={open_drill(&drill, format!("{name} — {what}"), scope, d, period, expected_count(d, m))}>{ text }</button>
                                                <Explain measure={m.clone()} /></td>
                                        },
                                        None => html! { <td>{ text }<Explain measure={m.clone()} /></td> },
                                    }
                                };
                                html! {
                                    <tr class="score-row" data-key={group_key_text(&row.group)}>
                                        <td>{ row.rank.map_or("–".into(), |k| k.to_string()) }</td>
                                        <th scope="row">{ name }</th>
                                        <td>{ row.units }</td>
                                        { cell(&row.failures_per_unit_year, Unit::PerYear, Some(Drill::Failures), "failures") }
                                        { cell(&row.cosr, Unit::Percent, Some(Drill::ServiceCost), "service cost") }
                                        { cell(&row.mttr_hours, Unit::Hours, Some(Drill::Failures), "repairs") }
                                        { cell(&row.uptime, Unit::Percent, Some(Drill::Downtime), "downtime") }
                                        { cell(&row.cnd_rate, Unit::Percent, Some(Drill::Cnd), "CND") }
                                        <td>{ row.recalls.value.map_or("–".into(), |v| format!("{v:.0}")) }<Explain measure={row.recalls.clone()} /></td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            </>
        }
    })
}

// ---- capital plan ---------------------------------------------------------------

#[function_component(CapitalPanel)]
fn capital_panel() -> Html {
    let budget = use_state(|| "1,000,000".to_string());
    let years = use_state(|| "5".to_string());
    let args = use_state(|| None::<CapitalArgs>);
    let form_error = use_state(|| None::<String>);
    let apply = {
        let (budget, years, args, form_error) = (
            budget.clone(),
            years.clone(),
            args.clone(),
            form_error.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match (parse_budget(&budget), parse_years(&years)) {
                (Ok(b), Ok(y)) => {
                    form_error.set(None);
                    args.set(Some(CapitalArgs {
                        yearly_budget: b,
                        years: y,
                        days: Default::default(),
                    }));
                }
                (Err(m), _) | (_, Err(m)) => form_error.set(Some(m)),
            }
        })
    };
    let set = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| h.set(input_value(e)))
    };
    html! {
        <div id="capital" class="panel">
            <form class="field-row card" onsubmit={apply}>
                <div>
                    <label for="capital-budget">{ "Budget per year ($)" }</label>
                    <input id="capital-budget" type="text" inputmode="decimal" value={(*budget).clone()} oninput={set(&budget)} />
                </div>
                <div>
                    <label for="capital-years">{ "Years" }</label>
                    <input id="capital-years" type="number" min="1" max="20" value={(*years).clone()} oninput={set(&years)} />
                </div>
                <div><button type="submit" id="capital-apply" class="primary">{ "Plan" }</button></div>
            </form>
            if let Some(e) = &*form_error { <p class="error-text" role="alert">{ e }</p> }
            if let Some(a) = &*args {
                <CapitalView args={*a} />
            } else {
                <p class="muted">{ "Enter the yearly budget and the years to plan." }</p>
            }
        </div>
    }
}

#[derive(Debug, Properties, PartialEq)]
struct CapitalViewProps {
    args: CapitalArgs,
}

#[function_component(CapitalView)]
fn capital_view(p: &CapitalViewProps) -> Html {
    let (load, reload) = use_ipc::<CapitalArgs, CapitalReport>(cmd::CAPITAL_PLAN, p.args);
    let drill = use_reducer(DrillModel::default);
    load_view::view(&load, &reload, |r| {
        let period = r.period;
        let max = r
            .plan
            .years
            .iter()
            .map(|y| y.budget.cents().max(y.spent.cents()))
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let item_button = |tag: &str, asset: biomend_domain::ids::AssetId, text: String| {
            html! {
                <button type="button" class="figure capital-item" data-tag={tag.to_string()}
                    onclick={open_drill(&drill, format!("{tag} — service history"), Scope::asset(asset), Drill::ServiceCost, period, None)}>
                    { text }
                </button>
            }
        };
        html! {
            <>
                <p class="muted">{ format!("Priorities read the service history of {}. {}", period_text(&period), r.plan.rule) }</p>
                <ol id="capital-chart" class="bars years">
                    { for r.plan.years.iter().map(|y| html! {
                        <li class="capital-year" data-year={y.year.to_string()}>
                            <div class="bar-button static">
                                <span class="bar-label">{ format!("Year {}", y.year) }</span>
                                { bar_svg(y.spent.cents() as f64 / max) }
                                <span class="bar-value">{ format!("{} of {}", money(y.spent), money(y.budget)) }</span>
                            </div>
                            <p class="muted">{ format!("{} replacement(s)", y.items.len()) }</p>
                            <ul class="chips">
                                { for y.items.iter().map(|i| html! {
                                    <li>{ item_button(&i.tag, i.asset_id, format!("{} · {:.0} · {}", i.tag, i.score, money(i.cost))) }</li>
                                }) }
                            </ul>
                        </li>
                    }) }
                </ol>
                if !r.plan.deferred.is_empty() {
                    <p class="muted">{ format!("{} more above the minimum score wait beyond the plan; {} have no replacement cost; {} are under the minimum score.", r.plan.deferred.len(), r.plan.unpriced.len(), r.plan.below_min_score) }</p>
                }
                <DrillPanel model={drill.clone()} />
                <h2>{ "Highest priorities" }</h2>
                <ul class="rows priorities">
                    { for r.top.iter().map(|pr| html! {
                        <li class="card priority-item" data-tag={pr.tag.clone()}>
                            { item_button(&pr.tag, pr.asset_id, format!("{} · score {:.1} of 100", pr.tag, pr.score.value)) }
                            if let Some(c) = pr.replacement_cost { <span class="tag">{ format!("replacement {}", money(c)) }</span> }
                            <ul class="factors">
                                { for pr.factors.iter().map(|f| html! {
                                    <li>
                                        { format!("{:?}: {:.1} points (value {:.2} × weight {:.2})", f.factor, f.points, f.value.value, f.weight) }
                                        <details class="explain">
                                            <summary>{ "How this is worked out" }</summary>
                                            <ul>
                                                <li>{ format!("Formula: {}", f.value.formula) }</li>
                                                { for f.value.inputs.iter().map(|i| html! { <li>{ format!("{}: {}", i.name, i.value) }</li> }) }
                                            </ul>
                                        </details>
                                    </li>
                                }) }
                            </ul>
                        </li>
                    }) }
                </ul>
            </>
        }
    })
}

// ---- training effect -------------------------------------------------------------

#[function_component(TrainingPanel)]
fn training_panel() -> Html {
    let (events, reload) =
        use_ipc::<NoArgs, Vec<TrainingEventItem>>(cmd::TRAINING_EVENTS, NoArgs {});
    let chosen = use_state(|| None::<TrainingEventId>);
    let list = load_view::view(&events, &reload, |v| {
        html! {
            <>
                if v.is_empty() { <p class="notice">{ "No training events are on record." }</p> }
                <ul id="training-events" class="rows">
                    { for v.iter().map(|e| {
                        let id = e.event.id;
                        let chosen = chosen.clone();
                        let selected = *chosen == Some(id);
                        html! {
                            <li>
                                <button type="button" class="row training-event" data-id={id.0.to_string()}
                                    aria-pressed={selected.to_string()}
                                    onclick={Callback::from(move |_| chosen.set(Some(id)))}>
                                    <span class="title">{ format!("{} · {}", date(e.event.held_on), e.event.topic) }</span>
                                    <span class="sub">{ format!("{} · {} · {} attendees", e.department, e.device_type, e.event.attendees) }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            </>
        }
    });
    html! {
        <div id="training" class="panel">
            if let Some(id) = *chosen { <TrainingView id={id} /> }
            <h2>{ "Training events" }</h2>
            { list }
        </div>
    }
}

/// One measure of the before/after comparison.
struct TrainingRow<'a> {
    code: &'static str,
    label: &'static str,
    pick: fn(&biomend_ipc::Window) -> &Measure,
    unit: Unit,
    drill: Drill,
    change: &'a Measure,
}

#[derive(Debug, Properties, PartialEq)]
struct TrainingViewProps {
    id: TrainingEventId,
}

#[function_component(TrainingView)]
fn training_view(p: &TrainingViewProps) -> Html {
    let (load, reload) =
        use_ipc::<TrainingArgs, TrainingReport>(cmd::TRAINING_EFFECT, TrainingArgs { id: p.id });
    let drill = use_reducer(DrillModel::default);
    load_view::view(&load, &reload, |r| {
        let fx = &r.effect;
        let scope = Scope::department_and_type(fx.department, fx.device_type);
        let rows = [
            TrainingRow {
                code: "calls",
                label: "CND + use error + abuse per closed corrective",
                pick: |w| &w.cnd_and_use_error_rate,
                unit: Unit::Percent,
                drill: Drill::CndOrUseError,
                change: &fx.cnd_and_use_error_rate_change,
            },
            TrainingRow {
                code: "cnd",
                label: "CND rate",
                pick: |w| &w.cnd_rate,
                unit: Unit::Percent,
                drill: Drill::Cnd,
                change: &fx.cnd_rate_change,
            },
            TrainingRow {
                code: "use_error",
                label: "Use-error rate",
                pick: |w| &w.use_error_rate,
                unit: Unit::Percent,
                drill: Drill::UseError,
                change: &fx.use_error_rate_change,
            },
            TrainingRow {
                code: "uptime",
                label: "Uptime",
                pick: |w| &w.uptime,
                unit: Unit::Percent,
                drill: Drill::Downtime,
                change: &fx.uptime_change,
            },
        ];
        let max = rows
            .iter()
            .flat_map(|x| [(x.pick)(&fx.before).value, (x.pick)(&fx.after).value])
            .flatten()
            .fold(0.0_f64, f64::max)
            .max(f64::MIN_POSITIVE);
        html! {
            <section id="training-effect" class="card">
                <h2>{ format!("{} · {} · {}", r.event.event.topic, r.event.department, r.event.device_type) }</h2>
                <p class="muted">{ format!("Held {}: {} before, {} after.", date(r.event.event.held_on), period_text(&fx.before.period), period_text(&fx.after.period)) }</p>
                { for rows.iter().map(|TrainingRow { code, label, pick, unit, drill: d, change }| {
                    let bar = |which: &str, w: &biomend_ipc::Window| {
                        let m = pick(w);
                        let title = format!("{label}, {which} the training");
                        html! {
                            <li>
                                <button type="button" class="training-bar bar-button" data-window={which.to_string()} data-measure={code.to_string()}
                                    aria-label={format!("{label} {which}: {}. List the work orders behind it.", format_value(m.value, *unit))}
                                    onclick={open_drill(&drill, title, scope, *d, w.period, expected_count(*d, m))}>
                                    <span class="bar-label">{ format!("{which} ({})", period_text(&w.period)) }</span>
                                    { bar_svg(m.value.unwrap_or(0.0) / max) }
                                    <span class="bar-value">{ format_value(m.value, *unit) }</span>
                                </button>
                                <Explain measure={m.clone()} />
                            </li>
                        }
                    };
                    html! {
                        <div class="training-measure" data-measure={code.to_string()}>
                            <h3>{ *label }</h3>
                            <ul class="bars">
                                { bar("before", &fx.before) }
                                { bar("after", &fx.after) }
                            </ul>
                            <p>{ format!("Change: {}", change.value.map_or("n/a".into(), |v| format!("{:+.1} points", v * 100.0))) }</p>
                        </div>
                    }
                }) }
                <DrillPanel model={drill.clone()} />
            </section>
        }
    })
}

// ---- the Environment of Care report ------------------------------------------------

#[function_component(SurveyPanel)]
fn survey_panel() -> Html {
    let ctx = use_ctx();
    let from = use_state(String::new);
    let to = use_state(String::new);
    let site = use_state(String::new);
    let busy = use_state(|| false);
    let written = use_state(|| None::<SurveyWritten>);
    let form_error = use_state(|| None::<String>);
    let submit = {
        let (from, to, site, busy, written, form_error, ctx) = (
            from.clone(),
            to.clone(),
            site.clone(),
            busy.clone(),
            written.clone(),
            form_error.clone(),
            ctx.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let days = match parse_days(&from, &to) {
                Ok(d) => d,
                Err(m) => return form_error.set(Some(m)),
            };
            form_error.set(None);
            busy.set(true);
            let args = SurveyArgs {
                days,
                site: Some(site.trim().to_string()).filter(|s| !s.is_empty()),
            };
            let (busy, written, ctx) = (busy.clone(), written.clone(), ctx.clone());
            spawn_local(async move {
                match invoke::<_, SurveyWritten>(cmd::SURVEY_REPORT, &args).await {
                    Ok(w) => written.set(Some(w)),
                    Err(e) => ctx.fail.emit(e),
                }
                busy.set(false);
            });
        })
    };
    let on_site = {
        let site = site.clone();
        Callback::from(move |e: InputEvent| site.set(input_value(e)))
    };
    html! {
        <div id="survey" class="panel">
            <p>{ "The Environment of Care committee / survey report: PM completion by risk class, high-risk PMs not completed in their window with each reason, repairs, recalls, and CND and damage calls. Blank days mean the last twelve months." }</p>
            <form class="field-row card" onsubmit={submit}>
                <DaysFields prefix="survey" from={from.clone()} to={to.clone()} />
                <div>
                    <label for="survey-site">{ "Site code (blank: all)" }</label>
                    <input id="survey-site" type="text" value={(*site).clone()} oninput={on_site} />
                </div>
                <div>
                    <button type="submit" id="survey-report" class="primary" disabled={*busy}>
                        { if *busy { "Writing…" } else { "Write the report (PDF and HTML)" } }
                    </button>
                </div>
            </form>
            if let Some(e) = &*form_error { <p class="error-text" role="alert">{ e }</p> }
            if let Some(w) = &*written {
                <div id="survey-paths" class="notice ok" role="status">
                    <p>{ format!("Written: {}, {} to {} ({} PDF page(s)).", w.scope, date(w.from), date(w.to), w.pages) }</p>
                    <dl class="facts">
                        <div><dt>{ "Folder" }</dt><dd class="survey-folder">{ &w.folder }</dd></div>
                        <div><dt>{ "PDF" }</dt><dd class="survey-pdf">{ &w.pdf }</dd></div>
                        <div><dt>{ "HTML" }</dt><dd class="survey-html">{ &w.html }</dd></div>
                    </dl>
                </div>
            }
        </div>
    }
}
