//! The Biomend desktop shell: Tauri v2 around the Yew window.
//!
//! Owns: the command line (`--db`, `--server`, `--ca-cert`, `--user`), the
//! window, Tauri's managed state (one [`Desktop`] service), and one thin
//! `#[tauri::command]` per `biomend_ipc::cmd` entry, grouped by area below.
//! Commands run off the main thread (`async`), so a slow disk or network
//! never freezes the window.
//!
//! Must not know: SQL, business rules, HTTP. Every command is one call
//! into `biomend-desktop`, which is tested without a window; errors cross
//! as `{code, message}` (`biomend_ipc::IpcError`).

use biomend_desktop::{Config, Desktop};
use biomend_ipc as ipc;
use biomend_ipc::IpcError;
use clap::Parser;
use std::path::PathBuf;
use tauri::State;

type R<T> = Result<T, IpcError>;

/// The Biomend desktop app for technicians and supervisors.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The tablet's database file [default: the per-user data folder].
    #[arg(long, env = "BIOMEND_DB")]
    db: Option<PathBuf>,
    /// The sync server offered at first sign-in, e.g. https://biomend.example.org
    #[arg(long, env = "BIOMEND_SERVER")]
    server: Option<String>,
    /// A PEM file of the hospital's internal CA, for an https server.
    #[arg(long, env = "BIOMEND_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// Sign this user in at start (the password comes from
    /// BIOMEND_PASSWORD; for demos and kiosks).
    #[arg(long, env = "BIOMEND_USER")]
    user: Option<String>,
    /// Seconds between background sync rounds while all is well.
    #[arg(long, env = "BIOMEND_SYNC_INTERVAL", default_value_t = 120)]
    sync_interval: u64,
}

fn default_db() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("biomend")
        .join("tablet.sqlite")
}

fn device_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .map(|h| format!("Biomend on {h}"))
        .unwrap_or_else(|| "Biomend tablet".into())
}

// ---- session and sync -----------------------------------------------------

#[tauri::command(async)]
fn session(d: State<'_, Desktop>, args: ipc::NoArgs) -> R<ipc::SessionState> {
    let ipc::NoArgs {} = args;
    d.session_state()
}

#[tauri::command(async)]
fn sign_in(d: State<'_, Desktop>, args: ipc::SignIn) -> R<ipc::Session> {
    d.sign_in(&args)
}

#[tauri::command(async)]
fn sign_out(d: State<'_, Desktop>, args: ipc::NoArgs) -> R<()> {
    let ipc::NoArgs {} = args;
    d.sign_out()
}

#[tauri::command(async)]
fn status(d: State<'_, Desktop>, args: ipc::NoArgs) -> R<ipc::SyncStatus> {
    let ipc::NoArgs {} = args;
    d.status()
}

#[tauri::command(async)]
fn sync_now(d: State<'_, Desktop>, args: ipc::NoArgs) -> R<ipc::SyncStatus> {
    let ipc::NoArgs {} = args;
    d.sync_now()
}

// ---- assets ----------------------------------------------------------------

#[tauri::command(async)]
fn find(d: State<'_, Desktop>, args: ipc::Find) -> R<ipc::Found> {
    d.find(&args)
}

#[tauri::command(async)]
fn asset_page(d: State<'_, Desktop>, args: ipc::TagArg) -> R<ipc::AssetPage> {
    d.asset_page(&args)
}

// ---- the technician's work ---------------------------------------------------

#[tauri::command(async)]
fn my_day(d: State<'_, Desktop>, args: ipc::NoArgs) -> R<ipc::MyDay> {
    let ipc::NoArgs {} = args;
    d.my_day()
}

#[tauri::command(async)]
fn work_order(d: State<'_, Desktop>, args: ipc::NumberArg) -> R<ipc::WorkOrderPage> {
    d.work_order(&args)
}

#[tauri::command(async)]
fn new_corrective(d: State<'_, Desktop>, args: ipc::NewCorrective) -> R<ipc::WorkOrderPage> {
    d.new_corrective(&args)
}

#[tauri::command(async)]
fn wo_step(d: State<'_, Desktop>, args: ipc::WoStep) -> R<ipc::WorkOrderPage> {
    d.wo_step(&args)
}

#[tauri::command(async)]
fn wo_record(d: State<'_, Desktop>, args: ipc::RecordWork) -> R<ipc::WorkOrderPage> {
    d.wo_record(&args)
}

#[tauri::command(async)]
fn wo_complete(d: State<'_, Desktop>, args: ipc::Complete) -> R<ipc::WorkOrderPage> {
    d.wo_complete(&args)
}

#[tauri::command(async)]
fn pm_open(d: State<'_, Desktop>, args: ipc::OpenPm) -> R<ipc::WorkOrderPage> {
    d.pm_open(&args)
}

#[tauri::command(async)]
fn pm_attempt(d: State<'_, Desktop>, args: ipc::PmAttemptArgs) -> R<ipc::WorkOrderPage> {
    d.pm_attempt(&args)
}

// ---- the supervisor's --------------------------------------------------------

#[tauri::command(async)]
fn incoming(d: State<'_, Desktop>, args: ipc::SinceArg) -> R<ipc::ShiftSummary> {
    d.incoming(&args)
}

#[tauri::command(async)]
fn conflicts(d: State<'_, Desktop>, args: ipc::ConflictsArg) -> R<Vec<ipc::ConflictV1>> {
    d.conflicts(&args)
}

#[tauri::command(async)]
fn resolve_conflict(d: State<'_, Desktop>, args: ipc::ResolveArgs) -> R<ipc::ConflictV1> {
    d.resolve(&args)
}

#[tauri::command(async)]
fn sign_off_queue(d: State<'_, Desktop>, args: ipc::NoArgs) -> R<ipc::SignOffQueue> {
    let ipc::NoArgs {} = args;
    d.sign_off_queue()
}

#[tauri::command(async)]
fn sign_off(d: State<'_, Desktop>, args: ipc::NumberArg) -> R<ipc::WorkOrderPage> {
    d.sign_off(&args)
}

#[tauri::command(async)]
fn team(d: State<'_, Desktop>, args: ipc::NoArgs) -> R<Vec<ipc::TeamMember>> {
    let ipc::NoArgs {} = args;
    d.team()
}

/// Starts the app: parses the command line, opens the tablet's database,
/// signs the `--user` in when asked, and opens the window.
pub fn run() {
    let args = Args::parse();
    let desktop = match Desktop::start(Config {
        db: args.db.clone().unwrap_or_else(default_db),
        server_url: args.server.clone(),
        ca_cert: args.ca_cert.clone(),
        device_name: device_name(),
        sync_interval: std::time::Duration::from_secs(args.sync_interval.max(5)),
    }) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("biomend-app: {}", e.message);
            std::process::exit(1);
        }
    };
    if let Some(user) = &args.user {
        // The password never travels on the command line, where other
        // users of the machine could read it.
        let password = std::env::var("BIOMEND_PASSWORD").unwrap_or_default();
        if let Err(e) = desktop.sign_in(&ipc::SignIn {
            server_url: args.server.clone().unwrap_or_default(),
            username: user.clone(),
            password,
        }) {
            eprintln!("biomend-app: could not sign {user} in: {}", e.message);
        }
    }
    let result = tauri::Builder::default()
        .manage(desktop)
        .invoke_handler(tauri::generate_handler![
            session,
            sign_in,
            sign_out,
            status,
            sync_now,
            find,
            asset_page,
            my_day,
            work_order,
            new_corrective,
            wo_step,
            wo_record,
            wo_complete,
            pm_open,
            pm_attempt,
            incoming,
            conflicts,
            resolve_conflict,
            sign_off_queue,
            sign_off,
            team,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("biomend-app: {e}");
        std::process::exit(1);
    }
}
