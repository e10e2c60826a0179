//! The shared fixture of the core's tests: a small generated hospital in a
//! real database file, made once and copied per test, with a fixed clock and
//! seeded ids.

#![allow(dead_code)] // each test binary uses its own part of the fixture

use biomend_core::App;
use biomend_core::env::{FixedClock, IdGen};
use biomend_domain::asset::AssetStatus;
use biomend_store::Store;
use chrono::{TimeZone, Utc};
use std::sync::{Arc, OnceLock};

/// The demo database is generated once and copied per test.
fn template() -> &'static std::path::PathBuf {
    static T: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
    &T.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("template.sqlite");
        let params = biomend_demo::DemoParams::scaled(400, 4_000);
        let clock = Arc::new(FixedClock::new(
            params.as_of.and_hms_opt(14, 0, 0).expect("time").and_utc(),
        ));
        let mut app = App::new(Store::open(&path).expect("open"), clock, IdGen::seeded(7));
        biomend_core::demo::create(&mut app, &params, |_| {}).expect("demo");
        drop(app);
        // Fold the WAL into the main file so a plain copy is complete.
        let c = Store::open(&path).expect("reopen");
        c.optimize().expect("optimize");
        drop(c);
        (dir, path)
    })
    .1
}

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub app: App,
    pub clock: Arc<FixedClock>,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("biomend.sqlite");
    let src = template();
    std::fs::copy(src, &path).expect("copy db");
    for suffix in ["-wal", "-shm"] {
        let s = std::path::PathBuf::from(format!("{}{suffix}", src.display()));
        if s.exists() {
            std::fs::copy(&s, format!("{}{suffix}", path.display())).expect("copy wal");
        }
    }
    let as_of = biomend_demo::DemoParams::scaled(400, 4_000).as_of;
    let clock = Arc::new(FixedClock::new(
        Utc.from_utc_datetime(&as_of.and_hms_opt(15, 0, 0).expect("time")),
    ));
    let app = App::new(
        Store::open(&path).expect("open"),
        clock.clone(),
        IdGen::seeded(42),
    );
    Fixture {
        _dir: dir,
        app,
        clock,
    }
}

pub const TECH: &str = "demo.tech";
pub const SUPER: &str = "demo.super";

/// An in-service asset at the technician's site with no open work.
pub fn some_asset(app: &App) -> String {
    let hits = biomend_core::search::run(
        app,
        &biomend_core::search::SearchInput {
            text: "BME".into(),
            limit: 200,
        },
    )
    .expect("search");
    let tech = app.user(TECH).expect("tech");
    for h in hits {
        if h.status != AssetStatus::InService {
            continue;
        }
        let page = biomend_core::asset_page::run(app, &h.tag).expect("page");
        if tech.sites.contains(&page.detail.site.id) && page.open_work.is_empty() {
            return h.tag;
        }
    }
    panic!("no in-service asset at the technician's site");
}

/// A PM due in the technician's area within 60 days that has no open work
/// order yet.
pub fn due_pm_without_work(app: &App) -> biomend_core::my_day::PmItem {
    let day = biomend_core::my_day::run(
        app,
        &biomend_core::my_day::MyDayInput {
            username: TECH.into(),
            horizon_days: 60,
            max_pms: 500,
        },
    )
    .expect("my day");
    day.pms_due
        .into_iter()
        .find(|p| p.due.open_work_order.is_none())
        .expect("a due PM without open work")
}
