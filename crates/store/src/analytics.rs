//! The analytics' inputs, read with set-based SQL: one [`AssetFacts`] row
//! per active asset for a period, built from a few `GROUP BY asset_id`
//! queries over the history (labor, parts, vendor invoices, downtime,
//! corrective closures, repeat visits) plus one pass over the PMs due in
//! the period, so a report never loads work orders into memory. The
//! meaning of every field is pinned down by
//! [`biomend_analytics::facts::FactsBuilder`]; `tests/analytics.rs` checks
//! these queries give the same rows for the same hospital.
//!
//! Also the reference data the analytics read beside the facts
//! ([`AnalyticsCatalog`]: inventory, models, contracts, recalls, network
//! profiles, usage windows, training events).

use crate::codec::*;
use crate::read::{
    Reader, asset_row, contract_row, device_type_row, model_row, network_profile_row, pm_plan_row,
    site_row, user_row,
};
use crate::{Result, StoreError};
use biomend_analytics::facts::{AssetFacts, AssetKey, Catalog};
use biomend_analytics::measures::classify_pm;
use biomend_analytics::{Period, Settings};
use biomend_domain::Money;
use biomend_domain::asset::{Asset, AssetStatus};
use biomend_domain::catalog::{DeviceType, Model};
use biomend_domain::ids::*;
use biomend_domain::inventory::ServiceContract;
use biomend_domain::network::NetworkProfile;
use biomend_domain::org::{Department, Site};
use biomend_domain::pm::PmPlan;
use biomend_domain::recall::{Recall, RecallAction, RecallAsset, RecallSource};
use biomend_domain::risk::EmScore;
use biomend_domain::training::TrainingEvent;
use biomend_domain::usage::UsageWindow;
use biomend_domain::user::User;
use biomend_domain::work_order::{AttemptOutcome, WorkOrderStatus};
use chrono::{NaiveDate, NaiveTime};
use rusqlite::{Row, named_params};
use std::collections::HashMap;

/// Everything [`Catalog`] borrows, owned, plus the names reports print.
#[derive(Clone, Debug, Default)]
pub struct AnalyticsCatalog {
    pub sites: Vec<Site>,
    pub departments: Vec<Department>,
    pub manufacturers: Vec<(ManufacturerId, String)>,
    pub device_types: Vec<DeviceType>,
    pub models: Vec<Model>,
    pub assets: Vec<Asset>,
    pub users: Vec<User>,
    pub contracts: Vec<ServiceContract>,
    pub pm_plans: Vec<PmPlan>,
    pub recalls: Vec<Recall>,
    pub recall_assets: Vec<RecallAsset>,
    pub network_profiles: Vec<NetworkProfile>,
    pub usage_windows: Vec<UsageWindow>,
    pub training_events: Vec<TrainingEvent>,
}

impl AnalyticsCatalog {
    pub fn catalog(&self) -> Catalog<'_> {
        Catalog {
            departments: &self.departments,
            device_types: &self.device_types,
            models: &self.models,
            assets: &self.assets,
            users: &self.users,
            contracts: &self.contracts,
            pm_plans: &self.pm_plans,
            recalls: &self.recalls,
            recall_assets: &self.recall_assets,
            network_profiles: &self.network_profiles,
            usage_windows: &self.usage_windows,
        }
    }
}

/// The reference data without the inventory: what a report needs to name
/// groups and judge PMs, small enough to read on every report.
#[derive(Clone, Debug, Default)]
pub struct ReportNames {
    pub sites: Vec<Site>,
    pub departments: Vec<Department>,
    pub manufacturers: Vec<(ManufacturerId, String)>,
    pub device_types: Vec<DeviceType>,
    pub models: Vec<Model>,
}

fn recall_row(r: &Row<'_>) -> Result<Recall> {
    Ok(Recall {
        id: RecallId(r.uuid("id")?),
        source: r.code("source", RecallSource::parse)?,
        number: r.text("number")?,
        title: r.text("title")?,
        received_on: r.date("received_on")?,
        manufacturer: r.text_opt("manufacturer")?,
        model: r.text_opt("model")?,
        device_type_code: r.text_opt("device_type_code")?,
        product_code: r.text_opt("product_code")?,
        closed_on: r.date_opt("closed_on")?,
    })
}

fn recall_asset_row(r: &Row<'_>) -> Result<RecallAsset> {
    Ok(RecallAsset {
        recall_id: RecallId(r.uuid("recall_id")?),
        asset_id: AssetId(r.uuid("asset_id")?),
        action: r.code("action", RecallAction::parse)?,
        work_order_id: r.uuid_opt("work_order_id")?.map(WorkOrderId),
        acted_on: r.date_opt("acted_on")?,
    })
}

fn time(s: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").map_err(|e| StoreError::Corrupt {
        what: "time of day",
        detail: format!("'{s}': {e}"),
    })
}

fn training_row(r: &Row<'_>) -> Result<TrainingEvent> {
    Ok(TrainingEvent {
        id: TrainingEventId(r.uuid("id")?),
        department_id: DepartmentId(r.uuid("department_id")?),
        device_type_id: DeviceTypeId(r.uuid("device_type_id")?),
        held_on: r.date("held_on")?,
        topic: r.text("topic")?,
        trainer: r.text("trainer")?,
        attendees: r.int("attendees")? as u32,
    })
}

/// Midnight UTC of `d` as stored instants are written, so text comparison
/// with stored instants is time comparison.
fn midnight(d: NaiveDate) -> String {
    format!("{}T00:00:00.000Z", date(d))
}

/// An asset's base row: who it is, how long the period covered it.
struct Base {
    facts: AssetFacts,
    start: NaiveDate,
    contract: Option<ContractId>,
}

impl<'c> Reader<'c> {
    /// Names for report groups: sites, departments, manufacturers, device
    /// types and models.
    pub fn report_names(&self) -> Result<ReportNames> {
        Ok(ReportNames {
            sites: self.collect("SELECT * FROM sites ORDER BY code", [], site_row)?,
            departments: self.departments()?,
            manufacturers: self.collect(
                "SELECT id, name FROM manufacturers ORDER BY name",
                [],
                |r| Ok((ManufacturerId(r.uuid("id")?), r.text("name")?)),
            )?,
            device_types: self.collect(
                "SELECT * FROM device_types ORDER BY code",
                [],
                device_type_row,
            )?,
            models: self.collect("SELECT * FROM models ORDER BY name", [], model_row)?,
        })
    }

    /// The whole catalog the asset profiles need (every asset, its network
    /// profile, recalls, usage windows...): a 100k-asset inventory is tens
    /// of megabytes, read once per report.
    pub fn analytics_catalog(&self) -> Result<AnalyticsCatalog> {
        let names = self.report_names()?;
        let c = self.c;
        Ok(AnalyticsCatalog {
            sites: names.sites,
            departments: names.departments,
            manufacturers: names.manufacturers,
            device_types: names.device_types,
            models: names.models,
            assets: self.collect("SELECT * FROM assets", [], asset_row)?,
            users: self.collect("SELECT * FROM users ORDER BY username", [], |r| {
                user_row(c, r)
            })?,
            contracts: self.collect("SELECT * FROM service_contracts", [], contract_row)?,
            pm_plans: self.pm_plans()?,
            recalls: self.collect("SELECT * FROM recalls", [], recall_row)?,
            recall_assets: self.collect("SELECT * FROM recall_assets", [], recall_asset_row)?,
            network_profiles: self.collect(
                "SELECT * FROM network_profiles",
                [],
                network_profile_row,
            )?,
            usage_windows: self.usage_windows()?,
            training_events: self.training_events()?,
        })
    }

    /// The catalog with one asset in its inventory (and only its network
    /// profile and recall matches): enough for that asset's profile
    /// without reading the whole inventory.
    pub fn analytics_catalog_for(&self, asset: AssetId) -> Result<AnalyticsCatalog> {
        let names = self.report_names()?;
        Ok(AnalyticsCatalog {
            sites: names.sites,
            departments: names.departments,
            manufacturers: names.manufacturers,
            device_types: names.device_types,
            models: names.models,
            assets: self.collect("SELECT * FROM assets WHERE id = ?1", [asset.0], asset_row)?,
            users: Vec::new(),
            contracts: self.collect("SELECT * FROM service_contracts", [], contract_row)?,
            pm_plans: self.pm_plans()?,
            recalls: self.collect("SELECT * FROM recalls", [], recall_row)?,
            recall_assets: self.collect(
                "SELECT * FROM recall_assets WHERE asset_id = ?1",
                [asset.0],
                recall_asset_row,
            )?,
            network_profiles: self.collect(
                "SELECT * FROM network_profiles WHERE asset_id = ?1",
                [asset.0],
                network_profile_row,
            )?,
            usage_windows: self.usage_windows()?,
            training_events: Vec::new(),
        })
    }

    fn usage_windows(&self) -> Result<Vec<UsageWindow>> {
        self.collect("SELECT * FROM usage_windows", [], |r| {
            Ok(UsageWindow {
                id: UsageWindowId(r.uuid("id")?),
                department_id: DepartmentId(r.uuid("department_id")?),
                device_type_id: r.uuid_opt("device_type_id")?.map(DeviceTypeId),
                weekdays: r.int("weekdays")? as u8,
                starts: time(&r.text("starts")?)?,
                ends: time(&r.text("ends")?)?,
            })
        })
    }

    pub fn pm_plans(&self) -> Result<Vec<PmPlan>> {
        self.collect("SELECT * FROM pm_plans", [], pm_plan_row)
    }

    /// Training events, newest first.
    pub fn training_events(&self) -> Result<Vec<TrainingEvent>> {
        self.collect(
            "SELECT * FROM training_events ORDER BY held_on DESC, id",
            [],
            training_row,
        )
    }

    pub fn training_event(&self, id: TrainingEventId) -> Result<Option<TrainingEvent>> {
        self.one(
            "SELECT * FROM training_events WHERE id = ?1",
            [id.0],
            training_row,
        )
    }

    /// One row per active asset the period covers, with the period's work
    /// summed per asset in SQL. Same rows, field for field, as
    /// [`biomend_analytics::facts::FactsBuilder`] fed the whole history.
    pub fn asset_facts(&self, period: Period, settings: &Settings) -> Result<Vec<AssetFacts>> {
        let mut base = self.base_rows(period, settings)?;
        let index: HashMap<AssetId, usize> = base
            .iter()
            .enumerate()
            .map(|(i, b)| (b.facts.key.asset_id, i))
            .collect();
        self.allocate_contracts(&mut base, &index, period)?;
        let from = date(period.from);
        let to = date(period.to);
        let start_ts = midnight(period.from);
        let end_ts = midnight(period.to);
        let at = |id: uuid::Uuid| index.get(&AssetId(id)).copied();

        // Labor by the day it was performed. Costs are rounded per work
        // order, as the builder does per bundle.
        let mut st = self.c.prepare_cached(
            "SELECT w.asset_id, sum(x.minutes) AS minutes, sum(x.unrated) AS unrated, sum(x.cost) AS cost
             FROM (SELECT l.work_order_id,
                          sum(l.minutes) AS minutes,
                          sum(CASE WHEN u.loaded_rate_cents IS NULL THEN l.minutes ELSE 0 END) AS unrated,
                          coalesce(round(sum(l.minutes / 60.0 * coalesce(u.loaded_rate_cents, :fallback))), 0) AS cost
                   FROM labor l LEFT JOIN users u ON u.id = l.technician_id
                   WHERE l.performed_on >= :from AND l.performed_on < :to
                   GROUP BY l.work_order_id) x
             JOIN work_orders w ON w.id = x.work_order_id
             WHERE w.status <> 'cancelled'
             GROUP BY w.asset_id",
        )?;
        let mut rows = st.query(named_params! {
            ":from": from, ":to": to, ":fallback": settings.fallback_loaded_rate_cents,
        })?;
        while let Some(r) = rows.next()? {
            if let Some(i) = at(r.uuid("asset_id")?) {
                let f = &mut base[i].facts;
                f.labor_hours = r.int("minutes")? as f64 / 60.0;
                f.unrated_labor_hours = r.int("unrated")? as f64 / 60.0;
                f.cost.labor = Money(r.get::<_, f64>("cost")? as i64);
            }
        }

        // Parts by the day they were recorded, invoices by their date.
        for (sql, vendor) in [
            (
                "SELECT w.asset_id, sum(p.quantity * p.unit_cost_cents) AS cents
                 FROM part_uses p JOIN work_orders w ON w.id = p.work_order_id
                 WHERE p.recorded_at >= :from AND p.recorded_at < :to AND w.status <> 'cancelled'
                 GROUP BY w.asset_id",
                false,
            ),
            (
                "SELECT w.asset_id, sum(v.labor_cost_cents + v.parts_cost_cents + v.travel_cost_cents) AS cents
                 FROM vendor_charges v JOIN work_orders w ON w.id = v.work_order_id
                 WHERE v.invoiced_on >= :from AND v.invoiced_on < :to AND w.status <> 'cancelled'
                 GROUP BY w.asset_id",
                true,
            ),
        ] {
            let mut st = self.c.prepare_cached(sql)?;
            let mut rows = st.query(named_params! { ":from": from, ":to": to })?;
            while let Some(r) = rows.next()? {
                if let Some(i) = at(r.uuid("asset_id")?) {
                    let cost = &mut base[i].facts.cost;
                    if vendor {
                        cost.vendor = Money(r.int("cents")?);
                    } else {
                        cost.parts = Money(r.int("cents")?);
                    }
                }
            }
        }

        // Downtime inside each asset's covered time; an open period runs to
        // the period's end. Whole seconds, as the domain counts them.
        let mut st = self.c.prepare_cached(
            "SELECT asset_id, sum(secs * factor) / 3600.0 AS weighted, sum(secs) / 3600.0 AS down
             FROM (SELECT w.asset_id, d.partial_factor AS factor,
                          CAST(round((julianday(min(coalesce(d.ended_at, :end_ts), :end_ts))
                                     - julianday(max(d.started_at, :start_ts,
                                                     coalesce(a.acquired_on || 'T00:00:00.000Z', :start_ts))))
                                     * 86400000) AS INTEGER) / 1000 AS secs
                   FROM downtime d INDEXED BY downtime_ended
                   JOIN work_orders w ON w.id = d.work_order_id
                   JOIN assets a ON a.id = w.asset_id
                   WHERE (d.ended_at > :start_ts OR d.ended_at IS NULL) AND d.started_at < :end_ts
                     AND w.status <> 'cancelled')
             WHERE secs > 0
             GROUP BY asset_id",
        )?;
        let mut rows = st.query(named_params! { ":start_ts": start_ts, ":end_ts": end_ts })?;
        while let Some(r) = rows.next()? {
            if let Some(i) = at(r.uuid("asset_id")?) {
                let f = &mut base[i].facts;
                f.weighted_downtime_hours = r.get("weighted")?;
                f.downtime_hours = r.get("down")?;
            }
        }

        // Corrective work orders opened in the period and closed, with the
        // repairs' elapsed and labor hours, and the repeat visits: a closed
        // one opened within N days of the asset's previous corrective
        // completing (or while it was still open).
        let mut st = self.c.prepare_cached(
            "SELECT w.asset_id,
                    count(*) AS closed,
                    sum(w.closure LIKE 'failure:%') AS failures,
                    sum(w.closure = 'cnd') AS cnd,
                    sum(w.closure = 'use_error') AS use_error,
                    sum(w.closure = 'abuse') AS abuse,
                    sum(w.closure LIKE 'failure:%' AND w.completed_at IS NOT NULL) AS repairs,
                    sum(CASE WHEN w.closure LIKE 'failure:%' AND w.completed_at IS NOT NULL
                             THEN max(0, CAST(round((julianday(w.completed_at) - julianday(w.opened_at)) * 86400000) AS INTEGER) / 1000)
                             ELSE 0 END) AS repair_secs,
                    sum(CASE WHEN w.closure LIKE 'failure:%' AND w.completed_at IS NOT NULL
                             THEN (SELECT coalesce(sum(l.minutes), 0) FROM labor l WHERE l.work_order_id = w.id)
                             ELSE 0 END) AS repair_minutes,
                    sum((SELECT p.opened_at IS NOT NULL AND (p.completed_at IS NULL
                                OR round((julianday(w.opened_at) - julianday(p.completed_at)) * 86400000) <= :repeat_ms)
                         FROM work_orders p
                         WHERE p.asset_id = w.asset_id AND p.kind = 'corrective' AND p.status <> 'cancelled'
                           AND p.opened_at < w.opened_at
                         ORDER BY p.opened_at DESC LIMIT 1)) AS repeats
             FROM work_orders w
             WHERE w.kind = 'corrective' AND w.status IN ('completed', 'signed_off') AND w.closure IS NOT NULL
               AND w.opened_at >= :from AND w.opened_at < :to
             GROUP BY w.asset_id",
        )?;
        let repeat_ms = i64::from(settings.repeat_repair_days) * 86_400_000;
        let mut rows =
            st.query(named_params! { ":from": from, ":to": to, ":repeat_ms": repeat_ms })?;
        while let Some(r) = rows.next()? {
            if let Some(i) = at(r.uuid("asset_id")?) {
                let f = &mut base[i].facts;
                let n = |c: &str| -> Result<u32> { Ok(r.int_opt(c)?.unwrap_or(0) as u32) };
                f.corrective.closed = n("closed")?;
                f.corrective.failures = n("failures")?;
                f.corrective.cnd = n("cnd")?;
                f.corrective.use_error = n("use_error")?;
                f.corrective.abuse = n("abuse")?;
                f.corrective.repeats = n("repeats")?;
                f.repairs = n("repairs")?;
                f.repair_hours = r.int("repair_secs")? as f64 / 3600.0;
                f.repair_labor_hours = r.int("repair_minutes")? as f64 / 60.0;
            }
        }

        self.pm_outcomes(&mut base, &index, period, settings)?;
        self.recalls_received(&mut base, &index, period)?;
        Ok(base.into_iter().map(|b| b.facts).collect())
    }

    /// Active assets the period covers, keyed and classed, without work.
    fn base_rows(&self, period: Period, settings: &Settings) -> Result<Vec<Base>> {
        let end = period.end();
        self.collect(
            "SELECT a.id, a.status, a.acquired_on, a.acquisition_cost_cents, a.contract_id,
                    a.risk_function, a.risk_physical, a.risk_maintenance, a.risk_incident,
                    (a.life_support_override OR t.life_support) AS life_support,
                    d.site_id, a.department_id, m.device_type_id, a.model_id, m.manufacturer_id
             FROM assets a
             JOIN models m ON m.id = a.model_id
             JOIN device_types t ON t.id = m.device_type_id
             JOIN departments d ON d.id = a.department_id
             WHERE a.status NOT IN ('retired', 'missing')
             ORDER BY a.seq",
            [],
            |r| {
                let acquired = r.date_opt("acquired_on")?;
                let start = acquired.map_or(period.from, |d| d.max(period.from));
                let covered = ((end - start.and_time(NaiveTime::MIN).and_utc())
                    .num_seconds()
                    .max(0)) as f64
                    / 3600.0;
                let risk = EmScore {
                    function: r.int("risk_function")? as u8,
                    physical_risk: r.int("risk_physical")? as u8,
                    maintenance: r.int("risk_maintenance")? as u8,
                    incident_history: r.int("risk_incident")? as i8,
                };
                let key = AssetKey {
                    asset_id: AssetId(r.uuid("id")?),
                    site_id: SiteId(r.uuid("site_id")?),
                    department_id: DepartmentId(r.uuid("department_id")?),
                    device_type_id: DeviceTypeId(r.uuid("device_type_id")?),
                    model_id: ModelId(r.uuid("model_id")?),
                    manufacturer_id: ManufacturerId(r.uuid("manufacturer_id")?),
                };
                // Checked so a status this code does not know is reported,
                // not silently counted as active.
                r.code("status", AssetStatus::parse)?;
                Ok(Base {
                    facts: AssetFacts::empty(
                        key,
                        settings.risk.classify(&risk, r.int("life_support")? != 0),
                        r.int_opt("acquisition_cost_cents")?.map(Money),
                        covered,
                    ),
                    start,
                    contract: r.uuid_opt("contract_id")?.map(ContractId),
                })
            },
        )
        .map(|v| {
            v.into_iter()
                .filter(|b| b.facts.covered_hours > 0.0)
                .collect()
        })
    }

    /// Each contract's annual cost shared among the covered assets by
    /// acquisition cost (evenly when none is known), for the days it ran
    /// inside each asset's covered time. Contracts are few; the sharing is
    /// arithmetic over the base rows.
    fn allocate_contracts(
        &self,
        base: &mut [Base],
        index: &HashMap<AssetId, usize>,
        period: Period,
    ) -> Result<()> {
        let contracts = self.collect("SELECT * FROM service_contracts", [], contract_row)?;
        let mut members: HashMap<ContractId, Vec<usize>> = HashMap::new();
        for (i, b) in base.iter().enumerate() {
            if let Some(c) = b.contract {
                members.entry(c).or_default().push(i);
            }
        }
        debug_assert_eq!(index.len(), base.len());
        for c in contracts {
            let Some(covered) = members.get(&c.id) else {
                continue;
            };
            let cost = |b: &Base| b.facts.acquisition_cost.map_or(0, |m| m.cents().max(0));
            let total: i64 = covered.iter().map(|&i| cost(&base[i])).sum();
            for &i in covered {
                let share = if total > 0 {
                    cost(&base[i]) as f64 / total as f64
                } else {
                    1.0 / covered.len() as f64
                };
                let from = base[i].start.max(c.starts_on);
                let to = period.to.min(c.ends_on + chrono::Duration::days(1));
                let days = (to - from).num_days().max(0) as f64;
                let cents = c.annual_cost.cents() as f64 * share * days / 365.25;
                let f = &mut base[i].facts;
                f.cost.contracts = f.cost.contracts + Money(cents.round() as i64);
            }
        }
        Ok(())
    }

    /// PMs due in the period, judged by the window rule at the period's end.
    /// The window rule is code (`classify_pm`), so the due PMs stream
    /// through it with their attempts; nothing is kept but the counts.
    fn pm_outcomes(
        &self,
        base: &mut [Base],
        index: &HashMap<AssetId, usize>,
        period: Period,
        settings: &Settings,
    ) -> Result<()> {
        let plan_days: HashMap<PmPlanId, i64> = self
            .pm_plans()?
            .iter()
            .map(|p| (p.id, p.interval_days()))
            .collect();
        let mut st = self.c.prepare_cached(
            "SELECT w.asset_id, w.due_on, w.pm_plan_id, w.status, w.completed_at,
                    (SELECT group_concat(substr(t.attempted_at, 1, 10) || ' ' || t.outcome, ',')
                     FROM pm_attempts t WHERE t.work_order_id = w.id) AS attempts
             FROM work_orders w INDEXED BY work_orders_pm_due
             WHERE w.kind = 'pm' AND w.status <> 'cancelled'
               AND w.due_on >= :from AND w.due_on < :to",
        )?;
        let mut rows = st.query(named_params! {
            ":from": date(period.from), ":to": date(period.to),
        })?;
        while let Some(r) = rows.next()? {
            let Some(&i) = index.get(&AssetId(r.uuid("asset_id")?)) else {
                continue;
            };
            let pm = &mut base[i].facts.pm;
            let Some(&days) = r
                .uuid_opt("pm_plan_id")?
                .and_then(|p| plan_days.get(&PmPlanId(p)))
            else {
                pm.without_plan += 1;
                continue;
            };
            let status = r.code("status", WorkOrderStatus::parse)?;
            let done = r
                .ts_opt("completed_at")?
                .filter(|_| status.is_done())
                .map(|t| t.date_naive());
            let mut attempts = Vec::new();
            for a in r.text_opt("attempts")?.iter().flat_map(|s| s.split(',')) {
                let (day, outcome) = a.split_once(' ').ok_or_else(|| StoreError::Corrupt {
                    what: "PM attempt",
                    detail: a.to_string(),
                })?;
                let outcome =
                    AttemptOutcome::parse(outcome).ok_or_else(|| StoreError::Corrupt {
                        what: "PM attempt outcome",
                        detail: outcome.to_string(),
                    })?;
                attempts.push((parse_date(day)?, outcome));
            }
            pm.record(classify_pm(
                r.date("due_on")?,
                days,
                done,
                &attempts,
                period.to,
                settings.pm_window,
            ));
        }
        Ok(())
    }

    /// Recalls received in the period that matched each asset.
    fn recalls_received(
        &self,
        base: &mut [Base],
        index: &HashMap<AssetId, usize>,
        period: Period,
    ) -> Result<()> {
        let mut st = self.c.prepare_cached(
            "SELECT ra.asset_id, ra.recall_id FROM recall_assets ra
             JOIN recalls r ON r.id = ra.recall_id
             WHERE r.received_on >= :from AND r.received_on < :to",
        )?;
        let mut rows = st.query(named_params! {
            ":from": date(period.from), ":to": date(period.to),
        })?;
        while let Some(r) = rows.next()? {
            if let Some(&i) = index.get(&AssetId(r.uuid("asset_id")?)) {
                let id = RecallId(r.uuid("recall_id")?);
                let v = &mut base[i].facts.recalls;
                if !v.contains(&id) {
                    v.push(id);
                }
            }
        }
        Ok(())
    }
}
