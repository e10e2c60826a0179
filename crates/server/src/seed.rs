//! Loading a whole hospital into the row store: the demo, and the setup of
//! benchmarks and tests. Large transactions (one for the reference data
//! and inventory, then one per few thousand work orders) because a commit
//! per row would cost more than the rows.
//!
//! Demo accounts: every user of a seeded dataset gets the password given
//! to [`seed`] (the `demo` command uses [`DEMO_PASSWORD`]). Real accounts
//! are made with `biomend-server user add`, which refuses weak passwords.

use crate::auth::{self, AuthError, HashCost};
use crate::backend::{Backend, StoreError, Txn, UserRow};
use biomend_demo::DemoParams;
use biomend_domain::dataset::{Dataset, WorkOrderBundle};
use biomend_domain::settings::{self, HospitalSettings};
use biomend_domain::user::Role;
use biomend_protocol::*;
use std::collections::HashMap;
use uuid::Uuid;

/// The password of every demo user. Printed by `biomend-server demo`;
/// never used for accounts made with `user add`.
pub const DEMO_PASSWORD: &str = "demo";

/// Work orders per transaction when loading history.
const BUNDLES_PER_TXN: usize = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("the database already holds data; seed only a new database")]
    NotEmpty,
}

/// What a seed wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub rows: u64,
    pub users: usize,
    pub work_orders: u64,
}

/// Loads `data` and `bundles` into an empty store, with accounts for
/// `data.users` whose password is `password` (inactive users cannot sign
/// in). `cost` is the argon2 cost of those hashes.
pub fn seed<B: Backend>(
    backend: &B,
    data: &Dataset,
    bundles: impl IntoIterator<Item = WorkOrderBundle>,
    password: &str,
    cost: &HashCost,
) -> Result<SeedSummary, SeedError> {
    let sites = Sites::of(data);
    let mut summary = backend.write(|txn| -> Result<SeedSummary, SeedError> {
        if txn.last_version()? != 0 {
            return Err(SeedError::NotEmpty);
        }
        load_reference(txn, data, &sites, password, cost)
    })?;
    let mut batch = Vec::with_capacity(BUNDLES_PER_TXN);
    for b in bundles {
        batch.push(b);
        if batch.len() == BUNDLES_PER_TXN {
            summary.rows += load_bundles(backend, &batch, &sites)?;
            summary.work_orders += batch.len() as u64;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        summary.rows += load_bundles(backend, &batch, &sites)?;
        summary.work_orders += batch.len() as u64;
    }
    Ok(summary)
}

/// Generates the demo hospital for `params` and loads it, history
/// streamed in batches (never all in memory).
pub fn seed_demo<B: Backend>(
    backend: &B,
    params: &DemoParams,
    password: &str,
    cost: &HashCost,
) -> Result<SeedSummary, SeedError> {
    let data = biomend_demo::generate(params);
    let sites = Sites::of(&data);
    let mut summary = backend.write(|txn| -> Result<SeedSummary, SeedError> {
        if txn.last_version()? != 0 {
            return Err(SeedError::NotEmpty);
        }
        let mut summary = load_reference(txn, &data, &sites, password, cost)?;
        if let Some(settings) = demo_settings(&data) {
            put(txn, &Record::HospitalSettings((&settings).into()), None)?;
            summary.rows += 1;
        }
        Ok(summary)
    })?;
    let mut batch = Vec::with_capacity(BUNDLES_PER_TXN);
    let mut failed: Option<SeedError> = None;
    biomend_demo::history(params, &data, |b| {
        if failed.is_some() {
            return;
        }
        batch.push(b);
        if batch.len() == BUNDLES_PER_TXN {
            match load_bundles(backend, &batch, &sites) {
                Ok(n) => {
                    summary.rows += n;
                    summary.work_orders += batch.len() as u64;
                }
                Err(e) => failed = Some(e),
            }
            batch.clear();
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    if !batch.is_empty() {
        summary.rows += load_bundles(backend, &batch, &sites)?;
        summary.work_orders += batch.len() as u64;
    }
    Ok(summary)
}

/// The demo hospital's analytics settings: the technicians' blended
/// loaded rate, since pay rates stay on the server and a tablet would
/// otherwise cost in-house labor at zero. Set by the demo's administrator.
fn demo_settings(data: &Dataset) -> Option<HospitalSettings> {
    let rates: Vec<i64> = data
        .users
        .iter()
        .filter(|u| u.active)
        .filter_map(|u| u.loaded_rate_cents)
        .collect();
    let admin = data.users.iter().find(|u| u.role == Role::Admin)?;
    let mean = rates.iter().sum::<i64>() / i64::try_from(rates.len()).ok().filter(|n| *n > 0)?;
    Some(HospitalSettings {
        name: settings::ANALYTICS.into(),
        values: [("fallback_loaded_rate_cents".to_string(), mean.to_string())].into(),
        updated_by: admin.id,
        // When the demo was set up.
        updated_at: chrono::Utc::now(),
    })
}

/// Which site each located thing belongs to.
struct Sites {
    building: HashMap<Uuid, Uuid>,
    department: HashMap<Uuid, Uuid>,
    asset: HashMap<Uuid, Uuid>,
}

impl Sites {
    fn of(data: &Dataset) -> Sites {
        let building: HashMap<Uuid, Uuid> = data
            .buildings
            .iter()
            .map(|b| (b.id.0, b.site_id.0))
            .collect();
        let department: HashMap<Uuid, Uuid> = data
            .departments
            .iter()
            .map(|d| (d.id.0, d.site_id.0))
            .collect();
        let asset = data
            .assets
            .iter()
            .filter_map(|a| department.get(&a.department_id.0).map(|s| (a.id.0, *s)))
            .collect();
        Sites {
            building,
            department,
            asset,
        }
    }
}

fn put(txn: &mut dyn Txn, record: &Record, site: Option<Uuid>) -> Result<(), StoreError> {
    txn.put_row(record.kind(), &record.key(), site, &record.to_json())?;
    Ok(())
}

fn load_reference(
    txn: &mut dyn Txn,
    data: &Dataset,
    sites: &Sites,
    password: &str,
    cost: &HashCost,
) -> Result<SeedSummary, SeedError> {
    let mut rows = 0u64;
    let mut put = |txn: &mut dyn Txn, r: Record, site: Option<Uuid>| {
        rows += 1;
        put(txn, &r, site)
    };
    for s in &data.sites {
        put(txn, Record::Site(s.into()), Some(s.id.0))?;
    }
    for b in &data.buildings {
        put(txn, Record::Building(b.into()), Some(b.site_id.0))?;
    }
    for d in &data.departments {
        put(txn, Record::Department(d.into()), Some(d.site_id.0))?;
    }
    for l in &data.locations {
        let site = sites.building.get(&l.building_id.0).copied();
        put(txn, Record::Location(l.into()), site)?;
    }
    // One hash for all demo accounts: hashing dozens at production cost
    // would dominate the demo's start, and they share one known password.
    let hash = auth::hash_password(password, cost)?;
    for u in &data.users {
        let row = UserRow {
            id: u.id.0,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            sites: u.sites.iter().map(|s| s.0).collect(),
            active: u.active,
            password_hash: if u.active {
                hash.clone()
            } else {
                String::new()
            },
        };
        auth::put_user(txn, &row)?;
    }
    for m in &data.manufacturers {
        put(txn, Record::Manufacturer(m.into()), None)?;
    }
    for d in &data.device_types {
        put(txn, Record::DeviceType(d.into()), None)?;
    }
    for m in &data.models {
        put(txn, Record::Model(m.into()), None)?;
    }
    for e in &data.safety_editions {
        put(txn, Record::SafetyEdition(e.into()), None)?;
    }
    for c in &data.checklists {
        put(txn, Record::Checklist(c.into()), None)?;
    }
    for p in &data.pm_plans {
        put(txn, Record::PmPlan(p.into()), None)?;
    }
    for p in &data.parts {
        put(txn, Record::Part(p.into()), None)?;
    }
    // Vendors, contracts and recalls are the health system's: every site
    // sees them.
    for v in &data.vendors {
        put(txn, Record::Vendor(v.into()), None)?;
    }
    for c in &data.contracts {
        put(txn, Record::ServiceContract(c.into()), None)?;
    }
    for r in &data.recalls {
        put(txn, Record::Recall(r.into()), None)?;
    }
    for a in &data.assets {
        let site = sites.department.get(&a.department_id.0).copied();
        put(txn, Record::Asset(a.into()), site)?;
    }
    for n in &data.network_profiles {
        let site = sites.asset.get(&n.asset_id.0).copied();
        put(txn, Record::NetworkProfile(n.into()), site)?;
    }
    for s in &data.pm_schedules {
        let site = sites.asset.get(&s.asset_id.0).copied();
        put(txn, Record::PmSchedule(s.into()), site)?;
    }
    for u in &data.usage_windows {
        let site = sites.department.get(&u.department_id.0).copied();
        put(txn, Record::UsageWindow(u.into()), site)?;
    }
    for t in &data.training_events {
        let site = sites.department.get(&t.department_id.0).copied();
        put(txn, Record::TrainingEvent(t.into()), site)?;
    }
    for r in &data.recall_assets {
        let site = sites.asset.get(&r.asset_id.0).copied();
        put(txn, Record::RecallAsset(r.into()), site)?;
    }
    Ok(SeedSummary {
        rows: rows + data.users.len() as u64,
        users: data.users.len(),
        work_orders: 0,
    })
}

fn load_bundles<B: Backend>(
    backend: &B,
    bundles: &[WorkOrderBundle],
    sites: &Sites,
) -> Result<u64, SeedError> {
    backend.write(|txn| -> Result<u64, SeedError> {
        let mut rows = 0u64;
        for b in bundles {
            let site = sites.asset.get(&b.work_order.asset_id.0).copied();
            rows += put_bundle(txn, b, site)?;
        }
        Ok(rows)
    })
}

/// Writes one work order with everything recorded on it, under `site`,
/// claiming its number; returns the rows written.
pub fn put_bundle(
    txn: &mut dyn Txn,
    b: &WorkOrderBundle,
    site: Option<Uuid>,
) -> Result<u64, StoreError> {
    let mut rows = 0u64;
    let wo = WorkOrderV1::from(&b.work_order);
    txn.claim_work_order_number(&wo.number, wo.id)?;
    put(txn, &Record::WorkOrder(wo), site)?;
    rows += 1;
    let mut each = |txn: &mut dyn Txn, r: Record| -> Result<(), StoreError> {
        rows += 1;
        put(txn, &r, site)
    };
    for d in &b.downtime {
        each(txn, Record::Downtime(d.into()))?;
    }
    for l in &b.labor {
        each(txn, Record::Labor(l.into()))?;
    }
    for p in &b.parts {
        each(txn, Record::PartUse(p.into()))?;
    }
    for v in &b.vendor_charges {
        each(txn, Record::VendorCharge(v.into()))?;
    }
    for r in &b.readings {
        each(txn, Record::Reading(r.into()))?;
    }
    for n in &b.notes {
        each(txn, Record::WorkNote(n.into()))?;
    }
    if let Some(s) = &b.signature {
        each(txn, Record::Signature(s.into()))?;
    }
    for a in &b.attempts {
        each(txn, Record::PmAttempt(a.into()))?;
    }
    Ok(rows)
}
