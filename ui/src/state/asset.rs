//! The asset page's view model: where the device is, what state it is in,
//! and which PM the "Open PM" button opens.

use super::format::humanize;
use biomend_domain::asset::AssetStatus;
use biomend_domain::ids::PmPlanId;
use biomend_ipc::{AssetDetail, AssetPage};

/// `Main Hospital › Tower A › Floor 3, Room 301 (ICU)`.
pub fn location_text(d: &AssetDetail) -> String {
    let mut parts = vec![d.site.name.clone()];
    if let Some(b) = &d.building {
        parts.push(b.name.clone());
    }
    if let Some(l) = &d.location {
        parts.push(format!("Floor {}, Room {}", l.floor, l.room));
    }
    format!("{} ({})", parts.join(" › "), d.department.name)
}

/// Out of patient care: shown in the "down" color.
pub fn is_down(s: AssetStatus) -> bool {
    matches!(
        s,
        AssetStatus::OutOfService | AssetStatus::InRepair | AssetStatus::Missing
    )
}

pub fn status_text(s: AssetStatus) -> String {
    humanize(s.as_str())
}

/// The plan "Open PM" opens: the one due soonest.
pub fn next_pm_plan(page: &AssetPage) -> Option<PmPlanId> {
    page.detail
        .pm
        .iter()
        .min_by_key(|p| p.schedule.next_due)
        .map(|p| p.plan.id)
}
