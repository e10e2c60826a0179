//! Parsing of cell values as CMMS exports and spreadsheets write them:
//! dates in ISO, US or day-first order, Excel serial dates, yes/no flags,
//! whole numbers that Excel may have stored as `12.0`.
//!
//! Errors are reason phrases that read after the quoted value
//! ("'2023-02-30' is not a date (February 2023 has no day 30)"), so the
//! report can print them as a sentence.

use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;

/// How to read slash dates whose order is ambiguous (`04/05/2023`). ISO
/// dates (`2023-04-05`, `2023/04/05`) are always year-first and read the
/// same in both orders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DateOrder {
    /// `MM/DD/YYYY`, the US convention most CMMS exports use.
    #[default]
    Us,
    /// `DD/MM/YYYY`.
    Day,
}

/// One cell as a reader hands it to validation. CSV gives text only;
/// spreadsheets also give typed numbers and dates, which must not go
/// through text (a date cell formatted `dd-mmm` would otherwise fail).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell<'a> {
    Empty,
    Text(Cow<'a, str>),
    Number(f64),
    Date(NaiveDate),
    /// An Excel error value such as `#N/A`.
    Error(String),
}

impl<'a> Cell<'a> {
    /// True when the cell holds nothing but whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as trimmed text, borrowing when the cell does.
    pub fn into_text(self) -> Cow<'a, str> {
        match self {
            Cell::Text(Cow::Borrowed(t)) => Cow::Borrowed(t.trim()),
            Cell::Text(Cow::Owned(t)) => Cow::Owned(t.trim().to_string()),
            other => Cow::Owned(other.text().into_owned()),
        }
    }

    /// Size in bytes of the cell's text, for the per-cell limit.
    pub fn text_len(&self) -> usize {
        match self {
            Cell::Text(t) => t.len(),
            Cell::Error(e) => e.len(),
            _ => 0,
        }
    }

    /// The value as text, as a user would see it. Numbers that are whole
    /// print without a fraction, because Excel stores tags and serials like
    /// `1042` as the float `1042.0`.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(t) => Cow::Borrowed(t.trim()),
            Cell::Number(n) => Cow::Owned(format_number(*n)),
            Cell::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            Cell::Error(e) => Cow::Borrowed(e.as_str()),
        }
    }
}

pub(crate) fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Decodes one CSV field. Valid UTF-8 borrows; anything else is read as
/// Windows-1252, the encoding older Windows CMMS exports use, so an `é` in
/// a department name does not reject the whole file.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| cp1252(b)).collect()),
    }
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

const DATE_FORMS: &str = "expected YYYY-MM-DD, MM/DD/YYYY or MM/DD/YY";
const DATE_FORMS_DAY: &str = "expected YYYY-MM-DD, DD/MM/YYYY or DD/MM/YY";

/// Parses a date as exports write it. Accepted: `2023-04-05`,
/// `2023/04/05`, a trailing time (`2023-04-05 00:00:00`,
/// `2023-04-05T08:30:00Z`) which is dropped, and `4/5/2023`, `04/05/23`,
/// `4-5-2023`, `4.5.2023` in the given order. Two-digit years 00–69 are
/// 20xx and 70–99 are 19xx, as Excel reads them.
pub fn parse_date(s: &str, order: DateOrder) -> Result<NaiveDate, String> {
    let forms = match order {
        DateOrder::Us => DATE_FORMS,
        DateOrder::Day => DATE_FORMS_DAY,
    };
    let t = s.trim();
    // Drop a time part: "2023-04-05 00:00:00", "2023-04-05T08:30:00Z", "4/5/2023 12:00 AM".
    let date_part = t.split_once(['T', ' ']).map(|(d, _)| d).unwrap_or(t);
    let sep = match date_part.bytes().find(|b| matches!(b, b'-' | b'/' | b'.')) {
        Some(b) => b as char,
        None => return Err(format!("is not a date ({forms})")),
    };
    let mut parts = date_part.split(sep);
    let (a, b, c) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), Some(c), None) => (a, b, c),
        _ => return Err(format!("is not a date ({forms})")),
    };
    let num = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            p.parse().ok()
        }
    };
    let (Some(na), Some(nb), Some(nc)) = (num(a), num(b), num(c)) else {
        return Err(format!("is not a date ({forms})"));
    };
    let (y, m, d) = if a.len() == 4 {
        // Year first is unambiguous: always Y-M-D.
        (na as i32, nb, nc)
    } else if c.len() == 4 || c.len() == 2 {
        let year = if c.len() == 2 {
            if nc < 70 {
                2000 + nc as i32
            } else {
                1900 + nc as i32
            }
        } else {
            nc as i32
        };
        match order {
            DateOrder::Us => (year, na, nb),
            DateOrder::Day => (year, nb, na),
        }
    } else {
        return Err(format!("is not a date ({forms})"));
    };
    make_date(y, m, d).map_err(|why| {
        let hint = match order {
            DateOrder::Us if a.len() != 4 && m > 12 && nb <= 12 => {
                "; slash dates are read as MM/DD/YYYY, choose day-first order for DD/MM/YYYY"
            }
            DateOrder::Day if a.len() != 4 && m > 12 && na <= 12 => {
                "; slash dates are read as DD/MM/YYYY, choose US order for MM/DD/YYYY"
            }
            _ => "",
        };
        format!("is not a date ({why}{hint})")
    })
}

fn make_date(y: i32, m: u32, d: u32) -> Result<NaiveDate, String> {
    if !(1900..=9999).contains(&y) {
        return Err(format!("year {y} is out of range"));
    }
    if !(1..=12).contains(&m) {
        return Err(format!("there is no month {m}"));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
        format!("{} {y} has no day {d}", month_name(first.month()))
    })
}

fn month_name(m: u32) -> &'static str {
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    .get(m as usize - 1)
    .copied()
    .unwrap_or("?")
}

/// Converts an Excel serial day number (1900 date system) to a date.
/// Serials below 61 fall before Excel's fictitious 1900-02-29 and are no
/// plausible device date, so they are rejected rather than mis-shifted.
pub fn excel_serial_date(serial: f64) -> Result<NaiveDate, String> {
    if !serial.is_finite() || !(61.0..2_958_466.0).contains(&serial) {
        return Err("is a number, not a date".into());
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    epoch
        .checked_add_days(chrono::Days::new(serial.floor() as u64))
        .ok_or_else(|| "is a number, not a date".into())
}

/// Reads a yes/no flag: `yes/no`, `y/n`, `true/false`, `1/0`, and `x` for
/// the checkbox-column style where a mark means yes.
pub fn parse_bool(s: &str) -> Result<bool, String> {
    let t = s.trim();
    let is = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
    if is(&["yes", "y", "true", "t", "1", "x"]) {
        Ok(true)
    } else if is(&["no", "n", "false", "f", "0"]) {
        Ok(false)
    } else {
        Err("is not yes or no (accepted: yes/no, y/n, true/false, 1/0, x)".into())
    }
}

/// Reads a whole number, allowing the `12.0` spreadsheets produce.
pub fn parse_whole(s: &str) -> Result<i64, String> {
    let t = s.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Ok(n);
    }
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => Ok(f as i64),
        Ok(_) => Err("is not a whole number".into()),
        Err(_) => Err("is not a number".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn accepts_iso_us_and_short_years() {
        let us = DateOrder::Us;
        assert_eq!(parse_date("2023-04-05", us), Ok(d(2023, 4, 5)));
        assert_eq!(parse_date("2023/04/05", us), Ok(d(2023, 4, 5)));
        assert_eq!(parse_date("4/5/2023", us), Ok(d(2023, 4, 5)));
        assert_eq!(parse_date("04/05/23", us), Ok(d(2023, 4, 5)));
        assert_eq!(parse_date("12/31/69", us), Ok(d(2069, 12, 31)));
        assert_eq!(parse_date("1/1/70", us), Ok(d(1970, 1, 1)));
        assert_eq!(parse_date("2023-04-05 00:00:00", us), Ok(d(2023, 4, 5)));
        assert_eq!(parse_date("2023-04-05T08:30:00Z", us), Ok(d(2023, 4, 5)));
        assert_eq!(parse_date("4/5/2023 12:00 AM", us), Ok(d(2023, 4, 5)));
    }

    #[test]
    fn day_first_order_only_changes_slash_dates() {
        let day = DateOrder::Day;
        assert_eq!(parse_date("4/5/2023", day), Ok(d(2023, 5, 4)));
        assert_eq!(parse_date("31.12.2023", day), Ok(d(2023, 12, 31)));
        assert_eq!(parse_date("2023-04-05", day), Ok(d(2023, 4, 5)));
    }

    #[test]
    fn impossible_dates_say_why() {
        let e = parse_date("2023-02-30", DateOrder::Us).unwrap_err();
        assert!(e.contains("February 2023 has no day 30"), "{e}");
        let e = parse_date("13/45/2020", DateOrder::Us).unwrap_err();
        assert!(e.contains("no month 13"), "{e}");
        let e = parse_date("25/12/2020", DateOrder::Us).unwrap_err();
        assert!(e.contains("day-first"), "{e}");
        for bad in [
            "",
            "yesterday",
            "2023-04",
            "1/2/3/4",
            "45000",
            "2023-4-5-6",
            "a/b/2020",
        ] {
            assert!(parse_date(bad, DateOrder::Us).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_serial_date(45021.0), Ok(d(2023, 4, 5)));
        assert_eq!(excel_serial_date(61.0), Ok(d(1900, 3, 1)));
        assert!(excel_serial_date(12.0).is_err());
        assert!(excel_serial_date(f64::NAN).is_err());
    }

    #[test]
    fn flags_and_numbers() {
        for y in ["Yes", "y", "TRUE", "1", "x", "X"] {
            assert_eq!(parse_bool(y), Ok(true), "{y}");
        }
        for n in ["no", "N", "false", "0"] {
            assert_eq!(parse_bool(n), Ok(false), "{n}");
        }
        assert!(parse_bool("maybe").is_err());
        assert_eq!(parse_whole("12"), Ok(12));
        assert_eq!(parse_whole("12.0"), Ok(12));
        assert!(parse_whole("12.5").is_err());
        assert!(parse_whole("high").is_err());
    }

    #[test]
    fn non_utf8_reads_as_windows_1252() {
        assert_eq!(decode(b"Cardiolog\xeda"), "Cardiología");
        assert_eq!(decode(b"\x93OR\x94"), "\u{201c}OR\u{201d}");
        assert!(matches!(decode("plain".as_bytes()), Cow::Borrowed(_)));
    }
}
