//! The survey report's rows, read with set-based SQL over one period and
//! one site or all: the active inventory by risk inputs (one `GROUP BY`),
//! the PM work orders due in the period with their attempts, corrective
//! work orders counted per month, department and closure (one `GROUP BY`),
//! and the recalls on record with their matched assets counted per action
//! (one `GROUP BY`). Nothing is judged here: the window rule, the risk
//! classes and every rate are `biomend_analytics::survey`'s.

use crate::Result;
use crate::StoreError;
use crate::codec::*;
use crate::read::Reader;
use biomend_analytics::Period;
use biomend_analytics::survey::{CorrectiveCount, DuePm, InventoryCount, RecallRow, SurveyInputs};
use biomend_domain::ids::{PmPlanId, SiteId};
use biomend_domain::risk::EmScore;
use biomend_domain::work_order::{AttemptOutcome, ClosureCode, WorkOrderStatus};
use rusqlite::{Row, named_params};
use std::collections::HashMap;

fn em(r: &Row<'_>) -> Result<EmScore> {
    Ok(EmScore {
        function: r.int("risk_function")? as u8,
        physical_risk: r.int("risk_physical")? as u8,
        maintenance: r.int("risk_maintenance")? as u8,
        incident_history: r.int("risk_incident")? as i8,
    })
}

fn corrupt(what: &'static str, detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: detail.into(),
    }
}

impl<'c> Reader<'c> {
    /// Everything the survey report computes from, for `period` and `site`
    /// (`None`: every site). Work is scoped by the work order's site, the
    /// inventory by the asset's.
    pub fn survey_inputs(&self, period: Period, site: Option<SiteId>) -> Result<SurveyInputs> {
        Ok(SurveyInputs {
            inventory: self.survey_inventory(site)?,
            pms: self.survey_pms(period, site)?,
            correctives: self.survey_correctives(period, site)?,
            recalls: self.survey_recalls(period, site)?,
        })
    }

    /// Active assets (not retired or missing) counted by risk inputs.
    pub fn survey_inventory(&self, site: Option<SiteId>) -> Result<Vec<InventoryCount>> {
        self.collect(
            "SELECT a.risk_function, a.risk_physical, a.risk_maintenance, a.risk_incident,
                    (a.life_support_override OR t.life_support) AS life_support,
                    count(*) AS assets
             FROM assets a
             JOIN models m ON m.id = a.model_id
             JOIN device_types t ON t.id = m.device_type_id
             WHERE a.status NOT IN ('retired', 'missing')
               AND (:site IS NULL OR a.site_id = :site)
             GROUP BY 1, 2, 3, 4, 5",
            named_params! { ":site": site.map(|s| s.0) },
            |r| {
                Ok(InventoryCount {
                    risk: em(r)?,
                    life_support: r.int("life_support")? != 0,
                    assets: r.int("assets")? as u64,
                })
            },
        )
    }

    /// PM work orders due in the period (not cancelled), with the asset,
    /// its risk inputs, the plan's interval, the completion day and every
    /// documented attempt.
    pub fn survey_pms(&self, period: Period, site: Option<SiteId>) -> Result<Vec<DuePm>> {
        let plan_days: HashMap<PmPlanId, i64> = self
            .pm_plans()?
            .iter()
            .map(|p| (p.id, p.interval_days()))
            .collect();
        self.collect(
            "SELECT w.number, w.due_on, w.pm_plan_id, w.status, w.completed_at,
                    a.tag, t.name AS device_type, d.name AS department,
                    a.risk_function, a.risk_physical, a.risk_maintenance, a.risk_incident,
                    (a.life_support_override OR t.life_support) AS life_support,
                    (SELECT group_concat(substr(x.attempted_at, 1, 10) || ' ' || x.outcome, ',')
                     FROM pm_attempts x WHERE x.work_order_id = w.id) AS attempts
             FROM work_orders w
             JOIN assets a ON a.id = w.asset_id
             JOIN models m ON m.id = a.model_id
             JOIN device_types t ON t.id = m.device_type_id
             JOIN departments d ON d.id = a.department_id
             WHERE w.kind = 'pm' AND w.status <> 'cancelled'
               AND w.due_on >= :from AND w.due_on < :to
               AND (:site IS NULL OR w.site_id = :site)
             ORDER BY w.due_on, a.tag",
            named_params! {
                ":from": date(period.from), ":to": date(period.to), ":site": site.map(|s| s.0),
            },
            |r| {
                let status = r.code("status", WorkOrderStatus::parse)?;
                let mut attempts = Vec::new();
                for a in r.text_opt("attempts")?.iter().flat_map(|s| s.split(',')) {
                    let (day, outcome) =
                        a.split_once(' ').ok_or_else(|| corrupt("PM attempt", a))?;
                    let outcome = AttemptOutcome::parse(outcome)
                        .ok_or_else(|| corrupt("PM attempt outcome", outcome))?;
                    attempts.push((parse_date(day)?, outcome));
                }
                attempts.sort();
                Ok(DuePm {
                    number: r.text("number")?,
                    tag: r.text("tag")?,
                    device_type: r.text("device_type")?,
                    department: r.text("department")?,
                    risk: em(r)?,
                    life_support: r.int("life_support")? != 0,
                    due_on: r.date("due_on")?,
                    interval_days: r
                        .uuid_opt("pm_plan_id")?
                        .and_then(|p| plan_days.get(&PmPlanId(p)).copied()),
                    completed_on: r
                        .ts_opt("completed_at")?
                        .filter(|_| status.is_done())
                        .map(|t| t.date_naive()),
                    attempts,
                })
            },
        )
    }

    /// Corrective work orders opened in the period (not cancelled), counted
    /// per month opened, the asset's department and the closure code (none
    /// while the work order is not completed).
    pub fn survey_correctives(
        &self,
        period: Period,
        site: Option<SiteId>,
    ) -> Result<Vec<CorrectiveCount>> {
        self.collect(
            "SELECT substr(w.opened_at, 1, 7) || '-01' AS month, d.name AS department,
                    CASE WHEN w.status IN ('completed', 'signed_off') THEN w.closure END AS closure,
                    count(*) AS n
             FROM work_orders w
             JOIN assets a ON a.id = w.asset_id
             JOIN departments d ON d.id = a.department_id
             WHERE w.kind = 'corrective' AND w.status <> 'cancelled'
               AND w.opened_at >= :from AND w.opened_at < :to
               AND (:site IS NULL OR w.site_id = :site)
             GROUP BY 1, 2, 3
             ORDER BY 1, 2, 3",
            named_params! {
                ":from": date(period.from), ":to": date(period.to), ":site": site.map(|s| s.0),
            },
            |r| {
                let closure = match r.text_opt("closure")? {
                    Some(c) => Some(
                        ClosureCode::parse(&c).ok_or_else(|| corrupt("closure code", c.clone()))?,
                    ),
                    None => None,
                };
                Ok(CorrectiveCount {
                    month: r.date("month")?,
                    department: r.text("department")?,
                    closure,
                    count: r.int("n")? as u64,
                })
            },
        )
    }

    /// Recalls received before the period's end and not closed before its
    /// start, with their matched assets in scope counted by action.
    pub fn survey_recalls(&self, period: Period, site: Option<SiteId>) -> Result<Vec<RecallRow>> {
        self.collect(
            "SELECT r.number, r.title, r.source, r.received_on, r.closed_on,
                    count(a.id) FILTER (WHERE x.action = 'pending') AS pending,
                    count(a.id) FILTER (WHERE x.action = 'not_affected') AS not_affected,
                    count(a.id) FILTER (WHERE x.action = 'remediated') AS remediated,
                    count(a.id) FILTER (WHERE x.action = 'removed_from_service') AS removed
             FROM recalls r
             LEFT JOIN recall_assets x ON x.recall_id = r.id
             LEFT JOIN assets a ON a.id = x.asset_id AND (:site IS NULL OR a.site_id = :site)
             WHERE r.received_on < :to AND (r.closed_on IS NULL OR r.closed_on >= :from)
             GROUP BY r.id
             ORDER BY r.received_on DESC, r.number",
            named_params! {
                ":from": date(period.from), ":to": date(period.to), ":site": site.map(|s| s.0),
            },
            |r| {
                Ok(RecallRow {
                    number: r.text("number")?,
                    title: r.text("title")?,
                    source: r.text("source")?,
                    received_on: r.date("received_on")?,
                    closed_on: r.date_opt("closed_on")?,
                    pending: r.int("pending")? as u64,
                    not_affected: r.int("not_affected")? as u64,
                    remediated: r.int("remediated")? as u64,
                    removed_from_service: r.int("removed")? as u64,
                })
            },
        )
    }
}
