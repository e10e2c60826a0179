//! The analytics rollup (migration 0010): each asset's work history summed
//! per day and per month, so a managers' report reads one row per asset
//! and month instead of every labor, part, invoice and downtime record.
//!
//! What is summed and how is what [`biomend_analytics::facts::FactsBuilder`]
//! does for one period; the rollup only moves the summing from report time
//! to write time. Only what does not depend on the report's period end or
//! settings is summed: PM outcomes (judged at the period's end) and repeat
//! repairs (within the report's number of days) are judged when a report
//! runs, from the per-PM and per-visit rows kept beside the sums; labor is
//! kept as minutes by technicians with a rate (as minutes × cents/hour)
//! and without one, so the fallback rate is applied at report time; open
//! downtime runs to the period's end, so it is not summed here at all.
//!
//! An asset's rows are a function of its records alone: every write path
//! notes the assets (or work orders) it touched ([`Dirty`]), and before the
//! transaction commits their rows are deleted and summed again from the
//! records ([`Dirty::apply`]). A pull run that deletes work, or starts from
//! zero, rebuilds the whole rollup instead. A technician's loaded rate
//! that changes (a pulled user row) re-sums the assets they worked on.

use crate::codec::*;
use crate::pull::{PulledRow, Replicated};
use crate::{Result, StoreError};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// A day as the rollup keys it.
pub(crate) fn day_key(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

/// A calendar month as the rollup keys it.
pub(crate) fn month_key(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

/// The first day of a month key.
pub(crate) fn month_start(m: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(m.div_euclid(12) as i32, m.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(NaiveDate::MIN)
}

pub(crate) fn day_date(k: i64) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(k as i32).unwrap_or(NaiveDate::MIN)
}

/// The additive fields of one asset over one day or month.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Sums {
    pub labor_minutes: i64,
    pub unrated_minutes: i64,
    /// Minutes × cents per hour of technicians with a loaded rate.
    pub rated_cents_min: i64,
    pub parts_cents: i64,
    pub vendor_cents: i64,
    pub down_ms: i64,
    pub weighted_down_ms: f64,
    pub closed: i64,
    pub failures: i64,
    pub cnd: i64,
    pub use_error: i64,
    pub abuse: i64,
    pub repairs: i64,
    pub repair_secs: i64,
    pub repair_minutes: i64,
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

impl Sums {
    fn ints(&self) -> [i64; 14] {
        [
            self.labor_minutes,
            self.unrated_minutes,
            self.rated_cents_min,
            self.parts_cents,
            self.vendor_cents,
            self.down_ms,
            self.closed,
            self.failures,
            self.cnd,
            self.use_error,
            self.abuse,
            self.repairs,
            self.repair_secs,
            self.repair_minutes,
        ]
    }

    pub fn add(&mut self, o: &Sums) {
        let [a, b, c, d, e, f, g, h, i, j, k, l, m, n] = o.ints();
        self.add_ints([a, b, c, d, e, f, g, h, i, j, k, l, m, n]);
        self.weighted_down_ms += o.weighted_down_ms;
    }

    fn add_ints(&mut self, v: [i64; 14]) {
        self.labor_minutes += v[0];
        self.unrated_minutes += v[1];
        self.rated_cents_min += v[2];
        self.parts_cents += v[3];
        self.vendor_cents += v[4];
        self.down_ms += v[5];
        self.closed += v[6];
        self.failures += v[7];
        self.cnd += v[8];
        self.use_error += v[9];
        self.abuse += v[10];
        self.repairs += v[11];
        self.repair_secs += v[12];
        self.repair_minutes += v[13];
    }

    /// The packed form stored in the `sums` column (see migration 0010).
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32);
        for v in self.ints() {
            let mut z = zigzag(v);
            loop {
                let byte = (z & 0x7f) as u8;
                z >>= 7;
                if z == 0 {
                    out.push(byte);
                    break;
                }
                out.push(byte | 0x80);
            }
        }
        if self.weighted_down_ms != 0.0 {
            out.extend_from_slice(&self.weighted_down_ms.to_le_bytes());
        }
        out
    }

    /// Adds a packed `sums` value.
    pub fn add_packed(&mut self, b: &[u8]) -> Result<()> {
        let bad = || StoreError::Corrupt {
            what: "analytics rollup sums",
            detail: format!("{b:02x?}"),
        };
        let mut v = [0i64; 14];
        let mut at = 0;
        for x in &mut v {
            let mut z = 0u64;
            let mut shift = 0;
            loop {
                let byte = *b.get(at).ok_or_else(bad)?;
                at += 1;
                z |= u64::from(byte & 0x7f) << shift;
                if byte & 0x80 == 0 {
                    break;
                }
                shift += 7;
                if shift > 63 {
                    return Err(bad());
                }
            }
            *x = unzigzag(z);
        }
        self.add_ints(v);
        match &b[at..] {
            [] => {}
            rest => {
                let w: [u8; 8] = rest.try_into().map_err(|_| bad())?;
                self.weighted_down_ms += f64::from_le_bytes(w);
            }
        }
        Ok(())
    }

    fn insert(&self, c: &Connection, table: &str, key: &str, k: i64, asset: Uuid) -> Result<()> {
        c.prepare_cached(&format!(
            "INSERT INTO {table} ({key}, asset_id, sums) VALUES (?1, ?2, ?3)"
        ))?
        .execute(params![k, asset, self.encode()])?;
        Ok(())
    }
}

/// Assets and work orders a transaction changed, whose rollup rows must be
/// summed again before it commits.
#[derive(Debug, Default)]
pub(crate) struct Dirty {
    assets: HashSet<Uuid>,
    work_orders: HashSet<Uuid>,
    /// Rebuild everything (a pull from zero, or one that deleted work).
    full: bool,
}

impl Dirty {
    /// `full`: the change will touch most of the history (a pull from
    /// zero), so the rollup is rebuilt rather than tracked row by row.
    pub fn new(full: bool) -> Dirty {
        Dirty {
            full,
            ..Dirty::default()
        }
    }

    pub fn asset(&mut self, id: Uuid) {
        if !self.full {
            self.assets.insert(id);
        }
    }

    pub fn work_order(&mut self, id: Uuid) {
        if !self.full {
            self.work_orders.insert(id);
        }
    }

    /// Notes what a pulled row touches; called before the row is applied,
    /// so a work order that moves is summed again on both assets.
    pub fn note_pulled(&mut self, c: &Connection, row: &PulledRow) -> Result<()> {
        if self.full {
            return Ok(());
        }
        match row {
            PulledRow::Upsert(r) => match r {
                Replicated::Asset(a) => self.asset(a.id.0),
                Replicated::WorkOrder(w) => {
                    let before: Option<Uuid> = c
                        .prepare_cached("SELECT asset_id FROM work_orders WHERE id = ?1")?
                        .query_row([w.id.0], |r| r.get(0))
                        .optional()?;
                    if let Some(a) = before {
                        self.asset(a);
                    }
                    self.asset(w.asset_id.0);
                    self.work_order(w.id.0);
                }
                Replicated::Downtime(d) => {
                    self.asset(d.asset_id.0);
                    if let Some(w) = d.work_order_id {
                        self.work_order(w.0);
                    }
                }
                Replicated::Labor(l) => self.work_order(l.work_order_id.0),
                Replicated::PartUse(p) => self.work_order(p.work_order_id.0),
                Replicated::PmAttempt(a) => self.work_order(a.work_order_id.0),
                // A charge may move between work orders; the old one's
                // asset is summed again too.
                Replicated::VendorCharge(v) => {
                    let before: Option<Uuid> = c
                        .prepare_cached("SELECT work_order_id FROM vendor_charges WHERE id = ?1")?
                        .query_row([v.id.0], |r| r.get(0))
                        .optional()?;
                    if let Some(w) = before {
                        self.work_order(w);
                    }
                    self.work_order(v.work_order_id.0);
                }
                _ => {}
            },
            PulledRow::Delete { kind, .. } => {
                use crate::pull::RowKind as K;
                if matches!(
                    kind,
                    K::Asset
                        | K::WorkOrder
                        | K::Downtime
                        | K::Labor
                        | K::PartUse
                        | K::PmAttempt
                        | K::VendorCharge
                ) {
                    self.full = true;
                    self.assets.clear();
                    self.work_orders.clear();
                }
            }
        }
        Ok(())
    }

    /// Sums the noted assets again (or rebuilds everything), and re-sums
    /// the assets of technicians whose loaded rate changed.
    pub fn apply(self, c: &Connection) -> Result<()> {
        if self.full {
            return rebuild_all(c);
        }
        if self.assets.is_empty() && self.work_orders.is_empty() {
            return Ok(());
        }
        // A database held below migration 0010 (upgrade tests) has no
        // rollup yet; it is summed when the migration runs.
        let exists: bool = c
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'analytics_rollup_state')",
            )?
            .query_row([], |r| r.get(0))?;
        if !exists {
            return Ok(());
        }
        let mut assets = self.assets;
        {
            let mut by_wo = c.prepare_cached("SELECT asset_id FROM work_orders WHERE id = ?1")?;
            for w in &self.work_orders {
                if let Some(a) = by_wo.query_row([w], |r| r.get(0)).optional()? {
                    assets.insert(a);
                }
            }
        }
        let mut assets: Vec<Uuid> = assets.into_iter().collect();
        assets.sort_unstable();
        refresh(c, &assets)?;
        sync_rates(c)
    }
}

/// Deletes and sums again the rows of these assets (an asset that no
/// longer exists just loses its rows).
pub(crate) fn refresh(c: &Connection, assets: &[Uuid]) -> Result<()> {
    let rates = rates(c)?;
    for &asset in assets {
        for t in [
            "analytics_days",
            "analytics_months",
            "analytics_repeats",
            "analytics_pms",
        ] {
            c.prepare_cached(&format!("DELETE FROM {t} WHERE asset_id = ?1"))?
                .execute([asset])?;
        }
        build_asset(c, asset, &rates)?;
    }
    Ok(())
}

/// Empties the rollup and sums every asset's history again.
pub(crate) fn rebuild_all(c: &Connection) -> Result<()> {
    for t in [
        "analytics_days",
        "analytics_months",
        "analytics_repeats",
        "analytics_pms",
        "analytics_rates",
    ] {
        c.execute(&format!("DELETE FROM {t}"), [])?;
    }
    let rates = rates(c)?;
    // The rollup's pages stay in memory while it is written in key order
    // of another table (each asset's days are spread across the index).
    let cache: i64 = c.pragma_query_value(None, "cache_size", |r| r.get(0))?;
    c.pragma_update(None, "cache_size", -1_000_000)?;
    let built = rebuild_sorted(c, &rates);
    c.pragma_update(None, "cache_size", cache)?;
    built?;
    c.execute(
        "INSERT INTO analytics_rates (user_id, rate) SELECT id, loaded_rate_cents FROM users",
        [],
    )?;
    c.execute("UPDATE analytics_rollup_state SET built = 1", [])?;
    Ok(())
}

/// Every asset's records, read as a merge of six queries sorted by asset.
fn rebuild_sorted(c: &Connection, rates: &HashMap<Uuid, Option<i64>>) -> Result<()> {
    let all = |(cols, table): (&str, &str)| record_sql(cols, table, true, "", "");
    let (labor_sql, parts_sql, vendor_sql) = (all(LABOR), all(PARTS), all(VENDOR));
    let (downtime_sql, attempts_sql) = (downtime_sql(true), attempts_sql(true));
    let mut st = [
        c.prepare(WOS_ALL)?,
        c.prepare(&labor_sql)?,
        c.prepare(&parts_sql)?,
        c.prepare(&vendor_sql)?,
        c.prepare(&downtime_sql)?,
        c.prepare(&attempts_sql)?,
    ];
    let [s0, s1, s2, s3, s4, s5] = &mut st;
    let mut wos = Sorted::new(s0.query([])?, parse_wo)?;
    let mut labor = Sorted::new(s1.query([])?, parse_labor)?;
    let mut parts = Sorted::new(s2.query([])?, parse_part)?;
    let mut vendor = Sorted::new(s3.query([])?, parse_vendor)?;
    let mut downtime = Sorted::new(s4.query([])?, parse_downtime)?;
    let mut attempts = Sorted::new(s5.query([])?, parse_attempt)?;
    let mut assets = c.prepare("SELECT id, acquired_on FROM assets ORDER BY id")?;
    let mut rows = assets.query([])?;
    while let Some(r) = rows.next()? {
        let asset: Uuid = r.get(0)?;
        let acquired: Option<String> = r.get(1)?;
        let mut x = Records::default();
        wos.take(asset, &mut x.wos)?;
        labor.take(asset, &mut x.labor)?;
        parts.take(asset, &mut x.parts)?;
        vendor.take(asset, &mut x.vendor)?;
        downtime.take(asset, &mut x.downtime)?;
        attempts.take(asset, &mut x.attempts)?;
        sum_asset(c, asset, acquired.as_deref(), &x, rates)?;
    }
    Ok(())
}

/// Fills the rollup of a database upgraded to migration 0010 (which
/// creates it empty), once.
pub(crate) fn build_if_needed(conn: &mut Connection) -> Result<()> {
    let built: Option<i64> = conn
        .query_row("SELECT built FROM analytics_rollup_state", [], |r| r.get(0))
        .optional()?;
    if built == Some(0) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        rebuild_all(&tx)?;
        tx.commit()?;
    }
    Ok(())
}

fn rates(c: &Connection) -> Result<HashMap<Uuid, Option<i64>>> {
    Ok(c.prepare_cached("SELECT id, loaded_rate_cents FROM users")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Re-sums the assets of every technician whose loaded rate is not the one
/// their labor was summed with, and records the rates now in force. A user
/// the table has not seen yet is recorded as is: their labor was summed
/// when it was written, with the rate of that time.
fn sync_rates(c: &Connection) -> Result<()> {
    let changed: Vec<(Uuid, bool)> = c
        .prepare_cached(
            "SELECT u.id, r.user_id IS NOT NULL FROM users u LEFT JOIN analytics_rates r ON r.user_id = u.id
             WHERE r.user_id IS NULL OR r.rate IS NOT u.loaded_rate_cents",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if changed.is_empty() {
        return Ok(());
    }
    let mut assets: HashSet<Uuid> = HashSet::new();
    for (user, known) in &changed {
        if *known {
            let mut st = c.prepare_cached(
                "SELECT DISTINCT w.asset_id FROM labor l JOIN work_orders w ON w.id = l.work_order_id
                 WHERE l.technician_id = ?1",
            )?;
            for a in st.query_map([user], |r| r.get(0))? {
                assets.insert(a?);
            }
        }
        c.prepare_cached(
            "INSERT OR REPLACE INTO analytics_rates (user_id, rate)
             SELECT id, loaded_rate_cents FROM users WHERE id = ?1",
        )?
        .execute([user])?;
    }
    let mut assets: Vec<Uuid> = assets.into_iter().collect();
    assets.sort_unstable();
    refresh(c, &assets)
}

struct Wo {
    id: Uuid,
    kind: String,
    done: bool,
    closure: Option<String>,
    opened: DateTime<Utc>,
    completed: Option<DateTime<Utc>>,
    due: Option<NaiveDate>,
    plan: Option<Uuid>,
}

struct Visit {
    id: Uuid,
    opened: DateTime<Utc>,
    completed: Option<DateTime<Utc>>,
    counted: bool,
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc()
}

/// Sums one asset's history into its rollup rows (which must be empty).
/// One asset's records as the rollup reads them.
#[derive(Default)]
struct Records {
    /// In order of opening.
    wos: Vec<Wo>,
    /// (work order, technician, minutes, day performed).
    labor: Vec<(Uuid, Uuid, i64, NaiveDate)>,
    /// (cents, day recorded or invoiced).
    parts: Vec<(i64, NaiveDate)>,
    vendor: Vec<(i64, NaiveDate)>,
    /// Closed downtime (started, ended, factor), by start.
    downtime: Vec<(DateTime<Utc>, DateTime<Utc>, f64)>,
    /// (work order, "YYYY-MM-DD outcome"), by time.
    attempts: Vec<(Uuid, String)>,
}

/// The records' queries: the columns after the asset id, in the order the
/// `parse_*` functions read them, for one asset (`?1`) or, sorted by asset,
/// for every asset (the rebuild: tables scanned in storage order and
/// sorted, instead of each asset's records sought one by one).
const WOS_ONE: &str =
    "SELECT asset_id, id, kind, status, closure, opened_at, completed_at, due_on, pm_plan_id
     FROM work_orders WHERE asset_id = ?1 AND status <> 'cancelled' ORDER BY opened_at, id";
const WOS_ALL: &str =
    "SELECT asset_id, id, kind, status, closure, opened_at, completed_at, due_on, pm_plan_id
     FROM work_orders NOT INDEXED WHERE status <> 'cancelled' ORDER BY asset_id, opened_at, id";
const LABOR: (&str, &str) = (
    "l.work_order_id, l.technician_id, l.minutes, l.performed_on",
    "labor l",
);
const PARTS: (&str, &str) = (
    "p.quantity * p.unit_cost_cents, p.recorded_at",
    "part_uses p",
);
const VENDOR: (&str, &str) = (
    "v.labor_cost_cents + v.parts_cost_cents + v.travel_cost_cents, v.invoiced_on",
    "vendor_charges v",
);

/// A record query over `table` (aliased) joined to its work order.
fn record_sql(cols: &str, table: &str, all: bool, extra: &str, order: &str) -> String {
    let alias = table.rsplit(' ').next().unwrap_or(table);
    if all {
        format!(
            "SELECT w.asset_id, {cols} FROM {table} NOT INDEXED
             CROSS JOIN work_orders w INDEXED BY work_orders_id_asset ON w.id = {alias}.work_order_id
             WHERE w.status <> 'cancelled' {extra} ORDER BY w.asset_id{order}"
        )
    } else {
        format!(
            "SELECT w.asset_id, {cols} FROM work_orders w JOIN {table} ON {alias}.work_order_id = w.id
             WHERE w.asset_id = ?1 AND w.status <> 'cancelled' {extra} ORDER BY w.asset_id{order}"
        )
    }
}

fn downtime_sql(all: bool) -> String {
    // Open downtime runs to each report's period end: summed then. In a
    // fixed order, so float sums are the same on every device.
    record_sql(
        "d.started_at, d.ended_at, d.partial_factor",
        "downtime d",
        all,
        "AND d.ended_at IS NOT NULL",
        ", d.started_at, d.id",
    )
}

fn attempts_sql(all: bool) -> String {
    record_sql(
        "t.work_order_id, substr(t.attempted_at, 1, 10) || ' ' || t.outcome",
        "pm_attempts t",
        all,
        "",
        ", t.attempted_at, t.id",
    )
}

fn parse_wo(r: &Row<'_>) -> Result<Wo> {
    let status = r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
    Ok(Wo {
        done: status == "completed" || status == "signed_off",
        id: r.get(1)?,
        kind: r.get(2)?,
        closure: r.get(4)?,
        opened: parse_ts(&r.get::<_, String>(5)?)?,
        completed: r
            .get::<_, Option<String>>(6)?
            .as_deref()
            .map(parse_ts)
            .transpose()?,
        due: r
            .get::<_, Option<String>>(7)?
            .as_deref()
            .map(parse_date)
            .transpose()?,
        plan: r.get(8)?,
    })
}

fn parse_labor(r: &Row<'_>) -> Result<(Uuid, Uuid, i64, NaiveDate)> {
    Ok((
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        parse_date(&r.get::<_, String>(4)?)?,
    ))
}

fn parse_part(r: &Row<'_>) -> Result<(i64, NaiveDate)> {
    Ok((r.get(1)?, parse_ts(&r.get::<_, String>(2)?)?.date_naive()))
}

fn parse_vendor(r: &Row<'_>) -> Result<(i64, NaiveDate)> {
    Ok((r.get(1)?, parse_date(&r.get::<_, String>(2)?)?))
}

fn parse_downtime(r: &Row<'_>) -> Result<(DateTime<Utc>, DateTime<Utc>, f64)> {
    Ok((
        parse_ts(&r.get::<_, String>(1)?)?,
        parse_ts(&r.get::<_, String>(2)?)?,
        r.get(3)?,
    ))
}

fn parse_attempt(r: &Row<'_>) -> Result<(Uuid, String)> {
    Ok((r.get(1)?, r.get(2)?))
}

fn collect_one<T>(
    c: &Connection,
    sql: &str,
    asset: Uuid,
    parse: fn(&Row<'_>) -> Result<T>,
    out: &mut Vec<T>,
) -> Result<()> {
    let mut st = c.prepare_cached(sql)?;
    let mut rows = st.query([asset])?;
    while let Some(r) = rows.next()? {
        out.push(parse(r)?);
    }
    Ok(())
}

/// Reads one asset's records (the asset must exist).
fn load_asset(c: &Connection, asset: Uuid) -> Result<Records> {
    let mut x = Records::default();
    collect_one(c, WOS_ONE, asset, parse_wo, &mut x.wos)?;
    let one = |(cols, table): (&str, &str)| record_sql(cols, table, false, "", "");
    collect_one(c, &one(LABOR), asset, parse_labor, &mut x.labor)?;
    collect_one(c, &one(PARTS), asset, parse_part, &mut x.parts)?;
    collect_one(c, &one(VENDOR), asset, parse_vendor, &mut x.vendor)?;
    collect_one(
        c,
        &downtime_sql(false),
        asset,
        parse_downtime,
        &mut x.downtime,
    )?;
    collect_one(
        c,
        &attempts_sql(false),
        asset,
        parse_attempt,
        &mut x.attempts,
    )?;
    Ok(x)
}

/// One query's rows sorted by asset, read asset by asset.
struct Sorted<'s, T> {
    rows: rusqlite::Rows<'s>,
    parse: fn(&Row<'_>) -> Result<T>,
    next: Option<(Uuid, T)>,
}

impl<'s, T> Sorted<'s, T> {
    fn new(rows: rusqlite::Rows<'s>, parse: fn(&Row<'_>) -> Result<T>) -> Result<Self> {
        let mut s = Sorted {
            rows,
            parse,
            next: None,
        };
        s.advance()?;
        Ok(s)
    }

    fn advance(&mut self) -> Result<()> {
        self.next = match self.rows.next()? {
            Some(r) => Some((r.get(0)?, (self.parse)(r)?)),
            None => None,
        };
        Ok(())
    }

    /// Moves the rows of `asset` into `out`, skipping rows of assets
    /// before it (none: every record's asset exists).
    fn take(&mut self, asset: Uuid, out: &mut Vec<T>) -> Result<()> {
        while let Some((a, _)) = &self.next {
            if *a > asset {
                break;
            }
            let is_mine = *a == asset;
            let (_, t) = self
                .next
                .take()
                .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            if is_mine {
                out.push(t);
            }
            self.advance()?;
        }
        Ok(())
    }
}

/// Sums one asset's history into its rollup rows (which must be empty).
fn build_asset(c: &Connection, asset: Uuid, rates: &HashMap<Uuid, Option<i64>>) -> Result<()> {
    let Some(acquired) = c
        .prepare_cached("SELECT acquired_on FROM assets WHERE id = ?1")?
        .query_row([asset], |r| r.get::<_, Option<String>>(0))
        .optional()?
    else {
        return Ok(());
    };
    let records = load_asset(c, asset)?;
    sum_asset(c, asset, acquired.as_deref(), &records, rates)
}

/// Sums an asset's records into its rollup rows (which must be empty).
fn sum_asset(
    c: &Connection,
    asset: Uuid,
    acquired: Option<&str>,
    x: &Records,
    rates: &HashMap<Uuid, Option<i64>>,
) -> Result<()> {
    // Downtime before the asset was acquired is outside its covered time.
    let floor = acquired.map(parse_date).transpose()?.map(midnight);
    let wos = &x.wos;
    let mut days: BTreeMap<i64, Sums> = BTreeMap::new();
    let mut visits: Vec<Visit> = Vec::new();
    let mut wo_minutes: HashMap<Uuid, i64> = HashMap::new();
    for &(wo, tech, minutes, day) in &x.labor {
        let s = days.entry(day_key(day)).or_default();
        s.labor_minutes += minutes;
        match rates.get(&tech).copied().flatten() {
            Some(rate) => s.rated_cents_min += minutes * rate,
            None => s.unrated_minutes += minutes,
        }
        *wo_minutes.entry(wo).or_default() += minutes;
    }
    for &(cents, day) in &x.parts {
        days.entry(day_key(day)).or_default().parts_cents += cents;
    }
    for &(cents, day) in &x.vendor {
        days.entry(day_key(day)).or_default().vendor_cents += cents;
    }
    for &(started, ended, factor) in &x.downtime {
        let mut t = floor.map_or(started, |f| started.max(f));
        while t < ended {
            let next = midnight(t.date_naive().succ_opt().unwrap_or(NaiveDate::MAX));
            let end = next.min(ended);
            let ms = (end - t).num_milliseconds();
            let s = days.entry(day_key(t.date_naive())).or_default();
            s.down_ms += ms;
            s.weighted_down_ms += ms as f64 * factor;
            t = end;
        }
    }
    let mut attempts: HashMap<Uuid, Vec<&str>> = HashMap::new();
    for (wo, a) in &x.attempts {
        attempts.entry(*wo).or_default().push(a);
    }
    for w in wos {
        let wo_minutes = wo_minutes.get(&w.id).copied().unwrap_or(0);
        match w.kind.as_str() {
            "corrective" => {
                let counted = w.done && w.closure.is_some();
                if counted {
                    let s = days.entry(day_key(w.opened.date_naive())).or_default();
                    s.closed += 1;
                    let code = w.closure.as_deref().unwrap_or("");
                    let failure = code.starts_with("failure:");
                    match code {
                        "cnd" => s.cnd += 1,
                        "use_error" => s.use_error += 1,
                        "abuse" => s.abuse += 1,
                        _ if failure => s.failures += 1,
                        _ => {}
                    }
                    if failure && let Some(done) = w.completed {
                        s.repairs += 1;
                        s.repair_secs += (done - w.opened).num_seconds().max(0);
                        s.repair_minutes += wo_minutes;
                    }
                }
                visits.push(Visit {
                    id: w.id,
                    opened: w.opened,
                    completed: w.completed,
                    counted,
                });
            }
            "pm" => {
                if let Some(due) = w.due {
                    let attempts = attempts.get(&w.id).map(|a| a.join(","));
                    let done = w
                        .completed
                        .filter(|_| w.done)
                        .map(|t| day_key(t.date_naive()));
                    c.prepare_cached(
                        "INSERT INTO analytics_pms (due, asset_id, id, plan_id, done, attempts)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![
                        day_key(due),
                        asset,
                        w.id,
                        w.plan,
                        done,
                        attempts,
                    ])?;
                }
            }
            _ => {}
        }
    }

    // A counted visit repeats the latest visit opened before it.
    visits.sort_by_key(|v| v.opened);
    for (i, v) in visits.iter().enumerate() {
        if !v.counted {
            continue;
        }
        let Some(prev) = visits[..i].iter().rev().find(|p| p.opened < v.opened) else {
            continue;
        };
        let gap = prev.completed.map(|d| (v.opened - d).num_milliseconds());
        c.prepare_cached(
            "INSERT INTO analytics_repeats (day, asset_id, gap_ms, id) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![day_key(v.opened.date_naive()), asset, gap, v.id])?;
    }

    let mut months: BTreeMap<i64, Sums> = BTreeMap::new();
    for (day, s) in &days {
        s.insert(c, "analytics_days", "day", *day, asset)?;
        months.entry(month_key(day_date(*day))).or_default().add(s);
    }
    for (month, s) in &months {
        s.insert(c, "analytics_months", "month", *month, asset)?;
    }
    Ok(())
}

impl crate::Store {
    /// Every row of the analytics rollup as text, in key order: what the
    /// tests compare before and after [`crate::Store::rebuild_analytics_rollup`].
    pub fn analytics_rollup_rows(&self) -> Result<Vec<String>> {
        dump(&self.conn)
    }

    /// Sums the whole history into the analytics rollup again, in one
    /// transaction (a repair, and the reference the tests compare with).
    pub fn rebuild_analytics_rollup(&mut self) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        rebuild_all(&tx)?;
        Ok(tx.commit()?)
    }
}

fn dump(c: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (t, k) in [("analytics_days", "day"), ("analytics_months", "month")] {
        let mut st = c.prepare(&format!(
            "SELECT {k}, hex(asset_id), sums FROM {t} ORDER BY {k}, asset_id"
        ))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let mut s = Sums::default();
            s.add_packed(r.get_ref(2)?.as_blob().map_err(rusqlite::Error::from)?)?;
            out.push(format!(
                "{t} {} {} {s:?}",
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?
            ));
        }
    }
    for sql in [
        "SELECT 'repeat', day, hex(asset_id), quote(gap_ms), hex(id) FROM analytics_repeats ORDER BY 2, 3, 5",
        "SELECT 'pm', due, hex(asset_id), quote(done) || ' ' || quote(attempts) || ' ' || quote(hex(plan_id)), hex(id) FROM analytics_pms ORDER BY 2, 3, 5",
    ] {
        let mut st = c.prepare(sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            out.push(format!(
                "{} {} {} {} {}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_sums_read_back_as_written() {
        let s = Sums {
            labor_minutes: 95,
            unrated_minutes: 0,
            rated_cents_min: 8_550_000_000,
            parts_cents: -1_250,
            vendor_cents: i64::MAX / 3,
            down_ms: 86_400_000,
            weighted_down_ms: 43_200_000.5,
            closed: 2,
            failures: 1,
            cnd: 0,
            use_error: 1,
            abuse: 0,
            repairs: 1,
            repair_secs: 137_100,
            repair_minutes: 60,
        };
        let mut back = Sums::default();
        back.add_packed(&s.encode()).unwrap();
        assert_eq!(back, s);
        back.add_packed(&s.encode()).unwrap();
        assert_eq!(back.parts_cents, -2_500);
        assert_eq!(back.weighted_down_ms, 86_400_001.0);
        // No downtime: no float; a truncated value is refused.
        let none = Sums {
            closed: 1,
            ..Sums::default()
        };
        assert_eq!(none.encode().len(), 14);
        assert!(Sums::default().add_packed(&s.encode()[..3]).is_err());
    }
}
