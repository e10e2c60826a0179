//! The use cases technicians and supervisors perform, over the local store.
//!
//! Owns: one module per use case, each with typed input and output
//! (`find_asset`, `search`, `asset_page`, `asset_edit`, `my_day`,
//! `corrective`, `workflow`, `pm`, `sign_off`, `import`, `export`, `demo`);
//! signing the device in and syncing it (`sync`, over a transport the caller
//! passes in); the supervisor's questions to the server (`supervisor`); the
//! hospital's settings that tune the reports and rules (`settings`: risk
//! thresholds, PM window, weights); the injected clock and id source
//! ([`env`]).
//!
//! Invariants: every use case that changes data is one store transaction,
//! checks the acting user's role first and the domain rules before it
//! writes, so a refused action writes nothing; every user action that
//! changes data also queues exactly one sync mutation describing what it
//! wrote, in that same transaction ([`outbox`]).
//!
//! Must not know: windows, terminals, HTTP, or SQL. The Tauri shell and the
//! `biomend` CLI both call this crate and only this crate for behaviour.

pub mod env;
pub mod error;

pub mod analytics;
pub mod asset_edit;
pub mod asset_page;
pub mod corrective;
pub mod demo;
pub mod export;
pub mod find_asset;
pub mod import;
pub mod my_day;
pub mod outbox;
pub mod pm;
pub mod search;
pub mod settings;
pub mod setup;
pub mod sign_off;
pub mod supervisor;
pub mod survey;
pub mod sync;
pub mod team;
pub mod work_order_page;
pub mod workflow;

pub use error::CoreError;

use biomend_domain::ids::*;
use biomend_domain::pm::WindowPolicy;
use biomend_domain::risk::RiskPolicy;
use biomend_domain::user::User;
use biomend_store::{Actor, Store};
use chrono::{DateTime, Utc};
use env::{Clock, IdGen, SystemClock};
use std::path::Path;
use std::sync::Arc;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// The policies the technicians' screens judge with (risk class, PM
/// window): the hospital's settings, the same the reports use.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Policies {
    pub risk: RiskPolicy,
    pub pm_window: WindowPolicy,
}

pub const SETTING_SAFETY_EDITION: &str = "safety_edition";

/// The application: a store plus the injected clock and id source.
#[derive(Debug)]
pub struct App {
    store: Store,
    clock: Arc<dyn Clock>,
    ids: IdGen,
}

impl App {
    /// Opens the database at `path` with the real clock and OS randomness.
    pub fn open(path: &Path) -> Result<App> {
        Ok(App::new(
            Store::open(path)?,
            Arc::new(SystemClock),
            IdGen::from_os(),
        ))
    }

    pub fn new(store: Store, clock: Arc<dyn Clock>, ids: IdGen) -> App {
        App { store, clock, ids }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The hospital's settings in force (its stored group, else the
    /// defaults).
    pub fn settings(&self) -> Result<biomend_analytics::Settings> {
        settings::in_force(self)
    }

    /// The policies in force, from the hospital's settings.
    pub fn policies(&self) -> Result<Policies> {
        let s = self.settings()?;
        Ok(Policies {
            risk: s.risk,
            pm_window: s.pm_window,
        })
    }

    /// Looks up the acting user; inactive accounts act on nothing.
    pub fn user(&self, username: &str) -> Result<User> {
        let u = self
            .store
            .reader()
            .user_by_username(username)?
            .ok_or_else(|| CoreError::NotFound {
                what: "user",
                key: username.to_string(),
            })?;
        if !u.active {
            return Err(CoreError::Forbidden(format!(
                "user '{}' is deactivated",
                u.username
            )));
        }
        Ok(u)
    }

    pub(crate) fn write<T>(
        &mut self,
        actor: &User,
        f: impl FnOnce(&mut biomend_store::Tx<'_>, &mut IdGen, u64) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock.now();
        let millis = now.timestamp_millis().max(0) as u64;
        let ids = &mut self.ids;
        self.store
            .write(&Actor::user(actor), now, |tx| f(tx, ids, millis))
    }
}

/// Mints a typed id from the generator at the given time.
pub(crate) fn new_id<T: From<uuid::Uuid>>(ids: &mut IdGen, millis: u64) -> T {
    T::from(biomend_domain::ids::new_v7(millis, ids.bytes()))
}

/// Checks that `user` may do `what`, given the role test.
pub(crate) fn require(user: &User, allowed: bool, what: &str) -> Result<()> {
    if allowed {
        Ok(())
    } else {
        Err(CoreError::Forbidden(format!(
            "a {} cannot {what}",
            user.role.as_str().replace('_', " ")
        )))
    }
}

/// The asset a user may act on, found by its tag as scanned or typed:
/// the cleaned tag and the asset page's detail.
pub(crate) fn asset_for(
    app: &App,
    user: &User,
    scanned: &str,
) -> Result<(String, biomend_store::AssetDetail)> {
    let tag = biomend_domain::asset::normalize_tag(scanned)?;
    let r = app.store().reader();
    let id = r
        .asset_id_by_tag(&tag)?
        .ok_or_else(|| CoreError::NotFound {
            what: "asset tag",
            key: tag.clone(),
        })?;
    let detail = r.asset_detail(id)?.ok_or_else(|| CoreError::NotFound {
        what: "asset",
        key: tag.clone(),
    })?;
    require_site(user, detail.site.id)?;
    Ok((tag, detail))
}

/// The user may act on data of this site.
pub fn require_site(user: &User, site: SiteId) -> Result<()> {
    if user.sites.contains(&site) || user.role == biomend_domain::user::Role::Admin {
        Ok(())
    } else {
        Err(CoreError::Forbidden(format!(
            "user '{}' has no access to that site",
            user.username
        )))
    }
}
