//! The managers' dashboards: KPIs, scorecards, the capital plan, the
//! training effect, repair or replace, the drill-down to the work orders
//! behind a count, and the survey report written to files.
//!
//! Figures cross as `biomend_analytics`' own types ([`Kpis`],
//! [`Scorecard`], [`CapitalPlan`], [`TrainingEffect`], ...): plain serde
//! data that builds for wasm, each [`Measure`] carrying its formula,
//! inputs, period and a note when undefined, so the window shows the
//! explanation beside the number without computing anything.

pub use biomend_analytics::capital::{
    CapitalPlan, Factor, FactorScore, PlanItem, PlanYear, Priority as CapitalPriority,
};
pub use biomend_analytics::drill::{Drill, PmRisk, Scope};
pub use biomend_analytics::kpi::{GroupBy, GroupKey, Kpis, PmReport};
pub use biomend_analytics::measures::PmCounts;
pub use biomend_analytics::replace::{Advice, Check, ReplaceFacts, ReplaceRule};
pub use biomend_analytics::scorecard::{MeasureRank, ScoreMeasure, ScoreRow, Scorecard};
pub use biomend_analytics::training::{TrainingEffect, Window};
pub use biomend_analytics::{Distribution, Explained, Input, Measure, Period, Value};
use biomend_domain::Money;
use biomend_domain::ids::{DeviceTypeId, TrainingEventId};
use biomend_domain::training::TrainingEvent;
use biomend_domain::views::WorkOrderSummary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The days a report covers: `from` and `to` are both counted (as people
/// say it); either left out takes the default, the 365 days up to today.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Days {
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// The last day counted.
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiArgs {
    pub by: GroupBy,
    #[serde(default)]
    pub days: Days,
}

/// One group's KPIs, with the key a drill-down needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiGroup {
    pub key: GroupKey,
    pub name: String,
    pub kpis: Kpis,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiReport {
    pub by: GroupBy,
    /// Half-open: `to` is the first day not counted.
    pub period: Period,
    pub groups: Vec<KpiGroup>,
}

/// A device type a scorecard may be asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceTypeChoice {
    pub code: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardArgs {
    /// The device type's nomenclature code, e.g. `13-215`.
    pub device_type: String,
    /// `model` or `manufacturer`.
    pub by: GroupBy,
    #[serde(default)]
    pub days: Days,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScorecardReport {
    /// "code name".
    pub device_type: String,
    pub device_type_id: DeviceTypeId,
    /// One name per row of `card.rows`, in the same order.
    pub names: Vec<String>,
    pub card: Scorecard,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapitalArgs {
    pub yearly_budget: Money,
    /// 1 to 20.
    pub years: u32,
    #[serde(default)]
    pub days: Days,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapitalReport {
    /// The service history the priorities read.
    pub period: Period,
    pub yearly_budget: Money,
    pub plan: CapitalPlan,
    /// The highest priorities, every factor's points shown.
    pub top: Vec<CapitalPriority>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingEventItem {
    pub event: TrainingEvent,
    pub department: String,
    pub device_type: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingArgs {
    pub id: TrainingEventId,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    pub event: TrainingEventItem,
    pub effect: TrainingEffect,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplaceArgs {
    pub tag: String,
    /// The technician's estimate for the repair at hand.
    #[serde(default)]
    pub repair_estimate: Option<Money>,
    #[serde(default)]
    pub days: Days,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplaceReport {
    pub tag: String,
    pub period: Period,
    pub repair_estimate: Option<Money>,
    pub facts: ReplaceFacts,
    pub advice: Advice,
}

/// The work orders behind one count: the figure's scope, which count,
/// and the report's own period (as the report answered it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillArgs {
    pub scope: Scope,
    pub drill: Drill,
    pub period: Period,
    #[serde(default)]
    pub offset: u32,
    /// 1 to 200.
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrillDown {
    pub scope: Scope,
    pub drill: Drill,
    pub period: Period,
    /// What the list holds, in words.
    pub description: String,
    /// Every work order the figure counted (the list may be paged).
    pub total: u64,
    pub offset: u32,
    pub items: Vec<WorkOrderSummary>,
}

/// The Environment of Care report's days and site.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyArgs {
    #[serde(default)]
    pub days: Days,
    /// A site's code; none for every site the user sees.
    #[serde(default)]
    pub site: Option<String>,
}

/// Where the survey report was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyWritten {
    pub folder: String,
    pub pdf: String,
    pub html: String,
    pub pages: u32,
    /// First and last day counted.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// "All sites" or the site's name.
    pub scope: String,
}
