//! Thresholds and weights. Every number the measures judge with lives
//! here, with the default PRODUCT.md gives ("Measures (formulas)"); where
//! the brief gives none, the default is ours and says so, and stays the
//! customer's to change.

use crate::error::AnalyticsError;
use biomend_domain::pm::WindowPolicy;
use biomend_domain::risk::RiskPolicy;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The on-time window around a PM's due date: ±10% of the interval
    /// (PRODUCT.md, "PM completion": "±10% of the interval is common").
    pub pm_window: WindowPolicy,
    /// Whether a documented attempt (device in use, not located) counts as
    /// done in the headline PM rate. PRODUCT.md allows it "when a written
    /// policy is followed, with follow-up"; that is the hospital's call, so
    /// the default is off and both rates are always shown.
    pub attempts_count_as_done: bool,
    /// Which EM numbers are high-risk (life support always is).
    pub risk: RiskPolicy,
    /// A corrective work order opened within this many days of the same
    /// asset's previous corrective completion is a repeat repair
    /// (PRODUCT.md: "7 is common; configurable").
    pub repeat_repair_days: u32,
    /// Loaded labor rate for technicians without one on file, in cents per
    /// hour. `None` (the default) costs such labor at zero and counts it,
    /// rather than invent a wage.
    pub fallback_loaded_rate_cents: Option<i64>,
    pub repair_replace: RepairReplaceRules,
    pub scorecard: ScorecardSettings,
    pub capital: CapitalSettings,
    /// Length of each of the equal windows before and after a training
    /// event. PRODUCT.md asks for equal windows without a length; six
    /// months (183 days) is ours.
    pub training_window_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            pm_window: WindowPolicy::default(),
            attempts_count_as_done: false,
            risk: RiskPolicy::default(),
            repeat_repair_days: 7,
            fallback_loaded_rate_cents: None,
            repair_replace: RepairReplaceRules::default(),
            scorecard: ScorecardSettings::default(),
            capital: CapitalSettings::default(),
            training_window_days: 183,
        }
    }
}

/// PRODUCT.md, "Repair vs replace (rules of thumb, configurable)".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepairReplaceRules {
    /// Replace when the repair estimate exceeds this share of replacement
    /// cost... (0.5)
    pub estimate_share_of_replacement: f64,
    /// ...and the asset is past this share of its expected life (0.5).
    pub life_used: f64,
    /// Candidate rule: annual service cost over this share of replacement
    /// cost (0.30).
    pub annual_cost_share_of_replacement: f64,
    /// Candidate rule "MTBF far below its peers": the asset's MTBF under
    /// this fraction of its device type's MTBF. PRODUCT.md says "far
    /// below" without a number; half (0.5) is ours.
    pub mtbf_share_of_peers: f64,
    /// A device is a replacement candidate when at least this many
    /// candidate rules hold (2).
    pub candidate_min_rules: usize,
}

impl Default for RepairReplaceRules {
    fn default() -> Self {
        RepairReplaceRules {
            estimate_share_of_replacement: 0.5,
            life_used: 0.5,
            annual_cost_share_of_replacement: 0.30,
            mtbf_share_of_peers: 0.5,
            candidate_min_rules: 2,
        }
    }
}

/// How the service scorecard ranks models and manufacturers. PRODUCT.md
/// names the measures but no weights: equal weights are ours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScorecardSettings {
    pub failures_weight: f64,
    pub cosr_weight: f64,
    pub mttr_weight: f64,
    pub uptime_weight: f64,
    pub cnd_weight: f64,
    pub recalls_weight: f64,
    /// Rows with less exposure than this many unit-years are shown but not
    /// ranked: two units for a year say little about a model. Ours: 5.
    pub min_unit_years: f64,
}

impl Default for ScorecardSettings {
    fn default() -> Self {
        ScorecardSettings {
            failures_weight: 1.0,
            cosr_weight: 1.0,
            mttr_weight: 1.0,
            uptime_weight: 1.0,
            cnd_weight: 1.0,
            recalls_weight: 1.0,
            min_unit_years: 5.0,
        }
    }
}

/// The capital replacement priority (PRODUCT.md: "a weighted, explainable
/// score over risk, age / expected life, service cost ratio, support
/// status, recall and cyber exposure, and utilization. The weights are the
/// customer's"). The default weights are ours; they sum to 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapitalSettings {
    pub risk_weight: f64,
    pub age_weight: f64,
    pub cosr_weight: f64,
    pub support_weight: f64,
    pub recall_weight: f64,
    pub cyber_weight: f64,
    pub utilization_weight: f64,
    /// Life used at which the age factor reaches 1: 1.5 = half again past
    /// expected life. Ours.
    pub age_cap: f64,
    /// Annual COSR at which the cost factor reaches 1; 0.30 matches the
    /// repair-vs-replace rule's 30% of replacement cost.
    pub cosr_cap: f64,
    /// End of support this many days ahead scores half the support factor.
    /// Ours: 365.
    pub eos_horizon_days: i64,
    /// Utilization assumed when no usage window says anything, as a
    /// fraction of the week. Ours: 0.5, neutral.
    pub unknown_utilization: f64,
    /// Assets scoring below this (0–100) are not planned for replacement
    /// however much budget is left. Ours: 40.
    pub min_score: f64,
    /// Whether a year's unspent budget carries into the next. Ours: no.
    pub carry_over: bool,
}

impl Default for CapitalSettings {
    fn default() -> Self {
        CapitalSettings {
            risk_weight: 0.20,
            age_weight: 0.20,
            cosr_weight: 0.15,
            support_weight: 0.15,
            recall_weight: 0.05,
            cyber_weight: 0.10,
            utilization_weight: 0.15,
            age_cap: 1.5,
            cosr_cap: 0.30,
            eos_horizon_days: 365,
            unknown_utilization: 0.5,
            min_score: 40.0,
            carry_over: false,
        }
    }
}

fn share(name: &'static str, v: f64) -> Result<(), AnalyticsError> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(AnalyticsError::InvalidSetting {
            name,
            reason: format!("must be between 0 and 1, got {v}"),
        })
    }
}

fn weight(name: &'static str, v: f64) -> Result<(), AnalyticsError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(AnalyticsError::InvalidSetting {
            name,
            reason: format!("must be zero or more, got {v}"),
        })
    }
}

fn positive(name: &'static str, v: f64) -> Result<(), AnalyticsError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(AnalyticsError::InvalidSetting {
            name,
            reason: format!("must be above zero, got {v}"),
        })
    }
}

impl Settings {
    /// Checks every setting is in its range, so a measure never silently
    /// divides by a zero cap or ranks by a negative weight.
    pub fn validate(&self) -> Result<(), AnalyticsError> {
        share("pm_window.fraction", self.pm_window.fraction)?;
        positive("training_window_days", self.training_window_days as f64)?;
        let r = &self.repair_replace;
        positive(
            "repair_replace.estimate_share_of_replacement",
            r.estimate_share_of_replacement,
        )?;
        positive("repair_replace.life_used", r.life_used)?;
        positive(
            "repair_replace.annual_cost_share_of_replacement",
            r.annual_cost_share_of_replacement,
        )?;
        share("repair_replace.mtbf_share_of_peers", r.mtbf_share_of_peers)?;
        let s = &self.scorecard;
        for (n, w) in [
            ("scorecard.failures_weight", s.failures_weight),
            ("scorecard.cosr_weight", s.cosr_weight),
            ("scorecard.mttr_weight", s.mttr_weight),
            ("scorecard.uptime_weight", s.uptime_weight),
            ("scorecard.cnd_weight", s.cnd_weight),
            ("scorecard.recalls_weight", s.recalls_weight),
            ("scorecard.min_unit_years", s.min_unit_years),
        ] {
            weight(n, w)?;
        }
        let c = &self.capital;
        let weights = [
            ("capital.risk_weight", c.risk_weight),
            ("capital.age_weight", c.age_weight),
            ("capital.cosr_weight", c.cosr_weight),
            ("capital.support_weight", c.support_weight),
            ("capital.recall_weight", c.recall_weight),
            ("capital.cyber_weight", c.cyber_weight),
            ("capital.utilization_weight", c.utilization_weight),
        ];
        for (n, w) in weights {
            weight(n, w)?;
        }
        if weights.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
            return Err(AnalyticsError::InvalidSetting {
                name: "capital weights",
                reason: "at least one weight must be above zero".into(),
            });
        }
        positive("capital.age_cap", c.age_cap)?;
        positive("capital.cosr_cap", c.cosr_cap)?;
        share("capital.unknown_utilization", c.unknown_utilization)?;
        if !(0.0..=100.0).contains(&c.min_score) {
            return Err(AnalyticsError::InvalidSetting {
                name: "capital.min_score",
                reason: format!("must be between 0 and 100, got {}", c.min_score),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_briefs_numbers_and_valid() {
        let s = Settings::default();
        assert_eq!(s.pm_window.fraction, 0.10);
        assert_eq!(s.repeat_repair_days, 7);
        assert_eq!(s.repair_replace.estimate_share_of_replacement, 0.5);
        assert_eq!(s.repair_replace.life_used, 0.5);
        assert_eq!(s.repair_replace.annual_cost_share_of_replacement, 0.30);
        assert_eq!(s.repair_replace.candidate_min_rules, 2);
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn out_of_range_settings_are_named() {
        let mut s = Settings::default();
        s.capital.cyber_weight = -1.0;
        assert!(matches!(
            s.validate(),
            Err(AnalyticsError::InvalidSetting {
                name: "capital.cyber_weight",
                ..
            })
        ));
        let mut s = Settings::default();
        s.pm_window.fraction = 1.5;
        assert!(matches!(
            s.validate(),
            Err(AnalyticsError::InvalidSetting {
                name: "pm_window.fraction",
                ..
            })
        ));
    }
}
