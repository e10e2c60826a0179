//! Fennigkoh–Smith equipment management (EM) number and the risk class
//! derived from it. Thresholds are policy, so they live in [`RiskPolicy`]
//! with the literature's defaults.

use crate::RuleError;
use serde::{Deserialize, Serialize};

/// The parts of an EM number. `function` is 2–10, `physical_risk` and
/// `maintenance` are 1–5, `incident_history` is the optional −2…+2 some
/// programs add.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmScore {
    pub function: u8,
    pub physical_risk: u8,
    pub maintenance: u8,
    pub incident_history: i8,
}

impl EmScore {
    /// Builds a score, rejecting any part outside its scale.
    pub fn new(
        function: u8,
        physical_risk: u8,
        maintenance: u8,
        incident_history: i8,
    ) -> Result<Self, RuleError> {
        check("function score", function as i64, 2, 10)?;
        check("physical risk score", physical_risk as i64, 1, 5)?;
        check("maintenance requirement score", maintenance as i64, 1, 5)?;
        check("incident history score", incident_history as i64, -2, 2)?;
        Ok(EmScore {
            function,
            physical_risk,
            maintenance,
            incident_history,
        })
    }

    /// EM = function + physical risk + maintenance requirement (+ incident history).
    pub fn em_number(&self) -> i32 {
        self.function as i32
            + self.physical_risk as i32
            + self.maintenance as i32
            + self.incident_history as i32
    }
}

fn check(field: &'static str, value: i64, min: i64, max: i64) -> Result<(), RuleError> {
    if value < min || value > max {
        return Err(RuleError::OutOfRange {
            field,
            min,
            max,
            value,
        });
    }
    Ok(())
}

/// Program thresholds. Defaults: EM ≥ 12 enters the maintenance program;
/// EM ≥ 16 or a physical-risk score of 5 (failure can cause death) is
/// high-risk; life support is always high-risk.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RiskPolicy {
    pub program_threshold: i32,
    pub high_risk_threshold: i32,
}

impl Default for RiskPolicy {
    fn default() -> Self {
        RiskPolicy {
            program_threshold: 12,
            high_risk_threshold: 16,
        }
    }
}

crate::code_enum! {
    /// The class reports group by (PM completion is reported life-support
    /// vs other high-risk vs the rest).
    pub enum RiskClass {
        LifeSupport => "life_support",
        HighRisk => "high_risk",
        InProgram => "in_program",
        NotInProgram => "not_in_program",
    }
}

impl RiskClass {
    /// The Joint Commission expects 100% on-time PM for these classes.
    pub fn is_high_risk(self) -> bool {
        matches!(self, RiskClass::LifeSupport | RiskClass::HighRisk)
    }
}

impl RiskPolicy {
    pub fn classify(&self, score: &EmScore, life_support: bool) -> RiskClass {
        let em = score.em_number();
        if life_support {
            RiskClass::LifeSupport
        } else if em >= self.high_risk_threshold || score.physical_risk >= 5 {
            RiskClass::HighRisk
        } else if em >= self.program_threshold {
            RiskClass::InProgram
        } else {
            RiskClass::NotInProgram
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_number_adds_its_parts() {
        let s = EmScore::new(9, 5, 3, 0).unwrap();
        assert_eq!(s.em_number(), 17);
        let s = EmScore::new(2, 1, 1, -2).unwrap();
        assert_eq!(s.em_number(), 2);
    }

    #[test]
    fn scores_outside_their_scale_are_rejected() {
        assert!(EmScore::new(1, 3, 3, 0).is_err());
        assert!(EmScore::new(11, 3, 3, 0).is_err());
        assert!(EmScore::new(5, 6, 3, 0).is_err());
        assert!(EmScore::new(5, 3, 0, 0).is_err());
        assert!(EmScore::new(5, 3, 3, 3).is_err());
        assert_eq!(
            EmScore::new(5, 3, 3, -3),
            Err(RuleError::OutOfRange {
                field: "incident history score",
                min: -2,
                max: 2,
                value: -3
            })
        );
    }

    #[test]
    fn classify_by_thresholds_and_life_support() {
        let p = RiskPolicy::default();
        let low = EmScore::new(2, 2, 2, 0).unwrap(); // 6
        let program = EmScore::new(6, 3, 3, 0).unwrap(); // 12
        let just_below = EmScore::new(6, 3, 2, 0).unwrap(); // 11
        let high = EmScore::new(9, 4, 3, 0).unwrap(); // 16
        let deadly = EmScore::new(2, 5, 1, 0).unwrap(); // 8, but death on failure
        assert_eq!(p.classify(&low, false), RiskClass::NotInProgram);
        assert_eq!(p.classify(&just_below, false), RiskClass::NotInProgram);
        assert_eq!(p.classify(&program, false), RiskClass::InProgram);
        assert_eq!(p.classify(&high, false), RiskClass::HighRisk);
        assert_eq!(p.classify(&deadly, false), RiskClass::HighRisk);
        assert_eq!(p.classify(&low, true), RiskClass::LifeSupport);
        assert!(RiskClass::LifeSupport.is_high_risk());
        assert!(!RiskClass::InProgram.is_high_risk());
    }

    #[test]
    fn thresholds_are_policy() {
        let strict = RiskPolicy {
            program_threshold: 10,
            high_risk_threshold: 13,
        };
        let s = EmScore::new(6, 3, 2, 0).unwrap(); // 11
        assert_eq!(strict.classify(&s, false), RiskClass::InProgram);
    }
}
