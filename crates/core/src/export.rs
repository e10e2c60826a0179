//! Export assets and work orders to CSV, in the import's own format so an
//! export re-imports unchanged.

use crate::{App, CoreError, Result};
use biomend_interchange::{
    AssetExportRow, WorkOrderExportRow, write_assets_csv, write_work_orders_csv,
};
use std::io::Write;

pub fn assets(app: &App, out: impl Write) -> Result<u64> {
    let policy = app.policies()?.risk;
    let mut rows = Vec::new();
    app.store().reader().for_each_asset_export(|e| {
        let a = e.asset;
        let net = e.network;
        rows.push(AssetExportRow {
            tag: a.tag,
            serial: a.serial,
            manufacturer: e.manufacturer,
            model: e.model,
            device_type_code: Some(e.device_type_code),
            device_type: Some(e.device_type),
            site: Some(e.site),
            department: e.department,
            building: e.building,
            floor: e.floor,
            room: e.room,
            ownership: Some(a.ownership),
            status: Some(a.status),
            acquired_on: a.acquired_on,
            acquisition_cost: a.acquisition_cost,
            warranty_end: a.warranty_end,
            expected_life_years: a.expected_life_years,
            risk: Some(a.risk),
            risk_class: Some(policy.classify(&a.risk, e.life_support)),
            life_support: Some(e.life_support),
            parent_tag: e.parent_tag,
            contract: e.contract,
            hostname: net.as_ref().and_then(|n| n.hostname.clone()),
            ip: net.as_ref().and_then(|n| n.ip_address.clone()),
            mac: net.as_ref().and_then(|n| n.mac_address.clone()),
            vlan: net.as_ref().and_then(|n| n.vlan),
            os_name: net.as_ref().and_then(|n| n.os_name.clone()),
            os_version: net.as_ref().and_then(|n| n.os_version.clone()),
            firmware: net.as_ref().and_then(|n| n.firmware_version.clone()),
            notes: (!a.notes.is_empty()).then_some(a.notes),
        });
        Ok(())
    })?;
    write_assets_csv(out, rows).map_err(|e| CoreError::Export(e.to_string()))
}

pub fn work_orders(app: &App, out: impl Write) -> Result<u64> {
    let mut rows = Vec::new();
    app.store().reader().for_each_work_order_export(|e| {
        let s = e.summary;
        rows.push(WorkOrderExportRow {
            number: s.number,
            asset_tag: s.asset_tag,
            department: None,
            kind: s.kind,
            status: s.status,
            priority: s.priority,
            opened_at: s.opened_at,
            reported_by: (!e.reported_by.is_empty()).then_some(e.reported_by),
            assigned_to: s.assigned_to,
            due_on: s.due_on,
            started_at: e.started_at,
            completed_at: s.completed_at,
            closure_code: s.closure,
            labor_minutes: s.labor_minutes.max(0) as u64,
            parts_cost: s.parts_cost,
            vendor_cost: s.vendor_cost,
            downtime_hours: None,
            problem: s.problem,
            findings: e.findings,
            signed_off_by: e.signed_off_by,
            signed_off_at: e.signed_off_at,
        });
        Ok(())
    })?;
    write_work_orders_csv(out, rows).map_err(|e| CoreError::Export(e.to_string()))
}
