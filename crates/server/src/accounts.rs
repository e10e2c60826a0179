//! Administering accounts: creating, listing and editing users (role,
//! sites, display name), deactivating them (which revokes every device
//! of theirs in the same transaction) and setting passwords. Every change
//! goes through [`auth::put_user`], so the `user` row devices pull stays
//! in step with the account. The hospital always keeps an active
//! administrator: demoting or deactivating the last one is refused.
//!
//! Password hashes are made by the caller, outside the write transaction
//! (argon2 is deliberately slow and must not hold the writer); the
//! functions here only store them. Backend-agnostic: only the [`Txn`]
//! trait.

use crate::auth;
use crate::backend::{Txn, UserRow};
use crate::places::{self, ManageError};
use biomend_domain::user::Role;
use biomend_protocol::Kind;
use chrono::{DateTime, Utc};
use std::fmt;
use uuid::Uuid;

/// The longest username.
pub const MAX_USERNAME_CHARS: usize = 100;
/// The longest display name.
pub const MAX_DISPLAY_NAME_CHARS: usize = 200;
/// The most sites one user may work at.
pub const MAX_SITES: usize = 100;

/// A role from its code, or a refusal listing the codes.
pub fn parse_role(code: &str) -> Result<Role, ManageError> {
    Role::parse(code.trim()).ok_or_else(|| {
        ManageError::Invalid(format!(
            "unknown role '{}': technician, supervisor, manager, admin or it_security",
            code.trim()
        ))
    })
}

/// A new account, its password already hashed. `Debug` hides the hash.
#[derive(Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub sites: Vec<Uuid>,
    /// An argon2 PHC string (see [`auth::hash_password`]).
    pub password_hash: String,
}

impl fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAccount")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("sites", &self.sites)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

/// What an administrator changes about an account; `None` leaves it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountChange {
    pub role: Option<Role>,
    /// Replaces the user's sites.
    pub sites: Option<Vec<Uuid>>,
    pub display_name: Option<String>,
}

/// Every account, by username.
pub fn users(txn: &mut dyn Txn) -> Result<Vec<UserRow>, ManageError> {
    Ok(txn.users()?)
}

/// The account with this username (case-insensitively) or id.
pub fn find_user(txn: &mut dyn Txn, username_or_id: &str) -> Result<UserRow, ManageError> {
    let wanted = username_or_id.trim();
    let found = match Uuid::parse_str(wanted) {
        Ok(id) => txn.user(id)?,
        Err(_) => txn.user_by_username(wanted)?,
    };
    found.ok_or_else(|| ManageError::NotFound(format!("no user '{wanted}'")))
}

/// The account with this id.
pub fn user(txn: &mut dyn Txn, id: Uuid) -> Result<UserRow, ManageError> {
    txn.user(id)?
        .ok_or_else(|| ManageError::NotFound(format!("no user {id}")))
}

/// The ids of these site codes, in order; an unknown code is refused.
pub fn site_ids(txn: &mut dyn Txn, codes: &[String]) -> Result<Vec<Uuid>, ManageError> {
    codes
        .iter()
        .map(|c| places::find_site(txn, c).map(|s| s.id))
        .collect()
}

/// Checks that every site exists; drops repeats, keeping the order.
fn check_sites(txn: &mut dyn Txn, sites: &[Uuid]) -> Result<Vec<Uuid>, ManageError> {
    if sites.len() > MAX_SITES {
        return Err(ManageError::Invalid(format!(
            "a user works at most at {MAX_SITES} sites; got {}",
            sites.len()
        )));
    }
    let mut out = Vec::with_capacity(sites.len());
    for id in sites {
        if txn.get_row(Kind::Site, &id.to_string())?.is_none() {
            return Err(ManageError::NotFound(format!("no site {id}")));
        }
        if !out.contains(id) {
            out.push(*id);
        }
    }
    Ok(out)
}

fn check_username(username: &str) -> Result<String, ManageError> {
    let name = places::required_text("the username", username, MAX_USERNAME_CHARS)?;
    if name.chars().any(char::is_whitespace) {
        return Err(ManageError::Invalid(format!(
            "the username '{name}' must not hold spaces"
        )));
    }
    Ok(name)
}

fn check_display_name(name: &str) -> Result<String, ManageError> {
    places::required_text("the display name", name, MAX_DISPLAY_NAME_CHARS)
}

/// Checks a username and password before the password is hashed: the
/// username well-formed and free, the password strong.
pub fn check_new(txn: &mut dyn Txn, username: &str, password: &str) -> Result<(), ManageError> {
    let name = check_username(username)?;
    if txn.user_by_username(&name)?.is_some() {
        return Err(ManageError::Duplicate(format!(
            "user '{name}' already exists"
        )));
    }
    auth::check_password_strength(&name, password)?;
    Ok(())
}

/// Creates an account (active), refusing a taken username or an unknown
/// site.
pub fn create(txn: &mut dyn Txn, new: &NewAccount, id: Uuid) -> Result<UserRow, ManageError> {
    let username = check_username(&new.username)?;
    if txn.user_by_username(&username)?.is_some() {
        return Err(ManageError::Duplicate(format!(
            "user '{username}' already exists"
        )));
    }
    let user = UserRow {
        id,
        username,
        display_name: check_display_name(&new.display_name)?,
        role: new.role,
        sites: check_sites(txn, &new.sites)?,
        active: true,
        password_hash: new.password_hash.clone(),
    };
    auth::put_user(txn, &user)?;
    Ok(user)
}

/// Refuses to leave the hospital without an active administrator when
/// `user` stops being one.
fn keep_an_admin(txn: &mut dyn Txn, user: &UserRow, what: &str) -> Result<(), ManageError> {
    if !(user.active && user.role == Role::Admin) {
        return Ok(());
    }
    let others = txn
        .users()?
        .into_iter()
        .filter(|u| u.id != user.id && u.active && u.role == Role::Admin)
        .count();
    if others == 0 {
        return Err(ManageError::Refused(format!(
            "'{}' is the last active administrator and cannot be {what}; make another user admin first",
            user.username
        )));
    }
    Ok(())
}

/// Changes an account's role, sites or display name.
pub fn edit(txn: &mut dyn Txn, id: Uuid, change: &AccountChange) -> Result<UserRow, ManageError> {
    let mut u = user(txn, id)?;
    if let Some(role) = change.role {
        if role != Role::Admin {
            keep_an_admin(txn, &u, "demoted")?;
        }
        u.role = role;
    }
    if let Some(sites) = &change.sites {
        u.sites = check_sites(txn, sites)?;
    }
    if let Some(name) = &change.display_name {
        u.display_name = check_display_name(name)?;
    }
    auth::put_user(txn, &u)?;
    Ok(u)
}

/// Deactivates an account and revokes every device of it, together: its
/// tokens stop working at once and stay dead. Returns the account and how
/// many devices were revoked.
pub fn deactivate(
    txn: &mut dyn Txn,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(UserRow, u64), ManageError> {
    let mut u = user(txn, id)?;
    keep_an_admin(txn, &u, "deactivated")?;
    u.active = false;
    auth::put_user(txn, &u)?;
    let revoked = txn.revoke_user_devices(u.id, at)?;
    Ok((u, revoked))
}

/// Stores a new password hash for an account.
pub fn set_password_hash(
    txn: &mut dyn Txn,
    id: Uuid,
    password_hash: String,
) -> Result<UserRow, ManageError> {
    let mut u = user(txn, id)?;
    u.password_hash = password_hash;
    // The hash is not replicated, but the account and its row are written
    // together every time, so they never drift.
    auth::put_user(txn, &u)?;
    Ok(u)
}

/// The codes of a user's sites, for listings (an unknown id shows as is).
pub fn site_codes(txn: &mut dyn Txn, user: &UserRow) -> Result<Vec<String>, ManageError> {
    let sites = places::sites(txn)?;
    Ok(user
        .sites
        .iter()
        .map(|id| {
            sites
                .iter()
                .find(|s| s.id == *id)
                .map_or_else(|| id.to_string(), |s| s.code.clone())
        })
        .collect())
}

/// Whether the store holds no data at all: no row ever written and no
/// account.
pub fn store_is_empty(txn: &mut dyn Txn) -> Result<bool, ManageError> {
    Ok(txn.last_version()? == 0 && txn.users()?.is_empty())
}
