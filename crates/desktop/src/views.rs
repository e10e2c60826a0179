//! The core's answers as the window's views. Field by field, by hand: the
//! IPC contract changes only when a screen needs it to.

use crate::worker::Snapshot;
use biomend_core::{App, CoreError, Result};
use biomend_domain::user::{Role, User};
use biomend_domain::work_order::WorkOrderStatus;
use biomend_ipc as ipc;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub(crate) fn session(
    app: &App,
    user: &User,
    server_url: &str,
    offline: bool,
) -> Result<ipc::Session> {
    let r = app.store().reader();
    let mut sites = Vec::new();
    for id in &user.sites {
        if let Some(s) = r.site(*id)? {
            sites.push(s.code);
        }
    }
    Ok(ipc::Session {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        sites,
        server_url: server_url.to_string(),
        offline,
        supervises: user.role.can_sign_off(),
        sees_kpis: matches!(user.role, Role::Supervisor | Role::Manager | Role::Admin),
        sees_reports: matches!(user.role, Role::Manager | Role::Admin),
    })
}

pub(crate) fn sync_status(st: biomend_core::sync::SyncStatus, live: &Snapshot) -> ipc::SyncStatus {
    let ran = live.rounds > 0;
    ipc::SyncStatus {
        online: if ran { live.online } else { st.status.online },
        syncing: live.syncing,
        pending: st.status.pending,
        rejected: st.status.rejected,
        refused: st
            .rejected_mutations
            .iter()
            .map(|r| ipc::Refused {
                mutation: r.name.clone(),
                reason: format!("{} ({})", r.message, r.code),
                at: Some(r.answered_at),
            })
            .collect(),
        last_success: st.status.last_success,
        last_error: if ran {
            live.last_error.clone()
        } else {
            st.status.last_error
        },
        server_url: st.server_url,
    }
}

/// A scanned or typed query: an exact tag goes to its asset, anything
/// else is a search.
pub(crate) fn find(app: &App, query: &str) -> Result<ipc::Found> {
    let q = query.trim();
    if q.is_empty() {
        return Err(CoreError::Invalid {
            field: "query".into(),
            reason: "scan or type an asset tag".into(),
        });
    }
    match biomend_core::find_asset::run(app, q) {
        Ok(a) => return Ok(ipc::Found::Asset { tag: a.tag }),
        Err(CoreError::NotFound { .. } | CoreError::Rule(_)) => {}
        Err(e) => return Err(e),
    }
    let assets = biomend_core::search::run(
        app,
        &biomend_core::search::SearchInput {
            text: q.to_string(),
            limit: 50,
        },
    )?;
    Ok(ipc::Found::Matches { assets })
}

pub(crate) fn asset_page(p: biomend_core::asset_page::AssetPage) -> ipc::AssetPage {
    ipc::AssetPage {
        detail: p.detail,
        em_number: p.em_number,
        risk_class: p.risk_class,
        expected_life_years: p.expected_life_years,
        age_years: p.age_years,
        past_end_of_support: p.past_end_of_support,
        unsupported_os: p.unsupported_os,
        open_work: p.open_work,
        history: p.history,
    }
}

pub(crate) fn my_day(d: biomend_core::my_day::MyDay) -> ipc::MyDay {
    ipc::MyDay {
        today: d.today,
        assigned: d.assigned,
        pms_due: d
            .pms_due
            .into_iter()
            .map(|p| ipc::PmItem {
                due: p.due,
                window_start: p.window_start,
                window_end: p.window_end,
                overdue: p.overdue,
            })
            .collect(),
    }
}

pub(crate) fn work_order(app: &App, user: &str, number: &str) -> Result<ipc::WorkOrderPage> {
    let p = biomend_core::work_order_page::run(app, user, number)?;
    let status = p.bundle.work_order.status;
    let steps = p
        .moves
        .iter()
        .map(|to| match to {
            WorkOrderStatus::InProgress if status.is_on_hold() => ipc::Step::Resume,
            WorkOrderStatus::InProgress => ipc::Step::Start,
            WorkOrderStatus::OnHoldParts => ipc::Step::HoldForParts,
            WorkOrderStatus::OnHoldVendor => ipc::Step::HoldForVendor,
            _ => ipc::Step::Cancel,
        })
        .collect();
    Ok(ipc::WorkOrderPage {
        bundle: p.bundle,
        asset: p.asset,
        assigned_to: p.assigned_to,
        checklist: p.checklist,
        safety_edition: p.safety_edition,
        steps,
        can_record: p.can_record,
        can_sign_off: p.can_sign_off,
    })
}

pub(crate) fn record(r: &ipc::WorkRecord) -> biomend_core::workflow::WorkRecord {
    use biomend_core::workflow::{LaborInput, PartInput, ReadingInput, WorkRecord};
    WorkRecord {
        labor: r
            .labor
            .iter()
            .map(|l| LaborInput {
                minutes: l.minutes,
                note: l.note.clone(),
            })
            .collect(),
        parts: r
            .parts
            .iter()
            .map(|p| PartInput {
                part_number: p.part_number.clone(),
                description: p.description.clone(),
                quantity: p.quantity,
                unit_cost: p.unit_cost,
            })
            .collect(),
        readings: r
            .readings
            .iter()
            .map(|x| ReadingInput {
                item_key: x.item_key.clone(),
                answer: x.answer,
            })
            .collect(),
        note: r.note.clone().filter(|n| !n.trim().is_empty()),
    }
}

/// What came in, grouped by who sent it (busiest first).
pub(crate) fn shift_summary(
    since: DateTime<Utc>,
    items: Vec<biomend_protocol::IncomingV1>,
) -> ipc::ShiftSummary {
    let mut people: BTreeMap<String, ipc::PersonShift> = BTreeMap::new();
    for i in &items {
        let p = people
            .entry(i.user_name.clone())
            .or_insert_with(|| ipc::PersonShift {
                user_name: i.user_name.clone(),
                devices: Vec::new(),
                applied: 0,
                refused: 0,
                conflicts: 0,
                work_orders_completed: 0,
            });
        if !p.devices.contains(&i.device_name) {
            p.devices.push(i.device_name.clone());
        }
        if i.outcome == "applied" {
            p.applied += 1;
            if i.mutation.starts_with("complete_work_order@") {
                p.work_orders_completed += 1;
            }
            if i.summary.contains("conflict") {
                p.conflicts += 1;
            }
        } else {
            p.refused += 1;
        }
    }
    let mut people: Vec<_> = people.into_values().collect();
    people.sort_by_key(|p| std::cmp::Reverse(p.applied + p.refused));
    ipc::ShiftSummary {
        since,
        people,
        items,
    }
}

pub(crate) fn team(w: Vec<biomend_core::team::Workload>) -> Vec<ipc::TeamMember> {
    w.into_iter()
        .map(|w| ipc::TeamMember {
            username: w.username,
            display_name: w.display_name,
            open: w.open,
            in_progress: w.in_progress,
            on_hold: w.on_hold,
            overdue: w.overdue,
            emergencies: w.emergencies,
        })
        .collect()
}

pub(crate) fn kpi_report(r: biomend_core::analytics::KpiReport) -> ipc::KpiReport {
    ipc::KpiReport {
        by: r.by,
        period: r.period,
        groups: r
            .groups
            .into_iter()
            .map(|g| ipc::KpiGroup {
                key: g.group,
                name: g.name,
                kpis: g.item,
            })
            .collect(),
    }
}

/// The settings grouped by section, in the catalog's screen order.
pub(crate) fn settings(v: biomend_core::settings::SettingsView) -> ipc::SettingsView {
    let mut sections: Vec<ipc::SettingsSection> = Vec::new();
    for i in v.items {
        let item = ipc::SettingItem {
            key: i.key,
            label: i.label,
            help: i.help,
            kind: i.kind,
            value: i.value,
            default: i.default,
            is_default: i.is_default,
            problem: i.problem,
        };
        match sections.last_mut() {
            Some(s) if s.section == i.section => s.items.push(item),
            _ => sections.push(ipc::SettingsSection {
                section: i.section,
                title: i.section.title().to_string(),
                items: vec![item],
            }),
        }
    }
    ipc::SettingsView {
        sections,
        updated_by: v.updated_by,
        updated_at: v.updated_at,
        can_change: v.can_change,
    }
}

pub(crate) fn training_event(
    v: biomend_core::analytics::TrainingEventView,
) -> ipc::TrainingEventItem {
    ipc::TrainingEventItem {
        event: v.event,
        department: v.department,
        device_type: v.device_type,
    }
}

/// Lays the survey report out as PDF and HTML and writes both to
/// `folder`, named by period and site, replacing an earlier run's files.
pub(crate) fn write_survey(
    report: &biomend_analytics::survey::SurveyReport,
    folder: &std::path::Path,
) -> std::result::Result<ipc::SurveyWritten, ipc::IpcError> {
    let io = |what: &str, path: &std::path::Path, e: std::io::Error| {
        ipc::IpcError::new(
            "io_error",
            format!("cannot write {what} {}: {e}", path.display()),
        )
    };
    std::fs::create_dir_all(folder).map_err(|e| io("the folder", folder, e))?;
    let (from, to) = (report.period.from, report.last_day());
    let site = report
        .scope
        .site_code
        .as_deref()
        .map(|c| {
            let c: String = c
                .chars()
                .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' })
                .collect();
            format!("-{c}")
        })
        .unwrap_or_default();
    let stem = format!("eoc-report-{from}-to-{to}{site}");
    let pdf_path = folder.join(format!("{stem}.pdf"));
    let html_path = folder.join(format!("{stem}.html"));
    let pdf = biomend_report::pdf(report);
    std::fs::write(&pdf_path, &pdf.bytes).map_err(|e| io("the PDF", &pdf_path, e))?;
    let page = biomend_report::html(report);
    std::fs::write(&html_path, page.as_bytes()).map_err(|e| io("the HTML page", &html_path, e))?;
    Ok(ipc::SurveyWritten {
        folder: folder.display().to_string(),
        pdf: pdf_path.display().to_string(),
        html: html_path.display().to_string(),
        pages: pdf.pages as u32,
        from,
        to,
        scope: report.scope.label.clone(),
    })
}
