//! A hospital's named settings, as stored and replicated: a group name
//! (e.g. `analytics`) and its values as strings under stable dotted keys.
//! What the keys mean, their ranges and defaults belong to the code that
//! reads them (the analytics crate for `analytics`); here they are data, so
//! the store and the wire carry them without knowing each one.

use crate::ids::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The settings group the managers' reports read.
pub const ANALYTICS: &str = "analytics";

/// The most values one settings group may hold, and the longest key and
/// value: bounds for what a device or a request may send.
pub const MAX_VALUES: usize = 200;
pub const MAX_KEY_LEN: usize = 80;
pub const MAX_VALUE_LEN: usize = 200;

/// One group of settings as last saved, with who saved it and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HospitalSettings {
    pub name: String,
    /// Only the values someone set; a key absent here has its default.
    pub values: BTreeMap<String, String>,
    pub updated_by: UserId,
    pub updated_at: DateTime<Utc>,
}

/// Checks the shape of a group's values (not their meaning): how many,
/// and how long each key and value is.
pub fn check_bounds(values: &BTreeMap<String, String>) -> Result<(), String> {
    if values.len() > MAX_VALUES {
        return Err(format!(
            "at most {MAX_VALUES} settings at once; got {}",
            values.len()
        ));
    }
    for (k, v) in values {
        if k.is_empty() || k.len() > MAX_KEY_LEN {
            return Err(format!(
                "a setting's name is 1 to {MAX_KEY_LEN} characters; got {} characters",
                k.len()
            ));
        }
        if v.len() > MAX_VALUE_LEN {
            return Err(format!(
                "setting {k}: a value is at most {MAX_VALUE_LEN} characters; got {}",
                v.len()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_name_what_is_too_long() {
        let mut v = BTreeMap::new();
        v.insert("capital.risk_weight".to_string(), "0.2".to_string());
        assert_eq!(check_bounds(&v), Ok(()));
        v.insert("x".repeat(MAX_KEY_LEN + 1), "1".into());
        assert!(check_bounds(&v).unwrap_err().contains("name"));
        let mut v = BTreeMap::new();
        v.insert("k".to_string(), "9".repeat(MAX_VALUE_LEN + 1));
        assert!(check_bounds(&v).unwrap_err().starts_with("setting k"));
        let many: BTreeMap<String, String> = (0..=MAX_VALUES)
            .map(|i| (format!("k{i}"), "1".to_string()))
            .collect();
        assert!(check_bounds(&many).unwrap_err().contains("at most"));
    }
}
