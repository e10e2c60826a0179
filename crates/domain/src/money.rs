//! Money as integer cents: sums over a million work orders must not drift,
//! so no floating point holds a cost.

use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_cents(cents: i64) -> Self {
        Money(cents)
    }
    pub fn cents(self) -> i64 {
        self.0
    }
    pub fn dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Parses amounts the way CMMS exports write them: `12500`, `12,500.00`,
    /// `$12,500.00`, `USD 12500.5`, `(125.00)` for a negative. At most two
    /// decimals; anything else is an error rather than a rounded guess.
    pub fn parse(s: &str) -> Result<Money, String> {
        let mut t = s.trim();
        if t.is_empty() {
            return Err("empty amount".into());
        }
        let mut negative = false;
        if t.starts_with('(') && t.ends_with(')') {
            negative = true;
            t = &t[1..t.len() - 1];
        }
        let t = t.trim();
        let t = t
            .strip_prefix("USD")
            .or_else(|| t.strip_prefix("US$"))
            .unwrap_or(t)
            .trim();
        // One minus sign at most, before or after the dollar sign.
        let (neg2, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest.trim()),
            None => (false, t),
        };
        let t = t.strip_prefix('$').unwrap_or(t).trim();
        let (neg3, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest.trim()),
            None => (false, t),
        };
        if (negative as u8 + neg2 as u8 + neg3 as u8) > 1 {
            return Err(format!("'{s}' is not an amount"));
        }
        negative |= neg2 | neg3;
        let digits: String = t.chars().filter(|c| *c != ',').collect();
        if digits.is_empty() {
            return Err(format!("'{s}' is not an amount"));
        }
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits.as_str(), ""),
        };
        let valid_whole = !whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit());
        let valid_frac = frac.len() <= 2 && frac.bytes().all(|b| b.is_ascii_digit());
        if !(valid_whole || whole.is_empty() && !frac.is_empty()) || !valid_frac {
            return Err(format!("'{s}' is not an amount"));
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| format!("'{s}' is too large"))?
        };
        let frac_cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().unwrap_or(0) * 10,
            _ => frac.parse::<i64>().unwrap_or(0),
        };
        let cents = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac_cents))
            .ok_or_else(|| format!("'{s}' is too large"))?;
        Ok(Money(if negative { -cents } else { cents }))
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        write!(f, "{sign}${grouped}.{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cmms_currency_strings() {
        assert_eq!(Money::parse("$12,500.00"), Ok(Money(1_250_000)));
        assert_eq!(Money::parse("12500"), Ok(Money(1_250_000)));
        assert_eq!(Money::parse(" 99.5 "), Ok(Money(9_950)));
        assert_eq!(Money::parse("USD 1,000.01"), Ok(Money(100_001)));
        assert_eq!(Money::parse("-$5.00"), Ok(Money(-500)));
        assert_eq!(Money::parse("($5.00)"), Ok(Money(-500)));
        assert_eq!(Money::parse(".75"), Ok(Money(75)));
    }

    #[test]
    fn rejects_non_amounts() {
        for bad in ["", "abc", "12.345", "1.2.3", "$", "12a", "--5"] {
            assert!(Money::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn displays_grouped_dollars() {
        assert_eq!(Money(1_250_000).to_string(), "$12,500.00");
        assert_eq!(Money(-5).to_string(), "-$0.05");
        assert_eq!(Money(100_000_000).to_string(), "$1,000,000.00");
    }
}
