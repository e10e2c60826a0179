//! "My day": assigned work orders and PMs due, most urgent first.

use super::format::{due, humanize, kind_label};
use biomend_ipc::{MyDay, PmItem, WorkOrderSummary};
use chrono::NaiveDate;
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WoRow {
    pub number: String,
    pub tag: String,
    pub kind: String,
    pub problem: String,
    pub priority: &'static str,
    pub priority_label: String,
    pub status: &'static str,
    pub status_label: String,
    pub due: Option<String>,
    pub overdue: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PmRow {
    pub tag: String,
    pub plan_id: biomend_domain::ids::PmPlanId,
    pub plan: String,
    pub device: String,
    pub department: String,
    pub location: Option<String>,
    pub due: String,
    pub overdue: bool,
    pub high_risk: bool,
    /// The PM work order already opened, if any.
    pub work_order: Option<String>,
}

/// A work order is overdue when it is still open past its due date.
pub fn wo_overdue(w: &WorkOrderSummary, today: NaiveDate) -> bool {
    w.status.is_open() && w.due_on.is_some_and(|d| d < today)
}

/// Priority first (emergency on top), then the earliest due date (no due
/// date last), then the oldest.
pub fn wo_order(a: &WorkOrderSummary, b: &WorkOrderSummary) -> Ordering {
    a.priority
        .rank()
        .cmp(&b.priority.rank())
        .then_with(|| match (a.due_on, b.due_on) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.opened_at.cmp(&b.opened_at))
        .then_with(|| a.number.cmp(&b.number))
}

/// Overdue first, then by due date, high-risk before the rest on a tie.
pub fn pm_order(a: &PmItem, b: &PmItem) -> Ordering {
    b.overdue
        .cmp(&a.overdue)
        .then_with(|| a.due.next_due.cmp(&b.due.next_due))
        .then_with(|| b.due.asset.em_number.cmp(&a.due.asset.em_number))
        .then_with(|| a.due.asset.tag.cmp(&b.due.asset.tag))
}

pub fn wo_rows(day: &MyDay) -> Vec<WoRow> {
    let mut v: Vec<&WorkOrderSummary> = day.assigned.iter().collect();
    v.sort_by(|a, b| wo_order(a, b));
    v.into_iter().map(|w| wo_row(w, day.today)).collect()
}

pub fn wo_row(w: &WorkOrderSummary, today: NaiveDate) -> WoRow {
    WoRow {
        number: w.number.clone(),
        tag: w.asset_tag.clone(),
        kind: kind_label(w.kind),
        problem: w.problem.clone(),
        priority: w.priority.as_str(),
        priority_label: humanize(w.priority.as_str()),
        status: w.status.as_str(),
        status_label: humanize(w.status.as_str()),
        due: w.due_on.map(|d| due(d, today)),
        overdue: wo_overdue(w, today),
    }
}

pub fn pm_rows(day: &MyDay) -> Vec<PmRow> {
    let mut v: Vec<&PmItem> = day.pms_due.iter().collect();
    v.sort_by(|a, b| pm_order(a, b));
    v.into_iter()
        .map(|p| PmRow {
            tag: p.due.asset.tag.clone(),
            plan_id: p.due.plan_id,
            plan: p.due.plan_name.clone(),
            device: format!(
                "{} {} — {}",
                p.due.asset.manufacturer, p.due.asset.model, p.due.asset.device_type
            ),
            department: p.due.asset.department.clone(),
            location: p.due.asset.location.clone(),
            due: due(p.due.next_due, day.today),
            overdue: p.overdue,
            high_risk: p.due.asset.life_support || p.due.asset.em_number >= 12,
            work_order: p.due.open_work_order.as_ref().map(|(_, n)| n.clone()),
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod fixtures {
    use biomend_domain::asset::AssetStatus;
    use biomend_domain::ids::{AssetId, WorkOrderId};
    use biomend_domain::work_order::{Priority, WorkOrderKind, WorkOrderStatus};
    use biomend_ipc::{AssetSummary, WorkOrderSummary};
    use chrono::{NaiveDate, TimeZone, Utc};

    pub fn asset(tag: &str) -> AssetSummary {
        AssetSummary {
            id: AssetId::new(1, [1; 10]),
            tag: tag.into(),
            serial: None,
            manufacturer: "Acme".into(),
            model: "Pump 3".into(),
            device_type_code: "13-215".into(),
            device_type: "Infusion pump".into(),
            department: "ICU".into(),
            location: Some("3 / 301".into()),
            status: AssetStatus::InService,
            em_number: 14,
            life_support: false,
        }
    }

    pub fn wo(
        number: &str,
        p: Priority,
        due: Option<NaiveDate>,
        opened_day: u32,
    ) -> WorkOrderSummary {
        WorkOrderSummary {
            id: WorkOrderId::new(1, [2; 10]),
            number: number.into(),
            asset_id: AssetId::new(1, [1; 10]),
            asset_tag: "BME-1".into(),
            kind: WorkOrderKind::Corrective,
            status: WorkOrderStatus::Open,
            priority: p,
            problem: "alarms".into(),
            opened_at: Utc.with_ymd_and_hms(2026, 11, opened_day, 8, 0, 0).unwrap(),
            due_on: due,
            assigned_to: Some("dana".into()),
            completed_at: None,
            closure: None,
            labor_minutes: 0,
            parts_cost: biomend_domain::Money(0),
            vendor_cost: biomend_domain::Money(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use biomend_domain::ids::PmPlanId;
    use biomend_domain::work_order::{Priority, WorkOrderStatus};
    use biomend_ipc::PmDue;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    fn pm(tag: &str, due: NaiveDate, overdue: bool) -> PmItem {
        PmItem {
            due: PmDue {
                asset: asset(tag),
                plan_id: PmPlanId::new(1, [3; 10]),
                plan_name: "Annual PM".into(),
                interval_months: 12,
                next_due: due,
                last_done: None,
                open_work_order: None,
            },
            window_start: due,
            window_end: due,
            overdue,
        }
    }

    #[test]
    fn work_orders_sort_by_priority_then_due_date_and_mark_overdue() {
        let mut done = wo("WO-5", Priority::Emergency, Some(d(1)), 1);
        done.status = WorkOrderStatus::Completed;
        let day = MyDay {
            today: d(25),
            assigned: vec![
                wo("WO-1", Priority::Routine, Some(d(20)), 1),
                wo("WO-2", Priority::Emergency, None, 24),
                wo("WO-3", Priority::Routine, Some(d(10)), 2),
                wo("WO-4", Priority::Urgent, Some(d(30)), 3),
                wo("WO-6", Priority::Routine, None, 1),
                done,
            ],
            pms_due: vec![],
        };
        let rows = wo_rows(&day);
        let order: Vec<&str> = rows.iter().map(|r| r.number.as_str()).collect();
        assert_eq!(order, ["WO-5", "WO-2", "WO-4", "WO-3", "WO-1", "WO-6"]);
        let overdue: Vec<&str> = rows
            .iter()
            .filter(|r| r.overdue)
            .map(|r| r.number.as_str())
            .collect();
        // WO-5 is past due but completed: not overdue.
        assert_eq!(overdue, ["WO-3", "WO-1"]);
        assert_eq!(rows[2].due.as_deref(), Some("Due in 5 days"));
        assert_eq!(rows[1].priority, "emergency");
    }

    #[test]
    fn pms_put_overdue_first_then_the_earliest_due() {
        let day = MyDay {
            today: d(25),
            assigned: vec![],
            pms_due: vec![
                pm("B", d(28), false),
                pm("C", d(20), true),
                pm("A", d(26), false),
                pm("D", d(22), true),
            ],
        };
        let tags: Vec<String> = pm_rows(&day).into_iter().map(|r| r.tag).collect();
        assert_eq!(tags, ["C", "D", "A", "B"]);
        let first = &pm_rows(&day)[0];
        assert!(first.overdue && first.high_risk);
        assert_eq!(first.due, "Overdue by 5 days");
    }
}
