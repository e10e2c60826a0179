//! The sync engine on a device: pushes the outbox to the server and pulls
//! the server's changes.
//!
//! Owns: pushing the outbox in seq order and applying the server's answer
//! to each mutation ([`Engine::push_once`]), pulling every change since
//! the device's cursor and applying a run in one store transaction
//! ([`Engine::pull`]), the full round ([`Engine::sync`]: push, pull, push
//! again if the user changed something meanwhile), the retry schedule
//! ([`Backoff`]: exponential with full jitter; [`Scheduler`] says when to
//! sync next), and the sync status the user sees ([`Status`], kept in the
//! store so it survives restarts and is readable without a network).
//!
//! The server is the authority; the device records intent. The server
//! applies each mutation exactly once by the last seq it applied for this
//! device: a duplicate is skipped, a rejected mutation still advances the
//! seq (so a queue never wedges), and a gap is answered with the seq it
//! expects. The rules for a gap are on [`Engine::push_once`].
//!
//! The network is behind [`Transport`], the clock is a `now` argument and
//! randomness an injected RNG, so sync is deterministic under test.
//!
//! Must not know: HTTP details (status codes, URLs, TLS), SQL (the store
//! records answers through `Tx` methods), windows or terminals.

mod backoff;
pub mod convert;
mod engine;
mod pull;
mod scheduler;
mod status;

pub use backoff::{BASE_DELAY, Backoff, MAX_DELAY, ceiling, delay};
pub use engine::{DEFAULT_PAGE_SIZE, Engine, PushReport};
pub use pull::{Progress, PullReport, SyncReport};
pub use scheduler::{SYNC_INTERVAL, Scheduler};
pub use status::{Status, status};

use biomend_protocol::{
    ConflictV1, ErrorBody, IncomingV1, ProtocolError, PullRequest, PullResponse, PushRequest,
    PushResponse, ResolveConflict, SignOffItemV1,
};
use biomend_store::StoreError;

/// The way to the server. Implemented over HTTP by `biomend-net` and by
/// in-memory servers in tests.
pub trait Transport {
    /// Sends one push and returns the server's answer.
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError>;
    /// Asks for one page of changes after `req.cursor`.
    fn pull(&mut self, req: &PullRequest) -> Result<PullResponse, TransportError>;
}

/// The server's questions a supervisor asks directly (these need a
/// connection; nothing is stored on the device). Implemented over HTTP by
/// `biomend-net`.
pub trait SupervisorApi {
    /// What came in since `since` (the server's default, 12 hours, when
    /// `None`), newest first.
    fn incoming(
        &mut self,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Vec<IncomingV1>, TransportError>;
    /// Open conflicts, or all of them, newest first.
    fn conflicts(&mut self, all: bool) -> Result<Vec<ConflictV1>, TransportError>;
    /// Accepts or reverses one conflict.
    fn resolve(
        &mut self,
        id: uuid::Uuid,
        r: &ResolveConflict,
    ) -> Result<ConflictV1, TransportError>;
    /// Completed work waiting for sign-off, oldest first.
    fn sign_off_queue(&mut self) -> Result<Vec<SignOffItemV1>, TransportError>;
}

/// Why a push got no answer to act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The server could not be reached (no network, DNS, timeout).
    #[error("the server could not be reached")]
    Offline,
    /// The server refused the request itself (an HTTP 4xx), e.g.
    /// `client_too_old`. Retrying the same request will not help.
    #[error("the server refused the request: {0}")]
    Rejected(ErrorBody),
    /// A server fault or another transient failure (an HTTP 5xx, a reply
    /// that could not be read); worth retrying later.
    #[error("server error: {0}")]
    Server(String),
    /// The server answered, but its TLS certificate is not one this device
    /// trusts (an internal CA that was not given, an expired or
    /// wrong-name certificate, or someone in the middle). Retrying will
    /// not help until the device's trust or the server's certificate
    /// changes.
    #[error("the server's certificate is not trusted: {0}")]
    Untrusted(String),
    /// The pull cursor is older than what the server still remembers
    /// (`resync_required`): the device must pull again from zero.
    #[error("the server asks this device to download everything again")]
    ResyncRequired,
}

/// Why a push stopped. Every variant is also recorded in the sync status.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No network; everything stays pending.
    #[error("offline: the server could not be reached; changes stay on this device")]
    Offline,
    /// The server no longer accepts this build's protocol or schema
    /// version. Nothing more is sent until the app is updated.
    #[error("this version of Biomend is too old for the server; please update the app ({message})")]
    ClientTooOld { message: String },
    /// The server refused the request for another reason.
    #[error("the server refused the push: {0}")]
    Refused(ErrorBody),
    /// A transient server fault; retry later.
    #[error("server error: {0}")]
    Server(String),
    /// The server's TLS certificate is not trusted; nothing is sent until
    /// the device is given the right CA or the server's certificate is
    /// fixed.
    #[error(
        "the server's certificate is not trusted ({0}); sign in again with the hospital's CA certificate (--ca-cert) or ask IT to fix the server's certificate"
    )]
    Untrusted(String),
    /// The server expects a seq this device no longer holds (it lost data
    /// and the mutations it needs are gone from the outbox).
    #[error(
        "the server expects change #{expected}, which this device no longer holds; contact support"
    )]
    ServerBehind { expected: u64 },
    /// Local changes wait in the outbox, so the server's changes were not
    /// applied; they are pushed first.
    #[error("{count} local change(s) must be sent before the server's changes are applied")]
    PendingLocal { count: u64 },
    /// The server's answer does not fit what was sent.
    #[error("the server's answer does not fit the push: {0}")]
    BadAnswer(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("outbox: {0}")]
    Protocol(#[from] ProtocolError),
}

impl SyncError {
    /// Whether retrying later (after a [`Backoff`] delay) may succeed on
    /// its own; otherwise the app must be updated or support called.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SyncError::Offline
                | SyncError::Server(_)
                | SyncError::BadAnswer(_)
                | SyncError::PendingLocal { .. }
        )
    }
}

impl From<TransportError> for SyncError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Offline => SyncError::Offline,
            TransportError::Rejected(body) if body.code == biomend_protocol::CLIENT_TOO_OLD => {
                SyncError::ClientTooOld {
                    message: body.message,
                }
            }
            TransportError::Rejected(body) => SyncError::Refused(body),
            TransportError::Server(m) => SyncError::Server(m),
            TransportError::Untrusted(m) => SyncError::Untrusted(m),
            // The engine handles a resync itself; one that reaches here
            // came twice in a row, which only a broken server does.
            TransportError::ResyncRequired => SyncError::BadAnswer(
                "the server asked for a resync while this device was already pulling from zero"
                    .into(),
            ),
        }
    }
}
