//! The storage contract every backend must keep, written over the
//! `Backend`/`Txn` traits only. `contract!` runs every check against a
//! backend factory: SQLite always, PostgreSQL with the `postgres-tests`
//! feature (on the server `BIOMEND_TEST_POSTGRES` names, a fresh database
//! per test; without the variable those tests fail and say how to set it).

use biomend_domain::user::Role;
use biomend_protocol::*;
use biomend_server::apply::{self, Actor};
use biomend_server::backend::{DeviceRow, LogEntry, NewConflict, Resolution, UserRow};
use biomend_server::{Backend, SqliteBackend, StoreError};
use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

/// A backend for one test, and what must outlive it (its temp dir or
/// scratch database), dropped after it.
struct Fresh<B> {
    backend: B,
    _home: Box<dyn std::any::Any>,
}

/// A new, empty SQLite backend in its own temp dir.
fn sqlite() -> Fresh<SqliteBackend> {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = SqliteBackend::open(&dir.path().join("contract.db")).expect("open");
    Fresh {
        backend,
        _home: Box::new(dir),
    }
}

/// A new, empty PostgreSQL backend in a database of its own.
#[cfg(feature = "postgres-tests")]
fn postgres() -> Fresh<biomend_server::PostgresBackend> {
    let db = biomend_server::backend::postgres::ScratchDatabase::from_env()
        .unwrap_or_else(|e| panic!("{e}"));
    let backend = biomend_server::PostgresBackend::open(db.target()).expect("open");
    Fresh {
        backend,
        _home: Box::new(db),
    }
}

/// A fixed instant with whole microseconds, which every backend keeps
/// exactly.
fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 16, h, m, 0).unwrap() + chrono::Duration::microseconds(123_456)
}

fn u(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn site_row(id: Uuid) -> String {
    Record::Site(SiteV1 {
        id,
        code: format!("S{}", id.as_u128()),
        name: "Site".into(),
    })
    .to_json()
}

fn user(id: Uuid, sites: Vec<Uuid>) -> UserRow {
    UserRow {
        id,
        username: format!("user{}", id.as_u128()),
        display_name: "A Person".into(),
        role: Role::Technician,
        sites,
        active: true,
        password_hash: String::new(),
    }
}

fn device(id: Uuid, user: Uuid, token: u8) -> DeviceRow {
    DeviceRow {
        id,
        user_id: user,
        name: "tablet".into(),
        token_sha256: [token; 32],
        created_at: Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap(),
        revoked_at: None,
        last_seq: 0,
        last_seen: None,
    }
}

fn pulled<B: Backend>(b: &B, cursor: u64, sites: &[Uuid], limit: u32) -> Vec<(u64, String, bool)> {
    b.read(|txn| {
        let mut out = Vec::new();
        txn.pull(cursor, sites, limit, &mut |r| {
            out.push((r.version, r.key.to_string(), r.body.is_some()))
        })?;
        Ok::<_, StoreError>(out)
    })
    .unwrap()
}

fn versions_strictly_increase_across_transactions<B: Backend>(b: &B) {
    let v1 = b
        .write(|txn| {
            let a = txn.put_row(Kind::Site, "a", None, &site_row(u(1)))?;
            let c = txn.put_row(Kind::Site, "c", None, &site_row(u(3)))?;
            assert!(c > a);
            Ok::<_, StoreError>(c)
        })
        .unwrap();
    // A rolled-back transaction leaves no version behind.
    let failed: Result<(), StoreError> = b.write(|txn| {
        txn.put_row(Kind::Site, "z", None, &site_row(u(26)))?;
        Err(StoreError::Duplicate("on purpose".into()))
    });
    assert!(failed.is_err());
    assert!(
        b.read(|txn| txn.get_row(Kind::Site, "z"))
            .unwrap()
            .is_none()
    );
    let v2 = b
        .write(|txn| txn.put_row(Kind::Site, "a", None, &site_row(u(1))))
        .unwrap();
    assert!(v2 > v1);
    assert_eq!(b.read(|txn| txn.last_version()).unwrap(), v2);
    let row = b.read(|txn| txn.get_row(Kind::Site, "a")).unwrap().unwrap();
    assert_eq!(row.version, v2);
    // An updated row moves to its new version: a pull sees it once, last.
    let keys: Vec<String> = pulled(b, 0, &[], 100).into_iter().map(|r| r.1).collect();
    assert_eq!(keys, ["c", "a"]);
}

fn pull_by_cursor_and_site<B: Backend>(b: &B) {
    let (s1, s2) = (u(10), u(20));
    b.write(|txn| {
        for i in 0..10u128 {
            let site = if i % 2 == 0 { Some(s1) } else { Some(s2) };
            txn.put_row(Kind::Site, &format!("k{i}"), site, &site_row(u(100 + i)))?;
        }
        txn.put_row(
            Kind::Manufacturer,
            "global",
            None,
            "{\"id\":\"00000000-0000-0000-0000-000000000001\",\"name\":\"M\"}",
        )?;
        Ok::<_, StoreError>(())
    })
    .unwrap();
    let only_s1 = pulled(b, 0, &[s1], 100);
    assert_eq!(only_s1.len(), 6, "five of site 1 and the global row");
    assert!(only_s1.iter().all(|r| r.1 != "k1"));
    assert!(only_s1.windows(2).all(|w| w[0].0 < w[1].0));
    let page = pulled(b, 0, &[s1, s2], 4);
    assert_eq!(page.len(), 4);
    let rest = pulled(b, page[3].0, &[s1, s2], 100);
    assert_eq!(page.len() + rest.len(), 11);
    assert!(pulled(b, 0, &[], 100).iter().all(|r| r.1 == "global"));
}

fn exactly_once_bookkeeping<B: Backend>(b: &B) {
    let (uid, did, site) = (u(1), u(2), u(3));
    b.write(|txn| {
        txn.put_user(&user(uid, vec![site]))?;
        txn.insert_device(&device(did, uid, 7))
    })
    .unwrap();
    let actor = Actor {
        user_id: uid,
        user_name: "A Person".into(),
        role: Role::Technician,
        sites: vec![site],
        device_id: did,
    };
    let env = |seq: u64, name: &str| MutationEnvelope {
        id: u(1000 + u128::from(seq)),
        seq,
        name: name.into(),
        version: 1,
        hlc: Hlc {
            millis: 1,
            counter: 0,
            node: 1,
        },
        payload: serde_json::json!({}),
    };
    let now = Utc::now();
    let push = |envs: Vec<MutationEnvelope>| {
        b.write(|txn| {
            let last = txn.device(did)?.unwrap().last_seq;
            apply::push(txn, &actor, last, &envs, now)
        })
        .unwrap()
    };
    let first = push(vec![env(1, "nope"), env(2, "nope")]);
    assert_eq!(first.results.len(), 2);
    assert_eq!(b.read(|txn| txn.device(did)).unwrap().unwrap().last_seq, 2);
    let logged = b
        .read(|txn| txn.logged_mutation(did, 1))
        .unwrap()
        .expect("logged");
    assert_eq!(
        logged.rejection.as_ref().map(|r| r.0.as_str()),
        Some("unsupported_mutation")
    );
    let again = push(vec![env(1, "nope"), env(3, "nope")]);
    assert_eq!(again.results[0].outcome, first.results[0].outcome);
    assert_eq!(again.results.len(), 2);
    let gap = push(vec![env(9, "nope")]);
    assert_eq!((gap.results.len(), gap.expected_seq), (0, Some(4)));
    let incoming = b
        .read(|txn| txn.incoming(&[site], now - chrono::Duration::hours(1), 10))
        .unwrap();
    assert_eq!(incoming.len(), 3);
    assert!(
        b.read(|txn| txn.incoming(&[u(99)], now - chrono::Duration::hours(1), 10))
            .unwrap()
            .is_empty()
    );
    // A raw log row round-trips.
    let entry = LogEntry {
        device_id: did,
        seq: 50,
        mutation_id: u(50),
        user_id: uid,
        name: "record_work".into(),
        version: 1,
        hlc: "x".into(),
        received_at: now,
        rejection: None,
        summary: "WO-1: 1 records added".into(),
        work_order_id: Some(u(60)),
        asset_id: None,
        site_id: Some(site),
    };
    b.write(|txn| txn.log_mutation(&entry)).unwrap();
    let back = b.read(|txn| txn.logged_mutation(did, 50)).unwrap().unwrap();
    assert_eq!(back.summary, entry.summary);
    assert_eq!(back.work_order_id, entry.work_order_id);
}

fn conflicts_stored_and_resolved<B: Backend>(b: &B) {
    let (uid, did, site, wo) = (u(1), u(2), u(3), u(4));
    b.write(|txn| {
        txn.put_user(&user(uid, vec![site]))?;
        txn.insert_device(&device(did, uid, 9))
    })
    .unwrap();
    let c = NewConflict {
        id: u(77),
        kind: "work_order".into(),
        key: wo.to_string(),
        label: "WO-1".into(),
        field: "status".into(),
        base: serde_json::json!("open"),
        kept: serde_json::json!("cancelled"),
        set_aside: serde_json::json!("in_progress"),
        rule: "legal_move_from_current_status".into(),
        user_id: uid,
        device_id: did,
        mutation_id: u(5),
        detected_at: Utc::now(),
        site_id: Some(site),
        work_order_id: Some(wo),
    };
    b.write(|txn| txn.insert_conflict(&c)).unwrap();
    assert_eq!(b.read(|txn| txn.open_conflicts_on(wo)).unwrap(), 1);
    let open = b.read(|txn| txn.conflicts(&[site], true)).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].conflict.kept, c.kept);
    assert_eq!(open[0].conflict.user_name, "A Person");
    assert!(
        b.read(|txn| txn.conflicts(&[u(99)], false))
            .unwrap()
            .is_empty()
    );
    b.write(|txn| {
        txn.resolve_conflict(
            c.id,
            &Resolution {
                action: "accepted".into(),
                by: uid,
                at: Utc::now(),
                note: "fine".into(),
            },
        )
    })
    .unwrap();
    assert!(
        b.read(|txn| txn.conflicts(&[site], true))
            .unwrap()
            .is_empty()
    );
    let all = b.read(|txn| txn.conflicts(&[site], false)).unwrap();
    let r = all[0].conflict.resolution.as_ref().expect("resolution");
    assert_eq!(
        (r.action.as_str(), r.by, r.note.as_str()),
        ("accepted", uid, "fine")
    );
    assert_eq!(b.read(|txn| txn.open_conflicts_on(wo)).unwrap(), 0);
}

/// A conflict on a global row (a hospital setting) has no site: every
/// site's supervisors list it.
fn global_conflicts_are_listed_at_every_site<B: Backend>(b: &B) {
    let (uid, did) = (u(1), u(2));
    b.write(|txn| {
        txn.put_user(&user(uid, vec![u(3)]))?;
        txn.insert_device(&device(did, uid, 9))
    })
    .unwrap();
    let c = NewConflict {
        id: u(78),
        kind: "hospital_settings".into(),
        key: "analytics".into(),
        label: "analytics settings".into(),
        field: "capital.cyber_weight".into(),
        base: serde_json::Value::Null,
        kept: serde_json::json!("0.4"),
        set_aside: serde_json::json!("0.3"),
        rule: "latest_arrival_wins".into(),
        user_id: uid,
        device_id: did,
        mutation_id: u(5),
        detected_at: Utc::now(),
        site_id: None,
        work_order_id: None,
    };
    b.write(|txn| txn.insert_conflict(&c)).unwrap();
    for sites in [vec![u(3)], vec![u(99)], vec![u(3), u(99)]] {
        for open_only in [true, false] {
            let listed = b.read(|txn| txn.conflicts(&sites, open_only)).unwrap();
            assert_eq!(listed.len(), 1, "{sites:?}");
            assert_eq!(listed[0].conflict.field, "capital.cyber_weight");
        }
    }
}

fn auth_rows<B: Backend>(b: &B) {
    let (uid, did) = (u(1), u(2));
    b.write(|txn| {
        txn.put_user(&user(uid, vec![u(3)]))?;
        txn.insert_device(&device(did, uid, 5))
    })
    .unwrap();
    let by_name = b
        .read(|txn| txn.user_by_username("USER1"))
        .unwrap()
        .unwrap();
    assert_eq!(by_name.id, uid);
    let dup = b.write(|txn| {
        txn.put_user(&user(u(8), vec![])).and_then(|_| {
            let mut clash = user(u(9), vec![]);
            clash.username = "user1".into();
            txn.put_user(&clash)
        })
    });
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
    let d = b
        .read(|txn| txn.device_by_token(&[5; 32]))
        .unwrap()
        .unwrap();
    assert_eq!((d.id, d.user_id, d.revoked_at), (did, uid, None));
    assert!(
        b.read(|txn| txn.device_by_token(&[6; 32]))
            .unwrap()
            .is_none()
    );
    assert!(b.write(|txn| txn.revoke_device(did, Utc::now())).unwrap());
    assert!(
        !b.write(|txn| txn.revoke_device(u(404), Utc::now()))
            .unwrap()
    );
    assert!(
        b.read(|txn| txn.device(did))
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
    b.write(|txn| txn.set_device_progress(did, 12, Utc::now()))
        .unwrap();
    assert_eq!(b.read(|txn| txn.devices()).unwrap()[0].last_seq, 12);
    let owner = b.write(|txn| {
        txn.claim_work_order_number("WO-1", u(70))?;
        txn.claim_work_order_number("WO-1", u(70))?;
        txn.work_order_number_owner("WO-1")
    });
    assert_eq!(owner.unwrap(), Some(u(70)));
    assert!(
        b.write(|txn| txn.claim_work_order_number("WO-1", u(71)))
            .is_err()
    );
}

fn tombstone_horizon<B: Backend>(b: &B) {
    b.write(|txn| {
        txn.put_row(Kind::Site, "a", None, &site_row(u(1)))?;
        txn.put_row(Kind::Site, "b", None, &site_row(u(2)))
    })
    .unwrap();
    assert_eq!(b.read(|txn| txn.tombstone_horizon()).unwrap(), 0);
    let gone = b
        .write(|txn| txn.delete_row(Kind::Site, "a", Utc::now()))
        .unwrap()
        .unwrap();
    assert_eq!(
        b.write(|txn| txn.delete_row(Kind::Site, "nope", Utc::now()))
            .unwrap(),
        None
    );
    let rows = pulled(b, 0, &[], 100);
    assert_eq!(rows, vec![(2, "b".into(), true), (gone, "a".into(), false)]);
    assert_eq!(b.write(|txn| txn.purge_tombstones(gone)).unwrap(), 1);
    assert_eq!(b.read(|txn| txn.tombstone_horizon()).unwrap(), gone);
    assert_eq!(pulled(b, 0, &[], 100).len(), 1);
}

fn log_rows_round_trip_whole<B: Backend>(b: &B) {
    let (uid, did, site) = (u(1), u(2), u(3));
    b.write(|txn| {
        txn.put_user(&user(uid, vec![site]))?;
        txn.insert_device(&device(did, uid, 4))
    })
    .unwrap();
    let applied = LogEntry {
        device_id: did,
        seq: 1,
        mutation_id: u(50),
        user_id: uid,
        name: "record_work".into(),
        version: 1,
        hlc: "0001:0002:0003".into(),
        received_at: at(9, 0),
        rejection: None,
        summary: "WO-1: 1 record added".into(),
        work_order_id: Some(u(60)),
        asset_id: Some(u(61)),
        site_id: Some(site),
    };
    let rejected = LogEntry {
        seq: 2,
        mutation_id: u(51),
        received_at: at(9, 5),
        rejection: Some(("forbidden".into(), "not your site".into())),
        work_order_id: None,
        asset_id: None,
        site_id: None,
        ..applied.clone()
    };
    b.write(|txn| {
        txn.log_mutation(&applied)?;
        txn.log_mutation(&rejected)
    })
    .unwrap();
    assert_eq!(
        b.read(|txn| txn.logged_mutation(did, 1)).unwrap(),
        Some(applied.clone())
    );
    assert_eq!(
        b.read(|txn| txn.logged_mutation(did, 2)).unwrap(),
        Some(rejected)
    );
    assert_eq!(b.read(|txn| txn.logged_mutation(did, 3)).unwrap(), None);
    // The incoming list: in the site, newest first, bounded; a row with no
    // site is nobody's.
    let list = b.read(|txn| txn.incoming(&[site], at(8, 0), 10)).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (
            list[0].mutation.as_str(),
            list[0].device_name.as_str(),
            list[0].received_at
        ),
        ("record_work@1", "tablet", at(9, 0))
    );
    assert!(
        b.read(|txn| txn.incoming(&[site], at(9, 1), 10))
            .unwrap()
            .is_empty()
    );
    // A device's times and progress round-trip too.
    b.write(|txn| txn.set_device_progress(did, 2, at(9, 5)))
        .unwrap();
    let d = b.read(|txn| txn.device(did)).unwrap().unwrap();
    assert_eq!((d.last_seq, d.last_seen), (2, Some(at(9, 5))));
    assert_eq!(
        d,
        DeviceRow {
            last_seq: 2,
            last_seen: Some(at(9, 5)),
            ..device(did, uid, 4)
        }
    );
}

fn the_sign_off_queue_reads_completed_work_orders_by_site<B: Backend>(b: &B) {
    let (s1, s2) = (u(10), u(20));
    let wo = |status: &str| format!("{{\"id\":\"x\",\"status\":\"{status}\"}}");
    b.write(|txn| {
        txn.put_row(Kind::WorkOrder, "a", Some(s1), &wo("completed"))?;
        txn.put_row(Kind::WorkOrder, "b", Some(s2), &wo("completed"))?;
        txn.put_row(Kind::WorkOrder, "c", Some(s1), &wo("open"))?;
        txn.put_row(Kind::WorkOrder, "d", Some(s1), &wo("signed_off"))?;
        // Another kind with the same status is not a work order.
        txn.put_row(Kind::Site, "e", Some(s1), &wo("completed"))?;
        Ok::<_, StoreError>(())
    })
    .unwrap();
    let done = b.read(|txn| txn.completed_work_orders(&[s1])).unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(
        (done[0].site_id, done[0].body.clone()),
        (Some(s1), wo("completed"))
    );
    assert_eq!(
        b.read(|txn| txn.completed_work_orders(&[s1, s2]))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        b.read(|txn| txn.rows_of_kind(Kind::WorkOrder))
            .unwrap()
            .len(),
        4
    );
}

fn a_refused_insert_leaves_the_transaction_usable<B: Backend>(b: &B) {
    b.write(|txn| txn.put_user(&user(u(1), vec![]))).unwrap();
    b.write(|txn| {
        let mut clash = user(u(2), vec![]);
        clash.username = "USER1".into();
        let refused = txn.put_user(&clash);
        assert!(
            matches!(refused, Err(StoreError::Duplicate(_))),
            "{refused:?}"
        );
        // The caller may go on: the refusal was an answer, not a failure.
        txn.put_user(&user(u(3), vec![]))?;
        txn.put_row(Kind::Site, "s", None, &site_row(u(4)))
    })
    .unwrap();
    assert!(b.read(|txn| txn.user(u(3))).unwrap().is_some());
    assert!(b.read(|txn| txn.user(u(2))).unwrap().is_none());
    assert!(
        b.read(|txn| txn.get_row(Kind::Site, "s"))
            .unwrap()
            .is_some()
    );
}

/// Writers commit while a reader pulls page after page: every row is
/// seen exactly once, in version order, whatever the interleaving. A
/// backend whose versions could become visible out of commit order (a
/// plain sequence, say) loses rows here.
fn a_pull_cursor_never_skips_a_late_commit<B: Backend>(b: &B) {
    const WRITERS: usize = 4;
    const TXNS: usize = 15;
    const ROWS: usize = 3;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let seen = std::thread::scope(|scope| {
        for w in 0..WRITERS {
            let done = &done;
            scope.spawn(move || {
                for t in 0..TXNS {
                    b.write(|txn| {
                        for r in 0..ROWS {
                            let n = (w * 1000 + t * 10 + r) as u128;
                            txn.put_row(
                                Kind::Site,
                                &format!("w{w}-t{t}-r{r}"),
                                None,
                                &site_row(u(n)),
                            )?;
                            // Hold the transaction open a moment, so others queue.
                            std::thread::sleep(std::time::Duration::from_micros(200));
                        }
                        Ok::<_, StoreError>(())
                    })
                    .unwrap();
                }
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            });
        }
        let reader = scope.spawn(|| {
            let mut cursor = 0;
            let mut seen: Vec<(u64, String)> = Vec::new();
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst) == WRITERS;
                let page = pulled(b, cursor, &[], 7);
                if let Some(last) = page.last() {
                    cursor = last.0;
                }
                let empty = page.is_empty();
                seen.extend(page.into_iter().map(|(v, k, _)| (v, k)));
                if finished && empty {
                    return seen;
                }
            }
        });
        reader.join().unwrap()
    });
    assert_eq!(seen.len(), WRITERS * TXNS * ROWS, "every row, once");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "in version order");
    let mut keys: Vec<&String> = seen.iter().map(|(_, k)| k).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), WRITERS * TXNS * ROWS);
    assert_eq!(
        b.read(|txn| txn.last_version()).unwrap(),
        seen.last().unwrap().0
    );
}

fn accounts_are_listed_and_a_users_devices_revoked_together<B: Backend>(b: &B) {
    let (ana, bob, cy) = (u(1), u(2), u(3));
    b.write(|txn| {
        let mut a = user(ana, vec![]);
        a.username = "ana".into();
        let mut bb = user(bob, vec![]);
        bb.username = "Bob".into();
        let mut c = user(cy, vec![]);
        c.username = "cy".into();
        // Written out of order: the listing sorts by username, any case.
        txn.put_user(&c)?;
        txn.put_user(&bb)?;
        txn.put_user(&a)?;
        txn.insert_device(&device(u(10), ana, 1))?;
        txn.insert_device(&device(u(11), ana, 2))?;
        txn.insert_device(&device(u(12), ana, 3))?;
        txn.insert_device(&device(u(20), bob, 4))
    })
    .unwrap();
    let names: Vec<String> = b
        .read(|txn| txn.users())
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["ana", "Bob", "cy"]);
    // One already revoked keeps its time.
    b.write(|txn| txn.revoke_device(u(12), at(8, 0))).unwrap();
    let n = b
        .write(|txn| txn.revoke_user_devices(ana, at(9, 0)))
        .unwrap();
    assert_eq!(n, 2);
    let devices = b.read(|txn| txn.devices()).unwrap();
    let revoked = |id: Uuid| devices.iter().find(|d| d.id == id).unwrap().revoked_at;
    assert_eq!(revoked(u(10)), Some(at(9, 0)));
    assert_eq!(revoked(u(11)), Some(at(9, 0)));
    assert_eq!(revoked(u(12)), Some(at(8, 0)));
    assert_eq!(revoked(u(20)), None, "another user's device is untouched");
    assert_eq!(
        b.write(|txn| txn.revoke_user_devices(ana, at(10, 0)))
            .unwrap(),
        0
    );
    // Rolled back with its transaction.
    let failed: Result<(), StoreError> = b.write(|txn| {
        txn.revoke_user_devices(bob, at(11, 0))?;
        Err(StoreError::Duplicate("on purpose".into()))
    });
    assert!(failed.is_err());
    assert!(
        b.read(|txn| txn.device(u(20)))
            .unwrap()
            .unwrap()
            .revoked_at
            .is_none()
    );
}

/// One `#[test]` per check, over a backend made by `$fresh`; a new check
/// is one name in this list.
macro_rules! contract {
    ($name:ident, $fresh:expr) => {
        contract!(@tests $name, $fresh,
            versions_strictly_increase_across_transactions,
            pull_by_cursor_and_site,
            exactly_once_bookkeeping,
            conflicts_stored_and_resolved,
            global_conflicts_are_listed_at_every_site,
            auth_rows,
            tombstone_horizon,
            log_rows_round_trip_whole,
            the_sign_off_queue_reads_completed_work_orders_by_site,
            a_refused_insert_leaves_the_transaction_usable,
            a_pull_cursor_never_skips_a_late_commit,
            accounts_are_listed_and_a_users_devices_revoked_together,
        );
    };
    (@tests $name:ident, $fresh:expr, $($test:ident,)+) => {
        mod $name {
            use super::*;
            $(
                #[test]
                fn $test() {
                    super::$test(&$fresh.backend);
                }
            )+
        }
    };
}

contract!(sqlite_backend, sqlite());

#[cfg(feature = "postgres-tests")]
contract!(postgres_backend, postgres());

#[test]
fn sqlite_migrations_are_well_formed() {
    biomend_server::backend::sqlite::validate_migrations().unwrap();
}

#[test]
fn sqlite_a_newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    drop(SqliteBackend::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = SqliteBackend::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
}

#[cfg(feature = "postgres-tests")]
mod postgres_only {
    use super::*;
    use biomend_server::backend::postgres::{POSTGRES_SCHEMA_VERSION, ScratchDatabase};
    use biomend_server::{PostgresBackend, PostgresTarget};

    fn scratch() -> ScratchDatabase {
        ScratchDatabase::from_env().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn opening_again_migrates_nothing_and_keeps_the_data() {
        let db = scratch();
        let b = PostgresBackend::open(db.target()).unwrap();
        b.write(|txn| txn.put_row(Kind::Site, "a", None, &site_row(u(1))))
            .unwrap();
        drop(b);
        let again = PostgresBackend::open(db.target()).unwrap();
        assert_eq!(again.read(|txn| txn.last_version()).unwrap(), 1);
        let mut c = raw(&db);
        let v: i32 = c
            .query_one("SELECT version FROM schema_version", &[])
            .unwrap()
            .get(0);
        assert_eq!(v as usize, POSTGRES_SCHEMA_VERSION);
    }

    fn raw(db: &ScratchDatabase) -> postgres::Client {
        let base = std::env::var("BIOMEND_TEST_POSTGRES").unwrap();
        let mut config: postgres::Config = base.parse().unwrap();
        config.dbname(db.target().dbname().unwrap());
        config.connect(postgres::NoTls).unwrap()
    }

    #[test]
    fn a_newer_database_is_refused() {
        let db = scratch();
        drop(PostgresBackend::open(db.target()).unwrap());
        raw(&db)
            .execute("UPDATE schema_version SET version = 99", &[])
            .unwrap();
        let err = PostgresBackend::open(db.target()).unwrap_err();
        assert!(
            matches!(err, StoreError::TooNew { found: 99, supported } if supported == POSTGRES_SCHEMA_VERSION),
            "{err}"
        );
    }

    #[test]
    fn a_connection_string_shows_no_password_in_errors_or_debug() {
        let secret = "pa55-w0rd-xyz";
        let base = std::env::var("BIOMEND_TEST_POSTGRES").unwrap();
        let target =
            PostgresTarget::parse(&format!("{base} password={secret} dbname=no_such_db")).unwrap();
        assert!(!format!("{target} {target:?}").contains(secret));
        let err = PostgresBackend::open(&target).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("no_such_db"), "{shown}");
        assert!(!shown.contains(secret), "{shown}");
        for bad in [
            format!("postgres://me:{secret}@[::1:5432/db"),
            format!("host=/tmp password={secret} port=notaport"),
            format!("postgres://me:{secret}@localhost:notaport/db"),
        ] {
            let err = PostgresTarget::parse(&bad).unwrap_err();
            assert!(!format!("{err} {err:?}").contains(secret), "{err}");
        }
    }
}

#[test]
fn debug_output_never_shows_secrets() {
    let mut person = user(u(1), vec![]);
    person.password_hash = "$argon2id$secret".into();
    assert!(!format!("{person:?}").contains("secret"));
    let d = device(u(2), u(1), 0xab);
    assert!(!format!("{d:?}").contains("171"));
    let t = biomend_server::auth::Token::generate().unwrap();
    assert_eq!(t.0.len(), 64);
    assert!(!format!("{t:?}").contains(&t.0));
}
