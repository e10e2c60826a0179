//! Per-asset aggregates for one period: the rows every report groups.
//!
//! [`AssetFacts`] is what a store query returns with one `GROUP BY
//! asset_id` per period (counts, sums, hours), so a report never needs the
//! whole hospital's work orders in memory. [`FactsBuilder`] computes the
//! same rows from domain records, streamed one work order at a time (the
//! demo hospital's history, or a store cursor), and pins down what each
//! field means.

use crate::explain::{HOURS_PER_YEAR, Period};
use crate::measures::{CorrectiveCounts, PmCounts, ServiceCost, classify_pm, is_repeat};
use crate::settings::Settings;
use biomend_domain::Money;
use biomend_domain::asset::Asset;
use biomend_domain::catalog::{DeviceType, Model};
use biomend_domain::dataset::{Dataset, WorkOrderBundle};
use biomend_domain::ids::*;
use biomend_domain::inventory::ServiceContract;
use biomend_domain::network::NetworkProfile;
use biomend_domain::org::Department;
use biomend_domain::pm::PmPlan;
use biomend_domain::recall::{Recall, RecallAsset};
use biomend_domain::risk::RiskClass;
use biomend_domain::usage::UsageWindow;
use biomend_domain::user::User;
use biomend_domain::work_order::{ClosureCode, WorkOrderKind, WorkOrderStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Everything an asset is grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AssetKey {
    pub asset_id: AssetId,
    pub site_id: SiteId,
    pub department_id: DepartmentId,
    pub device_type_id: DeviceTypeId,
    pub model_id: ModelId,
    pub manufacturer_id: ManufacturerId,
}

/// One asset over one period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetFacts {
    pub key: AssetKey,
    pub risk_class: RiskClass,
    pub acquisition_cost: Option<Money>,
    /// Hours the asset was in the inventory during the period (from the
    /// later of the period start and its acquisition), round the clock.
    pub covered_hours: f64,
    /// Downtime inside the covered hours, as recorded...
    pub downtime_hours: f64,
    /// ...and weighted by each period's partial-down factor.
    pub weighted_downtime_hours: f64,
    /// Closed corrective work orders opened in the period.
    pub corrective: CorrectiveCounts,
    /// Completed corrective work orders closed as device failure, opened in
    /// the period, and their elapsed and labor hours (for MTTR).
    pub repairs: u32,
    pub repair_hours: f64,
    pub repair_labor_hours: f64,
    /// All labor booked in the period, and the part of it by technicians
    /// without a loaded rate (costed at the fallback rate, or zero).
    pub labor_hours: f64,
    pub unrated_labor_hours: f64,
    /// Service cost of records dated in the period (labor performed, parts
    /// recorded, invoices dated) plus the contract share for the period.
    pub cost: ServiceCost,
    /// PMs due in the period, by outcome (evaluated at the period's end).
    pub pm: PmCounts,
    /// Recalls received in the period that matched this asset.
    pub recalls: Vec<RecallId>,
}

impl AssetFacts {
    pub fn operating_hours(&self) -> f64 {
        (self.covered_hours - self.weighted_downtime_hours).max(0.0)
    }

    pub fn unit_years(&self) -> f64 {
        self.covered_hours / HOURS_PER_YEAR
    }

    /// Acquisition cost × years covered, in cent-years (COSR's
    /// denominator); `None` without an acquisition cost.
    pub fn acquisition_cost_years(&self) -> Option<f64> {
        self.acquisition_cost
            .filter(|c| c.cents() > 0)
            .map(|c| c.cents() as f64 * self.unit_years())
    }

    /// An empty row for an asset covered for `covered_hours`.
    pub fn empty(
        key: AssetKey,
        risk_class: RiskClass,
        acquisition_cost: Option<Money>,
        covered_hours: f64,
    ) -> AssetFacts {
        AssetFacts {
            key,
            risk_class,
            acquisition_cost,
            covered_hours,
            downtime_hours: 0.0,
            weighted_downtime_hours: 0.0,
            corrective: CorrectiveCounts::default(),
            repairs: 0,
            repair_hours: 0.0,
            repair_labor_hours: 0.0,
            labor_hours: 0.0,
            unrated_labor_hours: 0.0,
            cost: ServiceCost::default(),
            pm: PmCounts::default(),
            recalls: Vec::new(),
        }
    }
}

/// The reference data and inventory the analytics read, as slices, so a
/// caller passes what it has loaded without building a [`Dataset`].
#[derive(Clone, Copy, Debug)]
pub struct Catalog<'a> {
    pub departments: &'a [Department],
    pub device_types: &'a [DeviceType],
    pub models: &'a [Model],
    pub assets: &'a [Asset],
    pub users: &'a [User],
    pub contracts: &'a [ServiceContract],
    pub pm_plans: &'a [PmPlan],
    pub recalls: &'a [Recall],
    pub recall_assets: &'a [RecallAsset],
    pub network_profiles: &'a [NetworkProfile],
    pub usage_windows: &'a [UsageWindow],
}

impl<'a> Catalog<'a> {
    pub fn of(d: &'a Dataset) -> Catalog<'a> {
        Catalog {
            departments: &d.departments,
            device_types: &d.device_types,
            models: &d.models,
            assets: &d.assets,
            users: &d.users,
            contracts: &d.contracts,
            pm_plans: &d.pm_plans,
            recalls: &d.recalls,
            recall_assets: &d.recall_assets,
            network_profiles: &d.network_profiles,
            usage_windows: &d.usage_windows,
        }
    }

    pub fn model(&self, id: ModelId) -> Option<&'a Model> {
        self.models.iter().find(|m| m.id == id)
    }

    pub fn device_type(&self, id: DeviceTypeId) -> Option<&'a DeviceType> {
        self.device_types.iter().find(|t| t.id == id)
    }
}

/// The grouping key of an asset, if its model, device type and department
/// are in the catalog.
pub fn asset_key(
    a: &Asset,
    models: &HashMap<ModelId, &Model>,
    depts: &HashMap<DepartmentId, &Department>,
) -> Option<AssetKey> {
    let m = models.get(&a.model_id)?;
    let dept = depts.get(&a.department_id)?;
    Some(AssetKey {
        asset_id: a.id,
        site_id: dept.site_id,
        department_id: a.department_id,
        device_type_id: m.device_type_id,
        model_id: m.id,
        manufacturer_id: m.manufacturer_id,
    })
}

/// Expected life: the asset's own, else its model's, else its type's.
pub fn expected_life_years(a: &Asset, m: Option<&Model>, t: Option<&DeviceType>) -> Option<u16> {
    a.expected_life_years
        .or(m.and_then(|m| m.expected_life_years))
        .or(t.map(|t| t.expected_life_years))
        .filter(|y| *y > 0)
}

/// Labor cost of an asset over a period: minutes × cents per hour of the
/// technicians with a loaded rate, plus the other minutes at the fallback
/// rate (none: not costed), divided by 60 and rounded to the cent (half
/// up) once per asset and period, so per-day sums add up to it exactly.
pub fn labor_cost(rated_cents_min: i64, unrated_minutes: i64, fallback: Option<i64>) -> Money {
    let total = rated_cents_min + unrated_minutes * fallback.unwrap_or(0);
    Money((total + 30).div_euclid(60))
}

/// Downtime inside `[from, to)` in milliseconds, as recorded and weighted
/// by the partial-down factor; an open period runs to `to`.
pub fn downtime_ms_within(
    d: &biomend_domain::work_order::Downtime,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> (i64, f64) {
    let start = d.started_at.max(from);
    let end = d.ended_at.unwrap_or(to).min(to);
    if end <= start {
        return (0, 0.0);
    }
    let ms = (end - start).num_milliseconds();
    (ms, ms as f64 * d.partial_factor)
}

/// Milliseconds in an hour.
pub const MS_PER_HOUR: f64 = 3_600_000.0;

fn hours(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    ((to - from).num_seconds().max(0)) as f64 / 3600.0
}

struct Corrective {
    opened: DateTime<Utc>,
    completed: Option<DateTime<Utc>>,
    /// Opened in the period and closed: counted in the rates.
    counted: bool,
}

struct Row {
    facts: AssetFacts,
    start: DateTime<Utc>,
    corrective: Vec<Corrective>,
    /// Labor minutes × cents per hour of rated technicians, and minutes
    /// of the others: costed once, in [`FactsBuilder::finish`].
    rated_cents_min: i64,
    unrated_minutes: i64,
}

/// Builds [`AssetFacts`] for one period from work-order bundles fed in any
/// order. Work before the period still matters (a repeat repair's first
/// visit may fall just before it), so feed the history up to the period's
/// end; bundles for assets outside the inventory given are ignored.
///
/// Retired and missing assets are left out: the model keeps no retirement
/// date, so their covered hours cannot be known.
#[derive(Debug)]
pub struct FactsBuilder {
    period: Period,
    settings: Settings,
    rows: Vec<Row>,
    index: HashMap<AssetId, usize>,
    rates: HashMap<UserId, Option<i64>>,
    plan_days: HashMap<PmPlanId, i64>,
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Row")
            .field("asset", &self.facts.key.asset_id)
            .finish()
    }
}

impl FactsBuilder {
    pub fn new(catalog: &Catalog<'_>, period: Period, settings: &Settings) -> FactsBuilder {
        let models: HashMap<ModelId, &Model> = catalog.models.iter().map(|m| (m.id, m)).collect();
        let types: HashMap<DeviceTypeId, &DeviceType> =
            catalog.device_types.iter().map(|t| (t.id, t)).collect();
        let depts: HashMap<DepartmentId, &Department> =
            catalog.departments.iter().map(|d| (d.id, d)).collect();
        let mut rows = Vec::new();
        let mut index = HashMap::new();
        for a in catalog.assets.iter().filter(|a| a.status.is_active()) {
            let Some(key) = asset_key(a, &models, &depts) else {
                continue;
            };
            let start = a
                .acquired_on
                .map_or(period.from, |d| d.max(period.from))
                .and_time(chrono::NaiveTime::MIN)
                .and_utc();
            let covered = hours(start, period.end());
            if covered <= 0.0 {
                continue;
            }
            let life_support = a.life_support_override
                || types
                    .get(&key.device_type_id)
                    .is_some_and(|t| t.life_support);
            let class = settings.risk.classify(&a.risk, life_support);
            index.insert(a.id, rows.len());
            rows.push(Row {
                facts: AssetFacts::empty(key, class, a.acquisition_cost, covered),
                start,
                corrective: Vec::new(),
                rated_cents_min: 0,
                unrated_minutes: 0,
            });
        }
        let mut b = FactsBuilder {
            period,
            settings: settings.clone(),
            rows,
            index,
            rates: catalog
                .users
                .iter()
                .map(|u| (u.id, u.loaded_rate_cents))
                .collect(),
            plan_days: catalog
                .pm_plans
                .iter()
                .map(|p| (p.id, p.interval_days()))
                .collect(),
        };
        b.allocate_contracts(catalog);
        b.match_recalls(catalog);
        b
    }

    /// Each contract's annual cost is shared among the assets it covers in
    /// proportion to their acquisition cost (evenly when none is known),
    /// for the days the contract ran inside each asset's covered time.
    fn allocate_contracts(&mut self, catalog: &Catalog<'_>) {
        for c in catalog.contracts {
            let covered: Vec<&Asset> = catalog
                .assets
                .iter()
                .filter(|a| a.contract_id == Some(c.id) && self.index.contains_key(&a.id))
                .collect();
            let total: i64 = covered
                .iter()
                .map(|a| a.acquisition_cost.map_or(0, |m| m.cents().max(0)))
                .sum();
            for a in &covered {
                let share = if total > 0 {
                    a.acquisition_cost.map_or(0, |m| m.cents().max(0)) as f64 / total as f64
                } else {
                    1.0 / covered.len() as f64
                };
                let row = &mut self.rows[self.index[&a.id]];
                let from = row.start.date_naive().max(c.starts_on);
                // `ends_on` is the contract's last day, inclusive.
                let to = self.period.to.min(c.ends_on + chrono::Duration::days(1));
                let days = (to - from).num_days().max(0) as f64;
                let cents = c.annual_cost.cents() as f64 * share * days / 365.25;
                row.facts.cost.contracts = row.facts.cost.contracts + Money(cents.round() as i64);
            }
        }
    }

    fn match_recalls(&mut self, catalog: &Catalog<'_>) {
        let received: HashMap<RecallId, NaiveDate> = catalog
            .recalls
            .iter()
            .map(|r| (r.id, r.received_on))
            .collect();
        for ra in catalog.recall_assets {
            if let (Some(&i), Some(day)) =
                (self.index.get(&ra.asset_id), received.get(&ra.recall_id))
                && self.period.contains(*day)
            {
                let r = &mut self.rows[i].facts.recalls;
                if !r.contains(&ra.recall_id) {
                    r.push(ra.recall_id);
                }
            }
        }
    }

    pub fn add(&mut self, b: &WorkOrderBundle) {
        let w = &b.work_order;
        let Some(&i) = self.index.get(&w.asset_id) else {
            return;
        };
        if w.status == WorkOrderStatus::Cancelled {
            return;
        }
        let period = self.period;
        let (start, end) = (self.rows[i].start, period.end());

        // Costs, by each record's own date.
        let mut rated_cents_min = 0;
        let mut unrated_minutes = 0;
        let mut labor_hours = 0.0;
        let mut unrated = 0.0;
        for l in b.labor.iter().filter(|l| period.contains(l.performed_on)) {
            let h = f64::from(l.minutes) / 60.0;
            labor_hours += h;
            match self.rates.get(&l.technician_id).copied().flatten() {
                Some(rate) => rated_cents_min += i64::from(l.minutes) * rate,
                None => {
                    unrated += h;
                    unrated_minutes += i64::from(l.minutes);
                }
            }
        }
        let parts: Money = b
            .parts
            .iter()
            .filter(|p| period.contains_time(p.recorded_at))
            .map(|p| p.total())
            .sum();
        let vendor: Money = b
            .vendor_charges
            .iter()
            .filter(|v| period.contains(v.invoiced_on))
            .map(|v| v.total())
            .sum();

        // To the millisecond, so a record split at midnights (the
        // store's rollup) sums to the same time.
        let mut down = 0.0;
        let mut weighted = 0.0;
        for d in &b.downtime {
            let (ms, w) = downtime_ms_within(d, start, end);
            down += ms as f64 / MS_PER_HOUR;
            weighted += w / MS_PER_HOUR;
        }

        let row = &mut self.rows[i];
        row.rated_cents_min += rated_cents_min;
        row.unrated_minutes += unrated_minutes;
        let f = &mut row.facts;
        f.labor_hours += labor_hours;
        f.unrated_labor_hours += unrated;
        f.cost.parts = f.cost.parts + parts;
        f.cost.vendor = f.cost.vendor + vendor;
        f.downtime_hours += down;
        f.weighted_downtime_hours += weighted;

        match w.kind {
            WorkOrderKind::Corrective => {
                let in_period = period.contains_time(w.opened_at);
                let closed = w.status.is_done() && w.closure.is_some();
                if in_period && closed {
                    let c = &mut f.corrective;
                    c.closed += 1;
                    match w.closure {
                        Some(ClosureCode::DeviceFailure(_)) => c.failures += 1,
                        Some(ClosureCode::CouldNotDuplicate) => c.cnd += 1,
                        Some(ClosureCode::UseError) => c.use_error += 1,
                        Some(ClosureCode::AbuseDamage) => c.abuse += 1,
                        _ => {}
                    }
                    if w.closure.is_some_and(ClosureCode::is_failure)
                        && let Some(done) = w.completed_at
                    {
                        f.repairs += 1;
                        f.repair_hours += hours(w.opened_at, done);
                        f.repair_labor_hours += b
                            .labor
                            .iter()
                            .map(|l| f64::from(l.minutes) / 60.0)
                            .sum::<f64>();
                    }
                }
                if w.opened_at < end {
                    row.corrective.push(Corrective {
                        opened: w.opened_at,
                        completed: w.completed_at,
                        counted: in_period && closed,
                    });
                }
            }
            WorkOrderKind::Pm => {
                let Some(due) = w.due_on.filter(|d| period.contains(*d)) else {
                    return;
                };
                let Some(&days) = w.pm_plan_id.and_then(|p| self.plan_days.get(&p)) else {
                    f.pm.without_plan += 1;
                    return;
                };
                let done = w
                    .completed_at
                    .filter(|_| w.status.is_done())
                    .map(|t| t.date_naive());
                let attempts: Vec<_> = b
                    .attempts
                    .iter()
                    .map(|a| (a.attempted_at.date_naive(), a.outcome))
                    .collect();
                f.pm.record(classify_pm(
                    due,
                    days,
                    done,
                    &attempts,
                    period.to,
                    self.settings.pm_window,
                ));
            }
            _ => {}
        }
    }

    /// The rows, one per covered asset, with repeat repairs counted.
    pub fn finish(self) -> Vec<AssetFacts> {
        let days = self.settings.repeat_repair_days;
        let fallback = self.settings.fallback_loaded_rate_cents;
        self.rows
            .into_iter()
            .map(|mut row| {
                row.facts.cost.labor =
                    labor_cost(row.rated_cents_min, row.unrated_minutes, fallback);
                row.corrective.sort_by_key(|c| c.opened);
                let repeats = row
                    .corrective
                    .windows(2)
                    .filter(|w| {
                        w[1].counted && is_repeat(w[0].completed, w[0].opened, w[1].opened, days)
                    })
                    .count();
                row.facts.corrective.repeats = repeats as u32;
                row.facts
            })
            .collect()
    }
}

/// Facts for several periods in one pass over the history, for reports
/// that compare periods (training effect, yearly trends).
#[derive(Debug)]
pub struct MultiFactsBuilder {
    builders: Vec<FactsBuilder>,
}

impl MultiFactsBuilder {
    pub fn new(catalog: &Catalog<'_>, periods: &[Period], settings: &Settings) -> Self {
        MultiFactsBuilder {
            builders: periods
                .iter()
                .map(|p| FactsBuilder::new(catalog, *p, settings))
                .collect(),
        }
    }

    pub fn add(&mut self, b: &WorkOrderBundle) {
        for x in &mut self.builders {
            x.add(b);
        }
    }

    /// One list of rows per period, in the order the periods were given.
    pub fn finish(self) -> Vec<Vec<AssetFacts>> {
        self.builders
            .into_iter()
            .map(FactsBuilder::finish)
            .collect()
    }
}
