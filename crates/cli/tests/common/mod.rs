//! What the tests of the real `biomend` binary share: running it on a
//! tablet file, reading its answers, and a demo hospital on a real server
//! on a loopback port.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use biomend_demo::DemoParams;
use biomend_server::auth::HashCost;
use biomend_server::local::LocalServer;
use biomend_server::{Config, SqliteBackend};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Every demo user's password.
pub const PASSWORD: &str = "demo";

/// `biomend --db <db>`, untouched by the caller's environment.
pub fn biomend(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_biomend"));
    c.env_remove("BIOMEND_DB")
        .env_remove("BIOMEND_USER")
        .arg("--db")
        .arg(db);
    c
}

/// Runs `biomend --db <db> <args>` with `stdin` as its input.
pub fn run(db: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = biomend(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run biomend");
    // A command that refuses its arguments exits before it reads its
    // input (a bad server address is named before the password is asked
    // for), which closes the pipe under a write still under way.
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    child.wait_with_output().unwrap()
}

/// The command's `--json` answer.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The command's output, which must be a success.
pub fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A small demo hospital on a server in `dir`, serving on a free port.
pub fn demo_server(dir: &Path) -> LocalServer {
    let db = dir.join("server.db");
    {
        let backend = SqliteBackend::open(&db).unwrap();
        biomend_server::seed::seed_demo(
            &backend,
            &DemoParams::scaled(60, 200),
            PASSWORD,
            &HashCost::fast_for_tests(),
        )
        .unwrap();
    }
    LocalServer::start(
        &db,
        Config {
            hash_cost: HashCost::fast_for_tests(),
        },
    )
    .unwrap()
}
