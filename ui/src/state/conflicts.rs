//! The supervisor's conflicts list: each conflict's rule and values, a note,
//! and accepting or reversing it.

use super::format::humanize;
use biomend_ipc::{ConflictV1, IpcError, ResolveAction, ResolveArgs};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConflictsModel {
    pub items: Vec<ConflictV1>,
    pub notes: BTreeMap<Uuid, String>,
    /// The conflict being resolved now.
    pub busy: Option<Uuid>,
    /// A problem per conflict (a missing note, a refused resolve).
    pub errors: BTreeMap<Uuid, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConflictsAction {
    Loaded(Vec<ConflictV1>),
    Note(Uuid, String),
    Invalid(Uuid, String),
    Resolving(Uuid),
    Resolved(Box<ConflictV1>),
    Failed(Uuid, IpcError),
}

impl ConflictsModel {
    pub fn reduce(mut self, a: ConflictsAction) -> Self {
        match a {
            ConflictsAction::Loaded(items) => {
                self.items = items;
                self.busy = None;
                self.errors.clear();
            }
            ConflictsAction::Note(id, text) => {
                self.notes.insert(id, text);
                self.errors.remove(&id);
            }
            ConflictsAction::Invalid(id, msg) => {
                self.errors.insert(id, msg);
            }
            ConflictsAction::Resolving(id) => {
                self.busy = Some(id);
                self.errors.remove(&id);
            }
            ConflictsAction::Resolved(c) => {
                let c = *c;
                if self.busy == Some(c.id) {
                    self.busy = None;
                }
                self.notes.remove(&c.id);
                match self.items.iter_mut().find(|x| x.id == c.id) {
                    Some(slot) => *slot = c,
                    None => self.items.push(c),
                }
            }
            ConflictsAction::Failed(id, e) => {
                if self.busy == Some(id) {
                    self.busy = None;
                }
                self.errors.insert(id, super::load::error_text(&e));
            }
        }
        self
    }

    /// What to send to resolve `id`; reversing a rule's choice needs a note
    /// saying why.
    pub fn resolve_args(&self, id: Uuid, action: ResolveAction) -> Result<ResolveArgs, String> {
        let note = self.notes.get(&id).map(|n| n.trim()).unwrap_or("");
        if action == ResolveAction::Reverse && note.is_empty() {
            return Err("Write a note saying why before reversing the rule's choice.".into());
        }
        if self
            .items
            .iter()
            .any(|c| c.id == id && c.resolution.is_some())
        {
            return Err("This conflict is already resolved.".into());
        }
        Ok(ResolveArgs {
            id,
            action,
            note: note.to_string(),
        })
    }

    pub fn open_count(&self) -> usize {
        self.items.iter().filter(|c| c.resolution.is_none()).count()
    }
}

/// A conflict's value as people read it: text without quotes, nothing as
/// "(none)", records as compact JSON.
pub fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "(none)".into(),
        serde_json::Value::String(s) if s.is_empty() => "(empty)".into(),
        serde_json::Value::String(s) => humanize_if_code(s),
        serde_json::Value::Object(m) => m
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{}: {}", humanize(k), value_text(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Codes like `out_of_service` read as words, closure codes by their label;
/// other text stays as it is.
fn humanize_if_code(s: &str) -> String {
    if let Some(c) = biomend_domain::work_order::ClosureCode::parse(s) {
        return c.label();
    }
    let is_code = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == ':');
    if is_code { humanize(s) } else { s.to_string() }
}

/// `most_restrictive_status_wins` → `Most restrictive status wins`.
pub fn rule_text(rule: &str) -> String {
    humanize(rule)
}

/// `accepted by Sam: fine` for a resolved conflict.
pub fn resolution_text(c: &ConflictV1) -> Option<String> {
    c.resolution.as_ref().map(|r| {
        let what = match r.action.as_str() {
            "accepted" | "accept" => "Accepted",
            "reversed" | "reverse" => "Reversed",
            other => other,
        };
        if r.note.trim().is_empty() {
            format!("{what} by {}", r.by_name)
        } else {
            format!("{what} by {}: {}", r.by_name, r.note.trim())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_ipc::codes;
    use chrono::TimeZone;
    use serde_json::json;

    fn conflict(n: u8) -> ConflictV1 {
        ConflictV1 {
            id: Uuid::from_bytes([n; 16]),
            kind: "asset".into(),
            key: "k".into(),
            label: "BME-1".into(),
            field: "status".into(),
            base: json!("in_service"),
            kept: json!("out_of_service"),
            set_aside: json!("in_service"),
            rule: "most_restrictive_status_wins".into(),
            user_id: Uuid::from_bytes([9; 16]),
            user_name: "Dana".into(),
            device_id: Uuid::from_bytes([8; 16]),
            mutation_id: Uuid::from_bytes([7; 16]),
            detected_at: chrono::Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap(),
            resolution: None,
        }
    }

    fn resolved(mut c: ConflictV1, action: &str, note: &str) -> ConflictV1 {
        // The resolution type is the wire's; build it the way it arrives.
        let mut v = serde_json::to_value(&c).unwrap();
        v["resolution"] = json!({
            "action": action,
            "by": Uuid::from_bytes([5; 16]),
            "by_name": "Sam",
            "at": c.detected_at,
            "note": note,
        });
        c = serde_json::from_value(v).unwrap();
        c
    }

    #[test]
    fn reversing_needs_a_note_and_accepting_does_not() {
        let id = conflict(1).id;
        let m = ConflictsModel::default()
            .reduce(ConflictsAction::Loaded(vec![conflict(1), conflict(2)]));
        assert_eq!(m.open_count(), 2);
        assert!(
            m.resolve_args(id, ResolveAction::Reverse)
                .unwrap_err()
                .contains("note")
        );
        let a = m.resolve_args(id, ResolveAction::Accept).unwrap();
        assert_eq!((a.action, a.note.as_str()), (ResolveAction::Accept, ""));
        let m = m.reduce(ConflictsAction::Note(
            id,
            "  device was moved back  ".into(),
        ));
        let r = m.resolve_args(id, ResolveAction::Reverse).unwrap();
        assert_eq!(r.note, "device was moved back");
    }

    #[test]
    fn a_resolved_conflict_replaces_its_row_and_cannot_be_resolved_twice() {
        let id = conflict(1).id;
        let m = ConflictsModel::default()
            .reduce(ConflictsAction::Loaded(vec![conflict(1), conflict(2)]))
            .reduce(ConflictsAction::Note(id, "ok".into()))
            .reduce(ConflictsAction::Resolving(id));
        assert_eq!(m.busy, Some(id));
        let m = m.reduce(ConflictsAction::Resolved(Box::new(resolved(
            conflict(1),
            "reversed",
            "ok",
        ))));
        assert_eq!(m.busy, None);
        assert_eq!(m.open_count(), 1);
        assert_eq!(m.items.len(), 2);
        assert!(!m.notes.contains_key(&id));
        assert_eq!(
            resolution_text(&m.items[0]).as_deref(),
            Some("Reversed by Sam: ok")
        );
        assert!(
            m.resolve_args(id, ResolveAction::Accept)
                .unwrap_err()
                .contains("already")
        );
    }

    #[test]
    fn a_refused_resolve_keeps_the_row_and_says_why() {
        let id = conflict(1).id;
        let m = ConflictsModel::default()
            .reduce(ConflictsAction::Loaded(vec![conflict(1)]))
            .reduce(ConflictsAction::Resolving(id))
            .reduce(ConflictsAction::Failed(
                id,
                IpcError::new(codes::OFFLINE, "refused"),
            ));
        assert_eq!(m.busy, None);
        assert_eq!(m.open_count(), 1);
        assert!(m.errors[&id].contains("needs a connection"));
    }

    #[test]
    fn values_and_rules_read_as_words() {
        assert_eq!(value_text(&json!("out_of_service")), "Out of service");
        assert_eq!(value_text(&json!("Room 301")), "Room 301");
        assert_eq!(value_text(&json!(null)), "(none)");
        assert_eq!(value_text(&json!(14)), "14");
        assert_eq!(
            value_text(&json!({"closure": "cnd", "findings": "no fault", "x": null})),
            "Closure: Could not duplicate / no problem found, Findings: no fault"
        );
        assert_eq!(rule_text("first_completion_wins"), "First completion wins");
    }
}
