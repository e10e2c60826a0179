//! What an import found: the rows that passed, and for the rest every
//! problem with its spreadsheet row, column as the file names it, the value,
//! and why, so a user can fix the file and import again.

use crate::Field;
use crate::row::AssetImportRow;
use std::fmt;

/// One thing wrong with one row. A row with any problem is not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Spreadsheet row number (the header is normally row 1).
    pub line: u64,
    /// The header as written in the file, when the problem is in one cell.
    pub column: Option<String>,
    /// The offending value, shortened when very long.
    pub value: Option<String>,
    /// Why; phrased to follow the quoted value ("is not a date (...)").
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}", self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column '{c}'")?;
        }
        f.write_str(": ")?;
        if let Some(v) = &self.value {
            write!(f, "'{v}' ")?;
        }
        f.write_str(&self.reason)
    }
}

/// How one column of the file was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnUse {
    pub header: String,
    /// The field it fills, or `None` when the column is not read.
    pub field: Option<Field>,
}

/// The result of reading one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportReport {
    /// Data rows read, blank rows not counted.
    pub rows_read: u64,
    /// Rows without any problem, in file order.
    pub good: Vec<AssetImportRow>,
    /// Every problem found, in file order.
    pub problems: Vec<Problem>,
    /// How each column was understood, in file order.
    pub columns: Vec<ColumnUse>,
    /// Things worth telling the user that are not problems: columns not
    /// read, rows skipped above the header.
    pub notes: Vec<String>,
}

impl ImportReport {
    /// Number of rows rejected (a row may have several problems).
    pub fn rows_rejected(&self) -> u64 {
        self.rows_read - self.good.len() as u64
    }

    /// One line for a summary banner: "1200 rows read: 1195 ready, 5 with problems".
    pub fn summary(&self) -> String {
        format!(
            "{} rows read: {} ready, {} with problems",
            self.rows_read,
            self.good.len(),
            self.rows_rejected()
        )
    }

    /// Problems of one row, for a row-by-row view.
    pub fn problems_at(&self, line: u64) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.line == line)
    }
}

/// One line per problem, in file order.
impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_reads_as_a_sentence() {
        let p = Problem {
            line: 7,
            column: Some("Acq Date".into()),
            value: Some("2023-02-30".into()),
            reason: "is not a date (February 2023 has no day 30)".into(),
        };
        assert_eq!(
            p.to_string(),
            "row 7, column 'Acq Date': '2023-02-30' is not a date (February 2023 has no day 30)"
        );
        let p = Problem {
            line: 3,
            column: None,
            value: None,
            reason: "has 9 fields but the header has 8".into(),
        };
        assert_eq!(p.to_string(), "row 3: has 9 fields but the header has 8");
    }
}
