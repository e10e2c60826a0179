//! A generated hospital on an in-memory server, and devices that start
//! from an empty database. The server keeps rows as the protocol sends
//! them, versions each by its last change, applies pushed `update_asset`
//! mutations (so a device pulls its own edits back), and can forget old
//! tombstones to force a resync.

#![allow(dead_code)]

use biomend_demo::{DemoParams, generate, history};
use biomend_domain::dataset::{Dataset, WorkOrderBundle};
use biomend_protocol::*;
use biomend_store::{Actor, Store};
use biomend_sync::{Transport, TransportError};
use chrono::{DateTime, TimeZone, Utc};
use std::collections::HashMap;
use std::path::PathBuf;
use uuid::Uuid;

pub const DEVICE: Uuid = Uuid::from_u128(0x019c_af10_3180_7000_8000_0000_0000_00d2);

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 14, 0, 0).unwrap()
}

pub fn hospital() -> (Dataset, Vec<WorkOrderBundle>) {
    let params = DemoParams::scaled(120, 300);
    let data = generate(&params);
    let mut bundles = Vec::new();
    history(&params, &data, |b| bundles.push(b));
    (data, bundles)
}

/// Every row of the hospital a device receives, parents first.
pub fn records(d: &Dataset, bundles: &[WorkOrderBundle]) -> Vec<Record> {
    let mut out = Vec::new();
    out.extend(d.sites.iter().map(|x| Record::Site(x.into())));
    out.extend(d.buildings.iter().map(|x| Record::Building(x.into())));
    out.extend(d.departments.iter().map(|x| Record::Department(x.into())));
    out.extend(d.locations.iter().map(|x| Record::Location(x.into())));
    out.extend(d.users.iter().map(|x| Record::User(x.into())));
    out.extend(
        d.manufacturers
            .iter()
            .map(|x| Record::Manufacturer(x.into())),
    );
    out.extend(d.device_types.iter().map(|x| Record::DeviceType(x.into())));
    out.extend(d.models.iter().map(|x| Record::Model(x.into())));
    out.extend(
        d.safety_editions
            .iter()
            .map(|x| Record::SafetyEdition(x.into())),
    );
    out.extend(d.checklists.iter().map(|x| Record::Checklist(x.into())));
    out.extend(d.pm_plans.iter().map(|x| Record::PmPlan(x.into())));
    out.extend(d.parts.iter().map(|x| Record::Part(x.into())));
    // Parents before their modules.
    let (top, modules): (Vec<_>, Vec<_>) = d.assets.iter().partition(|a| a.parent_id.is_none());
    out.extend(
        top.into_iter()
            .chain(modules)
            .map(|x| Record::Asset(x.into())),
    );
    out.extend(d.pm_schedules.iter().map(|x| Record::PmSchedule(x.into())));
    for b in bundles {
        out.push(Record::WorkOrder((&b.work_order).into()));
        out.extend(b.downtime.iter().map(|x| Record::Downtime(x.into())));
        out.extend(b.labor.iter().map(|x| Record::Labor(x.into())));
        out.extend(b.parts.iter().map(|x| Record::PartUse(x.into())));
        out.extend(b.readings.iter().map(|x| Record::Reading(x.into())));
        out.extend(b.notes.iter().map(|x| Record::WorkNote(x.into())));
        out.extend(b.signature.iter().map(|x| Record::Signature(x.into())));
        out.extend(b.attempts.iter().map(|x| Record::PmAttempt(x.into())));
    }
    out
}

/// One stored row on the server.
#[derive(Clone, Debug)]
pub struct Row {
    pub version: u64,
    pub kind: Kind,
    pub key: String,
    pub record: Option<Record>,
}

/// A device's local change made while the engine is fetching: written
/// through a second connection to the device's database file.
pub struct Meanwhile {
    pub path: PathBuf,
    pub asset: Uuid,
    pub notes: String,
}

#[derive(Default)]
pub struct FakeServer {
    pub rows: Vec<Row>,
    /// Pulls from a cursor below this are answered `resync_required`.
    pub horizon: u64,
    pub offline: bool,
    /// Per device, the last seq applied.
    pub last_seq: HashMap<Uuid, u64>,
    pub pushes: Vec<PushRequest>,
    pub pulls: Vec<PullRequest>,
    /// Made on the device during the first pull request.
    pub meanwhile: Option<Meanwhile>,
    /// Answers `more` without moving the cursor.
    pub stuck: bool,
    /// Goes offline once it has answered this many pulls.
    pub pulls_before_offline: Option<usize>,
    /// The last version given out; never reused.
    pub counter: u64,
    /// Devices pulling from zero: their pages may pass below the horizon
    /// (they hold nothing a forgotten tombstone could leave behind).
    pub from_zero: std::collections::HashSet<Uuid>,
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer")
            .field("rows", &self.rows.len())
            .finish()
    }
}

impl FakeServer {
    pub fn with(records: Vec<Record>) -> FakeServer {
        let mut s = FakeServer::default();
        for r in records {
            s.publish(r);
        }
        s
    }

    pub fn version(&self) -> u64 {
        self.counter
    }

    fn next_version(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// Stores `record` as changed now: it gets the next version.
    pub fn publish(&mut self, record: Record) -> u64 {
        let v = self.next_version();
        let (kind, key) = (record.kind(), record.key());
        self.rows.retain(|r| (r.kind, &r.key) != (kind, &key));
        self.rows.push(Row {
            version: v,
            kind,
            key,
            record: Some(record),
        });
        v
    }

    /// Deletes a row: it becomes a tombstone at the next version.
    pub fn delete(&mut self, kind: Kind, key: &str) -> u64 {
        let v = self.next_version();
        self.rows
            .retain(|r| (r.kind, r.key.as_str()) != (kind, key));
        self.rows.push(Row {
            version: v,
            kind,
            key: key.to_string(),
            record: None,
        });
        v
    }

    /// Forgets tombstones: devices behind the current version must resync.
    pub fn forget_tombstones(&mut self) {
        self.rows.retain(|r| r.record.is_some());
        self.horizon = self.version();
    }

    pub fn asset(&self, id: Uuid) -> AssetV1 {
        self.rows
            .iter()
            .find_map(|r| match &r.record {
                Some(Record::Asset(a)) if a.id == id => Some(a.clone()),
                _ => None,
            })
            .expect("asset on the server")
    }

    fn apply(&mut self, m: &MutationEnvelope) -> Outcome {
        match m.mutation() {
            Ok(Mutation::UpdateAsset(u)) => {
                let mut a = self.asset(u.asset_id);
                if let Some(n) = u.notes {
                    if a.notes != n.from {
                        return Outcome::Rejected {
                            code: "conflict".into(),
                            message: "notes changed meanwhile".into(),
                        };
                    }
                    a.notes = n.to;
                }
                if let Some(s) = u.status {
                    a.status = s.to;
                }
                self.publish(Record::Asset(a));
                Outcome::Applied
            }
            Ok(_) => Outcome::Applied,
            Err(e) => Outcome::Rejected {
                code: "unsupported".into(),
                message: e.to_string(),
            },
        }
    }
}

impl Transport for FakeServer {
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        if self.offline {
            return Err(TransportError::Offline);
        }
        self.pushes.push(req.clone());
        let mut results = Vec::new();
        for m in &req.mutations {
            let last = *self.last_seq.get(&req.device_id).unwrap_or(&0);
            let outcome = if m.seq <= last {
                Outcome::Duplicate
            } else {
                self.last_seq.insert(req.device_id, m.seq);
                self.apply(m)
            };
            results.push(MutationResult {
                seq: m.seq,
                id: m.id,
                outcome,
            });
        }
        Ok(PushResponse {
            results,
            expected_seq: None,
        })
    }

    fn pull(&mut self, req: &PullRequest) -> Result<PullResponse, TransportError> {
        if self.offline {
            return Err(TransportError::Offline);
        }
        if self.pulls_before_offline == Some(self.pulls.len()) {
            return Err(TransportError::Offline);
        }
        self.pulls.push(req.clone());
        if let Some(m) = self.meanwhile.take() {
            let mut other = Store::open(&m.path).expect("second connection");
            local_edit(&mut other, m.asset, &m.notes);
        }
        if req.cursor == 0 {
            self.from_zero.insert(req.device_id);
        }
        if req.cursor < self.horizon && !self.from_zero.contains(&req.device_id) {
            return Err(TransportError::ResyncRequired);
        }
        if self.stuck {
            return Ok(PullResponse {
                changes: vec![],
                cursor: req.cursor,
                more: true,
            });
        }
        let mut after: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| r.version > req.cursor)
            .collect();
        after.sort_by_key(|r| r.version);
        let more = after.len() > req.limit as usize;
        if !more {
            self.from_zero.remove(&req.device_id);
        }
        after.truncate(req.limit as usize);
        let cursor = after.last().map_or(req.cursor, |r| r.version);
        let changes = after
            .into_iter()
            .map(|r| match &r.record {
                Some(rec) => Change::upsert(r.version, rec),
                None => Change {
                    version: r.version,
                    kind: r.kind.as_str().to_string(),
                    key: r.key.clone(),
                    body: None,
                },
            })
            .collect();
        Ok(PullResponse {
            changes,
            cursor,
            more,
        })
    }
}

/// What the core does when a technician edits an asset's notes: the change
/// and its `update_asset@1` mutation in one transaction.
pub fn local_edit(store: &mut Store, asset: Uuid, notes: &str) {
    let before = store
        .reader()
        .asset(biomend_domain::ids::AssetId(asset))
        .expect("read")
        .expect("asset here");
    let mut after = before.clone();
    after.notes = notes.to_string();
    let m = Mutation::UpdateAsset(UpdateAsset {
        asset_id: asset,
        notes: Some(FieldChange::new(before.notes.clone(), notes.to_string())),
        ..UpdateAsset::default()
    });
    let n = store.reader().count("outbox").expect("count");
    store
        .write(&Actor::system("test"), now(), |tx| {
            tx.update_asset(&before, &after)?;
            let hlc = Hlc::tick(None, 1_750_000_000_000 + n, 7).to_string();
            tx.enqueue_mutation(
                Uuid::from_u128(u128::from(n) + 1),
                m.name(),
                m.version(),
                &hlc,
                &m.to_payload().to_string(),
            )
        })
        .expect("local edit");
}

/// A device with an empty database file.
pub struct Device {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub store: Store,
}

pub fn device() -> Device {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("device.sqlite");
    let store = Store::open(&path).expect("open");
    Device { dir, path, store }
}
