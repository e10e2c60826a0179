//! End to end: the real server on a loopback port over a real SQLite file,
//! and several tablets, each the real app core over its own SQLite file,
//! syncing over real HTTP (`biomend-net`). Each test tells one story a
//! biomed department lives through.

use biomend_core::App;
use biomend_core::asset_edit::{self, AssetEdit, Place};
use biomend_core::corrective::{self, NewCorrective};
use biomend_core::env::{FixedClock, IdGen};
use biomend_core::pm::{self, OpenPm};
use biomend_core::supervisor::{self, Resolution};
use biomend_core::sync::{self, LoginInput};
use biomend_core::workflow::{self, Completion, LaborInput, WorkRecord};
use biomend_demo::DemoParams;
use biomend_domain::asset::AssetStatus;
use biomend_domain::work_order::{ClosureCode, Priority};
use biomend_net::HttpTransport;
use biomend_protocol::Kind;
use biomend_server::auth::HashCost;
use biomend_server::backend::postgres::ScratchDatabase;
use biomend_server::local::LocalServer;
use biomend_server::{AnyBackend, Backend, Config, Database};
use biomend_store::Store;
use biomend_sync::{SupervisorApi, TransportError};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

const PASSWORD: &str = "demo";

static NEXT_TABLET: AtomicU64 = AtomicU64::new(1);

struct Server {
    dir: tempfile::TempDir,
    url: String,
    backend: Arc<AnyBackend>,
    // Declared before `_scratch`: the server stops before its scratch
    // database is dropped.
    _server: LocalServer<AnyBackend>,
    _scratch: Option<ScratchDatabase>,
}

impl Server {
    /// The demo hospital on a SQLite server.
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::Sqlite(dir.path().join("server.db"));
        Server::serve(dir, db, None)
    }

    /// The demo hospital on a PostgreSQL server, in a database of its own
    /// on the server `BIOMEND_TEST_POSTGRES` names.
    #[cfg(feature = "postgres-tests")]
    fn start_postgres() -> Server {
        let scratch = ScratchDatabase::from_env().unwrap_or_else(|e| panic!("{e}"));
        let db = Database::Postgres(scratch.target().clone());
        Server::serve(tempfile::tempdir().unwrap(), db, Some(scratch))
    }

    fn serve(dir: tempfile::TempDir, db: Database, scratch: Option<ScratchDatabase>) -> Server {
        let backend = Arc::new(db.open().unwrap());
        biomend_server::seed::seed_demo(
            &*backend,
            &DemoParams::scaled(60, 200),
            PASSWORD,
            &HashCost::fast_for_tests(),
        )
        .unwrap();
        let server = LocalServer::serve(
            backend.clone(),
            Config {
                hash_cost: HashCost::fast_for_tests(),
            },
            "127.0.0.1:0",
        )
        .unwrap();
        Server {
            dir,
            url: server.url.clone(),
            backend,
            _server: server,
            _scratch: scratch,
        }
    }

    /// The stored row of `kind` and `key`, decoded.
    fn row<T: serde::de::DeserializeOwned>(&self, kind: Kind, key: impl ToString) -> T {
        let row = self
            .backend
            .read(|txn| txn.get_row(kind, &key.to_string()))
            .unwrap()
            .expect("the server holds the row");
        serde_json::from_str(&row.body).unwrap()
    }

    fn rows<T: serde::de::DeserializeOwned>(&self, kind: Kind) -> Vec<T> {
        self.backend
            .read(|txn| txn.rows_of_kind(kind))
            .unwrap()
            .into_iter()
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect()
    }
}

struct LocalAsset {
    id: Uuid,
    status: AssetStatus,
    location_id: Option<Uuid>,
    notes: String,
}

struct Tablet {
    username: &'static str,
    path: PathBuf,
    app: App,
    clock: Arc<FixedClock>,
    net: HttpTransport,
    device_id: Uuid,
}

fn start_of_shift() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 16, 7, 0, 0).unwrap()
}

impl Tablet {
    /// A new tablet signed in as `username`, with its clock `skew` off,
    /// seeded by its first sync.
    fn new(server: &Server, username: &'static str, skew: Duration) -> Tablet {
        let path = server.dir.path().join(format!(
            "{username}-{}.db",
            NEXT_TABLET.fetch_add(1, Ordering::Relaxed)
        ));
        let clock = Arc::new(FixedClock::new(start_of_shift() + skew));
        let mut app = App::new(
            Store::open(&path).unwrap(),
            clock.clone(),
            IdGen::seeded(NEXT_TABLET.fetch_add(1, Ordering::Relaxed) * 7919),
        );
        let signed = sync::login(
            &mut app,
            &LoginInput {
                server_url: server.url.clone(),
                username: username.into(),
                password: PASSWORD.into(),
                device_name: format!("{username} tablet"),
            },
            |url, req| biomend_net::login(url, req).map_err(TransportError::from),
        )
        .unwrap();
        let login = sync::credentials(&app).unwrap();
        let net = HttpTransport::new(&login.server_url, &login.token).unwrap();
        let mut t = Tablet {
            username,
            path,
            app,
            clock,
            net,
            device_id: signed.device_id,
        };
        t.sync();
        t
    }

    /// Signs this tablet in again, for `username`: the server enrols it as
    /// a new device, and the tablet keeps its file and outbox.
    fn sign_in_as(&mut self, server: &Server, username: &'static str) {
        let signed = sync::login(
            &mut self.app,
            &LoginInput {
                server_url: server.url.clone(),
                username: username.into(),
                password: PASSWORD.into(),
                device_name: format!("{username} tablet"),
            },
            |url, req| biomend_net::login(url, req).map_err(TransportError::from),
        )
        .unwrap();
        let login = sync::credentials(&self.app).unwrap();
        self.net = HttpTransport::new(&login.server_url, &login.token).unwrap();
        self.username = username;
        self.device_id = signed.device_id;
    }

    /// Every mutation in the outbox, as (seq, id, state).
    fn outbox(&self) -> Vec<(u64, Uuid, String)> {
        let db = self.db();
        let mut stmt = db
            .prepare("SELECT seq, id, state FROM outbox ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)? as u64,
                Uuid::from_slice(&r.get::<_, Vec<u8>>(1)?).unwrap(),
                r.get(2)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    fn sync(&mut self) -> sync::SyncSummary {
        sync::sync_now(&mut self.app, &mut self.net, &mut |_| {}).unwrap_or_else(|e| {
            panic!("{} could not sync: {e}", self.username);
        })
    }

    /// The tablet's copy of an asset: id, status, location and notes.
    fn asset(&self, tag: &str) -> LocalAsset {
        self.db()
            .query_row(
                "SELECT id, status, location_id, notes FROM assets WHERE tag = ?1",
                [tag],
                |r| {
                    Ok(LocalAsset {
                        id: Uuid::from_slice(&r.get::<_, Vec<u8>>(0)?).unwrap(),
                        status: AssetStatus::parse(&r.get::<_, String>(1)?).unwrap(),
                        location_id: r
                            .get::<_, Option<Vec<u8>>>(2)?
                            .map(|b| Uuid::from_slice(&b).unwrap()),
                        notes: r.get(3)?,
                    })
                },
            )
            .expect("the tablet holds the asset")
    }

    fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }

    fn labor_on(&self, wo: Uuid) -> i64 {
        self.db()
            .query_row(
                "SELECT count(*) FROM labor WHERE work_order_id = ?1",
                [wo.as_bytes().to_vec()],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn edit(&mut self, edit: AssetEdit) {
        asset_edit::run(
            &mut self.app,
            &AssetEdit {
                username: self.username.into(),
                ..edit
            },
        )
        .unwrap();
    }
}

/// The server's supervisor calls, as `t`'s signed-in user.
fn server_api(server: &Server, t: &Tablet) -> HttpTransport {
    HttpTransport::new(&server.url, &sync::credentials(&t.app).unwrap().token).unwrap()
}

/// An in-service asset both site-0 technicians can see, with a room to
/// move it to.
fn shared_asset(t: &Tablet) -> (String, Uuid) {
    let db = t.db();
    let tag: String = db
        .query_row(
            "SELECT tag FROM assets WHERE status = 'in_service' ORDER BY tag LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let room: Vec<u8> = db
        .query_row(
            "SELECT l.id FROM locations l JOIN buildings b ON b.id = l.building_id \
             JOIN assets a ON a.tag = ?1 JOIN departments d ON d.id = a.department_id \
             WHERE b.site_id = d.site_id AND l.id IS NOT a.location_id LIMIT 1",
            [&tag],
            |r| r.get(0),
        )
        .unwrap();
    (tag, Uuid::from_slice(&room).unwrap())
}

fn two_technicians_editing_different_fields_of_one_asset_offline_both_keep_their_edit(
    server: Server,
) {
    let mut a = Tablet::new(&server, "demo.tech", Duration::zero());
    let mut b = Tablet::new(&server, "tech02", Duration::zero());
    let (tag, room) = shared_asset(&a);

    // Both offline: A moves the device, B writes a note.
    a.edit(AssetEdit {
        tag: tag.clone(),
        place: Some(Place::Location(room.into())),
        ..AssetEdit::default()
    });
    b.edit(AssetEdit {
        tag: tag.clone(),
        notes: Some("Mount bracket loose; tightened".into()),
        ..AssetEdit::default()
    });
    a.sync();
    b.sync();
    a.sync();

    for t in [&a, &b] {
        let asset = t.asset(&tag);
        assert_eq!(asset.location_id, Some(room), "{}", t.username);
        assert_eq!(
            asset.notes, "Mount bracket loose; tightened",
            "{}",
            t.username
        );
    }
    let stored: biomend_protocol::AssetV1 = server.row(Kind::Asset, a.asset(&tag).id);
    assert_eq!(stored.location_id, Some(room));
    assert_eq!(stored.notes, "Mount bracket loose; tightened");
    let sup = Tablet::new(&server, "demo.super", Duration::zero());
    let mut api = server_api(&server, &sup);
    assert!(
        supervisor::conflicts(&sup.app, "demo.super", &mut api, true)
            .unwrap()
            .is_empty(),
        "edits of different fields are no conflict"
    );
}

fn the_same_field_edited_twice_follows_its_rule_and_a_supervisor_can_reverse_it(server: Server) {
    // Clocks a day apart either way must change nothing.
    let mut a = Tablet::new(&server, "demo.tech", Duration::days(1));
    let mut b = Tablet::new(&server, "tech02", Duration::days(-1));
    let (tag, _) = shared_asset(&a);

    a.edit(AssetEdit {
        tag: tag.clone(),
        status: Some(AssetStatus::OutOfService),
        ..AssetEdit::default()
    });
    b.edit(AssetEdit {
        tag: tag.clone(),
        status: Some(AssetStatus::Missing),
        ..AssetEdit::default()
    });
    // B reaches the server first, then A: "most restrictive wins" keeps
    // missing whatever the order or the clocks.
    b.sync();
    a.sync();
    b.sync();
    assert_eq!(a.asset(&tag).status, AssetStatus::Missing);
    assert_eq!(b.asset(&tag).status, AssetStatus::Missing);

    let sup = Tablet::new(&server, "demo.super", Duration::zero());
    let mut api = server_api(&server, &sup);
    let conflicts = supervisor::conflicts(&sup.app, "demo.super", &mut api, false).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = &conflicts[0];
    assert_eq!(
        (c.field.as_str(), c.rule.as_str()),
        ("status", "most_restrictive_status_wins")
    );
    assert_eq!(
        (c.kept.as_str(), c.set_aside.as_str()),
        (Some("missing"), Some("out_of_service"))
    );

    // The supervisor knows better: the device was found, broken.
    let resolved = supervisor::resolve(
        &sup.app,
        "demo.super",
        &mut api,
        c.id,
        Resolution::Reverse,
        "Found in the soiled utility room",
    )
    .unwrap();
    assert_eq!(resolved.resolution.unwrap().action, "reversed");
    a.sync();
    b.sync();
    assert_eq!(a.asset(&tag).status, AssetStatus::OutOfService);
    assert_eq!(b.asset(&tag).status, AssetStatus::OutOfService);
    assert!(
        supervisor::conflicts(&sup.app, "demo.super", &mut api, false)
            .unwrap()
            .is_empty()
    );
}

fn two_technicians_completing_the_same_pm_give_one_completed_pm_and_keep_both_labor_records(
    server: Server,
) {
    let mut a = Tablet::new(&server, "demo.tech", Duration::zero());
    let tag: String = a
        .db()
        .query_row(
            "SELECT a.tag FROM assets a JOIN pm_schedules s ON s.asset_id = a.id \
             WHERE a.status = 'in_service' ORDER BY a.tag LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let wo = pm::open(
        &mut a.app,
        &OpenPm {
            username: "demo.tech".into(),
            tag,
            plan_id: None,
        },
    )
    .unwrap();
    a.sync();
    let mut b = Tablet::new(&server, "tech02", Duration::zero());

    let complete = |t: &mut Tablet, minutes: u32| {
        t.clock.advance(Duration::hours(2));
        workflow::start(&mut t.app, t.username, &wo.number).unwrap();
        workflow::complete(
            &mut t.app,
            t.username,
            &wo.number,
            &Completion {
                findings: format!("PM done by {}", t.username),
                closure: ClosureCode::PreventiveOnly,
                record: WorkRecord {
                    labor: vec![LaborInput {
                        minutes,
                        note: "Scheduled maintenance".into(),
                    }],
                    ..WorkRecord::default()
                },
                signature: Some("M0,0 L5,5".into()),
            },
        )
        .unwrap();
    };
    complete(&mut a, 40);
    complete(&mut b, 55);
    a.sync();
    let b_round = b.sync();
    a.sync();

    // B's "start" arrived after A's completion: the state machine refuses
    // it (completed is final) and B is told why; B's completion itself is
    // not refused: its records are kept under "first completion wins".
    let refused: Vec<_> = b_round
        .rejected
        .iter()
        .map(|r| (r.name.as_str(), r.code.as_str()))
        .collect();
    assert_eq!(
        refused,
        vec![("set_work_order_status", "illegal_transition")]
    );
    let stored: biomend_protocol::WorkOrderV1 = server.row(Kind::WorkOrder, wo.id);
    assert_eq!(stored.status, "completed");
    assert_eq!(
        stored.findings, "PM done by demo.tech",
        "the first completion stands"
    );
    let labor: Vec<biomend_protocol::LaborV1> = server.rows(Kind::Labor);
    let mut minutes: Vec<u32> = labor
        .iter()
        .filter(|l| l.work_order_id == wo.id.0)
        .map(|l| l.minutes)
        .collect();
    minutes.sort();
    assert_eq!(minutes, vec![40, 55], "both technicians' labor is kept");
    assert_eq!(a.labor_on(wo.id.0), 2);
    assert_eq!(b.labor_on(wo.id.0), 2);

    let sup = Tablet::new(&server, "demo.super", Duration::zero());
    let mut api = server_api(&server, &sup);
    let conflicts = supervisor::conflicts(&sup.app, "demo.super", &mut api, false).unwrap();
    assert!(
        conflicts
            .iter()
            .any(|c| c.rule == "first_completion_wins" && c.key == wo.id.to_string()),
        "{conflicts:?}"
    );
}

fn a_tablet_offline_for_a_week_with_500_changes_syncs_cleanly(server: Server) {
    let mut a = Tablet::new(&server, "demo.tech", Duration::zero());
    let tags: Vec<String> = {
        let db = a.db();
        let mut stmt = db
            .prepare(
                "SELECT tag FROM assets WHERE status IN ('in_service', 'in_repair') ORDER BY tag",
            )
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(tags.len() >= 5);

    let mut opened = Vec::new();
    let mut changes = 0;
    for i in 0..500usize {
        // A week of shifts: the clock moves on about 20 minutes a change.
        a.clock.advance(Duration::minutes(20));
        let tag = &tags[i % tags.len()];
        match i % 5 {
            0 => {
                let wo = corrective::run(
                    &mut a.app,
                    &NewCorrective {
                        username: "demo.tech".into(),
                        tag: tag.clone(),
                        problem: format!("Fault report {i}"),
                        reported_by: "Nursing".into(),
                        priority: Priority::Routine,
                        assign_to: None,
                        device_down: false,
                    },
                );
                // An asset may already have open work; that refusal is
                // the rule, not a change.
                if let Ok(wo) = wo {
                    opened.push(wo.number);
                    changes += 1;
                }
            }
            1 | 2 if !opened.is_empty() => {
                let number = &opened[i % opened.len()];
                workflow::record(
                    &mut a.app,
                    "demo.tech",
                    number,
                    &WorkRecord {
                        labor: vec![LaborInput {
                            minutes: 15,
                            note: format!("Step {i}"),
                        }],
                        ..WorkRecord::default()
                    },
                )
                .unwrap();
                changes += 1;
            }
            _ => {
                a.edit(AssetEdit {
                    tag: tag.clone(),
                    notes: Some(format!("Checked on round {i}")),
                    ..AssetEdit::default()
                });
                changes += 1;
            }
        }
    }
    assert!(changes >= 450, "{changes}");
    let pending = a.app.store().reader().pending_count().unwrap();
    assert_eq!(pending as usize, changes);

    let round = a.sync();
    assert!(round.rejected.is_empty(), "{:?}", round.rejected);
    assert_eq!(round.report.push.applied as usize, changes);
    assert_eq!(a.app.store().reader().pending_count().unwrap(), 0);
    // Another tablet sees the week's work.
    let b = Tablet::new(&server, "tech02", Duration::zero());
    for number in &opened {
        let n: i64 = b
            .db()
            .query_row(
                "SELECT count(*) FROM work_orders WHERE number = ?1",
                [number],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{number}");
    }
    let week_labor: i64 = b
        .db()
        .query_row(
            "SELECT count(*) FROM labor WHERE note LIKE 'Step %'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mine: i64 = a
        .db()
        .query_row(
            "SELECT count(*) FROM labor WHERE note LIKE 'Step %'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(week_labor, mine);
}

fn a_revoked_tablet_is_refused_and_keeps_its_work(server: Server) {
    let mut a = Tablet::new(&server, "demo.tech", Duration::zero());
    let (tag, _) = shared_asset(&a);
    a.edit(AssetEdit {
        tag,
        notes: Some("Written before the tablet was lost".into()),
        ..AssetEdit::default()
    });
    biomend_server::admin::revoke_device(&*server.backend, a.device_id).unwrap();
    let err = sync::sync_now(&mut a.app, &mut a.net, &mut |_| {}).unwrap_err();
    assert!(
        err.to_string().contains("unauthenticated") || err.to_string().contains("sign"),
        "{err}"
    );
    assert_eq!(a.app.store().reader().pending_count().unwrap(), 1);
}

fn a_technician_never_sees_another_site_nor_reaches_supervisor_endpoints(server: Server) {
    let a = Tablet::new(&server, "demo.tech", Duration::zero());
    let site: Vec<u8> = a
        .db()
        .query_row("SELECT site_id FROM user_sites LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let foreign: i64 = a
        .db()
        .query_row(
            "SELECT count(*) FROM assets a JOIN departments d ON d.id = a.department_id \
             WHERE d.site_id <> ?1",
            [site],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(foreign, 0, "only the technician's site arrives");
    let all: Vec<biomend_protocol::AssetV1> = server.rows(Kind::Asset);
    let mine: i64 = a
        .db()
        .query_row("SELECT count(*) FROM assets", [], |r| r.get(0))
        .unwrap();
    assert!(mine > 0 && (mine as usize) < all.len());

    // Asking the server directly with the technician's token.
    let mut api = server_api(&server, &a);
    match api.conflicts(true) {
        Err(TransportError::Rejected(body)) => assert_eq!(body.code, "forbidden"),
        other => panic!("a technician reached the conflicts list: {other:?}"),
    }
}

fn a_tablet_signed_in_again_for_another_user_goes_on_syncing_and_nothing_arrives_twice(
    server: Server,
) {
    let mut t = Tablet::new(&server, "demo.tech", Duration::zero());
    let (tag, room) = shared_asset(&t);
    let first_device = t.device_id;

    // The morning shift: demo.tech's work reaches the server.
    for i in 0..3 {
        t.clock.advance(Duration::minutes(10));
        t.edit(AssetEdit {
            tag: tag.clone(),
            notes: Some(format!("Morning round {i}")),
            ..AssetEdit::default()
        });
    }
    let round = t.sync();
    assert_eq!(round.report.push.applied, 3);
    let morning = t.outbox();
    assert_eq!(morning.len(), 3);

    // The afternoon shift signs in on the same tablet and works.
    t.sign_in_as(&server, "tech02");
    assert_ne!(
        t.device_id, first_device,
        "a new sign-in enrols a new device"
    );
    t.clock.advance(Duration::hours(4));
    t.edit(AssetEdit {
        tag: tag.clone(),
        place: Some(Place::Location(room.into())),
        ..AssetEdit::default()
    });
    t.edit(AssetEdit {
        tag: tag.clone(),
        notes: Some("Afternoon round".into()),
        ..AssetEdit::default()
    });
    let round = t.sync();
    assert!(round.rejected.is_empty(), "{:?}", round.rejected);
    assert_eq!(round.report.push.applied, 2);
    // A second round, as the background worker would run, sends nothing.
    let again = t.sync();
    assert_eq!(again.report.push.applied, 0);

    // Every mutation is applied, and the server logged each exactly once,
    // under the device that pushed it and its own seq.
    let outbox = t.outbox();
    assert_eq!(outbox.len(), 5);
    assert_eq!(
        outbox[..3],
        morning[..],
        "the morning's work was not sent again"
    );
    assert!(
        outbox.iter().all(|(_, _, state)| state == "applied"),
        "{outbox:?}"
    );
    let second_device = t.device_id;
    let (devices, logged) = server
        .backend
        .read(|txn| -> Result<_, biomend_server::StoreError> {
            let devices = (
                txn.device(first_device)?.unwrap().last_seq,
                txn.device(second_device)?.unwrap().last_seq,
            );
            let mut logged = Vec::new();
            for (seq, _, _) in &outbox {
                for device in [first_device, second_device] {
                    if let Some(e) = txn.logged_mutation(device, *seq)? {
                        logged.push((device, e.seq, e.mutation_id, e.rejection));
                    }
                }
            }
            Ok((devices, logged))
        })
        .unwrap();
    assert_eq!(devices, (3, 5), "each device's last seq");
    let expected: Vec<_> = outbox
        .iter()
        .map(|(seq, id, _)| {
            let device = if *seq <= 3 {
                first_device
            } else {
                second_device
            };
            (device, *seq, *id, None)
        })
        .collect();
    assert_eq!(logged, expected, "each mutation logged once, by its device");

    // The server holds the afternoon's edits, and a new tablet sees them.
    let id = t.asset(&tag).id;
    let stored: biomend_protocol::AssetV1 = server.row(Kind::Asset, id);
    assert_eq!(stored.notes, "Afternoon round");
    assert_eq!(stored.location_id, Some(room));
    let fresh = Tablet::new(&server, "demo.tech", Duration::zero());
    let seen = fresh.asset(&tag);
    assert_eq!(seen.notes, "Afternoon round");
    assert_eq!(seen.location_id, Some(room));
}

/// A transport whose every push reaches the server twice, as when an
/// answer is lost and the push is retried; the device sees the second
/// answer.
struct Twice<'a>(&'a mut HttpTransport);

impl biomend_sync::Transport for Twice<'_> {
    fn push(
        &mut self,
        req: &biomend_protocol::PushRequest,
    ) -> Result<biomend_protocol::PushResponse, TransportError> {
        self.0.push(req)?;
        self.0.push(req)
    }

    fn pull(
        &mut self,
        req: &biomend_protocol::PullRequest,
    ) -> Result<biomend_protocol::PullResponse, TransportError> {
        self.0.pull(req)
    }
}

fn a_push_delivered_twice_is_applied_once(server: Server) {
    let mut a = Tablet::new(&server, "demo.tech", Duration::zero());
    let tag: String = a
        .db()
        .query_row(
            "SELECT a.tag FROM assets a WHERE a.status = 'in_service' AND NOT EXISTS \
             (SELECT 1 FROM work_orders w WHERE w.asset_id = a.id \
              AND w.status NOT IN ('completed', 'signed_off', 'cancelled')) \
             ORDER BY a.tag LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let wo = corrective::run(
        &mut a.app,
        &NewCorrective {
            username: "demo.tech".into(),
            tag: tag.clone(),
            problem: "Pump alarms on every start".into(),
            reported_by: "ICU".into(),
            priority: Priority::Urgent,
            assign_to: None,
            device_down: false,
        },
    )
    .unwrap();
    workflow::record(
        &mut a.app,
        "demo.tech",
        &wo.number,
        &WorkRecord {
            labor: vec![LaborInput {
                minutes: 25,
                note: "Diagnosis".into(),
            }],
            ..WorkRecord::default()
        },
    )
    .unwrap();
    a.edit(AssetEdit {
        tag,
        notes: Some("Alarm log saved".into()),
        ..AssetEdit::default()
    });
    let sent = a.outbox();
    assert_eq!(sent.len(), 3);

    let round = sync::sync_now(&mut a.app, &mut Twice(&mut a.net), &mut |_| {}).unwrap();
    // The second delivery is answered "already there", and that is
    // enough for the tablet: nothing is pending, nothing refused.
    assert_eq!(round.report.push.duplicates, 3, "{:?}", round.report);
    assert_eq!(round.report.push.applied + round.report.push.rejected, 0);
    assert!(a.outbox().iter().all(|(_, _, state)| state == "applied"));

    let device = a.device_id;
    let (last_seq, logged) = server
        .backend
        .read(|txn| -> Result<_, biomend_server::StoreError> {
            let last = txn.device(device)?.unwrap().last_seq;
            let mut logged = Vec::new();
            for (seq, _, _) in &sent {
                logged.push(
                    txn.logged_mutation(device, *seq)?
                        .map(|e| (e.mutation_id, e.rejection)),
                );
            }
            Ok((last, logged))
        })
        .unwrap();
    assert_eq!(last_seq, 3);
    let expected: Vec<_> = sent.iter().map(|(_, id, _)| Some((*id, None))).collect();
    assert_eq!(logged, expected);
    let labor: Vec<biomend_protocol::LaborV1> = server.rows(Kind::Labor);
    assert_eq!(
        labor.iter().filter(|l| l.work_order_id == wo.id.0).count(),
        1,
        "the labor record is stored once"
    );
    let b = Tablet::new(&server, "tech02", Duration::zero());
    assert_eq!(b.labor_on(wo.id.0), 1);
}

/// The HTM program's records a manager's reports read (contracts, vendor
/// invoices, recalls, network profiles, usage windows, training events),
/// as one SQLite file holds them: each table's rows in key order.
const PROGRAM_TABLES: &[(&str, &str)] = &[
    ("vendors", "id"),
    ("service_contracts", "id"),
    ("recalls", "id"),
    ("recall_assets", "recall_id, asset_id"),
    ("network_profiles", "asset_id"),
    ("usage_windows", "id"),
    ("training_events", "id"),
    ("vendor_charges", "id"),
];

fn table_rows(
    db: &rusqlite::Connection,
    table: &str,
    order: &str,
) -> Vec<Vec<rusqlite::types::Value>> {
    let mut stmt = db
        .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))
        .unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The demo hospital built straight into a file, as `biomend demo` does:
/// what the server was seeded with, with nothing in between.
fn reference_hospital(dir: &std::path::Path) -> (App, PathBuf) {
    let path = dir.join("reference.db");
    let mut app = App::new(
        Store::open(&path).unwrap(),
        Arc::new(FixedClock::new(start_of_shift())),
        IdGen::seeded(1),
    );
    biomend_core::demo::create(&mut app, &DemoParams::scaled(60, 200), |_| {}).unwrap();
    (app, path)
}

fn input(m: &biomend_analytics::Measure, name: &str) -> biomend_analytics::Value {
    m.inputs
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no input {name} in {m:?}"))
        .value
        .clone()
}

fn a_managers_tablet_holds_everything_the_reports_read(server: Server) {
    let manager = Tablet::new(&server, "demo.manager", Duration::zero());
    let (reference, reference_path) = reference_hospital(server.dir.path());
    let here = manager.db();
    let there = rusqlite::Connection::open(&reference_path).unwrap();
    for (table, key) in PROGRAM_TABLES {
        let rows = table_rows(&here, table, key);
        assert!(!rows.is_empty(), "the demo has {table}");
        assert_eq!(rows, table_rows(&there, table, key), "{table}");
    }
    for (table, col) in [("assets", "contract_id"), ("work_orders", "recall_id")] {
        let linked = |db: &rusqlite::Connection| {
            table_rows(
                db,
                &format!("(SELECT id, {col} FROM {table} WHERE {col} IS NOT NULL)"),
                "1",
            )
        };
        assert!(!linked(&here).is_empty(), "some {table} name a {col}");
        assert_eq!(linked(&here), linked(&there), "{table}.{col}");
    }

    // The reports agree: the training effect needs no pay rate, and a
    // cost of service shows contracts and invoices as the hospital does
    // (in-house labor is costed where pay rates are kept).
    let events = biomend_core::analytics::training_events(&manager.app, "demo.manager").unwrap();
    assert!(!events.is_empty());
    for e in &events {
        let ours =
            biomend_core::analytics::training(&manager.app, "demo.manager", e.event.id).unwrap();
        let theirs =
            biomend_core::analytics::training(&reference, "demo.manager", e.event.id).unwrap();
        assert_eq!(
            serde_json::to_value(&ours).unwrap(),
            serde_json::to_value(&theirs).unwrap()
        );
    }
    // The whole history, so every invoice is in it.
    let first = chrono::NaiveDate::from_ymd_opt(2000, 1, 1);
    let period = biomend_core::analytics::period(&manager.app, first, None).unwrap();
    let by = biomend_analytics::kpi::GroupBy::DeviceType;
    let ours = biomend_core::analytics::kpi(&manager.app, "demo.manager", by, period).unwrap();
    let theirs = biomend_core::analytics::kpi(&reference, "demo.manager", by, period).unwrap();
    assert_eq!(ours.groups.len(), theirs.groups.len());
    let mut vendor_cost_seen = false;
    for (o, t) in ours.groups.iter().zip(&theirs.groups) {
        assert_eq!(o.name, t.name);
        for name in ["contracts", "vendor time and materials", "parts"] {
            assert_eq!(
                input(&o.item.cosr, name),
                input(&t.item.cosr, name),
                "{} {name}",
                o.name
            );
        }
        vendor_cost_seen |= input(&o.item.cosr, "vendor time and materials")
            != biomend_analytics::Value::Money(biomend_domain::Money(0));
    }
    assert!(vendor_cost_seen, "some device type has vendor invoices");
}

/// A device that speaks protocol 1 is never sent what it cannot read, and
/// still reaches the end of the feed.
fn a_protocol_1_device_is_sent_only_what_it_can_read(server: Server) {
    let mut t = Tablet::new(&server, "demo.manager", Duration::zero());
    let mut cursor = 0;
    let mut kinds = std::collections::BTreeSet::new();
    loop {
        let page = biomend_sync::Transport::pull(
            &mut t.net,
            &biomend_protocol::PullRequest {
                protocol_version: 1,
                schema_version: biomend_store::SCHEMA_VERSION as u32,
                device_id: t.device_id,
                cursor,
                limit: 500,
                from_zero: true,
            },
        )
        .unwrap();
        for c in &page.changes {
            kinds.insert(c.kind.clone());
        }
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    let last = server.backend.read(|txn| txn.last_version()).unwrap();
    assert_eq!(cursor, last, "the feed's end is reached");
    let old: Vec<String> = Kind::ALL
        .iter()
        .filter(|k| k.since() == 1)
        .map(|k| k.as_str().to_string())
        .collect();
    assert!(kinds.iter().all(|k| old.contains(k)), "{kinds:?}");
    assert!(kinds.contains("work_order") && kinds.contains("asset"));
}

/// An app updated to protocol 2 holds a copy pulled at protocol 1, which
/// lacks the newer kinds: its next sync pushes its work, then pulls again
/// from zero, and nothing it recorded is lost.
fn an_updated_tablet_pulls_again_from_zero_and_keeps_its_work(server: Server) {
    let mut a = Tablet::new(&server, "demo.tech", Duration::zero());
    {
        // What a protocol 1 copy holds: none of the newer kinds.
        let db = a.db();
        db.execute_batch(
            "PRAGMA foreign_keys = OFF;
             DELETE FROM recall_assets; DELETE FROM vendor_charges; DELETE FROM training_events;
             DELETE FROM usage_windows; DELETE FROM network_profiles; DELETE FROM recalls;
             DELETE FROM service_contracts; DELETE FROM vendors;
             UPDATE assets SET contract_id = NULL; UPDATE work_orders SET recall_id = NULL;
             DELETE FROM sync_state WHERE key = 'sync_copy_protocol';",
        )
        .unwrap();
    }
    let (tag, _) = shared_asset(&a);
    let wo = corrective::run(
        &mut a.app,
        &NewCorrective {
            username: "demo.tech".into(),
            tag,
            problem: "Display flickers".into(),
            reported_by: "5 West".into(),
            priority: Priority::Routine,
            assign_to: None,
            device_down: false,
        },
    )
    .unwrap();
    let summary = a.sync();
    assert!(summary.report.pull.resynced, "{summary:?}");
    assert_eq!(summary.report.push.applied, 1);
    let db = a.db();
    for (table, _) in PROGRAM_TABLES {
        if *table == "vendor_charges" || *table == "recall_assets" {
            continue; // may be another site's only
        }
        let n: i64 = db
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert!(n > 0, "{table} arrived");
    }
    let kept: i64 = db
        .query_row(
            "SELECT count(*) FROM work_orders WHERE id = ?1",
            [wo.id.0.as_bytes().to_vec()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 1, "the technician's work order is kept");
    let _: WorkOrderRow = server.row(Kind::WorkOrder, wo.id.0);
    // The next round builds on the new copy.
    assert!(!a.sync().report.pull.resynced);
}

type WorkOrderRow = biomend_protocol::WorkOrderV1;

/// Pay rates never leave the server, so a tablet costs in-house labor at
/// the loaded rate the hospital sets (the demo's is its technicians'
/// blend): a manager's new rate reaches every manager's tablet, and their
/// costs of service agree.
fn a_loaded_labor_rate_set_by_a_manager_costs_labor_on_every_tablet(server: Server) {
    let mut a = Tablet::new(&server, "demo.manager", Duration::zero());
    let mut b = Tablet::new(&server, "demo.admin", Duration::zero());
    let rates: i64 = b
        .db()
        .query_row(
            "SELECT count(*) FROM users WHERE loaded_rate_cents IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rates, 0, "no pay rate travels");
    let first = chrono::NaiveDate::from_ymd_opt(2000, 1, 1);
    let labor = |t: &Tablet| -> Vec<biomend_analytics::Value> {
        let period = biomend_core::analytics::period(&t.app, first, None).unwrap();
        biomend_core::analytics::kpi(
            &t.app,
            t.username,
            biomend_analytics::kpi::GroupBy::DeviceType,
            period,
        )
        .unwrap()
        .groups
        .iter()
        .map(|g| input(&g.item.cosr, "in-house labor"))
        .collect()
    };
    let zero = biomend_analytics::Value::Money(biomend_domain::Money(0));
    let blended = b.app.settings().unwrap().fallback_loaded_rate_cents;
    assert!(
        blended.is_some_and(|r| r > 0),
        "the demo sets a loaded rate"
    );
    let before = labor(&b);
    assert!(before.iter().any(|v| *v != zero), "labor is costed");

    let rate = blended.unwrap() * 2;
    let change = [(
        "fallback_loaded_rate_cents".to_string(),
        Some(rate.to_string()),
    )]
    .into();
    biomend_core::settings::save(&mut a.app, "demo.manager", &change).unwrap();
    assert_eq!(a.sync().report.push.applied, 1);
    b.sync();
    assert_eq!(
        b.app.settings().unwrap().fallback_loaded_rate_cents,
        Some(rate)
    );
    let after = labor(&b);
    assert_ne!(
        after, before,
        "the new rate costs labor on the other tablet"
    );
    assert_eq!(labor(&a), after);
}

/// Two changes to one setting made offline are settled by arrival, and a
/// change reaches tablets at every site.
fn a_changed_setting_reaches_every_site_and_two_changes_to_one_key_are_settled_by_arrival(
    server: Server,
) {
    let save = |t: &mut Tablet, pairs: &[(&str, &str)]| {
        let changes = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect();
        biomend_core::settings::save(&mut t.app, t.username, &changes).unwrap();
    };
    let mut manager = Tablet::new(&server, "demo.manager", Duration::zero());
    let mut admin = Tablet::new(&server, "demo.admin", Duration::hours(3));
    // Both saw the defaults; the manager's change reaches the server first,
    // then the administrator's, which set the cyber weight from the same
    // default: the later arrival wins, and a supervisor sees it.
    save(
        &mut manager,
        &[
            ("capital.cyber_weight", "0.3"),
            ("repeat_repair_days", "14"),
        ],
    );
    save(&mut admin, &[("capital.cyber_weight", "0.4")]);
    manager.sync();
    admin.sync();
    manager.sync();
    let stored: biomend_protocol::HospitalSettingsV1 =
        server.row(Kind::HospitalSettings, "analytics");
    assert_eq!(stored.values["capital.cyber_weight"], "0.4");
    assert_eq!(stored.values["repeat_repair_days"], "14");
    for t in [&manager, &admin] {
        let s = t.app.settings().unwrap();
        assert_eq!(
            (s.capital.cyber_weight, s.repeat_repair_days),
            (0.4, 14),
            "{}",
            t.username
        );
    }

    let sup = Tablet::new(&server, "demo.super", Duration::zero());
    let mut api = server_api(&server, &sup);
    let conflicts = supervisor::conflicts(&sup.app, "demo.super", &mut api, false).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = &conflicts[0];
    assert_eq!(
        (c.field.as_str(), c.rule.as_str()),
        ("capital.cyber_weight", "latest_arrival_wins")
    );
    assert_eq!(
        (c.kept.as_str(), c.set_aside.as_str()),
        (Some("0.4"), Some("0.3"))
    );

    // Technicians at both sites judge with the same settings: their PM
    // windows and risk classes come from the same group.
    save(&mut manager, &[("pm_window.fraction", "0.2")]);
    manager.sync();
    let mut sites = Vec::new();
    for who in ["demo.tech", "tech01"] {
        let t = Tablet::new(&server, who, Duration::zero());
        sites.push(t.app.user(who).unwrap().sites[0]);
        let s = t.app.settings().unwrap();
        assert_eq!(
            (s.capital.cyber_weight, s.repeat_repair_days),
            (0.4, 14),
            "{who}"
        );
        assert_eq!(t.app.policies().unwrap().pm_window.fraction, 0.2, "{who}");
    }
    assert_ne!(sites[0], sites[1], "one technician at each site");
}

/// Writes an inventory file into the server's temp dir.
fn inventory_file(server: &Server, name: &str, body: &str) -> PathBuf {
    let path = server.dir.path().join(name);
    std::fs::write(&path, body).unwrap();
    path
}

fn import(t: &mut Tablet, file: &std::path::Path) -> biomend_core::import::ImportOutcome {
    biomend_core::import::assets(&mut t.app, t.username, file, &Default::default(), false).unwrap()
}

fn an_import_on_an_offline_tablet_reaches_the_server_and_every_tablet_of_its_site_once(
    server: Server,
) {
    let mut tech = Tablet::new(&server, "demo.tech", Duration::zero());
    let mut admin = Tablet::new(&server, "demo.admin", Duration::zero());
    let site: String = tech
        .db()
        .query_row("SELECT code FROM sites ORDER BY code LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let (known, _) = shared_asset(&tech);
    let assets_before = server.rows::<biomend_protocol::AssetV1>(Kind::Asset).len();
    // The administrator's tablet is offline: nothing is pushed until it
    // syncs. 600 rows travel as three import parts.
    let mut body = String::from("Asset Tag,Mfr,Model,Device Type,Dept,Site,Serial #\n");
    for i in 0..600 {
        body.push_str(&format!(
            "NEW-{i:04},Novamed,Flow 9,Infusion pump,Imported Devices,{site},SN-{i}\n"
        ));
    }
    body.push_str(&format!(
        "{known},Novamed,Flow 9,Infusion pump,Imported Devices,{site},SERIAL-FROM-OLD-CMMS\n"
    ));
    let file = inventory_file(&server, "inventory.csv", &body);
    let out = import(&mut admin, &file);
    assert!(out.committed, "{:?}", out.problems);
    assert_eq!((out.created, out.updated), (600, 1));
    let parts = admin.outbox().len();
    assert_eq!(parts, 3, "600 + 1 assets in parts of 250");

    admin.sync();
    assert!(
        admin
            .outbox()
            .iter()
            .all(|(_, _, state)| state == "applied"),
        "{:?}",
        admin.outbox()
    );
    let stored = server.rows::<biomend_protocol::AssetV1>(Kind::Asset);
    assert_eq!(stored.len(), assets_before + 600, "each asset once");
    let updated = stored.iter().find(|a| a.tag == known).unwrap();
    assert_eq!(updated.serial.as_deref(), Some("SERIAL-FROM-OLD-CMMS"));
    let depts: Vec<biomend_protocol::DepartmentV1> = server.rows(Kind::Department);
    assert_eq!(
        depts
            .iter()
            .filter(|d| d.name == "Imported Devices")
            .count(),
        1
    );

    // The technician's tablet finds them after its next sync.
    tech.sync();
    let found = biomend_core::find_asset::run(&tech.app, "NEW-0599").unwrap();
    assert_eq!(found.manufacturer, "Novamed");
    let n: i64 = tech
        .db()
        .query_row(
            "SELECT count(*) FROM assets WHERE tag LIKE 'NEW-%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 600);

    // The same file again: nothing changed, nothing is sent.
    let again = import(&mut admin, &file);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 601));
    assert_eq!(admin.outbox().len(), parts);
}

fn an_import_never_overwrites_a_technicians_edit_made_meanwhile(server: Server) {
    let mut tech = Tablet::new(&server, "demo.tech", Duration::zero());
    let mut admin = Tablet::new(&server, "demo.admin", Duration::zero());
    let (tag, _) = shared_asset(&tech);
    let site: String = tech
        .db()
        .query_row(
            "SELECT s.code FROM sites s JOIN departments d ON d.site_id = s.id \
             JOIN assets a ON a.department_id = d.id WHERE a.tag = ?1",
            [&tag],
            |r| r.get(0),
        )
        .unwrap();
    let dept: String = tech
        .db()
        .query_row(
            "SELECT d.name FROM departments d JOIN assets a ON a.department_id = d.id WHERE a.tag = ?1",
            [&tag],
            |r| r.get(0),
        )
        .unwrap();
    let (maker, model): (String, String) = tech
        .db()
        .query_row(
            "SELECT m.name, mo.name FROM assets a JOIN models mo ON mo.id = a.model_id \
             JOIN manufacturers m ON m.id = mo.manufacturer_id WHERE a.tag = ?1",
            [&tag],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // Both offline: the technician notes what they found; the
    // administrator re-imports the old system's export, whose notes say
    // something else.
    tech.edit(AssetEdit {
        tag: tag.clone(),
        notes: Some("Cracked housing, tagged out".into()),
        ..AssetEdit::default()
    });
    let file = inventory_file(
        &server,
        "reimport.csv",
        &format!(
            "Asset Tag,Mfr,Model,Dept,Site,Notes\n{tag},\"{maker}\",\"{model}\",\"{dept}\",{site},Legacy note\n"
        ),
    );
    let out = import(&mut admin, &file);
    assert_eq!(out.changes.len(), 1, "{:?}", out.problems);
    assert_eq!(out.changes[0].fields, ["notes"]);
    tech.sync();
    admin.sync();
    tech.sync();
    for t in [&tech, &admin] {
        assert_eq!(
            t.asset(&tag).notes,
            "Cracked housing, tagged out",
            "{}",
            t.username
        );
    }
    let sup = Tablet::new(&server, "demo.super", Duration::zero());
    let mut api = server_api(&server, &sup);
    let conflicts = supervisor::conflicts(&sup.app, "demo.super", &mut api, true).unwrap();
    let c = conflicts
        .iter()
        .find(|c| c.label == tag && c.field == "notes")
        .expect("the supervisor sees the import's value set aside");
    assert_eq!(c.rule, "first_write_wins");
    assert_eq!(c.set_aside, serde_json::json!("Legacy note"));
}

/// Every story, on each backend the server can run on.
macro_rules! stories {
    ($backend:ident, $start:expr) => {
        stories!(@tests $backend, $start,
            two_technicians_editing_different_fields_of_one_asset_offline_both_keep_their_edit,
            the_same_field_edited_twice_follows_its_rule_and_a_supervisor_can_reverse_it,
            two_technicians_completing_the_same_pm_give_one_completed_pm_and_keep_both_labor_records,
            a_tablet_offline_for_a_week_with_500_changes_syncs_cleanly,
            a_revoked_tablet_is_refused_and_keeps_its_work,
            a_technician_never_sees_another_site_nor_reaches_supervisor_endpoints,
            a_tablet_signed_in_again_for_another_user_goes_on_syncing_and_nothing_arrives_twice,
            a_push_delivered_twice_is_applied_once,
            a_managers_tablet_holds_everything_the_reports_read,
            a_protocol_1_device_is_sent_only_what_it_can_read,
            an_updated_tablet_pulls_again_from_zero_and_keeps_its_work,
            a_changed_setting_reaches_every_site_and_two_changes_to_one_key_are_settled_by_arrival,
            a_loaded_labor_rate_set_by_a_manager_costs_labor_on_every_tablet,
            an_import_on_an_offline_tablet_reaches_the_server_and_every_tablet_of_its_site_once,
            an_import_never_overwrites_a_technicians_edit_made_meanwhile,
        );
    };
    (@tests $backend:ident, $start:expr, $($story:ident,)+) => {
        mod $backend {
            use super::*;
            $(
                #[test]
                fn $story() {
                    super::$story($start);
                }
            )+
        }
    };
}

stories!(sqlite, Server::start());

#[cfg(feature = "postgres-tests")]
stories!(postgres, Server::start_postgres());
