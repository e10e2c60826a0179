//! Change what is known of a device in the field: its status, where it is,
//! its serial number, notes and risk score, and (for those who may edit
//! the inventory) its department. One transaction writes the change, its
//! audit row and exactly one `update_asset@1` mutation whose `from` values
//! are what the user started from, so the server compare-and-sets each
//! field on its own and two people editing different fields both keep
//! their edit.

use crate::corrective::check_text;
use crate::{App, CoreError, Result, require};
use biomend_domain::asset::{Asset, AssetStatus};
use biomend_domain::ids::LocationId;
use biomend_domain::risk::EmScore;
use biomend_protocol::{FieldChange, Mutation, UpdateAsset};
use serde::{Deserialize, Serialize};

/// Longest serial number accepted.
pub const MAX_SERIAL: usize = 100;

/// Where the device is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Place {
    /// A known location, by id (a picker).
    Location(LocationId),
    /// A room label in the asset's site, as typed: the room ("ICU-12") or
    /// "building floor room". Must name exactly one location.
    Room(String),
    /// Not at any recorded location.
    Unknown,
}

/// The fields to change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AssetEdit {
    pub username: String,
    pub tag: String,
    pub status: Option<AssetStatus>,
    pub place: Option<Place>,
    /// `Some(None)` clears the serial.
    pub serial: Option<Option<String>>,
    pub notes: Option<String>,
    pub risk: Option<EmScore>,
    /// A department of the asset's site, by name or short name; needs a
    /// role that may edit the inventory.
    pub department: Option<String>,
}

/// The asset after the edit and the fields that changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Edited {
    pub asset: Asset,
    pub changed: Vec<&'static str>,
}

pub fn run(app: &mut App, e: &AssetEdit) -> Result<Edited> {
    let user = app.user(&e.username)?;
    require(
        &user,
        user.role.can_perform_work() || user.role.can_edit_inventory(),
        "edit assets",
    )?;
    let (_, detail) = crate::asset_for(app, &user, &e.tag)?;
    let site = detail.site.id;
    let before = detail.asset;
    let mut after = before.clone();

    if let Some(s) = e.status {
        // Retiring a device, or bringing one back, is an inventory decision.
        if (s == AssetStatus::Retired || before.status == AssetStatus::Retired)
            && s != before.status
        {
            require(
                &user,
                user.role.can_edit_inventory(),
                "retire or reactivate assets",
            )?;
        }
        after.status = s;
    }
    if let Some(p) = &e.place {
        after.location_id = match p {
            Place::Unknown => None,
            Place::Location(id) => {
                let (_, at) = app
                    .store()
                    .reader()
                    .location_with_site(*id)?
                    .ok_or_else(|| CoreError::NotFound {
                        what: "location",
                        key: id.to_string(),
                    })?;
                if at != site {
                    return Err(CoreError::invalid(
                        "location",
                        "is at another site than the asset",
                    ));
                }
                Some(*id)
            }
            Place::Room(label) => {
                check_text("location", label, true)?;
                let found = app.store().reader().locations_by_room(site, label)?;
                match found.as_slice() {
                    [one] => Some(one.id),
                    [] => {
                        return Err(CoreError::NotFound {
                            what: "room",
                            key: label.trim().to_string(),
                        });
                    }
                    _ => {
                        return Err(CoreError::invalid(
                            "location",
                            format!(
                                "'{}' names {} rooms; give the building and floor too",
                                label.trim(),
                                found.len()
                            ),
                        ));
                    }
                }
            }
        };
    }
    if let Some(serial) = &e.serial {
        after.serial = match serial.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) if s.len() > MAX_SERIAL || s.chars().any(char::is_control) => {
                return Err(CoreError::invalid(
                    "serial",
                    format!("must be at most {MAX_SERIAL} printable characters"),
                ));
            }
            Some(s) => Some(s.to_string()),
        };
    }
    if let Some(notes) = &e.notes {
        check_text("notes", notes, false)?;
        after.notes = notes.trim().to_string();
    }
    if let Some(risk) = e.risk {
        after.risk = EmScore::new(
            risk.function,
            risk.physical_risk,
            risk.maintenance,
            risk.incident_history,
        )
        .map_err(|err| CoreError::invalid("risk", err.to_string()))?;
    }
    if let Some(label) = &e.department {
        require(
            &user,
            user.role.can_edit_inventory(),
            "move assets between departments",
        )?;
        let d = app
            .store()
            .reader()
            .department_by_label(site, label)?
            .ok_or_else(|| CoreError::NotFound {
                what: "department",
                key: label.trim().to_string(),
            })?;
        after.department_id = d.id;
    }

    let m = UpdateAsset {
        asset_id: before.id.0,
        status: (before.status != after.status)
            .then(|| FieldChange::codes(before.status.as_str(), after.status.as_str())),
        location_id: (before.location_id != after.location_id).then(|| {
            FieldChange::new(
                before.location_id.map(|l| l.0),
                after.location_id.map(|l| l.0),
            )
        }),
        department_id: (before.department_id != after.department_id)
            .then(|| FieldChange::new(before.department_id.0, after.department_id.0)),
        serial: (before.serial != after.serial)
            .then(|| FieldChange::new(before.serial.clone(), after.serial.clone())),
        risk: (before.risk != after.risk)
            .then(|| FieldChange::new((&before.risk).into(), (&after.risk).into())),
        notes: (before.notes != after.notes)
            .then(|| FieldChange::new(before.notes.clone(), after.notes.clone())),
    };
    let changed: Vec<&'static str> = [
        ("status", m.status.is_some()),
        ("location", m.location_id.is_some()),
        ("department", m.department_id.is_some()),
        ("serial", m.serial.is_some()),
        ("risk", m.risk.is_some()),
        ("notes", m.notes.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, c)| c.then_some(f))
    .collect();
    // Nothing changed: nothing is written and nothing is queued.
    if m.is_empty() {
        return Ok(Edited {
            asset: before,
            changed,
        });
    }
    app.write(&user, |tx, ids, ms| {
        tx.update_asset(&before, &after)?;
        crate::outbox::enqueue(tx, ids, ms, &Mutation::UpdateAsset(m))?;
        Ok(())
    })?;
    Ok(Edited {
        asset: after,
        changed,
    })
}
