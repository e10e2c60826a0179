//! Reports for managers: KPIs by group and period, a device type's service
//! scorecard, repair vs replace for one asset and the fleet's candidates,
//! the capital replacement plan, and the effect of a training event.
//!
//! Each report reads one period's per-asset facts from the store (summed
//! from its analytics rollup, see `biomend_store::analytics`; the catalog
//! and asset profiles are kept by the store until the database changes)
//! and hands them to the pure
//! functions of `biomend_analytics`, which return every figure with its
//! formula and inputs. [`drill_down`] lists the work orders behind a
//! count, judged by the same rules (`biomend_analytics::drill`).
//! Thresholds and weights are the hospital's settings ([`crate::settings`]:
//! its stored group, else the analytics crate's defaults).

use crate::{App, CoreError, Result, require};
use biomend_analytics::capital::{CapitalPlan, Priority, capital_plan_ranked, rank};
use biomend_analytics::drill::{Drill, Scope};
use biomend_analytics::facts::AssetFacts;
use biomend_analytics::kpi::{GroupBy, GroupKey, Kpis, kpi_report};
use biomend_analytics::profile::profiles;
use biomend_analytics::replace::{
    Advice, Candidate, ReplaceFacts, advise, peer_mtbf, replace_facts, replacement_candidates,
};
use biomend_analytics::scorecard::{Scorecard, scorecard as score};
use biomend_analytics::training::{TrainingEffect, training_effect, training_windows};
use biomend_analytics::{Period, Settings};
use biomend_domain::Money;
use biomend_domain::asset::normalize_tag;
use biomend_domain::ids::{AssetId, TrainingEventId, WorkOrderId};
use biomend_domain::training::TrainingEvent;
use biomend_domain::user::Role;
use biomend_domain::views::WorkOrderSummary;
use biomend_store::ReportNames;
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// Managers and administrators see every report; supervisors see KPIs,
/// which they answer for shift by shift.
fn reader(app: &App, username: &str, what: &str, supervisors: bool) -> Result<()> {
    let user = app.user(username)?;
    let allowed = matches!(user.role, Role::Manager | Role::Admin)
        || (supervisors && user.role == Role::Supervisor);
    require(&user, allowed, what)
}

/// The period a report covers: `[from, to)`, by default the 365 days up to
/// and including today.
pub fn period(app: &App, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Period> {
    let end = to.unwrap_or_else(|| app.clock().today() + Duration::days(1));
    let start = from.unwrap_or(end - Duration::days(365));
    Period::new(start, end).map_err(|e| CoreError::invalid("period", e.to_string()))
}

fn facts(app: &App, period: Period, s: &Settings) -> Result<Vec<AssetFacts>> {
    Ok(app.store().asset_facts(period, s)?)
}

/// A group with the name people know it by.
#[derive(Clone, Debug, Serialize)]
pub struct Named<T> {
    /// What the group is, for a drill-down into it.
    pub group: GroupKey,
    pub name: String,
    #[serde(flatten)]
    pub item: T,
}

pub fn group_name(names: &ReportNames, key: &GroupKey) -> String {
    let found = match key {
        GroupKey::All => Some("All equipment".to_string()),
        GroupKey::Site(id) => names
            .sites
            .iter()
            .find(|s| s.id == *id)
            .map(|s| s.name.clone()),
        GroupKey::Department(id) => names
            .departments
            .iter()
            .find(|d| d.id == *id)
            .map(|d| d.name.clone()),
        GroupKey::DeviceType(id) => names
            .device_types
            .iter()
            .find(|t| t.id == *id)
            .map(|t| format!("{} {}", t.code, t.name)),
        GroupKey::Model(id) => names.models.iter().find(|m| m.id == *id).map(|m| {
            let maker = names
                .manufacturers
                .iter()
                .find(|(mid, _)| *mid == m.manufacturer_id)
                .map_or("?", |(_, n)| n.as_str());
            format!("{maker} {}", m.name)
        }),
        GroupKey::Manufacturer(id) => names
            .manufacturers
            .iter()
            .find(|(mid, _)| mid == id)
            .map(|(_, n)| n.clone()),
    };
    found.unwrap_or_else(|| "(unknown)".into())
}

#[derive(Clone, Debug, Serialize)]
pub struct KpiReport {
    pub by: GroupBy,
    pub period: Period,
    pub groups: Vec<Named<Kpis>>,
}

/// KPIs for each group over `period`.
pub fn kpi(app: &App, username: &str, by: GroupBy, period: Period) -> Result<KpiReport> {
    reader(app, username, "see KPI reports", true)?;
    let s = app.settings()?;
    let rows = facts(app, period, &s)?;
    let names = app.store().reader().report_names()?;
    let groups = kpi_report(&rows, by, period, &s)
        .into_iter()
        .map(|g| Named {
            name: group_name(&names, &g.group),
            group: g.group,
            item: g.kpis,
        })
        .collect();
    Ok(KpiReport { by, period, groups })
}

#[derive(Clone, Debug, Serialize)]
pub struct ScorecardReport {
    pub device_type: String,
    /// One name per row of `card.rows`, in the same order.
    pub names: Vec<String>,
    pub card: Scorecard,
}

/// The models or manufacturers of one device type (by its nomenclature
/// code), ranked on failures, cost, repair time, uptime, CND and recalls.
pub fn scorecard(
    app: &App,
    username: &str,
    device_type_code: &str,
    by: GroupBy,
    period: Period,
) -> Result<ScorecardReport> {
    reader(app, username, "see service scorecards", false)?;
    if !matches!(by, GroupBy::Model | GroupBy::Manufacturer) {
        return Err(CoreError::invalid(
            "by",
            "a scorecard compares models or manufacturers",
        ));
    }
    let r = app.store().reader();
    let t = r
        .device_type_by_code(device_type_code.trim())?
        .ok_or_else(|| CoreError::NotFound {
            what: "device type code",
            key: device_type_code.trim().to_string(),
        })?;
    let s = app.settings()?;
    let rows = facts(app, period, &s)?;
    let card = score(&rows, t.id, by, period, &s)
        .map_err(|e| CoreError::invalid("settings", e.to_string()))?;
    let names = r.report_names()?;
    Ok(ScorecardReport {
        device_type: format!("{} {}", t.code, t.name),
        names: card
            .rows
            .iter()
            .map(|x| group_name(&names, &x.group))
            .collect(),
        card,
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct ReplaceReport {
    pub tag: String,
    pub period: Period,
    pub repair_estimate: Option<Money>,
    pub facts: ReplaceFacts,
    pub advice: Advice,
}

/// Repair or replace one asset, given the technician's repair estimate;
/// its service cost and MTBF come from `period`, annualized, and its peers
/// are the other units of its device type.
pub fn repair_or_replace(
    app: &App,
    username: &str,
    tag: &str,
    repair_estimate: Option<Money>,
    period: Period,
) -> Result<ReplaceReport> {
    reader(app, username, "advise on repair or replacement", false)?;
    if repair_estimate.is_some_and(|m| m.cents() < 0) {
        return Err(CoreError::invalid("estimate", "must not be negative"));
    }
    let tag = normalize_tag(tag)?;
    let r = app.store().reader();
    let not_found = || CoreError::NotFound {
        what: "asset tag",
        key: tag.clone(),
    };
    let id = r.asset_id_by_tag(&tag)?.ok_or_else(not_found)?;
    let asset = r.asset(id)?.ok_or_else(not_found)?;
    if !asset.status.is_active() {
        return Err(CoreError::invalid(
            "tag",
            format!(
                "{tag} is {}; it has no replacement decision to make",
                asset.status.as_str()
            ),
        ));
    }
    // The profile needs only this asset's catalog entries; the peers'
    // MTBF needs the period's facts for everyone.
    let full = r.analytics_catalog_for(id)?;
    let today = app.clock().today();
    let s = app.settings()?;
    let profile = profiles(&full.catalog(), today, &s)
        .into_iter()
        .find(|p| p.key.asset_id == id)
        .ok_or_else(not_found)?;
    let rows = facts(app, period, &s)?;
    let peer = peer_mtbf(&rows)
        .get(&GroupKey::DeviceType(profile.key.device_type_id))
        .copied()
        .flatten();
    let mine = rows.iter().find(|f| f.key.asset_id == id);
    let facts = replace_facts(&profile, mine, peer, today);
    let advice = advise(&facts, repair_estimate, &s.repair_replace);
    Ok(ReplaceReport {
        tag,
        period,
        repair_estimate,
        facts,
        advice,
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct CandidateReport {
    pub period: Period,
    pub candidates: Vec<Candidate>,
}

/// Every active asset for which enough replacement rules hold.
pub fn candidates(app: &App, username: &str, period: Period) -> Result<CandidateReport> {
    reader(app, username, "list replacement candidates", false)?;
    let s = app.settings()?;
    let ps = app.store().analytics_profiles(app.clock().today(), &s)?;
    let rows = facts(app, period, &s)?;
    Ok(CandidateReport {
        period,
        candidates: replacement_candidates(&ps, &rows, app.clock().today(), &s),
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct CapitalReport {
    pub period: Period,
    pub yearly_budget: Money,
    pub plan: CapitalPlan,
    /// The highest priorities with every factor's points, so a plan's
    /// order can be checked.
    pub top: Vec<Priority>,
}

/// How many priorities a capital report explains in full.
pub const CAPITAL_TOP: usize = 25;

/// A replacement plan over `years` with `yearly_budget` a year, in
/// priority order (risk, age, cost, support, recalls, cyber, use).
pub fn capital(
    app: &App,
    username: &str,
    yearly_budget: Money,
    years: u32,
    period: Period,
) -> Result<CapitalReport> {
    reader(app, username, "plan capital replacement", false)?;
    if !(1..=20).contains(&years) {
        return Err(CoreError::invalid("years", "must be 1 to 20"));
    }
    let s = app.settings()?;
    let today = app.clock().today();
    let ps = app.store().analytics_profiles(today, &s)?;
    let rows = facts(app, period, &s)?;
    let bad = |e: biomend_analytics::AnalyticsError| CoreError::invalid("capital", e.to_string());
    // Only the priorities shown are explained factor by factor.
    let ranked = rank(&ps, &rows, today, &s).map_err(bad)?;
    let plan = capital_plan_ranked(&ranked, yearly_budget, years, &s).map_err(bad)?;
    Ok(CapitalReport {
        period,
        yearly_budget,
        plan,
        top: ranked
            .iter()
            .take(CAPITAL_TOP)
            .map(|r| r.priority(today, &s.capital))
            .collect(),
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct TrainingEventView {
    pub event: TrainingEvent,
    pub department: String,
    pub device_type: String,
}

/// The training events on record, newest first.
pub fn training_events(app: &App, username: &str) -> Result<Vec<TrainingEventView>> {
    reader(app, username, "see training reports", false)?;
    let r = app.store().reader();
    let names = r.report_names()?;
    Ok(r.training_events()?
        .into_iter()
        .map(|e| TrainingEventView {
            department: group_name(&names, &GroupKey::Department(e.department_id)),
            device_type: group_name(&names, &GroupKey::DeviceType(e.device_type_id)),
            event: e,
        })
        .collect())
}

#[derive(Clone, Debug, Serialize)]
pub struct TrainingReport {
    pub event: TrainingEventView,
    pub effect: TrainingEffect,
}

/// CND and use-error rates and uptime for the event's department and
/// device type, in equal windows before and after it.
pub fn training(app: &App, username: &str, event: TrainingEventId) -> Result<TrainingReport> {
    reader(app, username, "see training reports", false)?;
    let view = training_events(app, username)?
        .into_iter()
        .find(|v| v.event.id == event)
        .ok_or_else(|| CoreError::NotFound {
            what: "training event",
            key: event.to_string(),
        })?;
    let s = app.settings()?;
    let (before, after) =
        training_windows(&view.event, s.training_window_days, app.clock().today())
            .map_err(|e| CoreError::invalid("training window", e.to_string()))?;
    let b = facts(app, before, &s)?;
    let a = facts(app, after, &s)?;
    Ok(TrainingReport {
        effect: training_effect(&view.event, (before, &b), (after, &a)),
        event: view,
    })
}

/// The device types a scorecard can be asked for: code and name, by code.
pub fn device_types(app: &App, username: &str) -> Result<Vec<(String, String)>> {
    reader(app, username, "see service scorecards", false)?;
    let mut v: Vec<_> = app
        .store()
        .reader()
        .report_names()?
        .device_types
        .into_iter()
        .map(|t| (t.code, t.name))
        .collect();
    v.sort();
    Ok(v)
}

/// The most work orders one drill-down page lists.
pub const DRILL_PAGE_MAX: u32 = 200;

/// One page of the work orders behind a count.
#[derive(Clone, Debug, Serialize)]
pub struct DrillDown {
    pub scope: Scope,
    pub drill: Drill,
    pub period: Period,
    /// What the list holds, in words.
    pub description: String,
    /// How many work orders the figure counted: the whole list's length.
    pub total: u64,
    pub offset: u32,
    /// Newest first (by the day each is filed under: opened, or due).
    pub items: Vec<WorkOrderSummary>,
}

/// The work orders a report counted for `drill` over the assets of
/// `scope` in `period`: the same assets the report covered (active and in
/// the inventory during the period) and the same conditions, so `total`
/// equals the figure's count. A page of at most [`DRILL_PAGE_MAX`].
/// Counts of the KPI report, so supervisors may drill too.
pub fn drill_down(
    app: &App,
    username: &str,
    scope: Scope,
    drill: Drill,
    period: Period,
    offset: u32,
    limit: u32,
) -> Result<DrillDown> {
    reader(app, username, "see the work behind a report", true)?;
    if limit == 0 || limit > DRILL_PAGE_MAX {
        return Err(CoreError::invalid(
            "limit",
            format!("must be 1 to {DRILL_PAGE_MAX}"),
        ));
    }
    let s = app.settings()?;
    let rows = facts(app, period, &s)?;
    let covered: std::collections::HashMap<AssetId, biomend_domain::risk::RiskClass> = rows
        .iter()
        .filter(|f| scope.matches(&f.key))
        .map(|f| (f.key.asset_id, f.risk_class))
        .collect();
    let r = app.store().reader();
    let mut refs: Vec<biomend_store::drill::WorkRef> = match drill {
        d if d.is_corrective() => r
            .closed_corrective_in(period)?
            .into_iter()
            .filter(|(w, closure)| {
                covered.contains_key(&w.asset_id) && d.counts_corrective(*closure)
            })
            .map(|(w, _)| w)
            .collect(),
        Drill::Repeats => r
            .repeat_visits_in(period, s.repeat_repair_days)?
            .into_iter()
            .filter(|w| covered.contains_key(&w.asset_id))
            .collect(),
        Drill::PmDue(_) | Drill::PmNotOnTime(_) => r
            .pm_outcomes_in(period, &s)?
            .into_iter()
            .filter(|(w, o)| {
                covered
                    .get(&w.asset_id)
                    .is_some_and(|class| drill.counts_pm(*o, *class))
            })
            .map(|(w, _)| w)
            .collect(),
        Drill::Downtime => r
            .downtime_work_in(period)?
            .into_iter()
            .filter(|w| covered.contains_key(&w.asset_id))
            .collect(),
        Drill::ServiceCost => r
            .costed_work_in(period)?
            .into_iter()
            .filter(|w| covered.contains_key(&w.asset_id))
            .collect(),
        _ => Vec::new(),
    };
    refs.sort_by(|a, b| b.day.cmp(&a.day).then(b.id.cmp(&a.id)));
    let page: Vec<WorkOrderId> = refs
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|w| w.id)
        .collect();
    Ok(DrillDown {
        scope,
        drill,
        period,
        description: drill.describe(),
        total: refs.len() as u64,
        offset,
        items: r.work_order_summaries(&page)?,
    })
}
