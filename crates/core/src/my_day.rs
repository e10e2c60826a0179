//! "My day": the work assigned to me, then PMs due in my area, so a
//! technician leaving Wi-Fi has the day's list on the tablet.

use crate::{App, Result};
use biomend_domain::pm::{due_window, is_overdue};
use biomend_store::{PmDue, WorkOrderSummary};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MyDayInput {
    pub username: String,
    /// How far ahead to list PMs, in days.
    pub horizon_days: u32,
    pub max_pms: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct PmItem {
    #[serde(flatten)]
    pub due: PmDue,
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
    pub overdue: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct MyDay {
    pub today: NaiveDate,
    pub assigned: Vec<WorkOrderSummary>,
    pub pms_due: Vec<PmItem>,
}

pub fn run(app: &App, input: &MyDayInput) -> Result<MyDay> {
    let user = app.user(&input.username)?;
    let today = app.clock().today();
    let policy = app.policies()?.pm_window;
    let r = app.store().reader();
    let assigned = r.open_work_assigned(user.id)?;
    let until = today + Duration::days(i64::from(input.horizon_days.min(366)));
    let pms_due = r
        .pm_due_in_area(user.id, until, input.max_pms.clamp(1, 2000))?
        .into_iter()
        .map(|due| {
            let interval = (f64::from(due.interval_months) * 30.4375).round() as i64;
            let (window_start, window_end) = due_window(due.next_due, interval, policy);
            PmItem {
                overdue: is_overdue(today, due.next_due, interval, policy),
                window_start,
                window_end,
                due,
            }
        })
        .collect();
    Ok(MyDay {
        today,
        assigned,
        pms_due,
    })
}
