//! Setting up a new hospital on an empty server (`biomend-server init`):
//! its first site, its first administrator and its name, in one
//! transaction, refused on a database that already holds anything.
//!
//! The hospital's name is a hospital settings group, [`GROUP`]
//! (`hospital`), with the key [`NAME_KEY`] (`name`): a global row every
//! device pulls (protocol 2 and later) and keeps as the group
//! `hospital_settings:hospital`, beside `analytics`. Devices store any
//! group by name, so the new group needs nothing new on the device side;
//! pushes still change only `analytics` (`apply` refuses other groups), so
//! the name is the administrator's to set here.

use crate::accounts::{self, NewAccount};
use crate::backend::{Txn, UserRow};
use crate::places::{self, ManageError};
use biomend_domain::settings::MAX_VALUE_LEN;
use biomend_domain::user::Role;
use biomend_protocol::admin::NewSite;
use biomend_protocol::{HospitalSettingsV1, Kind, Record, SiteV1};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The settings group that holds the hospital's own facts.
pub const GROUP: &str = "hospital";
/// The hospital's name in [`GROUP`].
pub const NAME_KEY: &str = "name";

/// What `init` sets up. `Debug` shows no secret (the hash sits in
/// [`NewAccount`], which redacts it).
#[derive(Clone, Debug)]
pub struct Setup {
    pub hospital_name: String,
    pub site: NewSite,
    pub admin: NewAccount,
}

/// What `init` wrote.
#[derive(Clone, Debug)]
pub struct SetUp {
    pub site: SiteV1,
    pub admin: UserRow,
}

/// Checks the hospital's name: 1 to [`MAX_VALUE_LEN`] characters.
pub fn check_name(name: &str) -> Result<String, ManageError> {
    places::required_text("the hospital name", name, MAX_VALUE_LEN)
}

/// Refuses a store that holds anything (a row or an account), naming it.
pub fn require_empty(txn: &mut dyn Txn) -> Result<(), ManageError> {
    if accounts::store_is_empty(txn)? {
        return Ok(());
    }
    let users = txn.users()?.len();
    Err(ManageError::Refused(format!(
        "the database already holds data ({users} user accounts, and rows up to version {}); init sets up only a new, empty database, and nothing was changed",
        txn.last_version()?
    )))
}

/// Sets up a new hospital in an empty store: the first site (scoped to
/// itself, like every site), the administrator (role admin, at that
/// site) and the hospital's name. The caller runs it in one write
/// transaction, so a refusal leaves nothing.
pub fn init(
    txn: &mut dyn Txn,
    setup: &Setup,
    site_id: Uuid,
    admin_id: Uuid,
    now: DateTime<Utc>,
) -> Result<SetUp, ManageError> {
    require_empty(txn)?;
    let name = check_name(&setup.hospital_name)?;
    let site = places::add_site(txn, &setup.site, site_id)?;
    let admin = accounts::create(
        txn,
        &NewAccount {
            role: Role::Admin,
            sites: vec![site.id],
            ..setup.admin.clone()
        },
        admin_id,
    )?;
    set_name(txn, &name, admin.id, now)?;
    Ok(SetUp { site, admin })
}

/// The hospital's name, if one was set.
pub fn name(txn: &mut dyn Txn) -> Result<Option<String>, ManageError> {
    Ok(group(txn)?.and_then(|g| g.values.get(NAME_KEY).cloned()))
}

fn group(txn: &mut dyn Txn) -> Result<Option<HospitalSettingsV1>, ManageError> {
    let Some(row) = txn.get_row(Kind::HospitalSettings, GROUP)? else {
        return Ok(None);
    };
    match Record::decode(Kind::HospitalSettings, &row.body) {
        Ok(Record::HospitalSettings(g)) => Ok(Some(g)),
        _ => Err(ManageError::Store(crate::StoreError::Corrupt {
            what: "hospital settings",
            detail: "the hospital group does not decode".into(),
        })),
    }
}

/// Sets the hospital's name (keeping the group's other values), as
/// `by` at `at`; devices pull the group.
pub fn set_name(
    txn: &mut dyn Txn,
    name: &str,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<(), ManageError> {
    let name = check_name(name)?;
    let mut values: BTreeMap<String, String> = group(txn)?.map(|g| g.values).unwrap_or_default();
    values.insert(NAME_KEY.to_string(), name);
    let record = Record::HospitalSettings(HospitalSettingsV1 {
        name: GROUP.to_string(),
        values,
        updated_by: by,
        updated_at: at,
    });
    txn.put_row(record.kind(), &record.key(), None, &record.to_json())?;
    Ok(())
}
