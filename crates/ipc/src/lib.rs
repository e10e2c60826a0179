//! What the desktop window and its shell say to each other.
//!
//! Owns: the name of every command the window may invoke ([`cmd`]), the
//! argument each takes, the view each answers with, and the one error shape
//! (`{code, message}`) every failure crosses as. Each command takes exactly
//! one argument, named `args` on the wire, so the UI's typed `invoke`
//! wrapper and the shell's handlers agree by construction.
//!
//! The managers' dashboards' commands and views are in `dashboards.rs`
//! (re-exported here); their figures are the analytics crate's explained
//! types, sent as they are. The hospital's settings screen is in
//! `settings.rs`.
//!
//! Invariants: plain data only (serde, domain, protocol and analytics
//! types), so this
//! crate builds for `wasm32-unknown-unknown` and the UI links it; a view
//! carries what a screen shows, already judged by the core (risk class,
//! overdue, allowed actions), so the window never re-implements a rule.
//!
//! Must not know: SQL, HTTP, Tauri, Yew, or how the core computes anything.

mod dashboards;
mod settings;

pub use dashboards::*;
pub use settings::*;

use biomend_domain::Money;
use biomend_domain::checklist::{Answer, ChecklistItem, SafetyEdition};
use biomend_domain::dataset::WorkOrderBundle;
use biomend_domain::ids::PmPlanId;
use biomend_domain::risk::RiskClass;
use biomend_domain::user::Role;
pub use biomend_domain::views::{AssetDetail, AssetSummary, PmDue, WorkOrderSummary};
use biomend_domain::work_order::{AttemptOutcome, ClosureCode, Priority};
pub use biomend_protocol::{ConflictV1, IncomingV1, SignOffItemV1};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Command names, as `invoke` and the shell's handler list spell them.
pub mod cmd {
    /// `()` → [`super::SessionState`]
    pub const SESSION: &str = "session";
    /// [`super::SignIn`] → [`super::Session`]
    pub const SIGN_IN: &str = "sign_in";
    /// `()` → `()`
    pub const SIGN_OUT: &str = "sign_out";
    /// `()` → [`super::SyncStatus`]
    pub const STATUS: &str = "status";
    /// `()` → [`super::SyncStatus`]; one sync round now.
    pub const SYNC_NOW: &str = "sync_now";
    /// [`super::Find`] → [`super::Found`]
    pub const FIND: &str = "find";
    /// [`super::TagArg`] → [`super::AssetPage`]
    pub const ASSET_PAGE: &str = "asset_page";
    /// `()` → [`super::MyDay`]
    pub const MY_DAY: &str = "my_day";
    /// [`super::NumberArg`] → [`super::WorkOrderPage`]
    pub const WORK_ORDER: &str = "work_order";
    /// [`super::NewCorrective`] → [`super::WorkOrderPage`]
    pub const NEW_CORRECTIVE: &str = "new_corrective";
    /// [`super::WoStep`] → [`super::WorkOrderPage`]
    pub const WO_STEP: &str = "wo_step";
    /// [`super::RecordWork`] → [`super::WorkOrderPage`]
    pub const WO_RECORD: &str = "wo_record";
    /// [`super::Complete`] → [`super::WorkOrderPage`]
    pub const WO_COMPLETE: &str = "wo_complete";
    /// [`super::OpenPm`] → [`super::WorkOrderPage`]
    pub const PM_OPEN: &str = "pm_open";
    /// [`super::PmAttemptArgs`] → [`super::WorkOrderPage`]
    pub const PM_ATTEMPT: &str = "pm_attempt";
    /// [`super::SinceArg`] → [`super::ShiftSummary`] (needs the server)
    pub const INCOMING: &str = "incoming";
    /// [`super::ConflictsArg`] → `Vec<ConflictV1>` (needs the server)
    pub const CONFLICTS: &str = "conflicts";
    /// [`super::ResolveArgs`] → `ConflictV1` (needs the server)
    pub const RESOLVE: &str = "resolve_conflict";
    /// `()` → [`super::SignOffQueue`]
    pub const SIGN_OFF_QUEUE: &str = "sign_off_queue";
    /// [`super::NumberArg`] → [`super::WorkOrderPage`]
    pub const SIGN_OFF: &str = "sign_off";
    /// `()` → `Vec<TeamMember>`
    pub const TEAM: &str = "team";
    /// [`super::KpiArgs`] → [`super::KpiReport`] (managers, admins, supervisors)
    pub const KPI_REPORT: &str = "kpi_report";
    /// `()` → `Vec<DeviceTypeChoice>`, for the scorecard's picker
    pub const DEVICE_TYPES: &str = "device_types";
    /// [`super::ScorecardArgs`] → [`super::ScorecardReport`]
    pub const SCORECARD: &str = "scorecard";
    /// [`super::CapitalArgs`] → [`super::CapitalReport`]
    pub const CAPITAL_PLAN: &str = "capital_plan";
    /// `()` → `Vec<TrainingEventItem>`, newest first
    pub const TRAINING_EVENTS: &str = "training_events";
    /// [`super::TrainingArgs`] → [`super::TrainingReport`]
    pub const TRAINING_EFFECT: &str = "training_effect";
    /// [`super::ReplaceArgs`] → [`super::ReplaceReport`]
    pub const REPAIR_OR_REPLACE: &str = "repair_or_replace";
    /// [`super::DrillArgs`] → [`super::DrillDown`]: the work orders behind a count
    pub const DRILL_DOWN: &str = "drill_down";
    /// [`super::SurveyArgs`] → [`super::SurveyWritten`]: PDF and HTML written to a folder
    pub const SURVEY_REPORT: &str = "survey_report";
    /// `()` → [`super::SettingsView`] (managers, administrators, supervisors)
    pub const SETTINGS: &str = "settings";
    /// [`super::SaveSettings`] → [`super::SavedSettings`] (managers, administrators)
    pub const SAVE_SETTINGS: &str = "save_settings";

    /// Every command, for the shell's registration test.
    pub const ALL: &[&str] = &[
        SESSION,
        SIGN_IN,
        SIGN_OUT,
        STATUS,
        SYNC_NOW,
        FIND,
        ASSET_PAGE,
        MY_DAY,
        WORK_ORDER,
        NEW_CORRECTIVE,
        WO_STEP,
        WO_RECORD,
        WO_COMPLETE,
        PM_OPEN,
        PM_ATTEMPT,
        INCOMING,
        CONFLICTS,
        RESOLVE,
        SIGN_OFF_QUEUE,
        SIGN_OFF,
        TEAM,
        KPI_REPORT,
        DEVICE_TYPES,
        SCORECARD,
        CAPITAL_PLAN,
        TRAINING_EVENTS,
        TRAINING_EFFECT,
        REPAIR_OR_REPLACE,
        DRILL_DOWN,
        SURVEY_REPORT,
        SETTINGS,
        SAVE_SETTINGS,
    ];
}

/// The one failure shape: a stable machine code and a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpcError {
    pub code: String,
    pub message: String,
}

impl IpcError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        IpcError {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for IpcError {}

/// Codes the window reacts to beyond showing the message.
pub mod codes {
    /// No one is signed in on this tablet; show sign-in.
    pub const NOT_SIGNED_IN: &str = "not_signed_in";
    /// The server could not be reached; the action needs a connection.
    pub const OFFLINE: &str = "offline";
    pub const NOT_FOUND: &str = "not_found";
    pub const FORBIDDEN: &str = "forbidden";
    pub const INVALID: &str = "invalid_input";
    pub const WRONG_PASSWORD: &str = "wrong_password";
}

/// Every command's argument travels as `{ "args": ... }`; commands that
/// take nothing send `NoArgs`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoArgs {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Codes of the sites this user works at.
    pub sites: Vec<String>,
    /// Where this tablet syncs.
    pub server_url: String,
    /// Signed in against the tablet's stored verifier, not the server.
    pub offline: bool,
    /// Sees the supervisor screens (conflicts, sign-off, team).
    pub supervises: bool,
    /// Sees the KPI dashboard (managers, administrators, supervisors).
    #[serde(default)]
    pub sees_kpis: bool,
    /// Sees every dashboard: scorecards, capital plan, training effect,
    /// repair or replace (managers and administrators), lands on them
    /// after sign-in, and changes the hospital's settings.
    #[serde(default)]
    pub sees_reports: bool,
}

/// What the window needs before anyone signs in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    pub session: Option<Session>,
    /// The server this tablet is set up for, to prefill sign-in.
    pub server_url: Option<String>,
    /// The last user who signed in here (who may sign in offline).
    pub last_username: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub server_url: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("server_url", &self.server_url)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The always-visible sync strip.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// The last attempt reached the server.
    pub online: bool,
    /// A sync round is running now.
    pub syncing: bool,
    /// Changes made here that the server has not acknowledged yet.
    pub pending: u64,
    /// Changes the server refused, each with its reason in `refused`.
    pub rejected: u64,
    pub refused: Vec<Refused>,
    pub last_success: Option<DateTime<Utc>>,
    /// Why the last attempt failed, in words a technician can act on.
    pub last_error: Option<String>,
    pub server_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub mutation: String,
    pub reason: String,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Find {
    /// A scanned or typed tag, or words to search for.
    pub query: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Found {
    /// The query is an asset's tag: go straight to its page.
    Asset { tag: String },
    /// Search results, best first (possibly empty).
    Matches { assets: Vec<AssetSummary> },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagArg {
    pub tag: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberArg {
    pub number: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetPage {
    pub detail: AssetDetail,
    pub em_number: i32,
    pub risk_class: RiskClass,
    pub expected_life_years: u16,
    pub age_years: Option<f64>,
    pub past_end_of_support: bool,
    pub unsupported_os: bool,
    pub open_work: Vec<WorkOrderSummary>,
    pub history: Vec<WorkOrderSummary>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PmItem {
    pub due: PmDue,
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
    pub overdue: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyDay {
    pub today: NaiveDate,
    pub assigned: Vec<WorkOrderSummary>,
    pub pms_due: Vec<PmItem>,
}

/// A status step on a work order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Start,
    HoldForParts,
    HoldForVendor,
    Resume,
    Cancel,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WoStep {
    pub number: String,
    pub step: Step,
}

/// A work order as its execution screen shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkOrderPage {
    pub bundle: WorkOrderBundle,
    pub asset: AssetSummary,
    pub assigned_to: Option<String>,
    /// The checklist items this work order records (its PM plan's, and
    /// the asset's PM checklists for post-repair checks), for readings
    /// judged as they are typed.
    pub checklist: Vec<ChecklistItem>,
    /// The electrical-safety edition in force, for safety items' limits.
    pub safety_edition: Option<SafetyEdition>,
    /// Status steps the current user may take now.
    pub steps: Vec<Step>,
    /// The user may record labor, parts, readings and notes, and complete.
    pub can_record: bool,
    pub can_sign_off: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCorrective {
    pub tag: String,
    pub problem: String,
    pub reported_by: String,
    pub priority: Priority,
    pub device_down: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labor {
    pub minutes: u32,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub part_number: String,
    pub description: String,
    pub quantity: u32,
    pub unit_cost: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadingArg {
    pub item_key: String,
    pub answer: Answer,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkRecord {
    pub labor: Vec<Labor>,
    pub parts: Vec<Part>,
    pub readings: Vec<ReadingArg>,
    pub note: Option<String>,
}

impl WorkRecord {
    pub fn is_empty(&self) -> bool {
        self.labor.is_empty()
            && self.parts.is_empty()
            && self.readings.is_empty()
            && self.note.as_deref().is_none_or(|n| n.trim().is_empty())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordWork {
    pub number: String,
    pub record: WorkRecord,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Complete {
    pub number: String,
    pub findings: String,
    pub closure: ClosureCode,
    /// Work not yet recorded, saved with the completion.
    pub record: WorkRecord,
    /// The signature pad's strokes as SVG path data (`M x y L x y …`).
    pub signature: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenPm {
    pub tag: String,
    pub plan_id: Option<PmPlanId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PmAttemptArgs {
    /// The PM work order (opened first if needed via [`cmd::PM_OPEN`]).
    pub number: String,
    pub outcome: AttemptOutcome,
    pub note: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinceArg {
    /// Defaults to the start of the last 12 hours.
    pub since: Option<DateTime<Utc>>,
}

/// What came in since the shift began, grouped by who sent it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShiftSummary {
    pub since: DateTime<Utc>,
    pub people: Vec<PersonShift>,
    pub items: Vec<IncomingV1>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonShift {
    pub user_name: String,
    pub devices: Vec<String>,
    pub applied: u32,
    pub refused: u32,
    pub conflicts: u32,
    pub work_orders_completed: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictsArg {
    /// Also the ones already resolved.
    pub all: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolveAction {
    /// The rule's choice stands.
    Accept,
    /// The value the rule set aside is restored.
    Reverse,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveArgs {
    pub id: Uuid,
    pub action: ResolveAction,
    pub note: String,
}

/// Completed work awaiting a supervisor's sign-off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignOffQueue {
    /// On this tablet (synced or not).
    pub local: Vec<WorkOrderSummary>,
    /// On the server across every device, when reachable; `None` offline.
    pub server: Option<Vec<SignOffItemV1>>,
}

/// One technician's open work, for balancing the team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub username: String,
    pub display_name: String,
    pub open: u32,
    pub in_progress: u32,
    pub on_hold: u32,
    pub overdue: u32,
    pub emergencies: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for c in cmd::ALL {
            assert!(seen.insert(*c), "{c} listed twice");
            assert!(
                c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{c} is not snake_case"
            );
        }
    }

    #[test]
    fn found_is_tagged_so_the_window_can_branch() {
        let v = serde_json::to_value(Found::Asset {
            tag: "BME-1".into(),
        })
        .unwrap();
        assert_eq!(v["type"], "asset");
        assert_eq!(v["tag"], "BME-1");
        let back: Found = serde_json::from_value(v).unwrap();
        assert_eq!(
            back,
            Found::Asset {
                tag: "BME-1".into()
            }
        );
    }

    #[test]
    fn a_reset_travels_as_null() {
        let save = SaveSettings {
            changes: [
                ("capital.cyber_weight".to_string(), Some("0.2".to_string())),
                ("repeat_repair_days".to_string(), None),
            ]
            .into(),
        };
        let v = serde_json::to_value(&save).unwrap();
        assert_eq!(v["changes"]["capital.cyber_weight"], "0.2");
        assert!(v["changes"]["repeat_repair_days"].is_null());
        assert_eq!(serde_json::from_value::<SaveSettings>(v).unwrap(), save);
    }

    #[test]
    fn sign_in_never_prints_the_password() {
        let s = SignIn {
            server_url: "https://biomend.local".into(),
            username: "tech".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn an_empty_record_is_recognised_but_a_note_is_not_empty() {
        assert!(WorkRecord::default().is_empty());
        let with_note = WorkRecord {
            note: Some("checked cable".into()),
            ..WorkRecord::default()
        };
        assert!(!with_note.is_empty());
        let blank_note = WorkRecord {
            note: Some("   ".into()),
            ..WorkRecord::default()
        };
        assert!(blank_note.is_empty());
    }
}
