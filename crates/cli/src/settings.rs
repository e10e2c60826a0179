//! `biomend settings ...`: the hospital's thresholds and weights, shown
//! by section with their defaults, and changed or reset by key.

use crate::args::SettingsCmd;
use crate::output::Out;
use biomend_analytics::settings::Section;
use biomend_core::settings::{self, SettingItem, SettingsView};
use biomend_core::{App, CoreError};
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub fn run(app: &mut App, user: &str, cmd: &SettingsCmd, out: &Out) -> anyhow::Result<()> {
    match cmd {
        SettingsCmd::Show => {
            let v = settings::view(app, user)?;
            out.show(&v, || show_text(&v));
        }
        SettingsCmd::Set { values } => {
            let mut changes = BTreeMap::new();
            for pair in values {
                let (key, value) = pair.split_once('=').ok_or_else(|| CoreError::Invalid {
                    field: pair.clone(),
                    reason: "write KEY=VALUE, e.g. capital.cyber_weight=0.2".into(),
                })?;
                changes.insert(key.trim().to_string(), Some(value.to_string()));
            }
            save(app, user, &changes, out)?;
        }
        SettingsCmd::Reset { keys } => {
            let changes = keys.iter().map(|k| (k.trim().to_string(), None)).collect();
            save(app, user, &changes, out)?;
        }
    }
    Ok(())
}

fn save(
    app: &mut App,
    user: &str,
    changes: &BTreeMap<String, Option<String>>,
    out: &Out,
) -> anyhow::Result<()> {
    let saved = settings::save(app, user, changes)?;
    out.show(&saved, || {
        let mut s = String::new();
        for key in changes.keys() {
            if let Some(item) = saved.settings.items.iter().find(|i| &i.key == key) {
                let _ = writeln!(s, "{key} = {}", value_and_default(item));
            }
        }
        s.push_str(if saved.changed.is_empty() {
            "nothing changed"
        } else {
            "saved; queued for sync"
        });
        s
    });
    Ok(())
}

fn shown(value: &str) -> &str {
    if value.is_empty() { "none" } else { value }
}

fn value_and_default(i: &SettingItem) -> String {
    if i.is_default {
        format!("{} (default)", shown(&i.value))
    } else {
        format!("{} (default {})", shown(&i.value), shown(&i.default))
    }
}

fn show_text(v: &SettingsView) -> String {
    let mut s = String::new();
    for section in Section::ALL {
        let items: Vec<&SettingItem> = v.items.iter().filter(|i| i.section == section).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(s, "{}", section.title());
        for i in items {
            let _ = writeln!(
                s,
                "  {:<48} {:<22} {}",
                i.key,
                value_and_default(i),
                i.label
            );
            if let Some(p) = &i.problem {
                let _ = writeln!(s, "    ! stored value not used, the default applies: {p}");
            }
        }
        s.push('\n');
    }
    match (&v.updated_by, v.updated_at) {
        (Some(by), Some(at)) => {
            let _ = write!(
                s,
                "last saved by {by} at {}",
                at.format("%Y-%m-%d %H:%M UTC")
            );
        }
        _ => s.push_str("every setting has its default"),
    }
    s
}
