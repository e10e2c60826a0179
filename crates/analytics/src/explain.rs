//! The shape every measure comes back in: the value with the formula that
//! produced it, the inputs it used and the period it covers, so a reader
//! can check the arithmetic instead of trusting a number.

use crate::error::AnalyticsError;
use biomend_domain::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Hours in an average year (365.25 days), for unit-years and annual rates.
pub const HOURS_PER_YEAR: f64 = 8_766.0;

/// A half-open range of days `[from, to)`: `from` is the first day counted,
/// `to` the first day not counted, so consecutive periods never overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, AnalyticsError> {
        if to <= from {
            return Err(AnalyticsError::EmptyPeriod { from, to });
        }
        Ok(Period { from, to })
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days()
    }

    pub fn hours(&self) -> f64 {
        self.days() as f64 * 24.0
    }

    pub fn years(&self) -> f64 {
        self.hours() / HOURS_PER_YEAR
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day < self.to
    }

    pub fn contains_time(&self, t: DateTime<Utc>) -> bool {
        self.contains(t.date_naive())
    }

    /// Midnight UTC at the start of `from`.
    pub fn start(&self) -> DateTime<Utc> {
        self.from.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    /// Midnight UTC at the start of `to` (the first instant not counted).
    pub fn end(&self) -> DateTime<Utc> {
        self.to.and_time(chrono::NaiveTime::MIN).and_utc()
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} to {} (exclusive)", self.from, self.to)
    }
}

/// One input of a measure, typed so a screen can format it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Value {
    Count(u64),
    Hours(f64),
    Years(f64),
    Money(Money),
    /// A fraction, 0.25 = 25%.
    Ratio(f64),
    Number(f64),
    Date(NaiveDate),
    Flag(bool),
    Text(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Count(n) => write!(f, "{n}"),
            Value::Hours(h) => write!(f, "{h:.1} h"),
            Value::Years(y) => write!(f, "{y:.2} y"),
            Value::Money(m) => write!(f, "{m}"),
            Value::Ratio(r) => write!(f, "{:.1}%", r * 100.0),
            Value::Number(x) => write!(f, "{x:.3}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::Flag(b) => write!(f, "{}", if *b { "yes" } else { "no" }),
            Value::Text(t) => f.write_str(t),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub name: String,
    pub value: Value,
}

pub(crate) fn input(name: impl Into<String>, value: Value) -> Input {
    Input {
        name: name.into(),
        value,
    }
}

/// A value with its explanation. `value` is `None` when the measure is
/// undefined (its denominator is zero); `note` then says why, so a blank
/// cell is never mistaken for a zero.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explained<T> {
    pub value: T,
    /// The formula in words, with the names used in `inputs`.
    pub formula: String,
    pub inputs: Vec<Input>,
    pub period: Option<Period>,
    pub note: Option<String>,
}

/// A measure that may be undefined.
pub type Measure = Explained<Option<f64>>;

impl<T> Explained<T> {
    pub fn new(value: T, formula: impl Into<String>, inputs: Vec<Input>) -> Self {
        Explained {
            value,
            formula: formula.into(),
            inputs,
            period: None,
            note: None,
        }
    }

    pub fn over(mut self, period: Period) -> Self {
        self.period = Some(period);
        self
    }

    pub fn noted(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// The input of that name, for tests and tooltips.
    pub fn input(&self, name: &str) -> Option<&Value> {
        self.inputs
            .iter()
            .find(|i| i.name == name)
            .map(|i| &i.value)
    }
}

/// `num / den`, or `None` with the reason when `den` is zero.
pub(crate) fn ratio(
    num: f64,
    den: f64,
    formula: &str,
    inputs: Vec<Input>,
    undefined: &str,
) -> Measure {
    if den > 0.0 {
        Explained::new(Some(num / den), formula, inputs)
    } else {
        Explained::new(None, formula, inputs).noted(undefined)
    }
}

/// Five-number summary of a spread of values, for measures the field has
/// no single standard for (COSR): the reader judges the spread, not one
/// threshold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub n: usize,
    pub min: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub max: f64,
}

impl Distribution {
    /// Quartiles by linear interpolation between closest ranks; `None` for
    /// no values. Non-finite values are left out.
    pub fn of(values: &[f64]) -> Option<Distribution> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let q = |p: f64| {
            let pos = p * (v.len() - 1) as f64;
            let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
            v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
        };
        Some(Distribution {
            n: v.len(),
            min: v[0],
            p25: q(0.25),
            median: q(0.5),
            p75: q(0.75),
            max: v[v.len() - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_are_half_open_and_never_empty() {
        let p = Period::new(d(2025, 1, 1), d(2026, 1, 1)).unwrap();
        assert_eq!(p.days(), 365);
        assert_eq!(p.hours(), 8_760.0);
        assert!(p.contains(d(2025, 12, 31)));
        assert!(!p.contains(d(2026, 1, 1)));
        assert_eq!(
            Period::new(d(2025, 1, 1), d(2025, 1, 1)),
            Err(AnalyticsError::EmptyPeriod {
                from: d(2025, 1, 1),
                to: d(2025, 1, 1)
            })
        );
    }

    #[test]
    fn quartiles_interpolate() {
        // Sorted 1, 2, 3, 4, 10: positions for p25 = 0.25 × 4 = 1 → 2;
        // median = position 2 → 3; p75 = position 3 → 4.
        let q = Distribution::of(&[10.0, 1.0, 3.0, 2.0, 4.0]).unwrap();
        assert_eq!(
            (q.n, q.min, q.p25, q.median, q.p75, q.max),
            (5, 1.0, 2.0, 3.0, 4.0, 10.0)
        );
        // Two values 1 and 2: median at position 0.5 → 1.5.
        assert_eq!(Distribution::of(&[2.0, 1.0]).unwrap().median, 1.5);
        assert_eq!(Distribution::of(&[]), None);
    }

    #[test]
    fn undefined_ratios_say_why() {
        let m = ratio(1.0, 0.0, "a / b", vec![], "no b");
        assert_eq!(m.value, None);
        assert_eq!(m.note.as_deref(), Some("no b"));
        assert_eq!(ratio(1.0, 4.0, "a / b", vec![], "no b").value, Some(0.25));
    }
}
