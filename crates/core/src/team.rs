//! The team's workload, for a supervisor balancing assignments: each
//! technician's open, in-progress, on-hold, overdue and emergency work at
//! the supervisor's sites.

use crate::{App, Result, require};
use biomend_domain::user::Role;
pub use biomend_store::team::Workload;

pub fn workload(app: &App, username: &str) -> Result<Vec<Workload>> {
    let user = app.user(username)?;
    require(&user, user.role.can_sign_off(), "see the team's workload")?;
    let today = app.clock().today();
    Ok(app
        .store()
        .reader()
        .team_workload(user.id, user.role == Role::Admin, today)?)
}
