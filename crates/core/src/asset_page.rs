//! The asset page: identity, placement, risk, contract, network profile,
//! PM plans, open work, and the full history.

use crate::{App, CoreError, Result};
use biomend_domain::asset::normalize_tag;
use biomend_domain::risk::RiskClass;
use biomend_store::{AssetDetail, WorkOrderSummary};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct AssetPage {
    pub detail: AssetDetail,
    pub em_number: i32,
    pub risk_class: RiskClass,
    pub expected_life_years: u16,
    pub age_years: Option<f64>,
    pub past_end_of_support: bool,
    pub unsupported_os: bool,
    pub open_work: Vec<WorkOrderSummary>,
    pub history: Vec<WorkOrderSummary>,
}

/// History entries shown; the page pages beyond this.
pub const HISTORY_LIMIT: u32 = 200;

pub fn run(app: &App, tag: &str) -> Result<AssetPage> {
    let tag = normalize_tag(tag)?;
    let r = app.store().reader();
    let id = r.asset_id_by_tag(&tag)?.ok_or(CoreError::NotFound {
        what: "asset tag",
        key: tag,
    })?;
    let detail = r.asset_detail(id)?.ok_or(CoreError::NotFound {
        what: "asset",
        key: id.to_string(),
    })?;
    let policies = app.policies()?;
    let today = app.clock().today();
    let life_support = detail.device_type.life_support || detail.asset.life_support_override;
    let expected_life_years = detail
        .asset
        .expected_life_years
        .or(detail.model.expected_life_years)
        .unwrap_or(detail.device_type.expected_life_years);
    let history = r.asset_history(id, HISTORY_LIMIT)?;
    let open_work = history
        .iter()
        .filter(|w| w.status.is_open())
        .cloned()
        .collect();
    Ok(AssetPage {
        em_number: detail.asset.risk.em_number(),
        risk_class: policies.risk.classify(&detail.asset.risk, life_support),
        expected_life_years,
        age_years: detail.asset.age_years(today),
        past_end_of_support: detail.model.is_past_end_of_support(today),
        unsupported_os: detail
            .network
            .as_ref()
            .is_some_and(|n| n.is_unsupported_os()),
        open_work,
        history,
        detail,
    })
}
