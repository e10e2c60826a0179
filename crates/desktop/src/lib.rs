//! The service behind the desktop window: what each window command does.
//!
//! Owns: the signed-in session (online sign-in through the server, offline
//! sign-in against the tablet's stored verifier), the background sync
//! worker (its own database connection and a jittered timer, so a sync
//! round never holds up the window), and the translation of the core's
//! answers and errors into the IPC views and `{code, message}` errors of
//! `biomend-ipc`. One method per command in `biomend_ipc::cmd`.
//!
//! Invariants: every method that acts for a person takes the session's
//! user (no session: `not_signed_in`), and every rule and role check is
//! the core's; a write wakes the sync worker so the change leaves the
//! tablet as soon as the server is reachable.
//!
//! Must not know: Tauri, windows or webviews (the shell is a thin adapter
//! over this crate, so everything here is tested without a window), SQL.

mod views;
mod worker;

use biomend_core::sync::{LoginInput, TransportError};
use biomend_core::{App, CoreError};
use biomend_ipc as ipc;
use biomend_ipc::IpcError;
use chrono::{Duration, Utc};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use worker::Worker;

pub use worker::SyncWorkerError;

type R<T> = Result<T, IpcError>;

/// How the desktop service is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// The tablet's database file (created on first start).
    pub db: PathBuf,
    /// The server offered at first sign-in.
    pub server_url: Option<String>,
    /// A PEM file of the hospital's internal CA, for an https server.
    pub ca_cert: Option<PathBuf>,
    /// What this device is called in the administrator's list.
    pub device_name: String,
    /// Time between sync rounds while all is well.
    pub sync_interval: std::time::Duration,
}

/// The desktop app's service: one per window.
#[derive(Debug)]
pub struct Desktop {
    app: Mutex<App>,
    session: Mutex<Option<ipc::Session>>,
    worker: Worker,
    config: Config,
}

/// The core's error as the window shows it.
pub fn ipc_error(e: CoreError) -> IpcError {
    use biomend_sync::SyncError;
    match &e {
        CoreError::Sync(SyncError::Refused(body)) if body.code == "unauthenticated" => {
            IpcError::new(ipc::codes::WRONG_PASSWORD, "wrong username or password")
        }
        CoreError::Sync(SyncError::Offline) => IpcError::new(
            e.code(),
            "the server cannot be reached; your work is kept on this tablet and syncs when the connection returns",
        ),
        _ => IpcError::new(e.code(), e.to_string()),
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves data that is still consistent
    // (every change is one SQLite transaction), so carry on.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Desktop {
    /// Opens (or creates) the tablet's database and starts the sync
    /// worker, which syncs whenever this device holds a sign-in.
    pub fn start(config: Config) -> Result<Desktop, IpcError> {
        if let Some(dir) = config.db.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                IpcError::new(
                    "io_error",
                    format!("cannot create the data folder {}: {e}", dir.display()),
                )
            })?;
        }
        let app = App::open(&config.db).map_err(ipc_error)?;
        let worker = Worker::start(
            config.db.clone(),
            config.ca_cert.clone(),
            config.sync_interval,
        )
        .map_err(|e| IpcError::new("sync_worker", e.to_string()))?;
        Ok(Desktop {
            app: Mutex::new(app),
            session: Mutex::new(None),
            worker,
            config,
        })
    }

    fn app(&self) -> MutexGuard<'_, App> {
        lock(&self.app)
    }

    fn user(&self) -> R<String> {
        lock(&self.session)
            .as_ref()
            .map(|s| s.username.clone())
            .ok_or_else(|| IpcError::new(ipc::codes::NOT_SIGNED_IN, "sign in first"))
    }

    /// Runs a data-changing use case for the signed-in user, then lets the
    /// sync worker know there is something to send.
    fn act<T>(&self, f: impl FnOnce(&mut App, &str) -> biomend_core::Result<T>) -> R<T> {
        let user = self.user()?;
        let out = f(&mut self.app(), &user).map_err(ipc_error)?;
        self.worker.changed();
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&App, &str) -> biomend_core::Result<T>) -> R<T> {
        let user = self.user()?;
        f(&self.app(), &user).map_err(ipc_error)
    }

    // ---- session ---------------------------------------------------------

    pub fn session_state(&self) -> R<ipc::SessionState> {
        let login = biomend_core::sync::credentials(&self.app()).ok();
        Ok(ipc::SessionState {
            session: lock(&self.session).clone(),
            server_url: login
                .as_ref()
                .map(|l| l.server_url.clone())
                .or_else(|| self.config.server_url.clone()),
            last_username: login.map(|l| l.username),
        })
    }

    /// Signs a user in. The user this tablet is already signed in to the
    /// server as is checked against the stored verifier, so it works with
    /// or without a connection and keeps the device's enrolment (and its
    /// outbox numbering). Anyone else signs in through the server, which
    /// enrols the tablet for them; the previous user's unsent work must
    /// reach the server first, since it can only be sent under their
    /// sign-in.
    pub fn sign_in(&self, args: &ipc::SignIn) -> R<ipc::Session> {
        let username = args.username.trim();
        if username.is_empty() || args.password.is_empty() {
            return Err(IpcError::new(
                ipc::codes::INVALID,
                "enter your username and password",
            ));
        }
        let existing = biomend_core::sync::credentials(&self.app()).ok();
        let session = match existing {
            Some(login) if login.username.eq_ignore_ascii_case(username) => {
                let user =
                    biomend_core::sync::offline_sign_in(&self.app(), username, &args.password)
                        .map_err(ipc_error)?;
                let online = self.worker.snapshot().online;
                views::session(&self.app(), &user, &login.server_url, !online).map_err(ipc_error)?
            }
            _ => self.sign_in_online(args)?,
        };
        *lock(&self.session) = Some(session.clone());
        self.worker.asked();
        Ok(session)
    }

    fn sign_in_online(&self, args: &ipc::SignIn) -> R<ipc::Session> {
        let server_url =
            match args.server_url.trim() {
                "" => self.config.server_url.clone().ok_or_else(|| {
                    IpcError::new(ipc::codes::INVALID, "enter the server's address")
                })?,
                u => u.to_string(),
            };
        // The last user's unsent work goes first, under their sign-in.
        let pending = biomend_core::outbox::pending_count(&self.app()).map_err(ipc_error)?;
        if pending > 0 {
            self.worker
                .sync_and_wait(std::time::Duration::from_secs(60));
            let still = biomend_core::outbox::pending_count(&self.app()).map_err(ipc_error)?;
            if still > 0 {
                return Err(IpcError::new(
                    "pending_changes",
                    format!(
                        "{still} change(s) made on this tablet have not reached the server yet; they must sync before another user signs in"
                    ),
                ));
            }
        }
        let ca = worker::read_ca(self.config.ca_cert.as_deref()).map_err(ipc_error)?;
        let ca_path = self
            .config
            .ca_cert
            .as_ref()
            .map(|p| p.display().to_string());
        let mut app = self.app();
        let signed = biomend_core::sync::login_with_ca(
            &mut app,
            &LoginInput {
                server_url: server_url.clone(),
                username: args.username.trim().to_string(),
                password: args.password.clone(),
                device_name: self.config.device_name.clone(),
            },
            ca_path.as_deref(),
            |url, req| {
                biomend_net::login_with_ca(url, ca.as_deref(), req).map_err(TransportError::from)
            },
        )
        .map_err(ipc_error)?;
        // A new tablet knows nobody until its first pull: fetch the site's
        // data now, so the user's day is there when sign-in returns.
        if app.user(&signed.username).is_err() {
            drop(app);
            self.worker
                .sync_and_wait(std::time::Duration::from_secs(600));
            app = self.app();
        }
        let user = app.user(&signed.username).map_err(|_| {
            IpcError::new(
                "first_sync_failed",
                format!(
                    "signed in, but this tablet could not download its data yet: {}",
                    self.worker
                        .snapshot()
                        .last_error
                        .unwrap_or_else(|| "no answer".into())
                ),
            )
        })?;
        views::session(&app, &user, &signed.server_url, false).map_err(ipc_error)
    }

    /// Ends the session; the tablet keeps its enrolment, its data and its
    /// unsent work, which the worker keeps sending.
    pub fn sign_out(&self) -> R<()> {
        *lock(&self.session) = None;
        Ok(())
    }

    // ---- sync ------------------------------------------------------------

    pub fn status(&self) -> R<ipc::SyncStatus> {
        let app = self.app();
        let st = biomend_core::sync::status(&app).map_err(ipc_error)?;
        Ok(views::sync_status(st, &self.worker.snapshot()))
    }

    /// One sync round now (waits for it, up to a minute).
    pub fn sync_now(&self) -> R<ipc::SyncStatus> {
        self.user()?;
        self.worker
            .sync_and_wait(std::time::Duration::from_secs(60));
        self.status()
    }

    // ---- technician --------------------------------------------------------

    pub fn find(&self, args: &ipc::Find) -> R<ipc::Found> {
        self.read(|app, _| views::find(app, &args.query))
    }

    pub fn asset_page(&self, args: &ipc::TagArg) -> R<ipc::AssetPage> {
        self.read(|app, user| {
            let page = biomend_core::asset_page::run(app, &args.tag)?;
            let u = app.user(user)?;
            biomend_core::require_site(&u, page.detail.site.id)?;
            Ok(views::asset_page(page))
        })
    }

    pub fn my_day(&self) -> R<ipc::MyDay> {
        self.read(|app, user| {
            biomend_core::my_day::run(
                app,
                &biomend_core::my_day::MyDayInput {
                    username: user.to_string(),
                    horizon_days: 30,
                    max_pms: 200,
                },
            )
            .map(views::my_day)
        })
    }

    pub fn work_order(&self, args: &ipc::NumberArg) -> R<ipc::WorkOrderPage> {
        self.read(|app, user| views::work_order(app, user, &args.number))
    }

    pub fn new_corrective(&self, args: &ipc::NewCorrective) -> R<ipc::WorkOrderPage> {
        self.act(|app, user| {
            let wo = biomend_core::corrective::run(
                app,
                &biomend_core::corrective::NewCorrective {
                    username: user.to_string(),
                    tag: args.tag.clone(),
                    problem: args.problem.clone(),
                    reported_by: args.reported_by.clone(),
                    priority: args.priority,
                    assign_to: Some(user.to_string()),
                    device_down: args.device_down,
                },
            )?;
            views::work_order(app, user, &wo.number)
        })
    }

    pub fn wo_step(&self, args: &ipc::WoStep) -> R<ipc::WorkOrderPage> {
        use biomend_core::workflow::{self, HoldReason};
        self.act(|app, user| {
            let n = args.number.as_str();
            match args.step {
                ipc::Step::Start => workflow::start(app, user, n)?,
                ipc::Step::HoldForParts => workflow::hold(app, user, n, HoldReason::Parts)?,
                ipc::Step::HoldForVendor => workflow::hold(app, user, n, HoldReason::Vendor)?,
                ipc::Step::Resume => workflow::resume(app, user, n)?,
                ipc::Step::Cancel => workflow::cancel(app, user, n)?,
            };
            views::work_order(app, user, n)
        })
    }

    pub fn wo_record(&self, args: &ipc::RecordWork) -> R<ipc::WorkOrderPage> {
        self.act(|app, user| {
            biomend_core::workflow::record(app, user, &args.number, &views::record(&args.record))?;
            views::work_order(app, user, &args.number)
        })
    }

    pub fn wo_complete(&self, args: &ipc::Complete) -> R<ipc::WorkOrderPage> {
        self.act(|app, user| {
            biomend_core::workflow::complete(
                app,
                user,
                &args.number,
                &biomend_core::workflow::Completion {
                    findings: args.findings.clone(),
                    closure: args.closure,
                    record: views::record(&args.record),
                    signature: args.signature.clone(),
                },
            )?;
            views::work_order(app, user, &args.number)
        })
    }

    pub fn pm_open(&self, args: &ipc::OpenPm) -> R<ipc::WorkOrderPage> {
        self.act(|app, user| {
            let wo = biomend_core::pm::open(
                app,
                &biomend_core::pm::OpenPm {
                    username: user.to_string(),
                    tag: args.tag.clone(),
                    plan_id: args.plan_id,
                },
            )?;
            views::work_order(app, user, &wo.number)
        })
    }

    pub fn pm_attempt(&self, args: &ipc::PmAttemptArgs) -> R<ipc::WorkOrderPage> {
        self.act(|app, user| {
            biomend_core::pm::attempt(app, user, &args.number, args.outcome, &args.note)?;
            views::work_order(app, user, &args.number)
        })
    }

    // ---- supervisor ------------------------------------------------------

    /// The server, as the supervisor's screens reach it.
    fn server(&self) -> R<biomend_net::HttpTransport> {
        worker::transport(&self.app(), self.config.ca_cert.as_deref()).map_err(ipc_error)
    }

    pub fn incoming(&self, args: &ipc::SinceArg) -> R<ipc::ShiftSummary> {
        let mut api = self.server()?;
        let since = args
            .since
            .unwrap_or_else(|| Utc::now() - Duration::hours(12));
        let items = self.read(|app, user| {
            biomend_core::supervisor::incoming(app, user, &mut api, Some(since))
        })?;
        Ok(views::shift_summary(since, items))
    }

    pub fn conflicts(&self, args: &ipc::ConflictsArg) -> R<Vec<ipc::ConflictV1>> {
        let mut api = self.server()?;
        self.read(|app, user| biomend_core::supervisor::conflicts(app, user, &mut api, args.all))
    }

    pub fn resolve(&self, args: &ipc::ResolveArgs) -> R<ipc::ConflictV1> {
        let mut api = self.server()?;
        let how = match args.action {
            ipc::ResolveAction::Accept => biomend_core::supervisor::Resolution::Accept,
            ipc::ResolveAction::Reverse => biomend_core::supervisor::Resolution::Reverse,
        };
        let out = self.read(|app, user| {
            biomend_core::supervisor::resolve(app, user, &mut api, args.id, how, &args.note)
        })?;
        // A reversal writes a new row version on the server: fetch it.
        self.worker.asked();
        Ok(out)
    }

    pub fn sign_off_queue(&self) -> R<ipc::SignOffQueue> {
        let local = self.read(|app, user| biomend_core::sign_off::queue(app, user, 200))?;
        let server = match self.server() {
            Ok(mut api) => self
                .read(|app, user| biomend_core::supervisor::sign_off_queue(app, user, &mut api))
                .ok(),
            Err(_) => None,
        };
        Ok(ipc::SignOffQueue { local, server })
    }

    pub fn sign_off(&self, args: &ipc::NumberArg) -> R<ipc::WorkOrderPage> {
        self.act(|app, user| {
            biomend_core::sign_off::run(app, user, &args.number)?;
            views::work_order(app, user, &args.number)
        })
    }

    pub fn team(&self) -> R<Vec<ipc::TeamMember>> {
        self.read(|app, user| biomend_core::team::workload(app, user).map(views::team))
    }
}

/// A report's days as the core's half-open period: the last day the
/// window names is counted.
fn period(app: &App, d: &ipc::Days) -> biomend_core::Result<biomend_analytics::Period> {
    biomend_core::analytics::period(app, d.from, d.to.map(|t| t + Duration::days(1)))
}

impl Desktop {
    // ---- hospital settings -------------------------------------------------

    pub fn settings(&self) -> R<ipc::SettingsView> {
        self.read(|app, user| biomend_core::settings::view(app, user).map(views::settings))
    }

    /// Saves on this tablet at once (the reports use it offline too) and
    /// wakes the sync worker to take the change to the server.
    pub fn save_settings(&self, args: &ipc::SaveSettings) -> R<ipc::SavedSettings> {
        self.act(|app, user| {
            let saved = biomend_core::settings::save(app, user, &args.changes)?;
            Ok(ipc::SavedSettings {
                changed: saved.changed,
                settings: views::settings(saved.settings),
            })
        })
    }

    // ---- manager dashboards ------------------------------------------------

    pub fn kpi_report(&self, args: &ipc::KpiArgs) -> R<ipc::KpiReport> {
        self.read(|app, user| {
            let p = period(app, &args.days)?;
            biomend_core::analytics::kpi(app, user, args.by, p).map(views::kpi_report)
        })
    }

    pub fn device_types(&self) -> R<Vec<ipc::DeviceTypeChoice>> {
        self.read(|app, user| {
            Ok(biomend_core::analytics::device_types(app, user)?
                .into_iter()
                .map(|(code, name)| ipc::DeviceTypeChoice { code, name })
                .collect())
        })
    }

    pub fn scorecard(&self, args: &ipc::ScorecardArgs) -> R<ipc::ScorecardReport> {
        self.read(|app, user| {
            let p = period(app, &args.days)?;
            let r = biomend_core::analytics::scorecard(app, user, &args.device_type, args.by, p)?;
            Ok(ipc::ScorecardReport {
                device_type: r.device_type,
                device_type_id: r.card.device_type,
                names: r.names,
                card: r.card,
            })
        })
    }

    pub fn capital_plan(&self, args: &ipc::CapitalArgs) -> R<ipc::CapitalReport> {
        self.read(|app, user| {
            let p = period(app, &args.days)?;
            let r = biomend_core::analytics::capital(app, user, args.yearly_budget, args.years, p)?;
            Ok(ipc::CapitalReport {
                period: r.period,
                yearly_budget: r.yearly_budget,
                plan: r.plan,
                top: r.top,
            })
        })
    }

    pub fn training_events(&self) -> R<Vec<ipc::TrainingEventItem>> {
        self.read(|app, user| {
            Ok(biomend_core::analytics::training_events(app, user)?
                .into_iter()
                .map(views::training_event)
                .collect())
        })
    }

    pub fn training_effect(&self, args: &ipc::TrainingArgs) -> R<ipc::TrainingReport> {
        self.read(|app, user| {
            let r = biomend_core::analytics::training(app, user, args.id)?;
            Ok(ipc::TrainingReport {
                event: views::training_event(r.event),
                effect: r.effect,
            })
        })
    }

    pub fn repair_or_replace(&self, args: &ipc::ReplaceArgs) -> R<ipc::ReplaceReport> {
        self.read(|app, user| {
            let p = period(app, &args.days)?;
            let r = biomend_core::analytics::repair_or_replace(
                app,
                user,
                &args.tag,
                args.repair_estimate,
                p,
            )?;
            Ok(ipc::ReplaceReport {
                tag: r.tag,
                period: r.period,
                repair_estimate: r.repair_estimate,
                facts: r.facts,
                advice: r.advice,
            })
        })
    }

    pub fn drill_down(&self, args: &ipc::DrillArgs) -> R<ipc::DrillDown> {
        self.read(|app, user| {
            let d = biomend_core::analytics::drill_down(
                app,
                user,
                args.scope,
                args.drill,
                args.period,
                args.offset,
                args.limit,
            )?;
            Ok(ipc::DrillDown {
                scope: d.scope,
                drill: d.drill,
                period: d.period,
                description: d.description,
                total: d.total,
                offset: d.offset,
                items: d.items,
            })
        })
    }

    /// The Environment of Care report as PDF and HTML files in `folder`
    /// (the shell's choice, e.g. the user's documents), or in a `reports`
    /// folder beside the tablet's database when it has none.
    pub fn survey_report(
        &self,
        args: &ipc::SurveyArgs,
        folder: Option<&std::path::Path>,
    ) -> R<ipc::SurveyWritten> {
        let report = self.read(|app, user| {
            let today = app.clock().today();
            let default = biomend_core::survey::SurveyInput::last_12_months(today);
            biomend_core::survey::run(
                app,
                user,
                &biomend_core::survey::SurveyInput {
                    from: args.days.from.unwrap_or(default.from),
                    to: args.days.to.unwrap_or(default.to),
                    site: args.site.clone().filter(|s| !s.trim().is_empty()),
                },
            )
        })?;
        let folder = match folder {
            Some(f) => f.to_path_buf(),
            None => self
                .config
                .db
                .parent()
                .map_or_else(|| PathBuf::from("reports"), |d| d.join("reports")),
        };
        views::write_survey(&report, &folder)
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        self.worker.stop();
    }
}
