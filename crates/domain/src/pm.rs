//! Scheduled maintenance: plans, due dates, the on-time window, and the
//! rules for alternative equipment maintenance (AEM).

use crate::catalog::AemExclusion;
use crate::ids::{ChecklistId, DeviceTypeId, ModelId, PmPlanId};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

crate::code_enum! {
    /// Fixed plans keep the calendar (next due = last due + interval);
    /// floating plans restart from the completion date.
    pub enum ScheduleKind {
        Fixed => "fixed",
        Floating => "floating",
    }
}

crate::code_enum! {
    pub enum PmStrategy {
        /// The manufacturer's recommended interval and procedure.
        Manufacturer => "manufacturer",
        /// A hospital-set interval under an AEM program, with evidence.
        Aem => "aem",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PmPlan {
    pub id: PmPlanId,
    pub name: String,
    /// A plan belongs to a model (preferred) or, failing that, a device type.
    pub model_id: Option<ModelId>,
    pub device_type_id: Option<DeviceTypeId>,
    pub interval_months: u16,
    pub schedule: ScheduleKind,
    pub strategy: PmStrategy,
    /// Why the AEM interval was chosen (risk assessment, history reviewed).
    pub aem_evidence: Option<String>,
    pub checklist_id: Option<ChecklistId>,
    /// Expected labor, for workload planning.
    pub estimated_minutes: u32,
}

/// The on-time window as a fraction of the interval on each side of the due
/// date. ±10% is common; it is the customer's policy.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowPolicy {
    pub fraction: f64,
}

impl Default for WindowPolicy {
    fn default() -> Self {
        WindowPolicy { fraction: 0.10 }
    }
}

/// Adds whole months, clamping to the month's end (Jan 31 + 1 month = Feb 28/29).
pub fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months)).unwrap_or(d)
}

impl PmPlan {
    pub fn interval_days(&self) -> i64 {
        (f64::from(self.interval_months) * 30.4375).round() as i64
    }

    /// Next due date after a PM that was due on `due` and completed on
    /// `completed`.
    pub fn next_due(&self, due: NaiveDate, completed: NaiveDate) -> NaiveDate {
        let base = match self.schedule {
            ScheduleKind::Fixed => due,
            ScheduleKind::Floating => completed,
        };
        add_months(base, u32::from(self.interval_months))
    }

    /// The first due date for a unit put in service on `in_service`.
    pub fn first_due(&self, in_service: NaiveDate) -> NaiveDate {
        add_months(in_service, u32::from(self.interval_months))
    }
}

/// The inclusive window `[due − w, due + w]` with `w` = fraction × interval.
pub fn due_window(
    due: NaiveDate,
    interval_days: i64,
    policy: WindowPolicy,
) -> (NaiveDate, NaiveDate) {
    let w = (interval_days as f64 * policy.fraction).floor() as i64;
    (
        due - chrono::Duration::days(w),
        due + chrono::Duration::days(w),
    )
}

/// A PM done inside its window is on time. The window is symmetric on
/// purpose: work done far too early shortens the real interval as much as
/// late work stretches it.
pub fn is_on_time(
    done: NaiveDate,
    due: NaiveDate,
    interval_days: i64,
    policy: WindowPolicy,
) -> bool {
    let (a, b) = due_window(due, interval_days, policy);
    done >= a && done <= b
}

/// A PM not done by the end of its window is overdue.
pub fn is_overdue(
    today: NaiveDate,
    due: NaiveDate,
    interval_days: i64,
    policy: WindowPolicy,
) -> bool {
    today > due_window(due, interval_days, policy).1
}

/// What decides whether a device may move to an AEM interval.
#[derive(Clone, Copy, Debug)]
pub struct AemFacts {
    pub exclusion: Option<AemExclusion>,
    /// Months of maintenance history on this model in this program.
    pub history_months: u32,
    /// Failures attributable to PM (found on PM or shortly after) in that history.
    pub pm_related_failures: u32,
}

/// Minimum history before a model may use AEM; policy, 24 months by default.
pub const DEFAULT_AEM_MIN_HISTORY_MONTHS: u32 = 24;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AemDecision {
    Eligible,
    /// Excluded by CMS: always manufacturer intervals.
    Excluded(String),
    /// Not enough history yet.
    InsufficientHistory {
        months: u32,
        needed: u32,
    },
    /// History turned bad: fall back to the manufacturer's interval.
    FallBack {
        failures: u32,
    },
}

pub fn aem_decision(f: &AemFacts, min_history_months: u32) -> AemDecision {
    if let Some(ex) = f.exclusion {
        let why = match ex {
            AemExclusion::Imaging => "imaging and radiologic equipment",
            AemExclusion::Laser => "medical lasers",
            AemExclusion::RequiredByLaw => "maintenance set by law",
        };
        return AemDecision::Excluded(why.into());
    }
    if f.history_months < min_history_months {
        return AemDecision::InsufficientHistory {
            months: f.history_months,
            needed: min_history_months,
        };
    }
    if f.pm_related_failures > 0 {
        return AemDecision::FallBack {
            failures: f.pm_related_failures,
        };
    }
    AemDecision::Eligible
}

/// Month number (0-based from year 0) for bucketing PM due dates by month.
pub fn month_index(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn plan(kind: ScheduleKind, months: u16) -> PmPlan {
        PmPlan {
            id: PmPlanId::new(0, [0; 10]),
            name: "Annual".into(),
            model_id: None,
            device_type_id: None,
            interval_months: months,
            schedule: kind,
            strategy: PmStrategy::Manufacturer,
            aem_evidence: None,
            checklist_id: None,
            estimated_minutes: 45,
        }
    }

    #[test]
    fn fixed_keeps_calendar_floating_restarts_from_completion() {
        let due = d(2026, 3, 15);
        let done = d(2026, 4, 2);
        assert_eq!(
            plan(ScheduleKind::Fixed, 12).next_due(due, done),
            d(2027, 3, 15)
        );
        assert_eq!(
            plan(ScheduleKind::Floating, 12).next_due(due, done),
            d(2027, 4, 2)
        );
        assert_eq!(
            plan(ScheduleKind::Fixed, 6).next_due(d(2026, 8, 31), d(2026, 8, 31)),
            d(2027, 2, 28)
        );
    }

    #[test]
    fn ten_percent_window_of_a_year_is_36_days_each_side() {
        let p = plan(ScheduleKind::Fixed, 12);
        assert_eq!(p.interval_days(), 365);
        let due = d(2026, 6, 1);
        let w = WindowPolicy::default();
        assert_eq!(due_window(due, 365, w), (d(2026, 4, 26), d(2026, 7, 7)));
        assert!(is_on_time(d(2026, 7, 7), due, 365, w));
        assert!(!is_on_time(d(2026, 7, 8), due, 365, w));
        assert!(!is_on_time(d(2026, 4, 25), due, 365, w));
        assert!(is_overdue(d(2026, 7, 8), due, 365, w));
        assert!(!is_overdue(d(2026, 7, 7), due, 365, w));
        let wide = WindowPolicy { fraction: 0.25 };
        assert!(is_on_time(d(2026, 8, 1), due, 365, wide));
    }

    #[test]
    fn aem_rules_follow_cms() {
        let ok = AemFacts {
            exclusion: None,
            history_months: 36,
            pm_related_failures: 0,
        };
        assert_eq!(aem_decision(&ok, 24), AemDecision::Eligible);
        assert!(matches!(
            aem_decision(
                &AemFacts {
                    exclusion: Some(AemExclusion::Imaging),
                    ..ok
                },
                24
            ),
            AemDecision::Excluded(_)
        ));
        assert!(matches!(
            aem_decision(
                &AemFacts {
                    exclusion: Some(AemExclusion::Laser),
                    ..ok
                },
                24
            ),
            AemDecision::Excluded(_)
        ));
        assert_eq!(
            aem_decision(
                &AemFacts {
                    history_months: 6,
                    ..ok
                },
                24
            ),
            AemDecision::InsufficientHistory {
                months: 6,
                needed: 24
            }
        );
        assert_eq!(
            aem_decision(
                &AemFacts {
                    pm_related_failures: 2,
                    ..ok
                },
                24
            ),
            AemDecision::FallBack { failures: 2 }
        );
    }
}

/// One asset on one plan: when the next PM is due and when the last was done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PmSchedule {
    pub asset_id: crate::ids::AssetId,
    pub plan_id: PmPlanId,
    pub next_due: NaiveDate,
    pub last_done: Option<NaiveDate>,
}
