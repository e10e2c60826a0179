//! What a supervisor asks the server directly (these need a connection):
//! what came in from whom, the conflicts list with resolve and reverse,
//! and the sign-off queue across devices.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One mutation the server received, for "what came in since the last
/// shift" (`GET /v1/supervisor/incoming?since=...`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingV1 {
    pub mutation_id: Uuid,
    pub device_id: Uuid,
    pub device_name: String,
    pub user_id: Uuid,
    pub user_name: String,
    /// e.g. `complete_work_order@1`.
    pub mutation: String,
    pub received_at: DateTime<Utc>,
    /// `applied` or `rejected`.
    pub outcome: String,
    /// The rejection's code and message, or a one-line summary of what
    /// was applied ("WO-2026-00123 completed").
    pub summary: String,
    /// The work order or asset it touched, when there is one.
    pub work_order_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
}

/// One conflict: two edits of the same field from the same starting value,
/// and the rule that chose between them (`GET /v1/supervisor/conflicts`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictV1 {
    pub id: Uuid,
    /// The row's kind and key, as in pull (`asset`, `work_order`, ...).
    pub kind: String,
    pub key: String,
    /// Shown to people, e.g. the asset tag or work-order number.
    pub label: String,
    /// The field, e.g. `status`, `location_id`, `completion`.
    pub field: String,
    /// The value both edits started from.
    pub base: serde_json::Value,
    /// The value the rule kept.
    pub kept: serde_json::Value,
    /// The value the rule set aside (never lost: a reverse restores it).
    pub set_aside: serde_json::Value,
    /// The stated rule, e.g. `most_restrictive_status_wins`.
    pub rule: String,
    /// Who made the edit that arrived second, and from which device.
    pub user_id: Uuid,
    pub user_name: String,
    pub device_id: Uuid,
    pub mutation_id: Uuid,
    pub detected_at: DateTime<Utc>,
    pub resolution: Option<ResolutionV1>,
}

/// What a supervisor did with a conflict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionV1 {
    /// `accepted` (the rule's choice stands) or `reversed` (the value set
    /// aside was restored).
    pub action: String,
    pub by: Uuid,
    pub by_name: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// `POST /v1/supervisor/conflicts/{id}/resolve`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveConflict {
    /// `accept` or `reverse`.
    pub action: String,
    #[serde(default)]
    pub note: String,
}

/// One completed work order waiting for sign-off
/// (`GET /v1/supervisor/sign-off-queue`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOffItemV1 {
    pub work_order_id: Uuid,
    pub number: String,
    pub asset_id: Uuid,
    pub asset_tag: String,
    pub kind: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<Uuid>,
    pub completed_by_name: String,
    pub closure: Option<String>,
    /// Open conflicts on this work order, so they are settled first.
    pub open_conflicts: u32,
}
