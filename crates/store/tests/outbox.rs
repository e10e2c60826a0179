//! The sync outbox and sync state: mutations are queued in the action's
//! own transaction, in order, and vanish with it when it fails.

mod common;

use biomend_store::{Actor, Store, StoreError};
use common::*;
use uuid::Uuid;

fn mid(n: u128) -> Uuid {
    Uuid::from_u128(0x019c_af10_3180_7000_8000_0000_0000_0000 | n)
}

const HLC_1: &str = "0000019caf103180-00000000-0000002a";
const HLC_2: &str = "0000019caf103180-00000001-0000002a";

#[test]
fn mutations_queue_in_order_with_actor_and_time() {
    let mut s = reference_in_memory();
    assert_eq!(s.reader().pending_count().unwrap(), 0);
    assert!(s.reader().pending_mutations(10).unwrap().is_empty());
    let ana = Actor::user(&fixture_user(TECH_ANA));
    let t1 = at(2025, 3, 1, 10, 0);
    let seqs = s
        .write(&ana, t1, |tx| {
            let a = tx.enqueue_mutation(mid(1), "record_work", 1, HLC_1, r#"{"a":1}"#)?;
            let b = tx.enqueue_mutation(mid(2), "complete_work_order", 1, HLC_2, "{}")?;
            Ok::<_, StoreError>((a, b))
        })
        .unwrap();
    assert!(seqs.0 < seqs.1, "{seqs:?}");
    let sys_seq = s
        .write(&system(), t1, |tx| {
            tx.enqueue_mutation(mid(3), "record_work", 2, HLC_2, "[]")
        })
        .unwrap();
    assert!(sys_seq > seqs.1);

    let r = s.reader();
    assert_eq!(r.pending_count().unwrap(), 3);
    let all = r.pending_mutations(10).unwrap();
    assert_eq!(
        all.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [seqs.0, seqs.1, sys_seq]
    );
    let e = &all[0];
    assert_eq!(e.id, mid(1));
    assert_eq!((e.name.as_str(), e.version), ("record_work", 1));
    assert_eq!(e.hlc, HLC_1);
    assert_eq!(e.payload, r#"{"a":1}"#);
    assert_eq!(e.actor_id, Some(user_id(TECH_ANA)));
    assert_eq!(e.created_at, t1);
    assert_eq!(all[2].actor_id, None, "system actions have no user");
    assert_eq!(all[2].version, 2);
    // The limit takes the oldest first.
    let first = r.pending_mutations(2).unwrap();
    assert_eq!(first, all[..2]);
    // Queuing is bookkeeping, not a change to audit.
    assert!(r.audit_for(mid(1)).unwrap().is_empty());
}

#[test]
fn a_failed_action_leaves_no_outbox_row_and_no_sync_value() {
    let mut s = reference_in_memory();
    let ana = Actor::user(&fixture_user(TECH_ANA));
    let err = s
        .write(&ana, at(2025, 3, 1, 10, 0), |tx| {
            tx.set_sync_value("hlc_last", HLC_1)?;
            tx.enqueue_mutation(mid(1), "create_work_order", 1, HLC_1, "{}")?;
            // The action's real change fails after the mutation was queued.
            tx.insert_department(&department(ICU))
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Sqlite(_)), "{err}");
    let r = s.reader();
    assert_eq!(r.pending_count().unwrap(), 0);
    assert_eq!(r.count("outbox").unwrap(), 0);
    assert_eq!(r.sync_value("hlc_last").unwrap(), None);
}

#[test]
fn a_mutation_id_is_queued_once() {
    let mut s = Store::open_in_memory().unwrap();
    s.write(&system(), load_time(), |tx| {
        tx.enqueue_mutation(mid(1), "record_work", 1, HLC_1, "{}")
    })
    .unwrap();
    let err = s
        .write(&system(), load_time(), |tx| {
            tx.enqueue_mutation(mid(1), "record_work", 1, HLC_2, "{}")
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Duplicate {
                entity: "mutation",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(s.reader().pending_count().unwrap(), 1);
}

#[test]
fn sync_values_are_set_read_and_replaced() {
    let mut s = Store::open_in_memory().unwrap();
    assert_eq!(s.reader().sync_value("node_id").unwrap(), None);
    s.write(&system(), load_time(), |tx| {
        assert_eq!(tx.sync_value("node_id")?, None);
        tx.set_sync_value("node_id", "42")?;
        // Reads inside the transaction see its own write.
        assert_eq!(tx.sync_value("node_id")?.as_deref(), Some("42"));
        tx.set_sync_value("hlc_last", HLC_1)?;
        tx.set_sync_value("hlc_last", HLC_2)
    })
    .unwrap();
    let r = s.reader();
    assert_eq!(r.sync_value("node_id").unwrap().as_deref(), Some("42"));
    assert_eq!(r.sync_value("hlc_last").unwrap().as_deref(), Some(HLC_2));
    assert_eq!(r.count("sync_state").unwrap(), 2);
    assert_eq!(r.count("audit_log").unwrap(), 0);
}
