//! Which screen shows, and the way back.

use crate::state::dashboards::Tab;
use biomend_ipc::{AssetSummary, Found, Session};

#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    MyDay,
    /// Search results for what was typed or scanned.
    Search {
        query: String,
        assets: Vec<AssetSummary>,
    },
    Asset {
        tag: String,
    },
    NewWorkOrder {
        tag: String,
    },
    WorkOrder {
        number: String,
    },
    Shift,
    Conflicts,
    SignOff,
    Team,
    /// The managers' dashboards, on one panel.
    Dashboards {
        tab: Tab,
    },
    /// Repair or replace one asset (managers and administrators).
    RepairOrReplace {
        tag: String,
    },
    /// The hospital's settings (managers and administrators).
    Settings,
}

impl Route {
    /// Where a user lands after sign-in, and where "home" and the end of
    /// the way back lead: managers and administrators (who see every
    /// report and do no field work of their own) start on the dashboards;
    /// technicians and supervisors on My day.
    pub fn home(session: &Session) -> Route {
        if session.sees_reports {
            Route::Dashboards { tab: Tab::Kpis }
        } else {
            Route::MyDay
        }
    }

    /// Top-level screens reached from the header; going to one clears the
    /// way back.
    pub fn is_top(&self) -> bool {
        matches!(
            self,
            Route::MyDay
                | Route::Shift
                | Route::Conflicts
                | Route::SignOff
                | Route::Team
                | Route::Dashboards { .. }
                | Route::Settings
        )
    }

    /// Screens only supervisors see.
    pub fn is_supervisor(&self) -> bool {
        matches!(
            self,
            Route::Shift | Route::Conflicts | Route::SignOff | Route::Team
        )
    }

    /// Where a scan or search answer leads.
    pub fn from_found(query: &str, found: Found) -> Route {
        match found {
            Found::Asset { tag } => Route::Asset { tag },
            Found::Matches { assets } => Route::Search {
                query: query.trim().to_string(),
                assets,
            },
        }
    }

    /// A stable key so each screen mounts fresh when it changes.
    pub fn key(&self) -> String {
        match self {
            Route::MyDay => "my-day".into(),
            Route::Search { query, .. } => format!("search:{query}"),
            Route::Asset { tag } => format!("asset:{tag}"),
            Route::NewWorkOrder { tag } => format!("new:{tag}"),
            Route::WorkOrder { number } => format!("wo:{number}"),
            Route::Shift => "shift".into(),
            Route::Conflicts => "conflicts".into(),
            Route::SignOff => "signoff".into(),
            Route::Team => "team".into(),
            Route::Dashboards { tab } => format!("dashboards:{}", tab.id()),
            Route::RepairOrReplace { tag } => format!("replace:{tag}"),
            Route::Settings => "settings".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Nav {
    pub current: Route,
    pub back: Vec<Route>,
    /// The user's first screen ([`Route::home`]).
    pub home: Route,
}

impl Nav {
    /// Starts at `home`.
    pub fn new(home: Route) -> Nav {
        Nav {
            current: home.clone(),
            back: Vec::new(),
            home,
        }
    }
}

impl Default for Nav {
    fn default() -> Self {
        Nav::new(Route::MyDay)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum NavAction {
    Go(Route),
    /// Like `Go`, but the current screen is not kept to come back to (a
    /// form that became the record it created).
    Replace(Route),
    Back,
    Home,
}

/// How far back the way back goes.
const BACK_LIMIT: usize = 30;

impl Nav {
    pub fn reduce(mut self, action: NavAction) -> Nav {
        match action {
            NavAction::Go(r) if r == self.current => {}
            NavAction::Go(r) if r.is_top() => {
                self.back.clear();
                self.current = r;
            }
            NavAction::Go(r) => {
                let prev = std::mem::replace(&mut self.current, r);
                self.back.push(prev);
                if self.back.len() > BACK_LIMIT {
                    self.back.remove(0);
                }
            }
            NavAction::Replace(r) => self.current = r,
            NavAction::Back => {
                self.current = self.back.pop().unwrap_or_else(|| self.home.clone());
            }
            NavAction::Home => {
                self.back.clear();
                self.current = self.home.clone();
            }
        }
        self
    }

    pub fn can_go_back(&self) -> bool {
        !self.back.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_domain::user::Role;

    fn session(role: Role, sees_kpis: bool, sees_reports: bool) -> Session {
        Session {
            username: "u".into(),
            display_name: "U".into(),
            role,
            sites: vec![],
            server_url: String::new(),
            offline: false,
            supervises: matches!(role, Role::Supervisor | Role::Manager | Role::Admin),
            sees_kpis,
            sees_reports,
        }
    }

    #[test]
    fn managers_land_on_the_dashboards_and_the_field_on_my_day() {
        let dashboards = Route::Dashboards { tab: Tab::Kpis };
        assert_eq!(Route::home(&session(Role::Manager, true, true)), dashboards);
        assert_eq!(Route::home(&session(Role::Admin, true, true)), dashboards);
        assert_eq!(
            Route::home(&session(Role::Supervisor, true, false)),
            Route::MyDay
        );
        assert_eq!(
            Route::home(&session(Role::Technician, false, false)),
            Route::MyDay
        );
        // Home and the end of the way back lead to the landing screen.
        let n = Nav::new(dashboards.clone());
        assert_eq!(n.current, dashboards);
        let n = n
            .reduce(NavAction::Go(Route::MyDay))
            .reduce(NavAction::Go(Route::Asset { tag: "A".into() }))
            .reduce(NavAction::Back)
            .reduce(NavAction::Back);
        assert_eq!(n.current, dashboards);
        let n = n
            .reduce(NavAction::Go(Route::Settings))
            .reduce(NavAction::Home);
        assert_eq!(n.current, dashboards);
        assert!(Route::Settings.is_top());
    }

    #[test]
    fn a_scanned_tag_opens_the_asset_and_words_open_results() {
        assert_eq!(
            Route::from_found(
                "bme-1",
                Found::Asset {
                    tag: "BME-1".into()
                }
            ),
            Route::Asset {
                tag: "BME-1".into()
            }
        );
        assert_eq!(
            Route::from_found(" pump ", Found::Matches { assets: vec![] }),
            Route::Search {
                query: "pump".into(),
                assets: vec![]
            }
        );
    }

    #[test]
    fn back_retraces_and_top_screens_start_over() {
        let asset = Route::Asset { tag: "A".into() };
        let form = Route::NewWorkOrder { tag: "A".into() };
        let wo = Route::WorkOrder {
            number: "WO-1".into(),
        };
        let n = Nav::default()
            .reduce(NavAction::Go(asset.clone()))
            .reduce(NavAction::Go(form))
            .reduce(NavAction::Replace(wo.clone()));
        assert_eq!(n.current, wo);
        // The form was replaced by its work order: back goes to the asset.
        let n = n.reduce(NavAction::Back);
        assert_eq!(n.current, asset);
        let n = n.reduce(NavAction::Back);
        assert_eq!(n.current, Route::MyDay);
        assert!(!n.can_go_back());
        let n = n.reduce(NavAction::Back);
        assert_eq!(n.current, Route::MyDay);
        let n = n
            .reduce(NavAction::Go(asset.clone()))
            .reduce(NavAction::Go(Route::Team));
        assert_eq!(n.current, Route::Team);
        assert!(!n.can_go_back());
        // The dashboards are a top-level screen, one key per panel.
        let kpis = Route::Dashboards { tab: Tab::Kpis };
        let n = n
            .reduce(NavAction::Go(Route::Asset { tag: "B".into() }))
            .reduce(NavAction::Go(kpis.clone()));
        assert!(!n.can_go_back());
        assert_ne!(kpis.key(), Route::Dashboards { tab: Tab::Survey }.key());
        // Going where you are keeps no duplicate.
        let n = n
            .reduce(NavAction::Go(asset.clone()))
            .reduce(NavAction::Go(asset));
        assert_eq!(n.back.len(), 1);
    }
}
