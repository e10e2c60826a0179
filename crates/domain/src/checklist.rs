//! Checklists with limits, the readings technicians take against them, and
//! electrical-safety limits per NFPA 99 edition. Limits are data (a
//! checklist item or a safety edition row), never constants in code.

use crate::ids::{ChecklistId, ReadingId, SafetyEditionId, UserId, WorkOrderId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An acceptable range; either bound may be open. Bounds are inclusive:
/// "at most 100 µA" passes 100.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limit {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

crate::code_enum! {
    pub enum Verdict {
        Pass => "pass",
        Fail => "fail",
        NotApplicable => "na",
    }
}

impl Limit {
    pub fn at_most(max: f64) -> Limit {
        Limit {
            min: None,
            max: Some(max),
        }
    }
    pub fn at_least(min: f64) -> Limit {
        Limit {
            min: Some(min),
            max: None,
        }
    }
    pub fn between(min: f64, max: f64) -> Limit {
        Limit {
            min: Some(min),
            max: Some(max),
        }
    }

    /// Checks a measured value; a non-finite value (a slipped decimal or an
    /// empty field read as NaN) fails rather than passing silently.
    pub fn check(&self, value: f64) -> Verdict {
        if !value.is_finite() {
            return Verdict::Fail;
        }
        let low_ok = self.min.is_none_or(|m| value >= m);
        let high_ok = self.max.is_none_or(|m| value <= m);
        if low_ok && high_ok {
            Verdict::Pass
        } else {
            Verdict::Fail
        }
    }

    /// `≤ 100 µA`, `≥ 3.5 V`, `0.9–1.1 L/min`.
    pub fn describe(&self, unit: &str) -> String {
        match (self.min, self.max) {
            (Some(a), Some(b)) => format!("{a}–{b} {unit}"),
            (None, Some(b)) => format!("≤ {b} {unit}"),
            (Some(a), None) => format!("≥ {a} {unit}"),
            (None, None) => "no limit".to_string(),
        }
    }
}

crate::code_enum! {
    /// Electrical-safety measurements; which apply depends on the edition.
    pub enum SafetyTest {
        GroundResistance => "ground_resistance",
        /// Touch (enclosure) current with the protective ground intact.
        TouchCurrentGroundIntact => "touch_current_ground_intact",
        /// Touch current with the protective ground open (single fault).
        TouchCurrentGroundOpen => "touch_current_ground_open",
        PatientLeakage => "patient_leakage",
    }
}

/// One limit from an NFPA 99 edition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SafetyLimit {
    pub test: SafetyTest,
    pub limit: Limit,
    pub unit: String,
}

/// The limits one edition of NFPA 99 sets, e.g. "NFPA 99-2012".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SafetyEdition {
    pub id: SafetyEditionId,
    pub name: String,
    pub limits: Vec<SafetyLimit>,
}

impl SafetyEdition {
    pub fn limit_for(&self, test: SafetyTest) -> Option<&SafetyLimit> {
        self.limits.iter().find(|l| l.test == test)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemKind {
    /// A visual or functional check answered pass / fail / n/a.
    PassFail,
    /// A measured value checked against a limit.
    Measurement { unit: String, limit: Limit },
    /// An electrical-safety measurement whose limit comes from the edition
    /// in force when the reading is taken.
    Safety { test: SafetyTest },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Stable key within the checklist, e.g. `flow_accuracy`.
    pub key: String,
    pub prompt: String,
    pub kind: ItemKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    pub id: ChecklistId,
    pub name: String,
    pub items: Vec<ChecklistItem>,
}

/// One answered checklist item on a work order; insert-only. The limit in
/// force is copied in, so a later change of limits never rewrites history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub id: ReadingId,
    pub work_order_id: WorkOrderId,
    pub item_key: String,
    pub prompt: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub limit: Option<Limit>,
    pub verdict: Verdict,
    pub taken_by: UserId,
    pub taken_at: DateTime<Utc>,
}

/// What a technician entered for one item.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Verdict(Verdict),
    Value(f64),
}

/// Why an answer could not be judged against its item.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ReadingError {
    #[error("item '{0}' needs a measured value")]
    NeedsValue(String),
    #[error("item '{0}' is pass/fail, not a measurement")]
    NotAMeasurement(String),
    #[error("no limit for {test} in edition '{edition}'")]
    NoSafetyLimit { test: SafetyTest, edition: String },
}

/// What judging one answer gives: the value, unit and limit to record, and
/// the verdict.
pub type Judged = (Option<f64>, Option<String>, Option<Limit>, Verdict);

/// Judges an answer against its checklist item: the limit, unit and verdict
/// that go into a [`Reading`]. Safety items take their limit from `edition`.
pub fn judge(
    item: &ChecklistItem,
    answer: Answer,
    edition: Option<&SafetyEdition>,
) -> Result<Judged, ReadingError> {
    match (&item.kind, answer) {
        (ItemKind::PassFail, Answer::Verdict(v)) => Ok((None, None, None, v)),
        (ItemKind::PassFail, Answer::Value(_)) => {
            Err(ReadingError::NotAMeasurement(item.key.clone()))
        }
        (
            ItemKind::Measurement { .. } | ItemKind::Safety { .. },
            Answer::Verdict(Verdict::NotApplicable),
        ) => Ok((None, None, None, Verdict::NotApplicable)),
        (ItemKind::Measurement { .. } | ItemKind::Safety { .. }, Answer::Verdict(_)) => {
            Err(ReadingError::NeedsValue(item.key.clone()))
        }
        (ItemKind::Measurement { unit, limit }, Answer::Value(v)) => {
            Ok((Some(v), Some(unit.clone()), Some(*limit), limit.check(v)))
        }
        (ItemKind::Safety { test }, Answer::Value(v)) => {
            let lim = edition.and_then(|e| e.limit_for(*test)).ok_or_else(|| {
                ReadingError::NoSafetyLimit {
                    test: *test,
                    edition: edition
                        .map(|e| e.name.clone())
                        .unwrap_or_else(|| "none".into()),
                }
            })?;
            Ok((
                Some(v),
                Some(lim.unit.clone()),
                Some(lim.limit),
                lim.limit.check(v),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nfpa_2012() -> SafetyEdition {
        SafetyEdition {
            id: SafetyEditionId::new(0, [0; 10]),
            name: "NFPA 99-2012".into(),
            limits: vec![
                SafetyLimit {
                    test: SafetyTest::TouchCurrentGroundIntact,
                    limit: Limit::at_most(100.0),
                    unit: "µA".into(),
                },
                SafetyLimit {
                    test: SafetyTest::TouchCurrentGroundOpen,
                    limit: Limit::at_most(500.0),
                    unit: "µA".into(),
                },
            ],
        }
    }

    #[test]
    fn limits_are_inclusive_and_reject_nan() {
        let l = Limit::at_most(100.0);
        assert_eq!(l.check(100.0), Verdict::Pass);
        assert_eq!(l.check(100.1), Verdict::Fail);
        assert_eq!(l.check(f64::NAN), Verdict::Fail);
        let r = Limit::between(0.9, 1.1);
        assert_eq!(r.check(0.89), Verdict::Fail);
        assert_eq!(r.check(1.0), Verdict::Pass);
        assert_eq!(Limit::at_least(3.5).check(3.4), Verdict::Fail);
        assert_eq!(Limit::at_most(0.5).describe("Ω"), "≤ 0.5 Ω");
    }

    #[test]
    fn safety_readings_use_the_edition_in_force() {
        let item = ChecklistItem {
            key: "touch_open".into(),
            prompt: "Touch current, ground open".into(),
            kind: ItemKind::Safety {
                test: SafetyTest::TouchCurrentGroundOpen,
            },
        };
        let e = nfpa_2012();
        let (_, unit, _, v) = judge(&item, Answer::Value(450.0), Some(&e)).unwrap();
        assert_eq!((unit.as_deref(), v), (Some("µA"), Verdict::Pass));
        let (_, _, _, v) = judge(&item, Answer::Value(501.0), Some(&e)).unwrap();
        assert_eq!(v, Verdict::Fail);
        let ground = ChecklistItem {
            kind: ItemKind::Safety {
                test: SafetyTest::GroundResistance,
            },
            ..item
        };
        assert!(matches!(
            judge(&ground, Answer::Value(0.2), Some(&e)),
            Err(ReadingError::NoSafetyLimit { .. })
        ));
    }

    #[test]
    fn answers_must_fit_their_item() {
        let pf = ChecklistItem {
            key: "housing".into(),
            prompt: "Housing intact".into(),
            kind: ItemKind::PassFail,
        };
        assert!(judge(&pf, Answer::Value(1.0), None).is_err());
        assert_eq!(
            judge(&pf, Answer::Verdict(Verdict::Fail), None).unwrap().3,
            Verdict::Fail
        );
        let m = ChecklistItem {
            key: "flow".into(),
            prompt: "Flow accuracy".into(),
            kind: ItemKind::Measurement {
                unit: "%".into(),
                limit: Limit::between(-5.0, 5.0),
            },
        };
        assert!(judge(&m, Answer::Verdict(Verdict::Pass), None).is_err());
        assert_eq!(
            judge(&m, Answer::Verdict(Verdict::NotApplicable), None)
                .unwrap()
                .3,
            Verdict::NotApplicable
        );
        assert_eq!(
            judge(&m, Answer::Value(6.0), None).unwrap().3,
            Verdict::Fail
        );
    }
}
