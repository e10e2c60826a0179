//! A supervisor signs off completed work; the sign-off queue.

use crate::workflow::load;
use crate::{App, Result, require};
use biomend_domain::work_order::{WorkOrder, WorkOrderStatus};
use biomend_protocol::{FieldChange, Mutation, SignOffWorkOrder};
use biomend_store::WorkOrderSummary;

pub fn run(app: &mut App, username: &str, number: &str) -> Result<WorkOrder> {
    let user = app.user(username)?;
    require(&user, user.role.can_sign_off(), "sign off work")?;
    let (before, site) = load(app, number)?;
    crate::require_site(&user, site)?;
    let status = before.status.transition(WorkOrderStatus::SignedOff)?;
    let now = app.now();
    app.write(&user, |tx, ids, ms| {
        let after = WorkOrder {
            status,
            signed_off_by: Some(user.id),
            signed_off_at: Some(now),
            ..before.clone()
        };
        tx.update_work_order(&before, &after)?;
        let m = Mutation::SignOffWorkOrder(SignOffWorkOrder {
            work_order_id: after.id.0,
            status: FieldChange::codes(before.status.as_str(), after.status.as_str()),
            signed_off_by: user.id.0,
            signed_off_at: now,
        });
        crate::outbox::enqueue(tx, ids, ms, &m)?;
        Ok(after)
    })
}

/// Completed work waiting for sign-off, oldest first.
pub fn queue(app: &App, username: &str, limit: u32) -> Result<Vec<WorkOrderSummary>> {
    let user = app.user(username)?;
    require(&user, user.role.can_sign_off(), "see the sign-off queue")?;
    Ok(app.store().reader().sign_off_queue(limit.clamp(1, 1000))?)
}
