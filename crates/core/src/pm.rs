//! Scheduled maintenance in the field: open the PM for a due schedule, or
//! document an attempt when the device was in use or could not be found.
//! Completion goes through [`crate::workflow::complete`], which moves the
//! schedule on.

use crate::workflow::load;
use crate::{App, CoreError, Result, new_id, require, require_site};
use biomend_domain::ids::PmPlanId;
use biomend_domain::work_order::*;
use biomend_protocol::{CreateWorkOrder, Mutation, RecordPmAttempt};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OpenPm {
    pub username: String,
    pub tag: String,
    /// Which plan, when the asset has several; else its earliest due.
    pub plan_id: Option<PmPlanId>,
}

/// Opens (or returns the already open) PM work order for an asset's due
/// schedule, assigned to the technician who opens it.
pub fn open(app: &mut App, input: &OpenPm) -> Result<WorkOrder> {
    let user = app.user(&input.username)?;
    require(&user, user.role.can_perform_work(), "perform PM")?;
    let (tag, detail) = crate::asset_for(app, &user, &input.tag)?;
    let asset_id = detail.asset.id;
    let r = app.store().reader();
    let view = match input.plan_id {
        Some(pid) => detail.pm.iter().find(|v| v.plan.id == pid),
        None => detail.pm.first(),
    }
    .ok_or_else(|| {
        CoreError::invalid(
            "PM",
            format!(
                "{tag} has no PM plan{}",
                if input.plan_id.is_some() {
                    " with that id"
                } else {
                    ""
                }
            ),
        )
    })?
    .clone();
    for open in r.open_work_on_asset(asset_id)? {
        if open.kind == WorkOrderKind::Pm
            && let Some(wo) = r.work_order(open.id)?
            && wo.pm_plan_id == Some(view.plan.id)
        {
            return Ok(wo);
        }
    }
    let now = app.now();
    let year = app
        .clock()
        .today()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap_or(2000);
    app.write(&user, |tx, ids, ms| {
        let wo = WorkOrder {
            assigned_to: Some(user.id),
            due_on: Some(view.schedule.next_due),
            pm_plan_id: Some(view.plan.id),
            ..WorkOrder::opened(
                new_id(ids, ms),
                crate::corrective::next_number(tx, year)?,
                asset_id,
                WorkOrderKind::Pm,
                Priority::Scheduled,
                format!("Scheduled maintenance: {}", view.plan.name),
                now,
                user.id,
            )
        };
        tx.insert_work_order(&wo)?;
        let created = CreateWorkOrder {
            work_order: (&wo).into(),
            downtime: None,
            asset_status: None,
        };
        crate::outbox::enqueue(tx, ids, ms, &Mutation::CreateWorkOrder(created))?;
        Ok(wo)
    })
}

/// Documents a PM attempt (device in use, or not located). The work order
/// stays open for follow-up; the attempt counts toward compliance under a
/// written policy.
pub fn attempt(
    app: &mut App,
    username: &str,
    number: &str,
    outcome: AttemptOutcome,
    note: &str,
) -> Result<PmAttempt> {
    let user = app.user(username)?;
    require(&user, user.role.can_perform_work(), "record PM attempts")?;
    crate::corrective::check_text("note", note, false)?;
    let (wo, site) = load(app, number)?;
    require_site(&user, site)?;
    if wo.kind != WorkOrderKind::Pm {
        return Err(CoreError::invalid(
            "work order",
            format!(
                "{} is a {} work order; attempts are for PM",
                wo.number, wo.kind
            ),
        ));
    }
    if !wo.status.is_open() {
        return Err(CoreError::invalid(
            "work order",
            format!("{} is already {}", wo.number, wo.status),
        ));
    }
    let now = app.now();
    app.write(&user, |tx, ids, ms| {
        let a = PmAttempt {
            id: new_id(ids, ms),
            work_order_id: wo.id,
            technician_id: user.id,
            attempted_at: now,
            outcome,
            note: note.trim().to_string(),
        };
        tx.insert_attempt(&a)?;
        let m = Mutation::RecordPmAttempt(RecordPmAttempt {
            attempt: (&a).into(),
        });
        crate::outbox::enqueue(tx, ids, ms, &m)?;
        Ok(a)
    })
}
