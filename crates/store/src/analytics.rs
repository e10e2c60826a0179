//! The analytics' inputs: one [`AssetFacts`] row per active asset for a
//! period, summed from the analytics rollup (`rollup.rs`, migration 0010:
//! each asset's work pre-summed per month and per day, kept current by
//! every write) for the months the period covers whole and the days of
//! the months it covers in part, with PM outcomes, repeat repairs and open
//! downtime judged for the period; a report never loads work orders into
//! memory. The meaning of every field is pinned down by
//! [`biomend_analytics::facts::FactsBuilder`]; `tests/analytics.rs` checks
//! these reads give the same rows for the same hospital, after loads,
//! edits and pulls.
//!
//! Also the reference data the analytics read beside the facts
//! ([`AnalyticsCatalog`]: inventory, models, contracts, recalls, network
//! profiles, usage windows, training events), and the store's caches of
//! it for reports ([`crate::Store::analytics_catalog`],
//! [`crate::Store::analytics_profiles`], [`crate::Store::asset_facts`]),
//! kept until the database changes.

use crate::codec::*;
use crate::read::{
    Reader, asset_row, contract_row, device_type_row, model_row, network_profile_row, pm_plan_row,
    site_row, user_row,
};
use crate::rollup::{Sums, day_date, day_key, month_key, month_start};
use crate::{Result, StoreError};
use biomend_analytics::facts::{AssetFacts, AssetKey, Catalog, MS_PER_HOUR, labor_cost};
use biomend_analytics::measures::{PmOutcome, classify_pm};
use biomend_analytics::profile::{AssetProfile, profiles};
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
use biomend_domain::work_order::AttemptOutcome;
use chrono::{Datelike, NaiveDate, NaiveTime};
use rusqlite::{Row, named_params, params};
use std::collections::HashMap;
use std::sync::Arc;

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

/// The last [`AnalyticsCatalog`] read, with the database's state it was
/// read at: this connection's change count and SQLite's data version
/// (which moves when another connection commits).
///
/// Also the inventory rows the facts start from ([`InventoryRow`]), kept
/// the same way.
#[derive(Debug, Default)]
pub(crate) struct CatalogCache {
    catalog: Cached<AnalyticsCatalog>,
    inventory: Cached<Vec<InventoryRow>>,
    /// The catalog's asset profiles, for the day and settings they were
    /// made for.
    profiles: std::sync::Mutex<Option<ProfilesFor>>,
}

#[derive(Debug)]
struct ProfilesFor {
    state: DbState,
    today: NaiveDate,
    settings: Settings,
    profiles: Arc<Vec<AssetProfile>>,
}

type Cached<T> = std::sync::Mutex<Option<(DbState, Arc<T>)>>;

/// This connection's change count and SQLite's data version.
type DbState = (u64, i64);

impl crate::Store {
    fn db_state(&self) -> Result<DbState> {
        Ok((
            self.conn.total_changes(),
            self.conn
                .pragma_query_value(None, "data_version", |r| r.get(0))?,
        ))
    }

    fn cached<T>(&self, cache: &Cached<T>, read: impl FnOnce() -> Result<T>) -> Result<Arc<T>> {
        let before = self.db_state()?;
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, v)) = cache.as_ref()
            && *at == before
        {
            return Ok(Arc::clone(v));
        }
        let v = Arc::new(read()?);
        *cache = Some((before, Arc::clone(&v)));
        Ok(v)
    }

    /// [`Reader::asset_facts`], with the inventory's part (who each asset
    /// is, its class and acquisition) kept until the database changes,
    /// like [`crate::Store::analytics_catalog`]: a fifth of a year's facts
    /// was reading and keying the 100k assets again. The work is always
    /// summed afresh from the rollup.
    pub fn asset_facts(&self, period: Period, settings: &Settings) -> Result<Vec<AssetFacts>> {
        let inventory = self.cached(&self.catalog.inventory, || self.reader().inventory())?;
        self.reader().asset_facts_of(&inventory, period, settings)
    }

    /// [`Reader::analytics_catalog`], read again only when the database
    /// changed since the last call (any write on this connection or a
    /// commit on another): a 100k-asset inventory takes a third of a
    /// second to read, and the reports that profile every asset would
    /// otherwise read it on every call.
    pub fn analytics_catalog(&self) -> Result<Arc<AnalyticsCatalog>> {
        self.cached(&self.catalog.catalog, || self.reader().analytics_catalog())
    }

    /// Every active asset's profile on `today`
    /// ([`biomend_analytics::profile::profiles`] over the cached catalog),
    /// kept with it for the same day and settings: the reports that rank
    /// the fleet (candidates, capital plan) spent a fifth of their time
    /// profiling the same 100k assets again.
    pub fn analytics_profiles(
        &self,
        today: NaiveDate,
        settings: &Settings,
    ) -> Result<Arc<Vec<AssetProfile>>> {
        let catalog = self.analytics_catalog()?;
        let state = self.db_state()?;
        let mut cache = self
            .catalog
            .profiles
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(c) = cache.as_ref()
            && c.state == state
            && c.today == today
            && c.settings == *settings
        {
            return Ok(Arc::clone(&c.profiles));
        }
        let v = Arc::new(profiles(&catalog.catalog(), today, settings));
        *cache = Some(ProfilesFor {
            state,
            today,
            settings: settings.clone(),
            profiles: Arc::clone(&v),
        });
        Ok(v)
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

/// A stored `YYYY-MM-DD` date, read without a format parser (the base rows
/// read one per asset of the inventory on every report).
fn fast_date(s: &str) -> Result<NaiveDate> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    (|| {
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    })()
    .map_or_else(|| parse_date(s), Ok)
}

/// Midnight UTC of `d` as stored instants are written, so text comparison
/// with stored instants is time comparison.
pub(crate) fn midnight(d: NaiveDate) -> String {
    format!("{}T00:00:00.000Z", date(d))
}

/// What the facts need of an active asset whatever the period: kept by
/// the store between reports (see [`crate::Store::asset_facts`]).
#[derive(Clone, Debug)]
pub(crate) struct InventoryRow {
    key: AssetKey,
    acquired: Option<NaiveDate>,
    acquisition_cost: Option<Money>,
    contract: Option<ContractId>,
    risk: EmScore,
    life_support: bool,
}

/// Active assets the period covers, keyed and classed, without work.
fn base_rows(inventory: &[InventoryRow], period: Period, settings: &Settings) -> Vec<Base> {
    let end = period.end();
    inventory
        .iter()
        .filter_map(|a| {
            let start = a.acquired.map_or(period.from, |d| d.max(period.from));
            let covered = ((end - start.and_time(NaiveTime::MIN).and_utc())
                .num_seconds()
                .max(0)) as f64
                / 3600.0;
            (covered > 0.0).then(|| Base {
                facts: AssetFacts::empty(
                    a.key,
                    settings.risk.classify(&a.risk, a.life_support),
                    a.acquisition_cost,
                    covered,
                ),
                start,
                contract: a.contract,
            })
        })
        .collect()
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
    /// summed per asset. Same rows, field for field, as
    /// [`biomend_analytics::facts::FactsBuilder`] fed the whole history.
    ///
    /// The sums come from the analytics rollup (migration 0010, kept by
    /// every write, see `rollup.rs`): the whole months of the period from
    /// `analytics_months`, the days of the months it covers in part from
    /// `analytics_days`. Open downtime, PM outcomes and repeat repairs,
    /// which depend on the period's end or the settings, are judged here.
    pub fn asset_facts(&self, period: Period, settings: &Settings) -> Result<Vec<AssetFacts>> {
        self.asset_facts_of(&self.inventory()?, period, settings)
    }

    /// [`Reader::asset_facts`] over an inventory already read.
    pub(crate) fn asset_facts_of(
        &self,
        inventory: &[InventoryRow],
        period: Period,
        settings: &Settings,
    ) -> Result<Vec<AssetFacts>> {
        let mut base = base_rows(inventory, period, settings);
        let index: HashMap<AssetId, usize> = base
            .iter()
            .enumerate()
            .map(|(i, b)| (b.facts.key.asset_id, i))
            .collect();
        self.allocate_contracts(&mut base, &index, period)?;
        let at = |id: uuid::Uuid| index.get(&AssetId(id)).copied();

        let mut sums = vec![Sums::default(); base.len()];
        let (from, to) = (day_key(period.from), day_key(period.to));
        let first_whole = if period.from.day() == 1 {
            month_key(period.from)
        } else {
            month_key(period.from) + 1
        };
        let last_part = month_key(period.to);
        let mut day_ranges = Vec::new();
        if first_whole < last_part {
            let mut st = self.c.prepare_cached(
                "SELECT asset_id, sums FROM analytics_months WHERE month >= ?1 AND month < ?2",
            )?;
            let mut rows = st.query([first_whole, last_part])?;
            while let Some(r) = rows.next()? {
                if let Some(i) = at(r.get(0)?) {
                    sums[i].add_packed(r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?)?;
                }
            }
            day_ranges.push((from, day_key(month_start(first_whole))));
            day_ranges.push((day_key(month_start(last_part)), to));
        } else {
            day_ranges.push((from, to));
        }
        for (a, b) in day_ranges.into_iter().filter(|(a, b)| a < b) {
            let mut st = self.c.prepare_cached(
                "SELECT asset_id, sums FROM analytics_days WHERE day >= ?1 AND day < ?2",
            )?;
            let mut rows = st.query([a, b])?;
            while let Some(r) = rows.next()? {
                if let Some(i) = at(r.get(0)?) {
                    sums[i].add_packed(r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?)?;
                }
            }
        }
        let fallback = settings.fallback_loaded_rate_cents;
        for (b, s) in base.iter_mut().zip(&sums) {
            let f = &mut b.facts;
            f.labor_hours = s.labor_minutes as f64 / 60.0;
            f.unrated_labor_hours = s.unrated_minutes as f64 / 60.0;
            f.cost.labor = labor_cost(s.rated_cents_min, s.unrated_minutes, fallback);
            f.cost.parts = Money(s.parts_cents);
            f.cost.vendor = Money(s.vendor_cents);
            f.downtime_hours = s.down_ms as f64 / MS_PER_HOUR;
            f.weighted_downtime_hours = s.weighted_down_ms / MS_PER_HOUR;
            let c = &mut f.corrective;
            c.closed = s.closed as u32;
            c.failures = s.failures as u32;
            c.cnd = s.cnd as u32;
            c.use_error = s.use_error as u32;
            c.abuse = s.abuse as u32;
            f.repairs = s.repairs as u32;
            f.repair_hours = s.repair_secs as f64 / 3600.0;
            f.repair_labor_hours = s.repair_minutes as f64 / 60.0;
        }

        // Downtime still open runs to the period's end, from the later of
        // its start, the period's and the asset's acquisition.
        let end = period.end();
        let mut st = self.c.prepare_cached(
            "SELECT w.asset_id, d.started_at, d.partial_factor
             FROM downtime d INDEXED BY downtime_ended
             JOIN work_orders w ON w.id = d.work_order_id
             WHERE d.ended_at IS NULL AND d.started_at < ?1 AND w.status <> 'cancelled'",
        )?;
        let mut rows = st.query([midnight(period.to)])?;
        while let Some(r) = rows.next()? {
            if let Some(i) = at(r.get(0)?) {
                let started = parse_ts(&r.get::<_, String>(1)?)?;
                let b = &mut base[i];
                let from = started.max(b.start.and_time(NaiveTime::MIN).and_utc());
                if from < end {
                    let ms = (end - from).num_milliseconds() as f64;
                    b.facts.downtime_hours += ms / MS_PER_HOUR;
                    b.facts.weighted_downtime_hours += ms * r.get::<_, f64>(2)? / MS_PER_HOUR;
                }
            }
        }
        // Repeat repairs: closed corrective visits opened in the period
        // within N days of the asset's previous visit completing (or while
        // it was still open).
        let mut st = self.c.prepare_cached(
            "SELECT asset_id FROM analytics_repeats
             WHERE day >= ?1 AND day < ?2 AND (gap_ms IS NULL OR gap_ms <= ?3)",
        )?;
        let repeat_ms = i64::from(settings.repeat_repair_days) * 86_400_000;
        let mut rows = st.query(params![from, to, repeat_ms])?;
        while let Some(r) = rows.next()? {
            if let Some(i) = at(r.get(0)?) {
                base[i].facts.corrective.repeats += 1;
            }
        }
        self.pm_outcomes(&mut base, &at, period, settings)?;
        self.recalls_received(&mut base, &index, period)?;
        Ok(base.into_iter().map(|b| b.facts).collect())
    }

    /// The active inventory as the facts key and class it, whatever the
    /// period. Models, device types and departments are few: they are
    /// looked up in maps rather than joined for each asset.
    pub(crate) fn inventory(&self) -> Result<Vec<InventoryRow>> {
        let models: HashMap<uuid::Uuid, (uuid::Uuid, uuid::Uuid)> = self
            .collect(
                "SELECT id, device_type_id, manufacturer_id FROM models",
                [],
                |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))),
            )?
            .into_iter()
            .collect();
        let life_support: HashMap<uuid::Uuid, bool> = self
            .collect("SELECT id, life_support FROM device_types", [], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)? != 0))
            })?
            .into_iter()
            .collect();
        let sites: HashMap<uuid::Uuid, uuid::Uuid> = self
            .collect("SELECT id, site_id FROM departments", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .into_iter()
            .collect();
        let mut out = Vec::new();
        let mut st = self.c.prepare_cached(
            "SELECT seq, id, status, acquired_on, acquisition_cost_cents, contract_id,
                    risk_function, risk_physical, risk_maintenance, risk_incident,
                    life_support_override, department_id, model_id
             FROM assets
             WHERE status NOT IN ('retired', 'missing')
             ORDER BY seq",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let acquired = match r
                .get_ref(3)?
                .as_str_or_null()
                .map_err(rusqlite::Error::from)?
            {
                Some(d) => Some(fast_date(d)?),
                None => None,
            };
            // Checked so a status this code does not know is reported,
            // not silently counted as active.
            let status = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
            AssetStatus::parse(status).ok_or_else(|| StoreError::Corrupt {
                what: "asset status",
                detail: status.to_string(),
            })?;
            let department: uuid::Uuid = r.get(11)?;
            let model: uuid::Uuid = r.get(12)?;
            let (Some(&(device_type, manufacturer)), Some(&site)) =
                (models.get(&model), sites.get(&department))
            else {
                continue;
            };
            out.push(InventoryRow {
                key: AssetKey {
                    asset_id: AssetId(r.get(1)?),
                    site_id: SiteId(site),
                    department_id: DepartmentId(department),
                    device_type_id: DeviceTypeId(device_type),
                    model_id: ModelId(model),
                    manufacturer_id: ManufacturerId(manufacturer),
                },
                acquired,
                acquisition_cost: r.get::<_, Option<i64>>(4)?.map(Money),
                contract: r.get::<_, Option<uuid::Uuid>>(5)?.map(ContractId),
                risk: EmScore {
                    function: r.get::<_, i64>(6)? as u8,
                    physical_risk: r.get::<_, i64>(7)? as u8,
                    maintenance: r.get::<_, i64>(8)? as u8,
                    incident_history: r.get::<_, i64>(9)? as i8,
                },
                life_support: r.get::<_, i64>(10)? != 0
                    || life_support.get(&device_type).copied().unwrap_or(false),
            });
        }
        Ok(out)
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
    /// The window rule is code (`classify_pm`), so the due PMs (kept by
    /// the rollup with their attempts) stream through it; nothing is kept
    /// but the counts.
    fn pm_outcomes(
        &self,
        base: &mut [Base],
        at: &dyn Fn(uuid::Uuid) -> Option<usize>,
        period: Period,
        settings: &Settings,
    ) -> Result<()> {
        self.for_each_pm_outcome(period, settings, |asset, _, _, outcome| {
            let Some(i) = at(asset.0) else {
                return;
            };
            let pm = &mut base[i].facts.pm;
            match outcome {
                Some(o) => pm.record(o),
                None => pm.without_plan += 1,
            }
        })
    }

    /// Every non-cancelled PM due in `period` (by due day), with its
    /// asset, its due day and its outcome judged by the window rule at the period's
    /// end; `None` when it has no plan, so its window cannot be judged.
    /// The facts count these, and the drill-down lists them.
    pub(crate) fn for_each_pm_outcome(
        &self,
        period: Period,
        settings: &Settings,
        mut f: impl FnMut(AssetId, WorkOrderId, NaiveDate, Option<PmOutcome>),
    ) -> Result<()> {
        let plan_days: HashMap<PmPlanId, i64> = self
            .pm_plans()?
            .iter()
            .map(|p| (p.id, p.interval_days()))
            .collect();
        let mut st = self.c.prepare_cached(
            "SELECT asset_id, due, plan_id, done, attempts, id FROM analytics_pms
             WHERE due >= ?1 AND due < ?2",
        )?;
        let mut rows = st.query([day_key(period.from), day_key(period.to)])?;
        let mut attempts = Vec::new();
        while let Some(r) = rows.next()? {
            let asset = AssetId(r.get(0)?);
            let id = WorkOrderId(r.get(5)?);
            let due = day_date(r.get(1)?);
            let Some(&days) = r
                .get::<_, Option<uuid::Uuid>>(2)?
                .and_then(|p| plan_days.get(&PmPlanId(p)))
            else {
                f(asset, id, due, None);
                continue;
            };
            let done = r.get::<_, Option<i64>>(3)?.map(day_date);
            attempts.clear();
            for a in r
                .get_ref(4)?
                .as_str_or_null()
                .map_err(rusqlite::Error::from)?
                .iter()
                .flat_map(|s| s.split(','))
            {
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
            f(
                asset,
                id,
                due,
                Some(classify_pm(
                    due,
                    days,
                    done,
                    &attempts,
                    period.to,
                    settings.pm_window,
                )),
            );
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
