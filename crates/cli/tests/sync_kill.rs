//! A tablet killed (SIGKILL) in the middle of `biomend sync`, again and
//! again, loses nothing: the real binary over a real file, against the
//! real server on a loopback port. Whenever the kill lands (before a
//! request, after the server applied a batch but before the answer was
//! recorded, during the pull), the next sync finishes the job, every
//! mutation is applied exactly once, and the server holds every edit.

mod common;

use biomend_core::App;
use biomend_core::asset_edit::{self, AssetEdit};
use biomend_server::Backend;
use common::*;
use std::process::Stdio;
use std::time::Duration;

const EDITS: usize = 600;

#[test]
fn a_tablet_killed_mid_sync_again_and_again_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = demo_server(dir.path());
    let (url, backend) = (server.url.clone(), server.backend.clone());

    let tablet = dir.path().join("tablet.db");
    ok(run(
        &tablet,
        &[
            "login",
            "--server",
            &url,
            "--username",
            "demo.tech",
            "--password-stdin",
        ],
        "demo\n",
    ));
    ok(run(&tablet, &["sync"], ""));

    // A shift's worth of edits, made offline through the app core.
    let tags: Vec<String> = {
        let db = rusqlite::Connection::open(&tablet).unwrap();
        let mut stmt = db.prepare("SELECT tag FROM assets ORDER BY tag").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    {
        let mut app = App::open(&tablet).unwrap();
        for i in 0..EDITS {
            asset_edit::run(
                &mut app,
                &AssetEdit {
                    username: "demo.tech".into(),
                    tag: tags[i % tags.len()].clone(),
                    notes: Some(format!("Round {i}")),
                    ..AssetEdit::default()
                },
            )
            .unwrap();
        }
    }

    // Kill sync at growing delays until one finishes on its own.
    let mut kills = 0;
    for delay_ms in [5u64, 15, 30, 60, 100, 150, 250, 400, 700, 1200] {
        let mut child = biomend(&tablet)
            .arg("sync")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            // SIGKILL: no destructor, no flush, no goodbye.
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
    }
    assert!(kills > 0, "no sync was ever killed mid-way");
    let done = ok(run(&tablet, &["--json", "sync"], ""));
    let summary: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
    assert_eq!(summary["status"]["pending"], 0, "{summary}");

    // Exactly once: every mutation the tablet holds was logged once, under
    // its own seq and id, and nothing else was.
    let db = rusqlite::Connection::open(&tablet).unwrap();
    let device: Vec<u8> = db
        .query_row("SELECT device_id FROM device_login", [], |r| r.get(0))
        .unwrap();
    let device = uuid::Uuid::from_slice(&device).unwrap();
    let held: Vec<(i64, Vec<u8>, String)> = db
        .prepare("SELECT seq, id, state FROM outbox ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(held.len(), EDITS);
    backend
        .read(|txn| -> Result<(), biomend_server::StoreError> {
            for (seq, id, state) in &held {
                assert_eq!(state, "applied", "seq {seq}");
                let logged = txn
                    .logged_mutation(device, *seq as u64)?
                    .unwrap_or_else(|| panic!("seq {seq} never reached the server"));
                assert_eq!(logged.mutation_id.as_bytes().as_slice(), id.as_slice());
                assert!(
                    logged.rejection.is_none(),
                    "seq {seq}: {:?}",
                    logged.rejection
                );
            }
            assert!(txn.logged_mutation(device, EDITS as u64 + 1)?.is_none());
            Ok(())
        })
        .unwrap();

    // The server holds each asset's last note, as the tablet does.
    for (i, tag) in tags.iter().enumerate().take(EDITS.min(tags.len())) {
        let last = (0..EDITS).filter(|j| j % tags.len() == i).max().unwrap();
        let id: Vec<u8> = db
            .query_row("SELECT id FROM assets WHERE tag = ?1", [tag], |r| r.get(0))
            .unwrap();
        let key = uuid::Uuid::from_slice(&id).unwrap().to_string();
        let row = backend
            .read(|txn| txn.get_row(biomend_protocol::Kind::Asset, &key))
            .unwrap()
            .unwrap();
        let asset: biomend_protocol::AssetV1 = serde_json::from_str(&row.body).unwrap();
        assert_eq!(asset.notes, format!("Round {last}"), "{tag}");
    }
}
