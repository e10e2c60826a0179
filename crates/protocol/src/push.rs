//! Pushing the outbox: what a device sends and what the server answers.
//!
//! A device sends its pending mutations in `seq` order. The server keeps
//! the last seq it applied per device and answers each mutation it handled
//! with a [`MutationResult`]: `applied`, `duplicate` (it already had that
//! seq: a retried push applies nothing twice) or `rejected` with a reason
//! (the seq still advances, so one refused mutation never wedges the
//! queue). A push that starts past the seq the server expects is a gap:
//! the server handles none of it and names the seq it expects instead.
//!
//! Every request carries the protocol and schema versions; the server
//! accepts a range and refuses an older client with an [`ErrorBody`] whose
//! code is [`CLIENT_TOO_OLD`].

use crate::MutationEnvelope;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// [`ErrorBody::code`] when the server no longer accepts this build's
/// protocol or schema version; the user must update the app.
pub const CLIENT_TOO_OLD: &str = "client_too_old";

/// One push: a device's next pending mutations, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub protocol_version: u16,
    /// The device's store schema version.
    pub schema_version: u32,
    pub device_id: Uuid,
    pub mutations: Vec<MutationEnvelope>,
}

/// The server's answer to a [`PushRequest`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    /// One per mutation the server handled, in seq order.
    pub results: Vec<MutationResult>,
    /// Set on a gap: the seq the server expects next from this device.
    pub expected_seq: Option<u64>,
}

/// What happened to one pushed mutation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutationResult {
    pub seq: u64,
    pub id: Uuid,
    pub outcome: Outcome,
}

/// The fate of one mutation on the server. On the wire: `{"kind":
/// "applied"}`, `{"kind": "duplicate"}` or `{"kind": "rejected", "code":
/// ..., "message": ...}`; any other field is refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OutcomeWire", into = "OutcomeWire")]
pub enum Outcome {
    /// Applied now.
    Applied,
    /// Applied by an earlier push; nothing was done again.
    Duplicate,
    /// Refused for good (e.g. the work order was cancelled on the server);
    /// the seq still advances. `code` is stable, `message` is for people.
    Rejected { code: String, message: String },
}

/// [`Outcome`] as it travels. serde's internally tagged enums let unknown
/// fields through on unit variants, so the shape is checked by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeWire {
    kind: OutcomeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutcomeKind {
    Applied,
    Duplicate,
    Rejected,
}

impl From<Outcome> for OutcomeWire {
    fn from(o: Outcome) -> Self {
        let (kind, code, message) = match o {
            Outcome::Applied => (OutcomeKind::Applied, None, None),
            Outcome::Duplicate => (OutcomeKind::Duplicate, None, None),
            Outcome::Rejected { code, message } => {
                (OutcomeKind::Rejected, Some(code), Some(message))
            }
        };
        OutcomeWire {
            kind,
            code,
            message,
        }
    }
}

impl TryFrom<OutcomeWire> for Outcome {
    type Error = String;

    fn try_from(w: OutcomeWire) -> Result<Self, String> {
        match (w.kind, w.code, w.message) {
            (OutcomeKind::Applied, None, None) => Ok(Outcome::Applied),
            (OutcomeKind::Duplicate, None, None) => Ok(Outcome::Duplicate),
            (OutcomeKind::Rejected, Some(code), Some(message)) => {
                Ok(Outcome::Rejected { code, message })
            }
            (OutcomeKind::Rejected, ..) => {
                Err("a rejected outcome needs a code and a message".into())
            }
            (kind, ..) => Err(format!("outcome {kind:?} takes no code or message")),
        }
    }
}

/// The body of every error reply from the server: a stable `code` (e.g.
/// [`CLIENT_TOO_OLD`]) and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}
