//! Accounts and devices: argon2 password hashes, random device tokens of
//! which only the SHA-256 is stored, login, and finding the device and user
//! behind a bearer token. Backend-agnostic.
//!
//! Secrets never reach a log: no function here formats a password or a
//! token into an error, and the types that hold them redact `Debug`.

use crate::backend::{DeviceRow, StoreError, Txn, UserRow};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, Params};
use biomend_domain::user::Role;
use biomend_protocol::{Kind, Record, UserV1};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::fmt;
use uuid::Uuid;

/// The argon2 cost of new password hashes. Production uses the argon2
/// crate's defaults ([`HashCost::default`]); tests pass
/// [`HashCost::fast_for_tests`] through the server configuration, never a
/// `cfg(test)` switch. Verification always uses the cost written in the
/// stored hash, so a hash made at one cost verifies under any setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost {
            memory_kib: Params::DEFAULT_M_COST,
            iterations: Params::DEFAULT_T_COST,
            parallelism: Params::DEFAULT_P_COST,
        }
    }
}

impl HashCost {
    /// The cheapest cost argon2 allows; only for test suites.
    pub fn fast_for_tests() -> Self {
        HashCost {
            memory_kib: Params::MIN_M_COST,
            iterations: Params::MIN_T_COST,
            parallelism: Params::MIN_P_COST,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    #[error("{0}")]
    WeakPassword(String),
    #[error("no user '{0}'")]
    NoSuchUser(String),
    #[error("{0}")]
    Invalid(String),
}

/// Hashes a password at `cost` with a fresh random salt (PHC string).
pub fn hash_password(password: &str, cost: &HashCost) -> Result<String, AuthError> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
        .map_err(|e| AuthError::Hash(e.to_string()))?;
    let argon = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AuthError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AuthError::Hash(e.to_string()))?;
    Ok(argon
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AuthError::Hash(e.to_string()))?
        .to_string())
}

/// Whether `password` matches the stored hash. argon2's verify compares
/// in constant time; an empty or unreadable hash matches nothing.
pub fn verify_password(stored: &str, password: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok()
}

/// The shortest password `user add` accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Refuses passwords that are empty, short, or the username.
pub fn check_password_strength(username: &str, password: &str) -> Result<(), AuthError> {
    if password.trim().is_empty() {
        return Err(AuthError::WeakPassword("the password is empty".into()));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword(format!(
            "the password is shorter than {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(AuthError::WeakPassword(
            "the password must not be the username".into(),
        ));
    }
    Ok(())
}

/// A device's bearer token: shown once, never stored. `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(pub String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Token {
    /// 256 random bits from the OS, as 64 hex digits.
    pub fn generate() -> Result<Token, AuthError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
        Ok(Token(hex(&bytes)))
    }

    pub fn sha256(&self) -> [u8; 32] {
        token_sha256(&self.0)
    }
}

/// What the store keeps of a token.
pub fn token_sha256(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// The user as devices see them.
pub fn user_v1(u: &UserRow) -> UserV1 {
    UserV1 {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.as_str().to_string(),
        sites: u.sites.clone(),
        active: u.active,
    }
}

/// Writes a user's account and the `user` row devices pull, together.
pub fn put_user(txn: &mut dyn Txn, user: &UserRow) -> Result<(), StoreError> {
    txn.put_user(user)?;
    txn.put_row(
        Kind::User,
        &user.id.to_string(),
        None,
        &Record::User(user_v1(user)).to_json(),
    )?;
    Ok(())
}

/// A new account from the command line.
#[derive(Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Site codes, e.g. `MAIN`.
    pub site_codes: Vec<String>,
    pub password: String,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("site_codes", &self.site_codes)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Creates an account (refusing weak passwords and unknown site codes).
pub fn add_user(
    txn: &mut dyn Txn,
    new: &NewUser,
    password_hash: String,
    id: Uuid,
) -> Result<UserRow, AuthError> {
    if new.username.trim().is_empty() || new.username.chars().count() > 100 {
        return Err(AuthError::Invalid(
            "the username must be 1 to 100 characters".into(),
        ));
    }
    if txn.user_by_username(&new.username)?.is_some() {
        return Err(AuthError::Invalid(format!(
            "user '{}' already exists",
            new.username
        )));
    }
    let sites_rows = txn.rows_of_kind(Kind::Site)?;
    let mut sites = Vec::new();
    for code in &new.site_codes {
        let found = sites_rows
            .iter()
            .find_map(|r| match Record::decode(Kind::Site, &r.body) {
                Ok(Record::Site(s)) if s.code.eq_ignore_ascii_case(code) => Some(s.id),
                _ => None,
            });
        match found {
            Some(id) => sites.push(id),
            None => {
                return Err(AuthError::Invalid(format!("no site with code '{code}'")));
            }
        }
    }
    let user = UserRow {
        id,
        username: new.username.trim().to_string(),
        display_name: new.display_name.trim().to_string(),
        role: new.role,
        sites,
        active: true,
        password_hash,
    };
    put_user(txn, &user)?;
    Ok(user)
}

/// Enrols a new device for `user` and returns it with its token (the only
/// time the token exists outside the device).
///
/// `next_seq` is the seq of the first mutation the device will push (0
/// or 1 for a new tablet): a tablet signed in again for another user
/// keeps numbering its outbox where it was, so its new device starts
/// there (`last_seq = next_seq - 1`) instead of expecting seq 1.
pub fn enroll_device(
    txn: &mut dyn Txn,
    user: &UserRow,
    name: &str,
    next_seq: u64,
    now: DateTime<Utc>,
) -> Result<(DeviceRow, Token), AuthError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AuthError::Invalid(
            "the device name must be 1 to 200 characters".into(),
        ));
    }
    // Seqs are stored as signed 64-bit integers.
    if next_seq > i64::MAX as u64 {
        return Err(AuthError::Invalid(format!(
            "next_seq must be at most {}",
            i64::MAX
        )));
    }
    let token = Token::generate()?;
    let device = DeviceRow {
        id: crate::apply::new_id(now)?,
        user_id: user.id,
        name: name.to_string(),
        token_sha256: token.sha256(),
        created_at: now,
        revoked_at: None,
        last_seq: next_seq.saturating_sub(1),
        last_seen: Some(now),
    };
    txn.insert_device(&device)?;
    Ok((device, token))
}

/// The device and user behind a bearer token, if the token is known, the
/// device not revoked and the user active.
pub fn authenticate(
    txn: &mut dyn Txn,
    token: &str,
) -> Result<Option<(DeviceRow, UserRow)>, StoreError> {
    let Some(device) = txn.device_by_token(&token_sha256(token))? else {
        return Ok(None);
    };
    if device.revoked_at.is_some() {
        return Ok(None);
    }
    match txn.user(device.user_id)? {
        Some(user) if user.active => Ok(Some((device, user))),
        _ => Ok(None),
    }
}
