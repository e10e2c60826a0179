//! Pulling: fetching the server's changes since this device's cursor and
//! applying them, and the full round (push, pull, push again if needed).
//!
//! A run's pages are fetched first and then applied in one store
//! transaction, so the technician's own writes are never blocked while
//! the network is slow, and local changes made during the fetch are seen
//! by the store's check before anything is applied: the engine pushes
//! them, fetches what changed meanwhile (its own edits among it), and
//! applies everything together. The price is that a run's rows sit in
//! memory until they are applied, as the server sent them: each page is
//! decoded into the store's rows while the one before it is applied, on a
//! second thread, so decoding costs a large run little time.
//!
//! A new tablet (no cursor, no assets, nothing to push) is the exception:
//! nothing can be done on it before its first pull, so that run holds the
//! write lock while it downloads, and applies each page on a second thread
//! while the next is fetched ([`Engine::stream`]). It is still one
//! transaction, committed with its cursor once the server has no more.

use crate::convert::pulled_row;
use crate::engine::PushReport;
use crate::status::{self, LAST_PULL, ROWS_PULLED, record_failure};
use crate::{Engine, SyncError, Transport, TransportError};
use biomend_protocol::{Change, MAX_PULL_LIMIT, PROTOCOL_VERSION, ProtocolError, PullRequest};
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

/// A run's fetched pages, not yet applied (nor decoded: see
/// [`Engine::apply`]).
#[derive(Debug, Default)]
struct Fetched {
    mode: Option<PullMode>,
    from: u64,
    cursor: u64,
    pages: Vec<(Vec<Change>, u64)>,
    rows: u64,
    /// Pages handed to a sink rather than kept.
    streamed: u32,
}

impl Fetched {
    /// A run from this device's cursor, or from zero in resync mode when
    /// the rows here were pulled at an older protocol version (an updated
    /// app): the server held back the kinds that version could not read,
    /// and the cursor has moved past them.
    fn start(store: &Store) -> Result<Fetched, SyncError> {
        let r = store.reader();
        let c = r.pull_cursor()?;
        if c > 0 && copy_protocol(store)? < PROTOCOL_VERSION {
            return Ok(Fetched {
                mode: Some(PullMode::Resync),
                ..Fetched::default()
            });
        }
        Ok(Fetched {
            from: c,
            cursor: c,
            ..Fetched::default()
        })
    }
}

/// The protocol version this device's replicated rows were pulled with.
pub(crate) fn copy_protocol(store: &Store) -> Result<u16, SyncError> {
    Ok(store
        .reader()
        .sync_value(status::COPY_PROTOCOL)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(1))
}

/// Pages a run decodes ahead of the one being applied.
const DECODE_AHEAD: usize = 2;

/// One page's changes as the store's rows.
fn decode(page: &[Change]) -> Result<Vec<PulledRow>, ProtocolError> {
    page.iter().map(pulled_row).collect()
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
            if is_new(store)? {
                return self.stream(store, transport, now, progress);
            }
            let mut f = self.fetch(Fetched::start(store)?, transport, progress, None)?;
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
            if is_new(store)? {
                return self.stream(store, transport, now, progress);
            }
            let mut f = self.fetch(Fetched::start(store)?, transport, progress, None)?;
            let mut again = 0;
            loop {
                match self.apply(store, &mut f, now, progress) {
                    Err(SyncError::PendingLocal { .. }) if again < MAX_PUSH_AGAIN => {
                        again += 1;
                        let p = self.push_with(store, transport, now, progress)?;
                        report.push.add(&p);
                        // What the push changed on the server comes after
                        // the fetched cursor; a resync fetches from zero.
                        f = self.fetch(f, transport, progress, None)?;
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

    /// Fetches pages on from `f` (a run's start, or pages fetched before)
    /// until the server has no more. A `resync_required` answer restarts
    /// from zero in resync mode.
    ///
    /// With a `sink`, each page goes to it as soon as it is read instead
    /// of into the result (see [`Engine::stream`]), and `resync_required`
    /// is an error: a streamed run pulls from zero already. The sink
    /// answers false when it wants no more.
    fn fetch(
        &self,
        mut f: Fetched,
        transport: &mut dyn Transport,
        progress: &mut dyn FnMut(Progress),
        mut sink: Option<&mut dyn FnMut(Vec<Change>, u64) -> bool>,
    ) -> Result<Fetched, SyncError> {
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
                Err(TransportError::ResyncRequired)
                    if f.mode != Some(PullMode::Resync) && sink.is_none() =>
                {
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
            f.rows += resp.changes.len() as u64;
            let advanced = resp.cursor > f.cursor;
            f.cursor = resp.cursor;
            if !resp.changes.is_empty() || advanced {
                f.pages.push((resp.changes, resp.cursor));
            }
            if let Some(sink) = sink.as_mut() {
                for (page, cursor) in std::mem::take(&mut f.pages) {
                    f.streamed += 1;
                    if !sink(page, cursor) {
                        // The run stopped; its own error says why.
                        return Ok(f);
                    }
                }
            }
            progress(Progress::Pulled {
                rows: f.rows,
                pages: f.streamed + f.pages.len() as u32,
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
    ///
    /// Pages are decoded here, not when fetched: with more than one page,
    /// a second thread decodes the next pages while this one applies, in
    /// order, a few pages ahead. A change that cannot be decoded fails the
    /// run before it commits, so nothing of it is kept.
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
        let fetched = &mut f.pages;
        let outcome = store.pull_run(now, mode, |run| {
            // The run has started (nothing is pending), so these pages are
            // applied now or never: each is dropped once decoded.
            let pages = std::mem::take(fetched);
            if pages.len() < 2 {
                for (page, cursor) in pages {
                    run.apply_page(&decode(&page)?, cursor)?;
                }
            } else {
                let count = pages.len();
                std::thread::scope(|s| {
                    let (send, decoded) = std::sync::mpsc::sync_channel(DECODE_AHEAD);
                    s.spawn(move || {
                        for (page, cursor) in pages {
                            let rows = decode(&page).map(|rows| (rows, cursor));
                            drop(page);
                            let failed = rows.is_err();
                            // A closed channel: the run failed and stopped.
                            if send.send(rows).is_err() || failed {
                                return;
                            }
                        }
                    });
                    let mut applied = 0;
                    for page in decoded {
                        let (rows, cursor) = page?;
                        run.apply_page(&rows, cursor)?;
                        applied += 1;
                    }
                    // Never commit part of a run (a decoder that stopped
                    // early panicked, and the scope passes that on).
                    if applied != count {
                        return Err(SyncError::BadAnswer(format!(
                            "{applied} of {count} pulled pages were decoded"
                        )));
                    }
                    Ok::<_, SyncError>(())
                })?;
            }
            run.set_sync_value(LAST_PULL, &now.to_rfc3339())?;
            run.set_sync_value(ROWS_PULLED, &rows.to_string())?;
            record_online_pull(run, now)?;
            Ok::<_, SyncError>(run.cursor())
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
            Err(SyncError::Store(StoreError::PendingMutations { count })) => {
                Err(SyncError::PendingLocal { count })
            }
            Err(e) => Err(e),
        }
    }
}

/// A device that holds nothing from the server yet and has nothing to
/// push: a new tablet. Its first pull may hold the write lock while it
/// downloads, since nothing can be done on an empty tablet meanwhile.
fn is_new(store: &Store) -> Result<bool, SyncError> {
    let r = store.reader();
    Ok(r.pull_cursor()? == 0 && r.pending_count()? == 0 && r.count("assets")? == 0)
}

/// What the fetching side tells the applying side of a streamed run.
enum Streamed {
    Page(Vec<PulledRow>, u64),
    /// Every page was sent: `rows` changes in all.
    End {
        rows: u64,
    },
}

impl Engine {
    /// A new tablet's first pull, applied while it downloads: a second
    /// thread opens the run's transaction and applies each page as this
    /// one fetches and decodes the next. The run still commits whole, with
    /// its cursor, once the server has no more; if the download fails,
    /// nothing of it is kept (the transaction rolls back).
    fn stream(
        &self,
        store: &mut Store,
        transport: &mut dyn Transport,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<PullReport, SyncError> {
        let (send, received) = std::sync::mpsc::sync_channel::<Streamed>(DECODE_AHEAD);
        let (fetched, applied) = std::thread::scope(|s| {
            let store = &mut *store;
            let applier = s.spawn(move || {
                store.pull_run(now, PullMode::Incremental, |run| {
                    for m in received {
                        match m {
                            Streamed::Page(rows, cursor) => run.apply_page(&rows, cursor)?,
                            Streamed::End { rows } => {
                                run.set_sync_value(LAST_PULL, &now.to_rfc3339())?;
                                run.set_sync_value(ROWS_PULLED, &rows.to_string())?;
                                record_online_pull(run, now)?;
                                return Ok(run.cursor());
                            }
                        }
                    }
                    // The download failed: keep nothing (the fetching side
                    // reports why).
                    Err(SyncError::Offline)
                })
            });
            let mut failed = None;
            let mut sink = |page: Vec<Change>, cursor: u64| match decode(&page) {
                Ok(rows) => send.send(Streamed::Page(rows, cursor)).is_ok(),
                Err(e) => {
                    failed = Some(e);
                    false
                }
            };
            let fetched = self.fetch(Fetched::default(), transport, progress, Some(&mut sink));
            let fetched = match (fetched, failed) {
                (Err(e), _) => Err(e),
                (Ok(_), Some(e)) => Err(SyncError::from(e)),
                (Ok(f), None) => {
                    progress(Progress::Applying { rows: f.rows });
                    // If the run already stopped, its own error says why.
                    let _ = send.send(Streamed::End { rows: f.rows });
                    Ok(f)
                }
            };
            // Without an end, the run rolls back.
            drop(send);
            let applied = applier
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (fetched, applied)
        });
        let f = fetched?;
        match applied {
            Ok((to, counts)) => Ok(PullReport {
                pages: counts.pages,
                rows: counts.upserted + counts.deleted,
                deleted: counts.deleted,
                from: f.from,
                to,
                resynced: false,
            }),
            Err(SyncError::Store(StoreError::PendingMutations { count })) => {
                Err(SyncError::PendingLocal { count })
            }
            Err(e) => Err(e),
        }
    }
}

/// A pull that ran to its end is a successful sync: a round pushes before
/// it pulls, so the server has everything this device sent. It also
/// outdates any earlier failure, which the status must stop showing even
/// when there was nothing to push.
fn record_online_pull(
    run: &biomend_store::PullTx<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    run.set_sync_value(status::ONLINE, "true")?;
    // Every run applied is from zero or builds on a copy of this version
    // (`Fetched::start`).
    run.set_sync_value(status::COPY_PROTOCOL, &PROTOCOL_VERSION.to_string())?;
    run.set_sync_value(status::LAST_SUCCESS, &now.to_rfc3339())?;
    run.clear_sync_value(status::LAST_ERROR)
}
