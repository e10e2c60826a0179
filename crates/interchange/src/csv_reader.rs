//! CSV input: delimiter detection, spreadsheet row numbers, and a bound on
//! the memory one record may take.
//!
//! Rows are numbered as a spreadsheet shows the file: blank lines count as
//! rows, and a quoted value spanning lines is one row. The `csv` crate
//! counts physical lines, so the row number is derived from its line count
//! minus the newlines inside quoted values.

use crate::row::{Pipeline, RowCells};
use crate::values::{Cell, decode};
use crate::{ImportError, ImportOptions, ImportReport};
use csv::ByteRecord;
use std::cell::Cell as StdCell;
use std::io::{BufRead, BufReader, Read};

/// Bytes examined to detect the delimiter.
const SNIFF_BYTES: usize = 64 * 1024;
const READ_BUFFER: usize = 64 * 1024;

/// Where the CSV reader hands its rows: the inventory pipeline, or the
/// work-history one (`history`), which share this reader's row numbering
/// and memory bound.
pub(crate) trait RowSink {
    fn row<R: RowCells + ?Sized>(&mut self, line: u64, row: &R) -> Result<(), ImportError>;
    /// The header's width once found, to size the per-record budget.
    fn header_width(&self) -> Option<usize>;
}

impl RowSink for Pipeline<'_> {
    fn row<R: RowCells + ?Sized>(&mut self, line: u64, row: &R) -> Result<(), ImportError> {
        Pipeline::row(self, line, row)
    }

    fn header_width(&self) -> Option<usize> {
        Pipeline::header_width(self)
    }
}

pub(crate) fn read(
    input: impl Read,
    opts: &ImportOptions,
    file: &str,
) -> Result<ImportReport, ImportError> {
    let mut pipeline = Pipeline::new(file, opts);
    read_rows(
        input,
        opts.delimiter,
        opts.max_cell_bytes,
        file,
        &mut pipeline,
    )?;
    pipeline.finish()
}

/// Reads every record of `input` into `sink`, numbered as a spreadsheet
/// shows the rows.
pub(crate) fn read_rows<S: RowSink>(
    input: impl Read,
    delimiter: Option<u8>,
    max_cell_bytes: usize,
    file: &str,
    sink: &mut S,
) -> Result<(), ImportError> {
    let io_err = |source| ImportError::Io {
        file: file.to_string(),
        source,
    };
    let mut buffered = BufReader::with_capacity(SNIFF_BYTES, input);
    let delimiter = match delimiter {
        Some(d) => d,
        None => sniff_delimiter(buffered.fill_buf().map_err(io_err)?),
    };
    let guard = Guard {
        inner: buffered,
        delivered: 0,
        allowed: StdCell::new(record_budget(max_cell_bytes, None)),
        tripped: StdCell::new(false),
        eof: StdCell::new(false),
        last_byte: StdCell::new(0),
    };
    // Only '\n' ends a record: with CRLF the '\r' stays in the last field
    // (and is trimmed), so every record's newline is consumed with it and
    // the line arithmetic below stays exact.
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(READ_BUFFER)
        .from_reader(guard);

    let mut record = ByteRecord::new();
    let mut row_no: u64 = 0;
    let mut first = true;
    loop {
        let before = rdr.position().line();
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let g = rdr.get_ref();
                if g.tripped.get() {
                    return Err(ImportError::RecordTooLarge {
                        file: file.to_string(),
                        line: row_no + 1,
                        max_bytes: g.allowed.get().saturating_sub(rdr.position().byte()),
                    });
                }
                return Err(match e.into_kind() {
                    csv::ErrorKind::Io(source) => io_err(source),
                    other => ImportError::Csv {
                        file: file.to_string(),
                        line: row_no + 1,
                        message: format!("{other:?}"),
                    },
                });
            }
        }
        let after = rdr.position().line();
        let consumed = rdr.position().byte();
        let g = rdr.get_ref();
        let embedded = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        // The last record of a file may end without a newline.
        let ended_by_newline =
            !(g.eof.get() && consumed == g.delivered && g.last_byte.get() != b'\n');
        let blank_lines = (after - before).saturating_sub(embedded + u64::from(ended_by_newline));
        row_no += blank_lines + 1;

        let row = CsvRow {
            record: &record,
            skip_bom: first,
        };
        first = false;
        sink.row(row_no, &row)?;
        g.allowed
            .set(consumed + record_budget(max_cell_bytes, sink.header_width()));
    }
    Ok(())
}

/// Most bytes one record may take before the reader gives up. Each cell is
/// limited to `max_cell_bytes` anyway (a longer one is a row problem), so a
/// record far beyond width × limit is an unclosed quote swallowing the rest
/// of the file, not data.
fn record_budget(max_cell_bytes: usize, width: Option<usize>) -> u64 {
    let cols = width.unwrap_or(256).max(1) as u64 + 16;
    (max_cell_bytes as u64 + 2)
        .saturating_mul(cols)
        .saturating_add(64 * 1024)
}

/// Picks the separator that splits the first lines most: comma, semicolon
/// (European Excel) or tab (`.txt` exports). Quoted text is skipped so a
/// comma inside a quoted header does not count.
fn sniff_delimiter(head: &[u8]) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];
    let mut best = [0usize; 3];
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    let mut lines = 0;
    for &b in head {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                for k in 0..3 {
                    best[k] = best[k].max(counts[k]);
                }
                counts = [0; 3];
                lines += 1;
                if lines >= 10 {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(k) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[k] += 1;
                }
            }
            _ => {}
        }
    }
    for k in 0..3 {
        best[k] = best[k].max(counts[k]);
    }
    // Ties go to the comma, the common case.
    let mut pick = 0;
    for k in 1..3 {
        if best[k] > best[pick] {
            pick = k;
        }
    }
    CANDIDATES[pick]
}

/// A reader that stops once the current record exceeds its byte budget,
/// and records what the row arithmetic needs to know about the end of input.
struct Guard<R> {
    inner: R,
    delivered: u64,
    /// Byte offset the input may not pass; moved forward after each record.
    allowed: StdCell<u64>,
    tripped: StdCell<bool>,
    eof: StdCell<bool>,
    last_byte: StdCell<u8>,
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let room = self.allowed.get().saturating_sub(self.delivered);
        if room == 0 {
            self.tripped.set(true);
            return Err(std::io::Error::other("record exceeds its size limit"));
        }
        let take = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..take])?;
        if n == 0 {
            self.eof.set(true);
        } else {
            self.last_byte.set(buf[n - 1]);
        }
        self.delivered += n as u64;
        Ok(n)
    }
}

struct CsvRow<'r> {
    record: &'r ByteRecord,
    skip_bom: bool,
}

impl RowCells for CsvRow<'_> {
    fn len(&self) -> usize {
        self.record.len()
    }

    fn cell(&self, i: usize) -> Cell<'_> {
        let mut bytes = self.record.get(i).unwrap_or_default();
        if i == 0 && self.skip_bom {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        Cell::Text(decode(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter(b"Tag,Mfr,Model\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter(b"Tag;Mfr;Model\n1;2;3\n"), b';');
        assert_eq!(sniff_delimiter(b"Tag\tMfr\tModel\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b;c;d\",x,y\n"), b',');
        assert_eq!(
            sniff_delimiter(b"Inventory report\nTag\tMfr\tModel\n"),
            b'\t'
        );
        assert_eq!(sniff_delimiter(b""), b',');
    }
}
