//! A work order as its execution screen needs it: the whole record (labor,
//! parts, readings, attempts, notes, signature), the asset, the checklist
//! items it records with the safety edition in force, and what the acting
//! user may do next. The moves come from the domain's state machine and
//! the user's role, so a screen never offers a step the core would refuse.

use crate::workflow::{checklist_items, load, safety_edition};
use crate::{App, CoreError, Result, require_site};
use biomend_domain::checklist::{ChecklistItem, SafetyEdition};
use biomend_domain::dataset::WorkOrderBundle;
use biomend_domain::views::AssetSummary;
use biomend_domain::work_order::WorkOrderStatus;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct WorkOrderPage {
    pub bundle: WorkOrderBundle,
    pub asset: AssetSummary,
    /// The assignee's display name.
    pub assigned_to: Option<String>,
    pub checklist: Vec<ChecklistItem>,
    pub safety_edition: Option<SafetyEdition>,
    /// Statuses the user may move this work order to now (completion and
    /// sign-off excepted: they have their own actions).
    pub moves: Vec<WorkOrderStatus>,
    pub can_record: bool,
    pub can_sign_off: bool,
}

pub fn run(app: &App, username: &str, number: &str) -> Result<WorkOrderPage> {
    let user = app.user(username)?;
    let (wo, site) = load(app, number)?;
    require_site(&user, site)?;
    let r = app.store().reader();
    let bundle = r
        .work_order_bundle(wo.id)?
        .ok_or_else(|| CoreError::NotFound {
            what: "work order",
            key: wo.number.clone(),
        })?;
    let asset = r
        .asset_summary(wo.asset_id)?
        .ok_or_else(|| CoreError::NotFound {
            what: "asset",
            key: wo.asset_id.to_string(),
        })?;
    let assigned_to = match wo.assigned_to {
        Some(id) => r.user(id)?.map(|u| u.display_name),
        None => None,
    };
    let works = user.role.can_perform_work();
    let status = wo.status;
    use WorkOrderStatus::*;
    let moves = if works {
        [InProgress, OnHoldParts, OnHoldVendor, Cancelled]
            .into_iter()
            .filter(|to| status.can_transition(*to))
            .collect()
    } else {
        Vec::new()
    };
    let can_record = works && status.is_open();
    let checklist = if can_record || !bundle.readings.is_empty() {
        checklist_items(app, &wo)?
    } else {
        Vec::new()
    };
    let safety_edition = if checklist.is_empty() {
        None
    } else {
        safety_edition(app)?
    };
    Ok(WorkOrderPage {
        can_sign_off: user.role.can_sign_off() && status.can_transition(SignedOff),
        bundle,
        asset,
        assigned_to,
        checklist,
        safety_edition,
        moves,
        can_record,
    })
}
