//! What a supervisor does on the server: settle conflicts (accept the
//! rule's choice, or reverse it by writing the set-aside value back as a
//! new row version that tablets pull) and read the sign-off queue.
//! Backend-agnostic.

use crate::auth::user_v1;
use crate::backend::{Resolution, StoreError, Txn, UserRow};
use biomend_protocol::{
    AssetV1, ConflictV1, Kind, Record, ResolveConflict, SignOffItemV1, WorkOrderV1,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no conflict {0} at your sites")]
    NotFound(Uuid),
    #[error("conflict {0} was already resolved")]
    AlreadyResolved(Uuid),
    #[error("{0}")]
    BadRequest(String),
}

/// Accepts or reverses a conflict, once.
pub fn resolve(
    txn: &mut dyn Txn,
    by: &UserRow,
    id: Uuid,
    req: &ResolveConflict,
    now: DateTime<Utc>,
) -> Result<ConflictV1, ResolveError> {
    let action = match req.action.as_str() {
        "accept" => "accepted",
        "reverse" => "reversed",
        other => {
            return Err(ResolveError::BadRequest(format!(
                "action must be 'accept' or 'reverse', not '{other}'"
            )));
        }
    };
    if req.note.chars().count() > crate::apply::MAX_TEXT_CHARS {
        return Err(ResolveError::BadRequest("the note is too long".into()));
    }
    let stored = txn
        .conflict(id)?
        .filter(|c| c.site_id.is_none_or(|s| by.sites.contains(&s)))
        .ok_or(ResolveError::NotFound(id))?;
    if stored.conflict.resolution.is_some() {
        return Err(ResolveError::AlreadyResolved(id));
    }
    if action == "reversed" {
        if stored.conflict.kind == Kind::HospitalSettings.as_str() && !by.role.can_change_settings()
        {
            return Err(ResolveError::BadRequest(format!(
                "a {} cannot change the hospital's settings; accept it, or ask a manager to reverse it",
                by.role
            )));
        }
        reverse(txn, &stored.conflict)?;
    }
    txn.resolve_conflict(
        id,
        &Resolution {
            action: action.to_string(),
            by: by.id,
            at: now,
            note: req.note.clone(),
        },
    )?;
    Ok(txn
        .conflict(id)?
        .ok_or(ResolveError::NotFound(id))?
        .conflict)
}

/// Writes the set-aside value back into the row as a new version.
fn reverse(txn: &mut dyn Txn, c: &ConflictV1) -> Result<(), ResolveError> {
    let kind = Kind::parse(&c.kind).ok_or_else(|| StoreError::Corrupt {
        what: "conflict kind",
        detail: c.kind.clone(),
    })?;
    let row = txn.get_row(kind, &c.key)?.ok_or_else(|| {
        ResolveError::BadRequest(format!("{} {} no longer exists", c.kind, c.key))
    })?;
    let mut body: serde_json::Value =
        serde_json::from_str(&row.body).map_err(|e| StoreError::Corrupt {
            what: "stored row",
            detail: e.to_string(),
        })?;
    match c.field.as_str() {
        // A settings group's field is one key of its values; the set-aside
        // value `null` was "not set".
        key if kind == Kind::HospitalSettings => {
            if let Some(values) = body.get_mut("values").and_then(|v| v.as_object_mut()) {
                match &c.set_aside {
                    serde_json::Value::Null => values.remove(key),
                    v => values.insert(key.to_string(), v.clone()),
                };
            }
        }
        "number" => {
            return Err(ResolveError::BadRequest(
                "a renumbered work order keeps its new number, since numbers stay unique; accept it instead"
                    .into(),
            ));
        }
        // The whole schedule, or the first completion's three fields.
        "schedule" => body = c.set_aside.clone(),
        "completion" => {
            if let (Some(obj), Some(aside)) = (body.as_object_mut(), c.set_aside.as_object()) {
                for (k, v) in aside {
                    obj.insert(k.clone(), v.clone());
                }
            }
        }
        field => {
            if let Some(obj) = body.as_object_mut() {
                obj.insert(field.to_string(), c.set_aside.clone());
            }
        }
    }
    let text = body.to_string();
    // Only a body that still decodes as its kind goes back to devices.
    let record = Record::decode(kind, &text).map_err(|e| StoreError::Corrupt {
        what: "reversed row",
        detail: e.to_string(),
    })?;
    // Settings go back only as a group the reports can use.
    if let Record::HospitalSettings(h) = &record {
        biomend_analytics::Settings::from_values(&h.values).map_err(|e| {
            ResolveError::BadRequest(format!(
                "reversing would leave the {} settings unusable: {e}",
                h.name
            ))
        })?;
    }
    txn.put_row(kind, &c.key, row.site_id, &record.to_json())?;
    Ok(())
}

/// Completed work orders at `sites`, oldest completion first.
pub fn sign_off_queue(txn: &mut dyn Txn, sites: &[Uuid]) -> Result<Vec<SignOffItemV1>, StoreError> {
    let mut out = Vec::new();
    for row in txn.completed_work_orders(sites)? {
        let wo: WorkOrderV1 = serde_json::from_str(&row.body).map_err(|e| StoreError::Corrupt {
            what: "work order",
            detail: e.to_string(),
        })?;
        let asset_tag = match txn.get_row(Kind::Asset, &wo.asset_id.to_string())? {
            Some(a) => serde_json::from_str::<AssetV1>(&a.body)
                .map(|a| a.tag)
                .unwrap_or_default(),
            None => String::new(),
        };
        let completed_by = wo.assigned_to.or(Some(wo.created_by));
        let completed_by_name = match completed_by {
            Some(u) => txn
                .user(u)?
                .map(|u| user_v1(&u).display_name)
                .unwrap_or_default(),
            None => String::new(),
        };
        out.push(SignOffItemV1 {
            work_order_id: wo.id,
            number: wo.number,
            asset_id: wo.asset_id,
            asset_tag,
            kind: wo.kind,
            completed_at: wo.completed_at,
            completed_by,
            completed_by_name,
            closure: wo.closure,
            open_conflicts: txn.open_conflicts_on(wo.id)?,
        });
    }
    out.sort_by(|a, b| {
        a.completed_at
            .cmp(&b.completed_at)
            .then(a.number.cmp(&b.number))
    });
    Ok(out)
}
