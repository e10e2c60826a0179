//! `biomend report ...` on a demo hospital: the patterns the generator
//! planted come out of the real binary's reports.

use biomend_demo::{FAILING_PUMP_MAKER, PUMP_TYPE_CODE, TRAINING_DEPARTMENT, TRAINING_TYPE_CODE};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const MANAGER: &str = "demo.manager";
/// The demo's whole history and its last year, as the demo's "today"
/// (2026-03-16) sees them.
const WHOLE: [&str; 4] = ["--from", "2021-03-16", "--to", "2026-03-16"];
const LAST_YEAR: [&str; 4] = ["--from", "2025-03-17", "--to", "2026-03-16"];

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_biomend"))
        .env_remove("BIOMEND_DB")
        .env_remove("BIOMEND_USER")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run biomend")
}

fn ok(args: &[&str]) -> String {
    let out = run(demo_db(), args);
    assert!(
        out.status.success(),
        "biomend {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn report(args: &[&str]) -> Value {
    let mut a = vec!["--json", "--as", MANAGER, "report"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(&a)).expect("JSON output")
}

fn text(args: &[&str]) -> String {
    let mut a = vec!["--as", MANAGER, "report"];
    a.extend_from_slice(args);
    ok(&a)
}

fn demo_db() -> &'static PathBuf {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("demo.sqlite");
        let out = run(
            &db,
            &[
                "--json",
                "demo",
                "--assets",
                "300",
                "--work-orders",
                "3000",
                "--as-of",
                "2026-03-16",
            ],
        );
        assert!(out.status.success(), "demo: {out:?}");
        (dir, db)
    })
    .1
}

fn with(a: &[&str], b: &[&str]) -> Vec<String> {
    a.iter().chain(b).map(|s| s.to_string()).collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn the_failing_pump_maker_is_worst_in_its_scorecard() {
    let args = with(
        &["scorecard", PUMP_TYPE_CODE, "--by", "manufacturer"],
        &WHOLE,
    );
    let r = report(&strs(&args));
    let rows = r["card"]["rows"].as_array().unwrap();
    let names = r["names"].as_array().unwrap();
    let ranked: Vec<(usize, u64)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| row["rank"].as_u64().map(|k| (i, k)))
        .collect();
    assert!(ranked.len() >= 3, "several makers ranked: {r}");
    let worst = ranked.iter().max_by_key(|(_, k)| *k).unwrap().0;
    assert_eq!(names[worst], FAILING_PUMP_MAKER);
    // Each figure carries its explanation.
    let f = &rows[worst]["failures_per_unit_year"];
    assert!(f["formula"].as_str().unwrap().contains("unit"));
    assert!(f["inputs"].as_array().unwrap().len() >= 2);
    // The table names it on its last ranked line, with its failure count.
    let t = text(&strs(&args));
    let last_ranked = t
        .lines()
        .rfind(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .unwrap();
    assert!(last_ranked.contains(FAILING_PUMP_MAKER), "{t}");
}

#[test]
fn the_trained_department_shows_the_drop() {
    let list = report(&["training"]);
    let n = list
        .as_array()
        .unwrap()
        .iter()
        .position(|e| {
            e["department"] == TRAINING_DEPARTMENT
                && e["device_type"]
                    .as_str()
                    .unwrap()
                    .starts_with(TRAINING_TYPE_CODE)
        })
        .expect("the planted event is listed")
        + 1;
    let r = report(&["training", &n.to_string()]);
    let calls = |w: &Value| -> u64 {
        w["cnd_and_use_error_rate"]["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .take(3)
            .map(|i| i["value"]["value"].as_u64().unwrap())
            .sum()
    };
    let e = &r["effect"];
    let (before, after) = (calls(&e["before"]), calls(&e["after"]));
    assert!(before >= 3 && before >= 3 * after, "{before} → {after}");
    assert!(
        e["cnd_and_use_error_rate_change"]["value"]
            .as_f64()
            .unwrap()
            < 0.0
    );
    let t = text(&["training", &n.to_string()]);
    assert!(t.contains(TRAINING_DEPARTMENT) && t.contains("before") && t.contains("after"));
}

#[test]
fn unsupported_and_end_of_support_devices_top_the_capital_plan() {
    let args = with(
        &["capital", "--budget", "500000", "--years", "3"],
        &LAST_YEAR,
    );
    let r = report(&strs(&args));
    let top = r["top"].as_array().unwrap();
    // The top five are all lifted by the support factor: unsupported OS
    // or past end of support.
    for p in &top[..5] {
        let support = p["factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["factor"] == "support")
            .unwrap();
        assert_eq!(support["value"]["value"], 1.0, "{}", p["tag"]);
    }
    let year1 = &r["plan"]["years"][0];
    assert!(year1["spent"].as_i64().unwrap() <= year1["budget"].as_i64().unwrap());
    assert_eq!(year1["items"][0]["tag"], top[0]["tag"]);
    let t = text(&strs(&args));
    assert!(t.contains("Year 1: budget $500,000.00"), "{t}");
}

#[test]
fn kpis_by_every_grouping_count_every_asset_once() {
    let mut totals = Vec::new();
    for by in ["department", "device-type", "model", "manufacturer", "site"] {
        let args = with(&["kpi", "--by", by], &LAST_YEAR);
        let r = report(&strs(&args));
        let groups = r["groups"].as_array().unwrap();
        assert!(groups.iter().all(|g| g["name"] != "(unknown)"));
        totals.push(
            groups
                .iter()
                .map(|g| g["assets"].as_u64().unwrap())
                .sum::<u64>(),
        );
    }
    assert!(
        totals[0] > 250 && totals.iter().all(|t| *t == totals[0]),
        "{totals:?}"
    );
    let t = text(&strs(&with(&["kpi", "--by", "site"], &LAST_YEAR)));
    assert!(t.contains("PM high-risk") && t.contains("uptime"), "{t}");
}

#[test]
fn repair_advice_shows_both_rules_and_candidates_list() {
    let c = report(&strs(&with(&["candidates"], &LAST_YEAR)));
    let first = &c["candidates"][0];
    let tag = first["tag"].as_str().expect("the demo has candidates");
    let r = report(&strs(&with(
        &["replace", tag, "--estimate", "1200.00"],
        &LAST_YEAR,
    )));
    assert_eq!(r["repair_estimate"], 120_000);
    assert_eq!(r["advice"]["repair_rules"].as_array().unwrap().len(), 2);
    assert_eq!(r["advice"]["candidate"], true);
}

#[test]
fn technicians_are_refused_and_bad_input_named() {
    let out = run(demo_db(), &["--as", "demo.tech", "report", "kpi"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not allowed"));
    let out = run(
        demo_db(),
        &["--as", MANAGER, "report", "capital", "--budget", "lots"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--budget"));
}
