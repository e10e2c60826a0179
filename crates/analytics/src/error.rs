//! What the analytics refuse to compute, and why.

use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyticsError {
    /// A period must have at least one day, or every rate over it divides
    /// by zero.
    #[error("the period from {from} to {to} is empty; it must end after it starts")]
    EmptyPeriod { from: NaiveDate, to: NaiveDate },
    /// A setting outside its meaningful range (a negative weight, a share
    /// above 1...). Names the setting so the screen can point at it.
    #[error("setting {name}: {reason}")]
    InvalidSetting { name: &'static str, reason: String },
    /// A settings key this build does not know (a typo, or a key from a
    /// newer version).
    #[error("unknown setting {key}")]
    UnknownSetting { key: String },
    /// A setting's value that does not read as its kind, e.g. `abc` for
    /// a weight.
    #[error("setting {key}: '{value}' is not {expected}")]
    BadSettingValue {
        key: String,
        value: String,
        expected: &'static str,
    },
    /// A training event too recent to have any whole day after it (or
    /// one dated in the future): there is nothing to compare yet.
    #[error("the training on {held_on} has no whole day after it yet (today is {today})")]
    TooSoon {
        held_on: NaiveDate,
        today: NaiveDate,
    },
    /// A record the calculation needs is missing from the inputs, e.g. a
    /// training event whose id is not in the slice given.
    #[error("{what} not found in the inputs")]
    NotFound { what: &'static str },
}

impl AnalyticsError {
    /// The setting an error is about, so a screen can point at its field.
    pub fn setting_key(&self) -> Option<&str> {
        match self {
            AnalyticsError::InvalidSetting { name, .. } => Some(name),
            AnalyticsError::UnknownSetting { key }
            | AnalyticsError::BadSettingValue { key, .. } => Some(key),
            _ => None,
        }
    }
}
