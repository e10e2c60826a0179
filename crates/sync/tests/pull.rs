//! Pulling into a device that starts empty, from an in-memory server:
//! pages, children before parents, incremental changes, local edits that
//! must not be overwritten, resync, and a server that misbehaves.

mod common;

use biomend_domain::ids::AssetId;
use biomend_protocol::{Kind, Record};
use biomend_sync::{Engine, Progress, SyncError, status};
use common::*;

fn engine(page: u32) -> Engine {
    Engine::new(DEVICE, 50).with_page_size(page)
}

fn seeded(page: u32) -> (Device, FakeServer) {
    let (d, b) = hospital();
    let mut server = FakeServer::with(records(&d, &b));
    let mut dev = device();
    engine(page)
        .pull(&mut dev.store, &mut server, now())
        .expect("first pull");
    (dev, server)
}

#[test]
fn an_empty_device_is_seeded_page_by_page() {
    let (d, b) = hospital();
    let all = records(&d, &b);
    let total = all.len() as u64;
    let mut server = FakeServer::with(all);
    let mut dev = device();
    let mut seen = Vec::new();
    let report = engine(500)
        .sync(&mut dev.store, &mut server, now(), &mut |p| seen.push(p))
        .expect("sync");
    assert_eq!(report.pull.rows, total);
    assert_eq!(report.pull.to, server.version());
    assert_eq!(report.pull.from, 0);
    assert_eq!(report.pull.pages as usize, server.pulls.len());
    assert!(
        server
            .pulls
            .iter()
            .all(|p| p.limit == 500 && p.device_id == DEVICE)
    );
    assert_eq!(server.pulls.len() as u64, total.div_ceil(500));
    // Progress heard of every page, then of the apply.
    assert!(matches!(seen.last(), Some(Progress::Applying { rows }) if *rows == total));

    let r = dev.store.reader();
    assert_eq!(r.count("assets").unwrap(), d.assets.len() as u64);
    assert_eq!(r.count("work_orders").unwrap(), b.len() as u64);
    for a in d.assets.iter().take(20) {
        assert_eq!(r.asset(a.id).unwrap().as_ref(), Some(a));
        assert_eq!(r.search_assets(&a.tag, 5).unwrap()[0].tag, a.tag);
    }
    let st = status(&dev.store).unwrap();
    assert_eq!(st.pull_cursor, server.version());
    assert_eq!(st.rows_pulled, total);
    assert_eq!(st.last_pull, Some(now()));
    assert!(st.online);
}

#[test]
fn children_changed_before_their_parents_arrive_first_and_still_fit() {
    let (d, b) = hospital();
    let mut server = FakeServer::with(records(&d, &b));
    // Work orders, their assets' departments and the sites change last:
    // their rows now come after everything that refers to them.
    for r in records(&d, &b) {
        if matches!(
            r,
            Record::WorkOrder(_) | Record::Department(_) | Record::Site(_)
        ) {
            server.publish(r);
        }
    }
    let mut dev = device();
    let report = engine(300)
        .pull(&mut dev.store, &mut server, now())
        .expect("pull");
    assert!(report.pages > 3);
    let r = dev.store.reader();
    assert_eq!(r.count("work_orders").unwrap(), b.len() as u64);
    assert_eq!(
        r.count("labor").unwrap(),
        b.iter().map(|x| x.labor.len() as u64).sum::<u64>()
    );
    dev.store.integrity_check().unwrap();
}

#[test]
fn later_pulls_bring_only_what_changed_and_tombstones() {
    let (mut dev, mut server) = seeded(1000);
    let (d, _) = hospital();
    let mut a = server.asset(d.assets[0].id.0);
    a.status = "missing".into();
    server.publish(Record::Asset(a.clone()));
    let gone = d.pm_schedules[0].clone();
    server.delete(
        Kind::PmSchedule,
        &biomend_protocol::pm_schedule_key(gone.asset_id.0, gone.plan_id.0),
    );
    let before = dev.store.reader().count("pm_schedules").unwrap();
    let report = engine(1000)
        .pull(&mut dev.store, &mut server, now())
        .expect("pull");
    assert_eq!((report.rows, report.deleted), (2, 1));
    let r = dev.store.reader();
    assert_eq!(
        r.asset(AssetId(a.id)).unwrap().unwrap().status.as_str(),
        "missing"
    );
    assert_eq!(r.count("pm_schedules").unwrap(), before - 1);
    // Nothing new: one request, nothing applied, same cursor.
    let again = engine(1000)
        .pull(&mut dev.store, &mut server, now())
        .unwrap();
    assert_eq!(
        (again.rows, again.from, again.to),
        (0, report.to, report.to)
    );
}

#[test]
fn a_pending_edit_is_never_overwritten_by_a_pull() {
    let (mut dev, mut server) = seeded(1000);
    let (d, _) = hospital();
    let id = d.assets[1].id.0;
    local_edit(&mut dev.store, id, "cracked housing, taped");
    // Someone else changed the status on the server meanwhile.
    let mut theirs = server.asset(id);
    theirs.status = "in_repair".into();
    server.publish(Record::Asset(theirs));

    let err = engine(1000)
        .pull(&mut dev.store, &mut server, now())
        .unwrap_err();
    assert!(matches!(err, SyncError::PendingLocal { count: 1 }), "{err}");
    let mine = dev.store.reader().asset(AssetId(id)).unwrap().unwrap();
    assert_eq!(mine.notes, "cracked housing, taped");

    // A full round pushes first, then pulls both edits back.
    let report = engine(1000)
        .sync(&mut dev.store, &mut server, now(), &mut |_| {})
        .expect("sync");
    assert_eq!(report.push.applied, 1);
    let merged = dev.store.reader().asset(AssetId(id)).unwrap().unwrap();
    assert_eq!(merged.notes, "cracked housing, taped");
    assert_eq!(merged.status.as_str(), "in_repair");
    assert_eq!(status(&dev.store).unwrap().pending, 0);
}

#[test]
fn an_edit_made_while_pulling_is_pushed_before_anything_is_applied() {
    let (mut dev, mut server) = seeded(1000);
    let (d, _) = hospital();
    let id = d.assets[2].id.0;
    let mut theirs = server.asset(id);
    theirs.status = "out_of_service".into();
    server.publish(Record::Asset(theirs));
    server.meanwhile = Some(Meanwhile {
        path: dev.path.clone(),
        asset: id,
        notes: "edited during the sync".into(),
    });
    let report = engine(1000)
        .sync(&mut dev.store, &mut server, now(), &mut |_| {})
        .expect("sync");
    assert_eq!(
        report.push.applied, 1,
        "the edit was pushed in the same round"
    );
    assert_eq!(server.pushes.len(), 1);
    let a = dev.store.reader().asset(AssetId(id)).unwrap().unwrap();
    assert_eq!(a.notes, "edited during the sync");
    assert_eq!(a.status.as_str(), "out_of_service");
    assert_eq!(status(&dev.store).unwrap().pending, 0);
}

#[test]
fn resync_replaces_the_replica_after_pushing_pending_work() {
    let (mut dev, mut server) = seeded(1000);
    let (d, _) = hospital();
    let edited = d.assets[3].id.0;
    local_edit(&mut dev.store, edited, "pending before the resync");
    // A row was deleted, and the server has since forgotten the
    // tombstone: this device can only catch up from zero.
    let gone = d.pm_schedules[1].clone();
    server.delete(
        Kind::PmSchedule,
        &biomend_protocol::pm_schedule_key(gone.asset_id.0, gone.plan_id.0),
    );
    server.forget_tombstones();
    let before = dev.store.reader().count("pm_schedules").unwrap();

    let report = engine(400)
        .sync(&mut dev.store, &mut server, now(), &mut |_| {})
        .expect("sync");
    assert!(report.pull.resynced);
    assert_eq!(report.push.applied, 1, "pending work went first");
    assert_eq!(report.pull.from, 0);
    let r = dev.store.reader();
    assert_eq!(r.count("pm_schedules").unwrap(), before - 1);
    assert_eq!(
        r.asset(AssetId(edited)).unwrap().unwrap().notes,
        "pending before the resync"
    );
    assert_eq!(r.pull_cursor().unwrap(), server.version());
}

#[test]
fn offline_changes_nothing_and_says_so() {
    let (mut dev, mut server) = seeded(1000);
    let cursor = dev.store.reader().pull_cursor().unwrap();
    server.offline = true;
    let err = engine(1000)
        .pull(&mut dev.store, &mut server, now())
        .unwrap_err();
    assert!(matches!(err, SyncError::Offline));
    assert!(err.is_transient());
    let st = status(&dev.store).unwrap();
    assert!(!st.online);
    assert_eq!(st.pull_cursor, cursor);
    assert!(
        st.last_error
            .unwrap()
            .contains("changes stay on this device")
    );
}

#[test]
fn a_pull_after_an_outage_is_a_success_even_with_nothing_to_push() {
    let (mut dev, mut server) = seeded(1000);
    server.offline = true;
    engine(1000)
        .sync(&mut dev.store, &mut server, now(), &mut |_| {})
        .unwrap_err();
    assert!(status(&dev.store).unwrap().last_error.is_some());
    assert_eq!(dev.store.reader().pending_count().unwrap(), 0);

    server.offline = false;
    let later = now() + chrono::Duration::minutes(5);
    engine(1000)
        .sync(&mut dev.store, &mut server, later, &mut |_| {})
        .expect("sync");
    let st = status(&dev.store).unwrap();
    assert!(st.online);
    assert_eq!(st.last_error, None, "the outage is over");
    assert_eq!(st.last_success, Some(later));
}

#[test]
fn a_server_that_never_moves_its_cursor_is_a_bad_answer_not_a_loop() {
    let (mut dev, mut server) = seeded(1000);
    server.stuck = true;
    let before = server.pulls.len();
    let err = engine(1000)
        .pull(&mut dev.store, &mut server, now())
        .unwrap_err();
    assert!(matches!(err, SyncError::BadAnswer(_)), "{err}");
    assert_eq!(
        server.pulls.len(),
        before + 1,
        "one stuck page, then it stops"
    );
}

#[test]
fn a_change_that_cannot_be_read_in_a_later_page_keeps_nothing_of_the_run() {
    let (d, b) = hospital();
    let mut server = FakeServer::with(records(&d, &b));
    // Pages are read while earlier ones are applied; one the device cannot
    // read, near the end of the run, must still fail the whole run.
    let mut broken = server.asset(d.assets[0].id.0);
    broken.status = "exploded".into();
    server.publish(Record::Asset(broken));
    let mut dev = device();
    let err = engine(100)
        .pull(&mut dev.store, &mut server, now())
        .unwrap_err();
    assert!(matches!(err, SyncError::Protocol(_)), "{err}");
    assert!(server.pulls.len() > 3, "several pages were fetched");
    let r = dev.store.reader();
    assert_eq!(r.count("assets").unwrap(), 0);
    assert_eq!(r.pull_cursor().unwrap(), 0);
    assert_eq!(status(&dev.store).unwrap().rows_pulled, 0);
}

#[test]
fn a_new_tablet_that_loses_the_network_mid_download_keeps_nothing_and_starts_again() {
    let (d, b) = hospital();
    let all = records(&d, &b);
    let total = all.len() as u64;
    let mut server = FakeServer::with(all);
    // A new tablet applies pages while it downloads the next ones.
    server.pulls_before_offline = Some(3);
    let mut dev = device();
    let err = engine(100)
        .pull(&mut dev.store, &mut server, now())
        .unwrap_err();
    assert!(matches!(err, SyncError::Offline), "{err}");
    let r = dev.store.reader();
    assert_eq!(r.count("assets").unwrap(), 0, "the run rolled back whole");
    assert_eq!(r.pull_cursor().unwrap(), 0);
    assert!(!status(&dev.store).unwrap().online);
    server.pulls_before_offline = None;
    let report = engine(100)
        .pull(&mut dev.store, &mut server, now())
        .expect("pull again");
    assert_eq!(report.rows, total);
    assert_eq!(report.from, 0);
    assert_eq!(report.to, server.version());
    let r = dev.store.reader();
    assert_eq!(r.count("assets").unwrap(), d.assets.len() as u64);
    assert_eq!(r.pull_cursor().unwrap(), server.version());
    assert_eq!(status(&dev.store).unwrap().rows_pulled, total);
}
