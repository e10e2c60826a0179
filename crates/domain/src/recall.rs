//! Recalls and safety alerts, matched to assets, with an action per asset
//! and closure.

use crate::ids::{AssetId, RecallId, WorkOrderId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::code_enum! {
    pub enum RecallSource {
        Fda => "fda",
        Manufacturer => "manufacturer",
        Ecri => "ecri",
        Internal => "internal",
    }
}

/// A notice and what it applies to. Any criterion left empty matches all;
/// at least one must be set, or the recall would match every device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recall {
    pub id: RecallId,
    pub source: RecallSource,
    /// The notice number, e.g. `Z-1234-2026`.
    pub number: String,
    pub title: String,
    pub received_on: NaiveDate,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub device_type_code: Option<String>,
    pub product_code: Option<String>,
    pub closed_on: Option<NaiveDate>,
}

/// The asset facts a recall is matched against.
#[derive(Clone, Copy, Debug)]
pub struct RecallTarget<'a> {
    pub manufacturer: &'a str,
    pub model: &'a str,
    pub device_type_code: &'a str,
    pub product_code: Option<&'a str>,
}

fn eq(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl Recall {
    pub fn has_criteria(&self) -> bool {
        self.manufacturer.is_some()
            || self.model.is_some()
            || self.device_type_code.is_some()
            || self.product_code.is_some()
    }

    pub fn matches(&self, t: &RecallTarget<'_>) -> bool {
        if !self.has_criteria() {
            return false;
        }
        self.manufacturer
            .as_deref()
            .is_none_or(|m| eq(m, t.manufacturer))
            && self.model.as_deref().is_none_or(|m| eq(m, t.model))
            && self
                .device_type_code
                .as_deref()
                .is_none_or(|c| eq(c, t.device_type_code))
            && self
                .product_code
                .as_deref()
                .is_none_or(|c| t.product_code.is_some_and(|p| eq(c, p)))
    }
}

crate::code_enum! {
    pub enum RecallAction {
        Pending => "pending",
        NotAffected => "not_affected",
        Remediated => "remediated",
        RemovedFromService => "removed_from_service",
    }
}

/// One matched asset and what was done about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecallAsset {
    pub recall_id: RecallId,
    pub asset_id: AssetId,
    pub action: RecallAction,
    pub work_order_id: Option<WorkOrderId>,
    pub acted_on: Option<NaiveDate>,
}

/// A recall may close only when every matched asset has a final action.
pub fn can_close(actions: &[RecallAction]) -> bool {
    actions.iter().all(|a| *a != RecallAction::Pending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RecallId;

    fn recall() -> Recall {
        Recall {
            id: RecallId::new(0, [0; 10]),
            source: RecallSource::Fda,
            number: "Z-0001-2026".into(),
            title: "Occlusion alarm may fail".into(),
            received_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            manufacturer: Some("Medfusion".into()),
            model: Some("MF-4000".into()),
            device_type_code: None,
            product_code: None,
            closed_on: None,
        }
    }

    #[test]
    fn matches_on_every_given_criterion() {
        let r = recall();
        let t = RecallTarget {
            manufacturer: "medfusion",
            model: "MF-4000",
            device_type_code: "13-215",
            product_code: None,
        };
        assert!(r.matches(&t));
        assert!(!r.matches(&RecallTarget {
            model: "MF-3000",
            ..t
        }));
        let by_code = Recall {
            manufacturer: None,
            model: None,
            product_code: Some("FRN".into()),
            ..recall()
        };
        assert!(
            !by_code.matches(&t),
            "a product-code recall needs the asset's product code"
        );
        assert!(by_code.matches(&RecallTarget {
            product_code: Some("frn"),
            ..t
        }));
        let empty = Recall {
            manufacturer: None,
            model: None,
            ..recall()
        };
        assert!(
            !empty.matches(&t),
            "a recall without criteria matches nothing"
        );
    }

    #[test]
    fn closes_only_when_no_asset_is_pending() {
        assert!(can_close(&[
            RecallAction::Remediated,
            RecallAction::NotAffected
        ]));
        assert!(!can_close(&[
            RecallAction::Remediated,
            RecallAction::Pending
        ]));
    }
}
