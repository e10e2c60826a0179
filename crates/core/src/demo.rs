//! Create the demo hospital in an empty database: reference data,
//! inventory and years of work-order history, deterministic from a seed.

use crate::{App, CoreError, Result};
use biomend_demo::DemoParams;
use biomend_store::Actor;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct DemoSummary {
    pub name: String,
    pub seed: u64,
    pub sites: usize,
    pub departments: usize,
    pub assets: usize,
    pub users: usize,
    pub work_orders: u64,
    pub attached_records: u64,
}

/// Stages reported to `progress`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Inventory,
    History { done: u64, target: u64 },
}

pub fn create(
    app: &mut App,
    params: &DemoParams,
    mut progress: impl FnMut(Stage),
) -> Result<DemoSummary> {
    if app.store().reader().count("assets")? > 0 {
        return Err(CoreError::invalid(
            "database",
            "already holds assets; the demo needs an empty database",
        ));
    }
    progress(Stage::Inventory);
    let data = biomend_demo::generate(params);
    let actor = Actor::system("demo");
    let at = app.now();
    let store = app.store_mut();
    store.bulk_load(&data, &actor, at)?;
    let target = params.work_orders;
    // History streams from the generator; batches keep memory and each
    // transaction bounded at a million work orders.
    let mut buf = Vec::with_capacity(BATCH);
    let mut counts = biomend_store::bulk::LoadCounts::default();
    let mut err = None;
    biomend_demo::history(params, &data, |b| {
        if err.is_some() {
            return;
        }
        buf.push(b);
        if buf.len() == BATCH {
            match store.bulk_work_orders(buf.drain(..), BATCH, &actor, at, |_| {}) {
                Ok(c) => {
                    counts.work_orders += c.work_orders;
                    counts.attached_records += c.attached_records;
                    progress(Stage::History {
                        done: counts.work_orders,
                        target,
                    });
                }
                Err(e) => err = Some(e),
            }
        }
    });
    if let Some(e) = err {
        return Err(e.into());
    }
    let c = store.bulk_work_orders(buf.drain(..), BATCH, &actor, at, |_| {})?;
    counts.work_orders += c.work_orders;
    counts.attached_records += c.attached_records;
    progress(Stage::History {
        done: counts.work_orders,
        target,
    });
    store.bulk_load_recall_assets(&data, &actor, at)?;
    store.optimize()?;
    Ok(DemoSummary {
        name: params.name.clone(),
        seed: params.seed,
        sites: data.sites.len(),
        departments: data.departments.len(),
        assets: data.assets.len(),
        users: data.users.len(),
        work_orders: counts.work_orders,
        attached_records: counts.attached_records,
    })
}

const BATCH: usize = 5_000;
