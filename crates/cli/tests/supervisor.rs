//! The supervisor's commands that ask the server, run as the real binary
//! against the real server on a loopback port: the sign-off queue across
//! devices (`biomend wo queue --server`), next to this device's own.

mod common;

use biomend_core::App;
use biomend_core::corrective::{self, NewCorrective};
use biomend_core::workflow::{self, Completion, LaborInput, WorkRecord};
use biomend_domain::work_order::{ClosureCode, FailureArea, Priority};
use common::*;
use std::path::{Path, PathBuf};

/// A tablet file signed in to `url` as `username` and synced.
fn tablet(dir: &Path, url: &str, username: &str) -> PathBuf {
    let db = dir.join(format!("{username}.db"));
    ok(run(
        &db,
        &[
            "login",
            "--server",
            url,
            "--username",
            username,
            "--password-stdin",
        ],
        "demo\n",
    ));
    ok(run(&db, &["sync"], ""));
    db
}

fn numbers(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|w| w["number"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_supervisor_sees_the_servers_sign_off_queue_with_work_this_device_has_not_pulled() {
    let dir = tempfile::tempdir().unwrap();
    let server = demo_server(dir.path());

    // The supervisor's tablet syncs at the start of the shift.
    let sup = tablet(dir.path(), &server.url, "demo.super");
    let before = json(&ok(run(&sup, &["--json", "wo", "queue", "--server"], "")));

    // A technician completes a repair on another tablet and syncs.
    let tech = tablet(dir.path(), &server.url, "demo.tech");
    let number = {
        let mut app = App::open(&tech).unwrap();
        let tag: String = rusqlite::Connection::open(&tech)
            .unwrap()
            .query_row(
                "SELECT a.tag FROM assets a WHERE a.status = 'in_service' AND NOT EXISTS \
                 (SELECT 1 FROM work_orders w WHERE w.asset_id = a.id \
                  AND w.status NOT IN ('completed', 'signed_off', 'cancelled')) \
                 ORDER BY a.tag LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let wo = corrective::run(
            &mut app,
            &NewCorrective {
                username: "demo.tech".into(),
                tag,
                problem: "Alarm does not sound".into(),
                reported_by: "4 West charge nurse".into(),
                priority: Priority::Urgent,
                assign_to: None,
                device_down: false,
            },
        )
        .unwrap();
        workflow::start(&mut app, "demo.tech", &wo.number).unwrap();
        workflow::complete(
            &mut app,
            "demo.tech",
            &wo.number,
            &Completion {
                findings: "Speaker connector loose; reseated and tested".into(),
                closure: ClosureCode::DeviceFailure(FailureArea::PowerSupply),
                record: WorkRecord {
                    labor: vec![LaborInput {
                        minutes: 30,
                        note: "Repair".into(),
                    }],
                    ..WorkRecord::default()
                },
                signature: Some("M0,0 L5,5".into()),
            },
        )
        .unwrap();
        wo.number
    };
    ok(run(&tech, &["sync"], ""));

    // The server's queue has it; the supervisor's own copy does not yet.
    let queue = json(&ok(run(&sup, &["--json", "wo", "queue", "--server"], "")));
    let listed = numbers(&queue);
    assert_eq!(listed.len(), numbers(&before).len() + 1, "{queue}");
    let item = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["number"] == number.as_str())
        .unwrap_or_else(|| panic!("{number} is not in {queue}"));
    assert_eq!(item["kind"], "corrective");
    assert_eq!(item["closure"], "failure:power_supply");
    assert_eq!(item["open_conflicts"], 0);
    assert!(
        item["completed_by_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "{item}"
    );
    let local = json(&ok(run(&sup, &["--json", "wo", "queue"], "")));
    assert!(!numbers(&local).contains(&number), "{local}");

    // Text output names it too, and --limit bounds the list.
    let text = ok(run(&sup, &["wo", "queue", "--server"], ""));
    assert!(
        String::from_utf8_lossy(&text.stdout).contains(&number),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
    let one = json(&ok(run(
        &sup,
        &["--json", "wo", "queue", "--server", "--limit", "1"],
        "",
    )));
    assert_eq!(numbers(&one), listed[..1].to_vec());

    // A technician's device never asks the server for it.
    let refused = run(&tech, &["--json", "wo", "queue", "--server"], "");
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(json(&refused)["error"]["code"], "forbidden");

    // A device that never signed in is told to.
    let lone = dir.path().join("lone.db");
    let out = run(&lone, &["--json", "wo", "queue", "--server"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["error"]["code"], "not_signed_in");
}
