//! Pushing the outbox, filled by real use cases on a small generated
//! hospital, to an in-memory server that applies each mutation exactly
//! once and misbehaves on request.

mod sync_fixture;

use biomend_protocol::PROTOCOL_VERSION;
use biomend_sync::{Engine, PushReport, Status, SyncError, status};
use sync_fixture::*;

fn engine(batch: u32) -> Engine {
    Engine::new(DEVICE, batch)
}

#[test]
fn the_pending_queue_drains_in_order() {
    let mut f = fixture();
    for tag in f.free_assets(2) {
        f.repair(&tag);
    }
    let queued = f.pending();
    assert_eq!(queued.len(), 6, "open, start and complete, twice");
    let mut server = FakeServer::new();
    let now = f.now();
    let report = engine(4)
        .push_once(f.app.store_mut(), &mut server, now)
        .expect("push");
    assert_eq!(
        report,
        PushReport {
            requests: 2,
            applied: 6,
            ..Default::default()
        }
    );
    assert_eq!(
        server.applied_ids(),
        queued.iter().map(|m| m.id).collect::<Vec<_>>()
    );
    // Each request: this build's versions, this device, seqs in order.
    let sent: Vec<u64> = server
        .requests
        .iter()
        .flat_map(|r| r.mutations.iter().map(|m| m.seq))
        .collect();
    assert_eq!(sent, queued.iter().map(|m| m.seq).collect::<Vec<_>>());
    for r in &server.requests {
        assert_eq!(r.protocol_version, PROTOCOL_VERSION);
        assert_eq!(r.schema_version as usize, biomend_store::SCHEMA_VERSION);
        assert_eq!(r.device_id, DEVICE);
    }
    assert_eq!(server.requests[0].mutations, queued[..4]);
    assert_eq!(
        status(f.app.store()).expect("status"),
        Status {
            online: true,
            pending: 0,
            rejected: 0,
            last_success: Some(now),
            last_error: None,
            ..Status::default()
        }
    );
    // Nothing left: nothing is sent.
    let again = engine(4)
        .push_once(f.app.store_mut(), &mut server, now)
        .expect("push");
    assert_eq!(again, PushReport::default());
    assert_eq!(server.requests.len(), 2);
}

#[test]
fn a_lost_answer_applies_nothing_twice() {
    let mut f = fixture();
    let tag = f.free_assets(1).remove(0);
    f.repair(&tag);
    let queued = f.pending();
    let mut server = FakeServer::new();
    server.drop_answers = 1;
    let now = f.now();
    let err = engine(10)
        .push_once(f.app.store_mut(), &mut server, now)
        .unwrap_err();
    assert!(matches!(err, SyncError::Server(_)), "{err}");
    assert!(err.is_transient());
    assert_eq!(server.applied.len(), 3, "the server applied the push");
    let st = status(f.app.store()).expect("status");
    assert_eq!(st.pending, 3, "the device never heard back");
    assert!(st.online);
    assert!(
        st.last_error
            .as_deref()
            .is_some_and(|e| e.contains("server error")),
        "{st:?}"
    );

    // The retry is answered as duplicates; nothing is applied again.
    f.clock.advance(chrono::Duration::minutes(1));
    let later = f.now();
    let report = engine(10)
        .push_once(f.app.store_mut(), &mut server, later)
        .expect("retry");
    assert_eq!((report.applied, report.duplicates), (0, 3));
    server.assert_exactly_once();
    assert_eq!(
        server.applied_ids(),
        queued.iter().map(|m| m.id).collect::<Vec<_>>()
    );
    let st = status(f.app.store()).expect("status");
    assert_eq!((st.pending, st.last_error), (0, None));
    assert_eq!(st.last_success, Some(later));
}

#[test]
fn a_request_delivered_twice_applies_once() {
    let mut f = fixture();
    let tag = f.free_assets(1).remove(0);
    f.repair(&tag);
    let mut server = FakeServer::new();
    server.deliver_twice = true;
    let now = f.now();
    let report = engine(10)
        .push_once(f.app.store_mut(), &mut server, now)
        .expect("push");
    assert_eq!(report.duplicates, 3, "the client sees the second answer");
    server.assert_exactly_once();
    assert_eq!(server.applied.len(), 3);
    assert_eq!(status(f.app.store()).expect("status").pending, 0);
}

#[test]
fn a_rejected_mutation_keeps_its_reason_and_blocks_nothing() {
    let mut f = fixture();
    for tag in f.free_assets(2) {
        f.repair(&tag);
    }
    let queued = f.pending();
    let refused = &queued[1];
    let mut server = FakeServer::new();
    server.reject(
        refused.id,
        "work_order_cancelled",
        "The work order was cancelled on the server",
    );
    // The answer carrying the rejection is lost once: the retry must still
    // learn the reason.
    server.drop_answers = 1;
    let now = f.now();
    engine(2)
        .push_once(f.app.store_mut(), &mut server, now)
        .unwrap_err();
    let report = engine(2)
        .push_once(f.app.store_mut(), &mut server, now)
        .expect("push");
    assert_eq!(
        (report.applied, report.duplicates, report.rejected),
        (4, 1, 1)
    );
    // Everything after it was applied, in order.
    let mut expected: Vec<_> = queued.iter().map(|m| m.id).collect();
    expected.remove(1);
    assert_eq!(server.applied_ids(), expected);

    let r = f.app.store().reader();
    let rejected = r.rejected_mutations().expect("rejected");
    assert_eq!(rejected.len(), 1);
    assert_eq!((rejected[0].seq, rejected[0].id), (refused.seq, refused.id));
    assert_eq!(rejected[0].name, "set_work_order_status");
    assert_eq!(rejected[0].code, "work_order_cancelled");
    assert_eq!(
        rejected[0].message,
        "The work order was cancelled on the server"
    );
    let st = status(f.app.store()).expect("status");
    assert_eq!((st.pending, st.rejected), (0, 1));
    assert_eq!(st.last_error, None, "a rejection is not a sync failure");
}

#[test]
fn offline_leaves_everything_pending() {
    let mut f = fixture();
    let tag = f.free_assets(1).remove(0);
    f.repair(&tag);
    let mut server = FakeServer::new();
    server.offline = true;
    let now = f.now();
    let err = engine(10)
        .push_once(f.app.store_mut(), &mut server, now)
        .unwrap_err();
    assert!(matches!(err, SyncError::Offline), "{err}");
    assert!(err.is_transient());
    assert!(server.applied.is_empty());
    let st = status(f.app.store()).expect("status");
    assert!(!st.online);
    assert_eq!(st.pending, 3);
    assert_eq!(st.last_success, None);
    assert!(
        st.last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("offline")),
        "{st:?}"
    );

    // Back online: the queue drains and the error clears.
    server.offline = false;
    engine(10)
        .push_once(f.app.store_mut(), &mut server, now)
        .expect("push");
    let st = status(f.app.store()).expect("status");
    assert!(st.online);
    assert_eq!((st.pending, st.last_error), (0, None));
}

#[test]
fn client_too_old_says_so_and_sends_nothing_further() {
    let mut f = fixture();
    let tag = f.free_assets(1).remove(0);
    f.repair(&tag);
    let mut server = FakeServer::new();
    server.min_protocol = PROTOCOL_VERSION + 1;
    let now = f.now();
    let err = engine(10)
        .push_once(f.app.store_mut(), &mut server, now)
        .unwrap_err();
    assert!(matches!(err, SyncError::ClientTooOld { .. }), "{err}");
    assert!(!err.is_transient());
    let st = status(f.app.store()).expect("status");
    let message = st.last_error.clone().expect("an error");
    assert!(message.contains("too old"), "{message}");
    assert!(message.contains("please update"), "{message}");
    assert_eq!(st.pending, 3);
    assert!(server.applied.is_empty());

    // Not even after a restart, until the app is updated.
    drop(f.app);
    let mut store = open(&f.path);
    let err = engine(10)
        .push_once(&mut store, &mut server, now)
        .unwrap_err();
    assert!(matches!(err, SyncError::ClientTooOld { .. }), "{err}");
    assert_eq!(server.requests.len(), 1, "nothing sent after the refusal");
    assert_eq!(status(&store).expect("status").last_error, Some(message));
}

#[test]
fn status_survives_reopening_the_store() {
    let mut f = fixture();
    for tag in f.free_assets(2) {
        f.repair(&tag);
    }
    let queued = f.pending();
    let mut server = FakeServer::new();
    server.reject(
        queued[0].id,
        "conflict",
        "Asset status changed on the server",
    );
    server.max_per_request = Some(2);
    let first = f.now();
    engine(10)
        .push_once(f.app.store_mut(), &mut server, first)
        .expect("push");
    f.clock.advance(chrono::Duration::hours(1));
    f.repair(&f.free_assets(1).remove(0));
    server.offline = true;
    let later = f.now();
    engine(10)
        .push_once(f.app.store_mut(), &mut server, later)
        .unwrap_err();
    let before = status(f.app.store()).expect("status");
    assert_eq!(
        (before.online, before.pending, before.rejected),
        (false, 3, 1)
    );
    assert_eq!(before.last_success, Some(first));
    assert!(before.last_error.is_some());

    drop(f.app);
    let store = open(&f.path);
    assert_eq!(status(&store).expect("status"), before);
}

#[test]
fn a_server_that_lost_data_gets_it_again() {
    let mut f = fixture();
    let tags = f.free_assets(2);
    f.repair(&tags[0]);
    let mut server = FakeServer::new();
    let now = f.now();
    engine(10)
        .push_once(f.app.store_mut(), &mut server, now)
        .expect("push");
    let first_three = server.applied_ids();
    // Restored from a backup taken after the first mutation.
    let kept = server.applied[0].1;
    server.lose_data_after(DEVICE, kept);
    f.repair(&tags[1]);
    let new_three: Vec<_> = f.pending().iter().map(|m| m.id).collect();

    let report = engine(2)
        .push_once(f.app.store_mut(), &mut server, now)
        .expect("push");
    assert_eq!(report.resent_from, Some(kept + 1));
    assert_eq!(report.applied, 5, "two resent, three new");
    server.assert_exactly_once();
    let mut expected = first_three;
    expected.extend(new_three);
    assert_eq!(server.applied_ids(), expected);
    assert_eq!(status(f.app.store()).expect("status").pending, 0);
}

#[test]
fn a_server_expecting_what_this_device_no_longer_holds_stops_the_push() {
    let mut f = fixture();
    let tag = f.free_assets(1).remove(0);
    f.repair(&tag);
    let mut server = FakeServer::new();
    // Seqs start at 1; nothing at 0 can be resent.
    server.force_gap = Some(0);
    let now = f.now();
    let err = engine(10)
        .push_once(f.app.store_mut(), &mut server, now)
        .unwrap_err();
    assert!(
        matches!(err, SyncError::ServerBehind { expected: 0 }),
        "{err}"
    );
    let st = status(f.app.store()).expect("status");
    assert_eq!(st.pending, 3, "nothing marked");
    assert!(
        st.last_error.as_deref().is_some_and(|e| e.contains("#0")),
        "{st:?}"
    );
}

#[test]
fn a_gap_naming_the_first_seq_sent_is_a_bad_answer_not_a_loop() {
    let mut f = fixture();
    let tag = f.free_assets(1).remove(0);
    f.repair(&tag);
    let first = f.pending()[0].seq;
    let mut server = FakeServer::new();
    server.force_gap = Some(first);
    let now = f.now();
    let err = engine(10)
        .push_once(f.app.store_mut(), &mut server, now)
        .unwrap_err();
    assert!(matches!(err, SyncError::BadAnswer(_)), "{err}");
    assert_eq!(server.requests.len(), 1);
    assert_eq!(status(f.app.store()).expect("status").pending, 3);
}

#[test]
fn a_gap_ahead_of_the_batch_vouches_for_what_it_skipped() {
    let mut f = fixture();
    let tag = f.free_assets(1).remove(0);
    f.repair(&tag);
    let queued = f.pending();
    let mut server = FakeServer::new();
    // The server says it holds the first two already.
    server.last_seq.insert(DEVICE, queued[1].seq);
    server.force_gap = Some(queued[2].seq);
    let now = f.now();
    let report = engine(10)
        .push_once(f.app.store_mut(), &mut server, now)
        .expect("push");
    assert_eq!((report.duplicates, report.applied), (2, 1));
    assert_eq!(server.applied_ids(), [queued[2].id]);
    assert_eq!(status(f.app.store()).expect("status").pending, 0);
}
