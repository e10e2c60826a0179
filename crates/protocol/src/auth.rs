//! Signing a device in: a user's name and password buy the device its own
//! token, which every later request carries and an administrator can
//! revoke. Passwords and tokens never appear in `Debug` output, so they
//! cannot reach a log by accident.

use crate::UserV1;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// `POST /v1/login`: enrol this device for the user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub protocol_version: u16,
    pub username: String,
    pub password: String,
    /// What the device is called in the administrator's list, e.g. "ICU
    /// tablet 3".
    pub device_name: String,
    /// The seq of the next mutation this device will push: its oldest
    /// pending one, or one past the last it ever recorded. A tablet signed
    /// in again (for another user) keeps its outbox numbering, so the
    /// server starts the new device there instead of at 1. Absent or 0
    /// (an older app, a new tablet) means from 1; left out of the JSON when
    /// 0, so a new tablet still signs in to a server that predates it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub next_seq: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginRequest")
            .field("protocol_version", &self.protocol_version)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("device_name", &self.device_name)
            .field("next_seq", &self.next_seq)
            .finish()
    }
}

/// The answer to a login: the device's id and its bearer token (shown
/// once; the server keeps only a hash), and who signed in.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginResponse {
    pub device_id: Uuid,
    pub token: String,
    pub user: UserV1,
}

impl fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginResponse")
            .field("device_id", &self.device_id)
            .field("token", &"<redacted>")
            .field("user", &self.user)
            .finish()
    }
}
