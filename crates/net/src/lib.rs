//! The device's HTTP client to the Biomend server.
//!
//! Owns: [`HttpTransport`], the sync engine's [`Transport`] over HTTP
//! (`POST /v1/push`, `POST /v1/pull`) and the supervisor's calls
//! (`/v1/supervisor/*`); [`login`] (`POST /v1/login`); the mapping of HTTP
//! answers to [`TransportError`]: a 4xx is `Rejected` with the server's
//! `{code, message}` (426 carries `client_too_old`), 410 `resync_required`
//! is `ResyncRequired`, a 5xx or an unreadable reply is `Server`, a server
//! certificate this device does not trust is `Untrusted`, and a connection
//! failure or timeout is `Offline`. Every request has connect and read
//! timeouts.
//!
//! Trust: HTTPS servers are checked against the platform's roots (the OS
//! store, via reqwest's platform verifier) plus, optionally, the
//! certificates of one PEM file: a hospital's internal CA.
//!
//! The bearer token is a secret: it is sent in the `Authorization` header
//! and nowhere else, never shown by `Debug`, and never part of an error.
//!
//! Must not know: SQL, the store, business rules, or what the app does
//! with an answer.

use biomend_protocol::*;
use biomend_sync::{SupervisorApi, Transport, TransportError};
use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::time::Duration;
use uuid::Uuid;

/// How long to wait for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for a whole answer; a pull page of a few megabytes
/// over hospital Wi-Fi fits well inside it.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a client could not be built or a URL is unusable.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("'{0}' is not a server address (expected e.g. https://biomend.example.org)")]
    BadUrl(String),
    #[error("could not set up the HTTP client: {0}")]
    Client(String),
    /// The extra CA certificate given for an internal CA is unusable.
    #[error(
        "the CA certificate is not usable: {0} (expected a PEM file with -----BEGIN CERTIFICATE-----)"
    )]
    BadCa(String),
}

/// The server's address, without a trailing slash.
fn base_url(url: &str) -> Result<String, NetError> {
    let u = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(u).map_err(|_| NetError::BadUrl(url.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(NetError::BadUrl(url.to_string()));
    }
    Ok(u.to_string())
}

/// Whether `url` would carry the bearer token in clear over a network:
/// plain `http://` to anything but this machine. Loopback stays quiet
/// (tests, a server on the same laptop).
pub fn is_cleartext_remote(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url.trim()) else {
        return false;
    };
    if parsed.scheme() != "http" {
        return false;
    }
    match parsed.host_str() {
        None => false,
        Some(h) if h.eq_ignore_ascii_case("localhost") => false,
        // IPv6 hosts come bracketed ("[::1]").
        Some(h) => h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .map_or(true, |ip| !ip.is_loopback()),
    }
}

/// `ca_pem`: extra trusted CA certificates (PEM, one or more), added to
/// the platform's roots rather than replacing them, so a device that
/// trusts the hospital's CA still reaches public servers.
fn client(ca_pem: Option<&[u8]>) -> Result<Client, NetError> {
    // reqwest is built without a default crypto provider; ring is the one
    // this workspace already uses. Installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(READ_TIMEOUT)
        .user_agent(concat!("biomend/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = ca_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| NetError::BadCa(e.without_url().to_string()))?;
        // An empty or key-only file would otherwise be accepted silently
        // and fail later as an untrusted server.
        if certs.is_empty() {
            return Err(NetError::BadCa("it holds no certificate".into()));
        }
        builder = builder.tls_certs_merge(certs);
    }
    builder
        .build()
        .map_err(|e| NetError::Client(e.without_url().to_string()))
}

/// Sends a request and reads its JSON answer, mapping every failure to a
/// [`TransportError`]. Errors never carry the request (and so never its
/// headers).
fn call<T: DeserializeOwned>(req: RequestBuilder) -> Result<T, TransportError> {
    let resp = req.send().map_err(send_error)?;
    read(resp)
}

fn send_error(e: reqwest::Error) -> TransportError {
    // A refused certificate also surfaces as a connect error; it is not
    // "offline" (the server answered) and retrying will not fix it.
    if let Some(why) = certificate_problem(&e) {
        return TransportError::Untrusted(why);
    }
    if e.is_connect() || e.is_timeout() || e.is_request() {
        TransportError::Offline
    } else {
        TransportError::Server(e.without_url().to_string())
    }
}

/// Why the server's certificate was refused, if that is what `e` (or an
/// error under it) says.
fn certificate_problem(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(rustls::Error::InvalidCertificate(c)) = err.downcast_ref::<rustls::Error>() {
            return Some(describe_certificate_error(c));
        }
        // `io::Error::source` skips the error it wraps, and hyper-rustls
        // nests the handshake failure in io errors: step into them.
        cur = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

fn describe_certificate_error(c: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match c {
        C::UnknownIssuer => "it was issued by an authority this device does not trust; \
            for a hospital's internal CA, give its certificate (--ca-cert)"
            .into(),
        C::Expired | C::ExpiredContext { .. } => "it has expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "it was issued for another server name".into()
        }
        C::Revoked => "it has been revoked".into(),
        other => format!("{other:?}"),
    }
}

fn read<T: DeserializeOwned>(resp: Response) -> Result<T, TransportError> {
    let status = resp.status();
    let body = resp.bytes().map_err(|e| {
        if e.is_timeout() {
            TransportError::Offline
        } else {
            TransportError::Server(format!("reading the answer: {}", e.without_url()))
        }
    })?;
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(|e| {
            TransportError::Server(format!("the server's answer could not be read: {e}"))
        });
    }
    let err: Option<ErrorBody> = serde_json::from_slice(&body).ok();
    if status == StatusCode::GONE && err.as_ref().is_some_and(|b| b.code == RESYNC_REQUIRED) {
        return Err(TransportError::ResyncRequired);
    }
    if status.is_client_error() {
        return Err(TransportError::Rejected(err.unwrap_or_else(|| ErrorBody {
            code: if status == StatusCode::UPGRADE_REQUIRED {
                CLIENT_TOO_OLD.to_string()
            } else {
                format!("http_{}", status.as_u16())
            },
            message: status.canonical_reason().unwrap_or("refused").to_string(),
        })));
    }
    Err(TransportError::Server(match err {
        Some(b) => b.to_string(),
        None => format!("HTTP {status}"),
    }))
}

/// Signs in: enrols this device for the user and returns its id and
/// bearer token (shown once). The password is only in the request body.
pub fn login(server_url: &str, req: &LoginRequest) -> Result<LoginResponse, LoginError> {
    login_with_ca(server_url, None, req)
}

/// [`login`], also trusting the CA certificates in `ca_pem` (PEM).
pub fn login_with_ca(
    server_url: &str,
    ca_pem: Option<&[u8]>,
    req: &LoginRequest,
) -> Result<LoginResponse, LoginError> {
    let base = base_url(server_url)?;
    let c = client(ca_pem)?;
    Ok(call(c.post(format!("{base}/v1/login")).json(req))?)
}

/// Why a sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// What the app core's `login` expects from its call: a client that could
/// not even be built (a bad URL or CA file) is a failure on this side,
/// reported like any other that retrying alone will not fix.
impl From<LoginError> for TransportError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::Transport(t) => t,
            LoginError::Net(n) => TransportError::Server(n.to_string()),
        }
    }
}

/// The sync transport and supervisor calls of one signed-in device.
pub struct HttpTransport {
    base: String,
    token: String,
    client: Client,
}

impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTransport")
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl HttpTransport {
    /// A transport to `server_url` carrying `token` on every request.
    pub fn new(server_url: &str, token: &str) -> Result<HttpTransport, NetError> {
        Self::new_with_ca(server_url, token, None)
    }

    /// [`HttpTransport::new`], also trusting the CA certificates in
    /// `ca_pem` (PEM), e.g. a hospital's internal CA.
    pub fn new_with_ca(
        server_url: &str,
        token: &str,
        ca_pem: Option<&[u8]>,
    ) -> Result<HttpTransport, NetError> {
        Ok(HttpTransport {
            base: base_url(server_url)?,
            token: token.to_string(),
            client: client(ca_pem)?,
        })
    }

    pub fn server_url(&self) -> &str {
        &self.base
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    fn post<B: Serialize + ?Sized>(&self, path: &str, body: &B) -> RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
    }
}

impl Transport for HttpTransport {
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        call(self.post("/v1/push", req))
    }

    fn pull(&mut self, req: &PullRequest) -> Result<PullResponse, TransportError> {
        call(self.post("/v1/pull", req))
    }
}

impl SupervisorApi for HttpTransport {
    fn incoming(
        &mut self,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<IncomingV1>, TransportError> {
        let mut req = self.get("/v1/supervisor/incoming");
        if let Some(t) = since {
            req = req.query(&[("since", t.to_rfc3339_opts(SecondsFormat::Secs, true))]);
        }
        call(req)
    }

    fn conflicts(&mut self, all: bool) -> Result<Vec<ConflictV1>, TransportError> {
        call(
            self.get("/v1/supervisor/conflicts")
                .query(&[("state", if all { "all" } else { "open" })]),
        )
    }

    fn resolve(&mut self, id: Uuid, r: &ResolveConflict) -> Result<ConflictV1, TransportError> {
        call(self.post(&format!("/v1/supervisor/conflicts/{id}/resolve"), r))
    }

    fn sign_off_queue(&mut self) -> Result<Vec<SignOffItemV1>, TransportError> {
        call(self.get("/v1/supervisor/sign-off-queue"))
    }
}
