//! Open a corrective (repair) work order in a few taps: scan, say what is
//! wrong, and whether the device is down.

use crate::{App, CoreError, Result, new_id, require};
use biomend_domain::asset::AssetStatus;
use biomend_domain::work_order::*;
use biomend_protocol::{AssetStatusChange, CreateWorkOrder, FieldChange, Mutation};
use serde::{Deserialize, Serialize};

/// Longest problem description accepted.
pub const MAX_TEXT: usize = 4000;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewCorrective {
    pub username: String,
    pub tag: String,
    pub problem: String,
    pub reported_by: String,
    pub priority: Priority,
    /// Assign to this technician (by username); `None` leaves it unassigned.
    pub assign_to: Option<String>,
    /// The device is out of service: starts a downtime record.
    pub device_down: bool,
}

pub(crate) fn check_text(field: &str, s: &str, required: bool) -> Result<()> {
    if required && s.trim().is_empty() {
        return Err(CoreError::invalid(field, "must not be empty"));
    }
    if s.len() > MAX_TEXT {
        return Err(CoreError::invalid(
            field,
            format!("longer than {MAX_TEXT} bytes"),
        ));
    }
    Ok(())
}

/// Mints the next human work-order number for `year`, above any number
/// already in the database for that year.
pub(crate) fn next_number(tx: &biomend_store::Tx<'_>, year: i32) -> Result<String> {
    let prefix = work_order_number(year, 0);
    let prefix = prefix.trim_end_matches('0');
    let floor = tx
        .reader()
        .last_work_order_number(prefix)?
        .and_then(|n| n[prefix.len()..].parse::<u64>().ok())
        .unwrap_or(0);
    let seq = tx.next_counter_above(&format!("work_order:{year}"), floor)?;
    Ok(work_order_number(year, seq))
}

pub fn run(app: &mut App, input: &NewCorrective) -> Result<WorkOrder> {
    let user = app.user(&input.username)?;
    require(
        &user,
        user.role.can_perform_work() || user.role.can_sign_off(),
        "open work orders",
    )?;
    check_text("problem", &input.problem, true)?;
    check_text("reported by", &input.reported_by, false)?;
    let (tag, detail) = crate::asset_for(app, &user, &input.tag)?;
    if detail.asset.status == AssetStatus::Retired {
        return Err(CoreError::invalid(
            "asset",
            format!("{tag} is retired; reactivate it before opening work"),
        ));
    }
    let assignee = match &input.assign_to {
        Some(name) => {
            let a = app.user(name)?;
            require(&a, a.role.can_perform_work(), "be assigned work")?;
            Some(a.id)
        }
        None => None,
    };
    let now = app.now();
    let year = app
        .clock()
        .today()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap_or(2000);
    let asset = detail.asset;
    app.write(&user, move |tx, ids, ms| {
        let wo = WorkOrder {
            reported_by: input.reported_by.trim().to_string(),
            assigned_to: assignee,
            ..WorkOrder::opened(
                new_id(ids, ms),
                next_number(tx, year)?,
                asset.id,
                WorkOrderKind::Corrective,
                input.priority,
                input.problem.trim().to_string(),
                now,
                user.id,
            )
        };
        tx.insert_work_order(&wo)?;
        let mut created = CreateWorkOrder {
            work_order: (&wo).into(),
            downtime: None,
            asset_status: None,
        };
        if input.device_down {
            let d = Downtime {
                id: new_id(ids, ms),
                asset_id: asset.id,
                work_order_id: Some(wo.id),
                started_at: now,
                ended_at: None,
                partial_factor: 1.0,
            };
            tx.insert_downtime(&d)?;
            created.downtime = Some((&d).into());
            if asset.status == AssetStatus::InService {
                let after = biomend_domain::asset::Asset {
                    status: AssetStatus::OutOfService,
                    ..asset.clone()
                };
                tx.update_asset(&asset, &after)?;
                created.asset_status = Some(AssetStatusChange {
                    asset_id: asset.id.0,
                    status: FieldChange::codes(asset.status.as_str(), after.status.as_str()),
                });
            }
        }
        crate::outbox::enqueue(tx, ids, ms, &Mutation::CreateWorkOrder(created))?;
        Ok(wo)
    })
}
