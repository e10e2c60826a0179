//! `biomend`: the command-line face of the app core, for scripting,
//! imports, exports and the demo hospital. It parses arguments, calls one
//! use case, and prints the result as text or JSON; it holds no rules.

mod args;
mod netcmd;
mod output;
mod report;
mod settings;

use anyhow::Context;
use args::*;
use biomend_core::{App, CoreError};
use biomend_domain::checklist::{Answer, Verdict};
use biomend_domain::work_order::ClosureCode;
use clap::Parser;
use output::Out;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when an import found problems and so imported nothing.
const EXIT_IMPORT_PROBLEMS: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Out::new(cli.json);
    match run(&cli, &out) {
        Ok(code) => code,
        Err(e) => {
            out.error(&e);
            if netcmd::is_offline(&e) {
                ExitCode::from(netcmd::EXIT_OFFLINE)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn default_db() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("biomend")
        .join("biomend.sqlite")
}

fn open(cli: &Cli) -> anyhow::Result<App> {
    let path = cli.db.clone().unwrap_or_else(default_db);
    App::open(&path).with_context(|| format!("cannot open database {}", path.display()))
}

/// Who acts: `--as`, else whoever signed this device in, else the demo
/// technician.
fn acting_user(cli: &Cli, app: &App) -> anyhow::Result<String> {
    if let Some(u) = &cli.user {
        return Ok(u.clone());
    }
    Ok(biomend_core::sync::signed_in_username(app)?.unwrap_or_else(|| "demo.tech".into()))
}

fn run(cli: &Cli, out: &Out) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Demo(a) => demo(cli, a, out),
        Command::Init(a) => {
            let mut app = open(cli)?;
            let admin = biomend_core::setup::init(
                &mut app,
                &biomend_core::setup::Init {
                    site_code: a.site_code.clone(),
                    site_name: a.site_name.clone(),
                    admin_username: a.admin.clone(),
                    admin_name: a.admin_name.clone().unwrap_or_else(|| a.admin.clone()),
                },
            )?;
            out.show(&admin, || {
                format!(
                    "set up site {} with administrator '{}'",
                    a.site_code, admin.username
                )
            });
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCmd::Add(a)) => {
            let mut app = open(cli)?;
            let user = acting_user(cli, &app)?;
            let u = biomend_core::setup::add_user(
                &mut app,
                &user,
                &biomend_core::setup::NewUser {
                    username: a.username.clone(),
                    display_name: a.name.clone().unwrap_or_else(|| a.username.clone()),
                    role: a.role,
                    sites: a.site.clone(),
                },
            )?;
            out.show(&u, || format!("added {} '{}'", u.role, u.username));
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCmd::Assets(a)) => import_assets(cli, a, out),
        Command::Export(e) => {
            let app = open(cli)?;
            let (file, kind) = match e {
                ExportCmd::Assets { file } => (file, "assets"),
                ExportCmd::WorkOrders { file } => (file, "work orders"),
            };
            let n = if file.as_os_str() == "-" {
                let stdout = std::io::stdout().lock();
                match e {
                    ExportCmd::Assets { .. } => biomend_core::export::assets(&app, stdout)?,
                    ExportCmd::WorkOrders { .. } => {
                        biomend_core::export::work_orders(&app, stdout)?
                    }
                }
            } else {
                // Write beside the target and rename, so a failed export
                // never leaves a truncated file where a good one was.
                let tmp = file.with_extension("partial");
                let f = std::fs::File::create(&tmp)
                    .with_context(|| format!("cannot create {}", tmp.display()))?;
                let w = std::io::BufWriter::new(f);
                let n = match e {
                    ExportCmd::Assets { .. } => biomend_core::export::assets(&app, w)?,
                    ExportCmd::WorkOrders { .. } => biomend_core::export::work_orders(&app, w)?,
                };
                std::fs::rename(&tmp, file)
                    .with_context(|| format!("cannot write {}", file.display()))?;
                n
            };
            if file.as_os_str() != "-" {
                out.show(&serde_json::json!({ "exported": n, "file": file }), || {
                    format!("exported {n} {kind} to {}", file.display())
                });
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Asset(AssetCmd::Show { tag }) => {
            let app = open(cli)?;
            let page = biomend_core::asset_page::run(&app, tag)?;
            out.show(&page, || output::asset_page(&page));
            Ok(ExitCode::SUCCESS)
        }
        Command::Asset(AssetCmd::Search { text, limit }) => {
            let app = open(cli)?;
            let hits = biomend_core::search::run(
                &app,
                &biomend_core::search::SearchInput {
                    text: text.join(" "),
                    limit: *limit,
                },
            )?;
            out.show(&hits, || output::asset_list(&hits));
            Ok(ExitCode::SUCCESS)
        }
        Command::Asset(AssetCmd::Find { tag }) => {
            let app = open(cli)?;
            let a = biomend_core::find_asset::run(&app, tag)?;
            out.show(&a, || output::asset_list(std::slice::from_ref(&a)));
            Ok(ExitCode::SUCCESS)
        }
        Command::MyDay { days, max_pms } => {
            let app = open(cli)?;
            let day = biomend_core::my_day::run(
                &app,
                &biomend_core::my_day::MyDayInput {
                    username: acting_user(cli, &app)?,
                    horizon_days: *days,
                    max_pms: *max_pms,
                },
            )?;
            out.show(&day, || output::my_day(&day));
            Ok(ExitCode::SUCCESS)
        }
        Command::ClosureCodes => {
            let codes: Vec<_> = ClosureCode::all()
                .into_iter()
                .map(|c| serde_json::json!({ "code": c.code(), "label": c.label() }))
                .collect();
            out.show(&codes, || {
                ClosureCode::all()
                    .into_iter()
                    .map(|c| format!("{:<24} {}", c.code(), c.label()))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(ExitCode::SUCCESS)
        }
        Command::Wo(w) => work_order(cli, w, out),
        Command::Pm(p) => pm(cli, p, out),
        Command::Asset(AssetCmd::Edit(a)) => {
            let mut app = open(cli)?;
            let user = acting_user(cli, &app)?;
            let edited = biomend_core::asset_edit::run(
                &mut app,
                &biomend_core::asset_edit::AssetEdit {
                    username: user,
                    tag: a.tag.clone(),
                    status: a.status,
                    place: a
                        .location
                        .clone()
                        .map(biomend_core::asset_edit::Place::Room),
                    serial: a
                        .serial
                        .clone()
                        .map(|s| Some(s).filter(|s| !s.trim().is_empty())),
                    notes: a.notes.clone(),
                    risk: None,
                    department: a.department.clone(),
                },
            )?;
            out.show(&edited, || {
                if edited.changed.is_empty() {
                    format!("{}: nothing changed", edited.asset.tag)
                } else {
                    format!(
                        "{}: changed {}; queued for sync",
                        edited.asset.tag,
                        edited.changed.join(", ")
                    )
                }
            });
            Ok(ExitCode::SUCCESS)
        }
        Command::Login(a) => netcmd::login(cli, a, out),
        Command::Sync { cmd: None } => netcmd::sync(cli, out),
        Command::Sync {
            cmd: Some(SyncCmd::Status),
        } => netcmd::status(cli, out),
        Command::Conflicts(a) => netcmd::conflicts(cli, a, out),
        Command::Incoming { since } => netcmd::incoming(cli, *since, out),
        Command::Settings(cmd) => {
            let mut app = open(cli)?;
            let user = acting_user(cli, &app)?;
            settings::run(&mut app, &user, cmd, out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report(cmd) => {
            let app = open(cli)?;
            let user = acting_user(cli, &app)?;
            report::run(&app, &user, cmd, out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn demo(cli: &Cli, a: &DemoArgs, out: &Out) -> anyhow::Result<ExitCode> {
    let path = cli.db.clone().unwrap_or_else(default_db);
    if a.force {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", path.display()));
            if p.exists() {
                std::fs::remove_file(&p)
                    .with_context(|| format!("cannot remove {}", p.display()))?;
            }
        }
    }
    let mut params = match (a.assets, a.work_orders) {
        (None, None) => biomend_demo::DemoParams::small(),
        (assets, wos) => {
            let s = biomend_demo::DemoParams::small();
            biomend_demo::DemoParams::scaled(
                assets.unwrap_or(s.assets),
                wos.unwrap_or(s.work_orders),
            )
        }
    };
    if let Some(seed) = a.seed {
        params.seed = seed;
    }
    // A demo made today shows today's work; tests and benchmarks pin a date.
    params.as_of = a.as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut app =
        App::open(&path).with_context(|| format!("cannot open database {}", path.display()))?;
    let bar = out.progress(params.work_orders, "work orders");
    let summary = biomend_core::demo::create(&mut app, &params, |stage| match stage {
        biomend_core::demo::Stage::Inventory => bar.set_message("generating inventory"),
        biomend_core::demo::Stage::History { done, .. } => {
            bar.set_message("loading history");
            bar.set_position(done);
        }
    })?;
    bar.finish_and_clear();
    out.show(&summary, || {
        format!(
            "created demo hospital '{}' as of {} in {}\n  {} sites, {} departments, {} assets, {} users\n  {} work orders with {} labor, parts, readings and other records\ntry: biomend --db {} my-day --as demo.tech",
            summary.name, params.as_of, path.display(), summary.sites, summary.departments, summary.assets, summary.users,
            summary.work_orders, summary.attached_records, path.display()
        )
    });
    Ok(ExitCode::SUCCESS)
}

fn import_assets(cli: &Cli, a: &ImportArgs, out: &Out) -> anyhow::Result<ExitCode> {
    let mut app = open(cli)?;
    let mut opts = biomend_interchange::ImportOptions {
        date_order: match a.date_order {
            DateOrderArg::Us => biomend_interchange::DateOrder::Us,
            DateOrderArg::Day => biomend_interchange::DateOrder::Day,
        },
        sheet: a.sheet.clone(),
        ..Default::default()
    };
    if let Some(m) = &a.mapping {
        opts.mapping = Some(biomend_interchange::ColumnMapping::parse(m)?);
    }
    let spinner = out.spinner(&format!("importing {}", a.file.display()));
    let user = acting_user(cli, &app)?;
    let outcome = biomend_core::import::assets(&mut app, &user, &a.file, &opts, a.only_good_rows)?;
    spinner.finish_and_clear();
    out.show(&outcome, || {
        output::import_outcome(&outcome, a.only_good_rows)
    });
    if outcome.committed {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(EXIT_IMPORT_PROBLEMS))
    }
}

fn parse_reading(s: &str) -> anyhow::Result<biomend_core::workflow::ReadingInput> {
    let (key, v) = s
        .split_once('=')
        .with_context(|| format!("reading '{s}' must be KEY=VALUE (a number, pass, fail or na)"))?;
    let answer =
        match v.trim().to_ascii_lowercase().as_str() {
            "pass" => Answer::Verdict(Verdict::Pass),
            "fail" => Answer::Verdict(Verdict::Fail),
            "na" | "n/a" => Answer::Verdict(Verdict::NotApplicable),
            n => Answer::Value(n.parse::<f64>().with_context(|| {
                format!("reading '{s}': '{v}' is not a number, pass, fail or na")
            })?),
        };
    Ok(biomend_core::workflow::ReadingInput {
        item_key: key.trim().to_string(),
        answer,
    })
}

fn parse_part(s: &str) -> anyhow::Result<biomend_core::workflow::PartInput> {
    // PART_NUMBER:QTY[:UNIT_COST[:DESCRIPTION]]
    let mut it = s.splitn(4, ':');
    let pn = it.next().unwrap_or_default().trim().to_string();
    let qty: u32 = it
        .next()
        .with_context(|| format!("part '{s}' must be PART_NUMBER:QTY[:UNIT_COST[:DESCRIPTION]]"))?
        .trim()
        .parse()
        .with_context(|| format!("part '{s}': quantity is not a whole number"))?;
    let cost = match it.next().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => {
            Some(biomend_domain::Money::parse(c).map_err(|e| anyhow::anyhow!("part '{s}': {e}"))?)
        }
        None => None,
    };
    let description = it.next().unwrap_or_default().trim().to_string();
    Ok(biomend_core::workflow::PartInput {
        part_number: pn,
        description,
        quantity: qty,
        unit_cost: cost,
    })
}

fn record_from(r: &RecordArgs) -> anyhow::Result<biomend_core::workflow::WorkRecord> {
    Ok(biomend_core::workflow::WorkRecord {
        labor: r
            .labor
            .iter()
            .map(|m| biomend_core::workflow::LaborInput {
                minutes: *m,
                note: String::new(),
            })
            .collect(),
        parts: r
            .part
            .iter()
            .map(|p| parse_part(p))
            .collect::<anyhow::Result<_>>()?,
        readings: r
            .reading
            .iter()
            .map(|p| parse_reading(p))
            .collect::<anyhow::Result<_>>()?,
        note: r.note.clone(),
    })
}

fn work_order(cli: &Cli, w: &WoCmd, out: &Out) -> anyhow::Result<ExitCode> {
    use biomend_core::workflow;
    let mut app = open(cli)?;
    let user = acting_user(cli, &app)?;
    let user = user.as_str();
    let wo = match w {
        WoCmd::New(a) => biomend_core::corrective::run(
            &mut app,
            &biomend_core::corrective::NewCorrective {
                username: user.to_string(),
                tag: a.tag.clone(),
                problem: a.problem.clone(),
                reported_by: a.reported_by.clone().unwrap_or_default(),
                priority: a.priority.into(),
                assign_to: a.assign.clone(),
                device_down: a.down,
            },
        )?,
        WoCmd::Show { number } => {
            let b = app
                .store()
                .reader()
                .work_order_by_number(number)?
                .ok_or_else(|| CoreError::NotFound {
                    what: "work order",
                    key: number.clone(),
                })?;
            let bundle = app
                .store()
                .reader()
                .work_order_bundle(b.id)?
                .ok_or_else(|| CoreError::NotFound {
                    what: "work order",
                    key: number.clone(),
                })?;
            out.show(&bundle, || output::work_order_bundle(&bundle));
            return Ok(ExitCode::SUCCESS);
        }
        WoCmd::Start { number } => workflow::start(&mut app, user, number)?,
        WoCmd::Hold { number, reason } => workflow::hold(&mut app, user, number, (*reason).into())?,
        WoCmd::Resume { number } => workflow::resume(&mut app, user, number)?,
        WoCmd::Cancel { number } => workflow::cancel(&mut app, user, number)?,
        WoCmd::Log(a) => {
            let readings = workflow::record(&mut app, user, &a.number, &record_from(&a.record)?)?;
            out.show(&readings, || output::readings(&readings));
            return Ok(ExitCode::SUCCESS);
        }
        WoCmd::Complete(a) => {
            let closure = ClosureCode::parse(&a.closure).with_context(|| {
                format!(
                    "unknown closure code '{}'; see `biomend closure-codes`",
                    a.closure
                )
            })?;
            let signature = match (&a.signature_file, &a.sign_as) {
                (Some(f), _) => Some(
                    std::fs::read_to_string(f)
                        .with_context(|| format!("cannot read signature {}", f.display()))?,
                ),
                // A typed signature from a terminal, recorded as text in
                // the strokes field, clearly marked as typed.
                (None, Some(name)) => Some(format!("typed:{name}")),
                (None, None) => None,
            };
            workflow::complete(
                &mut app,
                user,
                &a.number,
                &workflow::Completion {
                    findings: a.findings.clone().unwrap_or_default(),
                    closure,
                    record: record_from(&a.record)?,
                    signature,
                },
            )?
        }
        WoCmd::Signoff { number } => biomend_core::sign_off::run(&mut app, user, number)?,
        WoCmd::Queue {
            limit,
            server: true,
        } => return netcmd::sign_off_queue(cli, *limit, out),
        WoCmd::Queue {
            limit,
            server: false,
        } => {
            let q = biomend_core::sign_off::queue(&app, user, *limit)?;
            out.show(&q, || output::work_order_list(&q));
            return Ok(ExitCode::SUCCESS);
        }
    };
    out.show(&wo, || output::work_order_line(&wo));
    Ok(ExitCode::SUCCESS)
}

fn pm(cli: &Cli, p: &PmCmd, out: &Out) -> anyhow::Result<ExitCode> {
    let mut app = open(cli)?;
    let user = acting_user(cli, &app)?;
    match p {
        PmCmd::Open { tag } => {
            let wo = biomend_core::pm::open(
                &mut app,
                &biomend_core::pm::OpenPm {
                    username: user.clone(),
                    tag: tag.clone(),
                    plan_id: None,
                },
            )?;
            out.show(&wo, || output::work_order_line(&wo));
        }
        PmCmd::Attempt {
            number,
            outcome,
            note,
        } => {
            let a = biomend_core::pm::attempt(
                &mut app,
                &user,
                number,
                (*outcome).into(),
                note.as_deref().unwrap_or(""),
            )?;
            out.show(&a, || {
                format!("recorded attempt on {number}: {}", a.outcome)
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
