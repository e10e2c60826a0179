//! Inventory and work-history import from CSV and XLSX with a validation
//! report, and CSV export of assets and work orders.
//!
//! Owns: recognising the columns of other CMMS exports (header aliases and
//! an explicit mapping), parsing their values (dates in several orders,
//! Excel serial dates, currency, yes/no flags, MAC addresses, EM scores),
//! checking every row and reporting each problem with the spreadsheet row,
//! the column as the file names it, the value and the reason; and writing
//! assets and work orders as CSV that re-imports unchanged.
//!
//! Also owns the import's plan ([`plan_assets`]): which departments,
//! rooms, makers, models and assets a file creates and which assets it
//! updates, decided against an [`Inventory`] the caller implements over its
//! own store (the tablet's SQLite, the server's row store), with ids
//! derived from natural keys so every device and the server mint the same.
//!
//! Must not know: the database (only the [`Inventory`] trait), random ids,
//! or the clock. Writing the plan, in one transaction, is the caller's.
//! With no clock there is no "date in the future" check here either.
//!
//! Work history (`history`, `history_plan`): past work orders from an old
//! CMMS, one row each, read by [`read_history`] into [`HistoryRow`]s with
//! the same kind of report ([`HistoryReport`]); old kinds, statuses and
//! closure codes are mapped onto Biomend's ([`ClosureMap`]), never guessed.
//! [`plan_history`] then turns good rows into the domain's
//! [`WorkOrderBundle`](biomend_domain::dataset::WorkOrderBundle)s, with the
//! inventory, existing numbers, people and vendors looked up through
//! [`HistoryLookup`], ids from the old number (so a re-import or a second
//! device mints the same ids) or an injected source, and "now" a
//! parameter. Writing the bundles is the app core's job.
//!
//! Errors: only file-level failures are [`ImportError`] (unreadable file, no
//! header, a required column absent, a bad mapping, a file over the row
//! limit). Everything wrong with a single row goes into
//! [`ImportReport::problems`], so one bad row never hides the others.

mod csv_reader;
mod export;
mod fields;
mod history;
mod history_codes;
mod history_fields;
mod history_plan;
mod plan;
mod report;
mod row;
mod values;
mod xlsx_reader;

pub use export::{
    AssetExportRow, ExportError, WorkOrderExportRow, write_assets_csv, write_work_orders_csv,
};
pub use fields::{ColumnMapping, Field, MappingTarget, field_for_header, header_key};
pub use history::{
    HistoryColumnUse, HistoryDowntime, HistoryOptions, HistoryReport, HistoryRow,
    MAX_DOWNTIME_HOURS, MAX_HISTORY_COST, MAX_HISTORY_LABOR_MINUTES, normalize_wo_number,
    read_history, read_history_csv, read_history_xlsx,
};
pub use history_codes::{
    ClosureMap, ClosureTarget, DATE_ONLY_TIME, HistoryStatus, LocalStamp, closure_fits,
    closure_key, codes_for_kind, parse_history_kind, parse_history_status, parse_stamp,
};
pub use history_fields::{HistoryField, HistoryMapping, history_field_for_header};
pub use history_plan::{
    HistoryAsset, HistoryLookup, HistoryPlan, HistoryPlanOptions, HistoryPlanner,
    history_namespace, plan_history,
};
pub use plan::{
    AssetPlan, AssetRevision, Inventory, NEW_TYPE_LIFE_YEARS, NEW_TYPE_RISK, NetworkRevision,
    PlanScope, asset_id_for_tag, plan_assets, score_for_em,
};
pub use report::{ColumnUse, ImportReport, Problem};
pub use row::{AssetImportRow, NetworkImport, RiskInput, parse_ownership, parse_status};
pub use values::{DateOrder, excel_serial_date, parse_bool, parse_date};

use std::path::{Path, PathBuf};

/// How to read a file. `Default` suits a typical US CMMS export.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportOptions {
    /// Explicit header → field mapping; overrides aliases.
    pub mapping: Option<ColumnMapping>,
    /// Order of ambiguous slash dates; ISO dates are always accepted.
    pub date_order: DateOrder,
    /// More data rows than this fails the import: a file that large is
    /// almost surely the wrong file, and the app must not load it all.
    pub max_rows: u64,
    /// Longest cell accepted, in bytes; longer cells are row problems.
    pub max_cell_bytes: usize,
    /// Worksheet to read from a workbook (case-insensitive); the first
    /// sheet when `None`.
    pub sheet: Option<String>,
    /// CSV field separator; detected from the first lines when `None`
    /// (comma, semicolon or tab).
    pub delimiter: Option<u8>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            mapping: None,
            date_order: DateOrder::Us,
            max_rows: 1_000_000,
            max_cell_bytes: 4096,
            sheet: None,
            delimiter: None,
        }
    }
}

/// A failure of the whole file. Row-level problems are never errors.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {file} as an Excel workbook: {message}")]
    Workbook { file: String, message: String },
    #[error("{file} has no worksheet named '{sheet}' (it has: {})", available.join(", "))]
    NoSheet {
        file: String,
        sheet: String,
        available: Vec<String>,
    },
    #[error("{file} is empty: no header row found")]
    NoHeader { file: String },
    #[error(
        "{file}: the header (row {line}) has no column for {}; headers found: {}",
        describe_missing(missing),
        quote_list(headers)
    )]
    MissingColumns {
        file: String,
        line: u64,
        missing: Vec<Field>,
        headers: Vec<String>,
    },
    #[error(
        "{file}: the header (row {line}) has no column for {}; headers found: {}",
        history::missing_history_columns(missing),
        quote_list(headers)
    )]
    /// A work-history file's header lacks a required column.
    MissingHistoryColumns {
        /// The file as the user named it.
        file: String,
        /// The row taken as the header (the first non-blank one).
        line: u64,
        /// Required fields no column fills.
        missing: Vec<HistoryField>,
        /// The headers found, as written.
        headers: Vec<String>,
    },
    #[error(
        "{file}: the column mapping names column '{header}', which is not in the header (headers found: {})",
        quote_list(headers)
    )]
    MappedColumnNotFound {
        file: String,
        header: String,
        headers: Vec<String>,
    },
    #[error(
        "column mapping: '{name}' (for column '{header}') is not a field; fields are: {}",
        field_codes()
    )]
    UnknownField { name: String, header: String },
    #[error("column mapping: '{entry}': {reason}")]
    BadMapping { entry: String, reason: String },
    #[error("{file} has more than {max} data rows; split it or raise the limit")]
    TooManyRows { file: String, max: u64 },
    #[error("{file}: row {line} is longer than {max_bytes} bytes; a quote is probably not closed")]
    RecordTooLarge {
        file: String,
        line: u64,
        max_bytes: u64,
    },
    #[error("{file}: cannot parse CSV near row {line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    #[error("{file}: unsupported file type; use .csv, .txt, .xlsx or .xlsm")]
    UnsupportedFileType { file: PathBuf },
}

fn describe_missing(missing: &[Field]) -> String {
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

fn quote_list(items: &[String]) -> String {
    if items.is_empty() {
        return "none".into();
    }
    items
        .iter()
        .map(|h| format!("'{h}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn field_codes() -> String {
    Field::ALL
        .iter()
        .map(|f| f.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads assets from CSV bytes (UTF-8 with or without BOM, or
/// Windows-1252; CRLF or LF; comma, semicolon or tab separated).
pub fn read_assets_csv(
    input: impl std::io::Read,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    csv_reader::read(input, opts, "input")
}

/// Reads assets from the first worksheet of an `.xlsx`/`.xlsm` workbook,
/// or the one named in [`ImportOptions::sheet`].
pub fn read_assets_xlsx(path: &Path, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    xlsx_reader::read(path, opts)
}

/// Reads assets from a file, choosing the reader by extension.
pub fn read_assets(path: &Path, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
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
            csv_reader::read(f, opts, &file)
        }
        Some("xlsx") | Some("xlsm") => xlsx_reader::read(path, opts),
        _ => Err(ImportError::UnsupportedFileType {
            file: path.to_path_buf(),
        }),
    }
}
