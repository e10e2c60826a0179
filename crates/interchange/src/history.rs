//! Reading past work orders from an old CMMS's export: one row per work
//! order, checked cell by cell into [`HistoryRow`]s and a report of every
//! problem, the way the inventory import reads assets.
//!
//! Rules a row must pass (each failure is a [`Problem`] naming the row,
//! the column as the file writes it, the value and the reason):
//!
//! - a tag (normalised like the inventory's) and an opening date;
//! - a kind, read through [`parse_history_kind`], unless
//!   [`HistoryOptions::default_kind`] fills blank cells;
//! - dates that exist (US/ISO/day-first slash dates, Excel serials and
//!   date cells, an optional time of day); completion not before opening,
//!   downtime end not before its start;
//! - the old system's number at most once in the file;
//! - labor from a minutes column or, when that is blank, an hours column
//!   (`1.5`, `1:30`), 0 to [`MAX_HISTORY_LABOR_MINUTES`]; parts and vendor
//!   cost 0 to [`MAX_HISTORY_COST`]; downtime hours 0 to
//!   [`MAX_DOWNTIME_HOURS`];
//! - a closure code that the [`ClosureMap`] or Biomend's own codes know and
//!   that fits the row's kind; a completed row without one takes the map's
//!   default for its kind or is a problem;
//! - no more fields than the header, no cell over
//!   [`HistoryOptions::max_cell_bytes`].
//!
//! Status: a row with a completion date is completed; without one it is
//! open work, imported as open (or a problem when
//! [`HistoryOptions::allow_open`] is off). A "Status" column, when the
//! file has one, must agree with the dates; a cancelled status, or an old
//! code mapped to [`ClosureTarget::Cancelled`], imports the row as
//! cancelled work that no measure counts.

use crate::ImportError;
use crate::csv_reader::{RowSink, read_rows};
use crate::history_codes::{
    ClosureMap, ClosureTarget, HistoryStatus, LocalStamp, all_codes, closure_fits, closure_key,
    codes_for_kind, parse_history_kind, parse_history_status, parse_stamp,
};
use crate::history_fields::{HistoryField, HistoryLayout, HistoryMapping};
use crate::report::Problem;
use crate::row::{RowCells, is_placeholder, shorten, unguard};
use crate::values::{Cell, DateOrder, excel_serial_date, format_number};
use biomend_domain::Money;
use biomend_domain::asset::normalize_tag;
use biomend_domain::work_order::{ClosureCode, WorkOrderKind};
use chrono::{NaiveDate, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Most labor one imported work order may carry: 200 hours. More is far
/// more likely a unit mistake (minutes in an hours column) than real work.
pub const MAX_HISTORY_LABOR_MINUTES: u32 = 200 * 60;

/// Most parts or vendor cost one imported work order may carry:
/// $1,000,000.00. Above it the value is almost surely a wrong column (an
/// acquisition cost) or a typo.
pub const MAX_HISTORY_COST: Money = Money(100_000_000);

/// Longest downtime one work order may record as hours: a leap year.
pub const MAX_DOWNTIME_HOURS: u32 = 366 * 24;

/// How to read a work-history file. `Default` suits a typical US CMMS
/// export with the standard closure defaults (see [`ClosureMap`]).
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryOptions {
    /// Explicit header → field mapping; overrides aliases.
    pub mapping: Option<HistoryMapping>,
    /// Order of ambiguous slash dates; ISO dates are always accepted.
    pub date_order: DateOrder,
    /// More data rows than this fails the import (default 1,000,000, about
    /// ten years of a large hospital's work).
    pub max_rows: u64,
    /// Longest cell accepted, in bytes (default 8,192: problem and findings
    /// texts run longer than inventory cells); longer cells are row problems.
    pub max_cell_bytes: usize,
    /// Worksheet to read from a workbook (case-insensitive); the first
    /// sheet when `None`.
    pub sheet: Option<String>,
    /// CSV field separator; detected when `None`.
    pub delimiter: Option<u8>,
    /// Old closure codes → Biomend's, and defaults per kind.
    pub closure_map: ClosureMap,
    /// Kind for rows whose kind cell is blank, and for files without a kind
    /// column. `None` (the default) makes the kind required.
    pub default_kind: Option<WorkOrderKind>,
    /// Import rows without a completion date as open work (the default);
    /// when false they are problems.
    pub allow_open: bool,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        HistoryOptions {
            mapping: None,
            date_order: DateOrder::Us,
            max_rows: 1_000_000,
            max_cell_bytes: 8192,
            sheet: None,
            delimiter: None,
            closure_map: ClosureMap::default(),
            default_kind: None,
            allow_open: true,
        }
    }
}

/// Downtime as the file gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HistoryDowntime {
    /// A number of hours, counted from the opening (in whole minutes).
    Minutes(u32),
    /// A period; an open end on completed work ends at the completion,
    /// on open work the device is still down.
    Period {
        /// Local start.
        start: LocalStamp,
        /// Local end, when given.
        end: Option<LocalStamp>,
    },
}

/// One validated past work order. Names, not ids: the planner
/// ([`crate::plan_history`]) resolves the tag, technician and vendor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// Spreadsheet row number (header = row 1).
    pub line: u64,
    /// Normalised like the inventory's tags.
    pub tag: String,
    /// The old system's number, trimmed, when the file has one.
    pub number: Option<String>,
    /// The Biomend kind the row's kind maps to.
    pub kind: WorkOrderKind,
    /// Completed, open or cancelled.
    pub status: HistoryStatus,
    /// When the work order was opened, local time.
    pub opened: LocalStamp,
    /// When it was completed; `None` for open work (and possibly for
    /// cancelled work).
    pub completed: Option<LocalStamp>,
    /// A PM's due date, when the file gives one.
    pub due_on: Option<NaiveDate>,
    /// The problem as reported.
    pub problem: String,
    /// Who reported it.
    pub reported_by: String,
    /// What was found and done.
    pub findings: String,
    /// Biomend's closure code; `Some` exactly when the row is completed.
    pub closure: Option<ClosureCode>,
    /// The old code as the file writes it; `None` when the closure came
    /// from the map's default for the kind.
    pub closure_old: Option<String>,
    /// Total labor in minutes (0 when none).
    pub labor_minutes: u32,
    /// Total parts cost (zero when none).
    pub parts_cost: Money,
    /// Total outside vendor cost (zero when none).
    pub vendor_cost: Money,
    /// The vendor's name, when the file gives one.
    pub vendor: Option<String>,
    /// Downtime, when the file records any.
    pub downtime: Option<HistoryDowntime>,
    /// The technician's name, free text.
    pub technician: Option<String>,
}

/// How one column of a history file was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryColumnUse {
    /// The header as written.
    pub header: String,
    /// The field it fills, or `None` when the column is not read.
    pub field: Option<HistoryField>,
}

/// The result of reading one work-history file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryReport {
    /// Data rows read, blank rows not counted.
    pub rows_read: u64,
    /// Rows without any problem, in file order.
    pub good: Vec<HistoryRow>,
    /// Every problem found, in file order.
    pub problems: Vec<Problem>,
    /// How each column was understood, in file order.
    pub columns: Vec<HistoryColumnUse>,
    /// Things worth telling the user that are not problems: columns not
    /// read, closure defaults applied, open work, PMs without a due date.
    pub notes: Vec<String>,
}

impl HistoryReport {
    /// Number of rows rejected.
    pub fn rows_rejected(&self) -> u64 {
        self.rows_read - self.good.len() as u64
    }

    /// One line for a summary banner.
    pub fn summary(&self) -> String {
        format!(
            "{} work orders read: {} ready, {} with problems",
            self.rows_read,
            self.good.len(),
            self.rows_rejected()
        )
    }

    /// Problems of one row.
    pub fn problems_at(&self, line: u64) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.line == line)
    }

    /// The header that fills `field`, as the file writes it.
    pub fn header_of(&self, field: HistoryField) -> Option<&str> {
        self.columns
            .iter()
            .find(|c| c.field == Some(field))
            .map(|c| c.header.as_str())
    }
}

/// One line per problem, in file order.
impl std::fmt::Display for HistoryReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Folds a work-order number for comparison and ids: trimmed, inner
/// whitespace removed, upper case (`wo 1042` and `WO1042` are one number).
pub fn normalize_wo_number(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Reads work history from CSV bytes (UTF-8 with or without BOM, or
/// Windows-1252; CRLF or LF; comma, semicolon or tab separated).
pub fn read_history_csv(
    input: impl std::io::Read,
    opts: &HistoryOptions,
) -> Result<HistoryReport, ImportError> {
    read_csv_named(input, opts, "input")
}

fn read_csv_named(
    input: impl std::io::Read,
    opts: &HistoryOptions,
    file: &str,
) -> Result<HistoryReport, ImportError> {
    let mut p = HistoryPipeline::new(file, opts);
    read_rows(input, opts.delimiter, opts.max_cell_bytes, file, &mut p)?;
    p.finish()
}

/// Reads work history from the first worksheet of an `.xlsx`/`.xlsm`
/// workbook, or the one named in [`HistoryOptions::sheet`]. Date cells keep
/// their time of day.
pub fn read_history_xlsx(path: &Path, opts: &HistoryOptions) -> Result<HistoryReport, ImportError> {
    use calamine::{DataRef, Reader, Xlsx, open_workbook};
    const MAX_COLUMNS: usize = 1024;
    let file = path.display().to_string();
    let wb_err = |e: calamine::XlsxError| ImportError::Workbook {
        file: file.clone(),
        message: e.to_string(),
    };
    if let Err(source) = std::fs::metadata(path) {
        return Err(ImportError::Io { file, source });
    }
    let mut wb: Xlsx<_> = open_workbook(path).map_err(wb_err)?;
    let names = wb.sheet_names();
    let sheet = match &opts.sheet {
        Some(want) => names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(want.trim()))
            .cloned()
            .ok_or_else(|| ImportError::NoSheet {
                file: file.clone(),
                sheet: want.clone(),
                available: names.clone(),
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| ImportError::NoHeader { file: file.clone() })?,
    };
    let mut cells = wb.worksheet_cells_reader(&sheet).map_err(wb_err)?;
    let mut p = HistoryPipeline::new(&file, opts);
    let mut row: Vec<DataRef<'_>> = Vec::new();
    let mut current: Option<u32> = None;
    while let Some(cell) = cells.next_cell().map_err(wb_err)? {
        let (r, c) = cell.get_position();
        if current != Some(r) {
            if let Some(prev) = current {
                p.row(u64::from(prev) + 1, &XlsxRow(&row))?;
            }
            row.clear();
            current = Some(r);
        }
        let c = c as usize;
        if c >= MAX_COLUMNS {
            continue;
        }
        if row.len() <= c {
            row.resize(c + 1, DataRef::Empty);
        }
        row[c] = cell.get_value().clone();
    }
    if let Some(prev) = current {
        p.row(u64::from(prev) + 1, &XlsxRow(&row))?;
    }
    p.finish()
}

/// Reads work history from a file, choosing the reader by extension
/// (`.csv`, `.txt`, `.tsv`, `.xlsx`, `.xlsm`).
pub fn read_history(path: &Path, opts: &HistoryOptions) -> Result<HistoryReport, ImportError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("csv") | Some("txt") | Some("tsv") => {
            let file = path.display().to_string();
            let f = std::fs::File::open(path).map_err(|source| ImportError::Io {
                file: file.clone(),
                source,
            })?;
            read_csv_named(f, opts, &file)
        }
        Some("xlsx") | Some("xlsm") => read_history_xlsx(path, opts),
        _ => Err(ImportError::UnsupportedFileType {
            file: path.to_path_buf(),
        }),
    }
}

struct XlsxRow<'r, 'a>(&'r [calamine::DataRef<'a>]);

impl RowCells for XlsxRow<'_, '_> {
    fn len(&self) -> usize {
        self.0
            .iter()
            .rposition(|d| !matches!(d, calamine::DataRef::Empty))
            .map_or(0, |i| i + 1)
    }

    fn cell(&self, i: usize) -> Cell<'_> {
        use calamine::DataRef;
        match self.0.get(i) {
            None | Some(DataRef::Empty) => Cell::Empty,
            Some(DataRef::String(s)) => Cell::Text(Cow::Borrowed(s)),
            Some(DataRef::SharedString(s)) => Cell::Text(Cow::Borrowed(s)),
            Some(DataRef::Int(n)) => Cell::Number(*n as f64),
            Some(DataRef::Float(f)) => Cell::Number(*f),
            Some(DataRef::Bool(b)) => Cell::Text(Cow::Borrowed(if *b { "yes" } else { "no" })),
            Some(DataRef::DateTime(dt)) if dt.is_datetime() => {
                let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
                match NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d)) {
                    Some(date) if (hh, mm, ss) == (0, 0, 0) => Cell::Date(date),
                    // A time of day travels as ISO text, which the stamp
                    // parser reads back with its time.
                    Some(date) => Cell::Text(Cow::Owned(format!(
                        "{} {hh:02}:{mm:02}:{ss:02}",
                        date.format("%Y-%m-%d")
                    ))),
                    None => Cell::Number(dt.as_f64()),
                }
            }
            Some(DataRef::DateTime(dt)) => Cell::Number(dt.as_f64()),
            Some(DataRef::DateTimeIso(s)) | Some(DataRef::DurationIso(s)) => {
                Cell::Text(Cow::Borrowed(s))
            }
            Some(DataRef::Error(e)) => Cell::Error(format!("#{e:?}")),
        }
    }
}

/// Non-blank rows tried as the header.
const HEADER_SEARCH_ROWS: u32 = 10;

struct HistoryPipeline<'o> {
    file: String,
    opts: &'o HistoryOptions,
    tried: u32,
    first: Option<(u64, Vec<String>)>,
    validator: Option<HistoryValidator<'o>>,
}

impl RowSink for HistoryPipeline<'_> {
    fn row<R: RowCells + ?Sized>(&mut self, line: u64, row: &R) -> Result<(), ImportError> {
        if let Some(v) = &mut self.validator {
            return v.push_row(line, row);
        }
        if (0..row.len()).all(|i| row.cell(i).is_blank()) {
            return Ok(());
        }
        let headers: Vec<String> = (0..row.len())
            .map(|i| row.cell(i).text().trim().to_string())
            .collect();
        self.tried += 1;
        let (layout, missing_mapped) =
            HistoryLayout::resolve(headers.clone(), self.opts.mapping.as_ref());
        if missing_mapped.is_empty()
            && layout
                .missing_required(self.opts.default_kind.is_none())
                .is_empty()
        {
            self.validator = Some(HistoryValidator::new(&self.file, line, layout, self.opts));
            return Ok(());
        }
        if self.first.is_none() {
            self.first = Some((line, headers));
        }
        if self.tried >= HEADER_SEARCH_ROWS {
            return Err(self.give_up());
        }
        Ok(())
    }

    fn header_width(&self) -> Option<usize> {
        self.validator.as_ref().map(|v| v.layout.headers.len())
    }
}

impl<'o> HistoryPipeline<'o> {
    fn new(file: &str, opts: &'o HistoryOptions) -> Self {
        HistoryPipeline {
            file: file.to_string(),
            opts,
            tried: 0,
            first: None,
            validator: None,
        }
    }

    fn give_up(&mut self) -> ImportError {
        let Some((line, headers)) = self.first.take() else {
            return ImportError::NoHeader {
                file: self.file.clone(),
            };
        };
        let (layout, missing_mapped) =
            HistoryLayout::resolve(headers.clone(), self.opts.mapping.as_ref());
        if let Some(header) = missing_mapped.into_iter().next() {
            return ImportError::MappedColumnNotFound {
                file: self.file.clone(),
                header,
                headers,
            };
        }
        ImportError::MissingHistoryColumns {
            file: self.file.clone(),
            line,
            missing: layout.missing_required(self.opts.default_kind.is_none()),
            headers,
        }
    }

    fn finish(mut self) -> Result<HistoryReport, ImportError> {
        match self.validator.take() {
            Some(v) => Ok(v.finish()),
            None => Err(self.give_up()),
        }
    }
}

#[derive(Default)]
struct Tally {
    defaulted: BTreeMap<WorkOrderKind, (ClosureCode, u64)>,
    open: u64,
    cancelled: u64,
    pm_without_due: u64,
    hours_ignored: u64,
}

struct HistoryValidator<'o> {
    file: String,
    opts: &'o HistoryOptions,
    layout: HistoryLayout,
    first_number: HashMap<String, u64>,
    report: HistoryReport,
    tally: Tally,
}

impl<'o> HistoryValidator<'o> {
    fn new(file: &str, header_line: u64, layout: HistoryLayout, opts: &'o HistoryOptions) -> Self {
        let mut report = HistoryReport::default();
        if header_line > 1 {
            report.notes.push(format!(
                "the header is row {header_line}; rows above it were skipped"
            ));
        }
        for (i, h) in layout.headers.iter().enumerate() {
            let field = HistoryField::ALL
                .iter()
                .copied()
                .find(|f| layout.get(*f) == Some(i));
            report.columns.push(HistoryColumnUse {
                header: h.clone(),
                field,
            });
        }
        for (i, why) in &layout.unused {
            report.notes.push(format!(
                "column '{}' is not read: {why}",
                layout.headers[*i]
            ));
        }
        if layout.get(HistoryField::Kind).is_none()
            && let Some(k) = opts.default_kind
        {
            report.notes.push(format!(
                "the file has no kind column: every row is {k} work"
            ));
        }
        HistoryValidator {
            file: file.to_string(),
            opts,
            layout,
            first_number: HashMap::new(),
            report,
            tally: Tally::default(),
        }
    }

    fn finish(self) -> HistoryReport {
        let mut report = self.report;
        let t = self.tally;
        for (kind, (code, n)) in &t.defaulted {
            report.notes.push(format!(
                "{n} completed {kind} work order(s) had no closure code and were closed as '{code}' (the default for {kind} work)"
            ));
        }
        if t.open > 0 {
            report.notes.push(format!(
                "{} work order(s) have no completion date and are imported as open work",
                t.open
            ));
        }
        if t.cancelled > 0 {
            report.notes.push(format!(
                "{} work order(s) are imported as cancelled; no measure counts them",
                t.cancelled
            ));
        }
        if t.pm_without_due > 0 {
            report.notes.push(format!(
                "{} PM work order(s) have no due date: they will not count in PM completion",
                t.pm_without_due
            ));
        }
        if t.hours_ignored > 0 {
            report.notes.push(format!(
                "{} row(s) give both downtime hours and a downtime period; the period is used",
                t.hours_ignored
            ));
        }
        report
    }

    fn push_row<R: RowCells + ?Sized>(&mut self, line: u64, row: &R) -> Result<(), ImportError> {
        let n = row.len();
        if (0..n).all(|i| row.cell(i).is_blank()) {
            return Ok(());
        }
        self.report.rows_read += 1;
        if self.report.rows_read > self.opts.max_rows {
            return Err(ImportError::TooManyRows {
                file: self.file.clone(),
                max: self.opts.max_rows,
            });
        }
        let before = self.report.problems.len();
        let mut ctx = Ctx {
            line,
            row,
            layout: &self.layout,
            opts: self.opts,
            problems: &mut self.report.problems,
        };
        let width = ctx.layout.headers.len();
        if n > width
            && let Some(extra) = (width..n).find(|&i| !row.cell(i).is_blank())
        {
            let v = row.cell(extra).text().into_owned();
            ctx.problems.push(Problem {
                line,
                column: None,
                value: Some(shorten(&v)),
                reason: format!(
                    "is past the last column: the row has {n} fields but the header has {width} (is a comma inside a value not quoted?)"
                ),
            });
        }
        let parsed = ctx.parse(&mut self.tally);
        if let Some(number) = parsed.as_ref().and_then(|r| r.number.as_ref()) {
            let key = normalize_wo_number(number);
            match self.first_number.get(&key) {
                Some(&first) => {
                    let column = ctx.layout.header(HistoryField::Number);
                    ctx.problems.push(Problem {
                        line,
                        column,
                        value: Some(shorten(number)),
                        reason: format!("duplicates the work-order number in row {first}"),
                    });
                }
                None => {
                    self.first_number.insert(key, line);
                }
            }
        }
        if self.report.problems.len() == before
            && let Some(r) = parsed
        {
            match r.status {
                HistoryStatus::Open => self.tally.open += 1,
                HistoryStatus::Cancelled => self.tally.cancelled += 1,
                HistoryStatus::Completed => {}
            }
            if r.kind == WorkOrderKind::Pm && r.due_on.is_none() {
                self.tally.pm_without_due += 1;
            }
            if r.closure.is_some() && r.closure_old.is_none() {
                let e = self
                    .tally
                    .defaulted
                    .entry(r.kind)
                    .or_insert((r.closure.unwrap_or(ClosureCode::PreventiveOnly), 0));
                e.1 += 1;
            }
            self.report.good.push(r);
        }
        Ok(())
    }
}

struct Ctx<'a, R: ?Sized> {
    line: u64,
    row: &'a R,
    layout: &'a HistoryLayout,
    opts: &'a HistoryOptions,
    problems: &'a mut Vec<Problem>,
}

impl<'a, R: RowCells + ?Sized> Ctx<'a, R> {
    fn problem(&mut self, f: HistoryField, value: Option<&str>, reason: String) {
        let column = self.layout.header(f);
        self.problems.push(Problem {
            line: self.line,
            column,
            value: value.map(shorten),
            reason,
        });
    }

    /// The non-blank cell for a field; over-long and error cells are
    /// reported and read as absent.
    fn cell(&mut self, f: HistoryField) -> Option<Cell<'a>> {
        let i = self.layout.get(f)?;
        let row: &'a R = self.row;
        if i >= row.len() {
            return None;
        }
        let c = row.cell(i);
        if c.is_blank() {
            return None;
        }
        if c.text_len() > self.opts.max_cell_bytes {
            let v = c.text().into_owned();
            let max = self.opts.max_cell_bytes;
            self.problem(
                f,
                Some(&v),
                format!("is longer than the {max}-byte cell limit"),
            );
            return None;
        }
        if let Cell::Error(e) = &c {
            let e = e.clone();
            self.problem(f, Some(&e), "is a spreadsheet error value, not data".into());
            return None;
        }
        Some(c)
    }

    fn text(&mut self, f: HistoryField) -> Option<String> {
        self.cell(f).map(|c| unguard(&c.into_text()).to_string())
    }

    /// Text for typed parsing, with placeholders such as `N/A` read as empty.
    fn typed_text(&mut self, f: HistoryField) -> Option<String> {
        self.text(f).filter(|t| !is_placeholder(t))
    }

    /// True when the field's cell holds anything (even a placeholder).
    fn given(&self, f: HistoryField) -> bool {
        self.layout
            .get(f)
            .is_some_and(|i| i < self.row.len() && !self.row.cell(i).is_blank())
    }

    fn missing(&mut self, f: HistoryField, what: &str) {
        let width = self.layout.headers.len();
        let n = self.row.len();
        let reason = match self.layout.get(f) {
            Some(i) if i >= n => {
                format!("{what} is missing: the row has {n} of the header's {width} fields")
            }
            _ => format!("{what} is required"),
        };
        self.problem(f, None, reason);
    }

    fn stamp(&mut self, f: HistoryField) -> Option<LocalStamp> {
        let res = match self.cell(f)? {
            Cell::Date(d) => Ok(LocalStamp {
                date: d,
                time: None,
            }),
            Cell::Number(n) => serial_stamp(n).map_err(|e| (e, format_number(n))),
            c => {
                let t = c.into_text();
                if is_placeholder(&t) {
                    return None;
                }
                parse_stamp(&t, self.opts.date_order).map_err(|e| (e, t.into_owned()))
            }
        };
        match res {
            Ok(s) => Some(s),
            Err((reason, v)) => {
                self.problem(f, Some(&v), reason);
                None
            }
        }
    }

    /// A non-negative decimal number, `max` at most; `unit` names it in
    /// messages ("hours").
    fn amount(&mut self, f: HistoryField, max: f64, unit: &str) -> Option<f64> {
        let (value, shown) = match self.cell(f)? {
            Cell::Number(x) => (Some(x), format_number(x)),
            c => {
                let t = c.into_text().into_owned();
                if is_placeholder(&t) {
                    return None;
                }
                (parse_decimal(&t), t)
            }
        };
        match value {
            None => {
                self.problem(f, Some(&shown), format!("is not a number of {unit}"));
                None
            }
            Some(x) if x < 0.0 => {
                self.problem(f, Some(&shown), "is negative".into());
                None
            }
            Some(x) if x > max => {
                self.problem(
                    f,
                    Some(&shown),
                    format!(
                        "is more than {} {unit}, the most one work order may record; check the column's unit",
                        format_number(max)
                    ),
                );
                None
            }
            Some(x) => Some(x),
        }
    }

    fn money(&mut self, f: HistoryField) -> Money {
        let (res, shown) = match self.cell(f) {
            None => return Money::ZERO,
            Some(Cell::Number(x)) => {
                let cents = (x * 100.0).round();
                let shown = format_number(x);
                if !cents.is_finite() || cents.abs() > 9e15 {
                    (Err("is not an amount".to_string()), shown)
                } else if (x * 100.0 - cents).abs() > 1e-6 * cents.abs().max(1.0) {
                    (Err("has more than two decimals".to_string()), shown)
                } else {
                    (Ok(Money(cents as i64)), shown)
                }
            }
            Some(c) => {
                let t = c.into_text().into_owned();
                if is_placeholder(&t) {
                    return Money::ZERO;
                }
                let r = Money::parse(&t)
                    .map_err(|_| "is not an amount (e.g. 125.00 or $1,250.00)".to_string());
                (r, t)
            }
        };
        match res {
            Ok(m) if m.0 < 0 => {
                self.problem(f, Some(&shown), "is negative".into());
                Money::ZERO
            }
            Ok(m) if m > MAX_HISTORY_COST => {
                self.problem(
                    f,
                    Some(&shown),
                    format!(
                        "is more than {MAX_HISTORY_COST}, the most one work order's parts or vendor cost may be; check the column"
                    ),
                );
                Money::ZERO
            }
            Ok(m) => m,
            Err(reason) => {
                self.problem(f, Some(&shown), reason);
                Money::ZERO
            }
        }
    }

    fn labor_minutes(&mut self) -> u32 {
        let max = f64::from(MAX_HISTORY_LABOR_MINUTES);
        if self.given(HistoryField::LaborMinutes) {
            return self
                .amount(HistoryField::LaborMinutes, max, "minutes")
                .map_or(0, |m| m.round() as u32);
        }
        let Some(c) = self.cell(HistoryField::LaborHours) else {
            return 0;
        };
        // "1:30" is an hour and a half.
        if let Cell::Text(t) = &c
            && let Some((h, m)) = t.trim().split_once(':')
        {
            let shown = t.trim().to_string();
            let (h, m) = (h.trim().parse::<u32>(), m.trim().parse::<u32>());
            return match (h, m) {
                (Ok(h), Ok(m)) if m < 60 && h * 60 + m <= MAX_HISTORY_LABOR_MINUTES => h * 60 + m,
                (Ok(_), Ok(m)) if m < 60 => {
                    self.problem(
                        HistoryField::LaborHours,
                        Some(&shown),
                        format!(
                            "is more than {} hours, the most one work order may record; check the column's unit",
                            MAX_HISTORY_LABOR_MINUTES / 60
                        ),
                    );
                    0
                }
                _ => {
                    self.problem(
                        HistoryField::LaborHours,
                        Some(&shown),
                        "is not a number of hours (e.g. 1.5 or 1:30)".into(),
                    );
                    0
                }
            };
        }
        self.amount(HistoryField::LaborHours, max / 60.0, "hours")
            .map_or(0, |h| (h * 60.0).round() as u32)
    }

    fn closure_cell(&mut self) -> Option<(String, Option<ClosureTarget>)> {
        let t = self.typed_text(HistoryField::Closure)?;
        let target = self.opts.closure_map.lookup(&t);
        Some((t, target))
    }

    fn parse(&mut self, tally: &mut Tally) -> Option<HistoryRow> {
        let before = self.problems.len();
        let tag = match self.text(HistoryField::Tag) {
            None => {
                self.missing(HistoryField::Tag, "the asset tag");
                String::new()
            }
            Some(raw) => match normalize_tag(&raw) {
                Ok(t) => t,
                Err(e) => {
                    self.problem(
                        HistoryField::Tag,
                        Some(&raw),
                        format!("is not a usable tag ({e})"),
                    );
                    String::new()
                }
            },
        };
        let number = self.typed_text(HistoryField::Number).and_then(|n| {
            if normalize_wo_number(&n).is_empty() {
                None
            } else if n.chars().count() > 64 {
                self.problem(
                    HistoryField::Number,
                    Some(&n),
                    "is longer than 64 characters; is this the right column?".into(),
                );
                None
            } else {
                Some(n)
            }
        });
        let kind = match self.typed_text(HistoryField::Kind) {
            Some(t) => match parse_history_kind(&t) {
                Some(k) => Some(k),
                None => {
                    self.problem(
                        HistoryField::Kind,
                        Some(&t),
                        "is not a known work-order kind (accepted: corrective, pm, acceptance, recall, security, and words such as Repair, CM, Scheduled Maintenance, SM, Incoming Inspection)"
                            .into(),
                    );
                    None
                }
            },
            None => match self.opts.default_kind {
                Some(k) => Some(k),
                None => {
                    self.missing(HistoryField::Kind, "the work-order kind");
                    None
                }
            },
        };
        let status = match self.typed_text(HistoryField::Status) {
            Some(t) => match parse_history_status(&t) {
                Some(s) => Some(s),
                None => {
                    let list: Vec<&str> = HistoryStatus::ALL.iter().map(|s| s.as_str()).collect();
                    self.problem(
                        HistoryField::Status,
                        Some(&t),
                        format!(
                            "is not a known status (accepted: {}, and words such as closed, done, in progress, on hold, void)",
                            list.join(", ")
                        ),
                    );
                    None
                }
            },
            None => None,
        };
        let opened = self.stamp(HistoryField::Opened);
        if opened.is_none() && !self.given(HistoryField::Opened) {
            self.missing(HistoryField::Opened, "the opening date");
        }
        let completed = self.stamp(HistoryField::Completed);
        let due_on = self.stamp(HistoryField::DueOn).map(|s| s.date);
        let problem = self.text(HistoryField::Problem).unwrap_or_default();
        let reported_by = self.text(HistoryField::ReportedBy).unwrap_or_default();
        let findings = self.text(HistoryField::Findings).unwrap_or_default();
        let closure = self.closure_cell();
        let labor_minutes = self.labor_minutes();
        let parts_cost = self.money(HistoryField::PartsCost);
        let vendor_cost = self.money(HistoryField::VendorCost);
        let vendor = self.text(HistoryField::Vendor);
        let technician = self.text(HistoryField::Technician);
        let down_hours = self.amount(
            HistoryField::DowntimeHours,
            f64::from(MAX_DOWNTIME_HOURS),
            "hours",
        );
        let down_start = self.stamp(HistoryField::DownStart);
        let down_end = self.stamp(HistoryField::DownEnd);

        if let (Some(o), Some(c)) = (opened, completed)
            && before_stamp(c, o)
        {
            self.problem(
                HistoryField::Completed,
                Some(&show_stamp(c)),
                format!("is before the opening date ({})", show_stamp(o)),
            );
        }
        let downtime = match (down_start, down_end) {
            (Some(s), e) => {
                if let Some(e) = e
                    && before_stamp(e, s)
                {
                    self.problem(
                        HistoryField::DownEnd,
                        Some(&show_stamp(e)),
                        format!("is before the downtime start ({})", show_stamp(s)),
                    );
                }
                if down_hours.is_some() {
                    tally.hours_ignored += 1;
                }
                Some(HistoryDowntime::Period { start: s, end: e })
            }
            (None, Some(e)) => {
                if !self.given(HistoryField::DownStart) {
                    self.problem(
                        HistoryField::DownEnd,
                        Some(&show_stamp(e)),
                        "is a downtime end without a downtime start".into(),
                    );
                }
                None
            }
            (None, None) => down_hours
                .map(|h| (h * 60.0).round() as u32)
                .filter(|m| *m > 0)
                .map(HistoryDowntime::Minutes),
        };

        // Status: the file's word must agree with the dates; a code mapped
        // to "cancelled" cancels the row.
        let cancelled_by_code = matches!(closure, Some((_, Some(ClosureTarget::Cancelled))));
        let status = match status {
            _ if cancelled_by_code => HistoryStatus::Cancelled,
            Some(HistoryStatus::Cancelled) => HistoryStatus::Cancelled,
            Some(HistoryStatus::Completed) if completed.is_none() => {
                // A completion date that did not parse is reported above.
                if !self.given(HistoryField::Completed) {
                    let v = self.typed_text(HistoryField::Status);
                    self.problem(
                        HistoryField::Status,
                        v.as_deref(),
                        "says the work is done, but the row has no completion date".into(),
                    );
                }
                HistoryStatus::Completed
            }
            Some(HistoryStatus::Open) if completed.is_some() => {
                let v = self.typed_text(HistoryField::Status);
                self.problem(
                    HistoryField::Status,
                    v.as_deref(),
                    "says the work is open, but the row has a completion date".into(),
                );
                HistoryStatus::Open
            }
            _ if completed.is_some() => HistoryStatus::Completed,
            _ => HistoryStatus::Open,
        };
        if status == HistoryStatus::Open
            && !self.opts.allow_open
            && !self.given(HistoryField::Completed)
        {
            self.missing(
                HistoryField::Completed,
                "the completion date (open work is not imported)",
            );
        }

        let mut closure_code = None;
        let mut closure_old = None;
        match (status, &closure, kind) {
            (HistoryStatus::Completed, Some((old, target)), Some(kind)) => match target {
                Some(ClosureTarget::Code(c)) if closure_fits(*c, kind) => {
                    closure_code = Some(*c);
                    closure_old = Some(old.clone());
                }
                Some(ClosureTarget::Code(c)) => {
                    let via = if ClosureCode::parse(old) == Some(*c) {
                        String::new()
                    } else {
                        format!("maps to '{c}', which ")
                    };
                    self.problem(
                        HistoryField::Closure,
                        Some(old),
                        format!(
                            "{via}does not fit {kind} work; codes for {kind} are: {}; map it with --closure-map {}=<code>",
                            codes_for_kind(kind).join(", "),
                            closure_key(old)
                        ),
                    );
                }
                Some(ClosureTarget::Cancelled) => {}
                None => self.unknown_code(old),
            },
            (HistoryStatus::Completed, None, Some(kind)) => {
                match self.opts.closure_map.default_for(kind) {
                    Some(c) => closure_code = Some(c),
                    None => self.problem(
                        HistoryField::Closure,
                        None,
                        format!(
                            "a completed {kind} work order needs a closure code; fill the column, or give a default for {kind} work (e.g. --closure-default {kind}=<code>; codes: {})",
                            codes_for_kind(kind).join(", ")
                        ),
                    ),
                }
            }
            (HistoryStatus::Open, Some((old, target)), _) => {
                if target.is_none() {
                    self.unknown_code(old);
                } else {
                    self.problem(
                        HistoryField::Closure,
                        Some(old),
                        "is a closure code on open work (the row has no completion date)".into(),
                    );
                }
            }
            _ => {}
        }

        if self.problems.len() > before {
            return None;
        }
        Some(HistoryRow {
            line: self.line,
            tag,
            number,
            kind: kind?,
            status,
            opened: opened?,
            completed: if status == HistoryStatus::Open {
                None
            } else {
                completed
            },
            due_on,
            problem,
            reported_by,
            findings,
            closure: closure_code,
            closure_old,
            labor_minutes,
            parts_cost,
            vendor_cost,
            vendor,
            downtime,
            technician,
        })
    }

    fn unknown_code(&mut self, old: &str) {
        self.problem(
            HistoryField::Closure,
            Some(old),
            format!(
                "has no mapping for closure code '{}'; add --closure-map {}=<code> (codes: {}, or cancelled)",
                old.trim(),
                closure_key(old),
                all_codes()
            ),
        );
    }
}

/// `a` is before `b`; when either has no time of day, by date only.
fn before_stamp(a: LocalStamp, b: LocalStamp) -> bool {
    match (a.time, b.time) {
        (Some(_), Some(_)) => a.local() < b.local(),
        _ => a.date < b.date,
    }
}

fn show_stamp(s: LocalStamp) -> String {
    match s.time {
        Some(t) => format!("{} {}", s.date.format("%Y-%m-%d"), t.format("%H:%M")),
        None => s.date.format("%Y-%m-%d").to_string(),
    }
}

/// An Excel serial date with an optional fraction of a day.
fn serial_stamp(n: f64) -> Result<LocalStamp, String> {
    let date = excel_serial_date(n)?;
    let secs = ((n - n.floor()) * 86_400.0).round() as u32;
    let time = if secs == 0 || secs >= 86_400 {
        None
    } else {
        NaiveTime::from_num_seconds_from_midnight_opt(secs, 0)
            .map(|t| t.with_nanosecond(0).unwrap_or(t))
    };
    Ok(LocalStamp { date, time })
}

/// A plain decimal as exports write it: `1.5`, `1,234.5`, ` 2 `.
fn parse_decimal(s: &str) -> Option<f64> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

pub(crate) fn missing_history_columns(missing: &[HistoryField]) -> String {
    missing
        .iter()
        .map(|f| {
            let examples: Vec<String> = f
                .aliases()
                .iter()
                .take(3)
                .map(|a| format!("'{a}'"))
                .collect();
            format!("{} (e.g. {})", f.code(), examples.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}
