//! `biomend-bench`: figures for the foundation on a generated hospital
//! (100k assets and 1M work orders unless told otherwise).
//!
//! Measures, each through the app core as the app calls it: building the
//! demo hospital into a file database (generation, then generation + load);
//! finding an asset by its tag; full-text search; "my day" for every
//! technician; the asset page and asset history; exporting the inventory
//! and importing it into a fresh database; and, as a yardstick for the
//! import, a plain SQLite bulk insert of the same CSV rows. Every timed call
//! follows one untimed warm-up call; the table gives iterations, p50, p95,
//! mean and, where rows move, rows per second, with each target judged on
//! p95 (or on rows/s for the import). `--json-out` writes the same figures.
//!
//! `--sync 10000,100000` runs the sync benchmark instead (`sync.rs`): the
//! published sync workload against the release server binary, recorded in
//! `docs/benchmarks-sync.md`.
//!
//! Must not: run as a test or fail on a missed target (it prints figures;
//! `docs/benchmarks.md` records them); write anywhere but `--data-dir` and
//! the `--json-out` file; change the hospital it measures (queries only
//! read, and the import writes into a fresh database that is then deleted);
//! hold SQL of the app's own (the only SQL here picks sample tags and runs
//! the raw reference insert).

use anyhow::{Context, Result, bail, ensure};
use biomend_core::App;
use biomend_core::env::{FixedClock, IdGen};
use biomend_core::my_day::MyDayInput;
use biomend_core::search::SearchInput;
use biomend_core::setup::Init;
use biomend_demo::DemoParams;
use biomend_domain::ids::AssetId;
use biomend_domain::user::Role;
use biomend_interchange::ImportOptions;
use biomend_store::Store;
use chrono::{DateTime, NaiveTime, Utc};
use clap::{Parser, ValueEnum};
use rand::SeedableRng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use std::fs;
use std::hint::black_box;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod sync;

#[derive(Parser, Debug)]
#[command(
    name = "biomend-bench",
    about = "Measures Biomend's store and core on a generated hospital and prints the figures"
)]
struct Args {
    /// Assets in the generated hospital.
    #[arg(long, default_value_t = 100_000)]
    assets: u32,
    /// Work orders in the generated history (the generator lands within ±5%).
    #[arg(long, default_value_t = 1_000_000)]
    work_orders: u64,
    /// Where the hospital database, the export and scratch databases live.
    #[arg(long, default_value = "bench-data")]
    data_dir: PathBuf,
    /// Build the hospital again even if a complete one of this size exists.
    #[arg(long)]
    rebuild: bool,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    json_out: Option<PathBuf>,
    /// Run one step only (the hospital is built first if it is missing).
    #[arg(long, value_enum)]
    only: Option<Step>,
    /// Run the sync benchmark instead, at these sizes (assets per server
    /// database), against the release `biomend-server` binary.
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    sync: Option<Vec<u32>>,
    /// The `biomend-server` binary [default: next to this one].
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// The `biomend` CLI binary [default: next to this one].
    #[arg(long)]
    cli_bin: Option<PathBuf>,
    /// With --sync: serve from PostgreSQL, making a new database per size
    /// through this connection string (a role that may create databases).
    #[arg(long, value_name = "CONNINFO", requires = "sync")]
    sync_postgres: Option<String>,
    /// Internal: run the sync benchmark's tablets (started by `--sync`).
    #[arg(long, hide = true)]
    sync_client: bool,
    #[arg(long, hide = true)]
    sync_n: Option<u32>,
    #[arg(long, hide = true)]
    sync_url: Option<String>,
    #[arg(long, hide = true)]
    sync_server_db: Option<PathBuf>,
    #[arg(long, hide = true)]
    sync_server_postgres: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Step {
    Build,
    Tag,
    Search,
    MyDay,
    History,
    Import,
    Reference,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Build => "build",
            Step::Tag => "tag",
            Step::Search => "search",
            Step::MyDay => "my-day",
            Step::History => "history",
            Step::Import => "import",
            Step::Reference => "reference",
        }
    }
}

/// What a figure is judged against.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// p95 latency below this many milliseconds.
    P95BelowMs(f64),
    /// Throughput at least this many rows per second.
    RowsPerSecAtLeast(f64),
}

impl Target {
    fn describe(self) -> String {
        match self {
            Target::P95BelowMs(ms) => format!("p95 < {ms} ms"),
            Target::RowsPerSecAtLeast(r) => format!(">= {} rows/s", thousands(r)),
        }
    }
}

/// One line of the results table.
#[derive(Clone, Debug)]
struct Figure {
    step: Step,
    operation: String,
    iterations: usize,
    p50_ms: f64,
    p95_ms: f64,
    mean_ms: f64,
    max_ms: f64,
    rows_per_sec: Option<f64>,
    target: Option<Target>,
    note: Option<String>,
}

impl Figure {
    /// `rows` is the number of rows one iteration moves, when that means
    /// something; rows/s is then `rows / mean`.
    fn from_samples(
        step: Step,
        operation: impl Into<String>,
        samples: &[Duration],
        rows: Option<f64>,
    ) -> Figure {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        let mean = ms.iter().sum::<f64>() / ms.len().max(1) as f64;
        Figure {
            step,
            operation: operation.into(),
            iterations: ms.len(),
            p50_ms: percentile(&ms, 0.50),
            p95_ms: percentile(&ms, 0.95),
            mean_ms: mean,
            max_ms: ms.last().copied().unwrap_or(0.0),
            rows_per_sec: rows.map(|r| r / (mean / 1e3)),
            target: None,
            note: None,
        }
    }

    fn target(mut self, t: Target) -> Figure {
        self.target = Some(t);
        self
    }

    fn note(mut self, n: impl Into<String>) -> Figure {
        self.note = Some(n.into());
        self
    }

    fn pass(&self) -> Option<bool> {
        self.target.map(|t| match t {
            Target::P95BelowMs(ms) => self.p95_ms < ms,
            Target::RowsPerSecAtLeast(r) => self.rows_per_sec.is_some_and(|x| x >= r),
        })
    }

    fn to_json(&self) -> Value {
        json!({
            "step": self.step.name(),
            "operation": self.operation,
            "iterations": self.iterations,
            "p50_ms": round3(self.p50_ms),
            "p95_ms": round3(self.p95_ms),
            "mean_ms": round3(self.mean_ms),
            "max_ms": round3(self.max_ms),
            "rows_per_sec": self.rows_per_sec.map(|r| r.round()),
            "target": self.target.map(Target::describe),
            "pass": self.pass(),
            "note": self.note,
        })
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn round3(v: f64) -> f64 {
    (v * 1e3).round() / 1e3
}

fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Calls `f` once untimed to warm caches, then `iterations` times, timing
/// each call on its own.
fn time<T>(iterations: usize, mut f: impl FnMut(usize) -> Result<T>) -> Result<Vec<Duration>> {
    black_box(f(0)?);
    let mut samples = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let t = Instant::now();
        let out = f(i)?;
        samples.push(t.elapsed());
        black_box(out);
    }
    Ok(samples)
}

/// The clock the hospital's "today" is read from: `as_of` at 15:00 UTC.
fn demo_now(params: &DemoParams) -> DateTime<Utc> {
    params
        .as_of
        .and_time(NaiveTime::from_hms_opt(15, 0, 0).unwrap_or_default())
        .and_utc()
}

fn open_app(path: &Path, params: &DemoParams, seed: u64) -> Result<App> {
    let store = Store::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(App::new(
        store,
        Arc::new(FixedClock::new(demo_now(params))),
        IdGen::seeded(seed),
    ))
}

fn remove_database(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    Ok(())
}

fn mib(path: &Path) -> f64 {
    let size = |p: &Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    (size(path) + size(Path::new(&wal))) as f64 / (1024.0 * 1024.0)
}

struct Bench {
    args: Args,
    params: DemoParams,
    db: PathBuf,
    marker: PathBuf,
    figures: Vec<Figure>,
    notes: Vec<String>,
}

impl Bench {
    fn runs(&self, step: Step) -> bool {
        self.args.only.is_none_or(|s| s == step)
    }

    fn push(&mut self, f: Figure) {
        eprintln!(
            "  {:<44} p50 {:>9.3} ms  p95 {:>9.3} ms{}",
            f.operation,
            f.p50_ms,
            f.p95_ms,
            f.rows_per_sec
                .map(|r| format!("  {} rows/s", thousands(r)))
                .unwrap_or_default()
        );
        self.figures.push(f);
    }

    // ---- 1. build ------------------------------------------------------

    /// Builds the hospital unless a complete one of this size is on disk;
    /// a build that finishes leaves a marker with its figures next to the
    /// database, so a reused database still reports how long it took.
    fn build(&mut self) -> Result<()> {
        let reuse = !self.args.rebuild && self.db.exists() && self.marker.exists();
        if reuse {
            let recorded: Value = serde_json::from_str(&fs::read_to_string(&self.marker)?)
                .context("cannot read the build marker; run with --rebuild")?;
            let app = open_app(&self.db, &self.params, 1)?;
            let assets = app.store().reader().count("assets")?;
            let work_orders = app.store().reader().count("work_orders")?;
            ensure!(
                recorded["assets"].as_u64() == Some(assets)
                    && recorded["work_orders"].as_u64() == Some(work_orders),
                "{} does not match its build marker; run with --rebuild",
                self.db.display()
            );
            eprintln!(
                "reusing {} ({assets} assets, {work_orders} work orders)",
                self.db.display()
            );
            if self.runs(Step::Build) {
                for f in recorded["figures"].as_array().into_iter().flatten() {
                    self.figures.push(figure_from_json(f)?);
                }
                self.notes.push(format!(
                    "build figures were recorded when {} was built; --rebuild measures them again",
                    self.db.display()
                ));
            }
            return Ok(());
        }

        fs::create_dir_all(&self.args.data_dir)?;
        remove_database(&self.db)?;
        if self.marker.exists() {
            fs::remove_file(&self.marker)?;
        }
        eprintln!(
            "building the hospital: {} assets, ~{} work orders",
            self.params.assets, self.params.work_orders
        );

        // Generation alone, so the load's share is visible.
        let t = Instant::now();
        let data = biomend_demo::generate(&self.params);
        let inventory_time = t.elapsed();
        let mut generated = 0u64;
        biomend_demo::history(&self.params, &data, |b| {
            generated += 1;
            black_box(b);
        });
        let generate_time = t.elapsed();
        let data_assets = data.assets.len();
        drop(data);
        let gen_fig = Figure::from_samples(
            Step::Build,
            "build: generate only (no database)",
            &[generate_time],
            Some(generated as f64),
        )
        .note(format!(
            "inventory {:.1} s, then {} work orders streamed",
            inventory_time.as_secs_f64(),
            generated
        ));

        let mut app = open_app(&self.db, &self.params, 1)?;
        let t = Instant::now();
        let mut last = 0;
        let summary = biomend_core::demo::create(&mut app, &self.params, |stage| {
            if let biomend_core::demo::Stage::History { done, target } = stage
                && done >= last + 100_000
            {
                last = done;
                eprintln!(
                    "  {done} / ~{target} work orders loaded ({:.0} s)",
                    t.elapsed().as_secs_f64()
                );
            }
        })?;
        let build_time = t.elapsed();
        drop(app);
        ensure!(
            summary.assets == data_assets,
            "the load wrote {} assets, the generator made {data_assets}",
            summary.assets
        );
        let total_rows = summary.assets as u64 + summary.work_orders + summary.attached_records;
        let build_fig = Figure::from_samples(
            Step::Build,
            "build: generate + load (work orders)",
            &[build_time],
            Some(summary.work_orders as f64),
        )
        .note(format!(
            "{} assets, {} work orders, {} attached records; {} rows/s over all {} rows; database {:.0} MiB",
            summary.assets,
            summary.work_orders,
            summary.attached_records,
            thousands(total_rows as f64 / build_time.as_secs_f64()),
            total_rows,
            mib(&self.db)
        ));
        let figures = [gen_fig, build_fig];
        let marker = json!({
            "assets": summary.assets,
            "work_orders": summary.work_orders,
            "attached_records": summary.attached_records,
            "figures": figures.iter().map(Figure::to_json).collect::<Vec<_>>(),
        });
        fs::write(&self.marker, serde_json::to_string_pretty(&marker)?)?;
        if self.runs(Step::Build) {
            for f in figures {
                self.push(f);
            }
        }
        Ok(())
    }

    // ---- 2. asset by tag -------------------------------------------------

    fn tag(&mut self, app: &App, sample: &Sample) -> Result<()> {
        eprintln!("asset by tag");
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let tags: Vec<&str> = (0..10_000)
            .map(|_| sample.tags.choose(&mut rng).map(String::as_str))
            .collect::<Option<_>>()
            .context("no assets")?;
        let samples = time(tags.len(), |i| {
            let a = biomend_core::find_asset::run(app, tags[i])?;
            Ok(a)
        })?;
        self.push(
            Figure::from_samples(Step::Tag, "asset by tag (find_asset)", &samples, None)
                .target(Target::P95BelowMs(1.0)),
        );
        Ok(())
    }

    // ---- 3. full-text search ---------------------------------------------

    fn search(&mut self, app: &App, sample: &Sample) -> Result<()> {
        eprintln!("full-text search");
        let queries = [
            biomend_demo::EOS_MAKER.to_string(),
            "infusion pump".to_string(),
            "icu monitor".to_string(),
            "Emergency Department".to_string(),
            format!("{}-0012", self.params.tag_prefix),
            sample.serial_prefix.clone(),
            "defib ed".to_string(),
            biomend_demo::EOS_MODEL.to_string(),
        ];
        const REPEAT: usize = 200;
        let mut all = Vec::new();
        for q in &queries {
            let input = SearchInput {
                text: q.clone(),
                limit: 50,
            };
            let hits = biomend_core::search::run(app, &input)?.len();
            let samples = time(REPEAT, |_| Ok(biomend_core::search::run(app, &input)?))?;
            all.extend_from_slice(&samples);
            self.push(
                Figure::from_samples(Step::Search, format!("search \"{q}\""), &samples, None)
                    .target(Target::P95BelowMs(10.0))
                    .note(format!("{hits} results (limit 50)")),
            );
        }
        self.push(
            Figure::from_samples(Step::Search, "search: all queries", &all, None)
                .target(Target::P95BelowMs(10.0)),
        );
        Ok(())
    }

    // ---- 4. my day ---------------------------------------------------------

    fn my_day(&mut self, app: &App) -> Result<()> {
        eprintln!("my day");
        let mut techs: Vec<String> = app
            .store()
            .reader()
            .users()?
            .into_iter()
            .filter(|u| u.role == Role::Technician && u.active)
            .map(|u| u.username)
            .collect();
        techs.sort();
        ensure!(!techs.is_empty(), "the hospital has no active technicians");
        const ITERATIONS: usize = 200;
        let mut all = Vec::new();
        let mut per_tech = Vec::new();
        for t in &techs {
            let input = MyDayInput {
                username: t.clone(),
                horizon_days: 14,
                max_pms: 200,
            };
            let day = biomend_core::my_day::run(app, &input)?;
            let samples = time(ITERATIONS, |_| Ok(biomend_core::my_day::run(app, &input)?))?;
            all.extend_from_slice(&samples);
            per_tech.push(
                Figure::from_samples(Step::MyDay, format!("my day: {t}"), &samples, None)
                    .target(Target::P95BelowMs(20.0))
                    .note(format!(
                        "{} assigned, {} PMs due",
                        day.assigned.len(),
                        day.pms_due.len()
                    )),
            );
        }
        for f in per_tech {
            self.push(f);
        }
        self.push(
            Figure::from_samples(
                Step::MyDay,
                format!("my day: all {} technicians", techs.len()),
                &all,
                None,
            )
            .target(Target::P95BelowMs(20.0))
            .note(format!(
                "{ITERATIONS} iterations per technician, horizon 14 days, max 200 PMs"
            )),
        );
        Ok(())
    }

    // ---- 5. asset page and history -----------------------------------------

    fn history(&mut self, app: &App, sample: &Sample) -> Result<()> {
        eprintln!("asset page and history");
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let r = app.store().reader();
        let mut picked: Vec<(&str, AssetId)> = Vec::with_capacity(2_000);
        for _ in 0..2_000 {
            let tag = sample.tags.choose(&mut rng).context("no assets")?;
            let id = r.asset_id_by_tag(tag)?.context("sampled tag vanished")?;
            picked.push((tag, id));
        }
        let mut entries = 0usize;
        let page = time(picked.len(), |i| {
            let p = biomend_core::asset_page::run(app, picked[i].0)?;
            entries += p.history.len();
            Ok(p)
        })?;
        // The warm-up call counted too; close enough for an average.
        let avg = entries as f64 / (picked.len() + 1) as f64;
        self.push(
            Figure::from_samples(
                Step::History,
                "asset page (asset_page, history <= 200)",
                &page,
                None,
            )
            .target(Target::P95BelowMs(20.0))
            .note(format!("{avg:.1} history entries per asset on average")),
        );
        let hist = time(picked.len(), |i| Ok(r.asset_history(picked[i].1, 200)?))?;
        self.push(
            Figure::from_samples(
                Step::History,
                "asset history (Reader::asset_history, 200)",
                &hist,
                None,
            )
            .target(Target::P95BelowMs(20.0)),
        );
        Ok(())
    }

    // ---- 6. import -----------------------------------------------------------

    fn csv_path(&self) -> PathBuf {
        self.args.data_dir.join(format!(
            "assets-{}-{}.csv",
            self.args.assets, self.args.work_orders
        ))
    }

    /// Exports the hospital's inventory to CSV (timed once: the export has
    /// no target, but its rate is worth knowing).
    fn export(&mut self, app: &App, report: bool) -> Result<PathBuf> {
        let path = self.csv_path();
        let t = Instant::now();
        let file = fs::File::create(&path)?;
        let mut w = BufWriter::new(file);
        let n = biomend_core::export::assets(app, &mut w)?;
        w.flush()?;
        let took = t.elapsed();
        if report {
            self.push(
                Figure::from_samples(
                    Step::Import,
                    "export assets to CSV",
                    &[took],
                    Some(n as f64),
                )
                .note(format!(
                    "{n} rows, {:.1} MiB",
                    fs::metadata(&path)?.len() as f64 / (1024.0 * 1024.0)
                )),
            );
        }
        Ok(path)
    }

    fn import(&mut self, app: &App) -> Result<Option<f64>> {
        eprintln!("import");
        let csv = self.export(app, true)?;
        let rows = csv_rows(&csv)?;
        let data_dir = self.args.data_dir.clone();
        let params = self.params.clone();
        let mut seed = 10;
        let samples = time_each(IMPORT_ITERATIONS, |_| {
            let dir = tempfile::tempdir_in(&data_dir)?;
            seed += 1;
            let mut app = open_app(&dir.path().join("import.sqlite"), &params, seed)?;
            biomend_core::setup::init(
                &mut app,
                &Init {
                    site_code: "BENCH".into(),
                    site_name: "Bench Site".into(),
                    admin_username: "admin".into(),
                    admin_name: "Bench Admin".into(),
                },
            )?;
            // Only the import is timed, not setting up the database.
            let t = Instant::now();
            let outcome = biomend_core::import::assets(
                &mut app,
                "admin",
                &csv,
                &ImportOptions::default(),
                false,
            )?;
            let took = t.elapsed();
            if !outcome.committed || outcome.imported != rows {
                let first: Vec<String> = outcome
                    .problems
                    .iter()
                    .take(5)
                    .map(ToString::to_string)
                    .collect();
                bail!(
                    "import committed={} imported={} of {rows}; {} problems, first: {first:?}",
                    outcome.committed,
                    outcome.imported,
                    outcome.problems.len()
                );
            }
            Ok(took)
        })?;
        let f = Figure::from_samples(
            Step::Import,
            "import assets CSV (all-or-nothing, fresh db)",
            &samples,
            Some(rows as f64),
        )
        .target(Target::RowsPerSecAtLeast(50_000.0))
        .note(format!(
            "{rows} rows: parse + validate + resolve + write with audit and FTS, one transaction"
        ));
        let rate = f.rows_per_sec;
        self.push(f);
        Ok(rate)
    }

    // ---- 7. reference --------------------------------------------------------

    /// The same CSV rows into one plain table with rusqlite: the floor any
    /// import on this machine and these pragmas sits above.
    fn reference(&mut self, app: &App) -> Result<Option<f64>> {
        eprintln!("reference insert");
        let csv = self.csv_path();
        let csv = if csv.exists() {
            csv
        } else {
            self.export(app, false)?
        };
        let rows = csv_rows(&csv)?;
        let data_dir = self.args.data_dir.clone();
        let samples = time_each(IMPORT_ITERATIONS, |_| {
            let dir = tempfile::tempdir_in(&data_dir)?;
            raw_insert(&dir.path().join("reference.sqlite"), &csv, rows)
        })?;
        let f = Figure::from_samples(
            Step::Reference,
            "reference: raw rusqlite insert of the CSV",
            &samples,
            Some(rows as f64),
        )
        .note("csv crate + one prepared INSERT into a TEXT-only table, one transaction, WAL, synchronous=FULL");
        let rate = f.rows_per_sec;
        self.push(f);
        Ok(rate)
    }
}

/// Fresh databases per timed run; the import is a few seconds each.
const IMPORT_ITERATIONS: usize = 3;

/// Like [`time`], but `f` returns the duration to record, so it can leave
/// its own set-up out of the figure.
fn time_each(
    iterations: usize,
    mut f: impl FnMut(usize) -> Result<Duration>,
) -> Result<Vec<Duration>> {
    f(0)?;
    (0..iterations).map(f).collect()
}

/// Opens a new database with the store's journal and sync settings, makes
/// a TEXT column per CSV header, and inserts every record; times the read,
/// the inserts and the commit.
fn raw_insert(db: &Path, csv_path: &Path, expected: u64) -> Result<Duration> {
    let mut c = rusqlite::Connection::open(db)?;
    c.pragma_update(None, "journal_mode", "WAL")?;
    c.pragma_update(None, "synchronous", "FULL")?;
    let mut reader = csv::Reader::from_path(csv_path)?;
    let width = reader.headers()?.len();
    let cols: Vec<String> = (0..width).map(|i| format!("c{i} TEXT")).collect();
    c.execute_batch(&format!("CREATE TABLE rows ({})", cols.join(", ")))?;
    let insert = format!("INSERT INTO rows VALUES ({})", vec!["?"; width].join(", "));
    let t = Instant::now();
    let tx = c.transaction()?;
    let mut n = 0u64;
    {
        let mut st = tx.prepare(&insert)?;
        let mut rec = csv::StringRecord::new();
        while reader.read_record(&mut rec)? {
            st.execute(rusqlite::params_from_iter(rec.iter()))?;
            n += 1;
        }
    }
    tx.commit()?;
    let took = t.elapsed();
    ensure!(
        n == expected,
        "reference inserted {n} rows, expected {expected}"
    );
    Ok(took)
}

/// Data rows in a CSV file (records after the header).
fn csv_rows(path: &Path) -> Result<u64> {
    let mut r = csv::Reader::from_path(path)?;
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    while r.read_byte_record(&mut rec)? {
        n += 1;
    }
    Ok(n)
}

fn figure_from_json(v: &Value) -> Result<Figure> {
    let f = |k: &str| v[k].as_f64().unwrap_or(0.0);
    Ok(Figure {
        step: Step::Build,
        operation: v["operation"]
            .as_str()
            .context("marker figure without operation")?
            .to_string(),
        iterations: v["iterations"].as_u64().unwrap_or(1) as usize,
        p50_ms: f("p50_ms"),
        p95_ms: f("p95_ms"),
        mean_ms: f("mean_ms"),
        max_ms: f("max_ms"),
        rows_per_sec: v["rows_per_sec"].as_f64(),
        target: None,
        note: v["note"].as_str().map(str::to_string),
    })
}

/// Tags and a serial prefix taken from the hospital with one plain query,
/// so the timed calls look up rows that exist.
#[derive(Debug)]
struct Sample {
    tags: Vec<String>,
    serial_prefix: String,
}

fn sample(db: &Path) -> Result<Sample> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut st = c.prepare("SELECT tag, serial FROM assets ORDER BY seq")?;
    let mut rows = st.query([])?;
    let mut tags = Vec::new();
    let mut serials = Vec::new();
    while let Some(r) = rows.next()? {
        tags.push(r.get::<_, String>(0)?);
        if let Some(s) = r.get::<_, Option<String>>(1)? {
            serials.push(s);
        }
    }
    ensure!(!tags.is_empty(), "{} holds no assets", db.display());
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let serial = serials.choose(&mut rng).cloned().unwrap_or_default();
    Ok(Sample {
        tags,
        serial_prefix: serial.chars().take(6).collect(),
    })
}

fn print_table(figures: &[Figure]) {
    let op_w = figures
        .iter()
        .map(|f| f.operation.chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    let h = [
        "operation",
        "iter",
        "p50 ms",
        "p95 ms",
        "mean ms",
        "rows/s",
        "target",
        "result",
    ];
    println!(
        "{:<op_w$}  {:>6}  {:>10}  {:>10}  {:>10}  {:>11}  {:<18}  {}",
        h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]
    );
    println!("{}", "-".repeat(op_w + 86));
    for f in figures {
        println!(
            "{:<op_w$}  {:>6}  {:>10.3}  {:>10.3}  {:>10.3}  {:>11}  {:<18}  {}",
            f.operation,
            f.iterations,
            f.p50_ms,
            f.p95_ms,
            f.mean_ms,
            f.rows_per_sec.map(thousands).unwrap_or_default(),
            f.target.map(Target::describe).unwrap_or_default(),
            match f.pass() {
                Some(true) => "pass",
                Some(false) => "MISS",
                None => "",
            }
        );
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let beside = |name: &str| -> Result<PathBuf> {
        let me = std::env::current_exe()?;
        Ok(me.with_file_name(name))
    };
    let cli_bin = match &args.cli_bin {
        Some(p) => p.clone(),
        None => beside("biomend")?,
    };
    if args.sync_client {
        return sync::client(&sync::ClientOpts {
            n: args.sync_n.context("--sync-n")?,
            url: args.sync_url.clone().context("--sync-url")?,
            dir: args.data_dir.clone(),
            server_db: match (&args.sync_server_db, &args.sync_server_postgres) {
                (Some(path), _) => biomend_server::Database::Sqlite(path.clone()),
                (None, Some(conninfo)) => biomend_server::Database::Postgres(
                    biomend_server::PostgresTarget::parse(conninfo)?,
                ),
                (None, None) => anyhow::bail!("--sync-server-db or --sync-server-postgres"),
            },
            cli_bin,
        });
    }
    if let Some(sizes) = &args.sync {
        return sync::run(&sync::Opts {
            sizes: sizes.clone(),
            data_dir: args.data_dir.clone(),
            json_out: args.json_out.clone(),
            server_bin: match &args.server_bin {
                Some(p) => p.clone(),
                None => beside("biomend-server")?,
            },
            cli_bin,
            postgres: args.sync_postgres.clone(),
        });
    }
    let params = DemoParams::scaled(args.assets, args.work_orders);
    let stem = format!("hospital-{}-{}", args.assets, args.work_orders);
    let db = args.data_dir.join(format!("{stem}.sqlite"));
    let marker = args.data_dir.join(format!("{stem}.built.json"));
    let mut b = Bench {
        args,
        params,
        db,
        marker,
        figures: Vec::new(),
        notes: Vec::new(),
    };
    let started = Instant::now();
    b.build()?;

    let needs_app = [
        Step::Tag,
        Step::Search,
        Step::MyDay,
        Step::History,
        Step::Import,
        Step::Reference,
    ]
    .into_iter()
    .any(|s| b.runs(s));
    let mut ratio = None;
    if needs_app {
        let app = open_app(&b.db, &b.params, 1)?;
        let sample = sample(&b.db)?;
        if b.runs(Step::Tag) {
            b.tag(&app, &sample)?;
        }
        if b.runs(Step::Search) {
            b.search(&app, &sample)?;
        }
        if b.runs(Step::MyDay) {
            b.my_day(&app)?;
        }
        if b.runs(Step::History) {
            b.history(&app, &sample)?;
        }
        let import = if b.runs(Step::Import) {
            b.import(&app)?
        } else {
            None
        };
        let reference = if b.runs(Step::Reference) {
            b.reference(&app)?
        } else {
            None
        };
        if let (Some(i), Some(r)) = (import, reference) {
            ratio = Some(i / r);
        }
    }

    println!();
    println!(
        "Biomend benchmarks: {} assets, ~{} work orders ({}), {} CPUs",
        b.params.assets,
        b.params.work_orders,
        b.db.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    print_table(&b.figures);
    println!();
    if let Some(r) = ratio {
        println!(
            "import / reference rows/s: {:.2} (the import runs at {:.0}% of a raw insert of the same rows)",
            r,
            r * 100.0
        );
    }
    for f in b.figures.iter().filter(|f| f.note.is_some()) {
        println!(
            "  {}: {}",
            f.operation,
            f.note.as_deref().unwrap_or_default()
        );
    }
    for n in &b.notes {
        println!("note: {n}");
    }
    let total = started.elapsed();
    println!("total run time {:.0} s", total.as_secs_f64());

    if let Some(out) = &b.args.json_out {
        let doc = json!({
            "hospital": {
                "assets": b.params.assets,
                "work_orders_target": b.params.work_orders,
                "seed": b.params.seed,
                "as_of": b.params.as_of.to_string(),
                "database": b.db.display().to_string(),
            },
            "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
            "only": b.args.only.map(Step::name),
            "figures": b.figures.iter().map(Figure::to_json).collect::<Vec<_>>(),
            "import_over_reference": ratio.map(round3),
            "notes": b.notes,
            "total_seconds": total.as_secs_f64().round(),
        });
        if let Some(dir) = out.parent()
            && !dir.as_os_str().is_empty()
        {
            fs::create_dir_all(dir)?;
        }
        fs::write(out, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}
