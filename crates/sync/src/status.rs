//! The sync status the user sees: kept in the store's `sync_state`, so it
//! survives restarts and reads without a network.

use crate::SyncError;
use biomend_protocol::PROTOCOL_VERSION;
use biomend_store::{SCHEMA_VERSION, Store, StoreError, Tx};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `sync_state` keys.
pub(crate) const ONLINE: &str = "sync_online";
pub(crate) const LAST_SUCCESS: &str = "sync_last_success";
pub(crate) const LAST_ERROR: &str = "sync_last_error";
/// When the last pull was applied, and how many changes it brought.
pub(crate) const LAST_PULL: &str = "sync_last_pull";
pub(crate) const ROWS_PULLED: &str = "sync_rows_pulled";
/// The protocol version the replicated rows here were pulled with. A copy
/// pulled at an older version lacks the kinds added since (the server
/// held them back), so the next pull starts again from zero. Absent: 1.
pub(crate) const COPY_PROTOCOL: &str = "sync_copy_protocol";
/// The build the server refused as too old, as [`RefusedBuild`] JSON.
pub(crate) const REFUSED_BUILD: &str = "sync_refused_build";

/// Where sync stands, for the status bar.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The last push reached the server (false before the first one).
    pub online: bool,
    /// Mutations waiting to be pushed.
    pub pending: u64,
    /// Mutations the server refused; listed by
    /// `Reader::rejected_mutations`.
    pub rejected: u64,
    /// The end of the last push that left nothing pending it could send.
    pub last_success: Option<DateTime<Utc>>,
    /// Why the last push or pull stopped, for people; cleared by a
    /// successful push.
    pub last_error: Option<String>,
    /// The last server version applied here; 0 before the first pull.
    pub pull_cursor: u64,
    /// When the last pull was applied.
    pub last_pull: Option<DateTime<Utc>>,
    /// How many changes the last pull applied.
    pub rows_pulled: u64,
}

fn time(key: &str, v: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    v.map(|s| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| StoreError::Corrupt {
                what: "sync state",
                detail: format!("{key} holds '{s}': {e}"),
            })
    })
    .transpose()
}

/// The current sync status, from the store alone.
pub fn status(store: &Store) -> Result<Status, SyncError> {
    let r = store.reader();
    let last_success = time(LAST_SUCCESS, r.sync_value(LAST_SUCCESS)?)?;
    Ok(Status {
        online: r.sync_value(ONLINE)?.as_deref() == Some("true"),
        pending: r.pending_count()?,
        rejected: r.rejected_count()?,
        last_success,
        last_error: r.sync_value(LAST_ERROR)?,
        pull_cursor: r.pull_cursor()?,
        last_pull: time(LAST_PULL, r.sync_value(LAST_PULL)?)?,
        rows_pulled: r
            .sync_value(ROWS_PULLED)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    })
}

/// The protocol and schema versions the server refused as too old, and
/// what it said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RefusedBuild {
    pub protocol_version: u16,
    pub schema_version: u32,
    pub message: String,
}

impl RefusedBuild {
    pub fn this_build(message: String) -> Self {
        RefusedBuild {
            protocol_version: PROTOCOL_VERSION,
            schema_version: schema_version(),
            message,
        }
    }

    /// Whether this is the running build (an update clears the refusal).
    pub fn is_this_build(&self) -> bool {
        self.protocol_version == PROTOCOL_VERSION && self.schema_version == schema_version()
    }
}

pub(crate) fn schema_version() -> u32 {
    u32::try_from(SCHEMA_VERSION).unwrap_or(u32::MAX)
}

/// The refusal of this build, if the server refused it as too old.
pub(crate) fn refused_build(store: &Store) -> Result<Option<RefusedBuild>, SyncError> {
    let Some(json) = store.reader().sync_value(REFUSED_BUILD)? else {
        return Ok(None);
    };
    let refused: RefusedBuild = serde_json::from_str(&json).map_err(StoreError::from)?;
    Ok(refused.is_this_build().then_some(refused))
}

/// Records a push that reached the server and left nothing it could send.
pub(crate) fn record_success(tx: &Tx<'_>, now: DateTime<Utc>) -> Result<(), StoreError> {
    tx.set_sync_value(ONLINE, "true")?;
    tx.set_sync_value(LAST_SUCCESS, &now.to_rfc3339())?;
    tx.clear_sync_value(LAST_ERROR)?;
    tx.clear_sync_value(REFUSED_BUILD)
}

/// Records a reply from the server, which is therefore reachable.
pub(crate) fn record_online(tx: &Tx<'_>) -> Result<(), StoreError> {
    tx.set_sync_value(ONLINE, "true")
}

/// Records why a push stopped.
pub(crate) fn record_failure(tx: &Tx<'_>, e: &SyncError) -> Result<(), StoreError> {
    let online = !matches!(e, SyncError::Offline);
    tx.set_sync_value(ONLINE, if online { "true" } else { "false" })?;
    tx.set_sync_value(LAST_ERROR, &e.to_string())?;
    if let SyncError::ClientTooOld { message } = e {
        let refused = RefusedBuild::this_build(message.clone());
        tx.set_sync_value(REFUSED_BUILD, &serde_json::to_string(&refused)?)?;
    }
    Ok(())
}
