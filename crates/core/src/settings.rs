//! The hospital's settings: the thresholds and weights every report (and
//! the risk classes and PM windows of the technicians' screens) judge
//! with. Managers and administrators change them; the change is stored
//! on this tablet and queued as one `set_hospital_settings@1` mutation,
//! and every tablet pulls the server's group.
//!
//! Stored as the `analytics` group of [`HospitalSettings`]: only the keys
//! someone set, as text under the analytics crate's stable keys; an
//! absent key has its default ([`biomend_analytics::settings::catalog`]).

use crate::{App, CoreError, Result, require};
use biomend_analytics::settings::{self, Section, SettingKind};
use biomend_analytics::{AnalyticsError, Settings};
use biomend_domain::settings::{ANALYTICS, HospitalSettings, check_bounds};
use biomend_domain::user::Role;
use biomend_protocol::{FieldChange, Mutation, SetHospitalSettings};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One setting as the settings screen shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SettingItem {
    /// The stable key, e.g. `capital.cyber_weight`.
    pub key: String,
    pub section: Section,
    pub label: String,
    pub help: String,
    pub kind: SettingKind,
    /// The value in force, as text (empty: none, for a rate).
    pub value: String,
    pub default: String,
    /// Nobody set it: the default applies.
    pub is_default: bool,
    /// The stored value this tablet cannot use (set by another version,
    /// or out of its range), so the default applies instead; saving asks
    /// for it to be fixed.
    pub problem: Option<String>,
}

/// Every setting, in screen order, and who saved the group last.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SettingsView {
    pub items: Vec<SettingItem>,
    /// The display name of who saved last; `None` while every value is
    /// its default.
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The user may change them (managers and administrators).
    pub can_change: bool,
}

/// What a save did: the keys it changed (none when every value was
/// already so) and the settings after it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Saved {
    pub changed: Vec<String>,
    pub settings: SettingsView,
}

/// A setting's error as a use-case error whose field is the key, so the
/// message starts with it (`capital.cyber_weight: must be zero or more`).
fn invalid(e: AnalyticsError) -> CoreError {
    let field = e.setting_key().unwrap_or("settings").to_string();
    let reason = match &e {
        AnalyticsError::InvalidSetting { reason, .. } => reason.clone(),
        AnalyticsError::UnknownSetting { .. } => "no such setting".to_string(),
        AnalyticsError::BadSettingValue {
            value, expected, ..
        } => format!("'{value}' is not {expected}"),
        other => other.to_string(),
    };
    CoreError::Invalid { field, reason }
}

/// The values this build knows. A key set by a newer version is kept in
/// the store (that version needs it) but means nothing here.
fn known(values: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    values
        .iter()
        .filter(|(k, _)| settings::setting(k).is_some())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The settings a stored group gives, and each stored value that cannot
/// be used with why. A group from the server was checked there, but by
/// its version's rules: rather than stop every report (and the
/// technicians' screens) over one value, that value keeps its default
/// and the settings screen names it.
fn read(values: &BTreeMap<String, String>) -> (Settings, BTreeMap<String, String>) {
    let known = known(values);
    if let Ok(s) = Settings::from_values(&known) {
        return (s, BTreeMap::new());
    }
    let mut usable = BTreeMap::new();
    let mut problems = BTreeMap::new();
    for (k, v) in known {
        let mut trial = usable.clone();
        trial.insert(k.clone(), v);
        match Settings::from_values(&trial) {
            Ok(_) => usable = trial,
            Err(e) => {
                problems.insert(k, invalid(e).to_string());
            }
        }
    }
    (Settings::from_values(&usable).unwrap_or_default(), problems)
}

fn stored(app: &App) -> Result<Option<HospitalSettings>> {
    Ok(app.store().reader().hospital_settings(ANALYTICS)?)
}

/// The settings in force on this tablet: the hospital's stored group,
/// else the defaults.
pub fn in_force(app: &App) -> Result<Settings> {
    Ok(match stored(app)? {
        Some(g) => read(&g.values).0,
        None => Settings::default(),
    })
}

/// Every setting with its value, default and help, for managers and
/// administrators (who change them) and supervisors (who answer for the
/// figures they shape).
pub fn view(app: &App, username: &str) -> Result<SettingsView> {
    let user = app.user(username)?;
    require(
        &user,
        user.role.can_change_settings() || user.role == Role::Supervisor,
        "see the hospital's settings",
    )?;
    let group = stored(app)?;
    let values = group.as_ref().map(|g| g.values.clone()).unwrap_or_default();
    let (in_force, problems) = read(&values);
    let items = settings::catalog()
        .iter()
        .map(|d| SettingItem {
            key: d.key.to_string(),
            section: d.section,
            label: d.label.to_string(),
            help: d.help.to_string(),
            kind: d.kind,
            value: d.value_in(&in_force),
            default: d.default_value(),
            is_default: !values.contains_key(d.key),
            problem: problems.get(d.key).cloned(),
        })
        .collect();
    let updated_by = match &group {
        Some(g) => Some(
            app.store()
                .reader()
                .user(g.updated_by)?
                .map_or_else(|| g.updated_by.to_string(), |u| u.display_name),
        ),
        None => None,
    };
    Ok(SettingsView {
        items,
        updated_by,
        updated_at: group.map(|g| g.updated_at),
        can_change: user.role.can_change_settings(),
    })
}

/// Sets (`Some`) or resets to the default (`None`) the settings named in
/// `changes`. The whole resulting group is checked first, so a refused
/// change writes nothing; then one transaction stores the group (with its
/// audit row) and queues one `set_hospital_settings@1` whose `from` is
/// each key's value before. A change to what is already stored is no
/// change: nothing is written and nothing queued.
pub fn save(
    app: &mut App,
    username: &str,
    changes: &BTreeMap<String, Option<String>>,
) -> Result<Saved> {
    let user = app.user(username)?;
    require(
        &user,
        user.role.can_change_settings(),
        "change the hospital's settings",
    )?;
    let before = stored(app)?.map(|g| g.values).unwrap_or_default();
    let mut after = before.clone();
    let mut wire = BTreeMap::new();
    for (key, value) in changes {
        let def = settings::setting(key).ok_or_else(|| {
            invalid(AnalyticsError::UnknownSetting {
                key: key.to_string(),
            })
        })?;
        // Stored in its canonical text, so equal values compare equal
        // when the server compare-and-sets them.
        let to = value
            .as_deref()
            .map(|v| settings::canonical(def.key, v))
            .transpose()
            .map_err(invalid)?;
        let from = before.get(key).cloned();
        if from == to {
            continue;
        }
        match &to {
            Some(v) => after.insert(key.clone(), v.clone()),
            None => after.remove(key),
        };
        wire.insert(key.clone(), FieldChange::new(from, to));
    }
    if wire.is_empty() {
        return Ok(Saved {
            changed: Vec::new(),
            settings: view(app, username)?,
        });
    }
    check_bounds(&after).map_err(|reason| CoreError::invalid("settings", reason))?;
    Settings::from_values(&known(&after)).map_err(invalid)?;

    let now = app.now();
    let group = HospitalSettings {
        name: ANALYTICS.to_string(),
        values: after,
        updated_by: user.id,
        updated_at: now,
    };
    let changed = wire.keys().cloned().collect();
    let m = Mutation::SetHospitalSettings(SetHospitalSettings {
        name: ANALYTICS.to_string(),
        changes: wire,
        updated_at: now,
    });
    app.write(&user, |tx, ids, ms| {
        tx.put_hospital_settings(&group)?;
        crate::outbox::enqueue(tx, ids, ms, &m)?;
        Ok(())
    })?;
    Ok(Saved {
        changed,
        settings: view(app, username)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn an_unusable_stored_value_keeps_its_default_and_is_named() {
        let (s, problems) = read(&values(&[
            ("capital.cyber_weight", "0.3"),
            ("repeat_repair_days", "9999"),
            ("some.future_key", "1"),
        ]));
        assert_eq!(s.capital.cyber_weight, 0.3);
        assert_eq!(s.repeat_repair_days, 7);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems["repeat_repair_days"],
            "repeat_repair_days: must be 1 to 365, got 9999"
        );
    }
}
