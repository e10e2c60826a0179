//! CSV export of assets and work orders.
//!
//! Asset exports use the import's own header names and value forms (ISO
//! dates, plain `12500.00` amounts, stable status codes), so an exported
//! file re-imports unchanged: that is how a hospital moves inventory between
//! Biomend instances or edits it in bulk in a spreadsheet.
//!
//! Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` at the
//! start) is written with a leading apostrophe, the usual defence against
//! CSV formula injection; the importer removes it again.

use crate::Field;
use biomend_domain::Money;
use biomend_domain::asset::{AssetStatus, Ownership};
use biomend_domain::risk::{EmScore, RiskClass};
use biomend_domain::work_order::{ClosureCode, Priority, WorkOrderKind, WorkOrderStatus};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::Write;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write CSV: {0}")]
    Io(#[from] std::io::Error),
}

/// One asset as exported, flattened to names and values; the app core
/// fills it from the store.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AssetExportRow {
    pub tag: String,
    pub serial: Option<String>,
    pub manufacturer: String,
    pub model: String,
    pub device_type_code: Option<String>,
    pub device_type: Option<String>,
    pub site: Option<String>,
    pub department: String,
    pub building: Option<String>,
    pub floor: Option<String>,
    pub room: Option<String>,
    pub ownership: Option<Ownership>,
    pub status: Option<AssetStatus>,
    pub acquired_on: Option<NaiveDate>,
    pub acquisition_cost: Option<Money>,
    pub warranty_end: Option<NaiveDate>,
    pub expected_life_years: Option<u16>,
    /// Written as the EM number and its three parts.
    pub risk: Option<EmScore>,
    pub risk_class: Option<RiskClass>,
    pub life_support: Option<bool>,
    pub parent_tag: Option<String>,
    /// Service contract name or number; export only.
    pub contract: Option<String>,
    pub hostname: Option<String>,
    pub ip: Option<String>,
    pub mac: Option<String>,
    pub vlan: Option<u16>,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    pub firmware: Option<String>,
    pub notes: Option<String>,
}

/// One work order as exported for reports and other systems.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkOrderExportRow {
    pub number: String,
    pub asset_tag: String,
    pub department: Option<String>,
    pub kind: WorkOrderKind,
    pub status: WorkOrderStatus,
    pub priority: Priority,
    pub opened_at: DateTime<Utc>,
    pub reported_by: Option<String>,
    pub assigned_to: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub closure_code: Option<ClosureCode>,
    pub labor_minutes: u64,
    pub parts_cost: Money,
    pub vendor_cost: Money,
    pub downtime_hours: Option<f64>,
    pub problem: String,
    pub findings: String,
    pub signed_off_by: Option<String>,
    pub signed_off_at: Option<DateTime<Utc>>,
}

/// The asset export's columns, in order. Headers of importable columns are
/// the fields' own export headers, so the file re-imports without mapping.
const ASSET_HEADERS: &[&str] = &[
    "Asset Tag",
    "Serial #",
    "Manufacturer",
    "Model",
    "Device Type Code",
    "Device Type",
    "Site",
    "Department",
    "Building",
    "Floor",
    "Room",
    "Ownership",
    "Status",
    "Acquisition Date",
    "Acquisition Cost",
    "Warranty End",
    "Expected Life Years",
    "EM Number",
    "Risk Function",
    "Risk Physical",
    "Risk Maintenance",
    "Risk Class",
    "Life Support",
    "Parent Tag",
    "Contract",
    "Hostname",
    "IP Address",
    "MAC Address",
    "VLAN",
    "OS Name",
    "OS Version",
    "Firmware",
    "Notes",
];

const WORK_ORDER_HEADERS: &[&str] = &[
    "WO Number",
    "Asset Tag",
    "Department",
    "Kind",
    "Status",
    "Priority",
    "Opened At",
    "Reported By",
    "Assigned To",
    "Due On",
    "Started At",
    "Completed At",
    "Closure Code",
    "Labor Minutes",
    "Parts Cost",
    "Vendor Cost",
    "Downtime Hours",
    "Problem",
    "Findings",
    "Signed Off By",
    "Signed Off At",
];

/// Formats money as a plain decimal (`12500.00`, `-5.25`): spreadsheets
/// read it as a number, unlike `$12,500.00`.
pub(crate) fn plain_money(m: Money, out: &mut String) {
    let sign = if m.0 < 0 { "-" } else { "" };
    let abs = m.0.unsigned_abs();
    let _ = write!(out, "{sign}{}.{:02}", abs / 100, abs % 100);
}

/// Writes fields of one record, reusing one buffer for formatting.
struct RecordWriter<W: Write> {
    csv: csv::Writer<W>,
    buf: String,
}

impl<W: Write> RecordWriter<W> {
    fn text(&mut self, s: &str) -> Result<(), csv::Error> {
        if s.starts_with(['=', '+', '-', '@']) {
            self.buf.clear();
            self.buf.push('\'');
            self.buf.push_str(s);
            self.csv.write_field(self.buf.as_bytes())
        } else {
            self.csv.write_field(s)
        }
    }

    fn opt_text(&mut self, s: Option<&str>) -> Result<(), csv::Error> {
        self.text(s.unwrap_or(""))
    }

    fn raw(&mut self, s: &str) -> Result<(), csv::Error> {
        self.csv.write_field(s)
    }

    fn display(&mut self, v: Option<impl std::fmt::Display>) -> Result<(), csv::Error> {
        self.buf.clear();
        if let Some(v) = v {
            let _ = write!(self.buf, "{v}");
        }
        self.csv.write_field(self.buf.as_bytes())
    }

    fn date(&mut self, d: Option<NaiveDate>) -> Result<(), csv::Error> {
        self.display(d.map(|d| d.format("%Y-%m-%d")))
    }

    fn timestamp(&mut self, t: Option<DateTime<Utc>>) -> Result<(), csv::Error> {
        match t {
            Some(t) => {
                let s = t.to_rfc3339_opts(SecondsFormat::Secs, true);
                self.csv.write_field(s)
            }
            None => self.csv.write_field(""),
        }
    }

    fn money(&mut self, m: Option<Money>) -> Result<(), csv::Error> {
        self.buf.clear();
        if let Some(m) = m {
            plain_money(m, &mut self.buf);
        }
        self.csv.write_field(self.buf.as_bytes())
    }

    fn flag(&mut self, b: Option<bool>) -> Result<(), csv::Error> {
        self.raw(match b {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        })
    }

    fn end(&mut self) -> Result<(), csv::Error> {
        self.csv.write_record(None::<&[u8]>)
    }
}

fn writer<W: Write>(w: W, headers: &[&str]) -> Result<RecordWriter<W>, ExportError> {
    // CRLF, as RFC 4180 and Excel expect; the importer reads either.
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(w);
    csv.write_record(headers)?;
    Ok(RecordWriter {
        csv,
        buf: String::with_capacity(64),
    })
}

/// Writes assets as CSV; returns the number of rows written.
pub fn write_assets_csv<W: Write>(
    w: W,
    rows: impl IntoIterator<Item = AssetExportRow>,
) -> Result<u64, ExportError> {
    debug_assert!(
        [
            Field::Tag,
            Field::Serial,
            Field::AcquiredOn,
            Field::EmNumber,
            Field::Notes
        ]
        .iter()
        .all(|f| ASSET_HEADERS.contains(&f.export_header()))
    );
    let mut out = writer(w, ASSET_HEADERS)?;
    let mut n = 0;
    for r in rows {
        out.text(&r.tag)?;
        out.opt_text(r.serial.as_deref())?;
        out.text(&r.manufacturer)?;
        out.text(&r.model)?;
        out.opt_text(r.device_type_code.as_deref())?;
        out.opt_text(r.device_type.as_deref())?;
        out.opt_text(r.site.as_deref())?;
        out.text(&r.department)?;
        out.opt_text(r.building.as_deref())?;
        out.opt_text(r.floor.as_deref())?;
        out.opt_text(r.room.as_deref())?;
        out.raw(r.ownership.map_or("", |o| o.as_str()))?;
        out.raw(r.status.map_or("", |s| s.as_str()))?;
        out.date(r.acquired_on)?;
        out.money(r.acquisition_cost)?;
        out.date(r.warranty_end)?;
        out.display(r.expected_life_years)?;
        out.display(r.risk.map(|s| s.em_number()))?;
        out.display(r.risk.map(|s| s.function))?;
        out.display(r.risk.map(|s| s.physical_risk))?;
        out.display(r.risk.map(|s| s.maintenance))?;
        out.raw(r.risk_class.map_or("", |c| c.as_str()))?;
        out.flag(r.life_support)?;
        out.opt_text(r.parent_tag.as_deref())?;
        out.opt_text(r.contract.as_deref())?;
        out.opt_text(r.hostname.as_deref())?;
        out.opt_text(r.ip.as_deref())?;
        out.opt_text(r.mac.as_deref())?;
        out.display(r.vlan)?;
        out.opt_text(r.os_name.as_deref())?;
        out.opt_text(r.os_version.as_deref())?;
        out.opt_text(r.firmware.as_deref())?;
        out.opt_text(r.notes.as_deref())?;
        out.end()?;
        n += 1;
    }
    out.csv.flush()?;
    Ok(n)
}

/// Writes work orders as CSV; returns the number of rows written.
/// Timestamps are RFC 3339 in UTC (`2024-03-05T14:03:00Z`).
pub fn write_work_orders_csv<W: Write>(
    w: W,
    rows: impl IntoIterator<Item = WorkOrderExportRow>,
) -> Result<u64, ExportError> {
    let mut out = writer(w, WORK_ORDER_HEADERS)?;
    let mut n = 0;
    for r in rows {
        out.text(&r.number)?;
        out.text(&r.asset_tag)?;
        out.opt_text(r.department.as_deref())?;
        out.raw(r.kind.as_str())?;
        out.raw(r.status.as_str())?;
        out.raw(r.priority.as_str())?;
        out.timestamp(Some(r.opened_at))?;
        out.opt_text(r.reported_by.as_deref())?;
        out.opt_text(r.assigned_to.as_deref())?;
        out.date(r.due_on)?;
        out.timestamp(r.started_at)?;
        out.timestamp(r.completed_at)?;
        out.display(r.closure_code)?;
        out.display(Some(r.labor_minutes))?;
        out.money(Some(r.parts_cost))?;
        out.money(Some(r.vendor_cost))?;
        out.display(r.downtime_hours.map(|h| format!("{h:.2}")))?;
        out.text(&r.problem)?;
        out.text(&r.findings)?;
        out.opt_text(r.signed_off_by.as_deref())?;
        out.timestamp(r.signed_off_at)?;
        out.end()?;
        n += 1;
    }
    out.csv.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_plain() {
        let mut s = String::new();
        plain_money(Money(1_250_000), &mut s);
        assert_eq!(s, "12500.00");
        s.clear();
        plain_money(Money(-525), &mut s);
        assert_eq!(s, "-5.25");
        s.clear();
        plain_money(Money(7), &mut s);
        assert_eq!(s, "0.07");
    }

    #[test]
    fn headers_of_importable_columns_are_aliases() {
        for h in ASSET_HEADERS {
            if matches!(*h, "Risk Class" | "Contract") {
                assert!(crate::field_for_header(h).is_none(), "{h}");
            } else {
                let f = crate::field_for_header(h).map(|x| x.0);
                assert_eq!(f.map(|f| f.export_header()), Some(*h), "{h}");
            }
        }
    }
}
