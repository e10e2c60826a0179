//! First-run set-up of an empty database: the first site and an
//! administrator, and adding users. Accounts and passwords for the central
//! server live there; the local store keeps who is who, for the audit trail
//! and for roles.

use crate::{App, CoreError, Result, new_id, require};
use biomend_domain::checklist::{SafetyEdition, SafetyLimit};
use biomend_domain::org::Site;
use biomend_domain::user::{Role, User};
use biomend_store::Actor;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Init {
    pub site_code: String,
    pub site_name: String,
    pub admin_username: String,
    pub admin_name: String,
}

/// Electrical-safety limits per NFPA 99 edition, shipped as data so a new
/// edition is a data change, not a code change.
const SAFETY_EDITIONS: &str = include_str!("../../../assets/safety-editions.json");

#[derive(Deserialize)]
struct EditionsFile {
    in_force: String,
    editions: Vec<EditionData>,
}

#[derive(Deserialize)]
struct EditionData {
    name: String,
    limits: Vec<SafetyLimit>,
}

fn check_username(u: &str) -> Result<()> {
    let ok = !u.is_empty()
        && u.len() <= 64
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(
            "username",
            format!("'{u}' must be 1-64 letters, digits, '.', '_' or '-'"),
        ))
    }
}

/// Creates the first site and administrator; refuses a database that
/// already has users.
pub fn init(app: &mut App, input: &Init) -> Result<User> {
    if app.store().reader().count("users")? > 0 {
        return Err(CoreError::invalid(
            "database",
            "already set up; add users with an administrator account",
        ));
    }
    check_username(&input.admin_username)?;
    if input.site_code.trim().is_empty() || input.site_name.trim().is_empty() {
        return Err(CoreError::invalid(
            "site",
            "code and name must not be empty",
        ));
    }
    let now = app.now();
    let ms = now.timestamp_millis().max(0) as u64;
    let mut ids = crate::env::IdGen::from_os();
    let site = Site {
        id: new_id(&mut ids, ms),
        code: input.site_code.trim().to_uppercase(),
        name: input.site_name.trim().into(),
    };
    let admin = User {
        id: new_id(&mut ids, ms),
        username: input.admin_username.clone(),
        display_name: input.admin_name.trim().to_string(),
        role: Role::Admin,
        sites: vec![site.id],
        active: true,
        loaded_rate_cents: None,
    };
    let editions: EditionsFile = serde_json::from_str(SAFETY_EDITIONS)
        .map_err(|e| CoreError::invalid("assets/safety-editions.json", e.to_string()))?;
    let a2 = admin.clone();
    app.store_mut().write(&Actor::system("setup"), now, |tx| {
        tx.insert_site(&site)?;
        tx.insert_user(&a2)?;
        for e in editions.editions {
            tx.insert_safety_edition(&SafetyEdition {
                id: new_id(&mut ids, ms),
                name: e.name,
                limits: e.limits,
            })?;
        }
        tx.set_setting(crate::SETTING_SAFETY_EDITION, &editions.in_force)?;
        Ok::<_, CoreError>(())
    })?;
    Ok(admin)
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Site codes; empty means the administrator's own sites.
    pub sites: Vec<String>,
}

pub fn add_user(app: &mut App, admin: &str, input: &NewUser) -> Result<User> {
    let me = app.user(admin)?;
    require(&me, me.role == Role::Admin, "add users")?;
    check_username(&input.username)?;
    let r = app.store().reader();
    let mut sites = Vec::new();
    for code in &input.sites {
        sites.push(
            r.site_by_name(code)?
                .ok_or_else(|| CoreError::NotFound {
                    what: "site",
                    key: code.clone(),
                })?
                .id,
        );
    }
    if sites.is_empty() {
        sites = me.sites.clone();
    }
    app.write(&me, |tx, ids, ms| {
        let u = User {
            id: new_id(ids, ms),
            username: input.username.clone(),
            display_name: input.display_name.trim().to_string(),
            role: input.role,
            sites,
            active: true,
            loaded_rate_cents: None,
        };
        tx.insert_user(&u)?;
        Ok(u)
    })
}
