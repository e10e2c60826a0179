//! Text and JSON output. JSON goes to standard output as one document;
//! errors in JSON mode are `{"error": {"code", "message"}}`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use biomend_core::CoreError;
use biomend_core::asset_page::AssetPage;
use biomend_core::import::ImportOutcome;
use biomend_core::my_day::MyDay;
use biomend_domain::checklist::Reading;
use biomend_domain::dataset::WorkOrderBundle;
use biomend_domain::work_order::WorkOrder;
use biomend_store::{AssetSummary, WorkOrderSummary};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;

pub struct Out {
    json: bool,
}

impl Out {
    pub fn new(json: bool) -> Self {
        Out { json }
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    pub fn show<T: Serialize>(&self, v: &T, text: impl FnOnce() -> String) {
        let body = if self.json {
            match serde_json::to_string_pretty(v) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: cannot encode output: {e}");
                    return;
                }
            }
        } else {
            text()
        };
        // A reader that stopped early (`biomend ... | head`) is not an
        // error worth a panic; the data is already saved.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{body}").and_then(|_| out.flush());
    }

    pub fn error(&self, e: &anyhow::Error) {
        let code = e.downcast_ref::<CoreError>().map_or("error", |c| c.code());
        let message = format!("{e:#}");
        if self.json {
            println!(
                "{}",
                serde_json::json!({ "error": { "code": code, "message": message } })
            );
        } else {
            eprintln!("error: {message}");
        }
    }

    /// A progress bar on standard error; hidden in JSON mode and when
    /// standard error is not a terminal.
    pub fn progress(&self, len: u64, unit: &str) -> ProgressBar {
        if self.json {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{msg:20}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    }

    pub fn spinner(&self, msg: &str) -> ProgressBar {
        if self.json {
            return ProgressBar::hidden();
        }
        let s = ProgressBar::new_spinner();
        s.set_message(msg.to_string());
        s.enable_steady_tick(std::time::Duration::from_millis(120));
        s
    }
}

pub fn asset_list(rows: &[AssetSummary]) -> String {
    if rows.is_empty() {
        return "no matching assets".into();
    }
    let mut s = String::new();
    for a in rows {
        let _ = writeln!(
            s,
            "{:<12} {:<14} {:<18} {:<22} {:<24} {}",
            a.tag,
            a.status.as_str(),
            trunc(&a.manufacturer, 18),
            trunc(&a.model, 22),
            trunc(&a.department, 24),
            a.location.as_deref().unwrap_or("")
        );
    }
    s.trim_end().to_string()
}

fn trunc(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

pub fn work_order_line(w: &WorkOrder) -> String {
    format!(
        "{} {} {} [{}] {}",
        w.number, w.kind, w.status, w.priority, w.problem
    )
}

pub fn work_order_list(rows: &[WorkOrderSummary]) -> String {
    if rows.is_empty() {
        return "none".into();
    }
    rows.iter()
        .map(|w| {
            format!(
                "{:<13} {:<12} {:<11} {:<15} {:<10} {}",
                w.number,
                w.asset_tag,
                w.kind.as_str(),
                w.status.as_str(),
                w.due_on
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| w.opened_at.date_naive().to_string()),
                trunc(&w.problem, 60)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn asset_page(p: &AssetPage) -> String {
    let d = &p.detail;
    let a = &d.asset;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}  {} {}  ({} {})",
        a.tag, d.manufacturer, d.model.name, d.device_type.code, d.device_type.name
    );
    let _ = writeln!(s, "  serial      {}", a.serial.as_deref().unwrap_or("-"));
    let _ = writeln!(s, "  status      {}   ownership {}", a.status, a.ownership);
    let loc = match (&d.building, &d.location) {
        (Some(b), Some(l)) => format!("{} · {}", b.name, l.label()),
        _ => "-".into(),
    };
    let _ = writeln!(
        s,
        "  where       {} · {} · {}",
        d.site.name, d.department.name, loc
    );
    let _ = writeln!(s, "  risk        EM {} ({})", p.em_number, p.risk_class);
    let age = p
        .age_years
        .map(|y| format!("{y:.1} of {} years", p.expected_life_years))
        .unwrap_or_else(|| "unknown".into());
    let _ = writeln!(
        s,
        "  age         {age}{}",
        if p.past_end_of_support {
            "  PAST END OF SUPPORT"
        } else {
            ""
        }
    );
    if let Some(c) = &d.contract {
        let _ = writeln!(
            s,
            "  contract    {} {} ({}), until {}",
            c.vendor, c.contract.number, c.contract.coverage, c.contract.ends_on
        );
    }
    if let Some(n) = &d.network {
        let _ = writeln!(
            s,
            "  network     {} {} · {} · fw {}{}",
            n.hostname.as_deref().unwrap_or("-"),
            n.ip_address.as_deref().unwrap_or("-"),
            n.os_label().unwrap_or_else(|| "-".into()),
            n.firmware_version.as_deref().unwrap_or("-"),
            if p.unsupported_os {
                "  UNSUPPORTED OS"
            } else {
                ""
            }
        );
    }
    for v in &d.pm {
        let _ = writeln!(
            s,
            "  PM          {} every {} months, next due {}",
            v.plan.name, v.plan.interval_months, v.schedule.next_due
        );
    }
    let _ = writeln!(s, "open work ({}):", p.open_work.len());
    if !p.open_work.is_empty() {
        let _ = writeln!(s, "{}", work_order_list(&p.open_work));
    }
    let _ = writeln!(s, "history ({} shown):", p.history.len());
    let _ = write!(s, "{}", work_order_list(&p.history));
    s
}

pub fn my_day(d: &MyDay) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "my day, {}", d.today);
    let _ = writeln!(s, "assigned to me ({}):", d.assigned.len());
    let _ = writeln!(s, "{}", work_order_list(&d.assigned));
    let _ = writeln!(s, "PMs due in my area ({}):", d.pms_due.len());
    for p in &d.pms_due {
        let _ = writeln!(
            s,
            "{:<12} {:<10} {}{:<28} {}",
            p.due.asset.tag,
            p.due.next_due,
            if p.overdue { "OVERDUE " } else { "" },
            trunc(&p.due.plan_name, 28),
            p.due
                .open_work_order
                .as_ref()
                .map(|(_, n)| n.as_str())
                .unwrap_or("")
        );
    }
    s.trim_end().to_string()
}

pub fn readings(rs: &[Reading]) -> String {
    if rs.is_empty() {
        return "recorded".into();
    }
    rs.iter()
        .map(|r| {
            format!(
                "{:<24} {:>10} {:<4} {:<6} {}",
                r.item_key,
                r.value.map(|v| v.to_string()).unwrap_or_default(),
                r.unit.as_deref().unwrap_or(""),
                r.verdict.as_str().to_uppercase(),
                r.limit
                    .map(|l| l.describe(r.unit.as_deref().unwrap_or("")))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn work_order_bundle(b: &WorkOrderBundle) -> String {
    let w = &b.work_order;
    let mut s = work_order_line(w);
    if let Some(c) = w.closure {
        let _ = write!(s, "\n  closure   {} — {}", c.code(), c.label());
    }
    if !w.findings.is_empty() {
        let _ = write!(s, "\n  findings  {}", w.findings);
    }
    let minutes: u32 = b.labor.iter().map(|l| l.minutes).sum();
    let _ = write!(
        s,
        "\n  labor     {} entries, {} min",
        b.labor.len(),
        minutes
    );
    for p in &b.parts {
        let _ = write!(
            s,
            "\n  part      {} × {} {} ({})",
            p.quantity, p.part_number, p.description, p.unit_cost
        );
    }
    if !b.readings.is_empty() {
        let _ = write!(s, "\n{}", readings(&b.readings));
    }
    for a in &b.attempts {
        let _ = write!(
            s,
            "\n  attempt   {} {} {}",
            a.attempted_at.date_naive(),
            a.outcome,
            a.note
        );
    }
    if let Some(sig) = &b.signature {
        let _ = write!(s, "\n  signed    {} at {}", sig.signer_name, sig.signed_at);
    }
    s
}

pub fn import_outcome(o: &ImportOutcome, only_good: bool) -> String {
    let mut s = String::new();
    for p in &o.problems {
        let _ = writeln!(s, "{}: {p}", o.file);
    }
    for n in &o.notes {
        let _ = writeln!(s, "note: {n}");
    }
    for c in &o.changes {
        let _ = writeln!(
            s,
            "row {}: {} updated: {}",
            c.line,
            c.tag,
            c.fields.join(", ")
        );
    }
    if o.committed {
        let _ = write!(
            s,
            "imported {} of {} rows from {}: {} created, {} updated, {} unchanged",
            o.imported, o.rows_read, o.file, o.created, o.updated, o.unchanged
        );
        if only_good && !o.problems.is_empty() {
            let _ = write!(s, "; {} problem(s) skipped", o.problems.len());
        }
    } else {
        let _ = write!(
            s,
            "nothing imported: {} problem(s) in {} rows; fix them, or pass --only-good-rows to import the rest",
            o.problems.len(),
            o.rows_read
        );
    }
    s
}
