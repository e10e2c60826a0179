//! The HTTP API of `docs/http-api.md`: routes, bearer-token auth, bounded
//! JSON bodies, `{code, message}` errors, and serving (plain or TLS via
//! rustls) with graceful shutdown.
//!
//! The administrator's endpoints are in `admin_api`.
//!
//! Every database call runs in `spawn_blocking`; handlers never block the
//! async runtime. Bad input of any kind is a 4xx with an [`ErrorBody`];
//! a 5xx means the server itself failed, and its detail goes to the
//! server's stderr, never to the client.

mod admin_api;

pub use admin_api::Admin;

use crate::apply::{self, Actor};
use crate::auth::{self, HashCost, user_v1};
use crate::backend::{Backend, DeviceRow, StoreError, UserRow};
use crate::supervise::{self, ResolveError};
use axum::body::{Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use biomend_protocol::*;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

/// The oldest and newest protocol versions this server speaks.
pub const MIN_PROTOCOL_VERSION: u16 = 1;
pub const MAX_PROTOCOL_VERSION: u16 = PROTOCOL_VERSION;
/// The oldest device store schema accepted (newer ones are fine: the
/// protocol version decides the wire format).
pub const MIN_SCHEMA_VERSION: u32 = 1;
/// Largest request body.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Most mutations in one push.
pub const MAX_PUSH_MUTATIONS: usize = 1_000;
/// Most rows in the incoming list.
pub const MAX_INCOMING: u32 = 1_000;

/// Every route, as (method, path). The router is built from this list, so
/// the OpenAPI test that compares it with `openapi.json` covers every
/// route the server really has.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/v1/health"),
    ("GET", "/v1/openapi.json"),
    ("POST", "/v1/login"),
    ("GET", "/v1/me"),
    ("POST", "/v1/push"),
    ("POST", "/v1/pull"),
    ("GET", "/v1/supervisor/incoming"),
    ("GET", "/v1/supervisor/conflicts"),
    ("POST", "/v1/supervisor/conflicts/{id}/resolve"),
    ("GET", "/v1/supervisor/sign-off-queue"),
    ("POST", "/v1/me/password"),
    ("GET", "/v1/admin/sites"),
    ("POST", "/v1/admin/sites"),
    ("PATCH", "/v1/admin/sites/{id}"),
    ("GET", "/v1/admin/buildings"),
    ("POST", "/v1/admin/buildings"),
    ("PATCH", "/v1/admin/buildings/{id}"),
    ("GET", "/v1/admin/departments"),
    ("POST", "/v1/admin/departments"),
    ("PATCH", "/v1/admin/departments/{id}"),
    ("GET", "/v1/admin/locations"),
    ("POST", "/v1/admin/locations"),
    ("PATCH", "/v1/admin/locations/{id}"),
    ("GET", "/v1/admin/users"),
    ("POST", "/v1/admin/users"),
    ("PATCH", "/v1/admin/users/{id}"),
    ("POST", "/v1/admin/users/{id}/deactivate"),
    ("POST", "/v1/admin/users/{id}/password"),
];

/// The OpenAPI document, as checked in.
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// Server settings that are not storage.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Cost of new password hashes (see [`HashCost`]).
    pub hash_cost: HashCost,
}

/// Shared by every handler.
pub struct AppState<B> {
    backend: Arc<B>,
    config: Arc<Config>,
    /// A hash of nothing, verified against when the username is unknown so
    /// an unknown user costs the same time as a wrong password.
    dummy_hash: Arc<OnceLock<String>>,
}

impl<B> Clone for AppState<B> {
    fn clone(&self) -> Self {
        AppState {
            backend: self.backend.clone(),
            config: self.config.clone(),
            dummy_hash: self.dummy_hash.clone(),
        }
    }
}

impl<B> std::fmt::Debug for AppState<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

/// The application: every route of [`ROUTES`] over `backend`.
pub fn router<B: Backend>(backend: Arc<B>, config: Config) -> Router {
    let state = AppState {
        backend,
        config: Arc::new(config),
        dummy_hash: Arc::new(OnceLock::new()),
    };
    let mut r: Router<AppState<B>> = Router::new();
    for (method, path) in ROUTES {
        let handler = match (*method, *path) {
            ("GET", "/v1/health") => get(health),
            ("GET", "/v1/openapi.json") => get(openapi),
            ("POST", "/v1/login") => post(login::<B>),
            ("GET", "/v1/me") => get(me::<B>),
            ("POST", "/v1/push") => post(push::<B>),
            ("POST", "/v1/pull") => post(pull::<B>),
            ("GET", "/v1/supervisor/incoming") => get(incoming::<B>),
            ("GET", "/v1/supervisor/conflicts") => get(conflicts::<B>),
            ("POST", "/v1/supervisor/conflicts/{id}/resolve") => post(resolve::<B>),
            ("GET", "/v1/supervisor/sign-off-queue") => get(sign_off_queue::<B>),
            ("POST", "/v1/me/password") => post(admin_api::change_own_password::<B>),
            ("GET", "/v1/admin/sites") => get(admin_api::list_sites::<B>),
            ("POST", "/v1/admin/sites") => post(admin_api::add_site::<B>),
            ("PATCH", "/v1/admin/sites/{id}") => patch(admin_api::edit_site::<B>),
            ("GET", "/v1/admin/buildings") => get(admin_api::list_buildings::<B>),
            ("POST", "/v1/admin/buildings") => post(admin_api::add_building::<B>),
            ("PATCH", "/v1/admin/buildings/{id}") => patch(admin_api::edit_building::<B>),
            ("GET", "/v1/admin/departments") => get(admin_api::list_departments::<B>),
            ("POST", "/v1/admin/departments") => post(admin_api::add_department::<B>),
            ("PATCH", "/v1/admin/departments/{id}") => patch(admin_api::edit_department::<B>),
            ("GET", "/v1/admin/locations") => get(admin_api::list_locations::<B>),
            ("POST", "/v1/admin/locations") => post(admin_api::add_location::<B>),
            ("PATCH", "/v1/admin/locations/{id}") => patch(admin_api::edit_location::<B>),
            ("GET", "/v1/admin/users") => get(admin_api::list_users::<B>),
            ("POST", "/v1/admin/users") => post(admin_api::add_user::<B>),
            ("PATCH", "/v1/admin/users/{id}") => patch(admin_api::edit_user::<B>),
            ("POST", "/v1/admin/users/{id}/deactivate") => post(admin_api::deactivate_user::<B>),
            ("POST", "/v1/admin/users/{id}/password") => post(admin_api::reset_password::<B>),
            (m, p) => unreachable!("ROUTES lists {m} {p} but no handler is wired for it"),
        };
        r = r.route(path, handler);
    }
    r.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

// ---- errors ----

/// An error answer: a status and an [`ErrorBody`].
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }
    fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed; the error is in its log",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                code: self.code.to_string(),
                message: self.message,
            }),
        )
            .into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        // Store errors name tables and rows, never secrets.
        eprintln!("biomend-server: {e}");
        ApiError::internal()
    }
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method",
    )
}

/// Runs a database call off the async runtime.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        eprintln!("biomend-server: a request worker failed: {e}");
        Err(ApiError::internal())
    })
}

// ---- extractors ----

/// A JSON body of type `T`, at most [`MAX_BODY_BYTES`]; any content type
/// is read as JSON. Errors say what was wrong and where.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!("the request body is over {MAX_BODY_BYTES} bytes"),
                )
            } else {
                ApiError::bad_request(format!("could not read the request body: {e}"))
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| ApiError::bad_request(format!("malformed request body: {e}")))
    }
}

/// The device and user behind the request's bearer token.
#[derive(Debug)]
pub struct Authed {
    pub device: DeviceRow,
    pub user: UserRow,
}

impl Authed {
    fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.id,
            user_name: self.user.display_name.clone(),
            role: self.user.role,
            sites: self.user.sites.clone(),
            device_id: self.device.id,
        }
    }

    fn require_supervisor(&self) -> Result<(), ApiError> {
        if self.user.role.can_sign_off() {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "supervisor endpoints need a supervisor, manager or admin; you are a {}",
                self.user.role
            )))
        }
    }

    fn require_device(&self, device_id: Uuid) -> Result<(), ApiError> {
        if device_id == self.device.id {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "device_id is not the device this token was issued to",
            ))
        }
    }
}

impl<B: Backend> FromRequestParts<AppState<B>> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<B>) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or_else(|| {
                ApiError::unauthenticated(
                    "this endpoint needs Authorization: Bearer <device token>",
                )
            })?
            .to_string();
        let backend = state.backend.clone();
        let found =
            blocking(move || Ok(backend.read(|txn| auth::authenticate(txn, &token))?)).await?;
        let (device, user) = found.ok_or_else(|| {
            ApiError::unauthenticated(
                "this device is not signed in (unknown or revoked token, or inactive user); sign in again",
            )
        })?;
        Ok(Authed { device, user })
    }
}

fn check_versions(protocol: u16, schema: Option<u32>) -> Result<(), ApiError> {
    let protocol_ok = (MIN_PROTOCOL_VERSION..=MAX_PROTOCOL_VERSION).contains(&protocol);
    let schema_ok = schema.is_none_or(|s| s >= MIN_SCHEMA_VERSION);
    if protocol_ok && schema_ok {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UPGRADE_REQUIRED,
        CLIENT_TOO_OLD,
        format!(
            "please update the app: this server speaks protocol {MIN_PROTOCOL_VERSION} to {MAX_PROTOCOL_VERSION}, the app sent {protocol}"
        ),
    ))
}

// ---- handlers ----

async fn health() -> Response {
    Json(serde_json::json!({
        "status": "ok",
        "protocol": [MIN_PROTOCOL_VERSION, MAX_PROTOCOL_VERSION],
    }))
    .into_response()
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI_JSON,
    )
        .into_response()
}

const WRONG_LOGIN: &str = "wrong username or password";

async fn login<B: Backend>(
    State(st): State<AppState<B>>,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    check_versions(req.protocol_version, None)?;
    if req.username.len() > 200 || req.password.len() > 1024 {
        return Err(ApiError::unauthenticated(WRONG_LOGIN));
    }
    let device_name = req.device_name.trim().to_string();
    if device_name.is_empty() || device_name.chars().count() > 200 {
        return Err(ApiError::bad_request(
            "device_name must be 1 to 200 characters",
        ));
    }
    let backend = st.backend.clone();
    let username = req.username.clone();
    let user = blocking(move || Ok(backend.read(|txn| txn.user_by_username(&username))?)).await?;
    // Verify off the runtime: argon2 is deliberately slow. An unknown user
    // is verified against a dummy hash, so both failures take as long and
    // answer the same.
    let cost = st.config.hash_cost.clone();
    let dummy = st.dummy_hash.clone();
    let password = req.password;
    let user = blocking(move || {
        let ok = match &user {
            Some(u) if u.active && !u.password_hash.is_empty() => {
                auth::verify_password(&u.password_hash, &password)
            }
            _ => {
                let hash = match dummy.get() {
                    Some(h) => h.clone(),
                    None => {
                        let h = auth::hash_password("not a password", &cost).map_err(|e| {
                            eprintln!("biomend-server: {e}");
                            ApiError::internal()
                        })?;
                        dummy.get_or_init(|| h).clone()
                    }
                };
                auth::verify_password(&hash, &password);
                false
            }
        };
        Ok(if ok { user } else { None })
    })
    .await?
    .ok_or_else(|| ApiError::unauthenticated(WRONG_LOGIN))?;
    let backend = st.backend.clone();
    let now = Utc::now();
    let next_seq = req.next_seq;
    let (device, token, user) = blocking(move || {
        backend
            .write(|txn| {
                let (device, token) = auth::enroll_device(txn, &user, &device_name, next_seq, now)?;
                Ok((device, token, user))
            })
            .map_err(|e: auth::AuthError| match e {
                auth::AuthError::Invalid(m) => ApiError::bad_request(m),
                other => {
                    eprintln!("biomend-server: {other}");
                    ApiError::internal()
                }
            })
    })
    .await?;
    Ok(Json(LoginResponse {
        device_id: device.id,
        token: token.0,
        user: user_v1(&user),
    }))
}

async fn me<B: Backend>(State(_): State<AppState<B>>, authed: Authed) -> Json<serde_json::Value> {
    let u = user_v1(&authed.user);
    Json(serde_json::json!({
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "sites": u.sites,
        "active": u.active,
        "device_id": authed.device.id,
        "device_name": authed.device.name,
    }))
}

async fn push<B: Backend>(
    State(st): State<AppState<B>>,
    authed: Authed,
    JsonBody(req): JsonBody<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    check_versions(req.protocol_version, Some(req.schema_version))?;
    authed.require_device(req.device_id)?;
    if req.mutations.len() > MAX_PUSH_MUTATIONS {
        return Err(ApiError::bad_request(format!(
            "a push carries at most {MAX_PUSH_MUTATIONS} mutations; this one has {}",
            req.mutations.len()
        )));
    }
    let backend = st.backend.clone();
    let actor = authed.actor();
    let device_id = authed.device.id;
    let answer = blocking(move || {
        Ok(backend.write(|txn| {
            // Read last_seq inside the write transaction: two pushes from
            // one device must not both think they are first.
            let last_seq = txn.device(device_id)?.map(|d| d.last_seq).unwrap_or(0);
            apply::push(txn, &actor, last_seq, &req.mutations, Utc::now())
        })?)
    })
    .await?;
    Ok(Json(answer))
}

async fn pull<B: Backend>(
    State(st): State<AppState<B>>,
    authed: Authed,
    JsonBody(req): JsonBody<PullRequest>,
) -> Result<Response, ApiError> {
    check_versions(req.protocol_version, Some(req.schema_version))?;
    authed.require_device(req.device_id)?;
    if req.limit > MAX_PULL_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit is at most {MAX_PULL_LIMIT}; this pull asked for {}",
            req.limit
        )));
    }
    if req.limit == 0 {
        return Err(ApiError::bad_request("limit must be at least 1"));
    }
    let backend = st.backend.clone();
    let sites = authed.user.sites.clone();
    let body = blocking(move || {
        backend.read(|txn| -> Result<Vec<u8>, ApiError> {
            let horizon = txn.tombstone_horizon()?;
            // A run from zero replaces all the device holds, so only a
            // device building on an older copy can have missed a purged
            // deletion.
            if req.cursor > 0 && req.cursor < horizon && !req.from_zero {
                return Err(ApiError::new(
                    StatusCode::GONE,
                    RESYNC_REQUIRED,
                    "this device's copy is older than the server keeps deletions for; push what it holds, then pull again from zero",
                ));
            }
            Ok(pull_page(txn, req.cursor, &sites, req.limit, req.protocol_version)?)
        })
    })
    .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        Body::from(body),
    )
        .into_response())
}

/// Writes one `PullResponse` straight from the stored rows: each body is
/// copied as it is stored, never decoded and re-encoded.
///
/// A device speaking `protocol` is sent only the kinds that version knows
/// ([`Kind::since`]); the rows it is not sent still move its cursor, so a
/// page may hold fewer than `limit` changes, or none, and still say more
/// wait. When the device is updated it pulls again from zero and gets
/// them.
pub fn pull_page(
    txn: &mut dyn crate::backend::Txn,
    cursor: u64,
    sites: &[Uuid],
    limit: u32,
    protocol: u16,
) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(64 * 1024);
    out.extend_from_slice(b"{\"changes\":[");
    let mut n = 0u32;
    let mut seen = 0u32;
    let mut last = cursor;
    let mut more = false;
    // A device of this server's version reads every kind; only an older
    // one has its rows' kinds looked up.
    let current = protocol >= PROTOCOL_VERSION;
    let sent = |kind: &str| current || Kind::parse(kind).is_none_or(|k| k.since() <= protocol);
    // One row past the page tells whether there is more.
    txn.pull(cursor, sites, limit + 1, &mut |row| {
        if seen == limit {
            more = true;
            return;
        }
        seen += 1;
        last = row.version;
        if !sent(row.kind) {
            return;
        }
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"version\":");
        out.extend_from_slice(row.version.to_string().as_bytes());
        out.extend_from_slice(b",\"kind\":");
        // Kinds and keys are codes and ids; escaping them anyway keeps a
        // corrupt row from breaking the document.
        serde_json::to_writer(&mut out, row.kind).expect("writing to a Vec cannot fail");
        out.extend_from_slice(b",\"key\":");
        serde_json::to_writer(&mut out, row.key).expect("writing to a Vec cannot fail");
        out.extend_from_slice(b",\"body\":");
        match row.body {
            Some(b) => out.extend_from_slice(b.as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
        n += 1;
    })?;
    out.extend_from_slice(b"],\"cursor\":");
    out.extend_from_slice(last.to_string().as_bytes());
    out.extend_from_slice(b",\"more\":");
    out.extend_from_slice(if more { b"true" } else { b"false" });
    out.push(b'}');
    Ok(out)
}

#[derive(serde::Deserialize)]
struct IncomingQuery {
    since: Option<DateTime<Utc>>,
}

async fn incoming<B: Backend>(
    State(st): State<AppState<B>>,
    authed: Authed,
    query: Result<Query<IncomingQuery>, QueryRejection>,
) -> Result<Json<Vec<IncomingV1>>, ApiError> {
    authed.require_supervisor()?;
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request(format!("since must be an RFC 3339 time: {}", e.body_text()))
    })?;
    let since = q
        .since
        .unwrap_or_else(|| Utc::now() - chrono::Duration::hours(12));
    let backend = st.backend.clone();
    let sites = authed.user.sites.clone();
    let list = blocking(move || Ok(backend.read(|txn| txn.incoming(&sites, since, MAX_INCOMING))?))
        .await?;
    Ok(Json(list))
}

#[derive(serde::Deserialize)]
struct ConflictsQuery {
    state: Option<String>,
}

async fn conflicts<B: Backend>(
    State(st): State<AppState<B>>,
    authed: Authed,
    query: Result<Query<ConflictsQuery>, QueryRejection>,
) -> Result<Json<Vec<ConflictV1>>, ApiError> {
    authed.require_supervisor()?;
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let open_only = match q.state.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "state must be 'open' or 'all', not '{other}'"
            )));
        }
    };
    let backend = st.backend.clone();
    let sites = authed.user.sites.clone();
    let list = blocking(move || Ok(backend.read(|txn| txn.conflicts(&sites, open_only))?)).await?;
    Ok(Json(list.into_iter().map(|c| c.conflict).collect()))
}

async fn resolve<B: Backend>(
    State(st): State<AppState<B>>,
    authed: Authed,
    path: Result<Path<Uuid>, PathRejection>,
    JsonBody(req): JsonBody<ResolveConflict>,
) -> Result<Json<ConflictV1>, ApiError> {
    authed.require_supervisor()?;
    let Path(id) = path.map_err(|_| ApiError::bad_request("the conflict id must be a UUID"))?;
    let backend = st.backend.clone();
    let user = authed.user;
    let resolved = blocking(move || {
        backend
            .write(|txn| supervise::resolve(txn, &user, id, &req, Utc::now()))
            .map_err(|e| match e {
                ResolveError::Store(s) => ApiError::from(s),
                ResolveError::NotFound(_) => {
                    ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
                }
                ResolveError::AlreadyResolved(_) => {
                    ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string())
                }
                ResolveError::BadRequest(m) => ApiError::bad_request(m),
            })
    })
    .await?;
    Ok(Json(resolved))
}

async fn sign_off_queue<B: Backend>(
    State(st): State<AppState<B>>,
    authed: Authed,
) -> Result<Json<Vec<SignOffItemV1>>, ApiError> {
    authed.require_supervisor()?;
    let backend = st.backend.clone();
    let sites = authed.user.sites.clone();
    let list =
        blocking(move || Ok(backend.read(|txn| supervise::sign_off_queue(txn, &sites))?)).await?;
    Ok(Json(list))
}

// ---- serving ----

/// A PEM certificate chain and private key for TLS.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// Why the TLS certificate or key cannot be used; each names its file, so
/// an administrator knows which one to fix.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS {what} file {}: {source}", path.display())]
    Read {
        what: &'static str,
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("the TLS certificate file {} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----): {reason}", path.display())]
    BadCertificate {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("the TLS key file {} holds no PEM private key (expected -----BEGIN PRIVATE KEY----- or similar): {reason}", path.display())]
    BadKey {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("the TLS certificate {} and key {} cannot be used together: {reason}", cert.display(), key.display())]
    Mismatch {
        cert: std::path::PathBuf,
        key: std::path::PathBuf,
        reason: String,
    },
}

impl TlsFiles {
    /// Reads and checks both files and builds the server's TLS settings
    /// (HTTP/1.1 only, the ring provider).
    pub fn load(&self) -> Result<axum_server::tls_rustls::RustlsConfig, TlsError> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let read = |what, path: &std::path::Path| {
            std::fs::read(path).map_err(|source| TlsError::Read {
                what,
                path: path.to_path_buf(),
                source,
            })
        };
        let cert_pem = read("certificate", &self.cert)?;
        let key_pem = read("key", &self.key)?;
        let bad_cert = |reason: String| TlsError::BadCertificate {
            path: self.cert.clone(),
            reason,
        };
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad_cert(e.to_string()))?;
        if chain.is_empty() {
            return Err(bad_cert("the file is empty or not PEM".into()));
        }
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| TlsError::BadKey {
            path: self.key.clone(),
            reason: e.to_string(),
        })?;
        let mismatch = |e: rustls::Error| TlsError::Mismatch {
            cert: self.cert.clone(),
            key: self.key.clone(),
            reason: e.to_string(),
        };
        let mut config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(mismatch)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(mismatch)?;
        // The server speaks HTTP/1.1 only (axum's http1 feature).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(axum_server::tls_rustls::RustlsConfig::from_config(
            std::sync::Arc::new(config),
        ))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("could not serve: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// Serves `app` on an already bound listener (plain HTTP, or TLS when
/// `tls` is given) until `shutdown` completes; then stops taking new
/// connections and lets requests in flight finish (up to 10 s).
pub async fn serve(
    listener: std::net::TcpListener,
    app: Router,
    tls: Option<TlsFiles>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    // Loaded before anything is served, so a bad file stops the server
    // with its name instead of failing each handshake.
    let tls = tls.map(|files| files.load()).transpose()?;
    let handle = axum_server::Handle::new();
    let h = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        h.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    let make = app.into_make_service();
    match tls {
        None => {
            axum_server::from_tcp(listener)?
                .handle(handle)
                .serve(make)
                .await?
        }
        Some(config) => {
            axum_server::tls_rustls::from_tcp_rustls(listener, config)?
                .handle(handle)
                .serve(make)
                .await?
        }
    }
    Ok(())
}

/// Resolves on SIGTERM or ctrl-c.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
