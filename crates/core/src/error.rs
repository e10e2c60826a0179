//! Errors a use case reports. Each variant has a stable `code` so the
//! desktop shell and the CLI's JSON output can give `{code, message}`.

use biomend_domain::RuleError;
use biomend_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{what} '{key}' not found")]
    NotFound { what: &'static str, key: String },
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("{0}")]
    Rule(#[from] RuleError),
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("import refused: {problems} problem(s) found; nothing was imported")]
    ImportRejected { problems: usize },
    #[error(transparent)]
    Import(#[from] biomend_interchange::ImportError),
    #[error("export failed: {0}")]
    Export(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("sync data: {0}")]
    Protocol(#[from] biomend_protocol::ProtocolError),
    #[error(transparent)]
    Sync(#[from] biomend_sync::SyncError),
    #[error("this device is not signed in to a server; run `biomend login` first")]
    NotSignedIn,
    #[error("wrong username or password")]
    WrongPassword,
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl CoreError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::NotFound { .. } => "not_found",
            CoreError::Forbidden(_) => "forbidden",
            CoreError::Rule(_) => "rule_violation",
            CoreError::Invalid { .. } => "invalid_input",
            CoreError::ImportRejected { .. } => "import_rejected",
            CoreError::Import(_) => "import_failed",
            CoreError::Export(_) => "export_failed",
            CoreError::Store(StoreError::Duplicate { .. }) => "duplicate",
            CoreError::Store(StoreError::TooNew { .. }) => "database_too_new",
            CoreError::Store(_) => "storage_error",
            CoreError::Protocol(_) => "protocol_error",
            CoreError::Io { .. } => "io_error",
            CoreError::NotSignedIn => "not_signed_in",
            CoreError::WrongPassword => "wrong_password",
            CoreError::Sync(e) => match e {
                biomend_sync::SyncError::Offline => "offline",
                biomend_sync::SyncError::ClientTooOld { .. } => "client_too_old",
                biomend_sync::SyncError::Refused(_) => "refused",
                biomend_sync::SyncError::PendingLocal { .. } => "pending_changes",
                biomend_sync::SyncError::ServerBehind { .. } => "server_behind",
                biomend_sync::SyncError::Untrusted(_) => "untrusted_certificate",
                biomend_sync::SyncError::Server(_) | biomend_sync::SyncError::BadAnswer(_) => {
                    "server_error"
                }
                biomend_sync::SyncError::Store(_) => "storage_error",
                biomend_sync::SyncError::Protocol(_) => "protocol_error",
            },
        }
    }

    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Self {
        CoreError::Invalid {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}
