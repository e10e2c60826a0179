//! Where devices live: site → building → department and location
//! (floor, room). A site is also the unit of data scope for sync and access.

use crate::ids::{BuildingId, DepartmentId, LocationId, SiteId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub id: SiteId,
    /// Short code printed on reports, e.g. `MAIN`.
    pub code: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Building {
    pub id: BuildingId,
    pub site_id: SiteId,
    pub name: String,
}

/// A clinical or support department; the owner of devices for cost and
/// reporting, and the audience of training events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Department {
    pub id: DepartmentId,
    pub site_id: SiteId,
    pub name: String,
    /// What staff call it: "ED", "MICU", "OR". Searchable like the name,
    /// because that is what a technician types.
    pub short_name: Option<String>,
    pub cost_center: Option<String>,
}

/// A room (or bay, closet, storage area) where an asset is found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub id: LocationId,
    pub building_id: BuildingId,
    pub floor: String,
    pub room: String,
    /// The department that normally occupies the room, if any.
    pub department_id: Option<DepartmentId>,
}

impl Location {
    /// `Floor 3 · Room 3.114`, or just the room when the floor is unknown.
    pub fn label(&self) -> String {
        if self.floor.is_empty() {
            self.room.clone()
        } else {
            format!("Floor {} · Room {}", self.floor, self.room)
        }
    }
}
