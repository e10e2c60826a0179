//! The Environment of Care committee / survey report: PM completion by
//! risk class, the high-risk and life-support PMs not completed in their
//! window with each one's reason, repairs, recalls, and CND and damage
//! calls, for one period and one site or all.
//!
//! Flow: role and site check → the period (`from` to `to`, both counted)
//! → `Reader::survey_inputs` (set-based SQL, see
//! `biomend_store::survey`) → `biomend_analytics::survey::survey`, which
//! judges and counts with the hospital's policies in force (risk
//! thresholds, PM window) → the explained figures. Laying them out as HTML
//! or PDF is `biomend_report`'s, called by the apps.

use crate::{App, CoreError, Result, require};
use biomend_analytics::Period;
use biomend_analytics::survey::{Scope, SurveyReport, survey};
use biomend_domain::user::Role;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// The longest period one report covers: two years and a day, so a
/// monthly chart stays readable.
pub const MAX_DAYS: i64 = 732;

/// What to report on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyInput {
    /// First day counted.
    pub from: NaiveDate,
    /// Last day counted (inclusive, as people say it).
    pub to: NaiveDate,
    /// A site's code (or name); `None` for every site the user may see.
    pub site: Option<String>,
}

impl SurveyInput {
    /// The twelve months up to and including `today`.
    pub fn last_12_months(today: NaiveDate) -> SurveyInput {
        SurveyInput {
            from: today - Duration::days(364),
            to: today,
            site: None,
        }
    }
}

/// The report's figures for `input`, as `username` may see them.
/// Managers, supervisors and administrators may run it; a user who cannot
/// see every site gets their only site, or must name one.
pub fn run(app: &App, username: &str, input: &SurveyInput) -> Result<SurveyReport> {
    let user = app.user(username)?;
    require(
        &user,
        matches!(user.role, Role::Manager | Role::Supervisor | Role::Admin),
        "see the Environment of Care report",
    )?;
    if input.to < input.from {
        return Err(CoreError::invalid(
            "to",
            format!("{} is before the first day, {}", input.to, input.from),
        ));
    }
    let today = app.clock().today();
    if input.from > today {
        return Err(CoreError::invalid(
            "from",
            format!("{} is in the future; nothing has happened yet", input.from),
        ));
    }
    let period = Period::new(input.from, input.to + Duration::days(1))
        .map_err(|e| CoreError::invalid("period", e.to_string()))?;
    if period.days() > MAX_DAYS {
        return Err(CoreError::invalid(
            "period",
            format!(
                "{} days is longer than a report covers (at most {MAX_DAYS}); split it",
                period.days()
            ),
        ));
    }

    let r = app.store().reader();
    let sees_all = user.role == Role::Admin || {
        let all = r.sites()?;
        all.iter().all(|s| user.sites.contains(&s.id))
    };
    let site = match input.site.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => {
            let s = r.site_by_name(code)?.ok_or_else(|| CoreError::NotFound {
                what: "site",
                key: code.to_string(),
            })?;
            crate::require_site(&user, s.id)?;
            Some(s)
        }
        _ if sees_all => None,
        _ => match user.sites.as_slice() {
            [only] => r.site(*only)?,
            _ => {
                return Err(CoreError::Forbidden(format!(
                    "user '{}' does not see every site; name one with its code",
                    user.username
                )));
            }
        },
    };
    let scope = site
        .as_ref()
        .map_or_else(Scope::all, |s| Scope::site(&s.code, &s.name));

    let settings = app.settings()?;
    let inputs = r.survey_inputs(period, site.map(|s| s.id))?;
    Ok(survey(scope, period, today, &inputs, &settings))
}
