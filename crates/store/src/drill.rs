//! The work orders behind the analytics' counts, for drill-down: one
//! period's candidates with what `biomend_analytics::drill` judges them
//! by (the closure of a closed corrective visit, a PM's outcome), each
//! with its asset, so the caller keeps the assets its figure covered.
//! The conditions are the rollup's (`rollup.rs`): non-cancelled work,
//! corrective visits by the day they opened and counted once closed, PMs
//! by their due day and judged by the window rule at the period's end.

use crate::Result;
use crate::codec::*;
use crate::read::Reader;
use crate::rollup::{day_date, day_key};
use biomend_analytics::measures::PmOutcome;
use biomend_analytics::{Period, Settings};
use biomend_domain::ids::{AssetId, WorkOrderId};
use biomend_domain::views::WorkOrderSummary;
use biomend_domain::work_order::ClosureCode;
use chrono::NaiveDate;
use rusqlite::params;

/// A work order a figure may count: which, on what asset, and the day it
/// is filed under (opened, or due for a PM).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkRef {
    pub id: WorkOrderId,
    pub asset_id: AssetId,
    pub day: NaiveDate,
}

impl<'c> Reader<'c> {
    /// Closed (completed or signed-off, with a closure code) corrective
    /// work orders opened in `period`, with their closure; `None` for a
    /// code this build cannot read, which still counts as closed.
    pub fn closed_corrective_in(
        &self,
        period: Period,
    ) -> Result<Vec<(WorkRef, Option<ClosureCode>)>> {
        self.collect(
            "SELECT id, asset_id, opened_at, closure FROM work_orders
             WHERE kind = 'corrective' AND opened_at >= ?1 AND opened_at < ?2
               AND status IN ('completed', 'signed_off') AND closure IS NOT NULL",
            params![
                crate::analytics::midnight(period.from),
                crate::analytics::midnight(period.to)
            ],
            |r| {
                let opened = parse_ts(&r.text("opened_at")?)?;
                Ok((
                    WorkRef {
                        id: WorkOrderId(r.uuid("id")?),
                        asset_id: AssetId(r.uuid("asset_id")?),
                        day: opened.date_naive(),
                    },
                    ClosureCode::parse(&r.text("closure")?),
                ))
            },
        )
    }

    /// Closed corrective visits opened in `period` within `days` of the
    /// asset's previous visit completing (or while it was still open): the
    /// repeat repairs the facts count.
    pub fn repeat_visits_in(&self, period: Period, days: u32) -> Result<Vec<WorkRef>> {
        let repeat_ms = i64::from(days) * 86_400_000;
        self.collect(
            "SELECT id, asset_id, day FROM analytics_repeats
             WHERE day >= ?1 AND day < ?2 AND (gap_ms IS NULL OR gap_ms <= ?3)",
            params![day_key(period.from), day_key(period.to), repeat_ms],
            |r| {
                Ok(WorkRef {
                    id: WorkOrderId(r.get(0)?),
                    asset_id: AssetId(r.get(1)?),
                    day: day_date(r.get(2)?),
                })
            },
        )
    }

    /// PMs due in `period` with their outcome at the period's end (`None`:
    /// no plan to judge the window by), as the facts count them.
    pub fn pm_outcomes_in(
        &self,
        period: Period,
        settings: &Settings,
    ) -> Result<Vec<(WorkRef, Option<PmOutcome>)>> {
        let mut out = Vec::new();
        self.for_each_pm_outcome(period, settings, |asset_id, id, day, outcome| {
            out.push((WorkRef { id, asset_id, day }, outcome));
        })?;
        Ok(out)
    }

    /// Non-cancelled work orders with downtime inside `period` (open
    /// downtime runs on).
    pub fn downtime_work_in(&self, period: Period) -> Result<Vec<WorkRef>> {
        self.collect(
            "SELECT DISTINCT w.id, w.asset_id, w.opened_at
             FROM downtime d JOIN work_orders w ON w.id = d.work_order_id
             WHERE w.status <> 'cancelled' AND d.started_at < ?2
               AND (d.ended_at IS NULL OR d.ended_at > ?1)",
            params![
                crate::analytics::midnight(period.from),
                crate::analytics::midnight(period.to)
            ],
            work_ref,
        )
    }

    /// Non-cancelled work orders with labor performed, parts recorded or
    /// an invoice dated in `period`: the records service cost sums.
    pub fn costed_work_in(&self, period: Period) -> Result<Vec<WorkRef>> {
        self.collect(
            "SELECT w.id, w.asset_id, w.opened_at FROM work_orders w
             WHERE w.status <> 'cancelled' AND w.id IN (
                 SELECT work_order_id FROM labor WHERE performed_on >= ?1 AND performed_on < ?2
                 UNION SELECT work_order_id FROM part_uses WHERE recorded_at >= ?3 AND recorded_at < ?4
                 UNION SELECT work_order_id FROM vendor_charges WHERE invoiced_on >= ?1 AND invoiced_on < ?2)",
            params![
                date(period.from),
                date(period.to),
                crate::analytics::midnight(period.from),
                crate::analytics::midnight(period.to)
            ],
            work_ref,
        )
    }

    /// The summaries of `ids`, in that order (unknown ids are left out).
    pub fn work_order_summaries(&self, ids: &[WorkOrderId]) -> Result<Vec<WorkOrderSummary>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(s) = self.work_order_summary(*id)? {
                out.push(s);
            }
        }
        Ok(out)
    }
}

fn work_ref(r: &rusqlite::Row<'_>) -> Result<WorkRef> {
    Ok(WorkRef {
        id: WorkOrderId(r.get(0)?),
        asset_id: AssetId(r.get(1)?),
        day: parse_ts(&r.get::<_, String>(2)?)?.date_naive(),
    })
}
