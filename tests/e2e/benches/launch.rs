//! How soon the desktop app is usable after launch, on the demo hospital
//! (`assets/demo-hospital.json`: about 3,000 assets and 60,000 work orders).
//!
//! A technician's tablet is set up once (the first sign-in enrols it and
//! pulls the site's data), then the app is launched again and again, the
//! way a technician opens it at the start of a round, signed in with
//! `--user` as `./scripts/demo` does: with the server reachable and with
//! the server down. Each launch is timed from the WebDriver request that
//! starts the process to "My day" showing its rows with the scan box ready,
//! so the figure includes starting the process, the webview, the wasm
//! window and the first commands; it also includes WebKitWebDriver's own
//! start, so it is an upper bound on what a user waits.
//!
//! Run: `xvfb-run -a -s "-screen 0 1280x800x24" cargo bench -p biomend-e2e`
//! after `cargo build -p biomend-app` (figures in docs/benchmarks-desktop.md).

#[path = "../tests/common/mod.rs"]
mod common;

use biomend_demo::DemoParams;
use common::*;
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

const LAUNCHES: usize = 7;

/// Milliseconds from asking for the app to "My day" with its rows, and how
/// much of that the webview spent (its `performance.now()` at that moment).
async fn launch(driver: &Driver, args: &[String]) -> (f64, f64, Client) {
    let start = Instant::now();
    let c = open_app(driver, args).await;
    let until = Instant::now() + WAIT;
    loop {
        let rows = c.find(Locator::Css("#my-day .pm-row")).await.is_ok();
        if rows && c.find(Locator::Css("#scan")).await.is_ok() {
            break;
        }
        assert!(Instant::now() < until, "My day never showed its rows");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let total = start.elapsed().as_secs_f64() * 1000.0;
    let page = c
        .execute("return performance.now();", vec![])
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN);
    (total, page, c)
}

fn summary(label: &str, mut total: Vec<f64>, mut page: Vec<f64>) {
    total.sort_by(f64::total_cmp);
    page.sort_by(f64::total_cmp);
    println!(
        "{label:<34} launch→My day: median {:>6.0} ms  min {:>6.0}  max {:>6.0}   in the webview: median {:>5.0} ms   ({} launches)",
        total[total.len() / 2],
        total[0],
        total[total.len() - 1],
        page[page.len() / 2],
        total.len()
    );
}

async fn series(driver: &Driver, args: &[String]) -> (Vec<f64>, Vec<f64>) {
    let (mut total, mut page) = (Vec::new(), Vec::new());
    for _ in 0..LAUNCHES {
        let (t, p, c) = launch(driver, args).await;
        total.push(t);
        page.push(p);
        c.close().await.expect("close the app");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    (total, page)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let built = Instant::now();
    let params = DemoParams::small();
    let mut server = Server::start(dir.path(), &params);
    println!(
        "demo hospital: {} assets, {} work orders, on a loopback server in {:.1} s",
        params.assets,
        params.work_orders,
        built.elapsed().as_secs_f64()
    );
    let driver = Driver::start_with_env(&[("BIOMEND_PASSWORD", PASSWORD)]);
    let tablet = dir.path().join("tablet.sqlite");
    let args: Vec<String> = vec![
        "--db".into(),
        tablet.display().to_string(),
        "--server".into(),
        server.url(),
        "--user".into(),
        "demo.tech".into(),
    ];
    runtime.block_on(async {
        let (first, page, c) = launch(&driver, &args).await;
        println!(
            "{:<34} launch→My day: {first:>6.0} ms (enrol, pull the site, sign in)   in the webview: {page:>5.0} ms",
            "first launch on a new tablet"
        );
        c.close().await.expect("close the app");

        let (total, page) = series(&driver, &args).await;
        summary("later launches, server reachable", total, page);

        server.down();
        let (total, page) = series(&driver, &args).await;
        summary("later launches, server down", total, page);
    });
}
