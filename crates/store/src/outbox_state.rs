//! The server's answers to pushed mutations, as the outbox records them.
//!
//! A mutation is `pending` until the server answers it, then `applied`
//! (applied now or by an earlier push) or `rejected` with the server's
//! code and message, which the user sees. Answers are bookkeeping, not
//! changes to audit. The latest answer wins: a mutation resent after the
//! server lost data is marked again by its new answer.

use crate::codec::{RowExt, ts};
use crate::read::{OutboxEntry, Reader};
use crate::write::Tx;
use crate::{Result, StoreError};
use biomend_domain::ids::UserId;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

/// A mutation the server refused for good, with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedMutation {
    pub seq: u64,
    pub id: uuid::Uuid,
    pub name: String,
    pub version: u16,
    pub actor_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
    /// The server's stable code, e.g. `work_order_cancelled`.
    pub code: String,
    /// The server's explanation, for people.
    pub message: String,
    /// When this device recorded the answer.
    pub answered_at: DateTime<Utc>,
}

/// Maps an `outbox` row.
pub(crate) fn outbox_entry(r: &Row<'_>) -> Result<OutboxEntry> {
    let version = r.int("version")?;
    Ok(OutboxEntry {
        seq: r.int("seq")? as u64,
        id: r.uuid("id")?,
        name: r.text("name")?,
        version: u16::try_from(version).map_err(|_| StoreError::Corrupt {
            what: "outbox row",
            detail: format!("version {version} out of range"),
        })?,
        hlc: r.text("hlc")?,
        payload: r.text("payload")?,
        actor_id: r.uuid_opt("actor_id")?.map(UserId),
        created_at: r.ts("created_at")?,
    })
}

fn seq_param(seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| StoreError::NotFound {
        entity: "mutation",
        key: format!("seq {seq}"),
    })
}

impl Tx<'_> {
    /// Records that the server applied the mutation `seq` (now or by an
    /// earlier push).
    pub fn mark_applied(&self, seq: u64) -> Result<()> {
        self.answer(seq, "applied", None, None)
    }

    /// Records that the server refused the mutation `seq` for good, with
    /// its code and message.
    pub fn mark_rejected(&self, seq: u64, code: &str, message: &str) -> Result<()> {
        self.answer(seq, "rejected", Some(code), Some(message))
    }

    fn answer(
        &self,
        seq: u64,
        state: &str,
        code: Option<&str>,
        message: Option<&str>,
    ) -> Result<()> {
        let n = self
            .conn()
            .prepare_cached(
                "UPDATE outbox SET state = ?2, rejection_code = ?3, rejection = ?4, answered_at = ?5
                 WHERE seq = ?1",
            )?
            .execute(params![seq_param(seq)?, state, code, message, ts(self.at())])?;
        if n == 0 {
            return Err(StoreError::NotFound {
                entity: "mutation",
                key: format!("seq {seq}"),
            });
        }
        Ok(())
    }

    /// Removes a sync value; bookkeeping, so not audited.
    pub fn clear_sync_value(&self, key: &str) -> Result<()> {
        self.conn()
            .prepare_cached("DELETE FROM sync_state WHERE key = ?1")?
            .execute([key])?;
        Ok(())
    }
}

impl Reader<'_> {
    /// Every mutation the server refused, oldest first, for the user to
    /// see.
    pub fn rejected_mutations(&self) -> Result<Vec<RejectedMutation>> {
        let mut st = self
            .c
            .prepare_cached("SELECT * FROM outbox WHERE state = 'rejected' ORDER BY seq")?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let e = outbox_entry(r)?;
            out.push(RejectedMutation {
                seq: e.seq,
                id: e.id,
                name: e.name,
                version: e.version,
                actor_id: e.actor_id,
                created_at: e.created_at,
                code: r.text_opt("rejection_code")?.unwrap_or_default(),
                message: r.text_opt("rejection")?.unwrap_or_default(),
                answered_at: r.ts("answered_at")?,
            });
        }
        Ok(out)
    }

    /// How many mutations the server refused.
    pub fn rejected_count(&self) -> Result<u64> {
        Ok(self.c.query_row(
            "SELECT count(*) FROM outbox WHERE state = 'rejected'",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Up to `limit` mutations from `seq` on, whatever the server answered,
    /// in order: for resending to a server that lost what it had applied.
    pub fn mutations_from(&self, seq: u64, limit: u32) -> Result<Vec<OutboxEntry>> {
        let mut st = self
            .c
            .prepare_cached("SELECT * FROM outbox WHERE seq >= ?1 ORDER BY seq LIMIT ?2")?;
        let mut rows = st.query(params![seq_param(seq).unwrap_or(i64::MAX), limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(outbox_entry(r)?);
        }
        Ok(out)
    }

    /// How many outbox rows have a seq in `from..to` (seqs are never
    /// reused, so `to - from` means all of them are still here).
    pub fn outbox_rows_between(&self, from: u64, to: u64) -> Result<u64> {
        let (Ok(from), Ok(to)) = (i64::try_from(from), i64::try_from(to)) else {
            return Ok(0);
        };
        Ok(self.c.query_row(
            "SELECT count(*) FROM outbox WHERE seq >= ?1 AND seq < ?2",
            [from, to],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// The seq the next push starts at: the oldest pending mutation's, or
    /// one past the last seq ever recorded (seqs are never reused, so this
    /// holds after rows are pruned), 1 for an empty outbox. A new sign-in
    /// tells the server, so a tablet enrolled again continues its
    /// numbering.
    pub fn next_push_seq(&self) -> Result<u64> {
        Ok(self.c.query_row(
            "SELECT COALESCE(
                 (SELECT min(seq) FROM outbox WHERE state = 'pending'),
                 (SELECT max(seq) FROM (
                      SELECT seq FROM sqlite_sequence WHERE name = 'outbox'
                      UNION ALL SELECT max(seq) FROM outbox)) + 1,
                 1)",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// The seq of the oldest pending mutation.
    pub fn first_pending_seq(&self) -> Result<Option<u64>> {
        Ok(self
            .c
            .query_row(
                "SELECT min(seq) FROM outbox WHERE state = 'pending'",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten()
            .map(|s| s as u64))
    }
}
