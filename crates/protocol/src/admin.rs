//! The administrator's requests to the server: places (sites, buildings,
//! departments, locations) and accounts, and a signed-in user's own
//! password change. The answers are the records devices already pull
//! (`SiteV1`, `BuildingV1`, `DepartmentV1`, `LocationV1`, `UserV1`), one
//! at a time or in a [`Page`].
//!
//! An edit names only the fields it changes: an absent field is left as
//! it is, and on a field that may be empty (a department's short name or
//! cost center, a location's department) `null` clears it. Passwords never
//! appear in `Debug` output.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use uuid::Uuid;

/// The most items an administrator's listing returns at once.
pub const MAX_PAGE_LIMIT: u32 = 500;
/// The page size when a listing names none.
pub const DEFAULT_PAGE_LIMIT: u32 = 100;

/// One page of a listing, in a stable order (by code or name).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items the whole listing holds.
    pub total: u64,
    /// The `offset` of the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u64>,
}

/// Absent stays `None` (unchanged); `null` becomes `Some(None)` (clear).
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `POST /v1/admin/sites`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    /// Short code printed on reports, e.g. `MAIN`; unique in the hospital.
    pub code: String,
    pub name: String,
}

/// `PATCH /v1/admin/sites/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `POST /v1/admin/buildings`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBuilding {
    pub site_id: Uuid,
    /// Unique within its site.
    pub name: String,
}

/// `PATCH /v1/admin/buildings/{id}`. A building stays at its site.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildingEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `POST /v1/admin/departments`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    pub site_id: Uuid,
    /// Unique within its site.
    pub name: String,
    /// What staff call it, e.g. "ED"; unique within its site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
}

/// `PATCH /v1/admin/departments/{id}`. A department stays at its site.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `null` clears it.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub short_name: Option<Option<String>>,
    /// `null` clears it.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub cost_center: Option<Option<String>>,
}

/// `POST /v1/admin/locations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLocation {
    pub building_id: Uuid,
    /// May be empty when the floor is unknown.
    #[serde(default)]
    pub floor: String,
    /// Floor and room are unique within the building.
    pub room: String,
    /// The department that normally occupies the room, at the building's
    /// site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<Uuid>,
}

/// `PATCH /v1/admin/locations/{id}`. A location stays in its building.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// `null` clears it.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub department_id: Option<Option<Uuid>>,
}

/// `POST /v1/admin/users`: a new account. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    /// `technician`, `supervisor`, `manager`, `admin` or `it_security`.
    pub role: String,
    /// The sites whose data the user sees.
    pub sites: Vec<Uuid>,
    pub password: String,
}

impl fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAccount")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("sites", &self.sites)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `PATCH /v1/admin/users/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Replaces the user's sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sites: Option<Vec<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// The answer to `POST /v1/admin/users/{id}/deactivate`: the account as
/// it now is, and how many of its devices were revoked with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deactivated {
    pub user: crate::UserV1,
    pub devices_revoked: u64,
}

/// `POST /v1/admin/users/{id}/password`: an administrator sets a new
/// password. `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub password: String,
}

impl fmt::Debug for PasswordReset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordReset { password: <redacted> }")
    }
}

/// `POST /v1/me/password`: the signed-in user changes their own password.
/// `Debug` hides both.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

impl fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordChange { current: <redacted>, new: <redacted> }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_field_is_unchanged_and_null_clears() {
        let e: DepartmentEdit = serde_json::from_str(r#"{"short_name": null}"#).unwrap();
        assert_eq!(e.short_name, Some(None));
        assert_eq!(e.cost_center, None);
        let e: DepartmentEdit = serde_json::from_str(r#"{"cost_center": "4010"}"#).unwrap();
        assert_eq!(e.cost_center, Some(Some("4010".into())));
        let e: LocationEdit = serde_json::from_str("{}").unwrap();
        assert_eq!(e, LocationEdit::default());
        assert!(serde_json::from_str::<SiteEdit>(r#"{"colour": "red"}"#).is_err());
    }

    #[test]
    fn passwords_never_show_in_debug() {
        let a = NewAccount {
            username: "ana".into(),
            display_name: "Ana".into(),
            role: "admin".into(),
            sites: vec![],
            password: "s3cret-s3cret".into(),
        };
        let c = PasswordChange {
            current: "s3cret-s3cret".into(),
            new: "s3cret-s3cret".into(),
        };
        let r = PasswordReset {
            password: "s3cret-s3cret".into(),
        };
        for shown in [format!("{a:?}"), format!("{c:?}"), format!("{r:?}")] {
            assert!(!shown.contains("s3cret"), "{shown}");
        }
    }
}
