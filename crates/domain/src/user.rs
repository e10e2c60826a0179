//! People and what their role lets them do. Passwords and tokens are the
//! server's concern and never appear here.

use crate::ids::{SiteId, UserId};
use serde::{Deserialize, Serialize};

crate::code_enum! {
    pub enum Role {
        Technician => "technician",
        Supervisor => "supervisor",
        Manager => "manager",
        Admin => "admin",
        ItSecurity => "it_security",
    }
}

impl Role {
    /// Sign-off and conflict resolution are supervisory.
    pub fn can_sign_off(self) -> bool {
        matches!(self, Role::Supervisor | Role::Manager | Role::Admin)
    }
    /// Who may record work on a device.
    pub fn can_perform_work(self) -> bool {
        matches!(self, Role::Technician | Role::Supervisor | Role::Admin)
    }
    /// Who may change the inventory (import, retire, move between departments).
    pub fn can_edit_inventory(self) -> bool {
        matches!(self, Role::Supervisor | Role::Manager | Role::Admin)
    }
    /// Who may change the hospital's settings (the reports' thresholds
    /// and weights): the people who answer for the program's figures.
    pub fn can_change_settings(self) -> bool {
        matches!(self, Role::Manager | Role::Admin)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The sites whose data this user may see; empty for none.
    pub sites: Vec<SiteId>,
    pub active: bool,
    /// Labor cost per hour including benefits and overhead, in cents.
    pub loaded_rate_cents: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_supervisory_roles_sign_off() {
        assert!(!Role::Technician.can_sign_off());
        assert!(!Role::ItSecurity.can_sign_off());
        assert!(Role::Supervisor.can_sign_off());
        assert!(Role::Technician.can_perform_work());
        assert!(!Role::Manager.can_perform_work());
        assert!(!Role::Technician.can_edit_inventory());
        assert!(Role::Manager.can_change_settings());
        assert!(Role::Admin.can_change_settings());
        assert!(!Role::Supervisor.can_change_settings());
        assert!(!Role::Technician.can_change_settings());
    }
}
