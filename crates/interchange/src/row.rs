//! The validated import row and the per-row checks both readers share.
//!
//! Readers find the header, then hand each data row to [`Validator`] as a
//! [`RowCells`] view, so CSV rows are validated straight from the parser's
//! buffer without copying cells into an intermediate row.

use crate::fields::{ColumnMapping, Field, Layout};
use crate::report::{ColumnUse, ImportReport, Problem};
use crate::values::{Cell, excel_serial_date, parse_bool, parse_date, parse_whole};
use crate::{ImportError, ImportOptions};
use biomend_domain::asset::{AssetStatus, Ownership, normalize_tag};
use biomend_domain::network::normalize_mac;
use biomend_domain::risk::EmScore;
use biomend_domain::{Money, RuleError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// Risk as the file gives it: either the EM number alone, or its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RiskInput {
    /// The EM number only, 2..=25.
    EmNumber(i32),
    /// Function, physical risk and maintenance scores. When the file also
    /// gives an EM number, the difference is the incident-history score.
    Parts(EmScore),
}

impl RiskInput {
    pub fn em_number(&self) -> i32 {
        match self {
            RiskInput::EmNumber(n) => *n,
            RiskInput::Parts(s) => s.em_number(),
        }
    }
}

/// Network columns of a row; present only when at least one is filled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkImport {
    pub hostname: Option<String>,
    pub ip: Option<String>,
    /// Canonical `AA:BB:CC:DD:EE:FF`.
    pub mac: Option<String>,
    pub vlan: Option<u16>,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    pub firmware: Option<String>,
}

/// One validated input row. Names, not ids: the app core resolves
/// manufacturer, model, device type, site, department and parent tag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetImportRow {
    /// Spreadsheet row number (header = row 1).
    pub line: u64,
    /// Normalized with [`normalize_tag`].
    pub tag: String,
    pub serial: Option<String>,
    pub manufacturer: String,
    pub model: String,
    pub device_type_code: Option<String>,
    pub device_type_name: Option<String>,
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
    pub risk: Option<RiskInput>,
    pub life_support: Option<bool>,
    pub parent_tag: Option<String>,
    pub notes: Option<String>,
    pub network: Option<NetworkImport>,
}

/// Read access to one data row, whatever the file format.
pub(crate) trait RowCells {
    fn len(&self) -> usize;
    fn cell(&self, i: usize) -> Cell<'_>;
}

/// How many non-blank rows are tried as the header. CMMS reports often
/// put a title and an export date above the real header.
const HEADER_SEARCH_ROWS: u32 = 10;

/// Finds the header among the first rows of a file.
#[derive(Debug, Default)]
pub(crate) struct HeaderSearch {
    tried: u32,
    first: Option<(u64, Vec<String>)>,
}

impl HeaderSearch {
    /// Offers one non-blank row. Returns the layout when this row is a
    /// usable header, `None` to keep looking, or the error once the search
    /// gives up; the error describes the first row, which is the header
    /// the user most likely meant.
    pub fn offer(
        &mut self,
        file: &str,
        line: u64,
        headers: Vec<String>,
        mapping: Option<&ColumnMapping>,
    ) -> Result<Option<(u64, Layout)>, ImportError> {
        self.tried += 1;
        let (layout, missing_mapped) = Layout::resolve(headers.clone(), mapping);
        if missing_mapped.is_empty() && layout.missing_required().is_empty() {
            return Ok(Some((line, layout)));
        }
        if self.first.is_none() {
            self.first = Some((line, headers));
        }
        if self.tried >= HEADER_SEARCH_ROWS {
            return Err(self.give_up(file, mapping));
        }
        Ok(None)
    }

    /// The error for a file whose header was never found.
    pub fn give_up(&mut self, file: &str, mapping: Option<&ColumnMapping>) -> ImportError {
        let Some((line, headers)) = self.first.take() else {
            return ImportError::NoHeader {
                file: file.to_string(),
            };
        };
        let (layout, missing_mapped) = Layout::resolve(headers.clone(), mapping);
        if let Some(header) = missing_mapped.into_iter().next() {
            return ImportError::MappedColumnNotFound {
                file: file.to_string(),
                header,
                headers,
            };
        }
        ImportError::MissingColumns {
            file: file.to_string(),
            line,
            missing: layout.missing_required(),
            headers,
        }
    }
}

/// Validates data rows against one file's layout and builds the report.
#[derive(Debug)]
pub(crate) struct Validator<'o> {
    file: String,
    opts: &'o ImportOptions,
    layout: Layout,
    /// First row of each tag, to name it when a later row repeats the tag.
    first_seen: HashMap<String, u64>,
    report: ImportReport,
}

impl<'o> Validator<'o> {
    pub fn new(file: &str, header_line: u64, layout: Layout, opts: &'o ImportOptions) -> Self {
        let mut report = ImportReport::default();
        if header_line > 1 {
            report.notes.push(format!(
                "the header is row {header_line}; rows above it were skipped"
            ));
        }
        for (i, h) in layout.headers.iter().enumerate() {
            let field = Field::ALL
                .iter()
                .copied()
                .find(|f| layout.get(*f) == Some(i));
            report.columns.push(ColumnUse {
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
        Validator {
            file: file.to_string(),
            opts,
            layout,
            first_seen: HashMap::new(),
            report,
        }
    }

    pub fn finish(self) -> ImportReport {
        self.report
    }

    /// Validates one row; row problems go to the report, only the row
    /// limit is an error.
    pub fn push_row<R: RowCells + ?Sized>(
        &mut self,
        line: u64,
        row: &R,
    ) -> Result<(), ImportError> {
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
        let mut ctx = RowCtx {
            line,
            row,
            layout: &self.layout,
            max_cell: self.opts.max_cell_bytes,
            problems: &mut self.report.problems,
        };
        let width = ctx.layout.headers.len();
        if n > width {
            // Trailing empty fields ("a,b,c,,") are common export noise;
            // only real content past the header is a misaligned row, most
            // often an unquoted comma inside a value like $12,500.00.
            if let Some(extra) = (width..n).find(|&i| !row.cell(i).is_blank()) {
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
        }
        let parsed = ctx.parse(self.opts);
        if let Some(tag) = ctx.tag_for_duplicates(&parsed) {
            match self.first_seen.entry(tag) {
                Entry::Occupied(first) => {
                    let first = *first.get();
                    let col = ctx.header(Field::Tag);
                    ctx.problems.push(Problem {
                        line,
                        column: col,
                        value: Some(parsed.tag.clone()),
                        reason: format!("duplicates the tag in row {first}"),
                    });
                }
                Entry::Vacant(v) => {
                    v.insert(line);
                }
            }
        }
        if self.report.problems.len() == before {
            self.report.good.push(parsed);
        }
        Ok(())
    }
}

/// Shortens a value for display in a problem.
pub(crate) fn shorten(v: &str) -> String {
    const MAX: usize = 80;
    if v.len() <= MAX {
        return v.to_string();
    }
    let mut end = MAX;
    while !v.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &v[..end])
}

/// Values that mean "nothing here" in typed columns of real exports.
pub(crate) fn is_placeholder(s: &str) -> bool {
    ["n/a", "na", "none", "null", "-", "--", "unknown"]
        .iter()
        .any(|p| s.eq_ignore_ascii_case(p))
}

/// Undoes the export's guard against spreadsheet formula injection: a text
/// value that starts with `=`, `+`, `-` or `@` is written with a leading
/// apostrophe (see `export`), which must not become part of the value.
pub(crate) fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    }
}

struct RowCtx<'a, R: ?Sized> {
    line: u64,
    row: &'a R,
    layout: &'a Layout,
    max_cell: usize,
    problems: &'a mut Vec<Problem>,
}

impl<'a, R: RowCells + ?Sized> RowCtx<'a, R> {
    fn header(&self, f: Field) -> Option<String> {
        self.layout.get(f).map(|i| self.layout.headers[i].clone())
    }

    fn problem(&mut self, f: Field, value: Option<&str>, reason: String) {
        let column = self.header(f);
        self.problems.push(Problem {
            line: self.line,
            column,
            value: value.map(shorten),
            reason,
        });
    }

    /// The non-blank cell for a field, or `None`. Cells over the size limit
    /// are reported here and read as absent.
    fn cell(&mut self, f: Field) -> Option<Cell<'a>> {
        let i = self.layout.get(f)?;
        let row: &'a R = self.row;
        if i >= row.len() {
            return None;
        }
        let c = row.cell(i);
        if c.is_blank() {
            return None;
        }
        if c.text_len() > self.max_cell {
            let v = c.text().into_owned();
            let max = self.max_cell;
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

    /// Trimmed text of a cell, borrowed from the parser's buffer when it can be.
    fn str_of(&mut self, f: Field) -> Option<Cow<'a, str>> {
        Some(match self.cell(f)?.into_text() {
            Cow::Borrowed(s) => Cow::Borrowed(unguard(s)),
            Cow::Owned(s) => Cow::Owned(unguard(&s).to_string()),
        })
    }

    fn text(&mut self, f: Field) -> Option<String> {
        self.str_of(f).map(Cow::into_owned)
    }

    fn required_text(&mut self, f: Field, what: &str) -> String {
        match self.text(f) {
            Some(t) => t,
            None => {
                self.missing(f, what);
                String::new()
            }
        }
    }

    fn missing(&mut self, f: Field, what: &str) {
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

    /// Text for typed parsing, with placeholders such as `N/A` read as empty.
    fn typed_text(&mut self, f: Field) -> Option<Cow<'a, str>> {
        self.str_of(f).filter(|t| !is_placeholder(t))
    }

    fn date(&mut self, f: Field, opts: &ImportOptions) -> Option<NaiveDate> {
        let res = match self.cell(f)? {
            Cell::Date(d) => Ok(d),
            Cell::Number(n) => {
                excel_serial_date(n).map_err(|e| (e, crate::values::format_number(n)))
            }
            c => {
                let t = c.into_text();
                if is_placeholder(&t) {
                    return None;
                }
                parse_date(&t, opts.date_order).map_err(|e| (e, t.into_owned()))
            }
        };
        match res {
            Ok(d) => Some(d),
            Err((reason, v)) => {
                self.problem(f, Some(&v), reason);
                None
            }
        }
    }

    fn money(&mut self, f: Field) -> Option<Money> {
        let (res, shown) = match self.cell(f)? {
            Cell::Number(x) => {
                let cents = (x * 100.0).round();
                let shown = Cow::Owned(crate::values::format_number(x));
                if !cents.is_finite() || cents.abs() > 9e15 {
                    (Err("is not an amount".to_string()), shown)
                } else if (x * 100.0 - cents).abs() > 1e-6 * cents.abs().max(1.0) {
                    (Err("has more than two decimals".to_string()), shown)
                } else {
                    (Ok(Money(cents as i64)), shown)
                }
            }
            c => {
                let t = c.into_text();
                if is_placeholder(&t) {
                    return None;
                }
                let r = Money::parse(&t)
                    .map_err(|_| "is not an amount (e.g. 12500.00 or $12,500.00)".to_string());
                (r, t)
            }
        };
        match res {
            Ok(m) if m.0 < 0 => {
                self.problem(f, Some(&shown), "is negative".into());
                None
            }
            Ok(m) => Some(m),
            Err(reason) => {
                self.problem(f, Some(&shown), reason);
                None
            }
        }
    }

    /// A whole number in `range`; `what` completes "is not a valid …".
    fn whole(&mut self, f: Field, range: std::ops::RangeInclusive<i64>, what: &str) -> Option<i64> {
        let t = self.typed_text(f)?;
        match parse_whole(&t) {
            Ok(n) if range.contains(&n) => Some(n),
            Ok(_) => {
                let (lo, hi) = (range.start(), range.end());
                self.problem(
                    f,
                    Some(&t),
                    format!("is out of range ({what} runs from {lo} to {hi})"),
                );
                None
            }
            Err(reason) => {
                self.problem(f, Some(&t), reason);
                None
            }
        }
    }

    fn flag(&mut self, f: Field) -> Option<bool> {
        let t = self.typed_text(f)?;
        match parse_bool(&t) {
            Ok(b) => Some(b),
            Err(reason) => {
                self.problem(f, Some(&t), reason);
                None
            }
        }
    }

    fn code<T: Copy + std::fmt::Display>(
        &mut self,
        f: Field,
        parse: fn(&str) -> Option<T>,
        what: &str,
        accepted: &[T],
    ) -> Option<T> {
        let t = self.text(f)?;
        match parse(&t) {
            Some(v) => Some(v),
            None => {
                let list: Vec<String> = accepted.iter().map(|a| a.to_string()).collect();
                self.problem(
                    f,
                    Some(&t),
                    format!("is not a known {what} (accepted: {})", list.join(", ")),
                );
                None
            }
        }
    }

    fn risk(&mut self) -> Option<RiskInput> {
        let em = self.whole(Field::EmNumber, i64::MIN..=i64::MAX, "EM number");
        let before = self.problems.len();
        let parts_fields = [
            Field::RiskFunction,
            Field::RiskPhysical,
            Field::RiskMaintenance,
        ];
        let mut given = [false; 3];
        let mut parts = [None; 3];
        for (k, f) in parts_fields.iter().enumerate() {
            let present = self
                .layout
                .get(*f)
                .is_some_and(|i| i < self.row.len() && !self.row.cell(i).is_blank());
            given[k] = present;
            parts[k] = self.whole(*f, i64::MIN..=i64::MAX, "risk score");
        }
        if given.iter().any(|g| *g) {
            for (k, f) in parts_fields.iter().enumerate() {
                if !given[k] {
                    self.missing_part(*f);
                }
            }
            if self.problems.len() > before {
                return None;
            }
            let [Some(fun), Some(phy), Some(mai)] = parts else {
                return None;
            };
            let byte = |n: i64| u8::try_from(n).unwrap_or(u8::MAX);
            let incident = em.map(|e| e - (fun + phy + mai)).unwrap_or(0);
            let incident_i8 = i8::try_from(incident).unwrap_or(i8::MAX);
            match EmScore::new(byte(fun), byte(phy), byte(mai), incident_i8) {
                Ok(s) => return Some(RiskInput::Parts(s)),
                Err(RuleError::OutOfRange {
                    field, min, max, ..
                }) => {
                    let (f, value, reason) = match field {
                        "function score" => (Field::RiskFunction, fun, None),
                        "physical risk score" => (Field::RiskPhysical, phy, None),
                        "maintenance requirement score" => (Field::RiskMaintenance, mai, None),
                        _ => (
                            Field::EmNumber,
                            em.unwrap_or_default(),
                            Some(format!(
                                "does not match the risk parts: function + physical risk + maintenance = {}, and incident history may change that by at most 2",
                                fun + phy + mai
                            )),
                        ),
                    };
                    let reason = reason.unwrap_or_else(|| {
                        format!("is out of range ({field} runs from {min} to {max})")
                    });
                    self.problem(f, Some(&value.to_string()), reason);
                    return None;
                }
                Err(e) => {
                    self.problem(Field::RiskFunction, None, e.to_string());
                    return None;
                }
            }
        }
        let e = em?;
        if (2..=25).contains(&e) {
            Some(RiskInput::EmNumber(e as i32))
        } else {
            self.problem(
                Field::EmNumber,
                Some(&e.to_string()),
                "is out of range (EM numbers run from 2 to 25)".into(),
            );
            None
        }
    }

    fn missing_part(&mut self, f: Field) {
        let what = match f {
            Field::RiskFunction => "the function score",
            Field::RiskPhysical => "the physical risk score",
            _ => "the maintenance requirement score",
        };
        if self.layout.get(f).is_some() {
            self.problem(
                f,
                None,
                format!("{what} is needed with the other risk scores"),
            );
        } else {
            self.problems.push(Problem {
                line: self.line,
                column: None,
                value: None,
                reason: format!("risk scores are given without a column for {what}"),
            });
        }
    }

    fn network(&mut self) -> Option<NetworkImport> {
        let ip = self
            .typed_text(Field::Ip)
            .filter(|t| !t.eq_ignore_ascii_case("dhcp"));
        let ip = match ip {
            Some(t) if t.parse::<std::net::IpAddr>().is_err() => {
                self.problem(Field::Ip, Some(&t), "is not an IP address".into());
                None
            }
            other => other.map(Cow::into_owned),
        };
        let mac = match self.typed_text(Field::Mac) {
            Some(t) => match normalize_mac(&t) {
                Some(m) => Some(m),
                None => {
                    self.problem(
                        Field::Mac,
                        Some(&t),
                        "is not a MAC address (expected 12 hex digits, e.g. 00:1A:2B:3C:4D:5E)"
                            .into(),
                    );
                    None
                }
            },
            None => None,
        };
        let net = NetworkImport {
            hostname: self.text(Field::Hostname),
            ip,
            mac,
            vlan: self
                .whole(Field::Vlan, 1..=4094, "a VLAN id")
                .map(|v| v as u16),
            os_name: self.text(Field::OsName),
            os_version: self.text(Field::OsVersion),
            firmware: self.text(Field::Firmware),
        };
        (net != NetworkImport::default()).then_some(net)
    }

    fn parse(&mut self, opts: &ImportOptions) -> AssetImportRow {
        let tag = match self.text(Field::Tag) {
            None => {
                self.missing(Field::Tag, "the asset tag");
                String::new()
            }
            Some(raw) => match normalize_tag(&raw) {
                Ok(t) => t,
                Err(e) => {
                    self.problem(Field::Tag, Some(&raw), format!("is not a usable tag ({e})"));
                    String::new()
                }
            },
        };
        let parent_tag = match self.text(Field::ParentTag) {
            Some(raw) => match normalize_tag(&raw) {
                Ok(t) => Some(t),
                Err(e) => {
                    self.problem(
                        Field::ParentTag,
                        Some(&raw),
                        format!("is not a usable tag ({e})"),
                    );
                    None
                }
            },
            None => None,
        };
        AssetImportRow {
            line: self.line,
            serial: self.text(Field::Serial),
            manufacturer: self.required_text(Field::Manufacturer, "the manufacturer"),
            model: self.required_text(Field::Model, "the model"),
            device_type_code: self.text(Field::DeviceTypeCode),
            device_type_name: self.text(Field::DeviceTypeName),
            site: self.text(Field::Site),
            department: self.required_text(Field::Department, "the department"),
            building: self.text(Field::Building),
            floor: self.text(Field::Floor),
            room: self.text(Field::Room),
            ownership: self.code(
                Field::Ownership,
                parse_ownership,
                "ownership",
                Ownership::ALL,
            ),
            status: self.code(Field::Status, parse_status, "status", AssetStatus::ALL),
            acquired_on: self.date(Field::AcquiredOn, opts),
            acquisition_cost: self.money(Field::AcquisitionCost),
            warranty_end: self.date(Field::WarrantyEnd, opts),
            expected_life_years: self
                .whole(Field::ExpectedLife, 1..=100, "expected life in years")
                .map(|n| n as u16),
            risk: self.risk(),
            life_support: self.flag(Field::LifeSupport),
            parent_tag,
            notes: self.text(Field::Notes),
            network: self.network(),
            tag,
        }
    }

    /// The tag to check for duplicates: only a tag that itself parsed.
    fn tag_for_duplicates(&self, row: &AssetImportRow) -> Option<String> {
        (!row.tag.is_empty()).then(|| row.tag.clone())
    }
}

/// Status codes plus the words CMMS exports commonly use for them.
pub fn parse_status(s: &str) -> Option<AssetStatus> {
    AssetStatus::parse(s).or_else(|| match crate::fields::header_key(s).as_str() {
        "active" | "inuse" | "inservice" | "operational" => Some(AssetStatus::InService),
        "oos" | "down" | "outofservice" | "inactive" => Some(AssetStatus::OutOfService),
        "repair" | "underrepair" | "inrepair" | "awaitingrepair" => Some(AssetStatus::InRepair),
        "disposed" | "salvaged" | "scrapped" | "decommissioned" | "retired" => {
            Some(AssetStatus::Retired)
        }
        "lost" | "notlocated" | "cannotlocate" | "missing" => Some(AssetStatus::Missing),
        _ => None,
    })
}

/// Ownership codes plus common CMMS words.
pub fn parse_ownership(s: &str) -> Option<Ownership> {
    Ownership::parse(s).or_else(|| match crate::fields::header_key(s).as_str() {
        "own" | "purchased" | "capital" | "hospitalowned" => Some(Ownership::Owned),
        "lease" => Some(Ownership::Leased),
        "rent" | "rented" => Some(Ownership::Rental),
        "loan" | "loaned" | "onloan" => Some(Ownership::Loaner),
        "demonstration" | "evaluation" | "eval" | "trial" => Some(Ownership::Demo),
        _ => None,
    })
}

/// Drives one file: rows go to the header search until the header is
/// found, then to validation.
#[derive(Debug)]
pub(crate) struct Pipeline<'o> {
    file: String,
    opts: &'o ImportOptions,
    search: HeaderSearch,
    validator: Option<Validator<'o>>,
}

impl<'o> Pipeline<'o> {
    pub fn new(file: &str, opts: &'o ImportOptions) -> Self {
        Pipeline {
            file: file.to_string(),
            opts,
            search: HeaderSearch::default(),
            validator: None,
        }
    }

    pub fn row<R: RowCells + ?Sized>(&mut self, line: u64, row: &R) -> Result<(), ImportError> {
        if let Some(v) = &mut self.validator {
            return v.push_row(line, row);
        }
        if (0..row.len()).all(|i| row.cell(i).is_blank()) {
            return Ok(());
        }
        let headers = (0..row.len())
            .map(|i| row.cell(i).text().trim().to_string())
            .collect();
        let found = self
            .search
            .offer(&self.file, line, headers, self.opts.mapping.as_ref())?;
        if let Some((header_line, layout)) = found {
            self.validator = Some(Validator::new(&self.file, header_line, layout, self.opts));
        }
        Ok(())
    }

    /// True once the header has been found; readers size their per-row
    /// limits from it.
    pub fn header_width(&self) -> Option<usize> {
        self.validator.as_ref().map(|v| v.layout.headers.len())
    }

    pub fn finish(mut self) -> Result<ImportReport, ImportError> {
        match self.validator {
            Some(v) => Ok(v.finish()),
            None => Err(self.search.give_up(&self.file, self.opts.mapping.as_ref())),
        }
    }
}
