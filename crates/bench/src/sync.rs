//! The sync benchmark: the published sync workload (scenarios a–e, plus
//! 50 tablets syncing at once) against the real `biomend-server` binary on
//! loopback, in its own process, over a fresh database per size.
//!
//! Three processes take part, so each figure belongs to the right one:
//! - this one (the conductor) seeds the server's database from the library
//!   (scenario a: Biomend's inventory enters on the server by import, not
//!   by a tablet push), runs the raw SQLite reference insert, starts the
//!   server, and relays every request through a counting TCP proxy, so
//!   bytes and requests are what crosses the socket, headers included;
//! - the server, whose CPU time is read from `/proc/<pid>/stat`;
//! - the tablets' process (this binary again, `--sync-client`), whose CPU
//!   time and peak RSS are its own; shift-end tablets sync with the
//!   `biomend` CLI, one process each, measured by `/usr/bin/time`.
//!
//! The tablets' process asks the conductor to read the counters at each
//! step boundary (a line on stdout, answered on stdin), outside the timed
//! calls.
//!
//! `--sync-postgres CONNINFO` runs the same workload on a PostgreSQL-backed
//! server: each size gets a new database on that server (dropped at the
//! end), the raw SQLite reference insert is skipped, and the server's CPU
//! figure is the `biomend-server` process only, not PostgreSQL's.

use anyhow::{Context, Result, bail, ensure};
use biomend_bench::workload::{STATUS_CYCLE, WorkloadWorkOrder};
use biomend_bench::workload::{incremental_edit_indices, shift_edit_indices};
use biomend_bench::workload_map::{asset_id, dataset, risk, status};
use biomend_core::App;
use biomend_core::asset_edit::{self, AssetEdit};
use biomend_core::corrective::{self, NewCorrective};
use biomend_core::env::{FixedClock, IdGen};
use biomend_core::sync::{self as core_sync, LoginInput, PUSH_BATCH, TransportError};
use biomend_domain::asset::AssetStatus;
use biomend_domain::risk::EmScore;
use biomend_domain::user::Role;
use biomend_domain::work_order::Priority;
use biomend_net::HttpTransport;
use biomend_server::auth::HashCost;
use biomend_server::backend::Kind;
use biomend_server::backend::postgres::ScratchDatabase;
use biomend_server::{AnyBackend, Backend, Database, PostgresTarget};
use biomend_store::Store;
use biomend_sync::Engine;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const PASSWORD: &str = "bench-password";
/// Technician accounts: one per tablet of scenarios e and f, and spares.
const TECHNICIANS: u32 = 64;
const SHIFT_TABLETS: u32 = 10;
const CONCURRENT_TABLETS: u32 = 50;
const CONCURRENT_EDITS: u32 = 20;
const NOOP_ROUNDS: usize = 20;

// ---- the conductor -------------------------------------------------------

pub struct Opts {
    pub sizes: Vec<u32>,
    pub data_dir: PathBuf,
    pub json_out: Option<PathBuf>,
    pub server_bin: PathBuf,
    pub cli_bin: PathBuf,
    /// Serve from PostgreSQL instead of SQLite: the connection string of
    /// a role that may create databases.
    pub postgres: Option<String>,
}

/// One size's server database: a SQLite file, or a new PostgreSQL
/// database (dropped with this value).
enum ServerDb {
    Sqlite(PathBuf),
    Postgres {
        conninfo: String,
        scratch: ScratchDatabase,
    },
}

impl ServerDb {
    fn new(o: &Opts, n: u32) -> Result<ServerDb> {
        Ok(match &o.postgres {
            None => {
                let db = o.data_dir.join(format!("sync-server-{n}.sqlite"));
                remove_db(&db)?;
                ServerDb::Sqlite(db)
            }
            Some(base) => {
                let scratch = ScratchDatabase::create(&PostgresTarget::parse(base)?)?;
                let name = scratch.target().dbname().context("no database name")?;
                ServerDb::Postgres {
                    conninfo: format!("{base} dbname={name}"),
                    scratch,
                }
            }
        })
    }

    fn database(&self) -> Database {
        match self {
            ServerDb::Sqlite(path) => Database::Sqlite(path.clone()),
            ServerDb::Postgres { scratch, .. } => Database::Postgres(scratch.target().clone()),
        }
    }

    /// The arguments that name it to `biomend-server` and to the tablets'
    /// process (`prefix` is `--` or `--sync-server-`).
    fn args(&self, prefix: &str) -> Vec<std::ffi::OsString> {
        match self {
            ServerDb::Sqlite(path) => vec![format!("{prefix}db").into(), path.into()],
            ServerDb::Postgres { conninfo, .. } => {
                vec![format!("{prefix}postgres").into(), conninfo.into()]
            }
        }
    }
}

/// Counters shared by the proxy's threads.
#[derive(Default)]
struct Wire {
    up: AtomicU64,
    down: AtomicU64,
    requests: AtomicU64,
    connections: AtomicU64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Snap {
    up: u64,
    down: u64,
    requests: u64,
    connections: u64,
    server_cpu_s: f64,
}

impl Wire {
    fn snap(&self, server_pid: u32) -> Snap {
        Snap {
            up: self.up.load(Ordering::SeqCst),
            down: self.down.load(Ordering::SeqCst),
            requests: self.requests.load(Ordering::SeqCst),
            connections: self.connections.load(Ordering::SeqCst),
            server_cpu_s: cpu_seconds(&format!("/proc/{server_pid}/stat")).unwrap_or(0.0),
        }
    }
}

/// A loopback proxy that forwards every connection to `upstream` and
/// counts the bytes each way and the HTTP requests (request lines).
fn start_proxy(upstream: SocketAddr) -> Result<(SocketAddr, Arc<Wire>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let wire = Arc::new(Wire::default());
    let w = wire.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(upstream) else {
                continue;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            w.connections.fetch_add(1, Ordering::SeqCst);
            let (c2, s2) = match (client.try_clone(), server.try_clone()) {
                (Ok(c), Ok(s)) => (c, s),
                _ => continue,
            };
            let up = w.clone();
            std::thread::spawn(move || relay(client, server, &up, true));
            let down = w.clone();
            std::thread::spawn(move || relay(s2, c2, &down, false));
        }
    });
    Ok((addr, wire))
}

fn relay(mut from: TcpStream, mut to: TcpStream, wire: &Wire, upstream: bool) {
    let mut buf = vec![0u8; 256 * 1024];
    // The end of the previous read, so a request line split across two
    // reads is still seen once.
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        if upstream {
            wire.up.fetch_add(n as u64, Ordering::SeqCst);
            let mut scan = std::mem::take(&mut tail);
            let old = scan.len();
            scan.extend_from_slice(&buf[..n]);
            let count = [&b"POST /v1/"[..], &b"GET /v1/"[..]]
                .iter()
                .map(|p| {
                    scan.windows(p.len())
                        .enumerate()
                        .filter(|(i, w)| w == p && i + p.len() > old)
                        .count() as u64
                })
                .sum::<u64>();
            wire.requests.fetch_add(count, Ordering::SeqCst);
            tail = scan[scan.len().saturating_sub(8)..].to_vec();
        } else {
            wire.down.fetch_add(n as u64, Ordering::SeqCst);
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// User + system CPU seconds from a `/proc/.../stat` line.
fn cpu_seconds(path: &str) -> Option<f64> {
    let s = fs::read_to_string(path).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of stat; `rest` starts at field 3.
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// A `kB` line of `/proc/.../status`, in MiB.
fn status_mib(path: &str, key: &str) -> Option<f64> {
    let s = fs::read_to_string(path).ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

struct ServerProc {
    child: Child,
    addr: SocketAddr,
}

fn start_server(bin: &Path, db: &ServerDb) -> Result<ServerProc> {
    let mut child = Command::new(bin)
        .arg("serve")
        .args(db.args("--"))
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let out = child.stdout.take().context("no server stdout")?;
    let mut lines = BufReader::new(out).lines();
    let addr = loop {
        let Some(line) = lines.next() else {
            bail!("the server exited before listening");
        };
        let line = line?;
        if let Some(a) = line.strip_prefix("listening on http://") {
            break a.trim().parse::<SocketAddr>()?;
        }
    };
    // Keep draining its stdout so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok(ServerProc { child, addr })
}

/// Stops the server however the benchmark ends, with SIGTERM so it shuts
/// down as in production.
impl Drop for ServerProc {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn remove_db(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            fs::remove_file(&p)?;
        }
    }
    Ok(())
}

/// Scenario a: the server-side seed of the workload's inventory.
fn seed_server(db: &Database, n: u32) -> Result<Value> {
    let t = Instant::now();
    let mut data = dataset(n, TECHNICIANS);
    // The workload's status cycle retires devices and brings them back,
    // which Biomend leaves to roles that may change the inventory; the
    // benchmark's field staff are supervisors, who may also record work.
    for u in &mut data.users {
        u.role = Role::Supervisor;
    }
    let generate = t.elapsed();
    let backend = db.open()?;
    let cpu0 = cpu_seconds("/proc/thread-self/stat").unwrap_or(0.0);
    let t = Instant::now();
    let summary = biomend_server::seed::seed(
        &backend,
        &data,
        Vec::new(),
        PASSWORD,
        &HashCost::fast_for_tests(),
    )?;
    let seed = t.elapsed();
    let cpu = cpu_seconds("/proc/thread-self/stat").unwrap_or(0.0) - cpu0;
    drop(backend);
    ensure!(
        data.assets.len() == n as usize,
        "the dataset holds {} assets",
        data.assets.len()
    );
    Ok(json!({
        "scenario": "a",
        "name": "initial load: server-side seed (import) of the inventory",
        "docs": n,
        "rows": summary.rows,
        "seconds": seed.as_secs_f64(),
        "rows_per_sec": summary.rows as f64 / seed.as_secs_f64(),
        "docs_per_sec": f64::from(n) / seed.as_secs_f64(),
        "generate_seconds": generate.as_secs_f64(),
        "server_cpu_s": cpu,
        "bytes": 0,
        "requests": 0,
        "note": format!("in-process library seed into the server's database ({}; no network, no tablet push): Biomend's inventory enters on the server by import", match db { Database::Sqlite(_) => "SQLite", Database::Postgres(_) => "PostgreSQL" }),
    }))
}

/// The raw SQLite yardstick: the server's replicated rows (kind, key,
/// body) inserted into one plain table, one prepared statement, one
/// transaction, WAL and synchronous=FULL.
fn reference_insert(server_db: &Path, scratch: &Path) -> Result<Value> {
    let src = rusqlite::Connection::open_with_flags(
        server_db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let rows: Vec<(String, String, String)> = src
        .prepare("SELECT kind, key, body FROM rows ORDER BY version")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let bytes: usize = rows.iter().map(|r| r.2.len()).sum();
    let mut best = f64::MAX;
    for _ in 0..3 {
        remove_db(scratch)?;
        let mut db = rusqlite::Connection::open(scratch)?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "FULL")?;
        db.execute_batch("CREATE TABLE r (kind TEXT, key TEXT, body TEXT)")?;
        let t = Instant::now();
        let tx = db.transaction()?;
        {
            let mut st = tx.prepare("INSERT INTO r (kind, key, body) VALUES (?1, ?2, ?3)")?;
            for r in &rows {
                st.execute((&r.0, &r.1, &r.2))?;
            }
        }
        tx.commit()?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    remove_db(scratch)?;
    Ok(json!({
        "rows": rows.len(),
        "body_bytes": bytes,
        "seconds": best,
        "rows_per_sec": rows.len() as f64 / best,
        "note": "best of 3; rusqlite, one prepared INSERT into a TEXT-only table (no indexes), one transaction, WAL, synchronous=FULL",
    }))
}

pub fn run(o: &Opts) -> Result<()> {
    fs::create_dir_all(&o.data_dir)?;
    let me = std::env::current_exe()?;
    let mut results = Vec::new();
    for &n in &o.sizes {
        eprintln!("== sync benchmark, N = {n}");
        let db = ServerDb::new(o, n)?;
        let a = seed_server(&db.database(), n)?;
        eprintln!("  a) seed: {:.2} s", a["seconds"].as_f64().unwrap_or(0.0));
        let reference = match &db {
            ServerDb::Sqlite(path) => {
                let r = reference_insert(path, &o.data_dir.join(format!("sync-ref-{n}.sqlite")))?;
                eprintln!(
                    "  reference insert: {:.0} rows/s",
                    r["rows_per_sec"].as_f64().unwrap_or(0.0)
                );
                r
            }
            ServerDb::Postgres { .. } => Value::Null,
        };
        let server = start_server(&o.server_bin, &db)?;
        let server_pid = server.child.id();
        let (proxy, wire) = start_proxy(server.addr)?;
        let tablets = o.data_dir.join(format!("sync-tablets-{n}"));
        if tablets.exists() {
            fs::remove_dir_all(&tablets)?;
        }
        fs::create_dir_all(&tablets)?;
        let mut client = Command::new(&me)
            .arg("--sync-client")
            .args(["--sync-n", &n.to_string()])
            .arg("--sync-url")
            .arg(format!("http://{proxy}"))
            .arg("--data-dir")
            .arg(&tablets)
            .args(db.args("--sync-server-"))
            .arg("--cli-bin")
            .arg(&o.cli_bin)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let mut to_client: ChildStdin = client.stdin.take().context("no client stdin")?;
        let from_client = BufReader::new(client.stdout.take().context("no client stdout")?);
        let mut marks: HashMap<String, Snap> = HashMap::new();
        let mut result: Option<Value> = None;
        for line in from_client.lines() {
            let line = line?;
            if let Some(label) = line.strip_prefix("MARK ") {
                marks.insert(label.to_string(), wire.snap(server_pid));
                writeln!(to_client, "ok")?;
                to_client.flush()?;
            } else if let Some(r) = line.strip_prefix("RESULT ") {
                result = Some(serde_json::from_str(r)?);
            } else {
                eprintln!("{line}");
            }
        }
        let st = client.wait()?;
        let server_hwm = status_mib(&format!("/proc/{server_pid}/status"), "VmHWM:");
        drop(server);
        drop(db);
        ensure!(st.success(), "the tablets' process failed at N = {n}");
        let server_rows = a["rows"].clone();
        let mut scenarios = vec![a];
        let result = result.context("the tablets' process sent no result")?;
        for mut s in result["scenarios"].as_array().cloned().unwrap_or_default() {
            let id = s["scenario"].as_str().unwrap_or_default().to_string();
            if let (Some(a), Some(b)) = (
                marks.get(&format!("{id}:start")),
                marks.get(&format!("{id}:end")),
            ) {
                let per = s["rounds"].as_f64().unwrap_or(1.0);
                s["bytes_up"] = json!((b.up - a.up) as f64 / per);
                s["bytes_down"] = json!((b.down - a.down) as f64 / per);
                s["bytes"] = json!((b.up + b.down - a.up - a.down) as f64 / per);
                s["requests"] = json!((b.requests - a.requests) as f64 / per);
                s["connections"] = json!(b.connections - a.connections);
                s["server_cpu_s"] = json!((b.server_cpu_s - a.server_cpu_s) / per);
            }
            if id == "b" {
                s["server_rows"] = server_rows.clone();
            }
            scenarios.push(s);
        }
        results.push(json!({
            "n": n,
            "scenarios": scenarios,
            "reference_insert": reference,
            "server_peak_rss_mib": server_hwm,
            "client_process": result["client"],
        }));
        print_size(results.last().unwrap_or(&Value::Null));
    }
    if let Some(out) = &o.json_out {
        let doc = json!({
            "benchmark": "sync",
            "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
            "transport": "plain HTTP/1.1 on loopback through a counting TCP proxy; no TLS, no compression",
            "server_database": if o.postgres.is_some() { "PostgreSQL" } else { "SQLite" },
            "durability": if o.postgres.is_some() {
                "the PostgreSQL server's own settings on the server; WAL + synchronous=FULL on every tablet"
            } else {
                "WAL + synchronous=FULL on the server and on every tablet"
            },
            "sizes": results,
        });
        fs::write(out, serde_json::to_string_pretty(&doc)? + "\n")?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

fn print_size(r: &Value) {
    println!();
    println!("N = {}", r["n"]);
    println!(
        "{:<4} {:>8} {:>9} {:>11} {:>12} {:>9} {:>9} {:>9}  target",
        "", "docs", "seconds", "rows/s", "bytes", "requests", "cli MiB", "srv cpu"
    );
    for s in r["scenarios"].as_array().into_iter().flatten() {
        println!(
            "{:<4} {:>8} {:>9.4} {:>11.0} {:>12.0} {:>9.1} {:>9.1} {:>9.2}  {}",
            s["scenario"].as_str().unwrap_or(""),
            s["docs"].as_f64().unwrap_or(0.0),
            s["seconds"].as_f64().unwrap_or(0.0),
            s["rows_per_sec"].as_f64().unwrap_or(0.0),
            s["bytes"].as_f64().unwrap_or(0.0),
            s["requests"].as_f64().unwrap_or(0.0),
            s["client_peak_rss_mib"].as_f64().unwrap_or(0.0),
            s["server_cpu_s"].as_f64().unwrap_or(0.0),
            s["target"].as_str().unwrap_or("")
        );
    }
    if let Some(rate) = r["reference_insert"]["rows_per_sec"].as_f64() {
        println!("reference insert: {rate:.0} rows/s");
    }
}

// ---- the tablets' process -------------------------------------------------

pub struct ClientOpts {
    pub n: u32,
    pub url: String,
    pub dir: PathBuf,
    /// The server's database, read to check what arrived.
    pub server_db: Database,
    pub cli_bin: PathBuf,
}

/// Asks the conductor to read its counters now, and waits until it has.
fn mark(label: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "MARK {label}")?;
    out.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    ensure!(line.trim() == "ok", "the conductor answered {line:?}");
    Ok(())
}

fn self_cpu() -> f64 {
    cpu_seconds("/proc/self/stat").unwrap_or(0.0)
}

fn self_hwm() -> f64 {
    status_mib("/proc/self/status", "VmHWM:").unwrap_or(0.0)
}

struct Tablet {
    app: App,
    net: HttpTransport,
    device_id: uuid::Uuid,
    user: String,
    path: PathBuf,
}

fn start_of_shift() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 16, 7, 0, 0)
        .single()
        .unwrap_or_default()
}

impl Tablet {
    /// A new, empty tablet signed in as `user` (not yet synced).
    fn new(o: &ClientOpts, name: &str, user: &str, seed: u64) -> Result<Tablet> {
        let path = o.dir.join(format!("{name}.sqlite"));
        remove_db(&path)?;
        let mut app = App::new(
            Store::open(&path)?,
            Arc::new(FixedClock::new(start_of_shift())),
            IdGen::seeded(seed),
        );
        let signed = core_sync::login(
            &mut app,
            &LoginInput {
                server_url: o.url.clone(),
                username: user.into(),
                password: PASSWORD.into(),
                device_name: format!("bench {name}"),
            },
            |url, req| biomend_net::login(url, req).map_err(TransportError::from),
        )?;
        let login = core_sync::credentials(&app)?;
        let net = HttpTransport::new(&login.server_url, &login.token)?;
        Ok(Tablet {
            app,
            net,
            device_id: signed.device_id,
            user: user.into(),
            path,
        })
    }

    fn sync(&mut self) -> Result<core_sync::SyncSummary> {
        let s = core_sync::sync_now(&mut self.app, &mut self.net, &mut |_| {})?;
        ensure!(
            s.report.push.rejected == 0,
            "{} had {} mutations rejected: {:?}",
            self.user,
            s.report.push.rejected,
            s.rejected.first()
        );
        Ok(s)
    }

    /// The workload edit on this tablet's current version of asset `i`:
    /// next status in the cycle, next risk score.
    fn edit(&mut self, i: u32) -> Result<()> {
        let tag = tag_of(i);
        let (st, r) = local_asset(&self.path, &tag)?;
        let (st, r) = next_state(st, r);
        asset_edit::run(
            &mut self.app,
            &AssetEdit {
                username: self.user.clone(),
                tag,
                status: Some(st),
                place: None,
                serial: None,
                notes: None,
                risk: Some(r),
                department: None,
            },
        )?;
        Ok(())
    }
}

/// The workload's status name for a Biomend status (inverse of
/// [`status`]).
fn workload_status(s: AssetStatus) -> &'static str {
    STATUS_CYCLE
        .iter()
        .copied()
        .find(|w| status(w) == s)
        .unwrap_or("in_service")
}

/// The workload risk score (1–25) for an EM score (inverse of [`risk`]).
fn workload_risk(e: EmScore) -> i64 {
    i64::from(e.physical_risk - 1) * 5 + i64::from(e.maintenance - 1) + 1
}

fn next_state(s: AssetStatus, r: EmScore) -> (AssetStatus, EmScore) {
    let at = STATUS_CYCLE
        .iter()
        .position(|w| *w == workload_status(s))
        .unwrap_or(0);
    (
        status(STATUS_CYCLE[(at + 1) % STATUS_CYCLE.len()]),
        risk(workload_risk(r) % 25 + 1),
    )
}

/// A tablet's stored status and risk of the asset tagged `tag`.
fn local_asset(path: &Path, tag: &str) -> Result<(AssetStatus, EmScore)> {
    let db =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    local_asset_in(&db, tag)
}

fn local_asset_in(db: &rusqlite::Connection, tag: &str) -> Result<(AssetStatus, EmScore)> {
    let (s, f, p, m, i): (String, u8, u8, u8, i8) = db.query_row(
        "SELECT status, risk_function, risk_physical, risk_maintenance, risk_incident FROM assets WHERE tag = ?1",
        [tag],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    Ok((
        AssetStatus::parse(&s).context("bad status")?,
        EmScore {
            function: f,
            physical_risk: p,
            maintenance: m,
            incident_history: i,
        },
    ))
}

/// The server's stored status and risk of asset `i`.
fn server_asset(db: &AnyBackend, i: u32) -> Result<(AssetStatus, EmScore)> {
    let body = db
        .read(|txn| txn.get_row(Kind::Asset, &asset_id(i).0.to_string()))?
        .with_context(|| format!("the server has no asset {i}"))?
        .body;
    let v: Value = serde_json::from_str(&body)?;
    let n = |k: &str| v["risk"][k].as_i64().unwrap_or(0);
    Ok((
        AssetStatus::parse(v["status"].as_str().unwrap_or_default()).context("bad status")?,
        EmScore {
            function: n("function") as u8,
            physical_risk: n("physical_risk") as u8,
            maintenance: n("maintenance") as u8,
            incident_history: n("incident_history") as i8,
        },
    ))
}

/// Asset `i`'s tag, as the workload and the seeded inventory spell it.
fn tag_of(i: u32) -> String {
    format!("BME-{i:06}")
}

fn priority(p: i64) -> Priority {
    match p {
        1 => Priority::Emergency,
        2 => Priority::Urgent,
        3 => Priority::Routine,
        _ => Priority::Scheduled,
    }
}

fn user(k: u32) -> String {
    format!("tech-{:03}", k + 1)
}

fn figure(id: &str, name: &str, docs: f64, seconds: f64, cpu: f64) -> Value {
    json!({
        "scenario": id,
        "name": name,
        "docs": docs,
        "seconds": seconds,
        "rows_per_sec": docs / seconds,
        "client_cpu_s": cpu,
        "client_peak_rss_mib": self_hwm(),
    })
}

pub fn client(o: &ClientOpts) -> Result<()> {
    let n = o.n;
    let mut out = Vec::new();

    // b) initial pull: a new empty tablet pulls everything. Nothing else
    // is read before it, so its peak memory is the pull's own (the server's
    // row count comes from the seed, in the conductor).
    let mut a = Tablet::new(o, "tablet-a", &user(0), 1)?;
    mark("b:start")?;
    let cpu = self_cpu();
    let t = Instant::now();
    let s = a.sync()?;
    let secs = t.elapsed().as_secs_f64();
    let cpu = self_cpu() - cpu;
    mark("b:end")?;
    let assets: i64 =
        rusqlite::Connection::open(&a.path)?
            .query_row("SELECT count(*) FROM assets", [], |r| r.get(0))?;
    ensure!(assets == i64::from(n), "tablet A holds {assets} assets");
    let rows = s.report.pull.rows as f64;
    let mut b = figure(
        "b",
        "initial pull: new empty tablet pulls everything",
        rows,
        secs,
        cpu,
    );
    b["assets"] = json!(assets);
    b["pages"] = json!(s.report.pull.pages);
    b["assets_per_sec"] = json!(assets as f64 / secs);
    b["target"] = json!(if rows / secs >= 100_000.0 {
        "pass (>= 100k rows/s)"
    } else {
        "MISS (>= 100k rows/s)"
    });
    eprintln!("  b) {rows} rows in {secs:.3} s");
    out.push(b);
    // Read later to check what arrived.
    let server = o.server_db.open()?;

    // c) incremental push: 1,000 edits and 500 new work orders.
    let edits = incremental_edit_indices(n);
    let mut expected = Vec::new();
    for &i in &edits {
        let before = local_asset(&a.path, &tag_of(i))?;
        expected.push((i, next_state(before.0, before.1)));
        a.edit(i)?;
    }
    let mut moved = 0;
    for j in 0..500 {
        let wo = WorkloadWorkOrder::generate(j, n);
        // Biomend opens no work on a retired device (the workload's
        // decommission_pending): such a work order goes to the next asset
        // in service, so the push still carries 500 new work orders.
        let mut on = wo.asset_index;
        while local_asset(&a.path, &tag_of(on))?.0 == AssetStatus::Retired {
            on = (on + 1) % n;
        }
        if on != wo.asset_index {
            moved += 1;
        }
        corrective::run(
            &mut a.app,
            &NewCorrective {
                username: a.user.clone(),
                tag: tag_of(on),
                // A few documents' checklists already fill their size,
                // leaving the description empty; Biomend needs a problem.
                problem: if wo.description.trim().is_empty() {
                    format!("{} work order", wo.kind)
                } else {
                    wo.description.clone()
                },
                reported_by: wo.technician.clone(),
                priority: priority(wo.priority),
                assign_to: None,
                device_down: false,
            },
        )?;
    }
    let pending = a.app.store().reader().pending_count()?;
    ensure!(
        pending == 1_500,
        "tablet A holds {pending} pending mutations"
    );
    let mut engine = Engine::new(a.device_id, PUSH_BATCH);
    let now = start_of_shift();
    mark("c:start")?;
    let cpu = self_cpu();
    let t = Instant::now();
    let p = engine.push_once(a.app.store_mut(), &mut a.net, now)?;
    let secs = t.elapsed().as_secs_f64();
    let cpu = self_cpu() - cpu;
    mark("c:end")?;
    ensure!(
        p.applied == 1_500 && p.rejected == 0,
        "push applied {} and rejected {}",
        p.applied,
        p.rejected
    );
    for (i, want) in &expected {
        let got = server_asset(&server, *i)?;
        ensure!(
            got == *want,
            "server holds {got:?} for asset {i}, pushed {want:?}"
        );
    }
    let wos = server.read(|txn| txn.rows_of_kind(Kind::WorkOrder))?.len();
    ensure!(wos == 500, "server holds {wos} work orders");
    let mut c = figure(
        "c",
        "incremental push: 1,000 edits + 500 work orders",
        1_500.0,
        secs,
        cpu,
    );
    c["push_requests"] = json!(p.requests);
    c["work_orders_moved_off_retired_assets"] = json!(moved);
    c["verified"] =
        json!("the server holds all 1,000 edited statuses and risks and the 500 work orders");
    eprintln!("  c) 1500 mutations in {secs:.3} s");
    out.push(c);

    // d) no-op sync: warm-up, then 20 rounds with nothing to transfer.
    a.sync()?;
    a.sync()?;
    mark("d:start")?;
    let cpu = self_cpu();
    let mut rounds = Vec::with_capacity(NOOP_ROUNDS);
    for _ in 0..NOOP_ROUNDS {
        let t = Instant::now();
        let s = a.sync()?;
        rounds.push(t.elapsed().as_secs_f64());
        ensure!(
            s.report.pull.rows == 0 && s.report.push.applied == 0,
            "a no-op round moved data"
        );
    }
    let cpu = (self_cpu() - cpu) / NOOP_ROUNDS as f64;
    mark("d:end")?;
    let mut sorted = rounds.clone();
    sorted.sort_by(f64::total_cmp);
    let median = (sorted[NOOP_ROUNDS / 2 - 1] + sorted[NOOP_ROUNDS / 2]) / 2.0;
    let mut d = figure("d", "no-op sync round (median of 20)", 0.0, median, cpu);
    d["rows_per_sec"] = Value::Null;
    d["rounds"] = json!(NOOP_ROUNDS);
    d["round_seconds"] = json!(rounds);
    d["mean_seconds"] = json!(rounds.iter().sum::<f64>() / NOOP_ROUNDS as f64);
    d["target"] = json!(if median < 0.002 {
        "pass (median < 2 ms)"
    } else {
        "MISS (median < 2 ms)"
    });
    eprintln!("  d) median {:.3} ms", median * 1e3);
    out.push(d);
    let a_hwm = self_hwm();
    drop(a);

    // e) shift end: 10 synced tablets edit offline, then sync one after
    // another, each in its own `biomend` process.
    let mut before: HashMap<u32, (AssetStatus, EmScore)> = HashMap::new();
    let mut shift_paths = Vec::new();
    for c in 0..SHIFT_TABLETS {
        let mut t = Tablet::new(o, &format!("shift-{c}"), &user(1 + c), 100 + u64::from(c))?;
        t.sync()?;
        t.sync()?;
        for i in shift_edit_indices(n, c) {
            before.insert(i, local_asset(&t.path, &tag_of(i))?);
            t.edit(i)?;
        }
        shift_paths.push(t.path.clone());
    }
    mark("e:start")?;
    let mut e_secs = 0.0;
    let mut e_cpu = 0.0;
    let mut e_rss: f64 = 0.0;
    let mut pushed = 0u64;
    let mut pulled = 0u64;
    let mut per = Vec::new();
    let usage = o.dir.join("time.txt");
    for (c, path) in shift_paths.iter().enumerate() {
        let t = Instant::now();
        let output = Command::new("/usr/bin/time")
            .args(["-f", "%e %M %U %S", "-o"])
            .arg(&usage)
            .arg(&o.cli_bin)
            .arg("--db")
            .arg(path)
            .args(["--json", "sync"])
            .stdin(Stdio::null())
            .output()?;
        let secs = t.elapsed().as_secs_f64();
        ensure!(
            output.status.success(),
            "tablet {c}'s sync failed ({}): {} {} {}",
            output.status,
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout),
            fs::read_to_string(&usage).unwrap_or_default()
        );
        let v: Value = serde_json::from_slice(&output.stdout)?;
        let u = fs::read_to_string(&usage)?;
        let f: Vec<f64> = u
            .lines()
            .last()
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        ensure!(f.len() == 4, "unreadable /usr/bin/time output {u:?}");
        let applied = v["push"]["applied"].as_u64().unwrap_or(0);
        let rows = v["pull"]["rows"].as_u64().unwrap_or(0);
        ensure!(applied == 200, "tablet {c} pushed {applied}");
        pushed += applied;
        pulled += rows;
        e_secs += secs;
        e_cpu += f[2] + f[3];
        e_rss = e_rss.max(f[1] / 1024.0);
        per.push(json!({"tablet": c, "seconds": secs, "pushed": applied, "pulled": rows, "peak_rss_mib": f[1] / 1024.0, "cpu_s": f[2] + f[3]}));
    }
    mark("e:end")?;
    // Every tablet's edits equal the server's; the last holds all 2,000.
    for (c, path) in shift_paths.iter().enumerate() {
        let db = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        let check: Vec<u32> = if c + 1 == shift_paths.len() {
            (0..SHIFT_TABLETS)
                .flat_map(|k| shift_edit_indices(n, k))
                .collect()
        } else {
            shift_edit_indices(n, c as u32)
        };
        for i in check {
            let local = local_asset_in(&db, &tag_of(i))?;
            let remote = server_asset(&server, i)?;
            let want = before.get(&i).map(|b| next_state(b.0, b.1));
            ensure!(
                local == remote && Some(remote) == want,
                "tablet {c}, asset {i}: local {local:?}, server {remote:?}, edit {want:?}"
            );
        }
    }
    let docs = (pushed + pulled) as f64;
    let mut e = figure(
        "e",
        "shift end: 10 tablets sync one after another (sum)",
        docs,
        e_secs,
        e_cpu,
    );
    e["pushed"] = json!(pushed);
    e["pulled"] = json!(pulled);
    e["client_peak_rss_mib"] = json!(e_rss);
    e["per_tablet"] = json!(per);
    e["verified"] = json!(
        "every tablet's edited assets equal the server's and the intended edit; the last tablet holds all 2,000 edits"
    );
    e["note"] = json!(
        "each sync is its own `biomend --json sync` process; seconds are process wall time (start, open store, sync, exit); RSS and CPU from /usr/bin/time"
    );
    eprintln!("  e) {docs} docs in {e_secs:.3} s");
    out.push(e);

    // f) 50 tablets, each with 20 offline edits, sync at the same moment.
    let mut fleet = Vec::new();
    let mut f_edits = Vec::new();
    for k in 0..CONCURRENT_TABLETS {
        let mut t = Tablet::new(
            o,
            &format!("fleet-{k}"),
            &user(1 + SHIFT_TABLETS + k),
            1_000 + u64::from(k),
        )?;
        t.sync()?;
        for j in 0..CONCURRENT_EDITS {
            let i = ((u64::from(k * CONCURRENT_EDITS + j) * 7_927 + 5) % u64::from(n)) as u32;
            let b = local_asset(&t.path, &tag_of(i))?;
            f_edits.push((i, next_state(b.0, b.1)));
            t.edit(i)?;
        }
        fleet.push(t);
    }
    let barrier = Arc::new(Barrier::new(fleet.len() + 1));
    mark("f:start")?;
    let cpu = self_cpu();
    let handles: Vec<_> = fleet
        .into_iter()
        .map(|mut t| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let start = Instant::now();
                let r = t
                    .sync()
                    .map(|s| (s.report.push.applied, s.report.pull.rows));
                (r.map_err(|e| e.to_string()), start.elapsed())
            })
        })
        .collect();
    barrier.wait();
    let t = Instant::now();
    let mut failures = Vec::new();
    let mut f_pushed = 0;
    let mut f_pulled = 0;
    let mut longest = Duration::ZERO;
    for h in handles {
        match h.join() {
            Ok((Ok((p, r)), d)) => {
                f_pushed += p;
                f_pulled += r;
                longest = longest.max(d);
            }
            Ok((Err(e), _)) => failures.push(e),
            Err(_) => failures.push("a tablet thread panicked".into()),
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = self_cpu() - cpu;
    mark("f:end")?;
    for (i, want) in &f_edits {
        let got = server_asset(&server, *i)?;
        ensure!(
            got == *want,
            "server holds {got:?} for asset {i}, pushed {want:?}"
        );
    }
    let docs = (f_pushed + f_pulled) as f64;
    let mut f = figure(
        "f",
        "50 tablets sync at once (20 edits each)",
        docs,
        secs,
        cpu,
    );
    f["pushed"] = json!(f_pushed);
    f["pulled"] = json!(f_pulled);
    f["failures"] = json!(failures);
    f["slowest_tablet_seconds"] = json!(longest.as_secs_f64());
    f["target"] = json!(if failures.is_empty()
        && f_pushed == u64::from(CONCURRENT_TABLETS * CONCURRENT_EDITS)
    {
        "pass (no failures)"
    } else {
        "MISS (failures)"
    });
    f["note"] = json!(
        "50 threads in one process, each its own store file and HTTP client; wall time from the common start until the last finished; peak RSS is the whole process's (50 open stores)"
    );
    eprintln!(
        "  f) {docs} docs in {secs:.3} s, {} failures",
        failures.len()
    );
    out.push(f);

    let result = json!({
        "scenarios": out,
        "client": {
            "peak_rss_after_d_mib": a_hwm,
            "peak_rss_mib": self_hwm(),
        },
    });
    println!("RESULT {result}");
    Ok(())
}
