//! The background sync worker: a thread with its own connection to the
//! tablet's database, syncing on the core's [`Scheduler`] — an interval
//! after a success, a jittered backoff while the server cannot be reached,
//! soon after a local change, at once when asked. SQLite's WAL lets the
//! window read while a round writes, so the window never waits on the
//! network; a window write waits at most for one pull transaction.

use biomend_core::App;
use biomend_core::CoreError;
use biomend_core::env::IdGen;
use biomend_sync::{Scheduler, SyncError};
use chrono::Utc;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SyncWorkerError {
    #[error("cannot open the database for syncing: {0}")]
    Open(#[from] CoreError),
    #[error("cannot start the sync thread: {0}")]
    Spawn(#[from] std::io::Error),
}

/// What the worker last saw, for the status strip.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub syncing: bool,
    /// The last round reached the server.
    pub online: bool,
    pub last_error: Option<String>,
    /// Rounds finished since start.
    pub rounds: u64,
}

enum Msg {
    /// The user asked: sync now.
    Now,
    /// Something changed here: sync soon.
    Changed,
    Stop,
}

type Shared = Arc<(Mutex<Snapshot>, Condvar)>;

#[derive(Debug)]
pub struct Worker {
    tx: Sender<Msg>,
    shared: Shared,
    handle: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Msg::Now => "Now",
            Msg::Changed => "Changed",
            Msg::Stop => "Stop",
        })
    }
}

impl Worker {
    pub fn start(
        db: PathBuf,
        ca_cert: Option<PathBuf>,
        interval: Duration,
    ) -> Result<Worker, SyncWorkerError> {
        let app = App::open(&db)?;
        let (tx, rx) = mpsc::channel();
        let shared: Shared = Arc::new((Mutex::new(Snapshot::default()), Condvar::new()));
        let mine = shared.clone();
        let handle = std::thread::Builder::new()
            .name("biomend-sync".into())
            .spawn(move || run(app, ca_cert, interval, rx, mine))?;
        Ok(Worker {
            tx,
            shared,
            handle: Mutex::new(Some(handle)),
        })
    }

    pub fn snapshot(&self) -> Snapshot {
        crate::lock(&self.shared.0).clone()
    }

    pub fn changed(&self) {
        let _ = self.tx.send(Msg::Changed);
    }

    pub fn asked(&self) {
        let _ = self.tx.send(Msg::Now);
    }

    /// Asks for a round and waits until one has finished (or `timeout`).
    pub fn sync_and_wait(&self, timeout: Duration) {
        let (lock, cv) = &*self.shared;
        let before = crate::lock(lock).rounds;
        self.asked();
        let guard = crate::lock(lock);
        let _ = cv.wait_timeout_while(guard, timeout, |s| s.rounds <= before);
    }

    pub fn stop(&self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(h) = crate::lock(&self.handle).take() {
            let _ = h.join();
        }
    }
}

fn seeded_rng() -> ChaCha8Rng {
    let mut ids = IdGen::from_os();
    let mut seed = [0u8; 32];
    for chunk in seed.chunks_mut(10) {
        let b = ids.bytes();
        chunk.copy_from_slice(&b[..chunk.len()]);
    }
    ChaCha8Rng::from_seed(seed)
}

fn run(
    mut app: App,
    ca_cert: Option<PathBuf>,
    interval: Duration,
    rx: mpsc::Receiver<Msg>,
    shared: Shared,
) {
    let mut timer = Scheduler::new(seeded_rng(), interval);
    loop {
        let now = Utc::now();
        let wait = match timer.next_at() {
            Some(t) if t > now => (t - now).to_std().unwrap_or(Duration::ZERO),
            Some(_) => Duration::ZERO,
            // Only the user (or an update) can fix the last failure.
            None => Duration::from_secs(3600),
        };
        match rx.recv_timeout(wait) {
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Ok(Msg::Now) => timer.asked(Utc::now()),
            Ok(Msg::Changed) => timer.changed(Utc::now()),
            Err(RecvTimeoutError::Timeout) => {}
        }
        if !timer.is_due(Utc::now()) {
            continue;
        }
        set(&shared, |s| s.syncing = true);
        let result = round(&mut app, ca_cert.as_ref());
        let now = Utc::now();
        let (online, error) = match &result {
            Ok(()) => {
                timer.succeeded(now);
                (true, None)
            }
            Err(CoreError::NotSignedIn) => {
                // Nothing to sync until someone signs in (which asks).
                timer.failed(now, &SyncError::Refused(not_signed_in()));
                (false, None)
            }
            Err(CoreError::Sync(e)) => {
                timer.failed(now, e);
                (
                    !matches!(e, SyncError::Offline | SyncError::Untrusted(_)),
                    Some(plain(e)),
                )
            }
            Err(other) => {
                timer.failed(now, &SyncError::Server(other.to_string()));
                (true, Some(other.to_string()))
            }
        };
        set(&shared, |s| {
            s.syncing = false;
            s.online = online;
            s.last_error = error;
            s.rounds += 1;
        });
    }
}

fn not_signed_in() -> biomend_protocol::ErrorBody {
    biomend_protocol::ErrorBody {
        code: "not_signed_in".into(),
        message: "no sign-in on this tablet".into(),
    }
}

/// The failure in words a technician can act on.
fn plain(e: &SyncError) -> String {
    match e {
        SyncError::Offline => {
            "Offline: the server cannot be reached. Your work is saved on this tablet and will be sent when the connection returns.".into()
        }
        SyncError::Untrusted(_) => {
            "The server's certificate is not trusted by this tablet; ask IT to check the hospital CA.".into()
        }
        SyncError::ClientTooOld { .. } => {
            "This app is too old for the server; update it. Your work is kept until then.".into()
        }
        SyncError::Refused(b) if b.code == "unauthenticated" || b.code == "revoked" => {
            format!(
                "The server no longer accepts this tablet's sign-in ({}); sign in again. Your work is kept.",
                b.message
            )
        }
        other => other.to_string(),
    }
}

fn set(shared: &Shared, f: impl FnOnce(&mut Snapshot)) {
    let (lock, cv) = &**shared;
    f(&mut crate::lock(lock));
    cv.notify_all();
}

fn round(app: &mut App, ca_cert: Option<&PathBuf>) -> Result<(), CoreError> {
    let mut t = transport(app, ca_cert.map(PathBuf::as_path))?;
    biomend_core::sync::sync_now(app, &mut t, &mut |_| {})?;
    Ok(())
}

/// The hospital CA's PEM file, when one is configured.
pub(crate) fn read_ca(ca_cert: Option<&Path>) -> Result<Option<Vec<u8>>, CoreError> {
    ca_cert
        .map(|p| {
            std::fs::read(p).map_err(|source| CoreError::Io {
                path: p.display().to_string(),
                source,
            })
        })
        .transpose()
}

/// The server this tablet is signed in to, with its token: what sync
/// rounds and the supervisor's screens both talk to.
pub(crate) fn transport(
    app: &App,
    ca_cert: Option<&Path>,
) -> Result<biomend_net::HttpTransport, CoreError> {
    let login = biomend_core::sync::credentials(app)?;
    let ca = read_ca(ca_cert)?;
    biomend_net::HttpTransport::new_with_ca(&login.server_url, &login.token, ca.as_deref())
        .map_err(|e| CoreError::Sync(SyncError::Server(e.to_string())))
}
