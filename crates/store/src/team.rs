//! The team's workload: each technician's open work, for a supervisor
//! balancing assignments at shift start or end.

use crate::Result;
use crate::codec::{RowExt, date};
use crate::read::Reader;
use biomend_domain::ids::UserId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One person's open work orders, by state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    pub username: String,
    pub display_name: String,
    pub open: u32,
    pub in_progress: u32,
    pub on_hold: u32,
    /// Due before `today` and still open.
    pub overdue: u32,
    pub emergencies: u32,
}

impl Reader<'_> {
    /// Everyone who performs work at a site `viewer` works at (or at any
    /// site, for `all_sites`): active technicians and supervisors, with
    /// counts of the open work assigned to them, the busiest first. Uses
    /// the `work_orders_open_assignee` index per person.
    pub fn team_workload(
        &self,
        viewer: UserId,
        all_sites: bool,
        today: NaiveDate,
    ) -> Result<Vec<Workload>> {
        self.collect(
            "WITH team AS (
                SELECT DISTINCT u.id, u.username, u.display_name FROM users u
                JOIN user_sites us ON us.user_id = u.id
                WHERE u.active = 1 AND u.role IN ('technician', 'supervisor')
                  AND (?3 OR us.site_id IN (SELECT site_id FROM user_sites WHERE user_id = ?1))
             )
             SELECT t.username, t.display_name,
                    count(w.id) AS open,
                    count(w.id) FILTER (WHERE w.status = 'in_progress') AS in_progress,
                    count(w.id) FILTER (WHERE w.status IN ('on_hold_parts', 'on_hold_vendor')) AS on_hold,
                    count(w.id) FILTER (WHERE w.due_on < ?2) AS overdue,
                    count(w.id) FILTER (WHERE w.priority = 1) AS emergencies
             FROM team t
             LEFT JOIN work_orders w ON w.assigned_to = t.id
                  AND w.status IN ('open', 'in_progress', 'on_hold_parts', 'on_hold_vendor')
             GROUP BY t.id
             ORDER BY open DESC, t.display_name",
            rusqlite::params![viewer.0, date(today), all_sites],
            |r| {
                Ok(Workload {
                    username: r.text("username")?,
                    display_name: r.text("display_name")?,
                    open: r.get::<_, u32>("open")?,
                    in_progress: r.get::<_, u32>("in_progress")?,
                    on_hold: r.get::<_, u32>("on_hold")?,
                    overdue: r.get::<_, u32>("overdue")?,
                    emergencies: r.get::<_, u32>("emergencies")?,
                })
            },
        )
    }
}
