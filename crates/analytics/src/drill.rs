//! Drill-down: which work orders stand behind a figure.
//!
//! A [`Drill`] names one count a report is made of (the closed corrective
//! work orders, the failures, the CND calls, the PMs due, ...) and a
//! [`Scope`] the assets it was counted over (a KPI group, a training
//! event's department and device type, one asset). The store lists the
//! candidate work orders of a period with what these predicates read; the
//! predicates here decide, with the same rules as [`crate::facts`], so the
//! list a manager opens has exactly as many work orders as the figure
//! counted.

use crate::facts::AssetKey;
use crate::kpi::GroupKey;
use crate::measures::PmOutcome;
use biomend_domain::ids::*;
use biomend_domain::risk::RiskClass;
use biomend_domain::work_order::ClosureCode;
use serde::{Deserialize, Serialize};

/// The assets a figure was counted over: every field given must match
/// (none given: the whole inventory the report covered).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<DepartmentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<DeviceTypeId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<ManufacturerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<AssetId>,
}

impl Scope {
    /// The assets of one KPI or scorecard group.
    pub fn group(key: GroupKey) -> Scope {
        let mut s = Scope::default();
        match key {
            GroupKey::All => {}
            GroupKey::Site(id) => s.site = Some(id),
            GroupKey::Department(id) => s.department = Some(id),
            GroupKey::DeviceType(id) => s.device_type = Some(id),
            GroupKey::Model(id) => s.model = Some(id),
            GroupKey::Manufacturer(id) => s.manufacturer = Some(id),
        }
        s
    }

    /// A scorecard row: one model or manufacturer within a device type.
    pub fn within_type(key: GroupKey, device_type: DeviceTypeId) -> Scope {
        Scope {
            device_type: Some(device_type),
            ..Scope::group(key)
        }
    }

    /// What a training event is measured over.
    pub fn department_and_type(department: DepartmentId, device_type: DeviceTypeId) -> Scope {
        Scope {
            department: Some(department),
            device_type: Some(device_type),
            ..Scope::default()
        }
    }

    pub fn asset(id: AssetId) -> Scope {
        Scope {
            asset: Some(id),
            ..Scope::default()
        }
    }

    pub fn matches(&self, k: &AssetKey) -> bool {
        fn ok<T: PartialEq>(want: Option<T>, have: T) -> bool {
            want.is_none_or(|w| w == have)
        }
        ok(self.site, k.site_id)
            && ok(self.department, k.department_id)
            && ok(self.device_type, k.device_type_id)
            && ok(self.model, k.model_id)
            && ok(self.manufacturer, k.manufacturer_id)
            && ok(self.asset, k.asset_id)
    }
}

/// Which PMs a PM figure counts, by the asset's risk class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PmRisk {
    /// Life support and other high-risk equipment.
    HighRisk,
    /// Life support alone.
    LifeSupport,
    /// Everything that is not high-risk.
    Other,
    All,
}

impl PmRisk {
    pub fn matches(self, c: RiskClass) -> bool {
        match self {
            PmRisk::HighRisk => c.is_high_risk(),
            PmRisk::LifeSupport => c == RiskClass::LifeSupport,
            PmRisk::Other => !c.is_high_risk(),
            PmRisk::All => true,
        }
    }

    fn words(self) -> &'static str {
        match self {
            PmRisk::HighRisk => "high-risk and life-support ",
            PmRisk::LifeSupport => "life-support ",
            PmRisk::Other => "non-high-risk ",
            PmRisk::All => "",
        }
    }
}

/// One count a report is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Drill {
    /// Closed corrective work orders opened in the period: the
    /// denominator of the CND, use-error and repeat-repair rates.
    ClosedCorrective,
    /// Those closed as device failure: MTBF's failures, MTTR's repairs.
    Failures,
    /// Those closed as could not duplicate.
    Cnd,
    /// Those closed as use error or abuse (the use-error rate's numerator).
    UseError,
    /// CND, use error and abuse together (the training effect's calls).
    CndOrUseError,
    /// Closed corrective visits within the repeat window of the asset's
    /// previous visit.
    Repeats,
    /// PMs due in the period (the completion rate's denominator; pending
    /// ones and those without a plan are not due).
    PmDue(PmRisk),
    /// PMs due in the period and not completed in their window.
    PmNotOnTime(PmRisk),
    /// Work orders with downtime inside the period (what uptime loses).
    Downtime,
    /// Work orders with labor, parts or invoices dated in the period (the
    /// service cost COSR divides; a contract's share has no work order).
    ServiceCost,
}

impl Drill {
    /// Counts a closed corrective work order (opened in the period) with
    /// this closure; `None` is a closure code this build cannot read,
    /// still closed. Only the corrective drills count any.
    pub fn counts_corrective(self, closure: Option<ClosureCode>) -> bool {
        match self {
            Drill::ClosedCorrective => true,
            Drill::Failures => closure.is_some_and(ClosureCode::is_failure),
            Drill::Cnd => closure == Some(ClosureCode::CouldNotDuplicate),
            Drill::UseError => matches!(
                closure,
                Some(ClosureCode::UseError | ClosureCode::AbuseDamage)
            ),
            Drill::CndOrUseError => matches!(
                closure,
                Some(
                    ClosureCode::CouldNotDuplicate
                        | ClosureCode::UseError
                        | ClosureCode::AbuseDamage
                )
            ),
            _ => false,
        }
    }

    /// Counts a PM due in the period, judged (`None`: it has no plan, so
    /// its window cannot be judged) on an asset of class `class`.
    pub fn counts_pm(self, outcome: Option<PmOutcome>, class: RiskClass) -> bool {
        let (risk, late) = match self {
            Drill::PmDue(r) => (r, false),
            Drill::PmNotOnTime(r) => (r, true),
            _ => return false,
        };
        let Some(o) = outcome else {
            return false;
        };
        let due = o != PmOutcome::Pending;
        due && risk.matches(class) && (!late || o != PmOutcome::OnTime)
    }

    pub fn is_corrective(self) -> bool {
        matches!(
            self,
            Drill::ClosedCorrective
                | Drill::Failures
                | Drill::Cnd
                | Drill::UseError
                | Drill::CndOrUseError
        )
    }

    /// What the list holds, in words, for the heading over it.
    pub fn describe(self) -> String {
        match self {
            Drill::ClosedCorrective => {
                "closed corrective work orders opened in the period".into()
            }
            Drill::Failures => {
                "corrective work orders opened in the period and closed as device failure".into()
            }
            Drill::Cnd => {
                "corrective work orders opened in the period and closed as could not duplicate"
                    .into()
            }
            Drill::UseError => {
                "corrective work orders opened in the period and closed as use error or abuse"
                    .into()
            }
            Drill::CndOrUseError => {
                "corrective work orders opened in the period and closed as could not duplicate, use error or abuse".into()
            }
            Drill::Repeats => {
                "closed corrective work orders opened in the period within the repeat window of the asset's previous visit".into()
            }
            Drill::PmDue(r) => format!(
                "{}PMs due in the period whose window has closed (pending and unplanned PMs are not due yet)",
                r.words()
            ),
            Drill::PmNotOnTime(r) => format!(
                "{}PMs due in the period and not completed in their window",
                r.words()
            ),
            Drill::Downtime => "work orders with downtime inside the period".into(),
            Drill::ServiceCost => {
                "work orders with labor, parts or invoices dated in the period (contract shares have no work order)".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_domain::work_order::FailureArea;

    fn key() -> AssetKey {
        AssetKey {
            asset_id: AssetId::new(1, [1; 10]),
            site_id: SiteId::new(2, [2; 10]),
            department_id: DepartmentId::new(3, [3; 10]),
            device_type_id: DeviceTypeId::new(4, [4; 10]),
            model_id: ModelId::new(5, [5; 10]),
            manufacturer_id: ManufacturerId::new(6, [6; 10]),
        }
    }

    #[test]
    fn a_scope_matches_every_field_it_names() {
        let k = key();
        assert!(Scope::default().matches(&k));
        assert!(Scope::group(GroupKey::All).matches(&k));
        assert!(Scope::group(GroupKey::Manufacturer(k.manufacturer_id)).matches(&k));
        assert!(!Scope::group(GroupKey::Model(ModelId::new(9, [9; 10]))).matches(&k));
        assert!(Scope::department_and_type(k.department_id, k.device_type_id).matches(&k));
        assert!(
            !Scope::department_and_type(k.department_id, DeviceTypeId::new(9, [9; 10])).matches(&k)
        );
        assert!(Scope::asset(k.asset_id).matches(&k));
    }

    #[test]
    fn corrective_drills_split_by_closure_like_the_facts() {
        let fail = Some(ClosureCode::DeviceFailure(FailureArea::Battery));
        assert!(Drill::Failures.counts_corrective(fail));
        assert!(!Drill::Cnd.counts_corrective(fail));
        assert!(Drill::UseError.counts_corrective(Some(ClosureCode::AbuseDamage)));
        assert!(Drill::CndOrUseError.counts_corrective(Some(ClosureCode::CouldNotDuplicate)));
        assert!(Drill::ClosedCorrective.counts_corrective(None));
        assert!(!Drill::Failures.counts_corrective(None));
        assert!(!Drill::PmDue(PmRisk::All).counts_corrective(fail));
    }

    #[test]
    fn pm_drills_count_due_pms_of_their_risk() {
        let ls = RiskClass::LifeSupport;
        assert!(Drill::PmDue(PmRisk::HighRisk).counts_pm(Some(PmOutcome::OnTime), ls));
        assert!(!Drill::PmDue(PmRisk::Other).counts_pm(Some(PmOutcome::OnTime), ls));
        assert!(!Drill::PmDue(PmRisk::All).counts_pm(Some(PmOutcome::Pending), ls));
        assert!(!Drill::PmDue(PmRisk::All).counts_pm(None, ls));
        assert!(!Drill::PmNotOnTime(PmRisk::All).counts_pm(Some(PmOutcome::OnTime), ls));
        assert!(Drill::PmNotOnTime(PmRisk::All).counts_pm(Some(PmOutcome::Missed), ls));
        assert!(
            Drill::PmNotOnTime(PmRisk::LifeSupport).counts_pm(Some(PmOutcome::AttemptedInUse), ls)
        );
    }
}
