//! `biomend-bench-analytics`: every managers' report (the dashboard
//! queries of `biomend_core::analytics`) timed on the 100k-asset,
//! 1M-work-order hospital, against a 200 ms target each.
//!
//! It opens the database through the app, so schema migrations run: point
//! it at a copy of the benchmark database (the default), not the shared
//! file other benchmarks are timing.

#![allow(clippy::print_stdout)]

use anyhow::{Context, Result};
use biomend_analytics::kpi::GroupBy;
use biomend_core::App;
use biomend_core::analytics as reports;
use biomend_core::env::{FixedClock, IdGen};
use biomend_domain::Money;
use biomend_store::Store;
use chrono::NaiveDate;
use clap::Parser;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// The hospital database (a copy: opening it migrates it)
    #[arg(
        long,
        default_value = "/work/target-analytics/hospital-analytics.sqlite"
    )]
    db: PathBuf,
    /// The hospital's "today" (the generator's as-of date)
    #[arg(long, default_value = "2026-03-16")]
    today: NaiveDate,
    /// Timed runs per report, after one warm-up run
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Write the figures as JSON here
    #[arg(long)]
    json: Option<PathBuf>,
}

const TARGET_MS: f64 = 200.0;
const MANAGER: &str = "demo.manager";

struct Row {
    name: String,
    runs: Vec<f64>,
}

impl Row {
    fn p50(&self) -> f64 {
        let mut v = self.runs.clone();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }
    fn max(&self) -> f64 {
        self.runs.iter().copied().fold(0.0, f64::max)
    }
}

fn time<T>(name: &str, runs: usize, mut f: impl FnMut() -> Result<T>) -> Result<Row> {
    f().with_context(|| format!("warm-up of {name}"))?;
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f()?);
        v.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let row = Row {
        name: name.to_string(),
        runs: v,
    };
    println!(
        "{:<58} p50 {:>9.1} ms  max {:>9.1} ms  {}",
        row.name,
        row.p50(),
        row.max(),
        if row.p50() < TARGET_MS {
            "pass"
        } else {
            "MISS"
        }
    );
    Ok(row)
}

fn main() -> Result<()> {
    let a = Args::parse();
    let clock = Arc::new(FixedClock::new(
        a.today.and_hms_opt(12, 0, 0).context("time")?.and_utc(),
    ));
    let t = Instant::now();
    let store = Store::open(&a.db).with_context(|| format!("open {}", a.db.display()))?;
    println!(
        "opened (and migrated if needed) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let app = App::new(store, clock, IdGen::seeded(1));
    let year = reports::period(&app, None, None)?;
    let quarter = reports::period(&app, Some(year.to - chrono::Duration::days(91)), None)?;
    let r = app.store().reader();
    // A busy device: the first replacement candidate is looked up once,
    // outside the timings.
    let candidate = reports::candidates(&app, MANAGER, year)?
        .candidates
        .first()
        .map(|c| c.tag.clone())
        .context("the hospital has replacement candidates")?;
    let event = reports::training_events(&app, MANAGER)?
        .first()
        .map(|e| e.event.id)
        .context("training event")?;

    let n = a.runs;
    let settings = biomend_analytics::Settings::default();
    let mut rows = vec![
        // As the reports get them: the inventory rows kept by the store,
        // the work summed from the rollup on every call...
        time("Facts only (Store::asset_facts, last 365 days)", n, || {
            Ok(app.store().asset_facts(year, &settings)?)
        })?,
        time("Facts only (Store::asset_facts, last 91 days)", n, || {
            Ok(app.store().asset_facts(quarter, &settings)?)
        })?,
        // ...and with the inventory read from the database each time.
        time(
            "Facts only (Reader::asset_facts, last 365 days, inventory read)",
            n,
            || Ok(r.asset_facts(year, &settings)?),
        )?,
        // Read from the database every time, and as the reports get it:
        // kept by the store until the database changes.
        time("Catalog only (Reader::analytics_catalog, read)", n, || {
            Ok(r.analytics_catalog()?)
        })?,
        time("Catalog only (Store::analytics_catalog, cached)", n, || {
            Ok(app.store().analytics_catalog()?)
        })?,
    ];
    for (by, name) in [
        (GroupBy::Department, "department"),
        (GroupBy::DeviceType, "device type"),
        (GroupBy::Manufacturer, "manufacturer"),
    ] {
        rows.push(time(&format!("KPIs by {name}, last 365 days"), n, || {
            Ok(reports::kpi(&app, MANAGER, by, year)?)
        })?);
    }
    rows.push(time("KPIs by department, last 91 days", n, || {
        Ok(reports::kpi(&app, MANAGER, GroupBy::Department, quarter)?)
    })?);
    rows.push(time(
        "Scorecard 13-215 by manufacturer, last 365 days",
        n,
        || {
            Ok(reports::scorecard(
                &app,
                MANAGER,
                "13-215",
                GroupBy::Manufacturer,
                year,
            )?)
        },
    )?);
    rows.push(time(
        &format!("Repair vs replace {candidate}, estimate $1,200"),
        n,
        || {
            Ok(reports::repair_or_replace(
                &app,
                MANAGER,
                &candidate,
                Some(Money(120_000)),
                year,
            )?)
        },
    )?);
    rows.push(time("Replacement candidates, last 365 days", n, || {
        Ok(reports::candidates(&app, MANAGER, year)?)
    })?);
    rows.push(time("Capital plan, $500,000 × 3 years", n, || {
        Ok(reports::capital(&app, MANAGER, Money(50_000_000), 3, year)?)
    })?);
    rows.push(time(
        "Training effect (newest event, 2 × 183 days)",
        n,
        || Ok(reports::training(&app, MANAGER, event)?),
    )?);

    if let Some(path) = a.json {
        let v = json!({
            "database": a.db,
            "today": a.today,
            "target_ms": TARGET_MS,
            "results": rows.iter().map(|r| json!({
                "name": r.name,
                "runs_ms": r.runs,
                "p50_ms": r.p50(),
                "max_ms": r.max(),
                "pass": r.p50() < TARGET_MS,
            })).collect::<Vec<_>>(),
        });
        std::fs::write(&path, serde_json::to_string_pretty(&v)?)
            .with_context(|| format!("write {}", path.display()))?;
    }
    Ok(())
}
