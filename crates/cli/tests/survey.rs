//! `biomend report survey` on a small demo hospital: the real binary
//! writes a well-formed PDF and a self-contained HTML page with every
//! section, `--json` gives the figures, and refusals come back as
//! `{code, message}`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The report's sections, as both files title them.
const SECTIONS: [&str; 6] = [
    "Summary",
    "1. PM completion by risk class",
    "2. High-risk and life-support PMs not completed in their window",
    "3. Repairs (corrective work orders)",
    "4. Recalls and alerts",
    "5. CND and damage calls",
];

/// The demo's last year, as its "today" (2026-03-16) sees it.
const YEAR: [&str; 4] = ["--from", "2025-03-17", "--to", "2026-03-16"];

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

fn survey(args: &[&str]) -> Output {
    let mut a = vec!["report", "survey"];
    a.extend_from_slice(&YEAR);
    a.extend_from_slice(args);
    run(demo_db(), &a)
}

fn success(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

#[test]
fn writes_a_pdf_and_an_html_page_with_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("eoc.pdf");
    let html = dir.path().join("eoc.html");
    let out = survey(&[
        "--json",
        "--as",
        "demo.manager",
        "--pdf",
        pdf.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_str(&success(&out)).expect("JSON");

    // The PDF: a header, a trailer, and as many page objects as the page
    // tree counts and the command reported.
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(bytes.trim_ascii_end().ends_with(b"%%EOF"));
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert_eq!(v["pdf"]["pages"], pages as u64);
    assert!(pages >= 2, "{pages} pages");
    assert!(text.contains(&format!("/Count {pages}")));
    assert_eq!(v["pdf"]["bytes"], bytes.len() as u64);
    for s in SECTIONS {
        assert!(text.contains(&format!("({s}) Tj")), "PDF lacks {s}");
    }
    assert!(text.contains(&format!("(Page {pages} of {pages}) Tj")));

    // The HTML page: every section, inline charts, nothing to fetch.
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    for s in SECTIONS {
        assert!(page.contains(&format!("<h2>{s}</h2>")), "HTML lacks {s}");
    }
    assert!(page.contains("<svg"));
    assert!(!page.contains("<script") && !page.contains("src="));
    assert!(page.contains("Period: 2025-03-17 to 2026-03-16 (365 days). Sites: All sites."));

    // The figures: period, scope, and PM counts that add up.
    let r = &v["report"];
    assert_eq!(r["period"]["from"], "2025-03-17");
    assert_eq!(r["period"]["to"], "2026-03-17");
    assert_eq!(r["scope"]["label"], "All sites");
    let due = |c: &Value| {
        [
            "on_time",
            "attempted_in_use",
            "attempted_not_located",
            "out_of_window",
            "missed",
        ]
        .iter()
        .map(|k| c["counts"][k].as_u64().unwrap())
        .sum::<u64>()
    };
    let classes = r["pm"]["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 4);
    let by_class: u64 = classes.iter().map(due).sum();
    assert_eq!(by_class, due(&r["pm"]["all"]));
    assert!(by_class > 0, "no PM due: the demo proves nothing");
    assert_eq!(
        r["pm"]["high_risk"]["rate"]["formula"],
        "completed in window / due"
    );
    // Every listed miss is high risk or life support and has its reason.
    for m in r["misses"]["rows"].as_array().unwrap() {
        assert!(["life_support", "high_risk"].contains(&m["class"].as_str().unwrap()));
        assert!(!m["explanation"].as_str().unwrap().is_empty());
    }
    assert!(r["repairs"]["opened"].as_u64().unwrap() > 0);
}

#[test]
fn a_site_report_covers_that_site_only() {
    let out = survey(&["--json", "--as", "demo.manager", "--site", "MAIN"]);
    let s = success(&out);
    let v: Value = serde_json::from_str(&s).unwrap();
    assert!(
        v["report"]["scope"]["label"]
            .as_str()
            .unwrap()
            .starts_with("MAIN")
    );
    let all: Value =
        serde_json::from_str(&success(&survey(&["--json", "--as", "demo.manager"]))).unwrap();
    let opened = |v: &Value| v["report"]["repairs"]["opened"].as_u64().unwrap();
    assert!(opened(&v) < opened(&all));
}

#[test]
fn text_mode_says_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("eoc.pdf");
    let out = survey(&["--as", "demo.admin", "--pdf", pdf.to_str().unwrap()]);
    let s = success(&out);
    assert!(
        s.contains("PM completion, life support and high risk:"),
        "{s}"
    );
    assert!(s.contains(&format!("wrote {}", pdf.display())), "{s}");
    assert!(pdf.exists());
}

#[test]
fn refusals_come_back_as_code_and_message() {
    let error = |args: &[&str]| -> (String, String) {
        let out = survey(args);
        assert!(!out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON error");
        (
            v["error"]["code"].as_str().unwrap().to_string(),
            v["error"]["message"].as_str().unwrap().to_string(),
        )
    };
    // A technician may not see it.
    let (code, _) = error(&["--json", "--as", "demo.tech"]);
    assert_eq!(code, "forbidden");
    // An unknown site.
    let (code, msg) = error(&["--json", "--as", "demo.manager", "--site", "NOPE"]);
    assert_eq!(code, "not_found", "{msg}");
    // Nothing to write in text mode.
    let out = survey(&["--as", "demo.manager"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--pdf"));
    // A period backwards.
    let out = run(
        demo_db(),
        &[
            "--json",
            "--as",
            "demo.manager",
            "report",
            "survey",
            "--from",
            "2026-03-01",
            "--to",
            "2026-02-01",
        ],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
}

#[test]
fn help_names_the_options() {
    let out = run(demo_db(), &["report", "survey", "--help"]);
    let s = success(&out);
    for opt in ["--from", "--to", "--site", "--pdf", "--html", "--json"] {
        assert!(s.contains(opt), "{opt} missing from help:\n{s}");
    }
}
