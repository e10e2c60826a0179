//! The sync outbox as the use cases see it.
//!
//! Every user action that changes data queues exactly one mutation
//! describing what it wrote ([`biomend_protocol::Mutation`]), inside its
//! own write transaction, stamped with the next value of this device's
//! hybrid logical clock. The mutation carries the records with the ids
//! minted here, and for contended fields the value the action started
//! from, so the server can apply it exactly once and compare-and-set.
//!
//! The demo hospital's bulk load queues nothing (the server has its own
//! copy); an inventory import queues its plan as `import_assets@1` parts.

use crate::env::IdGen;
use crate::{App, Result};
use biomend_domain::ids::UserId;
use biomend_protocol::{FieldChange, Hlc, Mutation, MutationEnvelope};
use biomend_store::{StoreError, Tx};
use uuid::Uuid;

/// `sync_state` key of this device's HLC node id (a random `u32`, minted on
/// first use).
pub const SYNC_NODE_ID: &str = "hlc_node";
/// `sync_state` key of the last HLC value this device issued.
pub const SYNC_LAST_HLC: &str = "hlc_last";

/// Queues `m` in the caller's transaction; returns its outbox sequence.
pub(crate) fn enqueue(tx: &Tx<'_>, ids: &mut IdGen, ms: u64, m: &Mutation) -> Result<u64> {
    let node = match tx.sync_value(SYNC_NODE_ID)? {
        Some(v) => v.parse::<u32>().map_err(|_| StoreError::Corrupt {
            what: "sync state",
            detail: format!("{SYNC_NODE_ID} holds '{v}'"),
        })?,
        None => {
            let b = ids.bytes();
            let node = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            tx.set_sync_value(SYNC_NODE_ID, &node.to_string())?;
            node
        }
    };
    let last = tx
        .sync_value(SYNC_LAST_HLC)?
        .map(|s| s.parse::<Hlc>())
        .transpose()?;
    // Monotonic on this device even if the wall clock was set back.
    let hlc = Hlc::tick(last, ms, node).to_string();
    tx.set_sync_value(SYNC_LAST_HLC, &hlc)?;
    let id = biomend_domain::ids::new_v7(ms, ids.bytes());
    let payload = m.to_payload().to_string();
    Ok(tx.enqueue_mutation(id, m.name(), m.version(), &hlc, &payload)?)
}

/// The assignment as a compare-and-set change, when the action moved it.
pub(crate) fn assignment_change(
    before: Option<UserId>,
    after: Option<UserId>,
) -> Option<FieldChange<Option<Uuid>>> {
    (before != after).then(|| FieldChange::new(before.map(|u| u.0), after.map(|u| u.0)))
}

/// The oldest `limit` mutations waiting to be pushed, in order, as they
/// will travel.
pub fn pending(app: &App, limit: u32) -> Result<Vec<MutationEnvelope>> {
    let rows = app.store().reader().pending_mutations(limit)?;
    rows.into_iter()
        .map(|e| {
            let payload = e.payload_value()?;
            Ok(MutationEnvelope::from_stored(
                e.id, e.seq, e.name, e.version, &e.hlc, payload,
            )?)
        })
        .collect()
}

/// How many mutations wait to be pushed.
pub fn pending_count(app: &App) -> Result<u64> {
    Ok(app.store().reader().pending_count()?)
}
