//! XLSX/XLSM input. Cells are streamed row by row rather than loading the
//! sheet as one grid, so the row limit stops a huge sheet early. Typed cells
//! stay typed: a real date cell becomes a date without going through text,
//! and a number in a date column is read as an Excel serial date.

use crate::row::{Pipeline, RowCells};
use crate::values::Cell;
use crate::{ImportError, ImportOptions, ImportReport};
use calamine::{DataRef, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::path::Path;

/// Widest row read; cells to the right of this are data nobody typed on
/// purpose (Excel allows 16,384 columns).
const MAX_COLUMNS: usize = 1024;

pub(crate) fn read(path: &Path, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let file = path.display().to_string();
    let wb_err = |e: calamine::XlsxError| ImportError::Workbook {
        file: file.clone(),
        message: e.to_string(),
    };
    if let Err(source) = std::fs::metadata(path) {
        return Err(ImportError::Io {
            file: file.clone(),
            source,
        });
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
    let mut pipeline = Pipeline::new(&file, opts);
    let mut row: Vec<DataRef<'_>> = Vec::new();
    let mut current: Option<u32> = None;
    while let Some(cell) = cells.next_cell().map_err(wb_err)? {
        let (r, c) = cell.get_position();
        if current != Some(r) {
            if let Some(prev) = current {
                pipeline.row(u64::from(prev) + 1, &XlsxRow(&row))?;
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
        pipeline.row(u64::from(prev) + 1, &XlsxRow(&row))?;
    }
    pipeline.finish()
}

struct XlsxRow<'r, 'a>(&'r [DataRef<'a>]);

impl RowCells for XlsxRow<'_, '_> {
    fn len(&self) -> usize {
        // Formatted but empty cells at the end of a row are not fields.
        self.0
            .iter()
            .rposition(|d| !matches!(d, DataRef::Empty))
            .map_or(0, |i| i + 1)
    }

    fn cell(&self, i: usize) -> Cell<'_> {
        match self.0.get(i) {
            None | Some(DataRef::Empty) => Cell::Empty,
            Some(DataRef::String(s)) => Cell::Text(Cow::Borrowed(s)),
            Some(DataRef::SharedString(s)) => Cell::Text(Cow::Borrowed(s)),
            Some(DataRef::Int(n)) => Cell::Number(*n as f64),
            Some(DataRef::Float(f)) => Cell::Number(*f),
            Some(DataRef::Bool(b)) => Cell::Text(Cow::Borrowed(if *b { "yes" } else { "no" })),
            Some(DataRef::DateTime(dt)) if dt.is_datetime() => {
                // Calamine applies the workbook's 1900/1904 date system here.
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                match NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d)) {
                    Some(date) => Cell::Date(date),
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
