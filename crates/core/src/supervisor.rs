//! What a supervisor asks the server directly: what came in since the last
//! shift, the conflicts the rules settled (accept or reverse each), and the
//! sign-off queue across devices. These need a connection; the server is
//! reached through the [`SupervisorApi`] the caller passes in. The role is
//! checked here first, so a technician's device never asks.

use crate::{App, CoreError, Result, require};
use biomend_protocol::{ConflictV1, IncomingV1, ResolveConflict, SignOffItemV1};
use biomend_sync::{SupervisorApi, SyncError};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// How a supervisor settles a conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The rule's choice stands.
    Accept,
    /// The value the rule set aside is restored.
    Reverse,
}

fn supervisor(app: &App, username: &str, what: &str) -> Result<()> {
    let user = app.user(username)?;
    require(&user, user.role.can_sign_off(), what)
}

fn net<T>(r: std::result::Result<T, biomend_sync::TransportError>) -> Result<T> {
    r.map_err(|e| CoreError::Sync(SyncError::from(e)))
}

pub fn incoming(
    app: &App,
    username: &str,
    api: &mut dyn SupervisorApi,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<IncomingV1>> {
    supervisor(app, username, "review incoming work")?;
    net(api.incoming(since))
}

pub fn conflicts(
    app: &App,
    username: &str,
    api: &mut dyn SupervisorApi,
    all: bool,
) -> Result<Vec<ConflictV1>> {
    supervisor(app, username, "review conflicts")?;
    net(api.conflicts(all))
}

pub fn resolve(
    app: &App,
    username: &str,
    api: &mut dyn SupervisorApi,
    id: Uuid,
    how: Resolution,
    note: &str,
) -> Result<ConflictV1> {
    supervisor(app, username, "resolve conflicts")?;
    crate::corrective::check_text("note", note, false)?;
    net(api.resolve(
        id,
        &ResolveConflict {
            action: match how {
                Resolution::Accept => "accept",
                Resolution::Reverse => "reverse",
            }
            .to_string(),
            note: note.trim().to_string(),
        },
    ))
}

pub fn sign_off_queue(
    app: &App,
    username: &str,
    api: &mut dyn SupervisorApi,
) -> Result<Vec<SignOffItemV1>> {
    supervisor(app, username, "see the sign-off queue")?;
    net(api.sign_off_queue())
}
