//! This device's enrolment with the server. The bearer token is a secret:
//! it is kept in its own table, written without an audit row, and never
//! shown by `Debug`.

use crate::codec::{RowExt, ts};
use crate::read::Reader;
use crate::{Result, Store};
use biomend_domain::ids::UserId;
use chrono::{DateTime, Utc};
use rusqlite::params;
use std::fmt;
use uuid::Uuid;

/// Where this device syncs and as whom.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceLogin {
    pub server_url: String,
    /// The id the server enrolled this device under.
    pub device_id: Uuid,
    pub user_id: UserId,
    pub username: String,
    /// The bearer token; a secret.
    pub token: String,
    pub logged_in_at: DateTime<Utc>,
    /// A PEM file of extra CA certificates to trust for this server (a
    /// hospital's internal CA), on top of the platform's roots.
    pub ca_cert_path: Option<String>,
}

impl fmt::Debug for DeviceLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceLogin")
            .field("server_url", &self.server_url)
            .field("device_id", &self.device_id)
            .field("user_id", &self.user_id)
            .field("username", &self.username)
            .field("token", &"<redacted>")
            .field("logged_in_at", &self.logged_in_at)
            .field("ca_cert_path", &self.ca_cert_path)
            .finish()
    }
}

impl Store {
    /// Records a sign-in, replacing any earlier one. Not audited: the row
    /// holds a secret, and the audit log is for data changes.
    pub fn save_login(&mut self, login: &DeviceLogin) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO device_login (one, server_url, device_id, user_id, username, token, logged_in_at, ca_cert_path)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (one) DO UPDATE SET server_url = excluded.server_url,
                    device_id = excluded.device_id, user_id = excluded.user_id,
                    username = excluded.username, token = excluded.token,
                    logged_in_at = excluded.logged_in_at,
                    ca_cert_path = excluded.ca_cert_path",
            )?
            .execute(params![
                login.server_url,
                login.device_id,
                login.user_id.0,
                login.username,
                login.token,
                ts(login.logged_in_at),
                login.ca_cert_path
            ])?;
        Ok(())
    }

    /// Forgets the sign-in (the token and the offline verifier go with it).
    pub fn clear_login(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM device_login", [])?;
        tx.execute("DELETE FROM sync_state WHERE key = ?1", [OFFLINE_VERIFIER])?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps the password verifier (an argon2 PHC string, never the
    /// password) of the user this device is signed in as, so that user can
    /// sign in again without a connection. Not audited, like the token.
    pub fn save_offline_verifier(&mut self, phc: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![OFFLINE_VERIFIER, phc])?;
        Ok(())
    }
}

/// `sync_state` key of the signed-in user's offline password verifier.
const OFFLINE_VERIFIER: &str = "offline_verifier";

impl Reader<'_> {
    /// The signed-in user's offline password verifier, if one was kept.
    pub fn offline_verifier(&self) -> Result<Option<String>> {
        self.sync_value(OFFLINE_VERIFIER)
    }

    /// This device's sign-in, if it has one.
    pub fn device_login(&self) -> Result<Option<DeviceLogin>> {
        let mut st = self.c.prepare_cached("SELECT * FROM device_login")?;
        let mut rows = st.query([])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        Ok(Some(DeviceLogin {
            server_url: r.text("server_url")?,
            device_id: r.uuid("device_id")?,
            user_id: UserId(r.uuid("user_id")?),
            username: r.text("username")?,
            token: r.text("token")?,
            logged_in_at: r.ts("logged_in_at")?,
            ca_cert_path: r.text_opt("ca_cert_path")?,
        }))
    }
}
