//! Pushing the outbox: one request per batch of pending mutations, oldest
//! first, with each answer recorded in one store transaction.

use crate::pull::Progress;
use crate::status::{self, record_failure, record_online, record_success, refused_build};
use crate::{SyncError, Transport};
use biomend_protocol::{
    MutationEnvelope, MutationResult, Outcome, PROTOCOL_VERSION, PushRequest, PushResponse,
};
use biomend_store::{Actor, OutboxEntry, Store, StoreError};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Pushes one device's outbox.
#[derive(Clone, Debug)]
pub struct Engine {
    device_id: Uuid,
    batch_size: u32,
    page_size: u32,
}

/// What one [`Engine::push_once`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PushReport {
    /// Requests sent (including one that failed).
    pub requests: u32,
    /// Mutations the server applied now.
    pub applied: u64,
    /// Mutations the server already had (a retried push).
    pub duplicates: u64,
    /// Mutations the server refused; each keeps its reason in the outbox.
    pub rejected: u64,
    /// Set when the server had lost mutations and they were sent again
    /// from this seq.
    pub resent_from: Option<u64>,
}

impl PushReport {
    /// Adds the counts of a later push in the same round.
    pub fn add(&mut self, o: &PushReport) {
        self.requests += o.requests;
        self.applied += o.applied;
        self.duplicates += o.duplicates;
        self.rejected += o.rejected;
        self.resent_from = self.resent_from.or(o.resent_from);
    }
}

/// The pull page size unless set: large enough that a first pull of a
/// big site takes a few hundred requests, small enough that a page is a
/// few megabytes.
pub const DEFAULT_PAGE_SIZE: u32 = 2_000;

/// Who records the server's answers in the store.
fn actor() -> Actor {
    Actor::system("sync")
}

impl Engine {
    /// An engine for `device_id` that sends at most `batch_size` mutations
    /// per request (at least one).
    pub fn new(device_id: Uuid, batch_size: u32) -> Engine {
        Engine {
            device_id,
            batch_size: batch_size.max(1),
            page_size: DEFAULT_PAGE_SIZE,
        }
    }

    /// Asks for at most `page_size` changes per pull page (at least one;
    /// the protocol's cap applies).
    pub fn with_page_size(mut self, page_size: u32) -> Engine {
        self.page_size = page_size.max(1);
        self
    }

    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    /// Pushes pending mutations in seq order, a batch per request, until
    /// none is left or something stops it. Each answer is recorded in one
    /// store transaction: `applied` and `duplicate` mark the mutation
    /// applied, `rejected` marks it rejected with the server's code and
    /// message (the seq still advanced on the server, so the next ones
    /// follow). The sync status is updated either way; `now` stamps it.
    ///
    /// The answer must cover a prefix of the batch, in order (a server
    /// handles mutations in seq order and may stop early); anything else
    /// is [`SyncError::BadAnswer`] and records nothing.
    ///
    /// A gap answer names the seq `n` the server expects. With `next` the
    /// first seq of the batch the server did not answer:
    /// - `n > next`: the server already holds every seq below `n` (a
    ///   conforming server answers those as duplicates instead, so this is
    ///   a server that skipped answering): the ones in this batch are
    ///   marked applied and the push continues.
    /// - `n == next` with nothing answered: the server contradicts itself;
    ///   [`SyncError::BadAnswer`].
    /// - `n < next`: the server lost mutations it had applied (e.g. it was
    ///   restored from a backup). If every mutation from `n` on is still
    ///   in the outbox, they are sent again from `n`, whatever their
    ///   earlier answer, and the new answers replace the old (inserts are
    ///   keyed by their ids and contended fields compare-and-set, so a
    ///   resend is safe); this happens at most once per call. If some are
    ///   gone, nothing is sent and the push stops with
    ///   [`SyncError::ServerBehind`], for support to resolve.
    ///
    /// After the server refused this build as too old, nothing is sent
    /// until the app is updated ([`SyncError::ClientTooOld`]).
    pub fn push_once(
        &mut self,
        store: &mut Store,
        transport: &mut dyn Transport,
        now: DateTime<Utc>,
    ) -> Result<PushReport, SyncError> {
        self.push_with(store, transport, now, &mut |_| {})
    }

    /// [`Engine::push_once`], telling `progress` how many of the pending
    /// mutations have been answered.
    pub(crate) fn push_with(
        &mut self,
        store: &mut Store,
        transport: &mut dyn Transport,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<PushReport, SyncError> {
        if let Some(refused) = refused_build(store)? {
            return Err(SyncError::ClientTooOld {
                message: refused.message,
            });
        }
        let mut report = PushReport::default();
        match self.push_all(store, transport, now, &mut report, progress) {
            Ok(false) => Ok(report),
            Ok(true) => {
                store.write(&actor(), now, |tx| record_success(tx, now))?;
                Ok(report)
            }
            Err(e) => {
                // The cause matters more to the user than a failure to
                // note it; a broken store shows on the next action anyway.
                let _ = store.write(&actor(), now, |tx| record_failure(tx, &e));
                Err(e)
            }
        }
    }

    /// The push loop; `Ok(true)` when the server was reached.
    fn push_all(
        &self,
        store: &mut Store,
        transport: &mut dyn Transport,
        now: DateTime<Utc>,
        report: &mut PushReport,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<bool, SyncError> {
        let total = store.reader().pending_count()?;
        let mut done = 0u64;
        // Set while resending mutations the server lost.
        let mut cursor: Option<u64> = None;
        let mut contacted = false;
        loop {
            let rows = match cursor {
                Some(from) => store.reader().mutations_from(from, self.batch_size)?,
                None => store.reader().pending_mutations(self.batch_size)?,
            };
            if rows.is_empty() {
                return Ok(contacted);
            }
            let req = PushRequest {
                protocol_version: PROTOCOL_VERSION,
                schema_version: status::schema_version(),
                device_id: self.device_id,
                mutations: rows.into_iter().map(envelope).collect::<Result<_, _>>()?,
            };
            report.requests += 1;
            let resp = transport.push(&req)?;
            contacted = true;
            check_prefix(&req.mutations, &resp)?;
            let next = req
                .mutations
                .get(resp.results.len())
                .map_or_else(|| last_seq(&req) + 1, |m| m.seq);

            let mut vouched = Vec::new();
            let mut resend_from = None;
            match resp.expected_seq {
                None if resp.results.is_empty() => {
                    return Err(SyncError::BadAnswer(
                        "no mutation was answered and no seq was expected".into(),
                    ));
                }
                None => {}
                Some(n) if n > next => {
                    vouched.extend(
                        req.mutations
                            .iter()
                            .filter(|m| m.seq >= next && m.seq < n)
                            .map(|m| m.seq),
                    );
                }
                Some(n) if n == next && resp.results.is_empty() => {
                    return Err(SyncError::BadAnswer(format!(
                        "the server expects change #{n}, which was sent first"
                    )));
                }
                // Answered up to the seq it expects: carry on.
                Some(n) if n == next => {}
                Some(n) => {
                    if report.resent_from.is_some() {
                        return Err(SyncError::BadAnswer(format!(
                            "the server asked again for change #{n} after a resend"
                        )));
                    }
                    let held = store.reader().outbox_rows_between(n, next)?;
                    if held != next - n {
                        return Err(SyncError::ServerBehind { expected: n });
                    }
                    resend_from = Some(n);
                }
            }

            let counts = store.write(&actor(), now, |tx| {
                let mut c = PushReport::default();
                for r in &resp.results {
                    match &r.outcome {
                        Outcome::Applied => {
                            tx.mark_applied(r.seq)?;
                            c.applied += 1;
                        }
                        Outcome::Duplicate => {
                            tx.mark_applied(r.seq)?;
                            c.duplicates += 1;
                        }
                        Outcome::Rejected { code, message } => {
                            tx.mark_rejected(r.seq, code, message)?;
                            c.rejected += 1;
                        }
                    }
                }
                for &seq in &vouched {
                    tx.mark_applied(seq)?;
                    c.duplicates += 1;
                }
                record_online(tx)?;
                Ok::<_, StoreError>(c)
            })?;
            report.applied += counts.applied;
            report.duplicates += counts.duplicates;
            report.rejected += counts.rejected;
            done = (done + counts.applied + counts.duplicates + counts.rejected).min(total);
            progress(Progress::Pushed { done, total });

            cursor = match (resend_from, cursor) {
                (Some(n), _) => {
                    report.resent_from = Some(n);
                    Some(n)
                }
                (None, Some(_)) => {
                    let after = vouched.last().map_or(next, |s| s + 1);
                    // Once the resend reaches the pending mutations, the
                    // ordinary pending batches take over.
                    match store.reader().first_pending_seq()? {
                        Some(p) if after < p => Some(after),
                        _ => None,
                    }
                }
                (None, None) => None,
            };
        }
    }
}

fn last_seq(req: &PushRequest) -> u64 {
    req.mutations.last().map_or(0, |m| m.seq)
}

/// The answers must be for the first mutations sent, in order.
fn check_prefix(sent: &[MutationEnvelope], resp: &PushResponse) -> Result<(), SyncError> {
    if resp.results.len() > sent.len() {
        return Err(SyncError::BadAnswer(format!(
            "{} answers to {} mutations",
            resp.results.len(),
            sent.len()
        )));
    }
    for (m, r) in sent.iter().zip(&resp.results) {
        let MutationResult { seq, id, .. } = r;
        if (*seq, *id) != (m.seq, m.id) {
            return Err(SyncError::BadAnswer(format!(
                "answer for change #{seq} ({id}) where #{} ({}) was sent",
                m.seq, m.id
            )));
        }
    }
    Ok(())
}

/// An outbox row as it travels.
fn envelope(e: OutboxEntry) -> Result<MutationEnvelope, SyncError> {
    let payload = e.payload_value()?;
    Ok(MutationEnvelope::from_stored(
        e.id, e.seq, e.name, e.version, &e.hlc, payload,
    )?)
}
