//! Conversions between domain values and SQLite values. Instants are stored
//! as RFC 3339 UTC with milliseconds and a `Z`, so text order is time order.

use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::Row;
use uuid::Uuid;

pub fn ts(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let (y, nanos) = (t.year(), t.nanosecond());
    // chrono's own formatting interprets a format description per call,
    // which showed in a pull of 100k rows; this is the same text for every
    // instant a four-digit year can hold (leap seconds go to chrono).
    if (0..=9999).contains(&y) && nanos < 1_000_000_000 {
        format!(
            "{y:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            nanos / 1_000_000
        )
    } else {
        t.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

pub fn ts_opt(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(ts)
}

pub fn date(d: NaiveDate) -> String {
    use chrono::Datelike;
    let y = d.year();
    if (0..=9999).contains(&y) {
        format!("{y:04}-{:02}-{:02}", d.month(), d.day())
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

pub fn date_opt(d: Option<NaiveDate>) -> Option<String> {
    d.map(date)
}

pub fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            what: "timestamp",
            detail: format!("'{s}': {e}"),
        })
}

pub fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt {
        what: "date",
        detail: format!("'{s}': {e}"),
    })
}

/// Typed column access with corruption reported as data errors rather than
/// panics.
pub trait RowExt {
    fn uuid(&self, col: &str) -> Result<Uuid>;
    fn uuid_opt(&self, col: &str) -> Result<Option<Uuid>>;
    fn text(&self, col: &str) -> Result<String>;
    fn text_opt(&self, col: &str) -> Result<Option<String>>;
    fn int(&self, col: &str) -> Result<i64>;
    fn int_opt(&self, col: &str) -> Result<Option<i64>>;
    fn real_opt(&self, col: &str) -> Result<Option<f64>>;
    fn date(&self, col: &str) -> Result<NaiveDate>;
    fn date_opt(&self, col: &str) -> Result<Option<NaiveDate>>;
    fn ts(&self, col: &str) -> Result<DateTime<Utc>>;
    fn ts_opt(&self, col: &str) -> Result<Option<DateTime<Utc>>>;
    fn code<T>(&self, col: &str, parse: fn(&str) -> Option<T>) -> Result<T>;
}

impl RowExt for Row<'_> {
    fn uuid(&self, col: &str) -> Result<Uuid> {
        Ok(self.get(col)?)
    }
    fn uuid_opt(&self, col: &str) -> Result<Option<Uuid>> {
        Ok(self.get(col)?)
    }
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.get(col)?)
    }
    fn text_opt(&self, col: &str) -> Result<Option<String>> {
        Ok(self.get(col)?)
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(self.get(col)?)
    }
    fn int_opt(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.get(col)?)
    }
    fn real_opt(&self, col: &str) -> Result<Option<f64>> {
        Ok(self.get(col)?)
    }
    fn date(&self, col: &str) -> Result<NaiveDate> {
        parse_date(&self.text(col)?)
    }
    fn date_opt(&self, col: &str) -> Result<Option<NaiveDate>> {
        self.text_opt(col)?.map(|s| parse_date(&s)).transpose()
    }
    fn ts(&self, col: &str) -> Result<DateTime<Utc>> {
        parse_ts(&self.text(col)?)
    }
    fn ts_opt(&self, col: &str) -> Result<Option<DateTime<Utc>>> {
        self.text_opt(col)?.map(|s| parse_ts(&s)).transpose()
    }
    fn code<T>(&self, col: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
        let s = self.text(col)?;
        parse(&s).ok_or_else(|| StoreError::Corrupt {
            what: "code",
            detail: format!("column {col} holds unknown code '{s}'"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn dates_and_instants_are_written_as_chrono_writes_them() {
        let mut d = NaiveDate::from_ymd_opt(-3, 1, 1).unwrap();
        while d < NaiveDate::from_ymd_opt(10_002, 1, 1).unwrap() {
            assert_eq!(date(d), d.format("%Y-%m-%d").to_string());
            d += Duration::days(97);
        }
        let mut t = Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
        while t < end {
            assert_eq!(ts(t), t.to_rfc3339_opts(SecondsFormat::Millis, true));
            t += Duration::milliseconds(86_400_000 * 89 + 3_723_457);
        }
        let far = Utc.with_ymd_and_hms(12_345, 6, 7, 8, 9, 10).unwrap();
        assert_eq!(ts(far), far.to_rfc3339_opts(SecondsFormat::Millis, true));
        let odd = Utc.timestamp_opt(1_700_000_000, 123_999_999).unwrap();
        assert_eq!(ts(odd), "2023-11-14T22:13:20.123Z");
    }
}
