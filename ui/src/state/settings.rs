//! The hospital's settings screen: what the manager typed over the stored
//! values, which changes a save sends (a value, or back to the default),
//! and which field a refusal points at.
//!
//! The window checks nothing itself: the core reads and checks every
//! value and names the key it refuses (`capital.cyber_weight: must be
//! zero or more, got -1`); this model puts that message beside the field.

use crate::state::load::error_text;
use biomend_ipc::{IpcError, SavedSettings, SettingItem, SettingKind, SettingsView};
use std::collections::{BTreeMap, BTreeSet};

/// A refused save: the message, and the setting it names when it names
/// one.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub key: Option<String>,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SettingsForm {
    /// The settings as last loaded or saved.
    pub view: Option<SettingsView>,
    /// Text typed per key, only where it differs from the stored value.
    pub typed: BTreeMap<String, String>,
    /// Keys to put back to their defaults.
    pub resets: BTreeSet<String>,
    pub saving: bool,
    pub refusal: Option<Refusal>,
    /// What the last save did, in words.
    pub notice: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SettingsAction {
    Loaded(SettingsView),
    Type {
        key: String,
        text: String,
    },
    /// Back to the default at the next save (and drop what was typed).
    UseDefault(String),
    /// Forget every change not saved.
    Discard,
    Saving,
    Saved(SavedSettings),
    Refused(IpcError),
}

/// One setting as its row shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub key: String,
    /// The input's element id, e.g. `setting-capital-cyber_weight`.
    pub id: String,
    pub label: String,
    pub help: String,
    pub kind: SettingKind,
    /// What the input holds: typed text, else the value in force (the
    /// default's, once reset).
    pub text: String,
    /// "Default: 0.1".
    pub default_text: String,
    /// The row will hold its default after the save.
    pub is_default: bool,
    /// A change not saved yet.
    pub changed: bool,
    /// The refusal's message when it names this setting.
    pub error: Option<String>,
    pub problem: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SectionRows {
    /// A stable code for styles and tests, e.g. `capital`.
    pub code: String,
    pub title: String,
    pub rows: Vec<Row>,
}

/// The input's element id for `key`.
pub fn input_id(key: &str) -> String {
    format!("setting-{}", key.replace('.', "-"))
}

/// A value as people read it: an empty rate is "none", a yes-no is yes
/// or no.
pub fn shown(kind: SettingKind, value: &str) -> String {
    match (kind, value) {
        (_, "") => "none".into(),
        (SettingKind::YesNo, "true") => "yes".into(),
        (SettingKind::YesNo, "false") => "no".into(),
        (SettingKind::Cents, v) => format!("{v} cents"),
        (SettingKind::Days, v) => format!("{v} days"),
        (_, v) => v.into(),
    }
}

/// The setting a refusal names: the longest known key in its message
/// (the core starts it with the key; a server's rejection says
/// `setting <key>: ...`).
pub fn key_named<'a>(message: &str, keys: impl Iterator<Item = &'a str>) -> Option<String> {
    keys.filter(|k| {
        message.match_indices(*k).any(|(at, _)| {
            // A whole key, not the start of a longer one.
            !message[at + k.len()..].starts_with(|c: char| c == '_' || c.is_alphanumeric())
        })
    })
    .max_by_key(|k| k.len())
    .map(str::to_string)
}

impl SettingsForm {
    pub fn reduce(mut self, action: SettingsAction) -> SettingsForm {
        match action {
            SettingsAction::Loaded(v) => {
                self = SettingsForm {
                    view: Some(v),
                    ..SettingsForm::default()
                };
            }
            SettingsAction::Type { key, text } => {
                self.resets.remove(&key);
                let stored = self.item(&key).map(|i| i.value.clone());
                if stored.as_deref() == Some(text.as_str()) {
                    self.typed.remove(&key);
                } else {
                    self.typed.insert(key.clone(), text);
                }
                self.clear_refusal_of(&key);
                self.notice = None;
            }
            SettingsAction::UseDefault(key) => {
                self.typed.remove(&key);
                if self.item(&key).is_some_and(|i| !i.is_default) {
                    self.resets.insert(key.clone());
                }
                self.clear_refusal_of(&key);
                self.notice = None;
            }
            SettingsAction::Discard => {
                self.typed.clear();
                self.resets.clear();
                self.refusal = None;
                self.notice = None;
            }
            SettingsAction::Saving => {
                self.saving = true;
                self.refusal = None;
                self.notice = None;
            }
            SettingsAction::Saved(s) => {
                let n = s.changed.len();
                self = SettingsForm {
                    view: Some(s.settings),
                    notice: Some(match n {
                        0 => "Nothing changed: every value was already so.".into(),
                        1 => "Saved 1 setting. Reports on this tablet use it now; other tablets get it at their next sync.".into(),
                        n => format!("Saved {n} settings. Reports on this tablet use them now; other tablets get them at their next sync."),
                    }),
                    ..SettingsForm::default()
                };
            }
            SettingsAction::Refused(e) => {
                self.saving = false;
                let key = self
                    .view
                    .as_ref()
                    .and_then(|v| key_named(&e.message, v.items().map(|i| i.key.as_str())));
                self.refusal = Some(Refusal {
                    key,
                    message: error_text(&e),
                });
            }
        }
        self
    }

    fn item(&self, key: &str) -> Option<&SettingItem> {
        self.view.as_ref().and_then(|v| v.item(key))
    }

    fn clear_refusal_of(&mut self, key: &str) {
        if self
            .refusal
            .as_ref()
            .is_some_and(|r| r.key.as_deref() == Some(key))
        {
            self.refusal = None;
        }
    }

    /// What a save sends: each typed value, and `None` for each reset.
    pub fn changes(&self) -> BTreeMap<String, Option<String>> {
        self.typed
            .iter()
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .chain(self.resets.iter().map(|k| (k.clone(), None)))
            .collect()
    }

    pub fn dirty(&self) -> bool {
        !self.typed.is_empty() || !self.resets.is_empty()
    }

    pub fn can_change(&self) -> bool {
        self.view.as_ref().is_some_and(|v| v.can_change)
    }

    /// Every section's rows, in screen order.
    pub fn sections(&self) -> Vec<SectionRows> {
        let Some(v) = &self.view else {
            return Vec::new();
        };
        v.sections
            .iter()
            .map(|s| SectionRows {
                code: serde_json::to_value(s.section)
                    .ok()
                    .and_then(|c| c.as_str().map(str::to_string))
                    .unwrap_or_default(),
                title: s.title.clone(),
                rows: s.items.iter().map(|i| self.row(i)).collect(),
            })
            .collect()
    }

    fn row(&self, i: &SettingItem) -> Row {
        let reset = self.resets.contains(&i.key);
        let typed = self.typed.get(&i.key);
        let text = match (typed, reset) {
            (Some(t), _) => t.clone(),
            (None, true) => i.default.clone(),
            (None, false) => i.value.clone(),
        };
        Row {
            key: i.key.clone(),
            id: input_id(&i.key),
            label: i.label.clone(),
            help: i.help.clone(),
            kind: i.kind,
            default_text: format!("Default: {}", shown(i.kind, &i.default)),
            is_default: typed.is_none() && (reset || i.is_default),
            changed: typed.is_some() || reset,
            error: self
                .refusal
                .as_ref()
                .filter(|r| r.key.as_deref() == Some(i.key.as_str()))
                .map(|r| r.message.clone()),
            text,
            problem: i.problem.clone(),
        }
    }

    /// Who saved last, in words.
    pub fn saved_by(&self) -> String {
        match self.view.as_ref().map(|v| (&v.updated_by, v.updated_at)) {
            Some((Some(by), Some(at))) => {
                format!("Last saved by {by} on {}.", at.format("%Y-%m-%d %H:%M UTC"))
            }
            _ => "Every setting has its default.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_ipc::{Section, SettingsSection, codes};
    use chrono::TimeZone;

    fn item(key: &str, kind: SettingKind, value: &str, default: &str) -> SettingItem {
        SettingItem {
            key: key.into(),
            label: key.into(),
            help: String::new(),
            kind,
            value: value.into(),
            default: default.into(),
            is_default: value == default,
            problem: None,
        }
    }

    fn view() -> SettingsView {
        SettingsView {
            sections: vec![
                SettingsSection {
                    section: Section::RepeatRepairs,
                    title: "Repeat repairs".into(),
                    items: vec![item("repeat_repair_days", SettingKind::Days, "14", "7")],
                },
                SettingsSection {
                    section: Section::Capital,
                    title: "Capital plan".into(),
                    items: vec![
                        item("capital.risk_weight", SettingKind::Number, "0.2", "0.2"),
                        item("capital.cyber_weight", SettingKind::Number, "0.1", "0.1"),
                        item("capital.carry_over", SettingKind::YesNo, "false", "false"),
                    ],
                },
            ],
            updated_by: Some("Diane Marsh".into()),
            updated_at: Some(chrono::Utc.with_ymd_and_hms(2026, 3, 16, 9, 30, 0).unwrap()),
            can_change: true,
        }
    }

    fn loaded() -> SettingsForm {
        SettingsForm::default().reduce(SettingsAction::Loaded(view()))
    }

    fn typed(f: SettingsForm, key: &str, text: &str) -> SettingsForm {
        f.reduce(SettingsAction::Type {
            key: key.into(),
            text: text.into(),
        })
    }

    fn row(f: &SettingsForm, key: &str) -> Row {
        f.sections()
            .into_iter()
            .flat_map(|s| s.rows)
            .find(|r| r.key == key)
            .unwrap()
    }

    #[test]
    fn rows_show_the_value_the_default_and_what_is_set() {
        let f = loaded();
        let s = f.sections();
        assert_eq!(
            s.iter()
                .map(|s| (s.code.as_str(), s.title.as_str()))
                .collect::<Vec<_>>(),
            [
                ("repeat_repairs", "Repeat repairs"),
                ("capital", "Capital plan")
            ]
        );
        let days = row(&f, "repeat_repair_days");
        assert_eq!(days.id, "setting-repeat_repair_days");
        assert_eq!(days.text, "14");
        assert_eq!(days.default_text, "Default: 7 days");
        assert!(!days.is_default && !days.changed);
        let cyber = row(&f, "capital.cyber_weight");
        assert_eq!(cyber.id, "setting-capital-cyber_weight");
        assert!(cyber.is_default);
        assert_eq!(row(&f, "capital.carry_over").default_text, "Default: no");
        assert_eq!(
            f.saved_by(),
            "Last saved by Diane Marsh on 2026-03-16 09:30 UTC."
        );
        assert!(!f.dirty());
    }

    #[test]
    fn typing_and_resetting_make_the_changes_a_save_sends() {
        let f = typed(loaded(), "capital.cyber_weight", "0.3");
        let f = f.reduce(SettingsAction::UseDefault("repeat_repair_days".into()));
        // Resetting a value that is its default already sends nothing.
        let f = f.reduce(SettingsAction::UseDefault("capital.risk_weight".into()));
        assert_eq!(
            f.changes(),
            BTreeMap::from([
                ("capital.cyber_weight".to_string(), Some("0.3".to_string())),
                ("repeat_repair_days".to_string(), None),
            ])
        );
        let days = row(&f, "repeat_repair_days");
        assert_eq!(days.text, "7");
        assert!(days.is_default && days.changed);
        assert!(row(&f, "capital.cyber_weight").changed);

        // Typing the stored value back is no change.
        let f = typed(f, "capital.cyber_weight", "0.1");
        assert_eq!(f.changes().len(), 1);
        // Typing over a reset replaces it.
        let f = typed(f, "repeat_repair_days", "30");
        assert_eq!(
            f.changes(),
            BTreeMap::from([("repeat_repair_days".to_string(), Some("30".to_string()))])
        );
        let f = f.reduce(SettingsAction::Discard);
        assert!(!f.dirty());
    }

    #[test]
    fn a_refusal_sits_beside_the_field_it_names_and_keeps_the_edits() {
        let f = typed(loaded(), "capital.cyber_weight", "-1")
            .reduce(SettingsAction::Saving)
            .reduce(SettingsAction::Refused(IpcError::new(
                codes::INVALID,
                "capital.cyber_weight: must be zero or more, got -1",
            )));
        assert!(!f.saving);
        assert_eq!(
            row(&f, "capital.cyber_weight").error.as_deref(),
            Some("capital.cyber_weight: must be zero or more, got -1")
        );
        assert_eq!(row(&f, "capital.risk_weight").error, None);
        assert_eq!(f.changes().len(), 1, "the edit stays to be fixed");
        // Fixing the field clears its message.
        let f = typed(f, "capital.cyber_weight", "0.3");
        assert_eq!(f.refusal, None);

        // A refusal naming no setting still shows, beside none.
        let f = f.reduce(SettingsAction::Refused(IpcError::new(
            codes::FORBIDDEN,
            "not allowed: a supervisor cannot change the hospital's settings",
        )));
        let r = f.refusal.clone().unwrap();
        assert_eq!(r.key, None);
        assert!(
            f.sections()
                .iter()
                .flat_map(|s| &s.rows)
                .all(|r| r.error.is_none())
        );
    }

    #[test]
    fn a_save_shows_the_stored_settings_and_says_what_it_did() {
        let f = typed(loaded(), "capital.cyber_weight", "0.30").reduce(SettingsAction::Saving);
        assert!(f.saving);
        let mut after = view();
        after.sections[1].items[1] = SettingItem {
            is_default: false,
            ..item("capital.cyber_weight", SettingKind::Number, "0.3", "0.1")
        };
        let f = f.reduce(SettingsAction::Saved(SavedSettings {
            changed: vec!["capital.cyber_weight".into()],
            settings: after,
        }));
        assert!(!f.saving && !f.dirty());
        assert_eq!(row(&f, "capital.cyber_weight").text, "0.3");
        assert!(f.notice.as_deref().unwrap().starts_with("Saved 1 setting."));
        let f = f.reduce(SettingsAction::Saved(SavedSettings {
            changed: vec![],
            settings: view(),
        }));
        assert!(f.notice.as_deref().unwrap().starts_with("Nothing changed"));
    }

    #[test]
    fn the_key_a_message_names_is_the_longest_whole_key_in_it() {
        let keys = [
            "capital.cosr_weight",
            "capital.cosr_cap",
            "scorecard.cosr_weight",
        ];
        assert_eq!(
            key_named(
                "setting capital.cosr_cap: must be above zero, got 0",
                keys.into_iter()
            ),
            Some("capital.cosr_cap".into())
        );
        assert_eq!(
            key_named("capital.cosr_weightx: no such setting", keys.into_iter()),
            None
        );
        assert_eq!(key_named("offline", keys.into_iter()), None);
    }

    #[test]
    fn values_read_as_people_say_them() {
        assert_eq!(shown(SettingKind::Cents, ""), "none");
        assert_eq!(shown(SettingKind::Cents, "9000"), "9000 cents");
        assert_eq!(shown(SettingKind::YesNo, "true"), "yes");
        assert_eq!(shown(SettingKind::Fraction, "0.1"), "0.1");
    }
}
