//! The commands that talk to a server, run as the real binary without
//! one: sync status, asset edits queued for sync, sign-in against a
//! one-shot local server, and a server that refuses connections.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;

/// A local address nothing listens on.
fn closed_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// Answers one request with `body`, then closes.
fn serve_once(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut b = vec![0; len];
        r.read_exact(&mut b).unwrap();
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(reply.as_bytes()).unwrap();
    });
    url
}

fn demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("demo.sqlite");
    let out = run(
        &db,
        &[
            "--json",
            "demo",
            "--assets",
            "200",
            "--work-orders",
            "300",
            "--as-of",
            "2026-03-16",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

#[test]
fn status_of_a_device_that_never_signed_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.sqlite");
    let st = json(&run(&db, &["--json", "sync", "status"], ""));
    assert_eq!(st["pending"], 0);
    assert_eq!(st["pull_cursor"], 0);
    assert!(st["server_url"].is_null());

    let out = run(&db, &["--json", "sync"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["error"]["code"], "not_signed_in");
}

#[test]
fn an_asset_edit_is_queued_for_sync() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let hits = json(&run(
        &db,
        &["--json", "asset", "search", "BME", "--limit", "1"],
        "",
    ));
    let tag = hits[0]["tag"].as_str().unwrap().to_string();
    let edited = json(&run(
        &db,
        &[
            "--json",
            "--as",
            "demo.super",
            "asset",
            "edit",
            &tag,
            "--notes",
            "Bumper cracked",
            "--serial",
            "SN-NEW-1",
        ],
        "",
    ));
    assert_eq!(edited["changed"], serde_json::json!(["serial", "notes"]));
    assert_eq!(edited["asset"]["notes"], "Bumper cracked");
    let st = json(&run(&db, &["--json", "sync", "status"], ""));
    assert_eq!(st["pending"], 1);

    let out = run(
        &db,
        &["--json", "asset", "edit", &tag, "--status", "broken"],
        "",
    );
    assert!(!out.status.success(), "an unknown status is refused");
}

#[test]
fn a_server_that_cannot_be_reached_leaves_changes_on_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Sign in against a one-shot server that then goes away.
    let login = r#"{"device_id":"019caf10-3180-7000-8000-0000000000d9","token":"tok_cli_secret","user":{"id":"019caf10-3180-7000-8000-0000000000a1","username":"demo.tech","display_name":"Demo Tech","role":"technician","sites":[],"active":true}}"#
        .to_string();
    let url = serve_once(login);
    let out = run(
        &db,
        &[
            "--json",
            "login",
            "--server",
            &url,
            "--username",
            "demo.tech",
            "--password-stdin",
            "--device-name",
            "bench tablet",
        ],
        "hunter2\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let who = json(&out);
    assert_eq!(who["username"], "demo.tech");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("tok_cli_secret"));

    // The server is gone now: the sync fails clearly and keeps the work.
    let hits = json(&run(
        &db,
        &["--json", "asset", "search", "BME", "--limit", "1"],
        "",
    ));
    let tag = hits[0]["tag"].as_str().unwrap().to_string();
    run(&db, &["asset", "edit", &tag, "--notes", "offline edit"], "");
    let out = run(&db, &["sync"], "");
    assert_eq!(out.status.code(), Some(4), "offline has its own exit code");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("changes stay on this device"), "{err}");
    let st = json(&run(&db, &["--json", "sync", "status"], ""));
    assert_eq!(st["pending"], 1);
    assert_eq!(st["username"], "demo.tech");
    assert!(
        !serde_json::to_string(&st)
            .unwrap()
            .contains("tok_cli_secret")
    );
}

#[test]
fn signing_in_to_a_closed_port_or_a_bad_address_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.sqlite");
    let out = run(
        &db,
        &[
            "--json",
            "login",
            "--server",
            &closed_url(),
            "--username",
            "ana",
            "--password-stdin",
        ],
        "pw\n",
    );
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(json(&out)["error"]["code"], "offline");

    let out = run(
        &db,
        &[
            "login",
            "--server",
            "not a url",
            "--username",
            "ana",
            "--password-stdin",
        ],
        "pw\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a server address"));
}
