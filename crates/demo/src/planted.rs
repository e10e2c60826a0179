//! The patterns planted in the demo history, named by id so tests and
//! analytics elsewhere can assert they were found.

use crate::history::{
    EOS_COST_GROWTH, EOS_RATE_GROWTH, FAILING_PUMP_FACTOR, POST_TRAINING_FACTOR,
    PRE_TRAINING_FACTOR,
};
use crate::names;
use crate::params::DemoParams;
use biomend_domain::dataset::Dataset;
use biomend_domain::ids::*;
use serde::{Deserialize, Serialize};

/// What the generator planted, and how strongly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Planted {
    /// 1. The maker whose general-purpose infusion pumps fail more often.
    pub failing_pump_manufacturer: ManufacturerId,
    /// The pump device type (`13-215`) the comparison is made within.
    pub pump_device_type: DeviceTypeId,
    /// Planted multiplier on the device-failure rate per unit-year.
    pub failing_pump_factor: f64,
    /// 2. The unit with many CND and use-error calls on a device type...
    pub training_department: DepartmentId,
    pub training_device_type: DeviceTypeId,
    /// ...which drop after this training event.
    pub training_event: TrainingEventId,
    /// Planted multiplier on CND and use-error calls before the event.
    pub pre_training_factor: f64,
    /// ...and after it.
    pub post_training_factor: f64,
    /// Length of the equal before/after windows the effect shows in.
    pub training_window_days: i64,
    /// 3. Networked devices on an unsupported OS: Windows XP Embedded and
    ///    Windows 7, patch validation `Unsupported`.
    pub unsupported_os_assets: Vec<AssetId>,
    /// 4. The model past end of support whose annual service cost rises.
    pub end_of_support_model: ModelId,
    /// Yearly growth of that model's failure rate and per-repair cost.
    pub eos_rate_growth: f64,
    pub eos_cost_growth: f64,
}

/// Finds the planted records in a generated dataset.
///
/// # Panics
/// If `data` was not produced by [`crate::generate`] with these params (for
/// instance with fewer than five departments per site, which leaves no
/// room for the planted unit).
pub fn planted(params: &DemoParams, data: &Dataset) -> Planted {
    // The planted records are found by name in `data`; `params` stays in
    // the signature so callers pair a dataset with the params it came from.
    let _ = params;
    let type_id = |code: &str| {
        data.device_types
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.id)
            .expect("planted device type exists")
    };
    let maker = data
        .manufacturers
        .iter()
        .find(|m| m.name == names::FAILING_PUMP_MAKER)
        .map(|m| m.id)
        .expect("planted pump maker exists");
    let dept = data
        .departments
        .iter()
        .find(|d| d.name == names::TRAINING_DEPARTMENT)
        .map(|d| d.id)
        .expect("planted department exists (departments_per_site >= 5)");
    let training_type = type_id(names::TRAINING_TYPE_CODE);
    let event = data
        .training_events
        .iter()
        .find(|t| t.department_id == dept && t.device_type_id == training_type)
        .map(|t| t.id)
        .expect("planted training event exists");
    let mut unsupported: Vec<AssetId> = data
        .network_profiles
        .iter()
        .filter(|n| n.is_unsupported_os())
        .map(|n| n.asset_id)
        .collect();
    unsupported.sort();
    let model = data
        .models
        .iter()
        .find(|m| m.name == names::EOS_MODEL)
        .map(|m| m.id)
        .expect("planted end-of-support model exists");
    Planted {
        failing_pump_manufacturer: maker,
        pump_device_type: type_id(names::PUMP_TYPE_CODE),
        failing_pump_factor: FAILING_PUMP_FACTOR,
        training_department: dept,
        training_device_type: training_type,
        training_event: event,
        pre_training_factor: PRE_TRAINING_FACTOR,
        post_training_factor: POST_TRAINING_FACTOR,
        training_window_days: 183,
        unsupported_os_assets: unsupported,
        end_of_support_model: model,
        eos_rate_growth: EOS_RATE_GROWTH,
        eos_cost_growth: EOS_COST_GROWTH,
    }
}
