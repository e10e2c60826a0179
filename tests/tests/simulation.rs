//! Deterministic simulation of sync under faults.
//!
//! Several tablets (the real app core over real SQLite files) work on one
//! site of a small hospital while a real server (its HTTP router, called
//! in-process, over a real SQLite file) receives their pushes and pulls
//! through a transport that drops requests, drops answers after the server
//! acted, delivers requests twice, replays stale requests later, and cuts
//! tablets off for a while; tablets and the server also crash (their
//! in-memory state is thrown away and rebuilt from their files). Every
//! choice comes from one seeded RNG and the clocks are simulated, so a
//! failing seed replays exactly; a failure prints it.
//!
//! After the faults stop and every tablet has synced, the test checks:
//! every outbox is drained; every mutation a tablet holds was logged by
//! the server exactly once, under the same seq and id; and every tablet's
//! replicated tables equal those of a new tablet that pulled everything
//! from the server afterwards.
//!
//! `BIOMEND_SIM_SEEDS` sets how many seeds run (default 12) and
//! `BIOMEND_SIM_SEED` runs one seed.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use biomend_core::App;
use biomend_core::asset_edit::{self, AssetEdit, Place};
use biomend_core::corrective::{self, NewCorrective};
use biomend_core::env::{FixedClock, IdGen};
use biomend_core::workflow::{self, Completion, LaborInput, WorkRecord};
use biomend_demo::DemoParams;
use biomend_domain::asset::AssetStatus;
use biomend_domain::work_order::{ClosureCode, FailureArea, Priority};
use biomend_protocol::*;
use biomend_server::auth::HashCost;
use biomend_server::{Backend, Config, SqliteBackend};
use biomend_store::Store;
use biomend_sync::{Engine, Transport, TransportError};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;
use uuid::Uuid;

const PASSWORD: &str = "demo";
/// Tablets of one site, so their edits contend for the same devices.
const USERS: &[&str] = &["demo.tech", "tech02", "demo.super"];
const STEPS: usize = 70;

fn params() -> DemoParams {
    DemoParams::scaled(40, 120)
}

/// The server as the simulation holds it: rebuilt from its file on a crash.
struct Server {
    path: PathBuf,
    backend: Arc<SqliteBackend>,
    router: Router,
}

impl Server {
    fn open(path: &Path) -> Server {
        let backend = Arc::new(SqliteBackend::open(path).expect("open the server database"));
        let router = biomend_server::router(
            backend.clone(),
            Config {
                hash_cost: HashCost::fast_for_tests(),
            },
        );
        Server {
            path: path.to_path_buf(),
            backend,
            router,
        }
    }

    fn crash_and_restart(&mut self) {
        *self = Server::open(&self.path.clone());
    }
}

/// One HTTP exchange with the in-process router.
fn call(
    rt: &tokio::runtime::Runtime,
    router: &Router,
    path: &str,
    token: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Vec<u8>) {
    let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = req.body(Body::from(body)).expect("a request");
    rt.block_on(async {
        let resp = router
            .clone()
            .oneshot(req)
            .await
            .expect("the router answers");
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("a body");
        (status, bytes.to_vec())
    })
}

fn answer<T: serde::de::DeserializeOwned>(
    (status, body): (StatusCode, Vec<u8>),
) -> Result<T, TransportError> {
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(|e| TransportError::Server(e.to_string()));
    }
    let err: ErrorBody = serde_json::from_slice(&body)
        .unwrap_or_else(|_| panic!("every error is {{code, message}}: {status}"));
    assert!(
        !status.is_server_error(),
        "the server failed on a well-formed request: {status} {err}"
    );
    if err.code == RESYNC_REQUIRED {
        return Err(TransportError::ResyncRequired);
    }
    Err(TransportError::Rejected(err))
}

/// Faults the network may inflict on one exchange.
#[derive(Clone, Copy, Debug)]
struct Faults {
    drop_request: f64,
    drop_answer: f64,
    duplicate: f64,
    stash: f64,
    replay: f64,
}

const FAULTY: Faults = Faults {
    drop_request: 0.1,
    drop_answer: 0.15,
    duplicate: 0.1,
    stash: 0.15,
    replay: 0.15,
};
const HEALED: Faults = Faults {
    drop_request: 0.0,
    drop_answer: 0.0,
    duplicate: 0.0,
    stash: 0.0,
    replay: 0.0,
};

/// The simulated network between one tablet and the server.
struct SimNet<'a> {
    rt: &'a tokio::runtime::Runtime,
    server: &'a Server,
    token: &'a str,
    rng: &'a mut ChaCha8Rng,
    faults: Faults,
    online: bool,
    /// Requests held back by the network, delivered later (reordering).
    stale: &'a mut Vec<(String, Vec<u8>)>,
}

impl SimNet<'_> {
    fn exchange(
        &mut self,
        path: &str,
        body: Vec<u8>,
    ) -> Result<(StatusCode, Vec<u8>), TransportError> {
        if !self.online || self.rng.random_bool(self.faults.drop_request) {
            return Err(TransportError::Offline);
        }
        if !self.stale.is_empty() && self.rng.random_bool(self.faults.replay) {
            // An old request finally arrives; its answer goes nowhere.
            let (p, b) = self
                .stale
                .remove(self.rng.random_range(0..self.stale.len()));
            let (status, _) = call(self.rt, &self.server.router, &p, Some(self.token), b);
            assert!(
                !status.is_server_error(),
                "a replayed request failed: {status}"
            );
        }
        if self.rng.random_bool(self.faults.stash) {
            self.stale.push((path.to_string(), body.clone()));
        }
        let mut got = call(
            self.rt,
            &self.server.router,
            path,
            Some(self.token),
            body.clone(),
        );
        if self.rng.random_bool(self.faults.duplicate) {
            got = call(self.rt, &self.server.router, path, Some(self.token), body);
        }
        if self.rng.random_bool(self.faults.drop_answer) {
            // The server acted; the tablet never hears of it.
            return Err(TransportError::Offline);
        }
        Ok(got)
    }
}

impl Transport for SimNet<'_> {
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        let got = self.exchange("/v1/push", serde_json::to_vec(req).expect("json"))?;
        answer(got)
    }

    fn pull(&mut self, req: &PullRequest) -> Result<PullResponse, TransportError> {
        let got = self.exchange("/v1/pull", serde_json::to_vec(req).expect("json"))?;
        answer(got)
    }
}

struct Tablet {
    username: &'static str,
    path: PathBuf,
    app: App,
    clock: Arc<FixedClock>,
    device_id: Uuid,
    token: String,
    online: bool,
    stale: Vec<(String, Vec<u8>)>,
    /// The tablet's wall clock is off by this much (±1 day): it must
    /// change no outcome.
    skew: Duration,
}

impl Tablet {
    fn open_app(path: &Path, clock: Arc<FixedClock>, seed: u64) -> App {
        App::new(
            Store::open(path).expect("open the tablet database"),
            clock,
            IdGen::seeded(seed),
        )
    }

    fn engine(&self) -> Engine {
        Engine::new(self.device_id, 25).with_page_size(200)
    }

    /// One sync round; failures are expected under faults.
    fn sync(
        &mut self,
        rt: &tokio::runtime::Runtime,
        server: &Server,
        rng: &mut ChaCha8Rng,
        faults: Faults,
    ) -> Result<(), biomend_sync::SyncError> {
        let mut engine = self.engine();
        let mut net = SimNet {
            rt,
            server,
            token: &self.token,
            rng,
            faults,
            online: self.online,
            stale: &mut self.stale,
        };
        let now = self.app.now();
        engine
            .sync(self.app.store_mut(), &mut net, now, &mut |_| {})
            .map(drop)
    }
}

fn login(rt: &tokio::runtime::Runtime, server: &Server, username: &str) -> LoginResponse {
    let req = LoginRequest {
        protocol_version: PROTOCOL_VERSION,
        username: username.into(),
        password: PASSWORD.into(),
        device_name: format!("{username} tablet"),
        next_seq: 0,
    };
    let got = call(
        rt,
        &server.router,
        "/v1/login",
        None,
        serde_json::to_vec(&req).unwrap(),
    );
    answer(got).expect("login")
}

/// Work orders on a tablet, read straight from its file.
fn local_work(path: &Path) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut stmt = db
        .prepare("SELECT number, status FROM work_orders ORDER BY opened_at DESC LIMIT 40")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn local_tags(path: &Path) -> Vec<String> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut stmt = db.prepare("SELECT tag FROM assets ORDER BY tag").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn local_rooms(path: &Path) -> Vec<Uuid> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut stmt = db.prepare("SELECT id FROM locations").unwrap();
    stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|b| Uuid::from_slice(&b.unwrap()).unwrap())
        .collect()
}

/// One random thing a technician does; refusals (a rule said no, e.g.
/// completing work someone else already closed) are part of the game.
fn act(t: &mut Tablet, rng: &mut ChaCha8Rng) {
    let tags = local_tags(&t.path);
    if tags.is_empty() {
        return;
    }
    let tag = tags[rng.random_range(0..tags.len())].clone();
    let work = local_work(&t.path);
    let pick_work = |rng: &mut ChaCha8Rng, statuses: &[&str]| {
        let open: Vec<_> = work
            .iter()
            .filter(|(_, s)| statuses.contains(&s.as_str()))
            .collect();
        (!open.is_empty()).then(|| open[rng.random_range(0..open.len())].0.clone())
    };
    let user = t.username.to_string();
    let _ = match rng.random_range(0..6) {
        0 => corrective::run(
            &mut t.app,
            &NewCorrective {
                username: user,
                tag,
                problem: "Alarm sounds without cause".into(),
                reported_by: "4 West nursing".into(),
                priority: Priority::Urgent,
                assign_to: None,
                device_down: rng.random_bool(0.5),
            },
        )
        .map(drop),
        1 => match pick_work(rng, &["open", "on_hold_parts"]) {
            Some(n) if n.is_empty() => Ok(()),
            Some(n) => workflow::start(&mut t.app, &user, &n)
                .or_else(|_| workflow::resume(&mut t.app, &user, &n))
                .map(drop),
            None => Ok(()),
        },
        2 => match pick_work(rng, &["open", "in_progress"]) {
            Some(n) => workflow::record(
                &mut t.app,
                &user,
                &n,
                &WorkRecord {
                    labor: vec![LaborInput {
                        minutes: rng.random_range(5..90),
                        note: "Checked alarm log".into(),
                    }],
                    ..WorkRecord::default()
                },
            )
            .map(drop),
            None => Ok(()),
        },
        3 => match pick_work(rng, &["open", "in_progress"]) {
            Some(n) => workflow::complete(
                &mut t.app,
                &user,
                &n,
                &Completion {
                    findings: "Replaced battery pack".into(),
                    closure: ClosureCode::DeviceFailure(FailureArea::Battery),
                    record: WorkRecord {
                        labor: vec![LaborInput {
                            minutes: 30,
                            note: "Battery swap".into(),
                        }],
                        ..WorkRecord::default()
                    },
                    signature: Some("M0,0 L10,10".into()),
                },
            )
            .map(drop),
            None => Ok(()),
        },
        4 => {
            let statuses = [
                AssetStatus::InService,
                AssetStatus::OutOfService,
                AssetStatus::InRepair,
                AssetStatus::Missing,
            ];
            asset_edit::run(
                &mut t.app,
                &AssetEdit {
                    username: user,
                    tag,
                    status: Some(statuses[rng.random_range(0..statuses.len())]),
                    ..AssetEdit::default()
                },
            )
            .map(drop)
        }
        _ => {
            let rooms = local_rooms(&t.path);
            let place = if rooms.is_empty() || rng.random_bool(0.2) {
                Place::Unknown
            } else {
                Place::Location(rooms[rng.random_range(0..rooms.len())].into())
            };
            asset_edit::run(
                &mut t.app,
                &AssetEdit {
                    username: user,
                    tag,
                    place: Some(place),
                    notes: rng
                        .random_bool(0.5)
                        .then(|| format!("Seen by {}", t.username)),
                    ..AssetEdit::default()
                },
            )
            .map(drop)
        }
    };
}

/// Tables a tablet keeps for itself rather than replicates.
const LOCAL_TABLES: &[&str] = &[
    "outbox",
    "sync_state",
    "audit_log",
    "settings",
    "counters",
    "fts_deferred",
];

/// Every replicated table's rows, as text, for comparing two tablets.
fn replica(path: &Path) -> Vec<(String, Vec<String>)> {
    let db = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = db
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .filter(|t: &String| !LOCAL_TABLES.contains(&t.as_str()) && !t.starts_with("asset_search"))
        .collect();
    tables
        .into_iter()
        .map(|t| {
            // An INTEGER PRIMARY KEY is a local row number (it keys the
            // search index), not replicated data: two tablets number rows
            // in the order they received them.
            let columns: Vec<String> = db
                .prepare(&format!("PRAGMA table_info(\"{t}\")"))
                .unwrap()
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(5)?,
                    ))
                })
                .unwrap()
                .map(Result::unwrap)
                .filter(|(_, ty, pk)| !(*pk == 1 && ty.eq_ignore_ascii_case("INTEGER")))
                .map(|(name, _, _)| format!("\"{name}\""))
                .collect();
            let mut stmt = db
                .prepare(&format!("SELECT {} FROM \"{t}\"", columns.join(", ")))
                .unwrap();
            let n = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| match r.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Text(b) => {
                                String::from_utf8_lossy(b).into_owned()
                            }
                            rusqlite::types::ValueRef::Blob(b) => Uuid::from_slice(b)
                                .map(|u| u.to_string())
                                .unwrap_or_else(|_| format!("{b:?}")),
                            other => format!("{other:?}"),
                        })
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}

fn run(seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server_path = dir.path().join("server.db");
    {
        let backend = SqliteBackend::open(&server_path).unwrap();
        biomend_server::seed::seed_demo(&backend, &params(), PASSWORD, &HashCost::fast_for_tests())
            .unwrap();
    }
    let mut server = Server::open(&server_path);
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 3, 16, 8, 0, 0).unwrap();

    let mut tablets: Vec<Tablet> = USERS
        .iter()
        .enumerate()
        .map(|(i, username)| {
            let path = dir.path().join(format!("tablet-{i}.db"));
            let skew = Duration::hours(rng.random_range(-24..=24));
            let clock = Arc::new(FixedClock::new(start + skew));
            let app = Tablet::open_app(&path, clock.clone(), seed * 10 + i as u64);
            let who = login(&rt, &server, username);
            Tablet {
                username,
                path,
                app,
                clock,
                device_id: who.device_id,
                token: who.token,
                online: true,
                stale: Vec::new(),
                skew,
            }
        })
        .collect();
    for t in &mut tablets {
        t.sync(&rt, &server, &mut rng, HEALED).expect("first pull");
    }

    for step in 0..STEPS {
        let c = rng.random_range(0..tablets.len());
        let now = start + Duration::minutes(step as i64 * 7);
        for t in &tablets {
            t.clock.set(now + t.skew);
        }
        match rng.random_range(0..100) {
            0..=49 => act(&mut tablets[c], &mut rng),
            50..=79 => {
                let t = &mut tablets[c];
                // Failing is expected under faults; the outbox keeps it all.
                let _ = t.sync(&rt, &server, &mut rng, FAULTY);
            }
            80..=87 => tablets[c].online = !tablets[c].online,
            88..=94 => {
                // The tablet dies: only its file survives.
                let t = &mut tablets[c];
                let app = Tablet::open_app(&t.path, t.clock.clone(), seed * 100 + step as u64);
                t.app = app;
            }
            _ => server.crash_and_restart(),
        }
    }

    // The faults stop: everyone comes back online and syncs until quiet.
    for t in &mut tablets {
        t.online = true;
    }
    for _round in 0..2 {
        for t in &mut tablets {
            let mut tries = 0;
            while let Err(e) = t.sync(&rt, &server, &mut rng, HEALED) {
                tries += 1;
                assert!(
                    tries < 5,
                    "seed {seed}: {} cannot sync once healed: {e}",
                    t.username
                );
            }
        }
    }

    // A new tablet pulls the server's truth.
    let reference_path = dir.path().join("reference.db");
    let who = login(&rt, &server, USERS[0]);
    let mut reference = Tablet {
        username: USERS[0],
        path: reference_path.clone(),
        app: Tablet::open_app(&reference_path, tablets[0].clock.clone(), seed * 1000),
        clock: tablets[0].clock.clone(),
        device_id: who.device_id,
        token: who.token,
        online: true,
        stale: Vec::new(),
        skew: Duration::zero(),
    };
    reference
        .sync(&rt, &server, &mut rng, HEALED)
        .expect("the reference tablet pulls everything");
    let truth = replica(&reference_path);

    for t in &tablets {
        let pending = t.app.store().reader().pending_count().unwrap();
        assert_eq!(
            pending, 0,
            "seed {seed}: {}'s outbox is not drained",
            t.username
        );

        // Every mutation the tablet holds was logged once, as itself.
        let db = rusqlite::Connection::open(&t.path).unwrap();
        let held: Vec<(u64, Vec<u8>)> = db
            .prepare("SELECT seq, id FROM outbox ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let device = t.device_id;
        server
            .backend
            .read(|txn| -> Result<(), biomend_server::StoreError> {
                for (seq, id) in &held {
                    let logged = txn.logged_mutation(device, *seq)?.unwrap_or_else(|| {
                        panic!("seed {seed}: seq {seq} of {} never logged", t.username)
                    });
                    assert_eq!(logged.mutation_id.as_bytes().as_slice(), id.as_slice());
                }
                let last = held.last().map_or(0, |h| h.0);
                assert!(
                    txn.logged_mutation(device, last + 1)?.is_none(),
                    "seed {seed}: the server logged a seq {} never sent",
                    last + 1
                );
                Ok(())
            })
            .unwrap();

        let rejected: Vec<String> = db
            .prepare("SELECT name, rejection_code, rejection FROM outbox WHERE state = 'rejected'")
            .unwrap()
            .query_map([], |r| {
                Ok(format!(
                    "{}: {} ({})",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mine = replica(&t.path);
        for ((table, want), (table2, got)) in truth.iter().zip(&mine) {
            assert_eq!(table, table2);
            assert!(
                want == got,
                "seed {seed}: {}'s table {table} differs from the server's ({} vs {} rows)\nonly on the tablet: {:?}\nonly on the server: {:?}\nits rejected mutations: {rejected:?}",
                t.username,
                got.len(),
                want.len(),
                got.iter()
                    .filter(|r| !want.contains(r))
                    .take(3)
                    .collect::<Vec<_>>(),
                want.iter()
                    .filter(|r| !got.contains(r))
                    .take(3)
                    .collect::<Vec<_>>(),
            );
        }
    }
}

#[test]
fn every_replica_converges_under_faults() {
    let seeds: Vec<u64> = match std::env::var("BIOMEND_SIM_SEED") {
        Ok(s) => vec![s.parse().expect("BIOMEND_SIM_SEED is a number")],
        Err(_) => {
            let n = std::env::var("BIOMEND_SIM_SEEDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(12u64);
            (1..=n).collect()
        }
    };
    for seed in seeds {
        let outcome = std::panic::catch_unwind(|| run(seed));
        if let Err(e) = outcome {
            eprintln!("simulation failed with seed {seed}; rerun with BIOMEND_SIM_SEED={seed}");
            std::panic::resume_unwind(e);
        }
    }
}
