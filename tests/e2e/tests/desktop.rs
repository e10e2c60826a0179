//! The real Biomend app in a real window: a technician scans an asset and
//! completes a corrective work order with labor, parts, a closure code and
//! a signature while the server is down, then the work reaches the server
//! when it returns; a supervisor resolves a conflict. Screenshots of every
//! main screen, landscape and portrait, go to `BIOMEND_SCREENSHOTS` (default
//! `target/screenshots`).

mod common;

use biomend_core::App;
use biomend_core::asset_edit::{self, AssetEdit};
use biomend_core::sync::{self, LoginInput, TransportError};
use biomend_demo::DemoParams;
use biomend_domain::asset::AssetStatus;
use biomend_protocol::Kind;
use biomend_server::Backend;
use common::*;
use fantoccini::Client;
use std::path::Path;
use std::time::{Duration, Instant};

/// Draws a stroke on the signature pad as a finger would.
async fn sign(c: &Client) {
    let pad = el(c, "#signature-pad").await;
    c.execute(
        "const p = arguments[0]; const r = p.getBoundingClientRect();
         const ev = (type, x, y) => p.dispatchEvent(new PointerEvent(type, {
             bubbles: true, pointerId: 1, pointerType: 'touch', isPrimary: true,
             clientX: r.left + x, clientY: r.top + y, buttons: type === 'pointerup' ? 0 : 1 }));
         ev('pointerdown', 20, 40);
         for (let i = 1; i <= 12; i++) ev('pointermove', 20 + i * 15, 40 + (i % 2) * 18);
         ev('pointerup', 200, 40);",
        vec![serde_json::to_value(pad).unwrap()],
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn technician_completes_work_offline_and_a_supervisor_resolves_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = off_runtime(|| Server::start(dir.path(), &DemoParams::scaled(60, 200)));
    let url = server.url();
    let driver = Driver::start();

    // ---- the technician -------------------------------------------------
    let tech_db = dir.path().join("tech.sqlite");
    let c = open_tablet(&driver, &tech_db, &url).await;
    el(&c, "#username").await;
    shoot(&c, "sign-in").await;
    sign_in(&c, &url, "demo.tech").await;
    el(&c, "#my-day").await;
    wait_until(&c, "#sync-status", Some("data-online"), |v| v == "true").await;
    shoot(&c, "my-day").await;

    // Scan: the wedge scanner types the tag and Enter.
    let tag = attr(&c, ".pm-row", "data-tag").await;
    assert!(!tag.is_empty());
    type_into(&c, "#scan", &format!("{tag}\n")).await;
    wait_until(&c, "#asset-page", Some("data-tag"), |v| v == tag).await;
    shoot(&c, "asset").await;

    // The network goes down; the technician carries on.
    server.down();
    click(&c, "#new-corrective").await;
    let problem = format!("Keypad unresponsive after a fall ({})", std::process::id());
    type_into(&c, "#problem", &problem).await;
    type_into(&c, "#reported-by", "RN Alvarez, 4 West").await;
    click(&c, ".priority[data-priority='urgent']").await;
    shoot(&c, "new-work-order").await;
    click(&c, "#create-wo").await;
    wait_until(&c, "#wo-page", Some("data-status"), |v| v == "open").await;
    click(&c, "#step-start").await;
    wait_until(&c, "#wo-page", Some("data-status"), |v| v == "in_progress").await;

    type_into(&c, "#labor-minutes", "50").await;
    type_into(&c, "#labor-note", "replaced keypad membrane").await;
    click(&c, "#add-labor").await;
    type_into(&c, "#part-number", "KP-2210").await;
    type_into(&c, "#part-desc", "Keypad membrane").await;
    type_into(&c, "#part-qty", "1").await;
    type_into(&c, "#part-cost", "$64.50").await;
    click(&c, "#add-part").await;
    click(&c, "#save-record").await;
    wait_until(&c, "#wo-page .labor-entry", None, |v| v.contains("50")).await;

    click(&c, ".closure[data-code='abuse']").await;
    type_into(
        &c,
        "#findings",
        "Dropped; membrane cracked. Replaced and function-tested.",
    )
    .await;
    sign(&c).await;
    shoot(&c, "work-order").await;
    click(&c, "#complete").await;
    wait_until(&c, "#wo-page", Some("data-status"), |v| v == "completed").await;
    let number = attr(&c, "#wo-page", "data-number").await;

    // Offline: the strip says so and counts what waits.
    click(&c, "#sync-now").await;
    wait_until(&c, "#sync-status", Some("data-online"), |v| v == "false").await;
    let pending: u64 = wait_until(&c, "#pending-count", None, |v| {
        v.trim().parse::<u64>().is_ok_and(|n| n >= 4)
    })
    .await
    .trim()
    .parse()
    .unwrap();
    assert!(pending >= 4);
    let why = wait_until(&c, "#sync-error", None, |v| !v.is_empty()).await;
    assert!(why.to_lowercase().contains("offline"), "{why}");
    shoot(&c, "offline").await;

    // The network returns: the work reaches the server.
    off_runtime(|| server.up());
    click(&c, "#sync-now").await;
    wait_until(&c, "#pending-count", None, |v| v.trim() == "0").await;
    wait_until(&c, "#sync-status", Some("data-online"), |v| v == "true").await;
    let on_server = server
        .backend()
        .read(|txn| txn.rows_of_kind(Kind::WorkOrder))
        .unwrap()
        .into_iter()
        .filter_map(|r| serde_json::from_str::<serde_json::Value>(&r.body).ok())
        .find(|w| w["problem"] == serde_json::json!(problem))
        .unwrap_or_else(|| panic!("{number} is not on the server"));
    assert_eq!(on_server["status"], "completed");
    assert_eq!(on_server["closure"], "abuse");
    let wo_id = on_server["id"].clone();
    let labor = server
        .backend()
        .read(|txn| txn.rows_of_kind(Kind::Labor))
        .unwrap()
        .into_iter()
        .filter_map(|r| serde_json::from_str::<serde_json::Value>(&r.body).ok())
        .filter(|l| l["work_order_id"] == wo_id)
        .count();
    assert_eq!(labor, 1, "the labor reached the server once");
    c.close().await.unwrap();

    // ---- a conflict, made by two tablets editing one asset's status --------
    let conflict_tag = off_runtime(|| make_conflict(&server, dir.path(), &tag));

    // ---- the supervisor ---------------------------------------------------
    let sup_db = dir.path().join("super.sqlite");
    let c = open_tablet(&driver, &sup_db, &url).await;
    sign_in(&c, &url, "demo.super").await;
    el(&c, "#my-day").await;
    click(&c, "#nav-shift").await;
    el(&c, "#shift .person").await;
    shoot(&c, "shift").await;
    click(&c, "#nav-signoff").await;
    el(&c, "#signoff").await;
    shoot(&c, "sign-off").await;
    click(&c, "#nav-team").await;
    el(&c, "#team .team-row").await;
    shoot(&c, "team").await;

    click(&c, "#nav-conflicts").await;
    let row = el(&c, "#conflicts .conflict").await;
    let id = row.attr("data-id").await.unwrap().expect("a conflict id");
    shoot(&c, "conflicts").await;
    type_into(
        &c,
        ".conflict-note",
        "Confirmed on the floor: the pump is here",
    )
    .await;
    click(&c, ".resolve-reverse").await;
    let until = Instant::now() + WAIT;
    loop {
        let conflict_id: uuid::Uuid = id.parse().expect("a conflict id is a uuid");
        let resolved = server
            .backend()
            .read(|txn| txn.conflict(conflict_id))
            .unwrap()
            .is_some_and(|k| k.conflict.resolution.is_some());
        if resolved {
            break;
        }
        assert!(
            Instant::now() < until,
            "conflict {id} on {conflict_tag} was never resolved"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pm_judges_readings_as_they_are_typed_holds_for_parts_and_records_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let server = off_runtime(|| Server::start(dir.path(), &DemoParams::scaled(60, 200)));
    let url = server.url();
    let driver = Driver::start();
    let db = dir.path().join("tech.sqlite");
    let c = open_tablet(&driver, &db, &url).await;
    sign_in(&c, &url, "demo.tech").await;

    // The first PM due in my area, opened with the keyboard only: the row
    // is a button, Enter opens its PM.
    let row = el(&c, "#my-day .pm-row").await;
    row.send_keys(&fantoccini::key::Key::Enter.to_string())
        .await
        .unwrap();
    wait_until(&c, "#wo-page", Some("data-status"), |v| v == "open").await;

    // The unit is in use: the attempt is recorded and the PM stays open.
    type_into(
        &c,
        "#attempt-note",
        "On a patient in bay 4; charge nurse says after 15:00",
    )
    .await;
    click(&c, "#attempt-in-use").await;
    let attempt = wait_until(&c, "#wo-page .attempt", None, |v| !v.is_empty()).await;
    assert!(attempt.contains("bay 4"), "{attempt}");
    assert_eq!(attr(&c, "#wo-page", "data-status").await, "open");

    // Later: the work starts and each reading is judged as it is typed.
    click(&c, "#step-start").await;
    wait_until(&c, "#wo-page", Some("data-status"), |v| v == "in_progress").await;
    // Touch current with the ground intact: at most 100 µA (NFPA 99-2012).
    let touch = ".reading[data-key='touch_intact']";
    let verdict = ".reading-row:has(.reading[data-key='touch_intact']) .verdict";
    type_into(&c, touch, "250").await;
    wait_until(&c, verdict, Some("data-verdict"), |v| v == "fail").await;
    shoot(&c, "pm-checklist").await;
    type_into(&c, touch, "40").await;
    wait_until(&c, verdict, Some("data-verdict"), |v| v == "pass").await;
    click(&c, "#save-record").await;
    wait_until(&c, "#wo-page", None, |v| v.contains("1 taken, 0 failed")).await;

    // A part is missing: hold, then resume when it arrives.
    click(&c, "#step-hold_for_parts").await;
    wait_until(&c, "#wo-page", Some("data-status"), |v| {
        v == "on_hold_parts"
    })
    .await;
    click(&c, "#step-resume").await;
    wait_until(&c, "#wo-page", Some("data-status"), |v| v == "in_progress").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_drills_from_a_kpi_to_its_work_orders_and_writes_the_survey_report() {
    let dir = tempfile::tempdir().unwrap();
    let server = off_runtime(|| Server::start(dir.path(), &DemoParams::scaled(120, 2_000)));
    let url = server.url();
    // The report goes to the user's documents folder, or next to the
    // tablet's database when the desktop names none; either way, here,
    // inside the test's folder.
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let driver = Driver::start_with_env(&[
        ("HOME", home.to_str().unwrap()),
        (
            "XDG_DOCUMENTS_DIR",
            home.join("Documents").to_str().unwrap(),
        ),
    ]);
    let db = dir.path().join("manager.sqlite");
    let c = open_tablet(&driver, &db, &url).await;
    sign_in(&c, &url, "demo.manager").await;
    click(&c, "#nav-dashboards").await;
    el(&c, "#kpi-chart .kpi-bar").await;
    shoot(&c, "dashboard-kpis").await;

    // Failures per unit-year: every bar is a button to the work orders it
    // counts, and each list's total is its figure's own count.
    el(&c, "#kpi-metric")
        .await
        .select_by_value("failures")
        .await
        .unwrap();
    let bars = wait_for_all(&c, "#kpi-chart .kpi-bar[data-metric='failures']").await;
    let mut listed = 0;
    for i in 0..bars.len() {
        let bar = format!("#kpi-chart li:nth-child({}) .kpi-bar", i + 1);
        let key = el(&c, &format!("{bar} .bar-label"))
            .await
            .text()
            .await
            .unwrap();
        click(&c, &bar).await;
        wait_until(&c, "#drill-down h2", None, |v| v.starts_with(&key)).await;
        let total = wait_until(&c, "#drill-down", Some("data-total"), |v| !v.is_empty()).await;
        let expected = attr(&c, "#drill-down", "data-expected").await;
        assert_eq!(
            total, expected,
            "{key}: the list holds what the figure counted"
        );
        let total: usize = total.parse().unwrap();
        let rows = c
            .find_all(fantoccini::Locator::Css("#drill-down .wo-row"))
            .await
            .unwrap();
        assert_eq!(rows.len(), total.min(200), "{key}: one page of the list");
        if total > 0 {
            listed = total;
            break;
        }
    }
    assert!(listed > 0, "some group had failures");
    shoot(&c, "dashboard-drill-down").await;
    let number = attr(&c, "#drill-down .wo-row", "data-number").await;
    click(&c, "#drill-down .wo-row").await;
    wait_until(&c, "#wo-page", Some("data-number"), |v| v == number).await;

    click(&c, "#nav-dashboards").await;
    click(&c, "#tab-scorecard").await;
    // General-purpose infusion pumps, where makers differ most.
    el(&c, "#score-type")
        .await
        .select_by_value("13-215")
        .await
        .unwrap();
    click(&c, "#score-apply").await;
    wait_until(&c, "#scorecard h2", None, |v| v.starts_with("13-215")).await;
    el(&c, "#scorecard-chart .score-bar").await;
    shoot(&c, "dashboard-scorecard").await;
    click(&c, "#tab-capital").await;
    click(&c, "#capital-apply").await;
    el(&c, "#capital-chart .capital-year").await;
    shoot(&c, "dashboard-capital").await;

    // A training event the tablet pulled from the server, with the same
    // measures in equal windows before and after it.
    click(&c, "#tab-training").await;
    let events = wait_for_all(&c, "#training-events .training-event").await;
    assert!(
        !events.is_empty(),
        "the server's training events reached the tablet"
    );
    click(&c, "#training-events .training-event").await;
    el(&c, "#training-effect h2").await;
    let before = wait_for_all(&c, "#training-effect .training-bar[data-window='before']").await;
    let after = wait_for_all(&c, "#training-effect .training-bar[data-window='after']").await;
    assert_eq!(before.len(), after.len());
    assert!(!before.is_empty());
    shoot(&c, "dashboard-training").await;

    // Repair or replace, from the asset page, with the technician's quote:
    // the verdict first, then every rule with whether it fired.
    type_into(&c, "#scan", "BME-000001\n").await;
    wait_until(&c, "#asset-page", Some("data-tag"), |v| v == "BME-000001").await;
    click(&c, "#repair-or-replace").await;
    el(&c, "#rvr-page #rvr-verdict").await;
    type_into(&c, "#repair-estimate", "$1,850.00").await;
    click(&c, "#rvr-apply").await;
    wait_until(&c, "#rvr-verdict", Some("data-verdict"), |v| {
        v == "repair" || v == "replace"
    })
    .await;
    let rules = wait_for_all(&c, "#rvr-page .rvr-rule").await;
    assert_eq!(
        rules.len(),
        6,
        "two rules for the repair, four for the candidate list"
    );
    shoot(&c, "repair-or-replace").await;
    click(&c, "#nav-dashboards").await;

    // The survey report, written where the manager can find it.
    click(&c, "#tab-survey").await;
    click(&c, "#survey-report").await;
    let pdf = wait_until(&c, "#survey-paths .survey-pdf", None, |v| !v.is_empty()).await;
    let html = attr(&c, "#survey-paths .survey-html", "class").await;
    assert!(!html.is_empty());
    let bytes = std::fs::read(pdf.trim()).unwrap_or_else(|e| panic!("{pdf}: {e}"));
    assert!(bytes.starts_with(b"%PDF"), "{pdf} is a PDF");
    assert!(
        Path::new(pdf.trim()).starts_with(dir.path()),
        "{pdf} is in the user's documents or beside the database"
    );
    shoot(&c, "dashboard-survey").await;

    // The hospital's weights: a value out of range is refused beside its
    // field, a good one is saved and reaches the server.
    click(&c, "#nav-settings").await;
    el(&c, "#settings .setting[data-key='capital.cyber_weight']").await;
    type_into(&c, "#setting-pm_window-fraction", "1.5").await;
    type_into(&c, "#setting-capital-cyber_weight", "0.3").await;
    click(&c, "#settings-save").await;
    wait_until(&c, "#settings-error", Some("data-key"), |v| {
        v == "pm_window.fraction"
    })
    .await;
    shoot(&c, "settings-refused").await;
    type_into(&c, "#setting-pm_window-fraction", "0.1").await;
    click(&c, "#settings-save").await;
    el(&c, "#settings-notice").await;
    wait_until(
        &c,
        "#settings .setting[data-key='capital.cyber_weight']",
        Some("data-default"),
        |v| v == "false",
    )
    .await;
    shoot(&c, "settings").await;
    click(&c, "#sync-now").await;
    wait_until(&c, "#pending-count", None, |v| v.trim() == "0").await;
    let stored = server
        .backend()
        .read(|txn| txn.get_row(Kind::HospitalSettings, "analytics"))
        .unwrap()
        .expect("the server holds the hospital's settings");
    let stored: serde_json::Value = serde_json::from_str(&stored.body).unwrap();
    assert_eq!(stored["values"]["capital.cyber_weight"], "0.3");
    c.close().await.unwrap();
}

/// Two tablets set one asset's status differently offline, then sync: the
/// server keeps one by its rule and lists the conflict for supervisors.
fn make_conflict(server: &Server, dir: &Path, tag: &str) -> String {
    let mut a = tablet(server, dir, "demo.tech");
    let mut b = tablet(server, dir, "tech02");
    for (t, user, status) in [
        (&mut a, "demo.tech", AssetStatus::OutOfService),
        (&mut b, "tech02", AssetStatus::Missing),
    ] {
        asset_edit::run(
            &mut t.0,
            &AssetEdit {
                username: user.into(),
                tag: tag.into(),
                status: Some(status),
                ..AssetEdit::default()
            },
        )
        .unwrap();
    }
    b.sync();
    a.sync();
    tag.to_string()
}

struct Tablet(App, biomend_net::HttpTransport);

impl Tablet {
    fn sync(&mut self) {
        sync::sync_now(&mut self.0, &mut self.1, &mut |_| {}).unwrap();
    }
}

fn tablet(server: &Server, dir: &Path, user: &str) -> Tablet {
    let mut app = App::open(&dir.join(format!("cli-{user}.sqlite"))).unwrap();
    sync::login(
        &mut app,
        &LoginInput {
            server_url: server.url(),
            username: user.into(),
            password: PASSWORD.into(),
            device_name: format!("{user} second tablet"),
        },
        |url, req| biomend_net::login(url, req).map_err(TransportError::from),
    )
    .unwrap();
    let login = sync::credentials(&app).unwrap();
    let net = biomend_net::HttpTransport::new(&login.server_url, &login.token).unwrap();
    let mut t = Tablet(app, net);
    t.sync();
    t
}
