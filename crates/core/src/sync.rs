//! Signing this device in to the server and syncing it.
//!
//! The network is the caller's: `login` gets a function that performs the
//! sign-in, and `sync_now` a [`Transport`], so this crate never knows HTTP
//! and tests drive it with in-memory servers. The bearer token is kept in
//! the store's own place for it, never in the audit log.

use crate::{App, CoreError, Result};
use biomend_protocol::{LoginRequest, LoginResponse, PROTOCOL_VERSION};
use biomend_store::DeviceLogin;
use biomend_store::outbox_state::RejectedMutation;
use biomend_sync::{Engine, Status, SyncReport};
pub use biomend_sync::{Progress, SupervisorApi, Transport, TransportError};
use serde::Serialize;
use uuid::Uuid;

/// Mutations per push request.
pub const PUSH_BATCH: u32 = 200;

#[derive(Clone, PartialEq, Eq)]
pub struct LoginInput {
    pub server_url: String,
    pub username: String,
    pub password: String,
    /// What the device is called in the administrator's list.
    pub device_name: String,
}

impl std::fmt::Debug for LoginInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginInput")
            .field("server_url", &self.server_url)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("device_name", &self.device_name)
            .finish()
    }
}

/// Who signed in, and where; never the token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignedIn {
    pub server_url: String,
    pub device_id: Uuid,
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
}

/// Signs this device in: `call` sends the request to `server_url` (over
/// HTTP in the apps). The device id, user and token are stored; the user's
/// row itself arrives with the first pull.
pub fn login(
    app: &mut App,
    input: &LoginInput,
    call: impl FnOnce(&str, &LoginRequest) -> Result<LoginResponse, TransportError>,
) -> Result<SignedIn> {
    login_with_ca(app, input, None, call)
}

/// [`login`] to a server whose certificate comes from the CA in the PEM
/// file at `ca_cert_path` (a hospital's internal CA). The path is stored
/// with the sign-in, so every later sync trusts the same CA; `call` is
/// expected to have used it already.
pub fn login_with_ca(
    app: &mut App,
    input: &LoginInput,
    ca_cert_path: Option<&str>,
    call: impl FnOnce(&str, &LoginRequest) -> Result<LoginResponse, TransportError>,
) -> Result<SignedIn> {
    if input.username.trim().is_empty() {
        return Err(CoreError::invalid("username", "must not be empty"));
    }
    if input.password.is_empty() {
        return Err(CoreError::invalid("password", "must not be empty"));
    }
    let device_name = match input.device_name.trim() {
        "" => "Biomend device",
        n => n,
    };
    let req = LoginRequest {
        protocol_version: PROTOCOL_VERSION,
        username: input.username.trim().to_string(),
        password: input.password.clone(),
        device_name: device_name.to_string(),
        // The server starts the new device where this tablet's outbox
        // goes on, or a tablet enrolled again would push seqs it does not
        // expect.
        next_seq: app.store().reader().next_push_seq()?,
    };
    let resp = call(input.server_url.trim(), &req).map_err(biomend_sync::SyncError::from)?;
    let login = DeviceLogin {
        server_url: input.server_url.trim().trim_end_matches('/').to_string(),
        device_id: resp.device_id,
        user_id: biomend_domain::ids::UserId(resp.user.id),
        username: resp.user.username.clone(),
        token: resp.token,
        logged_in_at: app.now(),
        ca_cert_path: ca_cert_path.map(str::to_string),
    };
    app.store_mut().save_login(&login)?;
    // Only after the server accepted the password: the verifier lets this
    // user sign in again here when the network is down.
    let salt: Vec<u8> = (0..2).flat_map(|_| app.ids.bytes()).collect();
    let verifier = hash_for_offline(&input.password, &salt[..16])?;
    app.store_mut().save_offline_verifier(&verifier)?;
    Ok(SignedIn {
        server_url: login.server_url,
        device_id: login.device_id,
        user_id: resp.user.id,
        username: resp.user.username,
        display_name: resp.user.display_name,
        role: resp.user.role,
    })
}

/// The sign-in this device holds, token included, for building a
/// transport; `NotSignedIn` without one.
pub fn credentials(app: &App) -> Result<DeviceLogin> {
    app.store()
        .reader()
        .device_login()?
        .ok_or(CoreError::NotSignedIn)
}

/// The username of whoever signed this device in, if anyone.
pub fn signed_in_username(app: &App) -> Result<Option<String>> {
    Ok(app.store().reader().device_login()?.map(|l| l.username))
}

/// What one `sync_now` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncSummary {
    #[serde(flatten)]
    pub report: SyncReport,
    /// Mutations the server refused in this round, with its reasons.
    pub rejected: Vec<RejectedMutation>,
    pub status: Status,
}

/// One full round: push everything pending, pull every change, push
/// again if something changed meanwhile. `progress` hears each step.
pub fn sync_now(
    app: &mut App,
    transport: &mut dyn Transport,
    progress: &mut dyn FnMut(Progress),
) -> Result<SyncSummary> {
    let login = credentials(app)?;
    let now = app.now();
    let mut engine = Engine::new(login.device_id, PUSH_BATCH);
    let report = engine.sync(app.store_mut(), transport, now, progress)?;
    let rejected = app
        .store()
        .reader()
        .rejected_mutations()?
        .into_iter()
        .filter(|r| r.answered_at >= now)
        .collect();
    Ok(SyncSummary {
        report,
        rejected,
        status: biomend_sync::status(app.store())?,
    })
}

/// Where sync stands, from the store alone (no network).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    #[serde(flatten)]
    pub status: Status,
    pub server_url: Option<String>,
    pub username: Option<String>,
    pub device_id: Option<Uuid>,
    /// Every mutation the server refused, with its reason.
    pub rejected_mutations: Vec<RejectedMutation>,
}

pub fn status(app: &App) -> Result<SyncStatus> {
    let login = app.store().reader().device_login()?;
    Ok(SyncStatus {
        status: biomend_sync::status(app.store())?,
        server_url: login.as_ref().map(|l| l.server_url.clone()),
        username: login.as_ref().map(|l| l.username.clone()),
        device_id: login.map(|l| l.device_id),
        rejected_mutations: app.store().reader().rejected_mutations()?,
    })
}

fn hash_for_offline(password: &str, salt: &[u8]) -> Result<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(salt)
        .map_err(|e| CoreError::invalid("password", format!("cannot hash: {e}")))?;
    Ok(argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| CoreError::invalid("password", format!("cannot hash: {e}")))?
        .to_string())
}

/// Signs `username` in on this device without the server: only the user
/// this device is signed in as, and only with the password the server last
/// accepted here (checked against the stored argon2 verifier). Another
/// user needs a connection, because their work would otherwise be sent
/// under this device's sign-in.
pub fn offline_sign_in(
    app: &App,
    username: &str,
    password: &str,
) -> Result<biomend_domain::user::User> {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    let login = credentials(app)?;
    if !login.username.eq_ignore_ascii_case(username.trim()) {
        return Err(CoreError::Forbidden(format!(
            "this tablet is signed in to the server as '{}'; '{}' must sign in with a connection first",
            login.username,
            username.trim()
        )));
    }
    let stored = app.store().reader().offline_verifier()?.ok_or_else(|| {
        CoreError::Forbidden(
            "this tablet has no offline sign-in yet; sign in once with a connection".into(),
        )
    })?;
    let ok = PasswordHash::new(&stored)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    if !ok {
        return Err(CoreError::WrongPassword);
    }
    app.user(&login.username)
}
