//! The real `biomend-server` binary setting up a new hospital on a temp
//! SQLite file: `init` on an empty database (and refused on a used one),
//! then sites, departments and users (what failed before `init` existed),
//! places and accounts edited, a deactivation that kills a served token,
//! and clear refusals.

mod common;

use biomend_protocol::*;
use biomend_server::{Backend, SqliteBackend};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_biomend-server");
const PW: &str = "correct horse battery";

fn run(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(text) = stdin {
        // A command may refuse before it reads its password (init on a
        // used database), closing the pipe first.
        let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// How many words name the command (`init`; `site add`).
fn command_len(args: &[&str]) -> usize {
    if args[0] == "init" { 1 } else { 2 }
}

/// Runs a command on `db` that must succeed; returns its stdout.
fn ok(db: &str, args: &[&str], stdin: Option<&str>) -> String {
    let at = command_len(args);
    let mut all = args[..at].to_vec();
    all.extend_from_slice(&["--db", db]);
    all.extend_from_slice(&args[at..]);
    let (ok, out, err) = run(&all, stdin);
    assert!(ok, "{args:?}: {err}");
    out
}

/// Runs a command on `db` that must fail; returns its stderr.
fn refused(db: &str, args: &[&str], stdin: Option<&str>) -> String {
    let at = command_len(args);
    let mut all = args[..at].to_vec();
    all.extend_from_slice(&["--db", db]);
    all.extend_from_slice(&args[at..]);
    let (ok, out, err) = run(&all, stdin);
    assert!(!ok, "{args:?} should fail: {out}");
    err
}

fn init(db: &str) -> String {
    let (ok, out, err) = run(
        &[
            "init",
            "--db",
            db,
            "--hospital",
            "St. Example Health",
            "--site-code",
            "MAIN",
            "--site-name",
            "Main Campus",
            "--admin",
            "ana.admin",
            "--admin-name",
            "Ana Admin",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    assert!(ok, "init: {err}");
    out
}

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

async fn login(base: &str, username: &str, password: &str) -> (u16, Option<LoginResponse>) {
    let res = common::http()
        .post(format!("{base}/v1/login"))
        .json(&serde_json::json!({
            "protocol_version": PROTOCOL_VERSION,
            "username": username,
            "password": password,
            "device_name": "ED tablet",
        }))
        .send()
        .await
        .expect("login");
    let status = res.status().as_u16();
    (status, res.json().await.ok())
}

async fn pull_all(base: &str, l: &LoginResponse) -> Vec<Change> {
    let mut out = Vec::new();
    let mut cursor = 0;
    loop {
        let page: PullResponse = common::http()
            .post(format!("{base}/v1/pull"))
            .bearer_auth(&l.token)
            .json(&serde_json::json!({
                "protocol_version": PROTOCOL_VERSION,
                "schema_version": 7,
                "device_id": l.device_id,
                "cursor": cursor,
                "limit": 1000,
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        cursor = page.cursor;
        out.extend(page.changes);
        if !page.more {
            return out;
        }
    }
}

fn counts(db: &Path) -> (u64, usize) {
    let b = SqliteBackend::open(db).unwrap();
    b.read(|txn| Ok::<_, biomend_server::StoreError>((txn.last_version()?, txn.users()?.len())))
        .unwrap()
}

#[test]
fn every_new_command_has_help() {
    for args in [
        vec!["init", "--help"],
        vec!["site", "add", "--help"],
        vec!["site", "list", "--help"],
        vec!["site", "set", "--help"],
        vec!["building", "add", "--help"],
        vec!["building", "set", "--help"],
        vec!["department", "add", "--help"],
        vec!["department", "list", "--help"],
        vec!["department", "set", "--help"],
        vec!["location", "add", "--help"],
        vec!["location", "list", "--help"],
        vec!["location", "set", "--help"],
        vec!["user", "list", "--help"],
        vec!["user", "set", "--help"],
        vec!["user", "deactivate", "--help"],
        vec!["user", "reset-password", "--help"],
    ] {
        let (ok, out, _) = run(&args, None);
        assert!(ok && out.contains("Usage"), "{args:?}: {out}");
    }
}

#[test]
fn init_sets_up_an_empty_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let db = path.to_str().unwrap();
    // A weak password is refused and leaves the database empty.
    let err = refused(
        db,
        &[
            "init",
            "--hospital",
            "H",
            "--site-code",
            "MAIN",
            "--site-name",
            "Main",
            "--admin",
            "ana.admin",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(err.contains("shorter than 10"), "{err}");
    assert_eq!(counts(&path), (0, 0));

    let out = init(db);
    assert!(
        out.contains("hospital 'St. Example Health' set up"),
        "{out}"
    );
    assert!(out.contains("site MAIN (Main Campus)"), "{out}");
    assert!(out.contains("administrator ana.admin"), "{out}");
    let before = counts(&path);
    assert_eq!(before.1, 1);

    // A second init is refused, says why, and changes nothing.
    let err = refused(
        db,
        &[
            "init",
            "--hospital",
            "Other",
            "--site-code",
            "OTHER",
            "--site-name",
            "Other",
            "--admin",
            "bob.admin",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    assert!(err.contains("already holds data"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(counts(&path), before);

    // What init wrote: the site scoped to itself, an active admin at it,
    // and the hospital's name as a settings group tablets pull.
    let b = SqliteBackend::open(&path).unwrap();
    let (site_row, users, name) = b
        .read(|txn| {
            let site = txn.rows_of_kind(Kind::Site)?.remove(0);
            let users = txn.users()?;
            let name = txn.get_row(Kind::HospitalSettings, "hospital")?;
            Ok::<_, biomend_server::StoreError>((site, users, name))
        })
        .unwrap();
    let site: SiteV1 = serde_json::from_str(&site_row.body).unwrap();
    assert_eq!(site_row.site_id, Some(site.id));
    assert_eq!(
        (site.code.as_str(), site.name.as_str()),
        ("MAIN", "Main Campus")
    );
    let admin = &users[0];
    assert_eq!(admin.role, biomend_domain::user::Role::Admin);
    assert_eq!((admin.sites.clone(), admin.active), (vec![site.id], true));
    assert_eq!(admin.display_name, "Ana Admin");
    let settings: HospitalSettingsV1 = serde_json::from_str(&name.unwrap().body).unwrap();
    assert_eq!(settings.values["name"], "St. Example Health");
    assert_eq!(settings.updated_by, admin.id);
    assert_eq!(
        biomend_server::admin::hospital_name(&b).unwrap().as_deref(),
        Some("St. Example Health")
    );

    // A demo database holds data too.
    let demo = dir.path().join("demo.db");
    common::seed_file(&demo);
    let before = counts(&demo);
    let err = refused(
        demo.to_str().unwrap(),
        &[
            "init",
            "--hospital",
            "H",
            "--site-code",
            "NEW",
            "--site-name",
            "New",
            "--admin",
            "new.admin",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    assert!(err.contains("already holds data"), "{err}");
    assert_eq!(counts(&demo), before);
}

#[tokio::test]
async fn after_init_a_site_a_department_and_a_user_make_a_working_tablet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let db = path.to_str().unwrap();
    init(db);
    let out = ok(
        db,
        &["site", "add", "--code", "NORTH", "--name", "North Campus"],
        None,
    );
    assert!(out.contains("site NORTH added"), "{out}");
    ok(
        db,
        &["building", "add", "--site", "MAIN", "--name", "Tower A"],
        None,
    );
    let out = ok(
        db,
        &[
            "department",
            "add",
            "--site",
            "MAIN",
            "--name",
            "Emergency Department",
            "--short-name",
            "ED",
            "--cost-center",
            "4010",
        ],
        None,
    );
    assert!(
        out.contains("department Emergency Department added"),
        "{out}"
    );
    ok(
        db,
        &[
            "location",
            "add",
            "--site",
            "main",
            "--building",
            "tower a",
            "--floor",
            "1",
            "--room",
            "1.101",
            "--department",
            "ED",
        ],
        None,
    );
    // The exact command that failed on a new server.
    let out = ok(
        db,
        &[
            "user",
            "add",
            "--username",
            "tina.tech",
            "--display-name",
            "Tina Tech",
            "--role",
            "technician",
            "--site",
            "MAIN",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    assert!(out.contains("user tina.tech added"), "{out}");

    let list = ok(db, &["department", "list", "--site", "MAIN"], None);
    assert!(
        list.contains("\tMAIN\tEmergency Department\tED\t4010"),
        "{list}"
    );
    let list = ok(db, &["location", "list"], None);
    assert!(
        list.contains("\tMAIN\tTower A\t1\t1.101\tEmergency Department"),
        "{list}"
    );
    let list = ok(db, &["site", "list"], None);
    assert!(list.contains("\tMAIN\tMain Campus") && list.contains("\tNORTH\tNorth Campus"));

    // Served, the technician signs in and pulls the places and the name.
    let (mut server, base) = serve(&path);
    let (status, l) = login(&base, "tina.tech", PW).await;
    assert_eq!(status, 200);
    let l = l.unwrap();
    let pulled = pull_all(&base, &l).await;
    let kinds = |k: &str| pulled.iter().filter(|c| c.kind == k).count();
    assert_eq!(kinds("site"), 1, "only the user's site");
    assert_eq!(
        (kinds("building"), kinds("department"), kinds("location")),
        (1, 1, 1)
    );
    let dept = pulled.iter().find(|c| c.kind == "department").unwrap();
    let dept: DepartmentV1 = serde_json::from_str(dept.body.as_ref().unwrap().get()).unwrap();
    assert_eq!(dept.short_name.as_deref(), Some("ED"));
    let name = pulled
        .iter()
        .find(|c| c.kind == "hospital_settings" && c.key == "hospital")
        .expect("the hospital's name is pulled");
    assert!(
        name.body
            .as_ref()
            .unwrap()
            .get()
            .contains("St. Example Health")
    );
    // Every pulled body decodes as the device's sync engine decodes it.
    for c in &pulled {
        let kind = Kind::parse(&c.kind).unwrap();
        Record::decode(kind, c.body.as_ref().unwrap().get())
            .unwrap_or_else(|e| panic!("{} {}: {e}", c.kind, c.key));
    }

    // Deactivated while served: the token stops at once.
    let me = |token: String| {
        let base = base.clone();
        async move {
            common::http()
                .get(format!("{base}/v1/me"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(me(l.token.clone()).await, 200);
    let out = ok(db, &["user", "deactivate", "tina.tech"], None);
    assert!(out.contains("1 device(s) revoked"), "{out}");
    assert_eq!(me(l.token.clone()).await, 401);
    assert_eq!(login(&base, "tina.tech", PW).await.0, 401);
    let list = ok(db, &["user", "list"], None);
    assert!(
        list.contains("\ttina.tech\tTina Tech\ttechnician\tMAIN\tinactive"),
        "{list}"
    );

    // A password reset takes effect for the next sign-in.
    ok(
        db,
        &["user", "reset-password", "ana.admin", "--password-stdin"],
        Some("staple battery horse\n"),
    );
    assert_eq!(login(&base, "ana.admin", PW).await.0, 401);
    assert_eq!(
        login(&base, "ana.admin", "staple battery horse").await.0,
        200
    );
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn edits_refusals_and_the_last_admin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let db = path.to_str().unwrap();
    init(db);
    ok(
        db,
        &["site", "add", "--code", "NORTH", "--name", "North"],
        None,
    );
    ok(
        db,
        &["building", "add", "--site", "MAIN", "--name", "Tower A"],
        None,
    );
    ok(
        db,
        &[
            "department",
            "add",
            "--site",
            "MAIN",
            "--name",
            "Emergency",
            "--short-name",
            "ED",
        ],
        None,
    );
    ok(
        db,
        &["department", "add", "--site", "NORTH", "--name", "ICU"],
        None,
    );

    // Duplicates, case-insensitively, named with where.
    let err = refused(db, &["site", "add", "--code", "north", "--name", "X"], None);
    assert!(
        err.contains("site code 'north' is already used by site NORTH"),
        "{err}"
    );
    let err = refused(
        db,
        &["building", "add", "--site", "MAIN", "--name", "TOWER A"],
        None,
    );
    assert!(
        err.contains("building 'TOWER A' already exists at site MAIN"),
        "{err}"
    );
    let err = refused(
        db,
        &[
            "department",
            "add",
            "--site",
            "MAIN",
            "--name",
            "Radiology",
            "--short-name",
            "ed",
        ],
        None,
    );
    assert!(
        err.contains("short name 'ed' is already used by department 'Emergency' at site MAIN"),
        "{err}"
    );
    // The same name at another site is fine.
    ok(
        db,
        &[
            "department",
            "add",
            "--site",
            "NORTH",
            "--name",
            "Emergency",
        ],
        None,
    );
    // Unknown parents and bad input.
    let err = refused(
        db,
        &["building", "add", "--site", "WEST", "--name", "B"],
        None,
    );
    assert!(err.contains("no site with code 'WEST'"), "{err}");
    let err = refused(
        db,
        &[
            "location",
            "add",
            "--site",
            "MAIN",
            "--building",
            "Tower A",
            "--room",
            "1",
            "--department",
            "ICU",
        ],
        None,
    );
    assert!(err.contains("no department 'ICU' at site MAIN"), "{err}");
    let err = refused(db, &["site", "add", "--code", "", "--name", "X"], None);
    assert!(err.contains("the site code must not be empty"), "{err}");
    let err = refused(
        db,
        &[
            "user",
            "add",
            "--username",
            "ned",
            "--display-name",
            "Ned",
            "--role",
            "technician",
            "--site",
            "WEST",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    assert!(err.contains("no site with code 'WEST'"), "{err}");
    let err = refused(
        db,
        &[
            "user",
            "add",
            "--username",
            "ANA.ADMIN",
            "--display-name",
            "Ana",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    assert!(err.contains("user 'ANA.ADMIN' already exists"), "{err}");

    // Edits by code and name.
    let out = ok(
        db,
        &["site", "set", "north", "--name", "North Campus"],
        None,
    );
    assert!(out.contains("NORTH\tNorth Campus"), "{out}");
    ok(
        db,
        &[
            "building", "set", "--site", "MAIN", "tower a", "--name", "Tower B",
        ],
        None,
    );
    let out = ok(
        db,
        &[
            "department",
            "set",
            "--site",
            "MAIN",
            "ED",
            "--short-name",
            "",
            "--cost-center",
            "77",
        ],
        None,
    );
    assert!(out.contains("Emergency\t\t77"), "{out}");
    ok(
        db,
        &[
            "location",
            "add",
            "--site",
            "MAIN",
            "--building",
            "Tower B",
            "--floor",
            "2",
            "--room",
            "2.1",
        ],
        None,
    );
    let out = ok(
        db,
        &[
            "location",
            "set",
            "--site",
            "MAIN",
            "--building",
            "Tower B",
            "2.1",
            "--room",
            "2.2",
            "--department",
            "Emergency",
        ],
        None,
    );
    assert!(out.contains("floor 2\troom 2.2"), "{out}");
    let list = ok(db, &["location", "list", "--site", "MAIN"], None);
    assert!(list.contains("\tTower B\t2\t2.2\tEmergency"), "{list}");
    let err = refused(db, &["location", "set", "2.2", "--room", "x"], None);
    assert!(err.contains("name the building"), "{err}");

    // Users: role, sites and name; the last admin stays.
    ok(
        db,
        &[
            "user",
            "add",
            "--username",
            "sam.super",
            "--display-name",
            "Sam",
            "--role",
            "supervisor",
            "--site",
            "MAIN",
            "--password-stdin",
        ],
        Some(&format!("{PW}\n")),
    );
    let out = ok(
        db,
        &[
            "user",
            "set",
            "sam.super",
            "--site",
            "MAIN",
            "--site",
            "north",
            "--display-name",
            "Sam Lead",
        ],
        None,
    );
    assert!(out.contains("Sam Lead\tsupervisor"), "{out}");
    let list = ok(db, &["user", "list"], None);
    assert!(
        list.contains("\tsam.super\tSam Lead\tsupervisor\tMAIN,NORTH\tactive"),
        "{list}"
    );
    let err = refused(db, &["user", "set", "ana.admin", "--role", "manager"], None);
    assert!(err.contains("last active administrator"), "{err}");
    let err = refused(db, &["user", "deactivate", "ana.admin"], None);
    assert!(err.contains("last active administrator"), "{err}");
    let err = refused(db, &["user", "set", "sam.super", "--role", "wizard"], None);
    assert!(err.contains("unknown role 'wizard'"), "{err}");
    let err = refused(db, &["user", "deactivate", "nobody"], None);
    assert!(err.contains("no user 'nobody'"), "{err}");
    let err = refused(
        db,
        &["user", "reset-password", "sam.super", "--password-stdin"],
        Some("short\n"),
    );
    assert!(err.contains("shorter"), "{err}");
    ok(db, &["user", "set", "sam.super", "--role", "admin"], None);
    ok(db, &["user", "set", "ana.admin", "--role", "manager"], None);
    let err = refused(db, &["user", "deactivate", "sam.super"], None);
    assert!(err.contains("last active administrator"), "{err}");
}

/// `init` and the administration commands on PostgreSQL, through the
/// connection-string variable: set up once, refused the second time.
#[cfg(feature = "postgres-tests")]
#[test]
fn init_and_administration_on_postgres() {
    use biomend_server::backend::postgres::{ScratchDatabase, TEST_POSTGRES_ENV};
    let scratch = ScratchDatabase::from_env().unwrap_or_else(|e| panic!("{e}"));
    let base = std::env::var(TEST_POSTGRES_ENV).unwrap();
    let conninfo = format!("{base} dbname={}", scratch.target().dbname().unwrap());
    let pg = |args: &[&str], stdin: Option<&str>| {
        let mut child = Command::new(BIN)
            .args(args)
            .env("BIOMEND_SERVER_POSTGRES", &conninfo)
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(text) = stdin {
            let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
        }
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let init_args = [
        "init",
        "--hospital",
        "St. Example Health",
        "--site-code",
        "MAIN",
        "--site-name",
        "Main Campus",
        "--admin",
        "ana.admin",
        "--password-stdin",
    ];
    let pw = format!("{PW}\n");
    let (ok, _, err) = pg(&init_args, Some(&pw));
    assert!(ok, "{err}");
    let (ok, _, err) = pg(&init_args, Some(&pw));
    assert!(!ok && err.contains("already holds data"), "{err}");
    let (ok, _, err) = pg(
        &[
            "department",
            "add",
            "--site",
            "MAIN",
            "--name",
            "Emergency",
            "--short-name",
            "ED",
        ],
        None,
    );
    assert!(ok, "{err}");
    let (ok, _, err) = pg(
        &[
            "user",
            "add",
            "--username",
            "tina.tech",
            "--display-name",
            "Tina",
            "--role",
            "technician",
            "--site",
            "MAIN",
            "--password-stdin",
        ],
        Some(&pw),
    );
    assert!(ok, "{err}");
    let (ok, out, err) = pg(&["user", "deactivate", "tina.tech"], None);
    assert!(ok && out.contains("deactivated"), "{err}");
    let (ok, out, _) = pg(&["user", "list"], None);
    assert!(
        ok && out.contains("\ttina.tech\tTina\ttechnician\tMAIN\tinactive"),
        "{out}"
    );
    let (ok, _, err) = pg(&["user", "deactivate", "ana.admin"], None);
    assert!(!ok && err.contains("last active administrator"), "{err}");
}
