//! The Environment of Care committee / survey report's figures: PM
//! completion by risk class, the high-risk and life-support PMs not
//! completed in their window (each with its reason), repairs, recalls, and
//! CND and damage calls, for one period and one site or all.
//!
//! The store reads plain rows ([`DuePm`], [`InventoryCount`],
//! [`CorrectiveCount`], [`RecallRow`]) with set-based SQL; [`survey`]
//! judges and counts them here, so every formula is a pure function with
//! hand-computed tests. Every rate is an [`Explained`] measure over the
//! report's period.

use crate::explain::{Explained, Measure, Period, Value, input, ratio};
use crate::measures::{self, CorrectiveCounts, PmCounts, PmOutcome, classify_pm};
use crate::settings::Settings;
use biomend_domain::pm::{WindowPolicy, due_window};
use biomend_domain::risk::{EmScore, RiskClass};
use biomend_domain::work_order::{AttemptOutcome, ClosureCode};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Which sites a report covers: one site (its code and name) or all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub site_code: Option<String>,
    /// "All sites", or the site's code and name.
    pub label: String,
}

impl Scope {
    pub fn all() -> Scope {
        Scope {
            site_code: None,
            label: "All sites".into(),
        }
    }

    pub fn site(code: &str, name: &str) -> Scope {
        Scope {
            site_code: Some(code.to_string()),
            label: format!("{code} {name}"),
        }
    }
}

/// One PM work order due in the period (not cancelled), as the store
/// reads it: who the device is, its risk inputs, and what was done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DuePm {
    pub number: String,
    pub tag: String,
    pub device_type: String,
    pub department: String,
    pub risk: EmScore,
    pub life_support: bool,
    pub due_on: NaiveDate,
    /// The plan's interval; `None` when the work order has no plan, so its
    /// window cannot be judged.
    pub interval_days: Option<i64>,
    /// The day it was completed (completed or signed off only).
    pub completed_on: Option<NaiveDate>,
    /// Documented attempts: the day and what the technician found.
    pub attempts: Vec<(NaiveDate, AttemptOutcome)>,
}

/// Active assets in scope with the same risk inputs (one row per distinct
/// EM score and life-support flag, as a `GROUP BY` gives them).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryCount {
    pub risk: EmScore,
    pub life_support: bool,
    pub assets: u64,
}

/// Corrective work orders opened in the period (not cancelled), counted
/// per month opened, department and closure code (`None`: not closed yet).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CorrectiveCount {
    /// The first day of the month they were opened in.
    pub month: NaiveDate,
    pub department: String,
    pub closure: Option<ClosureCode>,
    pub count: u64,
}

/// A recall on record during the period, with its matched assets in scope
/// counted by the action taken.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecallRow {
    pub number: String,
    pub title: String,
    pub source: String,
    pub received_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub pending: u64,
    pub not_affected: u64,
    pub remediated: u64,
    pub removed_from_service: u64,
}

/// Everything the report is computed from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SurveyInputs {
    pub inventory: Vec<InventoryCount>,
    pub pms: Vec<DuePm>,
    pub correctives: Vec<CorrectiveCount>,
    pub recalls: Vec<RecallRow>,
}

/// The classes in the order the report lists them.
pub const CLASSES: [RiskClass; 4] = [
    RiskClass::LifeSupport,
    RiskClass::HighRisk,
    RiskClass::InProgram,
    RiskClass::NotInProgram,
];

pub fn class_label(c: RiskClass) -> &'static str {
    match c {
        RiskClass::LifeSupport => "Life support",
        RiskClass::HighRisk => "High risk",
        RiskClass::InProgram => "Other, in program",
        RiskClass::NotInProgram => "Not in program",
    }
}

/// Assets in one risk class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassCount {
    pub class: RiskClass,
    pub label: String,
    pub assets: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub classes: Vec<ClassCount>,
    pub total: u64,
}

/// PM completion for one class (or the high-risk and life-support classes
/// together).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassPm {
    pub label: String,
    pub counts: PmCounts,
    /// Completed in window / due: the strict rate, always shown.
    pub rate: Measure,
    /// Documented in-use and not-located attempts counted as done: the
    /// rate under a written attempts policy.
    pub with_attempts: Measure,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PmSection {
    /// One row per class, in [`CLASSES`] order.
    pub classes: Vec<ClassPm>,
    /// Life support and high risk together: The Joint Commission expects
    /// 100%.
    pub high_risk: ClassPm,
    pub all: ClassPm,
    /// Which of the two rates is the headline (the hospital's policy).
    pub attempts_count_as_done: bool,
}

/// Why a high-risk PM was not completed in its window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MissReason {
    /// An attempt inside the window found the device in use on a patient.
    InUse { attempted_on: NaiveDate },
    /// An attempt inside the window could not find the device.
    NotLocated { attempted_on: NaiveDate },
    /// Completed outside the window: `days` after it closed (or, negative,
    /// before it opened).
    OutOfWindow { completed_on: NaiveDate, days: i64 },
    /// Not completed, and the window closed `days` before the evaluation
    /// day.
    Overdue { days: i64 },
    /// The work order has no PM plan, so no window can be judged.
    NoPlan,
}

impl MissReason {
    /// The short heading a table groups by.
    pub fn heading(&self) -> &'static str {
        match self {
            MissReason::InUse { .. } => "Attempted: in use",
            MissReason::NotLocated { .. } => "Attempted: not located",
            MissReason::OutOfWindow { days, .. } if *days < 0 => "Completed early",
            MissReason::OutOfWindow { .. } => "Completed late",
            MissReason::Overdue { .. } => "Overdue",
            MissReason::NoPlan => "No PM plan",
        }
    }
}

/// One high-risk or life-support PM that was not completed in its window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Miss {
    pub number: String,
    pub tag: String,
    pub device_type: String,
    pub department: String,
    pub class: RiskClass,
    pub due_on: NaiveDate,
    /// The on-time window, when the work order has a plan.
    pub window: Option<(NaiveDate, NaiveDate)>,
    pub reason: MissReason,
    /// Attempts documented on the work order, in or out of the window.
    pub attempts: u32,
    /// The follow-up: the day it was finally completed, if it was.
    pub completed_on: Option<NaiveDate>,
    /// The reason in words, e.g. "In use on 2026-03-04 (attempt
    /// documented); completed 2026-04-10, outside the window".
    pub explanation: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MissSection {
    /// Ordered by class (life support first), then due date and tag.
    pub rows: Vec<Miss>,
    /// How many rows per heading of [`MissReason::heading`], in first-seen
    /// order of a fixed list.
    pub by_reason: Vec<(String, u64)>,
}

/// Corrective calls grouped the way the committee reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    Failure,
    Cnd,
    UseError,
    Damage,
    Accessory,
    Network,
    /// Closed as preventive only (should not happen for repairs; counted
    /// so nothing disappears).
    Preventive,
    /// Not closed yet.
    Open,
}

pub const CALL_KINDS: [CallKind; 8] = [
    CallKind::Failure,
    CallKind::Cnd,
    CallKind::UseError,
    CallKind::Damage,
    CallKind::Accessory,
    CallKind::Network,
    CallKind::Preventive,
    CallKind::Open,
];

impl CallKind {
    pub fn of(closure: Option<ClosureCode>) -> CallKind {
        match closure {
            None => CallKind::Open,
            Some(ClosureCode::DeviceFailure(_)) => CallKind::Failure,
            Some(ClosureCode::CouldNotDuplicate) => CallKind::Cnd,
            Some(ClosureCode::UseError) => CallKind::UseError,
            Some(ClosureCode::AbuseDamage) => CallKind::Damage,
            Some(ClosureCode::AccessoryOrSupply) => CallKind::Accessory,
            Some(ClosureCode::NetworkIt) => CallKind::Network,
            Some(ClosureCode::PreventiveOnly) => CallKind::Preventive,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CallKind::Failure => "Device failure",
            CallKind::Cnd => "Could not duplicate (CND)",
            CallKind::UseError => "Use error",
            CallKind::Damage => "Abuse / damage",
            CallKind::Accessory => "Accessory or supply",
            CallKind::Network => "Network / IT",
            CallKind::Preventive => "Preventive only",
            CallKind::Open => "Not closed yet",
        }
    }
}

/// Corrective work orders opened in one month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthCalls {
    /// The first day of the month.
    pub month: Option<NaiveDate>,
    /// All corrective work orders opened (closed or not).
    pub repairs: u64,
    pub cnd: u64,
    /// Abuse / damage.
    pub damage: u64,
    pub use_error: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepairSection {
    /// Corrective work orders opened in the period.
    pub opened: u64,
    /// Of those, closed with a closure code.
    pub closed: u64,
    /// Of those, not closed on the evaluation day.
    pub still_open: u64,
    /// Counts by closure, in [`CALL_KINDS`] order.
    pub by_kind: Vec<(CallKind, u64)>,
    /// Device failures / closed corrective work orders.
    pub failure_share: Measure,
    /// One entry per calendar month the period touches, oldest first.
    pub months: Vec<MonthCalls>,
}

/// One recall with the matched assets in scope and their actions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecallLine {
    pub recall: RecallRow,
    pub matched: u64,
    /// (not affected + remediated + removed from service) / matched.
    pub actioned: Measure,
    /// "closed 2026-02-01", "open", "open: no matched assets in scope".
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecallSection {
    /// Received in the period, and earlier ones still open at its start;
    /// newest first.
    pub rows: Vec<RecallLine>,
    pub received_in_period: u64,
    /// Not closed by the end of the period.
    pub open_at_end: u64,
    pub matched: u64,
    pub pending: u64,
    /// Over every listed recall's matched assets.
    pub actioned: Measure,
}

/// CND and damage calls for one department.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepartmentCalls {
    pub department: String,
    pub counts: CorrectiveCounts,
    pub cnd_rate: Measure,
    pub damage_rate: Measure,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallSection {
    pub counts: CorrectiveCounts,
    pub cnd_rate: Measure,
    pub damage_rate: Measure,
    /// Use error and abuse together (PRODUCT.md's use-error rate).
    pub use_error_rate: Measure,
    /// Departments with any CND, use-error or damage call, most such calls
    /// first, at most [`TOP_DEPARTMENTS`].
    pub departments: Vec<DepartmentCalls>,
    /// Departments left out of the list above.
    pub more_departments: usize,
}

/// How many departments the calls section lists.
pub const TOP_DEPARTMENTS: usize = 12;

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyReport {
    pub scope: Scope,
    pub period: Period,
    /// The day PMs are judged on (a window still open then is pending).
    pub as_of: NaiveDate,
    pub pm_window: WindowPolicy,
    pub inventory: Inventory,
    pub pm: PmSection,
    pub misses: MissSection,
    pub repairs: RepairSection,
    pub recalls: RecallSection,
    pub calls: CallSection,
}

impl SurveyReport {
    /// The last day counted, as people say it (the period is half-open).
    pub fn last_day(&self) -> NaiveDate {
        self.period.to.pred_opt().unwrap_or(self.period.to)
    }
}

/// Computes the report from the rows the store read for `period` and
/// `scope`; PMs are judged as of `as_of` (the day the report is made).
pub fn survey(
    scope: Scope,
    period: Period,
    as_of: NaiveDate,
    inputs: &SurveyInputs,
    s: &Settings,
) -> SurveyReport {
    SurveyReport {
        inventory: inventory(&inputs.inventory, s),
        pm: pm_section(&inputs.pms, period, as_of, s),
        misses: misses(&inputs.pms, as_of, s),
        repairs: repairs(&inputs.correctives, period),
        recalls: recalls(&inputs.recalls, period),
        calls: calls(&inputs.correctives, period),
        scope,
        period,
        as_of,
        pm_window: s.pm_window,
    }
}

/// Active assets per risk class.
pub fn inventory(rows: &[InventoryCount], s: &Settings) -> Inventory {
    let classes: Vec<ClassCount> = CLASSES
        .iter()
        .map(|&class| ClassCount {
            class,
            label: class_label(class).into(),
            assets: rows
                .iter()
                .filter(|r| s.risk.classify(&r.risk, r.life_support) == class)
                .map(|r| r.assets)
                .sum(),
        })
        .collect();
    Inventory {
        total: classes.iter().map(|c| c.assets).sum(),
        classes,
    }
}

/// The outcome of one due PM, or `None` when it has no plan.
fn outcome(pm: &DuePm, as_of: NaiveDate, s: &Settings) -> Option<PmOutcome> {
    pm.interval_days.map(|days| {
        classify_pm(
            pm.due_on,
            days,
            pm.completed_on,
            &pm.attempts,
            as_of,
            s.pm_window,
        )
    })
}

fn class_pm(label: &str, counts: PmCounts, period: Period) -> ClassPm {
    ClassPm {
        label: label.into(),
        rate: measures::pm_completion(&counts, false).over(period),
        with_attempts: measures::pm_completion(&counts, true).over(period),
        counts,
    }
}

/// PMs due in the period by class, each judged by the window rule
/// ([`classify_pm`]) as of `as_of`; rates over the due ones.
pub fn pm_section(pms: &[DuePm], period: Period, as_of: NaiveDate, s: &Settings) -> PmSection {
    let mut by_class = [PmCounts::default(); 4];
    for pm in pms {
        let class = s.risk.classify(&pm.risk, pm.life_support);
        let i = CLASSES.iter().position(|c| *c == class).unwrap_or(3);
        match outcome(pm, as_of, s) {
            Some(o) => by_class[i].record(o),
            None => by_class[i].without_plan += 1,
        }
    }
    let mut high = PmCounts::default();
    high.add(&by_class[0]);
    high.add(&by_class[1]);
    let mut all = PmCounts::default();
    for c in &by_class {
        all.add(c);
    }
    PmSection {
        classes: CLASSES
            .iter()
            .zip(by_class)
            .map(|(c, n)| class_pm(class_label(*c), n, period))
            .collect(),
        high_risk: class_pm("Life support and high risk", high, period),
        all: class_pm("All classes", all, period),
        attempts_count_as_done: s.attempts_count_as_done,
    }
}

/// The high-risk and life-support PMs due in the period that were not
/// completed in their window, each with its reason. Pending ones (window
/// still open on `as_of`) are not misses.
pub fn misses(pms: &[DuePm], as_of: NaiveDate, s: &Settings) -> MissSection {
    let mut rows = Vec::new();
    for pm in pms {
        let class = s.risk.classify(&pm.risk, pm.life_support);
        if !class.is_high_risk() {
            continue;
        }
        let window = pm
            .interval_days
            .map(|d| due_window(pm.due_on, d, s.pm_window));
        let reason = match (outcome(pm, as_of, s), window) {
            (None, _) | (_, None) => MissReason::NoPlan,
            (Some(PmOutcome::OnTime | PmOutcome::Pending), _) => continue,
            (Some(PmOutcome::AttemptedInUse | PmOutcome::AttemptedNotLocated), Some(w)) => {
                // The attempt that decided: the last one inside the window.
                let (day, what) = pm
                    .attempts
                    .iter()
                    .filter(|(d, _)| *d >= w.0 && *d <= w.1 && *d <= as_of)
                    .max_by_key(|(d, _)| *d)
                    .copied()
                    .unwrap_or((pm.due_on, AttemptOutcome::InUse));
                match what {
                    AttemptOutcome::InUse => MissReason::InUse { attempted_on: day },
                    AttemptOutcome::NotLocated => MissReason::NotLocated { attempted_on: day },
                }
            }
            (Some(PmOutcome::OutOfWindow), Some((open, close))) => {
                let done = pm.completed_on.unwrap_or(close);
                let days = if done > close {
                    (done - close).num_days()
                } else {
                    -(open - done).num_days()
                };
                MissReason::OutOfWindow {
                    completed_on: done,
                    days,
                }
            }
            (Some(PmOutcome::Missed), Some((_, close))) => MissReason::Overdue {
                days: (as_of - close).num_days(),
            },
        };
        let explanation = explain_miss(&reason, pm.completed_on);
        rows.push(Miss {
            number: pm.number.clone(),
            tag: pm.tag.clone(),
            device_type: pm.device_type.clone(),
            department: pm.department.clone(),
            class,
            due_on: pm.due_on,
            window,
            attempts: pm.attempts.len() as u32,
            completed_on: pm.completed_on,
            reason,
            explanation,
        });
    }
    let rank = |c: RiskClass| CLASSES.iter().position(|x| *x == c).unwrap_or(9);
    rows.sort_by(|a, b| {
        (rank(a.class), a.due_on, &a.tag, &a.number).cmp(&(
            rank(b.class),
            b.due_on,
            &b.tag,
            &b.number,
        ))
    });
    let headings = [
        "Attempted: in use",
        "Attempted: not located",
        "Completed late",
        "Completed early",
        "Overdue",
        "No PM plan",
    ];
    let by_reason = headings
        .iter()
        .map(|h| {
            (
                h.to_string(),
                rows.iter().filter(|m| m.reason.heading() == *h).count() as u64,
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    MissSection { rows, by_reason }
}

/// "1 day", "49 days".
fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

fn explain_miss(reason: &MissReason, completed_on: Option<NaiveDate>) -> String {
    let follow_up = |after: &str| match completed_on {
        Some(d) => format!("{after}; completed {d}, outside the window"),
        None => format!("{after}; not completed yet"),
    };
    match reason {
        MissReason::InUse { attempted_on } => {
            follow_up(&format!("In use on {attempted_on} (attempt documented)"))
        }
        MissReason::NotLocated { attempted_on } => follow_up(&format!(
            "Not located on {attempted_on} (attempt documented)"
        )),
        MissReason::OutOfWindow {
            completed_on,
            days: n,
        } if *n < 0 => format!(
            "Completed {completed_on}, {} before the window opened",
            days(-n)
        ),
        MissReason::OutOfWindow {
            completed_on,
            days: n,
        } => {
            format!(
                "Completed {completed_on}, {} after the window closed",
                days(*n)
            )
        }
        MissReason::Overdue { days: n } => {
            format!(
                "Not completed; the window closed {} ago, no attempt documented",
                days(*n)
            )
        }
        MissReason::NoPlan => match completed_on {
            Some(d) => format!("No PM plan on the work order, so no window; completed {d}"),
            None => "No PM plan on the work order, so no window; not completed".into(),
        },
    }
}

/// Every calendar month `period` touches, as first days, oldest first.
pub fn months(period: Period) -> Vec<NaiveDate> {
    let first = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let last = first(period.to.pred_opt().unwrap_or(period.from));
    let mut m = first(period.from);
    let mut out = Vec::new();
    while m <= last {
        out.push(m);
        m = m
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX);
    }
    out
}

fn corrective_counts<'a>(rows: impl Iterator<Item = &'a CorrectiveCount>) -> CorrectiveCounts {
    let mut c = CorrectiveCounts::default();
    for r in rows {
        let n = r.count as u32;
        if r.closure.is_some() {
            c.closed += n;
        }
        match CallKind::of(r.closure) {
            CallKind::Failure => c.failures += n,
            CallKind::Cnd => c.cnd += n,
            CallKind::UseError => c.use_error += n,
            CallKind::Damage => c.abuse += n,
            _ => {}
        }
    }
    c
}

/// Corrective work orders opened in the period: by closure, the share
/// that were device failures, and per month.
pub fn repairs(rows: &[CorrectiveCount], period: Period) -> RepairSection {
    let by_kind: Vec<(CallKind, u64)> = CALL_KINDS
        .iter()
        .map(|&k| {
            (
                k,
                rows.iter()
                    .filter(|r| CallKind::of(r.closure) == k)
                    .map(|r| r.count)
                    .sum(),
            )
        })
        .collect();
    let opened: u64 = rows.iter().map(|r| r.count).sum();
    let still_open = by_kind
        .iter()
        .find(|(k, _)| *k == CallKind::Open)
        .map_or(0, |(_, n)| *n);
    let c = corrective_counts(rows.iter());
    let failure_share = ratio(
        f64::from(c.failures),
        f64::from(c.closed),
        "device failures / closed corrective work orders",
        vec![
            input("device failures", Value::Count(c.failures.into())),
            input(
                "closed corrective work orders",
                Value::Count(c.closed.into()),
            ),
        ],
        "no closed corrective work orders",
    )
    .over(period);
    let months = months(period)
        .into_iter()
        .map(|m| {
            let mut x = MonthCalls {
                month: Some(m),
                ..MonthCalls::default()
            };
            for r in rows.iter().filter(|r| r.month == m) {
                x.repairs += r.count;
                match CallKind::of(r.closure) {
                    CallKind::Cnd => x.cnd += r.count,
                    CallKind::Damage => x.damage += r.count,
                    CallKind::UseError => x.use_error += r.count,
                    _ => {}
                }
            }
            x
        })
        .collect();
    RepairSection {
        opened,
        closed: opened - still_open,
        still_open,
        by_kind,
        failure_share,
        months,
    }
}

/// PRODUCT.md's "abuse/damage" closure as a share of closed corrective
/// work orders (the damage half of the use-error rate).
pub fn damage_rate(c: &CorrectiveCounts) -> Measure {
    ratio(
        f64::from(c.abuse),
        f64::from(c.closed),
        "abuse / damage / closed corrective work orders",
        vec![
            input("abuse / damage", Value::Count(c.abuse.into())),
            input(
                "closed corrective work orders",
                Value::Count(c.closed.into()),
            ),
        ],
        "no closed corrective work orders",
    )
}

/// CND, damage and use-error rates overall and for the departments with
/// the most such calls.
pub fn calls(rows: &[CorrectiveCount], period: Period) -> CallSection {
    let counts = corrective_counts(rows.iter());
    let mut names: Vec<&str> = rows.iter().map(|r| r.department.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut departments: Vec<DepartmentCalls> = names
        .into_iter()
        .map(|d| {
            let c = corrective_counts(rows.iter().filter(|r| r.department == d));
            DepartmentCalls {
                department: d.to_string(),
                cnd_rate: measures::cnd_rate(&c).over(period),
                damage_rate: damage_rate(&c).over(period),
                counts: c,
            }
        })
        .filter(|d| d.counts.cnd + d.counts.use_error + d.counts.abuse > 0)
        .collect();
    let calls = |d: &DepartmentCalls| d.counts.cnd + d.counts.use_error + d.counts.abuse;
    departments.sort_by(|a, b| {
        calls(b)
            .cmp(&calls(a))
            .then_with(|| a.department.cmp(&b.department))
    });
    let more_departments = departments.len().saturating_sub(TOP_DEPARTMENTS);
    departments.truncate(TOP_DEPARTMENTS);
    CallSection {
        cnd_rate: measures::cnd_rate(&counts).over(period),
        damage_rate: damage_rate(&counts).over(period),
        use_error_rate: measures::use_error_rate(&counts).over(period),
        counts,
        departments,
        more_departments,
    }
}

/// The share of matched assets with a final action (not affected,
/// remediated or removed from service).
pub fn recall_actioned(done: u64, matched: u64) -> Measure {
    ratio(
        done as f64,
        matched as f64,
        "(not affected + remediated + removed from service) / matched assets",
        vec![
            input("assets with a final action", Value::Count(done)),
            input("matched assets", Value::Count(matched)),
        ],
        "no matched assets in scope",
    )
}

/// Recalls received in the period, and earlier ones still open at its
/// start, with their matched assets' actions; newest first.
pub fn recalls(rows: &[RecallRow], period: Period) -> RecallSection {
    let mut list: Vec<&RecallRow> = rows
        .iter()
        .filter(|r| r.received_on < period.to && r.closed_on.is_none_or(|c| c >= period.from))
        .collect();
    list.sort_by(|a, b| {
        b.received_on
            .cmp(&a.received_on)
            .then_with(|| a.number.cmp(&b.number))
    });
    let mut matched = 0;
    let mut done = 0;
    let mut pending = 0;
    let rows: Vec<RecallLine> = list
        .into_iter()
        .map(|r| {
            let d = r.not_affected + r.remediated + r.removed_from_service;
            let m = d + r.pending;
            matched += m;
            done += d;
            pending += r.pending;
            let status = match r.closed_on {
                Some(c) if c < period.to => format!("closed {c}"),
                _ if m == 0 => "open: no matched assets in scope".into(),
                _ => format!("open: {} pending", r.pending),
            };
            RecallLine {
                recall: r.clone(),
                matched: m,
                actioned: recall_actioned(d, m).over(period),
                status,
            }
        })
        .collect();
    RecallSection {
        received_in_period: rows
            .iter()
            .filter(|l| period.contains(l.recall.received_on))
            .count() as u64,
        open_at_end: rows
            .iter()
            .filter(|l| l.recall.closed_on.is_none_or(|c| c >= period.to))
            .count() as u64,
        matched,
        pending,
        actioned: recall_actioned(done, matched).over(period),
        rows,
    }
}

/// The report's counts as one explained line, for a summary: "N of M".
pub fn share_text(m: &Explained<Option<f64>>) -> String {
    m.value
        .map_or_else(|| "n/a".into(), |v| format!("{:.1}%", v * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn period() -> Period {
        Period::new(d(2025, 1, 1), d(2025, 4, 1)).unwrap()
    }

    /// EM 20 (high risk), EM 6 (not in program), EM 12 (in program).
    fn high() -> EmScore {
        EmScore::new(10, 5, 5, 0).unwrap()
    }
    fn low() -> EmScore {
        EmScore::new(2, 2, 2, 0).unwrap()
    }
    fn program() -> EmScore {
        EmScore::new(6, 3, 3, 0).unwrap()
    }

    fn pm(tag: &str, risk: EmScore, life: bool, due: NaiveDate) -> DuePm {
        DuePm {
            number: format!("WO-{tag}"),
            tag: tag.into(),
            device_type: "Infusion pump".into(),
            department: "ICU".into(),
            risk,
            life_support: life,
            due_on: due,
            // 365 days: the ±10% window is ±36 days.
            interval_days: Some(365),
            completed_on: None,
            attempts: vec![],
        }
    }

    #[test]
    fn inventory_counts_assets_per_class() {
        let rows = [
            InventoryCount {
                risk: low(),
                life_support: true,
                assets: 2,
            },
            InventoryCount {
                risk: high(),
                life_support: false,
                assets: 3,
            },
            InventoryCount {
                risk: program(),
                life_support: false,
                assets: 5,
            },
            InventoryCount {
                risk: low(),
                life_support: false,
                assets: 7,
            },
        ];
        let inv = inventory(&rows, &Settings::default());
        let n: Vec<u64> = inv.classes.iter().map(|c| c.assets).collect();
        // Life support whatever its EM number; then EM 20, 12, 6.
        assert_eq!(n, vec![2, 3, 5, 7]);
        assert_eq!(inv.total, 17);
    }

    /// Five high-risk PMs due 2025-02-01 (window 2024-12-27 to 2025-03-09),
    /// judged on 2025-04-01:
    /// A on time (2025-02-10), B attempted in use (2025-02-03), C completed
    /// late (2025-03-20, 11 days after), D missed, E due 2025-03-20 still
    /// in its window (closes 2025-04-25): pending.
    /// One life-support PM F on time. One low-risk G missed, one H without
    /// a plan.
    fn sample() -> Vec<DuePm> {
        let due = d(2025, 2, 1);
        let mut a = pm("A", high(), false, due);
        a.completed_on = Some(d(2025, 2, 10));
        let mut b = pm("B", high(), false, due);
        b.attempts = vec![(d(2025, 2, 3), AttemptOutcome::InUse)];
        let mut c = pm("C", high(), false, due);
        c.completed_on = Some(d(2025, 3, 20));
        let dd = pm("D", high(), false, due);
        let e = pm("E", high(), false, d(2025, 3, 20));
        let mut f = pm("F", low(), true, due);
        f.completed_on = Some(d(2025, 1, 30));
        let g = pm("G", low(), false, due);
        let mut h = pm("H", program(), false, due);
        h.interval_days = None;
        vec![a, b, c, dd, e, f, g, h]
    }

    #[test]
    fn pm_completion_by_class_by_hand() {
        let s = Settings::default();
        let p = pm_section(&sample(), period(), d(2025, 4, 1), &s);
        let hr = &p.classes[1];
        // Due = on time 1 + in use 1 + late 1 + missed 1 = 4 (E pending).
        assert_eq!(hr.counts.due(), 4);
        assert_eq!(hr.counts.pending, 1);
        assert_eq!(hr.rate.value, Some(0.25));
        // With the attempt counted: (1 + 1) / 4.
        assert_eq!(hr.with_attempts.value, Some(0.5));
        let ls = &p.classes[0];
        assert_eq!((ls.counts.on_time, ls.counts.due()), (1, 1));
        assert_eq!(ls.rate.value, Some(1.0));
        // Together: 2 on time of 5 due.
        assert_eq!(p.high_risk.rate.value, Some(0.4));
        assert_eq!(p.high_risk.rate.period, Some(period()));
        // In program: only H, without a plan: undefined, and says so.
        assert_eq!(p.classes[2].counts.without_plan, 1);
        assert_eq!(p.classes[2].rate.value, None);
        assert!(p.classes[2].rate.note.is_some());
        // Not in program: G missed, 0 / 1.
        assert_eq!(p.classes[3].rate.value, Some(0.0));
        // All: 2 on time of 6 due.
        assert_eq!(p.all.rate.value, Some(2.0 / 6.0));
        assert_eq!(p.all.rate.formula, "completed in window / due");
    }

    #[test]
    fn high_risk_misses_list_each_asset_with_its_reason() {
        let s = Settings::default();
        let m = misses(&sample(), d(2025, 4, 1), &s);
        let got: Vec<(&str, &MissReason)> =
            m.rows.iter().map(|r| (r.tag.as_str(), &r.reason)).collect();
        // A and F on time, E pending, G low risk, H not high risk: only
        // B, C, D; same due date, so by tag.
        assert_eq!(
            got,
            vec![
                (
                    "B",
                    &MissReason::InUse {
                        attempted_on: d(2025, 2, 3)
                    }
                ),
                (
                    "C",
                    &MissReason::OutOfWindow {
                        completed_on: d(2025, 3, 20),
                        days: 11
                    }
                ),
                // Window closed 2025-03-09; 2025-04-01 is 23 days later.
                ("D", &MissReason::Overdue { days: 23 }),
            ]
        );
        assert_eq!(m.rows[0].window, Some((d(2024, 12, 27), d(2025, 3, 9))));
        assert_eq!(m.rows[0].attempts, 1);
        assert_eq!(
            m.rows[0].explanation,
            "In use on 2025-02-03 (attempt documented); not completed yet"
        );
        assert_eq!(
            m.rows[1].explanation,
            "Completed 2025-03-20, 11 days after the window closed"
        );
        assert_eq!(
            m.by_reason,
            vec![
                ("Attempted: in use".to_string(), 1),
                ("Completed late".to_string(), 1),
                ("Overdue".to_string(), 1)
            ]
        );
    }

    #[test]
    fn misses_include_early_not_located_and_planless_high_risk_pms() {
        let s = Settings::default();
        let due = d(2025, 2, 1);
        let mut early = pm("E1", high(), false, due);
        early.completed_on = Some(d(2024, 12, 20)); // 7 days before 12-27
        let mut lost = pm("L1", low(), true, due);
        lost.attempts = vec![
            (d(2025, 1, 5), AttemptOutcome::InUse),
            (d(2025, 2, 20), AttemptOutcome::NotLocated),
        ];
        lost.completed_on = Some(d(2025, 3, 30));
        let mut planless = pm("P1", high(), false, due);
        planless.interval_days = None;
        let m = misses(&[early, lost, planless], d(2025, 4, 1), &s);
        // Life support first.
        assert_eq!(m.rows[0].tag, "L1");
        assert_eq!(
            m.rows[0].reason,
            MissReason::NotLocated {
                attempted_on: d(2025, 2, 20)
            }
        );
        assert_eq!(
            m.rows[0].explanation,
            "Not located on 2025-02-20 (attempt documented); completed 2025-03-30, outside the window"
        );
        assert_eq!(
            m.rows[1].reason,
            MissReason::OutOfWindow {
                completed_on: d(2024, 12, 20),
                days: -7
            }
        );
        assert_eq!(m.rows[1].reason.heading(), "Completed early");
        assert_eq!(m.rows[2].reason, MissReason::NoPlan);
        assert_eq!(m.rows[2].window, None);
    }

    fn calls_rows() -> Vec<CorrectiveCount> {
        let row = |m: u32, dept: &str, closure: Option<ClosureCode>, count| CorrectiveCount {
            month: d(2025, m, 1),
            department: dept.into(),
            closure,
            count,
        };
        use biomend_domain::work_order::FailureArea;
        vec![
            row(
                1,
                "ICU",
                Some(ClosureCode::DeviceFailure(FailureArea::Battery)),
                6,
            ),
            row(1, "ICU", Some(ClosureCode::CouldNotDuplicate), 3),
            row(2, "ED", Some(ClosureCode::AbuseDamage), 2),
            row(2, "ED", Some(ClosureCode::UseError), 1),
            row(2, "ED", Some(ClosureCode::CouldNotDuplicate), 1),
            row(3, "ED", None, 2),
            row(3, "Lab", Some(ClosureCode::AccessoryOrSupply), 5),
        ]
    }

    #[test]
    fn repairs_by_closure_and_month_by_hand() {
        let r = repairs(&calls_rows(), period());
        // Opened 6+3+2+1+1+2+5 = 20; 2 not closed; closed 18.
        assert_eq!((r.opened, r.closed, r.still_open), (20, 18, 2));
        let kind = |k| r.by_kind.iter().find(|(x, _)| *x == k).unwrap().1;
        assert_eq!(kind(CallKind::Failure), 6);
        assert_eq!(kind(CallKind::Cnd), 4);
        assert_eq!(kind(CallKind::Accessory), 5);
        // 6 failures / 18 closed.
        assert_eq!(r.failure_share.value, Some(6.0 / 18.0));
        // January 9 (3 CND), February 4 (1 CND, 2 damage, 1 use error),
        // March 7.
        let m: Vec<(u64, u64, u64, u64)> = r
            .months
            .iter()
            .map(|x| (x.repairs, x.cnd, x.damage, x.use_error))
            .collect();
        assert_eq!(m, vec![(9, 3, 0, 0), (4, 1, 2, 1), (7, 0, 0, 0)]);
    }

    #[test]
    fn months_cover_partial_months_at_both_ends() {
        let p = Period::new(d(2024, 11, 15), d(2025, 2, 2)).unwrap();
        assert_eq!(
            months(p),
            vec![d(2024, 11, 1), d(2024, 12, 1), d(2025, 1, 1), d(2025, 2, 1)]
        );
        // A period ending on the first of a month leaves that month out.
        assert_eq!(months(period()).len(), 3);
    }

    #[test]
    fn cnd_and_damage_rates_by_hand() {
        let c = calls(&calls_rows(), period());
        // Closed 18: CND 4, use error 1, damage 2.
        assert_eq!(c.cnd_rate.value, Some(4.0 / 18.0));
        assert_eq!(c.damage_rate.value, Some(2.0 / 18.0));
        assert_eq!(c.use_error_rate.value, Some(3.0 / 18.0));
        assert_eq!(
            c.damage_rate.input("abuse / damage"),
            Some(&Value::Count(2))
        );
        // ED has 4 such calls of 4 closed (the 2 open ones don't count),
        // ICU 3 of 9; the Lab none, so it is not listed.
        let names: Vec<&str> = c
            .departments
            .iter()
            .map(|d| d.department.as_str())
            .collect();
        assert_eq!(names, vec!["ED", "ICU"]);
        assert_eq!(c.departments[0].cnd_rate.value, Some(0.25));
        assert_eq!(c.departments[0].damage_rate.value, Some(0.5));
        assert_eq!(c.departments[1].cnd_rate.value, Some(3.0 / 9.0));
        assert_eq!(c.more_departments, 0);
    }

    fn recall(n: &str, received: NaiveDate, closed: Option<NaiveDate>) -> RecallRow {
        RecallRow {
            number: n.into(),
            title: "Alarm may fail".into(),
            source: "fda".into(),
            received_on: received,
            closed_on: closed,
            pending: 0,
            not_affected: 0,
            remediated: 0,
            removed_from_service: 0,
        }
    }

    #[test]
    fn recalls_in_period_and_still_open_by_hand() {
        let mut a = recall("R-1", d(2025, 2, 1), None);
        a.pending = 2;
        a.remediated = 5;
        a.not_affected = 1;
        let mut b = recall("R-2", d(2024, 6, 1), None); // older, still open
        b.removed_from_service = 2;
        let c = recall("R-3", d(2024, 5, 1), Some(d(2024, 12, 1))); // closed before
        let mut e = recall("R-4", d(2025, 1, 10), Some(d(2025, 3, 1)));
        e.remediated = 2;
        let f = recall("R-5", d(2025, 4, 1), None); // after the period
        let r = recalls(&[a, b, c, e, f], period());
        let numbers: Vec<&str> = r.rows.iter().map(|l| l.recall.number.as_str()).collect();
        assert_eq!(numbers, vec!["R-1", "R-4", "R-2"]);
        assert_eq!(r.received_in_period, 2);
        assert_eq!(r.open_at_end, 2);
        // 6 of 8 actioned.
        assert_eq!(r.rows[0].matched, 8);
        assert_eq!(r.rows[0].actioned.value, Some(0.75));
        assert_eq!(r.rows[0].status, "open: 2 pending");
        assert_eq!(r.rows[1].status, "closed 2025-03-01");
        // All: 8 + 2 + 2 = 12 matched, 10 actioned.
        assert_eq!((r.matched, r.pending), (12, 2));
        assert_eq!(r.actioned.value, Some(10.0 / 12.0));
        // No matched assets: undefined, with the reason.
        assert_eq!(recall_actioned(0, 0).value, None);
    }

    #[test]
    fn the_report_carries_scope_period_and_window() {
        let inputs = SurveyInputs {
            pms: sample(),
            correctives: calls_rows(),
            ..SurveyInputs::default()
        };
        let r = survey(
            Scope::site("MAIN", "Main Hospital"),
            period(),
            d(2025, 4, 1),
            &inputs,
            &Settings::default(),
        );
        assert_eq!(r.scope.label, "MAIN Main Hospital");
        assert_eq!(r.last_day(), d(2025, 3, 31));
        assert_eq!(r.misses.rows.len(), 3);
        assert_eq!(r.calls.cnd_rate.period, Some(period()));
        assert_eq!(share_text(&r.pm.high_risk.rate), "40.0%");
    }
}
