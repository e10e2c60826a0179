//! The real `biomend-server` binary: user and device commands, serving on a
//! port it picks, revocation while serving, graceful SIGTERM, and a kill -9
//! that must lose nothing the server acknowledged.

mod common;

use biomend_protocol::*;
use common::*;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_biomend-server");

fn run(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts `serve` on a free port and returns the child and its base URL.
fn serve(db: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--db",
            db.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("listening line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    (child, base)
}

async fn login(base: &str, username: &str, password: &str) -> reqwest::Response {
    common::http()
        .post(format!("{base}/v1/login"))
        .json(&serde_json::json!({
            "protocol_version": PROTOCOL_VERSION,
            "username": username,
            "password": password,
            "device_name": "bench tablet",
        }))
        .send()
        .await
        .expect("login")
}

async fn me(base: &str, token: &str) -> u16 {
    common::http()
        .get(format!("{base}/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("me")
        .status()
        .as_u16()
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["user", "add", "--help"],
        vec!["device", "enroll", "--help"],
        vec!["device", "list", "--help"],
        vec!["device", "revoke", "--help"],
        vec!["demo", "--help"],
        vec!["import", "assets", "--help"],
    ] {
        let (ok, out, _) = run(&args, None);
        assert!(ok && out.contains("Usage"), "{args:?}: {out}");
    }
}

#[tokio::test]
async fn users_devices_serve_and_revoke_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    seed_file(&db);
    let dbs = db.to_str().unwrap();
    let add = |password: &'static str| {
        run(
            &[
                "user",
                "add",
                "--db",
                dbs,
                "--username",
                "alice",
                "--display-name",
                "Alice Ng",
                "--role",
                "technician",
                "--site",
                "MAIN",
                "--password-stdin",
            ],
            Some(password),
        )
    };
    let (ok, _, err) = add("short\n");
    assert!(!ok && err.contains("shorter"), "{err}");
    let (ok, _, err) = add("\n");
    assert!(!ok && err.contains("empty"), "{err}");
    let (ok, out, err) = add("correct horse battery\n");
    assert!(ok, "{err}");
    assert!(out.contains("user alice added"), "{out}");

    let (mut server, base) = serve(&db);
    let res = login(&base, "alice", "wrong horse battery").await;
    assert_eq!(res.status(), 401);
    let res = login(&base, "alice", "correct horse battery").await;
    assert_eq!(res.status(), 200);
    let l: LoginResponse = res.json().await.unwrap();
    assert_eq!(me(&base, &l.token).await, 200);

    let (ok, list, _) = run(&["device", "list", "--db", dbs], None);
    assert!(
        ok && list.contains(&l.device_id.to_string()) && list.contains("alice"),
        "{list}"
    );
    assert!(
        !list.contains(&l.token),
        "a token never appears in a listing"
    );

    let (ok, out, err) = run(
        &["device", "revoke", "--db", dbs, &l.device_id.to_string()],
        None,
    );
    assert!(ok, "{err}");
    assert!(out.contains("revoked"));
    assert_eq!(me(&base, &l.token).await, 401);

    let (ok, out, err) = run(
        &[
            "device",
            "enroll",
            "--db",
            dbs,
            "--username",
            "alice",
            "--name",
            "bench",
        ],
        None,
    );
    assert!(ok, "{err}");
    let token = out
        .lines()
        .find_map(|l| l.strip_prefix("token "))
        .expect("token line");
    assert_eq!(me(&base, token).await, 200);

    // SIGTERM stops it gracefully.
    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[tokio::test]
async fn a_kill_9_loses_nothing_the_server_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let data = seed_file(&db);
    let (mut server, base) = serve(&db);
    let res = login(&base, "demo.tech", PASSWORD).await;
    let l: LoginResponse = res.json().await.unwrap();
    let site = l.user.sites[0];
    let dept_sites: std::collections::HashMap<_, _> = data
        .departments
        .iter()
        .map(|d| (d.id, d.site_id.0))
        .collect();
    let asset = data
        .assets
        .iter()
        .find(|a| dept_sites[&a.department_id] == site)
        .unwrap()
        .id
        .0;
    let envelopes: Vec<MutationEnvelope> = (1..=20u64)
        .map(|seq| {
            let m = create(&work_order(
                asset,
                &format!("WO-K-{seq}"),
                l.user.id,
                "corrective",
            ));
            MutationEnvelope {
                id: id(),
                seq,
                name: m.name().into(),
                version: m.version(),
                hlc: Hlc {
                    millis: 1_770_000_000_000 + seq,
                    counter: 0,
                    node: 3,
                },
                payload: m.to_payload(),
            }
        })
        .collect();
    let push = |base: String, envs: Vec<MutationEnvelope>| {
        let token = l.token.clone();
        let device_id = l.device_id;
        async move {
            common::http()
                .post(format!("{base}/v1/push"))
                .bearer_auth(token)
                .json(&PushRequest {
                    protocol_version: PROTOCOL_VERSION,
                    schema_version: 7,
                    device_id,
                    mutations: envs,
                })
                .send()
                .await
        }
    };
    for env in &envelopes[..15] {
        let r: PushResponse = push(base.clone(), vec![env.clone()])
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r.results[0].outcome, Outcome::Applied);
    }
    // The rest goes out as the server is killed: it may or may not land.
    let in_flight = tokio::spawn(push(base.clone(), envelopes[15..].to_vec()));
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = in_flight.await;

    let (mut server, base) = serve(&db);
    let r: PushResponse = push(base.clone(), envelopes.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r.results.len(), 20);
    for res in &r.results[..15] {
        assert_eq!(res.outcome, Outcome::Duplicate, "seq {}", res.seq);
    }
    for res in &r.results[15..] {
        assert!(
            matches!(res.outcome, Outcome::Duplicate | Outcome::Applied),
            "{res:?}"
        );
    }
    // Each work order exists exactly once.
    let backend = biomend_server::SqliteBackend::open(&db).unwrap();
    for n in 1..=20 {
        let owner = biomend_server::Backend::read(&backend, |txn| {
            txn.work_order_number_owner(&format!("WO-K-{n}"))
        })
        .unwrap();
        assert!(owner.is_some(), "WO-K-{n}");
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

/// The binary on PostgreSQL: `user add`, `serve` and `device list` with
/// `--postgres` (or its environment variable), a device signing in over
/// HTTP, and the connection string's password never shown, not even when
/// the database cannot be reached.
#[cfg(feature = "postgres-tests")]
#[test]
fn the_binary_serves_a_postgres_database_and_never_shows_its_password() {
    use biomend_server::backend::postgres::{ScratchDatabase, TEST_POSTGRES_ENV};
    use biomend_server::{Backend, PostgresBackend};

    const SECRET: &str = "n0t-for-logs-7f3a";
    let scratch = ScratchDatabase::from_env().unwrap_or_else(|e| panic!("{e}"));
    let base = std::env::var(TEST_POSTGRES_ENV).unwrap();
    let dbname = scratch.target().dbname().unwrap().to_string();
    // The throwaway cluster trusts local connections and ignores it.
    let conninfo = format!("{base} dbname={dbname} password={SECRET}");
    let site_code = {
        let backend = PostgresBackend::open(scratch.target()).unwrap();
        biomend_server::seed::seed_demo(
            &backend,
            &params(),
            PASSWORD,
            &biomend_server::auth::HashCost::fast_for_tests(),
        )
        .unwrap();
        let sites = backend.read(|txn| txn.rows_of_kind(Kind::Site)).unwrap();
        let site: SiteV1 = serde_json::from_str(&sites[0].body).unwrap();
        site.code
    };
    let mut shown = String::new();

    let add = Command::new(BIN)
        .args([
            "user",
            "add",
            "--username",
            "alice",
            "--display-name",
            "Alice Ng",
            "--role",
            "technician",
            "--site",
            &site_code,
            "--password-stdin",
        ])
        .env("BIOMEND_SERVER_POSTGRES", &conninfo)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .as_ref()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    let out = add.wait_with_output().unwrap();
    shown += &String::from_utf8_lossy(&out.stdout);
    shown += &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("user alice added"), "{shown}");

    let mut server = Command::new(BIN)
        .args(["serve", "--postgres", &conninfo, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, token) = rt.block_on(async {
        let res = login(&url, "alice", "correct horse battery").await;
        let status = res.status().as_u16();
        let body: LoginResponse = res.json().await.unwrap();
        (status, body.token)
    });
    assert_eq!(status, 200);
    assert_eq!(rt.block_on(me(&url, &token)), 200);
    assert_eq!(rt.block_on(me(&url, "wrong")), 401);
    server.kill().unwrap();
    let out = server.wait_with_output().unwrap();
    shown += &String::from_utf8_lossy(&out.stderr);

    let (ok, out, err) = run(&["device", "list", "--postgres", &conninfo], None);
    assert!(ok, "{err}");
    assert!(out.contains("alice\tbench tablet\tactive"), "{out}");
    shown += &out;
    shown += &err;

    // Unreachable: the error names the database, never the password.
    let gone = format!("{base} dbname=no_such_database password={SECRET}");
    let (ok, out, err) = run(
        &["serve", "--postgres", &gone, "--listen", "127.0.0.1:0"],
        None,
    );
    assert!(!ok);
    assert!(err.contains("no_such_database"), "{err}");
    shown += &out;
    shown += &err;
    // Exactly one of --db and --postgres.
    let (ok, _, err) = run(
        &["device", "list", "--db", "x.db", "--postgres", &conninfo],
        None,
    );
    assert!(!ok && err.contains("cannot be used with"), "{err}");
    shown += &err;
    let (ok, _, err) = run(&["device", "list"], None);
    assert!(!ok && err.contains("--db"), "{err}");

    assert!(!shown.contains(SECRET), "the password was shown:\n{shown}");
}
