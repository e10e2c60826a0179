//! The always-visible sync strip: what `status` says, as sentences.

use super::format::clock;
use biomend_ipc::SyncStatus;
use chrono::{DateTime, Utc};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StripView {
    pub online: bool,
    /// `Online`, `Offline` or `Syncing…`.
    pub state: String,
    pub pending: u64,
    /// `3 changes waiting`, `1 change waiting` or `All changes synced`.
    pub pending_text: String,
    /// `Last synced 14:02` or `Never synced`.
    pub last_sync: String,
    /// The strip in one line, e.g. `Offline — last synced 14:02`.
    pub headline: String,
    /// Why the last sync failed, when it did.
    pub error: Option<String>,
    /// Changes the server refused, each with its reason.
    pub refused: Vec<String>,
}

pub fn pending_text(pending: u64) -> String {
    match pending {
        0 => "All changes synced".into(),
        1 => "1 change waiting".into(),
        n => format!("{n} changes waiting"),
    }
}

/// `create_work_order@1` → `New work order`: what the refused change was.
pub fn mutation_label(name: &str) -> String {
    let base = name.split('@').next().unwrap_or(name);
    match base {
        "create_work_order" => "New work order".into(),
        "set_work_order_status" => "Work-order status".into(),
        "record_work" => "Recorded work".into(),
        "complete_work_order" => "Completion".into(),
        "sign_off_work_order" => "Sign-off".into(),
        "record_pm_attempt" => "PM attempt".into(),
        "update_asset" => "Asset change".into(),
        other => super::format::humanize(other),
    }
}

pub fn strip(s: &SyncStatus, now: DateTime<Utc>, offset_minutes: i32) -> StripView {
    let when = s.last_success.map(|t| clock(t, now, offset_minutes));
    let state = if s.syncing {
        "Syncing…"
    } else if s.online {
        "Online"
    } else {
        "Offline"
    };
    let last_sync = match &when {
        Some(w) => format!("Last synced {w}"),
        None => "Never synced".into(),
    };
    let headline = match (&when, s.online) {
        (Some(w), _) => format!("{state} — last synced {w}"),
        (None, _) => format!("{state} — never synced"),
    };
    let error = s
        .last_error
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        // The state beside it already says online or offline.
        .map(|e| format!("Sync failed: {e}"));
    let mut refused: Vec<String> = s
        .refused
        .iter()
        .map(|r| format!("{} refused: {}", mutation_label(&r.mutation), r.reason))
        .collect();
    let unexplained = s.rejected.saturating_sub(s.refused.len() as u64);
    if unexplained > 0 {
        refused.push(format!(
            "{unexplained} more change{} refused by the server",
            if unexplained == 1 { " was" } else { "s were" }
        ));
    }
    StripView {
        online: s.online,
        state: state.into(),
        pending: s.pending,
        pending_text: pending_text(s.pending),
        last_sync,
        headline,
        error,
        refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_ipc::Refused;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 20, 30, 0).unwrap()
    }

    #[test]
    fn offline_with_waiting_changes_reads_plainly() {
        let s = SyncStatus {
            online: false,
            pending: 3,
            last_success: Some(Utc.with_ymd_and_hms(2026, 11, 25, 19, 2, 0).unwrap()),
            ..SyncStatus::default()
        };
        let v = strip(&s, now(), -300);
        assert!(!v.online);
        assert_eq!(v.pending_text, "3 changes waiting");
        assert_eq!(v.headline, "Offline — last synced 14:02");
        assert_eq!(v.last_sync, "Last synced 14:02");
        assert_eq!(v.error, None);
    }

    #[test]
    fn counts_read_in_the_singular_and_when_nothing_waits() {
        assert_eq!(pending_text(1), "1 change waiting");
        assert_eq!(pending_text(0), "All changes synced");
        let v = strip(
            &SyncStatus {
                online: true,
                ..SyncStatus::default()
            },
            now(),
            0,
        );
        assert_eq!(v.headline, "Online — never synced");
        assert_eq!(v.last_sync, "Never synced");
        let v = strip(
            &SyncStatus {
                online: true,
                syncing: true,
                ..SyncStatus::default()
            },
            now(),
            0,
        );
        assert_eq!(v.state, "Syncing…");
    }

    #[test]
    fn a_failed_sync_says_why_and_lists_refused_changes() {
        let s = SyncStatus {
            online: false,
            rejected: 3,
            refused: vec![
                Refused {
                    mutation: "complete_work_order@1".into(),
                    reason: "work order WO-26-000001 is already completed".into(),
                    at: None,
                },
                Refused {
                    mutation: "update_asset@1".into(),
                    reason: "forbidden".into(),
                    at: None,
                },
            ],
            last_error: Some("the server could not be reached".into()),
            ..SyncStatus::default()
        };
        let v = strip(&s, now(), 0);
        assert_eq!(
            v.error.as_deref(),
            Some("Sync failed: the server could not be reached")
        );
        assert_eq!(
            v.refused,
            vec![
                "Completion refused: work order WO-26-000001 is already completed".to_string(),
                "Asset change refused: forbidden".to_string(),
                "1 more change was refused by the server".to_string(),
            ]
        );
        let online_error = SyncStatus {
            online: true,
            last_error: Some("the server refused the token".into()),
            ..SyncStatus::default()
        };
        assert_eq!(
            strip(&online_error, now(), 0).error.as_deref(),
            Some("Sync failed: the server refused the token")
        );
        let blank = SyncStatus {
            last_error: Some("  ".into()),
            ..SyncStatus::default()
        };
        assert_eq!(strip(&blank, now(), 0).error, None);
    }
}
