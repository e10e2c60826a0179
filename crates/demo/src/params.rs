//! The knobs of the demo hospital. Everything generated is a pure function
//! of these values, so the same file always yields the same hospital.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The default small hospital, shipped with the app.
const SMALL_JSON: &str = include_str!("../../../assets/demo-hospital.json");

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoParams {
    pub seed: u64,
    /// The health system's name, used for sites and report headers.
    pub name: String,
    /// "Today" in the demo: history ends here and due dates are relative to it.
    pub as_of: NaiveDate,
    pub sites: u16,
    pub departments_per_site: u16,
    pub assets: u32,
    pub years_of_history: u16,
    /// Target total number of work orders; the result lands within ±5%.
    pub work_orders: u64,
    pub technicians: u16,
    /// Asset tags read `{tag_prefix}-000123`.
    #[serde(default = "default_tag_prefix")]
    pub tag_prefix: String,
    /// How many recalls and alerts to create (one of them stays open).
    #[serde(default = "default_recalls")]
    pub recalls: u16,
    /// In-service training events besides the planted one.
    #[serde(default = "default_training_events")]
    pub training_events: u16,
}

fn default_tag_prefix() -> String {
    "BME".into()
}
fn default_recalls() -> u16 {
    6
}
fn default_training_events() -> u16 {
    12
}

impl DemoParams {
    /// The default small hospital from `assets/demo-hospital.json`.
    pub fn small() -> DemoParams {
        // The file is compiled in and covered by tests, so a parse failure
        // is a build defect, not a runtime condition.
        serde_json::from_str(SMALL_JSON).expect("assets/demo-hospital.json is a valid DemoParams")
    }

    /// The same hospital (seed, shape, dates) at another size, for
    /// benchmarks and scale tests.
    pub fn scaled(assets: u32, work_orders: u64) -> DemoParams {
        DemoParams {
            assets,
            work_orders,
            ..DemoParams::small()
        }
    }

    /// First day of the work-order history.
    pub fn history_start(&self) -> NaiveDate {
        let months = 12 * u32::from(self.years_of_history.max(1));
        self.as_of
            .checked_sub_months(chrono::Months::new(months))
            .unwrap_or(self.as_of)
    }
}
