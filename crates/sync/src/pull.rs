//! Pulling: fetching the server's changes since this device's cursor and
//! applying them, and the full round (push, pull, push again if needed).
//!
//! A run's pages are fetched first and then applied in one store
//! transaction, so the technician's own writes are never blocked while
//! the network is slow, and local changes made during the fetch are seen
//! by the store's check before anything is applied: the engine pushes
//! them, fetches what changed meanwhile (its own edits among it), and
//! applies everything together. The price is that a run's rows sit in
//! memory until they are applied.

use crate::convert::pulled_row;
use crate::engine::PushReport;
use crate::status::{self, LAST_PULL, ROWS_PULLED, record_failure};
use crate::{Engine, SyncError, Transport, TransportError};
use biomend_protocol::{MAX_PULL_LIMIT, PROTOCOL_VERSION, PullRequest};
use biomend_store::{Actor, PullMode, PulledRow, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How often a round pushes again because new local changes appeared
/// while it was pulling, before it gives up until the next round.
const MAX_PUSH_AGAIN: u32 = 3;

/// What one pull run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PullReport {
    /// Pages fetched.
    pub pages: u32,
    /// Changes applied (upserts and tombstones).
    pub rows: u64,
    pub deleted: u64,
    /// The cursor before and after.
    pub from: u64,
    pub to: u64,
    /// The server could no longer send changes since the cursor: every
    /// replicated row was replaced by a pull from zero.
    pub resynced: bool,
}

/// What one round ([`Engine::sync`]) did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub push: PushReport,
    pub pull: PullReport,
}

/// Where a round is, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// `done` of the `total` mutations pending at the start were answered.
    Pushed { done: u64, total: u64 },
    /// Changes fetched so far in this run.
    Pulled { rows: u64, pages: u32 },
    /// The fetched changes are being applied.
    Applying { rows: u64 },
}

/// A run's fetched pages, not yet applied.
#[derive(Debug, Default)]
struct Fetched {
    mode: Option<PullMode>,
    from: u64,
    cursor: u64,
    pages: Vec<(Vec<PulledRow>, u64)>,
    rows: u64,
}

fn actor() -> Actor {
    Actor::system("sync")
}

impl Engine {
    /// Fetches and applies every change after this device's cursor. Fails
    /// with [`SyncError::PendingLocal`] (applying nothing) while mutations
    /// wait in the outbox: [`Engine::sync`] pushes them first.
    pub fn pull(
        &mut self,
        store: &mut Store,
        transport: &mut dyn Transport,
        now: DateTime<Utc>,
    ) -> Result<PullReport, SyncError> {
        self.pull_with(store, transport, now, &mut |_| {})
    }

    fn pull_with(
        &mut self,
        store: &mut Store,
        transport: &mut dyn Transport,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<PullReport, SyncError> {
        let result = (|| {
            let mut f = self.fetch(store, transport, None, progress)?;
            if f.mode == Some(PullMode::Resync) && store.reader().pending_count()? > 0 {
                return Err(SyncError::PendingLocal {
                    count: store.reader().pending_count()?,
                });
            }
            self.apply(store, &mut f, now, progress)
        })();
        self.note_failure(store, now, &result);
        result
    }

    /// One full round: pushes everything pending, pulls every change
    /// since the cursor, and if new local changes appeared meanwhile,
    /// pushes them and fetches again before applying, so a pull never
    /// overwrites an unsynced edit. `progress` hears of each step.
    pub fn sync(
        &mut self,
        store: &mut Store,
        transport: &mut dyn Transport,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport {
            push: self.push_with(store, transport, now, progress)?,
            ..SyncReport::default()
        };
        let result = (|| {
            let mut f = self.fetch(store, transport, None, progress)?;
            let mut again = 0;
            loop {
                match self.apply(store, &mut f, now, progress) {
                    Err(SyncError::PendingLocal { .. }) if again < MAX_PUSH_AGAIN => {
                        again += 1;
                        let p = self.push_with(store, transport, now, progress)?;
                        report.push.add(&p);
                        // What the push changed on the server comes after
                        // the fetched cursor; a resync fetches from zero.
                        f = self.fetch(store, transport, Some(f), progress)?;
                    }
                    other => return other,
                }
            }
        })();
        self.note_failure(store, now, &result);
        report.pull = result?;
        Ok(report)
    }

    fn note_failure<T>(&self, store: &mut Store, now: DateTime<Utc>, r: &Result<T, SyncError>) {
        if let Err(e) = r
            && !matches!(e, SyncError::PendingLocal { .. })
        {
            // The cause matters more to the user than a failure to note it.
            let _ = store.write(&actor(), now, |tx| record_failure(tx, e));
        }
    }

    /// Fetches pages from the cursor (or on from `prev`) until the server
    /// has no more. A `resync_required` answer restarts from zero in
    /// resync mode.
    fn fetch(
        &self,
        store: &Store,
        transport: &mut dyn Transport,
        prev: Option<Fetched>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Fetched, SyncError> {
        let mut f = match prev {
            Some(f) => f,
            None => {
                let c = store.reader().pull_cursor()?;
                Fetched {
                    mode: None,
                    from: c,
                    cursor: c,
                    ..Fetched::default()
                }
            }
        };
        loop {
            let req = PullRequest {
                protocol_version: PROTOCOL_VERSION,
                schema_version: status::schema_version(),
                device_id: self.device_id(),
                cursor: f.cursor,
                limit: self.page_size().min(MAX_PULL_LIMIT),
                from_zero: f.from == 0,
            };
            let resp = match transport.pull(&req) {
                Ok(r) => r,
                Err(TransportError::ResyncRequired) if f.mode != Some(PullMode::Resync) => {
                    f = Fetched {
                        mode: Some(PullMode::Resync),
                        ..Fetched::default()
                    };
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            if resp.cursor < f.cursor {
                return Err(SyncError::BadAnswer(format!(
                    "the pull cursor went back from {} to {}",
                    f.cursor, resp.cursor
                )));
            }
            let rows = resp
                .changes
                .iter()
                .map(pulled_row)
                .collect::<Result<Vec<_>, _>>()?;
            f.rows += rows.len() as u64;
            let advanced = resp.cursor > f.cursor;
            f.cursor = resp.cursor;
            if !rows.is_empty() || advanced {
                f.pages.push((rows, resp.cursor));
            }
            progress(Progress::Pulled {
                rows: f.rows,
                pages: f.pages.len() as u32,
            });
            if !resp.more {
                return Ok(f);
            }
            if !advanced {
                return Err(SyncError::BadAnswer(
                    "the server promised more changes but did not move the cursor".into(),
                ));
            }
        }
    }

    /// Applies fetched pages in one store transaction with the cursor, the
    /// time of the pull and how many rows it brought.
    fn apply(
        &self,
        store: &mut Store,
        f: &mut Fetched,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<PullReport, SyncError> {
        progress(Progress::Applying { rows: f.rows });
        let mode = f.mode.unwrap_or(PullMode::Incremental);
        let rows = f.rows;
        let pages = &f.pages;
        let outcome = store.pull_run(now, mode, |run| {
            for (page, cursor) in pages {
                run.apply_page(page, *cursor)?;
            }
            run.set_sync_value(LAST_PULL, &now.to_rfc3339())?;
            run.set_sync_value(ROWS_PULLED, &rows.to_string())?;
            record_online_pull(run)?;
            Ok::<_, StoreError>(run.cursor())
        });
        match outcome {
            Ok((to, counts)) => Ok(PullReport {
                pages: counts.pages,
                rows: counts.upserted + counts.deleted,
                deleted: counts.deleted,
                from: f.from,
                to,
                resynced: mode == PullMode::Resync,
            }),
            Err(StoreError::PendingMutations { count }) => Err(SyncError::PendingLocal { count }),
            Err(e) => Err(e.into()),
        }
    }
}

fn record_online_pull(run: &biomend_store::PullTx<'_>) -> Result<(), StoreError> {
    run.set_sync_value(status::ONLINE, "true")
}
