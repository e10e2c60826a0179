//! Command-line arguments.

use biomend_domain::user::Role;
use biomend_domain::work_order::{AttemptOutcome, Priority};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "biomend",
    version,
    about = "Biomend: offline-first equipment management for HTM departments",
    propagate_version = true
)]
pub struct Cli {
    /// Database file [default: the per-user data folder, biomend/biomend.sqlite]
    #[arg(long, global = true, env = "BIOMEND_DB")]
    pub db: Option<PathBuf>,
    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,
    /// Act as this user (recorded in the audit trail) [default: the user
    /// who signed this device in, else demo.tech]
    #[arg(long = "as", global = true, env = "BIOMEND_USER")]
    pub user: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the demo hospital in an empty database
    Demo(DemoArgs),
    /// Set up an empty database with its first site and administrator
    Init(InitArgs),
    /// Manage users
    #[command(subcommand)]
    User(UserCmd),
    /// Import inventory
    #[command(subcommand)]
    Import(ImportCmd),
    /// Export to CSV
    #[command(subcommand)]
    Export(ExportCmd),
    /// Find and show devices
    #[command(subcommand)]
    Asset(AssetCmd),
    /// Work assigned to me and PMs due in my area
    MyDay {
        /// List PMs due within this many days
        #[arg(long, default_value_t = 14)]
        days: u32,
        /// At most this many PMs
        #[arg(long, default_value_t = 200)]
        max_pms: u32,
    },
    /// Work orders: open, start, hold, log work, complete, sign off
    #[command(subcommand)]
    Wo(WoCmd),
    /// Scheduled maintenance
    #[command(subcommand)]
    Pm(PmCmd),
    /// List the closure codes
    ClosureCodes,
    /// Sign this device in to a Biomend server
    Login(LoginArgs),
    /// Send this device's changes to the server and fetch the server's
    Sync {
        #[command(subcommand)]
        cmd: Option<SyncCmd>,
    },
    /// Conflicts the server settled by its rules (supervisors)
    Conflicts(ConflictsArgs),
    /// Reports for managers: KPIs, scorecards, repair vs replace, capital
    /// plan, training effect
    #[command(subcommand)]
    Report(ReportCmd),
    /// The hospital's thresholds and weights the reports judge with
    /// (managers and administrators change them; supervisors may look)
    #[command(subcommand)]
    Settings(SettingsCmd),
    /// What came in from every device since the last shift (supervisors)
    Incoming {
        /// Since this instant (RFC 3339) [default: the server's, 12 hours]
        #[arg(long)]
        since: Option<chrono::DateTime<chrono::Utc>>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCmd {
    /// Every setting by section, with its value and default
    Show,
    /// Change settings, e.g. `set capital.cyber_weight=0.2 repeat_repair_days=14`
    Set {
        /// KEY=VALUE; the keys are the ones `settings show` lists
        #[arg(required = true, value_name = "KEY=VALUE")]
        values: Vec<String>,
    },
    /// Put settings back to their defaults
    Reset {
        #[arg(required = true, value_name = "KEY")]
        keys: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The server's address, e.g. https://biomend.example.org
    #[arg(long)]
    pub server: String,
    #[arg(long)]
    pub username: String,
    /// Read the password from standard input instead of prompting
    #[arg(long)]
    pub password_stdin: bool,
    /// What this device is called in the administrator's list
    #[arg(long)]
    pub device_name: Option<String>,
    /// A PEM file with the hospital's internal CA certificate, trusted on
    /// top of the system's; kept with the sign-in for later syncs
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SyncCmd {
    /// Where sync stands, without contacting the server
    Status,
}

#[derive(Debug, Args)]
pub struct ConflictsArgs {
    /// Resolved conflicts too
    #[arg(long)]
    pub all: bool,
    #[command(subcommand)]
    pub cmd: Option<ConflictsCmd>,
}

#[derive(Debug, Subcommand)]
pub enum ConflictsCmd {
    /// Accept the rule's choice or reverse it
    Resolve {
        id: uuid::Uuid,
        /// The rule's choice stands
        #[arg(long, conflicts_with = "reverse", required_unless_present = "reverse")]
        accept: bool,
        /// Restore the value the rule set aside
        #[arg(long)]
        reverse: bool,
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of assets [default: from assets/demo-hospital.json]
    #[arg(long)]
    pub assets: Option<u32>,
    /// Number of work orders of history
    #[arg(long)]
    pub work_orders: Option<u64>,
    /// Seed for the generator (same seed and date, same hospital)
    #[arg(long)]
    pub seed: Option<u64>,
    /// The demo's "today": history ends and PMs fall due around it [default: today]
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Delete an existing database file first
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[arg(long)]
    pub site_code: String,
    #[arg(long)]
    pub site_name: String,
    /// Username of the first administrator
    #[arg(long)]
    pub admin: String,
    #[arg(long)]
    pub admin_name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add a user (administrators only)
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    pub username: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// Site code (repeatable); default: the administrator's sites
    #[arg(long)]
    pub site: Vec<String>,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        format!(
            "unknown role '{s}'; roles: {}",
            Role::ALL
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Import assets from CSV or XLSX (all or nothing unless --only-good-rows)
    Assets(ImportArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DateOrderArg {
    /// 04/05/2024 is April 5
    Us,
    /// 04/05/2024 is 4 May
    Day,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// Import the good rows and report the rest (default: any problem imports nothing)
    #[arg(long)]
    pub only_good_rows: bool,
    /// Explicit column mapping, e.g. "Equip No=tag,Maker=manufacturer"
    #[arg(long)]
    pub mapping: Option<String>,
    /// How to read slash dates; ISO dates always work
    #[arg(long, value_enum, default_value_t = DateOrderArg::Us)]
    pub date_order: DateOrderArg,
    /// Worksheet of an XLSX workbook [default: the first]
    #[arg(long)]
    pub sheet: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCmd {
    /// Export every asset (re-importable); FILE '-' writes to standard output
    Assets { file: PathBuf },
    /// Export every work order; FILE '-' writes to standard output
    WorkOrders { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum AssetCmd {
    /// The asset page: identity, risk, contract, network, PM, history
    Show { tag: String },
    /// Exact look-up by tag, as a scanner types it
    Find { tag: String },
    /// Search by tag, serial, maker, model, type, department or room
    Search {
        #[arg(required = true)]
        text: Vec<String>,
        #[arg(long, default_value_t = 25)]
        limit: u32,
    },
    /// Change a device's status, room, serial or notes
    Edit(AssetEditArgs),
}

#[derive(Debug, Args)]
pub struct AssetEditArgs {
    pub tag: String,
    #[arg(long, value_parser = parse_asset_status)]
    pub status: Option<biomend_domain::asset::AssetStatus>,
    /// A room in the asset's site: the room, or "building floor room"
    #[arg(long)]
    pub location: Option<String>,
    /// The serial number ("" clears it)
    #[arg(long)]
    pub serial: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
    /// A department of the asset's site (inventory editors only)
    #[arg(long)]
    pub department: Option<String>,
}

fn parse_asset_status(s: &str) -> Result<biomend_domain::asset::AssetStatus, String> {
    biomend_domain::asset::AssetStatus::parse(&s.replace('-', "_")).ok_or_else(|| {
        "expected one of: in_service, out_of_service, in_repair, retired, missing".to_string()
    })
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PriorityArg {
    Emergency,
    Urgent,
    Routine,
    Scheduled,
}

impl From<PriorityArg> for Priority {
    fn from(p: PriorityArg) -> Self {
        match p {
            PriorityArg::Emergency => Priority::Emergency,
            PriorityArg::Urgent => Priority::Urgent,
            PriorityArg::Routine => Priority::Routine,
            PriorityArg::Scheduled => Priority::Scheduled,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum HoldArg {
    Parts,
    Vendor,
}

impl From<HoldArg> for biomend_core::workflow::HoldReason {
    fn from(h: HoldArg) -> Self {
        match h {
            HoldArg::Parts => biomend_core::workflow::HoldReason::Parts,
            HoldArg::Vendor => biomend_core::workflow::HoldReason::Vendor,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AttemptArg {
    InUse,
    NotLocated,
}

impl From<AttemptArg> for AttemptOutcome {
    fn from(a: AttemptArg) -> Self {
        match a {
            AttemptArg::InUse => AttemptOutcome::InUse,
            AttemptArg::NotLocated => AttemptOutcome::NotLocated,
        }
    }
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Labor in minutes (repeatable)
    #[arg(long)]
    pub labor: Vec<u32>,
    /// Part used: PART_NUMBER:QTY[:UNIT_COST[:DESCRIPTION]] (repeatable)
    #[arg(long)]
    pub part: Vec<String>,
    /// Checklist reading: KEY=VALUE, VALUE a number or pass/fail/na (repeatable)
    #[arg(long)]
    pub reading: Vec<String>,
    /// A note on the work order
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewWoArgs {
    pub tag: String,
    #[arg(long)]
    pub problem: String,
    #[arg(long)]
    pub reported_by: Option<String>,
    #[arg(long, value_enum, default_value_t = PriorityArg::Routine)]
    pub priority: PriorityArg,
    /// Assign to this technician
    #[arg(long)]
    pub assign: Option<String>,
    /// The device is out of service (starts downtime)
    #[arg(long)]
    pub down: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    pub number: String,
    #[command(flatten)]
    pub record: RecordArgs,
}

#[derive(Debug, Args)]
pub struct CompleteArgs {
    pub number: String,
    /// Closure code (see `biomend closure-codes`)
    #[arg(long)]
    pub closure: String,
    #[arg(long)]
    pub findings: Option<String>,
    /// File with the signature pad's SVG path data
    #[arg(long, conflicts_with = "sign_as")]
    pub signature_file: Option<PathBuf>,
    /// Sign by typing your full name
    #[arg(long)]
    pub sign_as: Option<String>,
    #[command(flatten)]
    pub record: RecordArgs,
}

#[derive(Debug, Subcommand)]
pub enum WoCmd {
    /// Open a corrective work order on a device
    New(NewWoArgs),
    /// Show a work order with everything recorded on it
    Show { number: String },
    /// Start work (takes unassigned work as yours)
    Start { number: String },
    /// Put on hold waiting for parts or a vendor
    Hold {
        number: String,
        #[arg(long, value_enum)]
        reason: HoldArg,
    },
    /// Resume work that was on hold
    Resume { number: String },
    /// Cancel work opened in error or as a duplicate (keeps its history)
    Cancel { number: String },
    /// Record labor, parts, readings or a note
    Log(LogArgs),
    /// Complete with closure code and signature
    Complete(CompleteArgs),
    /// Sign off completed work (supervisors)
    Signoff { number: String },
    /// Completed work waiting for sign-off
    Queue {
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Ask the server (signed-in supervisors): completed work from
        /// every device of your sites, with open conflicts, including work
        /// this device has not pulled yet
        #[arg(long)]
        server: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PmCmd {
    /// Open (or reopen) the PM work order for a device's due plan
    Open { tag: String },
    /// Document that the device was in use or could not be located
    Attempt {
        number: String,
        #[arg(long, value_enum)]
        outcome: AttemptArg,
        #[arg(long)]
        note: Option<String>,
    },
}

/// The period a report covers [default: the 365 days up to today].
#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// First day counted
    #[arg(long)]
    pub from: Option<chrono::NaiveDate>,
    /// Last day counted (inclusive)
    #[arg(long)]
    pub to: Option<chrono::NaiveDate>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KpiBy {
    All,
    Site,
    Department,
    DeviceType,
    Model,
    Manufacturer,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CardBy {
    Model,
    Manufacturer,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// PM completion, uptime, MTBF, MTTR, COSR, CND, use-error and repeat
    /// rates per group (supervisors, managers, admins)
    Kpi {
        #[arg(long, value_enum, default_value = "department")]
        by: KpiBy,
        #[command(flatten)]
        period: PeriodArgs,
    },
    /// Rank the models or manufacturers of one device type
    Scorecard {
        /// Nomenclature code of the device type, e.g. 13-215
        device_type: String,
        #[arg(long, value_enum, default_value = "manufacturer")]
        by: CardBy,
        #[command(flatten)]
        period: PeriodArgs,
    },
    /// Repair or replace one device
    Replace {
        tag: String,
        /// The technician's repair estimate, e.g. 1200.00
        #[arg(long)]
        estimate: Option<String>,
        /// Service cost and MTBF are taken over this period
        #[command(flatten)]
        period: PeriodArgs,
    },
    /// Devices for which enough replacement rules hold
    Candidates {
        #[command(flatten)]
        period: PeriodArgs,
    },
    /// A replacement plan in priority order within a yearly budget
    Capital {
        /// Yearly budget, e.g. 500000
        #[arg(long)]
        budget: String,
        #[arg(long, default_value_t = 3)]
        years: u32,
        /// Service cost is taken over this period
        #[command(flatten)]
        period: PeriodArgs,
    },
    /// Training events, or one event's effect (its number in the list, or its id)
    Training { event: Option<String> },
    /// The Environment of Care committee / survey report as PDF and HTML:
    /// PM completion by risk class, high-risk PMs missed with their
    /// reasons, repairs, recalls, CND and damage calls (managers,
    /// supervisors, admins)
    Survey(SurveyArgs),
}

#[derive(Debug, Args)]
pub struct SurveyArgs {
    /// First day counted, e.g. 2025-07-01
    #[arg(long)]
    pub from: chrono::NaiveDate,
    /// Last day counted (inclusive), e.g. 2026-06-30
    #[arg(long)]
    pub to: chrono::NaiveDate,
    /// Only this site (its code) [default: every site you may see]
    #[arg(long)]
    pub site: Option<String>,
    /// Write the report as PDF to this file
    #[arg(long, value_name = "FILE")]
    pub pdf: Option<PathBuf>,
    /// Write the report as a self-contained HTML page to this file
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}
