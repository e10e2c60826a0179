//! The sync wire format between a device and the server.
//!
//! Owns: the protocol version, the versioned wire records (`...V1`) with
//! their hand-written conversions to and from domain types, the named and
//! versioned mutations a device records in its outbox (one per user
//! action), the envelope they travel in, the push request and answer a
//! device exchanges with the server ([`PushRequest`], [`PushResponse`]),
//! and the hybrid logical clock ([`Hlc`]) that orders events for the audit
//! trail.
//!
//! The domain types are deliberately not the wire format: a domain type may
//! change shape freely, while a wire type, once shipped, only ever gains a
//! new version. Enum codes travel as their stable strings, money as integer
//! cents, ids as UUIDs.
//!
//! Must not know: SQL, HTTP, files, the store, or the wall clock (callers
//! pass the time in), so this crate builds for `wasm32-unknown-unknown`.

pub mod admin;
mod auth;
mod error;
mod hlc;
mod mutation;
mod program;
mod pull;
mod push;
mod records;
mod reference;
mod supervisor;

pub use auth::{LoginRequest, LoginResponse};
pub use error::ProtocolError;
pub use hlc::Hlc;
pub use mutation::*;
pub use program::*;
pub use pull::*;
pub use push::*;
pub use records::*;
pub use reference::*;
pub use supervisor::*;

/// The version of the sync protocol this build speaks; it travels with
/// every request, next to the store's schema version.
///
/// 2: the HTM program's records (vendors, contracts, recalls, network
/// profiles, usage windows, training events, vendor invoices, hospital
/// settings) are pulled too, and settings are changed with
/// `set_hospital_settings@1`. A server sends a device only the kinds its
/// version knows ([`Kind::since`]); a device whose copy was pulled at an
/// older version pulls again from zero to receive the rest.
pub const PROTOCOL_VERSION: u16 = 2;
