//! Biomend's sync server: the authority every device pushes its outbox to
//! and pulls its sites' data from.
//!
//! Owns: the row store behind one storage trait ([`backend::Backend`],
//! over SQLite ([`backend::SqliteBackend`]) or PostgreSQL
//! ([`backend::PostgresBackend`])), exactly-once push with the
//! conflict rules for contended fields ([`apply`]), pull by version cursor,
//! accounts, devices and bearer tokens ([`auth`]), the supervisor's
//! conflicts, incoming list and sign-off queue ([`supervise`]), loading a
//! whole hospital ([`seed`]), setting up a new one ([`hospital`]), importing inventory and work
//! history files ([`import`]),
//! administering its places ([`places`]) and accounts ([`accounts`]), the
//! HTTP API of `docs/http-api.md` ([`http`], described by `openapi.json`)
//! and the `biomend-server` binary's commands ([`admin`]).
//!
//! Must not know: the device side (the local store, the sync engine, the
//! app core, the CLI): it never depends on those crates. The wire format is
//! `biomend-protocol`'s; the rules of work are `biomend-domain`'s. The
//! mutation rules go through the storage trait only, so both backends run
//! them unchanged.

pub mod accounts;
pub mod admin;
pub mod apply;
pub mod auth;
pub mod backend;
pub mod hospital;
pub mod http;
pub mod import;
pub mod local;
pub mod places;
pub mod seed;
pub mod supervise;

pub use backend::{
    AnyBackend, Backend, Database, PostgresBackend, PostgresTarget, SqliteBackend, StoreError, Txn,
};
pub use http::{Config, ROUTES, TlsFiles, router, serve};
