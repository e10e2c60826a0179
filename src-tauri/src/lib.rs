//! The Biomend desktop shell: Tauri v2 around the Yew window.
//!
//! Owns: the command line (`--db`, `--server`, `--ca-cert`, `--user`), the
//! window, Tauri's managed state (one [`Desktop`] service), and one thin
//! `#[tauri::command]` per `biomend_ipc::cmd` entry, grouped by area below.
//! Every command runs its call on a blocking thread of the async runtime:
//! never the main thread, so a slow disk or network never freezes the
//! window, and never an async worker, where the service's blocking HTTP
//! client must not run (it panics there, e.g. at an online sign-in).
//!
//! Must not know: SQL, business rules, HTTP. Every command is one call
//! into `biomend-desktop`, which is tested without a window; errors cross
//! as `{code, message}` (`biomend_ipc::IpcError`).

use biomend_desktop::{Config, Desktop};
use biomend_ipc as ipc;
use biomend_ipc::IpcError;
use clap::Parser;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::State;

type R<T> = Result<T, IpcError>;

/// The one service, shared with the blocking threads commands run on.
type Shared = Arc<Desktop>;

/// Runs one service call on a blocking thread and hands back its answer.
async fn blocking<T: Send + 'static>(
    d: &State<'_, Shared>,
    call: impl FnOnce(&Desktop) -> R<T> + Send + 'static,
) -> R<T> {
    let d = Arc::clone(d.inner());
    tauri::async_runtime::spawn_blocking(move || call(&d))
        .await
        .unwrap_or_else(|e| {
            Err(IpcError::new(
                "internal",
                format!("the command failed: {e}"),
            ))
        })
}

/// The Biomend desktop app for technicians, supervisors and managers.
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

#[tauri::command]
async fn session(d: State<'_, Shared>, args: ipc::NoArgs) -> R<ipc::SessionState> {
    blocking(&d, move |d| {
        let ipc::NoArgs {} = args;
        d.session_state()
    })
    .await
}

#[tauri::command]
async fn sign_in(d: State<'_, Shared>, args: ipc::SignIn) -> R<ipc::Session> {
    blocking(&d, move |d| d.sign_in(&args)).await
}

#[tauri::command]
async fn sign_out(d: State<'_, Shared>, args: ipc::NoArgs) -> R<()> {
    blocking(&d, move |d| {
        let ipc::NoArgs {} = args;
        d.sign_out()
    })
    .await
}

#[tauri::command]
async fn status(d: State<'_, Shared>, args: ipc::NoArgs) -> R<ipc::SyncStatus> {
    blocking(&d, move |d| {
        let ipc::NoArgs {} = args;
        d.status()
    })
    .await
}

#[tauri::command]
async fn sync_now(d: State<'_, Shared>, args: ipc::NoArgs) -> R<ipc::SyncStatus> {
    blocking(&d, move |d| {
        let ipc::NoArgs {} = args;
        d.sync_now()
    })
    .await
}

// ---- assets ----------------------------------------------------------------

#[tauri::command]
async fn find(d: State<'_, Shared>, args: ipc::Find) -> R<ipc::Found> {
    blocking(&d, move |d| d.find(&args)).await
}

#[tauri::command]
async fn asset_page(d: State<'_, Shared>, args: ipc::TagArg) -> R<ipc::AssetPage> {
    blocking(&d, move |d| d.asset_page(&args)).await
}

// ---- the technician's work ---------------------------------------------------

#[tauri::command]
async fn my_day(d: State<'_, Shared>, args: ipc::NoArgs) -> R<ipc::MyDay> {
    blocking(&d, move |d| {
        let ipc::NoArgs {} = args;
        d.my_day()
    })
    .await
}

#[tauri::command]
async fn work_order(d: State<'_, Shared>, args: ipc::NumberArg) -> R<ipc::WorkOrderPage> {
    blocking(&d, move |d| d.work_order(&args)).await
}

#[tauri::command]
async fn new_corrective(d: State<'_, Shared>, args: ipc::NewCorrective) -> R<ipc::WorkOrderPage> {
    blocking(&d, move |d| d.new_corrective(&args)).await
}

#[tauri::command]
async fn wo_step(d: State<'_, Shared>, args: ipc::WoStep) -> R<ipc::WorkOrderPage> {
    blocking(&d, move |d| d.wo_step(&args)).await
}

#[tauri::command]
async fn wo_record(d: State<'_, Shared>, args: ipc::RecordWork) -> R<ipc::WorkOrderPage> {
    blocking(&d, move |d| d.wo_record(&args)).await
}

#[tauri::command]
async fn wo_complete(d: State<'_, Shared>, args: ipc::Complete) -> R<ipc::WorkOrderPage> {
    blocking(&d, move |d| d.wo_complete(&args)).await
}

#[tauri::command]
async fn pm_open(d: State<'_, Shared>, args: ipc::OpenPm) -> R<ipc::WorkOrderPage> {
    blocking(&d, move |d| d.pm_open(&args)).await
}

#[tauri::command]
async fn pm_attempt(d: State<'_, Shared>, args: ipc::PmAttemptArgs) -> R<ipc::WorkOrderPage> {
    blocking(&d, move |d| d.pm_attempt(&args)).await
}

// ---- the supervisor's --------------------------------------------------------

#[tauri::command]
async fn incoming(d: State<'_, Shared>, args: ipc::SinceArg) -> R<ipc::ShiftSummary> {
    blocking(&d, move |d| d.incoming(&args)).await
}

#[tauri::command]
async fn conflicts(d: State<'_, Shared>, args: ipc::ConflictsArg) -> R<Vec<ipc::ConflictV1>> {
    blocking(&d, move |d| d.conflicts(&args)).await
}

#[tauri::command]
async fn resolve_conflict(d: State<'_, Shared>, args: ipc::ResolveArgs) -> R<ipc::ConflictV1> {
    blocking(&d, move |d| d.resolve(&args)).await
}

#[tauri::command]
async fn sign_off_queue(d: State<'_, Shared>, args: ipc::NoArgs) -> R<ipc::SignOffQueue> {
    blocking(&d, move |d| {
        let ipc::NoArgs {} = args;
        d.sign_off_queue()
    })
    .await
}

#[tauri::command]
async fn sign_off(d: State<'_, Shared>, args: ipc::NumberArg) -> R<ipc::WorkOrderPage> {
    blocking(&d, move |d| d.sign_off(&args)).await
}

#[tauri::command]
async fn team(d: State<'_, Shared>, args: ipc::NoArgs) -> R<Vec<ipc::TeamMember>> {
    blocking(&d, move |d| {
        let ipc::NoArgs {} = args;
        d.team()
    })
    .await
}

// ---- the managers' dashboards --------------------------------------------------

#[tauri::command]
async fn kpi_report(d: State<'_, Shared>, args: ipc::KpiArgs) -> R<ipc::KpiReport> {
    blocking(&d, move |d| d.kpi_report(&args)).await
}

#[tauri::command]
async fn device_types(d: State<'_, Shared>, args: ipc::NoArgs) -> R<Vec<ipc::DeviceTypeChoice>> {
    blocking(&d, move |d| {
        let ipc::NoArgs {} = args;
        d.device_types()
    })
    .await
}

#[tauri::command]
async fn scorecard(d: State<'_, Shared>, args: ipc::ScorecardArgs) -> R<ipc::ScorecardReport> {
    blocking(&d, move |d| d.scorecard(&args)).await
}

#[tauri::command]
async fn capital_plan(d: State<'_, Shared>, args: ipc::CapitalArgs) -> R<ipc::CapitalReport> {
    blocking(&d, move |d| d.capital_plan(&args)).await
}

#[tauri::command]
async fn training_events(
    d: State<'_, Shared>,
    args: ipc::NoArgs,
) -> R<Vec<ipc::TrainingEventItem>> {
    blocking(&d, move |d| {
        let ipc::NoArgs {} = args;
        d.training_events()
    })
    .await
}

#[tauri::command]
async fn training_effect(d: State<'_, Shared>, args: ipc::TrainingArgs) -> R<ipc::TrainingReport> {
    blocking(&d, move |d| d.training_effect(&args)).await
}

#[tauri::command]
async fn repair_or_replace(d: State<'_, Shared>, args: ipc::ReplaceArgs) -> R<ipc::ReplaceReport> {
    blocking(&d, move |d| d.repair_or_replace(&args)).await
}

#[tauri::command]
async fn drill_down(d: State<'_, Shared>, args: ipc::DrillArgs) -> R<ipc::DrillDown> {
    blocking(&d, move |d| d.drill_down(&args)).await
}

// ---- the hospital's settings ---------------------------------------------------

#[tauri::command]
async fn settings(d: State<'_, Shared>, args: ipc::NoArgs) -> R<ipc::SettingsView> {
    blocking(&d, move |d| {
        let ipc::NoArgs {} = args;
        d.settings()
    })
    .await
}

#[tauri::command]
async fn save_settings(d: State<'_, Shared>, args: ipc::SaveSettings) -> R<ipc::SavedSettings> {
    blocking(&d, move |d| d.save_settings(&args)).await
}

/// Where the survey report goes: the user's documents (or downloads)
/// folder; without either, the service writes beside the database.
fn reports_folder() -> Option<PathBuf> {
    dirs::document_dir()
        .or_else(dirs::download_dir)
        .map(|d| d.join("Biomend reports"))
}

#[tauri::command]
async fn survey_report(d: State<'_, Shared>, args: ipc::SurveyArgs) -> R<ipc::SurveyWritten> {
    blocking(&d, move |d| {
        d.survey_report(&args, reports_folder().as_deref())
    })
    .await
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
        .manage(Arc::new(desktop))
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
            kpi_report,
            device_types,
            scorecard,
            capital_plan,
            training_events,
            training_effect,
            repair_or_replace,
            drill_down,
            survey_report,
            settings,
            save_settings,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("biomend-app: {e}");
        std::process::exit(1);
    }
}
