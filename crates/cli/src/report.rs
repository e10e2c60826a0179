//! `biomend report ...`: the managers' reports as readable tables. Every
//! figure is printed with the counts behind it; `--json` gives the full
//! explanation (formula, inputs, period) of each.

use crate::args::{CardBy, KpiBy, PeriodArgs, ReportCmd, SurveyArgs};
use crate::output::Out;
use anyhow::Context;
use biomend_analytics::kpi::{GroupBy, Kpis, PmReport};
use biomend_analytics::survey::SurveyReport;
use biomend_analytics::{Measure, Value};
use biomend_core::analytics::{self as reports};
use biomend_core::survey::SurveyInput;
use biomend_core::{App, CoreError};
use biomend_domain::Money;
use biomend_domain::ids::TrainingEventId;
use std::fmt::Write as _;

/// Rows a text table shows before saying how many more there are; the
/// JSON output always has them all.
const TEXT_ROWS: usize = 40;

pub fn run(app: &App, user: &str, cmd: &ReportCmd, out: &Out) -> anyhow::Result<()> {
    match cmd {
        ReportCmd::Kpi { by, period } => {
            let p = period_of(app, period)?;
            let r = reports::kpi(app, user, group_by(*by), p)?;
            out.show(&r, || kpi_text(&r));
        }
        ReportCmd::Scorecard {
            device_type,
            by,
            period,
        } => {
            let p = period_of(app, period)?;
            let by = match by {
                CardBy::Model => GroupBy::Model,
                CardBy::Manufacturer => GroupBy::Manufacturer,
            };
            let r = reports::scorecard(app, user, device_type, by, p)?;
            out.show(&r, || scorecard_text(&r));
        }
        ReportCmd::Replace {
            tag,
            estimate,
            period,
        } => {
            let p = period_of(app, period)?;
            let estimate = estimate
                .as_deref()
                .map(Money::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--estimate: {e}"))?;
            let r = reports::repair_or_replace(app, user, tag, estimate, p)?;
            out.show(&r, || replace_text(&r));
        }
        ReportCmd::Candidates { period } => {
            let p = period_of(app, period)?;
            let r = reports::candidates(app, user, p)?;
            out.show(&r, || candidates_text(&r));
        }
        ReportCmd::Capital {
            budget,
            years,
            period,
        } => {
            let p = period_of(app, period)?;
            let budget = Money::parse(budget).map_err(|e| anyhow::anyhow!("--budget: {e}"))?;
            let r = reports::capital(app, user, budget, *years, p)?;
            out.show(&r, || capital_text(&r));
        }
        ReportCmd::Training { event: None } => {
            let events = reports::training_events(app, user)?;
            out.show(&events, || training_list_text(&events));
        }
        ReportCmd::Training { event: Some(e) } => {
            let id = event_id(app, user, e)?;
            let r = reports::training(app, user, id)?;
            out.show(&r, || training_text(&r));
        }
        ReportCmd::Survey(a) => survey(app, user, a, out)?,
    }
    Ok(())
}

/// A file the survey command wrote.
#[derive(serde::Serialize)]
struct Written {
    path: String,
    bytes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pages: Option<usize>,
}

#[derive(serde::Serialize)]
struct SurveyOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pdf: Option<Written>,
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<Written>,
    report: SurveyReport,
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).map_err(|source| {
        CoreError::Io {
            path: path.display().to_string(),
            source,
        }
        .into()
    })
}

fn survey(app: &App, user: &str, a: &SurveyArgs, out: &Out) -> anyhow::Result<()> {
    if a.pdf.is_none() && a.html.is_none() && !out.is_json() {
        return Err(CoreError::Invalid {
            field: "output".into(),
            reason: "name a file with --pdf or --html (or ask for the figures with --json)".into(),
        }
        .into());
    }
    let input = SurveyInput {
        from: a.from,
        to: a.to,
        site: a.site.clone(),
    };
    let report = biomend_core::survey::run(app, user, &input)?;
    let pdf = match &a.pdf {
        Some(path) => {
            let file = biomend_report::pdf(&report);
            write_file(path, &file.bytes)?;
            Some(Written {
                path: path.display().to_string(),
                bytes: file.bytes.len(),
                pages: Some(file.pages),
            })
        }
        None => None,
    };
    let html = match &a.html {
        Some(path) => {
            let page = biomend_report::html(&report);
            write_file(path, page.as_bytes())?;
            Some(Written {
                path: path.display().to_string(),
                bytes: page.len(),
                pages: None,
            })
        }
        None => None,
    };
    let o = SurveyOutput { pdf, html, report };
    out.show(&o, || survey_text(&o));
    Ok(())
}

fn survey_text(o: &SurveyOutput) -> String {
    let r = &o.report;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Environment of Care report, {}, {} to {}",
        r.scope.label,
        r.period.from,
        r.last_day()
    );
    let hr = &r.pm.high_risk;
    let _ = writeln!(
        s,
        "  PM completion, life support and high risk: {} ({} in window of {} due; {} with attempts)",
        pct(&hr.rate),
        hr.counts.on_time,
        hr.counts.due(),
        pct(&hr.with_attempts)
    );
    let _ = writeln!(
        s,
        "  PM completion, all classes: {} ({} of {})",
        pct(&r.pm.all.rate),
        r.pm.all.counts.on_time,
        r.pm.all.counts.due()
    );
    let _ = writeln!(
        s,
        "  High-risk PMs not completed in their window: {}",
        r.misses.rows.len()
    );
    let _ = writeln!(
        s,
        "  Repairs opened: {} ({} still open); recalls open at the end: {}",
        r.repairs.opened, r.repairs.still_open, r.recalls.open_at_end
    );
    let _ = writeln!(
        s,
        "  CND rate {}, damage rate {}",
        pct(&r.calls.cnd_rate),
        pct(&r.calls.damage_rate)
    );
    if let Some(p) = &o.pdf {
        let _ = writeln!(
            s,
            "wrote {} ({} pages, {} bytes)",
            p.path,
            p.pages.unwrap_or(0),
            p.bytes
        );
    }
    if let Some(h) = &o.html {
        let _ = writeln!(s, "wrote {} ({} bytes)", h.path, h.bytes);
    }
    s.trim_end().to_string()
}

fn group_by(b: KpiBy) -> GroupBy {
    match b {
        KpiBy::All => GroupBy::All,
        KpiBy::Site => GroupBy::Site,
        KpiBy::Department => GroupBy::Department,
        KpiBy::DeviceType => GroupBy::DeviceType,
        KpiBy::Model => GroupBy::Model,
        KpiBy::Manufacturer => GroupBy::Manufacturer,
    }
}

/// `--to` names the last day counted, as people say it; the report's
/// period ends the day after.
fn period_of(app: &App, p: &PeriodArgs) -> anyhow::Result<biomend_analytics::Period> {
    let to = p.to.map(|d| d + chrono::Duration::days(1));
    Ok(reports::period(app, p.from, to)?)
}

/// An event by its number in `report training` (1 = newest) or its id.
fn event_id(app: &App, user: &str, s: &str) -> anyhow::Result<TrainingEventId> {
    if let Ok(n) = s.trim().trim_start_matches('#').parse::<usize>() {
        let events = reports::training_events(app, user)?;
        return events
            .get(n.wrapping_sub(1))
            .map(|v| v.event.id)
            .with_context(|| format!("no training event number {n}; there are {}", events.len()));
    }
    let id: uuid::Uuid = s
        .trim()
        .parse()
        .with_context(|| format!("'{s}' is neither an event number nor an event id"))?;
    Ok(TrainingEventId(id))
}

fn pct(m: &Measure) -> String {
    m.value.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

fn num(m: &Measure, places: usize) -> String {
    m.value.map_or("—".into(), |v| format!("{v:.places$}"))
}

fn count(m: &Measure, name: &str) -> u64 {
    match m.input(name) {
        Some(Value::Count(n)) => *n,
        _ => 0,
    }
}

fn pm(r: &PmReport) -> String {
    format!("{} {}/{}", pct(&r.rate), r.counts.on_time, r.counts.due())
}

/// A rate with its numerator and denominator: `12.5% 3/24`.
fn rate(m: &Measure, num_name: &str, den_name: &str) -> String {
    format!("{} {}/{}", pct(m), count(m, num_name), count(m, den_name))
}

/// Use error counts abuse with it (PRODUCT.md's use-error rate).
fn use_error(m: &Measure) -> String {
    format!(
        "{} {}/{}",
        pct(m),
        count(m, "use error") + count(m, "abuse / damage"),
        count(m, "closed corrective work orders")
    )
}

fn more(s: &mut String, total: usize) {
    if total > TEXT_ROWS {
        let _ = writeln!(s, "… and {} more (--json lists all)", total - TEXT_ROWS);
    }
}

fn kpi_text(r: &reports::KpiReport) -> String {
    let mut s = format!("KPIs by {:?} over {}\n", r.by, r.period);
    let _ = writeln!(
        s,
        "{:<34} {:>6} {:>8} {:>16} {:>16} {:>8} {:>14} {:>12} {:>7} {:>14} {:>14} {:>12}",
        "group",
        "assets",
        "unit-yr",
        "PM high-risk",
        "PM other",
        "uptime",
        "MTBF h (fail)",
        "MTTR h (n)",
        "COSR",
        "CND",
        "use error",
        "repeats"
    );
    for g in r.groups.iter().take(TEXT_ROWS) {
        let k: &Kpis = &g.item;
        let _ = writeln!(
            s,
            "{:<34} {:>6} {:>8.1} {:>16} {:>16} {:>8} {:>14} {:>12} {:>7} {:>14} {:>14} {:>12}",
            truncate(&g.name, 34),
            k.assets,
            k.unit_years,
            pm(&k.pm_high_risk),
            pm(&k.pm_other),
            k.uptime
                .value
                .map_or("—".into(), |v| format!("{:.2}%", v * 100.0)),
            format!(
                "{} ({})",
                num(&k.mtbf_hours, 0),
                count(&k.mtbf_hours, "failures")
            ),
            format!(
                "{} ({})",
                num(&k.mttr_hours, 1),
                count(&k.mttr_hours, "repairs")
            ),
            pct(&k.cosr),
            rate(
                &k.cnd_rate,
                "could not duplicate",
                "closed corrective work orders"
            ),
            use_error(&k.use_error_rate),
            rate(
                &k.repeat_repair_rate,
                "repeat repairs",
                "closed corrective work orders"
            ),
        );
    }
    more(&mut s, r.groups.len());
    s.push_str("PM: on time / due (pending excluded); MTBF over failures, MTTR over repairs; COSR = service cost / acquisition cost per year");
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

fn scorecard_text(r: &reports::ScorecardReport) -> String {
    let c = &r.card;
    let mut s = format!(
        "Service scorecard: {} by {:?} over {}\n",
        r.device_type, c.by, c.period
    );
    let _ = writeln!(
        s,
        "{:>4} {:<30} {:>5} {:>8} {:>16} {:>7} {:>7} {:>8} {:>14} {:>7} {:>6}",
        "rank",
        "name",
        "units",
        "unit-yr",
        "failures/unit-yr",
        "COSR",
        "MTTR h",
        "uptime",
        "CND",
        "recalls",
        "score"
    );
    for (row, name) in c.rows.iter().zip(&r.names) {
        let _ = writeln!(
            s,
            "{:>4} {:<30} {:>5} {:>8.1} {:>16} {:>7} {:>7} {:>8} {:>14} {:>7} {:>6}",
            row.rank.map_or("-".into(), |n| n.to_string()),
            truncate(name, 30),
            row.units,
            row.unit_years,
            format!(
                "{} ({})",
                num(&row.failures_per_unit_year, 3),
                count(&row.failures_per_unit_year, "failures")
            ),
            pct(&row.cosr),
            num(&row.mttr_hours, 1),
            row.uptime
                .value
                .map_or("—".into(), |v| format!("{:.2}%", v * 100.0)),
            rate(
                &row.cnd_rate,
                "could not duplicate",
                "closed corrective work orders"
            ),
            num(&row.recalls, 0),
            row.score.value.map_or("—".into(), |v| format!("{:.2}", v)),
        );
    }
    s.push_str("rank 1 is best; score 0 = best on every measure, 1 = worst; '-' = too little exposure to rank");
    s
}

fn check_line(s: &mut String, c: &biomend_analytics::replace::Check) {
    let verdict = match c.check.value {
        Some(true) => "YES",
        Some(false) => "no",
        None => "n/a",
    };
    let inputs: Vec<String> = c
        .check
        .inputs
        .iter()
        .map(|i| format!("{} {}", i.name, i.value))
        .collect();
    let _ = writeln!(
        s,
        "  {verdict:<4} {:<40} [{}]",
        c.check.formula,
        inputs.join("; ")
    );
}

fn replace_text(r: &reports::ReplaceReport) -> String {
    let a = &r.advice;
    let mut s = format!(
        "{}: {}\n",
        r.tag,
        if a.replace {
            "REPLACE rather than repair"
        } else if r.repair_estimate.is_some() {
            "repair"
        } else {
            "no repair estimate given: candidacy only"
        }
    );
    if !a.repair_rules.is_empty() {
        s.push_str("Repair vs replace (both must hold):\n");
        for c in &a.repair_rules {
            check_line(&mut s, c);
        }
    }
    let _ = writeln!(
        s,
        "Replacement candidate: {} ({} of the rules below hold), service cost and MTBF over {}:",
        if a.candidate { "yes" } else { "no" },
        a.candidate_rules.iter().filter(|c| c.fired()).count(),
        r.period
    );
    for c in &a.candidate_rules {
        check_line(&mut s, c);
    }
    s.trim_end().to_string()
}

fn money(m: Option<Money>) -> String {
    m.map_or("—".into(), |m| m.to_string())
}

fn candidates_text(r: &reports::CandidateReport) -> String {
    let mut s = format!(
        "{} replacement candidates (service cost and MTBF over {})\n",
        r.candidates.len(),
        r.period
    );
    let _ = writeln!(
        s,
        "{:<14} {:>5} {:>14} {:>14} {:>6}  rules",
        "tag", "rules", "annual cost", "replacement", "life"
    );
    for c in r.candidates.iter().take(TEXT_ROWS) {
        let rules: Vec<String> = c.advice.fired().iter().map(|r| format!("{r:?}")).collect();
        let _ = writeln!(
            s,
            "{:<14} {:>5} {:>14} {:>14} {:>6}  {}",
            c.tag,
            c.rules_fired,
            money(c.facts.annual_service_cost),
            money(c.facts.replacement_cost),
            c.facts
                .life_used
                .map_or("—".into(), |l| format!("{:.0}%", l * 100.0)),
            rules.join(", ")
        );
    }
    more(&mut s, r.candidates.len());
    s.trim_end().to_string()
}

fn capital_text(r: &reports::CapitalReport) -> String {
    let p = &r.plan;
    let mut s = format!(
        "Capital replacement plan: {} a year for {} years (service cost over {})\n",
        r.yearly_budget,
        p.years.len(),
        r.period
    );
    for y in &p.years {
        let _ = writeln!(
            s,
            "Year {}: budget {}, spent {}, {} devices",
            y.year,
            y.budget,
            y.spent,
            y.items.len()
        );
        for i in y.items.iter().take(TEXT_ROWS) {
            let _ = writeln!(s, "  {:<14} score {:>5.1}  {}", i.tag, i.score, i.cost);
        }
        more(&mut s, y.items.len());
    }
    let _ = writeln!(
        s,
        "Deferred (scored but not funded): {}; no replacement cost: {}; under the minimum score: {}",
        p.deferred.len(),
        p.unpriced.len(),
        p.below_min_score
    );
    let _ = writeln!(s, "Rule: {}", p.rule);
    let _ = writeln!(s, "Top priorities, points per factor:");
    for pr in &r.top {
        let parts: Vec<String> = pr
            .factors
            .iter()
            .map(|f| format!("{:?} {:.1}", f.factor, f.points))
            .collect();
        let _ = writeln!(
            s,
            "  {:<14} {:>5.1} = {}",
            pr.tag,
            pr.score.value,
            parts.join(" + ")
        );
    }
    s.trim_end().to_string()
}

fn training_list_text(v: &[reports::TrainingEventView]) -> String {
    let mut s = format!("{} training events (newest first)\n", v.len());
    for (i, e) in v.iter().enumerate() {
        let _ = writeln!(
            s,
            "{:>3}. {}  {:<28} {:<34} {} ({} attendees)",
            i + 1,
            e.event.held_on,
            truncate(&e.department, 28),
            truncate(&e.device_type, 34),
            e.event.topic,
            e.event.attendees
        );
    }
    s.push_str("`biomend report training N` shows event N's effect");
    s
}

fn training_text(r: &reports::TrainingReport) -> String {
    let e = &r.effect;
    let mut s = format!(
        "{} on {}: {} / {} ({} attendees)\n",
        r.event.event.topic,
        r.event.event.held_on,
        r.event.department,
        r.event.device_type,
        e.attendees
    );
    let _ = writeln!(
        s,
        "{:<7} {:<26} {:>6} {:>14} {:>14} {:>14} {:>16} {:>8}",
        "window",
        "period",
        "assets",
        "CND",
        "use error",
        "CND+use error",
        "per unit-year",
        "uptime"
    );
    for (name, w) in [("before", &e.before), ("after", &e.after)] {
        let calls = count(&w.cnd_and_use_error_rate, "could not duplicate")
            + count(&w.cnd_and_use_error_rate, "use error")
            + count(&w.cnd_and_use_error_rate, "abuse / damage");
        let _ = writeln!(
            s,
            "{:<7} {:<26} {:>6} {:>14} {:>14} {:>14} {:>16} {:>8}",
            name,
            format!("{} – {}", w.period.from, w.period.to),
            w.assets,
            format!(
                "{} {}/{}",
                pct(&w.cnd_rate),
                count(&w.cnd_rate, "could not duplicate"),
                w.closed_corrective
            ),
            format!(
                "{} {}/{}",
                pct(&w.use_error_rate),
                count(&w.use_error_rate, "use error") + count(&w.use_error_rate, "abuse / damage"),
                w.closed_corrective
            ),
            format!(
                "{} {}/{}",
                pct(&w.cnd_and_use_error_rate),
                calls,
                w.closed_corrective
            ),
            format!(
                "{} ({:.1} u-y)",
                num(&w.cnd_and_use_error_per_unit_year, 2),
                w.unit_years
            ),
            w.uptime
                .value
                .map_or("—".into(), |v| format!("{:.2}%", v * 100.0)),
        );
    }
    let _ = write!(
        s,
        "change: CND {}, use error {}, CND+use error {}, uptime {} (after − before, in points)",
        points(&e.cnd_rate_change),
        points(&e.use_error_rate_change),
        points(&e.cnd_and_use_error_rate_change),
        points(&e.uptime_change)
    );
    s
}

fn points(m: &Measure) -> String {
    m.value.map_or("—".into(), |v| format!("{:+.1}", v * 100.0))
}
