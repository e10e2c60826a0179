//! `biomend settings` on a demo hospital, through the real binary: a
//! manager sees every section with its defaults, changes and resets
//! values, and a change the reports cannot use is refused by its key.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const MANAGER: &str = "demo.manager";

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("biomend.sqlite");
    ok(run(
        &db,
        &[
            "--json",
            "demo",
            "--assets",
            "60",
            "--work-orders",
            "200",
            "--as-of",
            "2026-03-16",
        ],
        "",
    ));
    db
}

fn text(db: &Path, args: &[&str]) -> String {
    String::from_utf8(ok(run(db, args, "")).stdout).unwrap()
}

fn item<'a>(view: &'a Value, key: &str) -> &'a Value {
    view["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("{key} listed"))
}

fn pending(db: &Path) -> u64 {
    json(&ok(run(db, &["--json", "sync", "status"], "")))["pending"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_manager_shows_sets_and_resets_settings() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());

    let shown = text(&db, &["--as", MANAGER, "settings", "show"]);
    for section in ["PM completion", "Risk", "Repeat repairs", "Capital plan"] {
        assert!(shown.contains(&format!("{section}\n")), "{shown}");
    }
    let line = |shown: &str, key: &str| {
        shown
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("{key} in {shown}"))
            .to_string()
    };
    assert!(line(&shown, "capital.cyber_weight").contains("0.1 (default)"));
    assert!(
        shown.ends_with("every setting has its default\n"),
        "{shown}"
    );

    let said = text(
        &db,
        &[
            "--as",
            MANAGER,
            "settings",
            "set",
            "capital.cyber_weight=0.30",
            "repeat_repair_days=14",
        ],
    );
    assert!(
        said.contains("capital.cyber_weight = 0.3 (default 0.1)"),
        "{said}"
    );
    assert!(said.contains("queued for sync"), "{said}");
    assert_eq!(pending(&db), 1);

    let shown = text(&db, &["--as", MANAGER, "settings", "show"]);
    assert!(line(&shown, "capital.cyber_weight").contains("0.3 (default 0.1)"));
    assert!(line(&shown, "repeat_repair_days").contains("14 (default 7)"));
    assert!(line(&shown, "capital.risk_weight").contains("0.2 (default)"));
    assert!(shown.contains("last saved by Diane Marsh"), "{shown}");

    let view = json(&ok(run(
        &db,
        &[
            "--json",
            "--as",
            MANAGER,
            "settings",
            "reset",
            "repeat_repair_days",
        ],
        "",
    )));
    assert_eq!(view["changed"], serde_json::json!(["repeat_repair_days"]));
    let days = item(&view["settings"], "repeat_repair_days");
    assert_eq!(days["value"], "7");
    assert_eq!(days["is_default"], true);
    assert_eq!(
        item(&view["settings"], "capital.cyber_weight")["value"],
        "0.3"
    );
    assert_eq!(pending(&db), 2);

    // Resetting what is already the default changes nothing.
    let said = text(
        &db,
        &["--as", MANAGER, "settings", "reset", "repeat_repair_days"],
    );
    assert!(said.ends_with("nothing changed\n"), "{said}");
    assert_eq!(pending(&db), 2);
}

#[test]
fn refusals_name_the_key_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    for (args, key) in [
        (
            vec!["set", "capital.cyber_weight=-1"],
            "capital.cyber_weight",
        ),
        (
            vec!["set", "repeat_repair_days=a week"],
            "repeat_repair_days",
        ),
        (
            vec!["set", "capital.cyber_wieght=0.2"],
            "capital.cyber_wieght",
        ),
        (vec!["reset", "no.such.key"], "no.such.key"),
        (vec!["set", "capital.cyber_weight"], "capital.cyber_weight"),
    ] {
        let mut a = vec!["--json", "--as", MANAGER, "settings"];
        a.extend_from_slice(&args);
        let out = run(&db, &a, "");
        assert!(!out.status.success(), "{args:?}");
        let err = json(&out);
        assert_eq!(err["error"]["code"], "invalid_input", "{err}");
        let message = err["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(key), "{args:?}: {message}");
    }
    let out = run(
        &db,
        &[
            "--as",
            "demo.tech",
            "settings",
            "set",
            "repeat_repair_days=14",
        ],
        "",
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot change the hospital's settings"),
        "{stderr}"
    );
    assert_eq!(pending(&db), 0);
    let view = json(&ok(run(
        &db,
        &["--json", "--as", MANAGER, "settings", "show"],
        "",
    )));
    assert!(
        view["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["is_default"] == true)
    );
}
