//! Bulk loading of a whole hospital (the demo generator, benchmarks, a
//! migration from another CMMS). Rows go in through the same inserts as
//! single writes, in large transactions, with one audit row per load rather
//! than per record: a load is one action by the system.

use crate::write::{Actor, ins};
use crate::{Result, Store};
use biomend_domain::dataset::{Dataset, WorkOrderBundle};
use chrono::{DateTime, Utc};
use serde_json::json;

/// Counts of what a load wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadCounts {
    pub work_orders: u64,
    pub attached_records: u64,
}

impl Store {
    /// Loads reference data and inventory in one transaction: all or nothing.
    pub fn bulk_load(&mut self, data: &Dataset, actor: &Actor, at: DateTime<Utc>) -> Result<()> {
        self.write(actor, at, |tx| {
            let c = tx.conn();
            for s in &data.sites {
                ins::site(c, s)?;
            }
            for b in &data.buildings {
                ins::building(c, b)?;
            }
            for d in &data.departments {
                ins::department(c, d)?;
            }
            for l in &data.locations {
                ins::location(c, l)?;
            }
            for u in &data.users {
                ins::user(c, u)?;
            }
            for m in &data.manufacturers {
                ins::manufacturer(c, m)?;
            }
            for d in &data.device_types {
                ins::device_type(c, d)?;
            }
            for m in &data.models {
                ins::model(c, m)?;
            }
            for e in &data.safety_editions {
                ins::safety_edition(c, e)?;
            }
            for k in &data.checklists {
                ins::checklist(c, k)?;
            }
            for p in &data.pm_plans {
                ins::pm_plan(c, p)?;
            }
            for v in &data.vendors {
                ins::vendor(c, v)?;
            }
            for k in &data.contracts {
                ins::contract(c, k)?;
            }
            for p in &data.parts {
                ins::part(c, p)?;
            }
            for s in &data.part_stock {
                ins::part_stock(c, s)?;
            }
            // Parents first, so a child's parent_id always refers to a row.
            tx.with_deferred_search_index(|tx| {
                let c = tx.conn();
                for a in data.assets.iter().filter(|a| a.parent_id.is_none()) {
                    ins::asset(c, a)?;
                }
                for a in data.assets.iter().filter(|a| a.parent_id.is_some()) {
                    ins::asset(c, a)?;
                }
                Ok::<_, crate::StoreError>(())
            })?;
            let c = tx.conn();
            for p in &data.network_profiles {
                ins::network_profile(c, p, false)?;
            }
            for s in &data.pm_schedules {
                ins::pm_schedule(c, s, false)?;
            }
            for u in &data.usage_windows {
                ins::usage_window(c, u)?;
            }
            for t in &data.training_events {
                ins::training_event(c, t)?;
            }
            for r in &data.recalls {
                ins::recall(c, r)?;
            }
            tx.audit(
                "bulk_load",
                "dataset",
                None,
                None::<&()>,
                Some(&json!({
                    "sites": data.sites.len(),
                    "departments": data.departments.len(),
                    "models": data.models.len(),
                    "assets": data.assets.len(),
                    "users": data.users.len(),
                })),
            )?;
            Ok::<_, crate::StoreError>(())
        })
    }

    /// Loads work orders with their attached records, committing every
    /// `batch` work orders so memory and the WAL stay bounded. Recall
    /// actions that point at work orders are loaded last, by
    /// [`Store::bulk_load_recall_assets`].
    pub fn bulk_work_orders(
        &mut self,
        bundles: impl IntoIterator<Item = WorkOrderBundle>,
        batch: usize,
        actor: &Actor,
        at: DateTime<Utc>,
        mut progress: impl FnMut(u64),
    ) -> Result<LoadCounts> {
        let mut counts = LoadCounts::default();
        let mut iter = bundles.into_iter().peekable();
        while iter.peek().is_some() {
            let chunk: Vec<WorkOrderBundle> = iter.by_ref().take(batch.max(1)).collect();
            let added = self.write(actor, at, |tx| {
                let c = tx.conn();
                let mut attached = 0u64;
                for b in &chunk {
                    tx.rollup_asset(b.work_order.asset_id.0);
                    ins::work_order(c, &b.work_order)?;
                    for l in &b.labor {
                        ins::labor(c, l)?;
                    }
                    for p in &b.parts {
                        ins::part_use(c, p)?;
                    }
                    for v in &b.vendor_charges {
                        ins::vendor_charge(c, v)?;
                    }
                    for d in &b.downtime {
                        ins::downtime(c, d, false)?;
                    }
                    for r in &b.readings {
                        ins::reading(c, r)?;
                    }
                    for a in &b.attempts {
                        ins::attempt(c, a)?;
                    }
                    for n in &b.notes {
                        ins::note(c, n)?;
                    }
                    if let Some(s) = &b.signature {
                        ins::signature(c, s)?;
                    }
                    attached += (b.labor.len()
                        + b.parts.len()
                        + b.vendor_charges.len()
                        + b.downtime.len()
                        + b.readings.len()
                        + b.attempts.len()
                        + b.notes.len()
                        + usize::from(b.signature.is_some()))
                        as u64;
                }
                tx.audit(
                    "bulk_load",
                    "work_orders",
                    None,
                    None::<&()>,
                    Some(&json!({ "work_orders": chunk.len(), "attached": attached })),
                )?;
                Ok::<_, crate::StoreError>(attached)
            })?;
            counts.work_orders += chunk.len() as u64;
            counts.attached_records += added;
            progress(counts.work_orders);
        }
        Ok(counts)
    }

    /// Recall actions refer to work orders, so they load after history.
    pub fn bulk_load_recall_assets(
        &mut self,
        data: &Dataset,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.write(actor, at, |tx| {
            for r in &data.recall_assets {
                ins::recall_asset(tx.conn(), r)?;
            }
            Ok::<_, crate::StoreError>(())
        })
    }
}
