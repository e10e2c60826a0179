//! The server's answers in the outbox: applied and rejected mutations
//! leave the pending queue, rejections keep their reason for the user,
//! and the latest answer wins.

mod common;

use biomend_store::{Store, StoreError};
use common::*;
use uuid::Uuid;

fn mid(n: u128) -> Uuid {
    Uuid::from_u128(0x019c_af10_3180_7000_8000_0000_0000_0000 | n)
}

const HLC: &str = "0000019caf103180-00000000-0000002a";

/// Queues `n` mutations; returns their seqs.
fn queue(s: &mut Store, n: u128) -> Vec<u64> {
    s.write(&system(), at(2025, 3, 1, 10, 0), |tx| {
        (1..=n)
            .map(|i| tx.enqueue_mutation(mid(i), "record_work", 1, HLC, "{}"))
            .collect::<Result<Vec<_>, StoreError>>()
    })
    .unwrap()
}

#[test]
fn answered_mutations_leave_the_queue_and_rejections_keep_their_reason() {
    let mut s = reference_in_memory();
    let seqs = queue(&mut s, 4);
    let answered = at(2025, 3, 1, 11, 0);
    s.write(&system(), answered, |tx| {
        tx.mark_applied(seqs[0])?;
        tx.mark_rejected(
            seqs[1],
            "work_order_cancelled",
            "WO-000123 was cancelled on the server",
        )?;
        tx.mark_applied(seqs[2])
    })
    .unwrap();

    let r = s.reader();
    assert_eq!(r.pending_count().unwrap(), 1);
    assert_eq!(r.first_pending_seq().unwrap(), Some(seqs[3]));
    assert_eq!(r.pending_mutations(10).unwrap()[0].seq, seqs[3]);
    assert_eq!(r.rejected_count().unwrap(), 1);
    let rejected = r.rejected_mutations().unwrap();
    assert_eq!(rejected.len(), 1);
    let rj = &rejected[0];
    assert_eq!((rj.seq, rj.id), (seqs[1], mid(2)));
    assert_eq!((rj.name.as_str(), rj.version), ("record_work", 1));
    assert_eq!(rj.code, "work_order_cancelled");
    assert_eq!(rj.message, "WO-000123 was cancelled on the server");
    assert_eq!(rj.answered_at, answered);
    assert_eq!(rj.created_at, at(2025, 3, 1, 10, 0));
    // Answers are bookkeeping, not audited changes.
    assert!(r.audit_for(mid(2)).unwrap().is_empty());
}

#[test]
fn the_latest_answer_wins() {
    let mut s = reference_in_memory();
    let seqs = queue(&mut s, 1);
    s.write(&system(), at(2025, 3, 1, 11, 0), |tx| {
        tx.mark_rejected(seqs[0], "conflict", "Asset status changed")
    })
    .unwrap();
    // Resent after the server lost data, and applied this time.
    s.write(&system(), at(2025, 3, 2, 9, 0), |tx| {
        tx.mark_applied(seqs[0])
    })
    .unwrap();
    let r = s.reader();
    assert_eq!(r.rejected_count().unwrap(), 0);
    assert!(r.rejected_mutations().unwrap().is_empty());
    assert_eq!(r.pending_count().unwrap(), 0);
    assert_eq!(r.first_pending_seq().unwrap(), None);
}

#[test]
fn marking_an_unknown_seq_fails_and_rolls_back() {
    let mut s = reference_in_memory();
    let seqs = queue(&mut s, 1);
    let err = s
        .write(&system(), at(2025, 3, 1, 11, 0), |tx| {
            tx.mark_applied(seqs[0])?;
            tx.mark_applied(seqs[0] + 100)
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                entity: "mutation",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(s.reader().pending_count().unwrap(), 1, "nothing was marked");
}

#[test]
fn answered_mutations_can_be_read_again_for_a_resend() {
    let mut s = reference_in_memory();
    let seqs = queue(&mut s, 3);
    s.write(&system(), at(2025, 3, 1, 11, 0), |tx| {
        tx.mark_applied(seqs[0])?;
        tx.mark_rejected(seqs[1], "conflict", "no")
    })
    .unwrap();
    let r = s.reader();
    let from = r.mutations_from(seqs[0], 10).unwrap();
    assert_eq!(from.iter().map(|e| e.seq).collect::<Vec<_>>(), seqs);
    assert_eq!(r.mutations_from(seqs[1], 1).unwrap()[0].id, mid(2));
    assert_eq!(r.outbox_rows_between(seqs[0], seqs[2]).unwrap(), 2);
    assert_eq!(r.outbox_rows_between(0, seqs[0]).unwrap(), 0);
    assert!(r.mutations_from(u64::MAX, 10).unwrap().is_empty());
}

#[test]
fn sync_values_can_be_cleared() {
    let mut s = reference_in_memory();
    s.write(&system(), at(2025, 3, 1, 11, 0), |tx| {
        tx.set_sync_value("last_error", "offline")?;
        tx.clear_sync_value("last_error")?;
        tx.clear_sync_value("never_set")
    })
    .unwrap();
    assert_eq!(s.reader().sync_value("last_error").unwrap(), None);
}
