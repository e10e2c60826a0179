//! The hospital's settings screen: every threshold and weight the reports
//! judge with, by section, with its default, and the save of the ones a
//! manager changed. Values cross as the text they are stored as; the core
//! reads and checks them, so the window parses nothing.

pub use biomend_analytics::settings::{Section, SettingKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One setting as the screen shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingItem {
    /// The stable key the value is saved under, e.g. `capital.cyber_weight`.
    pub key: String,
    pub label: String,
    /// One line on what it changes.
    pub help: String,
    pub kind: SettingKind,
    /// The value in force, as text (empty: none).
    pub value: String,
    pub default: String,
    /// Nobody set it: the default applies.
    pub is_default: bool,
    /// A stored value this tablet cannot use, so the default applies.
    #[serde(default)]
    pub problem: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsSection {
    pub section: Section,
    pub title: String,
    pub items: Vec<SettingItem>,
}

/// Every setting, by section in screen order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    pub sections: Vec<SettingsSection>,
    /// Who saved last; `None` while every value is its default.
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The user may change them (managers and administrators).
    pub can_change: bool,
}

impl SettingsView {
    pub fn items(&self) -> impl Iterator<Item = &SettingItem> {
        self.sections.iter().flat_map(|s| &s.items)
    }

    pub fn item(&self, key: &str) -> Option<&SettingItem> {
        self.items().find(|i| i.key == key)
    }
}

/// Settings to change: key → the new value as typed, or `None` to put
/// it back to its default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveSettings {
    pub changes: BTreeMap<String, Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSettings {
    /// The keys the save changed (empty: everything was already so).
    pub changed: Vec<String>,
    pub settings: SettingsView,
}
