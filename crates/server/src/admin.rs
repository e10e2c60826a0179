//! The operator's commands behind the `biomend-server` binary: add users,
//! enrol, list and revoke devices, create the demo hospital, serve. The
//! binary only parses arguments and prints; everything it does is here.

use crate::auth::{self, AuthError, HashCost, NewUser, Token};
use crate::backend::{AnyBackend, Backend, Database, DeviceRow, StoreError};
use crate::http::{self, Config, TlsFiles};
use crate::seed::{self, SeedError, SeedSummary};
use biomend_demo::DemoParams;
use chrono::{NaiveDate, Utc};
use std::net::SocketAddr;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Seed(#[from] SeedError),
    #[error(transparent)]
    Serve(#[from] http::ServeError),
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("could not start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("{0}")]
    NotFound(String),
}

/// Opens (creating or migrating if needed) the server database.
pub fn open(db: &Database) -> Result<AnyBackend, AdminError> {
    Ok(db.open()?)
}

/// `user add`: a new account; the password must be strong.
pub fn add_user(backend: &impl Backend, new: &NewUser) -> Result<Uuid, AdminError> {
    auth::check_password_strength(&new.username, &new.password)?;
    let hash = auth::hash_password(&new.password, &HashCost::default())?;
    let now = Utc::now();
    let user = backend.write(|txn| -> Result<_, AdminError> {
        Ok(auth::add_user(txn, new, hash, crate::apply::new_id(now)?)?)
    })?;
    Ok(user.id)
}

/// `device enroll`: a device for a user, with its token (shown once).
pub fn enroll_device(
    backend: &impl Backend,
    username: &str,
    name: &str,
) -> Result<(DeviceRow, Token), AdminError> {
    backend.write(|txn| -> Result<_, AdminError> {
        let user = txn
            .user_by_username(username)?
            .ok_or_else(|| AdminError::NotFound(format!("no user '{username}'")))?;
        Ok(auth::enroll_device(txn, &user, name, 0, Utc::now())?)
    })
}

/// `device list`: every device with its user's name.
pub fn list_devices(backend: &impl Backend) -> Result<Vec<(DeviceRow, String)>, AdminError> {
    backend.read(|txn| -> Result<_, AdminError> {
        let mut out = Vec::new();
        for d in txn.devices()? {
            let name = txn.user(d.user_id)?.map(|u| u.username).unwrap_or_default();
            out.push((d, name));
        }
        Ok(out)
    })
}

/// `device revoke`: the device's token stops working at once.
pub fn revoke_device(backend: &impl Backend, id: Uuid) -> Result<(), AdminError> {
    let found = backend.write(|txn| txn.revoke_device(id, Utc::now()))?;
    if found {
        Ok(())
    } else {
        Err(AdminError::NotFound(format!("no device {id}")))
    }
}

/// `demo`: loads the small demo hospital (as of `as_of`, if given) into a
/// new database; `None` when the database already held data.
pub fn create_demo(
    backend: &impl Backend,
    as_of: Option<NaiveDate>,
) -> Result<Option<SeedSummary>, AdminError> {
    if backend.read(|txn| txn.last_version())? != 0 {
        return Ok(None);
    }
    let mut params = DemoParams::small();
    if let Some(d) = as_of {
        params.as_of = d;
    }
    Ok(Some(seed::seed_demo(
        backend,
        &params,
        seed::DEMO_PASSWORD,
        &HashCost::default(),
    )?))
}

/// Binds `listen` (port 0 picks a free port), calls `on_listening` with
/// the bound address, and serves `backend` until SIGTERM or ctrl-c.
pub fn serve<B: Backend>(
    backend: B,
    listen: SocketAddr,
    tls: Option<TlsFiles>,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), AdminError> {
    // Checked first so a bad certificate or key stops the server, naming
    // the file, before it says it listens (`serve` loads them again).
    if let Some(files) = &tls {
        files.load().map_err(http::ServeError::from)?;
    }
    let backend = Arc::new(backend);
    let listener = std::net::TcpListener::bind(listen).map_err(|source| AdminError::Listen {
        addr: listen,
        source,
    })?;
    let addr = listener.local_addr().map_err(|source| AdminError::Listen {
        addr: listen,
        source,
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(AdminError::Runtime)?;
    on_listening(addr);
    let app = http::router(backend.clone(), Config::default());
    let served = runtime.block_on(http::serve(listener, app, tls, http::shutdown_signal()));
    // The runtime goes first, so the backend's last reference drops here,
    // off the runtime: the PostgreSQL client blocks on its own runtime
    // when it closes, which panics on a runtime's thread.
    drop(runtime);
    drop(backend);
    served?;
    Ok(())
}
