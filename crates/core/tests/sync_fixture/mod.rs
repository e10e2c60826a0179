//! A small generated hospital to fill the outbox through real use cases,
//! and an in-memory server to push it to.

#![allow(dead_code)]

use biomend_core::App;
use biomend_core::env::{Clock, FixedClock, IdGen};
use biomend_core::workflow::{Completion, LaborInput, WorkRecord};
use biomend_domain::asset::AssetStatus;
use biomend_domain::work_order::*;
use biomend_protocol::*;
use biomend_store::Store;
use biomend_sync::{Transport, TransportError};
use chrono::{DateTime, TimeZone, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

pub const TECH: &str = "demo.tech";
pub const SUPER: &str = "demo.super";
pub const DEVICE: Uuid = Uuid::from_u128(0x019c_af10_3180_7000_8000_0000_0000_00d1);

/// The demo database is generated once and copied per test.
fn template() -> &'static PathBuf {
    static T: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &T.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("template.sqlite");
        let params = biomend_demo::DemoParams::scaled(400, 4_000);
        let clock = Arc::new(FixedClock::new(
            params.as_of.and_hms_opt(14, 0, 0).expect("time").and_utc(),
        ));
        let mut app = App::new(Store::open(&path).expect("open"), clock, IdGen::seeded(7));
        biomend_core::demo::create(&mut app, &params, |_| {}).expect("demo");
        drop(app);
        // Fold the WAL into the main file so a plain copy is complete.
        let c = Store::open(&path).expect("reopen");
        c.optimize().expect("optimize");
        drop(c);
        (dir, path)
    })
    .1
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub app: App,
    pub clock: Arc<FixedClock>,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("biomend.sqlite");
    let src = template();
    std::fs::copy(src, &path).expect("copy db");
    for suffix in ["-wal", "-shm"] {
        let s = PathBuf::from(format!("{}{suffix}", src.display()));
        if s.exists() {
            std::fs::copy(&s, format!("{}{suffix}", path.display())).expect("copy wal");
        }
    }
    let as_of = biomend_demo::DemoParams::scaled(400, 4_000).as_of;
    let clock = Arc::new(FixedClock::new(
        Utc.from_utc_datetime(&as_of.and_hms_opt(15, 0, 0).expect("time")),
    ));
    let app = App::new(open(&path), clock.clone(), IdGen::seeded(42));
    Fixture {
        dir,
        path,
        app,
        clock,
    }
}

pub fn open(path: &Path) -> Store {
    Store::open(path).expect("open")
}

impl Fixture {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// In-service assets at the technician's site with no open work.
    pub fn free_assets(&self, n: usize) -> Vec<String> {
        let app = &self.app;
        let hits = biomend_core::search::run(
            app,
            &biomend_core::search::SearchInput {
                text: "BME".into(),
                limit: 400,
            },
        )
        .expect("search");
        let tech = app.user(TECH).expect("tech");
        let mut out = Vec::new();
        for h in hits {
            if h.status != AssetStatus::InService {
                continue;
            }
            let page = biomend_core::asset_page::run(app, &h.tag).expect("page");
            if tech.sites.contains(&page.detail.site.id) && page.open_work.is_empty() {
                out.push(h.tag);
                if out.len() == n {
                    return out;
                }
            }
        }
        panic!("only {} free assets at the technician's site", out.len());
    }

    /// Opens a corrective work order with the device down.
    pub fn open_corrective(&mut self, tag: &str) -> WorkOrder {
        biomend_core::corrective::run(
            &mut self.app,
            &biomend_core::corrective::NewCorrective {
                username: TECH.into(),
                tag: tag.into(),
                problem: "Occlusion alarm with no line attached".into(),
                reported_by: "RN Alvarez, ICU".into(),
                priority: Priority::Urgent,
                assign_to: None,
                device_down: true,
            },
        )
        .expect("new work order")
    }

    /// Opens, starts and completes a corrective repair: three mutations.
    pub fn repair(&mut self, tag: &str) -> WorkOrder {
        let wo = self.open_corrective(tag);
        self.clock.advance(chrono::Duration::minutes(5));
        biomend_core::workflow::start(&mut self.app, TECH, &wo.number).expect("start");
        self.clock.advance(chrono::Duration::minutes(40));
        biomend_core::workflow::complete(
            &mut self.app,
            TECH,
            &wo.number,
            &Completion {
                findings: "Replaced battery pack; tested to spec".into(),
                closure: ClosureCode::DeviceFailure(FailureArea::Battery),
                record: WorkRecord {
                    labor: vec![LaborInput {
                        minutes: 35,
                        note: "bench".into(),
                    }],
                    ..Default::default()
                },
                signature: Some("M10 10 L20 20".into()),
            },
        )
        .expect("complete")
    }

    /// The pending mutations as they will travel.
    pub fn pending(&self) -> Vec<MutationEnvelope> {
        biomend_core::outbox::pending(&self.app, 10_000).expect("pending")
    }
}

/// An in-memory server: keeps the last seq it applied per device, applies
/// each mutation exactly once, and misbehaves on request.
#[derive(Debug, Default)]
pub struct FakeServer {
    /// Per device: the last seq applied (or rejected).
    pub last_seq: HashMap<Uuid, u64>,
    /// Every mutation applied, in order: (device, seq, mutation id).
    pub applied: Vec<(Uuid, u64, Uuid)>,
    /// Rejections recorded, replayed for a retried push.
    pub rejections: BTreeMap<(Uuid, u64), (String, String)>,
    /// Mutations to refuse, by id, with (code, message).
    pub reject_ids: HashMap<Uuid, (String, String)>,
    /// Every request received.
    pub requests: Vec<PushRequest>,
    /// Unreachable: nothing is received.
    pub offline: bool,
    /// The next this-many answers are lost after the server applied the
    /// push.
    pub drop_answers: u32,
    /// The next request is delivered twice (a proxy retried it); the
    /// client sees the second answer.
    pub deliver_twice: bool,
    /// The next answer is a gap naming this seq, whatever was sent.
    pub force_gap: Option<u64>,
    /// Requests older than this protocol version get `client_too_old`.
    pub min_protocol: u16,
    /// Handle at most this many mutations per request.
    pub max_per_request: Option<usize>,
    /// What pulls return: (version, kind, key, record or tombstone), in
    /// version order.
    pub feed: Vec<(u64, Kind, String, Option<Record>)>,
    /// Pulls from a cursor below this get `resync_required`.
    pub horizon: u64,
    /// Every pull request received.
    pub pulls: Vec<PullRequest>,
}

impl FakeServer {
    pub fn new() -> FakeServer {
        FakeServer::default()
    }

    /// Publishes `record` at the next version.
    pub fn publish(&mut self, record: Record) -> u64 {
        let v = self.feed.last().map_or(0, |f| f.0) + 1;
        self.feed
            .retain(|(_, k, key, _)| (*k, key.as_str()) != (record.kind(), record.key().as_str()));
        self.feed
            .push((v, record.kind(), record.key(), Some(record)));
        v
    }

    pub fn reject(&mut self, id: Uuid, code: &str, message: &str) {
        self.reject_ids
            .insert(id, (code.to_string(), message.to_string()));
    }

    /// The server is restored from a backup: it forgets what it applied
    /// after `seq` for `device`.
    pub fn lose_data_after(&mut self, device: Uuid, seq: u64) {
        self.last_seq.insert(device, seq);
        self.applied.retain(|(d, s, _)| *d != device || *s <= seq);
        self.rejections
            .retain(|(d, s), _| *d != device || *s <= seq);
    }

    /// Ids of applied mutations, in the order applied.
    pub fn applied_ids(&self) -> Vec<Uuid> {
        self.applied.iter().map(|(_, _, id)| *id).collect()
    }

    /// Each mutation id applied at most once.
    pub fn assert_exactly_once(&self) {
        let mut seen = HashSet::new();
        for (_, seq, id) in &self.applied {
            assert!(seen.insert(*id), "mutation {id} (seq {seq}) applied twice");
        }
    }

    fn handle(&mut self, req: &PushRequest) -> PushResponse {
        if let Some(n) = self.force_gap.take() {
            return PushResponse {
                results: vec![],
                expected_seq: Some(n),
            };
        }
        let last = self.last_seq.entry(req.device_id).or_insert(0);
        let mut results = Vec::new();
        let limit = self.max_per_request.unwrap_or(usize::MAX);
        for m in req.mutations.iter().take(limit) {
            let outcome = if m.seq <= *last {
                match self.rejections.get(&(req.device_id, m.seq)) {
                    // A retried rejection keeps its reason.
                    Some((code, message)) => Outcome::Rejected {
                        code: code.clone(),
                        message: message.clone(),
                    },
                    None => Outcome::Duplicate,
                }
            } else if m.seq > *last + 1 {
                if results.is_empty() {
                    return PushResponse {
                        results,
                        expected_seq: Some(*last + 1),
                    };
                }
                break;
            } else {
                *last = m.seq;
                let refusal = match m.mutation() {
                    Err(e) => Some(("unsupported".to_string(), e.to_string())),
                    Ok(_) => self.reject_ids.get(&m.id).cloned(),
                };
                match refusal {
                    Some((code, message)) => {
                        self.rejections
                            .insert((req.device_id, m.seq), (code.clone(), message.clone()));
                        Outcome::Rejected { code, message }
                    }
                    None => {
                        self.applied.push((req.device_id, m.seq, m.id));
                        Outcome::Applied
                    }
                }
            };
            results.push(MutationResult {
                seq: m.seq,
                id: m.id,
                outcome,
            });
        }
        PushResponse {
            results,
            expected_seq: None,
        }
    }
}

impl Transport for FakeServer {
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        if self.offline {
            return Err(TransportError::Offline);
        }
        self.requests.push(req.clone());
        if req.protocol_version < self.min_protocol {
            return Err(TransportError::Rejected(ErrorBody {
                code: CLIENT_TOO_OLD.into(),
                message: format!(
                    "protocol {} is no longer supported; the oldest accepted is {}",
                    req.protocol_version, self.min_protocol
                ),
            }));
        }
        if std::mem::take(&mut self.deliver_twice) {
            self.handle(req);
        }
        let answer = self.handle(req);
        if self.drop_answers > 0 {
            self.drop_answers -= 1;
            return Err(TransportError::Server(
                "connection reset before the answer".into(),
            ));
        }
        Ok(answer)
    }

    fn pull(&mut self, req: &PullRequest) -> Result<PullResponse, TransportError> {
        if self.offline {
            return Err(TransportError::Offline);
        }
        self.pulls.push(req.clone());
        if req.cursor < self.horizon {
            return Err(TransportError::ResyncRequired);
        }
        let page: Vec<_> = self
            .feed
            .iter()
            .filter(|f| f.0 > req.cursor)
            .take(req.limit as usize)
            .collect();
        let more = self.feed.iter().filter(|f| f.0 > req.cursor).count() > page.len();
        let cursor = page.last().map_or(req.cursor, |f| f.0);
        let changes = page
            .into_iter()
            .map(|(v, k, key, r)| match r {
                Some(r) => Change::upsert(*v, r),
                None => Change {
                    version: *v,
                    kind: k.as_str().to_string(),
                    key: key.clone(),
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
