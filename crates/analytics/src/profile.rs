//! What is known about an asset on a day, apart from its work history:
//! risk, age against expected life, replacement cost, support status,
//! network exposure, open recalls and how much its unit uses it. Repair vs
//! replace and the capital priority read these with the period's
//! [`crate::facts::AssetFacts`].

use crate::facts::{AssetKey, Catalog, asset_key, expected_life_years};
use crate::settings::Settings;
use biomend_domain::Money;
use biomend_domain::ids::*;
use biomend_domain::network::PatchValidation;
use biomend_domain::recall::RecallAction;
use biomend_domain::risk::RiskClass;
use biomend_domain::usage::UsageWindow;
use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A networked asset's exposure, from its network profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkExposure {
    pub os: Option<String>,
    /// Obsolete or unpatchable OS (see `NetworkProfile::is_unsupported_os`).
    pub unsupported_os: bool,
    /// The manufacturer has validated the patch level in use.
    pub patch_validated: bool,
    pub stores_phi: bool,
    pub remote_recoverable: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetProfile {
    pub key: AssetKey,
    pub tag: String,
    pub risk_class: RiskClass,
    pub em_number: i32,
    pub age_years: Option<f64>,
    pub expected_life_years: Option<u16>,
    /// The model's replacement price, else the asset's acquisition cost
    /// (then `replacement_cost_from_acquisition` is set).
    pub replacement_cost: Option<Money>,
    pub replacement_cost_from_acquisition: bool,
    pub end_of_support: Option<NaiveDate>,
    pub network: Option<NetworkExposure>,
    /// Recall actions still pending on this asset.
    pub open_recalls: u32,
    /// Share of the week its department uses this kind of device (from
    /// usage windows); `None` when no window says.
    pub utilization: Option<f64>,
}

impl AssetProfile {
    /// Age / expected life; `None` when either is unknown.
    pub fn life_used(&self) -> Option<f64> {
        Some(self.age_years? / f64::from(self.expected_life_years?))
    }

    pub fn past_end_of_support(&self, today: NaiveDate) -> bool {
        self.end_of_support.is_some_and(|d| d <= today)
    }

    pub fn unsupported_os(&self) -> bool {
        self.network.as_ref().is_some_and(|n| n.unsupported_os)
    }
}

/// Share of a week (0–1) in which any usage window of `department` for
/// `device_type` (or for all its devices) is busy, sampled at the middle of
/// each of the week's 168 hours, so overlapping windows count once.
pub fn weekly_utilization(
    windows: &[UsageWindow],
    department: DepartmentId,
    device_type: DeviceTypeId,
) -> Option<f64> {
    let mine: Vec<&UsageWindow> = windows
        .iter()
        .filter(|w| {
            w.department_id == department && w.device_type_id.is_none_or(|t| t == device_type)
        })
        .collect();
    if mine.is_empty() {
        return None;
    }
    // 2024-01-01 was a Monday; any week will do.
    let monday = NaiveDate::from_isoywd_opt(2024, 1, Weekday::Mon)?;
    let mut busy = 0u32;
    for h in 0..168u32 {
        let at = monday.and_time(NaiveTime::MIN)
            + chrono::Duration::hours(i64::from(h))
            + chrono::Duration::minutes(30);
        if mine.iter().any(|w| w.is_busy(at)) {
            busy += 1;
        }
    }
    Some(f64::from(busy) / 168.0)
}

/// Profiles of every active asset in the catalog on `today`.
pub fn profiles(catalog: &Catalog<'_>, today: NaiveDate, settings: &Settings) -> Vec<AssetProfile> {
    let models: HashMap<_, _> = catalog.models.iter().map(|m| (m.id, m)).collect();
    let types: HashMap<_, _> = catalog.device_types.iter().map(|t| (t.id, t)).collect();
    let depts: HashMap<_, _> = catalog.departments.iter().map(|d| (d.id, d)).collect();
    let nets: HashMap<_, _> = catalog
        .network_profiles
        .iter()
        .map(|n| (n.asset_id, n))
        .collect();
    let mut open: HashMap<AssetId, u32> = HashMap::new();
    for ra in catalog
        .recall_assets
        .iter()
        .filter(|r| r.action == RecallAction::Pending)
    {
        *open.entry(ra.asset_id).or_default() += 1;
    }
    let mut utilization: HashMap<(DepartmentId, DeviceTypeId), Option<f64>> = HashMap::new();
    catalog
        .assets
        .iter()
        .filter(|a| a.status.is_active())
        .filter_map(|a| {
            let key = asset_key(a, &models, &depts)?;
            let model = models.get(&a.model_id).copied();
            let dtype = types.get(&key.device_type_id).copied();
            let life_support = a.life_support_override || dtype.is_some_and(|t| t.life_support);
            let (replacement_cost, from_acq) = match model.and_then(|m| m.replacement_cost) {
                Some(c) => (Some(c), false),
                None => (a.acquisition_cost, a.acquisition_cost.is_some()),
            };
            let util = *utilization
                .entry((key.department_id, key.device_type_id))
                .or_insert_with(|| {
                    weekly_utilization(catalog.usage_windows, key.department_id, key.device_type_id)
                });
            Some(AssetProfile {
                key,
                tag: a.tag.clone(),
                risk_class: settings.risk.classify(&a.risk, life_support),
                em_number: a.risk.em_number(),
                age_years: a.age_years(today),
                expected_life_years: expected_life_years(a, model, dtype),
                replacement_cost,
                replacement_cost_from_acquisition: from_acq,
                end_of_support: model.and_then(|m| m.end_of_support),
                network: nets.get(&a.id).map(|n| NetworkExposure {
                    os: n.os_label(),
                    unsupported_os: n.is_unsupported_os(),
                    patch_validated: n.patch_validation == PatchValidation::Validated,
                    stores_phi: n.stores_phi,
                    remote_recoverable: n.remote_recoverable,
                }),
                open_recalls: open.get(&a.id).copied().unwrap_or(0),
                utilization: util,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::*;
    use biomend_domain::usage::{EVERY_DAY, WEEKDAYS};

    fn window(dept: u8, ty: Option<u8>, days: u8, from: u32, to: u32) -> UsageWindow {
        UsageWindow {
            id: id!(UsageWindowId, 90u8),
            department_id: id!(DepartmentId, dept),
            device_type_id: ty.map(|t| id!(DeviceTypeId, t)),
            weekdays: days,
            starts: NaiveTime::from_hms_opt(from, 0, 0).unwrap(),
            ends: NaiveTime::from_hms_opt(to, 0, 0).unwrap(),
        }
    }

    #[test]
    fn utilization_counts_overlaps_once() {
        let (icu, pump) = (id!(DepartmentId, ICU), id!(DeviceTypeId, PUMP));
        assert_eq!(weekly_utilization(&[], icu, pump), None);
        // Weekdays 07–17: 5 × 10 = 50 of 168 hours.
        let ws = [window(ICU, None, WEEKDAYS, 7, 17)];
        assert_eq!(weekly_utilization(&ws, icu, pump), Some(50.0 / 168.0));
        // Plus every day 12–20 for pumps: weekdays 07–20 = 5 × 13 = 65,
        // weekends 12–20 = 2 × 8 = 16: 81 of 168.
        let ws = [
            window(ICU, None, WEEKDAYS, 7, 17),
            window(ICU, Some(PUMP), EVERY_DAY, 12, 20),
            window(WARD, None, EVERY_DAY, 0, 23),
        ];
        assert_eq!(weekly_utilization(&ws, icu, pump), Some(81.0 / 168.0));
    }

    #[test]
    fn profile_reads_model_network_and_recalls() {
        let mut h = hospital();
        h.models[1].end_of_support = Some(d(2024, 1, 1));
        h.models[1].replacement_cost = None;
        h.assets = vec![asset(3, PUMP_B, ICU, d(2019, 1, 1), 5_000)];
        h.recall_assets = vec![recall_asset(3)];
        h.network_profiles = vec![network(3, "Windows 7", PatchValidation::Unsupported)];
        let p = &profiles(&h.catalog(), d(2025, 1, 1), &Settings::default())[0];
        // 2019-01-01 → 2025-01-01 is 2,192 days / 365.25 = 6.0014 years of 10.
        assert!((p.life_used().unwrap() - 2_192.0 / 365.25 / 10.0).abs() < 1e-12);
        assert!(p.past_end_of_support(d(2025, 1, 1)));
        assert!(p.unsupported_os());
        assert_eq!(p.open_recalls, 1);
        assert_eq!(
            (p.replacement_cost, p.replacement_cost_from_acquisition),
            (Some(Money(500_000)), true)
        );
        assert_eq!(p.em_number, 11);
    }
}
