//! A server on a loopback port inside the calling process: what end-to-end
//! tests and benchmarks start when they need the real HTTP server next to
//! the device side, without a separate binary. Production runs `serve`
//! from the `biomend-server` binary instead.

use crate::{Backend, Config, SqliteBackend, StoreError};
use std::path::Path;
use std::sync::Arc;

/// A running server over backend `B`; it stops when dropped (its runtime
/// shuts down).
pub struct LocalServer<B: Backend = SqliteBackend> {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    // Declared before `backend`, so it drops first: the server's tasks let
    // go of the backend while this value still holds it, and the backend
    // drops on the caller's thread, never on the runtime's (the PostgreSQL
    // client blocks when it closes, which panics there).
    runtime: tokio::runtime::Runtime,
    /// The store it serves, for checking what it holds.
    pub backend: Arc<B>,
}

impl<B: Backend> std::fmt::Debug for LocalServer<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalServer")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Why a local server could not start.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start a local server: {0}")]
    Io(#[from] std::io::Error),
}

impl LocalServer<SqliteBackend> {
    /// Serves the database at `db` over plain HTTP on a free loopback
    /// port, on a runtime of its own.
    pub fn start(db: &Path, config: Config) -> Result<LocalServer, LocalError> {
        LocalServer::start_at(db, config, "127.0.0.1:0")
    }

    /// Serves on the given address: a test takes the server down and brings
    /// it back on the same port, as a hospital network outage would.
    pub fn start_at(db: &Path, config: Config, addr: &str) -> Result<LocalServer, LocalError> {
        LocalServer::serve(Arc::new(SqliteBackend::open(db)?), config, addr)
    }
}

impl<B: Backend> LocalServer<B> {
    /// Serves `backend` (e.g. PostgreSQL) over plain HTTP on `addr`
    /// (`127.0.0.1:0` for a free port), on a runtime of its own.
    pub fn serve(
        backend: Arc<B>,
        config: Config,
        addr: &str,
    ) -> Result<LocalServer<B>, LocalError> {
        let router = crate::router(backend.clone(), config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = std::net::TcpListener::bind(addr)?;
        let url = format!("http://{}", listener.local_addr()?);
        runtime.spawn(async move {
            // Serving ends only with the runtime, when this value drops.
            let _ = crate::serve(listener, router, None, std::future::pending()).await;
        });
        Ok(LocalServer {
            url,
            runtime,
            backend,
        })
    }

    /// The runtime the server runs on.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
}
