//! Repair vs replace, by PRODUCT.md's rules of thumb (configurable in
//! [`RepairReplaceRules`]):
//!
//! - **Replace** when the repair estimate exceeds 50% of replacement cost
//!   *and* the asset is past 50% of its expected life.
//! - A device is a **replacement candidate** when two or more hold: annual
//!   service cost over 30% of replacement cost, past end of support,
//!   obsolete or unpatchable OS, MTBF far below its peers.
//!
//! Every rule is reported with whether it fired, or that it could not be
//! judged for lack of data, and the numbers it compared.

use crate::explain::{Explained, HOURS_PER_YEAR, Value, input};
use crate::facts::AssetFacts;
use crate::kpi::{GroupBy, GroupKey, totals_by};
use crate::measures;
use crate::profile::AssetProfile;
use crate::settings::{RepairReplaceRules, Settings};
use biomend_domain::Money;
use biomend_domain::ids::AssetId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplaceRule {
    RepairEstimateOverShareOfReplacement,
    PastShareOfExpectedLife,
    AnnualServiceCostOverShareOfReplacement,
    PastEndOfSupport,
    UnsupportedOs,
    MtbfFarBelowPeers,
}

/// One rule: `value` is whether it fired, `None` when the data to judge it
/// is missing (named in the note).
pub type RuleCheck = Explained<Option<bool>>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub rule: ReplaceRule,
    pub check: RuleCheck,
}

impl Check {
    pub fn fired(&self) -> bool {
        self.check.value == Some(true)
    }
}

/// What the rules read for one asset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplaceFacts {
    pub replacement_cost: Option<Money>,
    /// Age / expected life.
    pub life_used: Option<f64>,
    /// Service cost per year over the period looked at.
    pub annual_service_cost: Option<Money>,
    pub past_end_of_support: bool,
    pub unsupported_os: bool,
    pub mtbf_hours: Option<f64>,
    /// MTBF of the asset's device type across the fleet.
    pub peer_mtbf_hours: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// Both replace rules fired: replace rather than repair.
    pub replace: bool,
    /// The two rules for this repair (empty without an estimate).
    pub repair_rules: Vec<Check>,
    pub candidate: bool,
    /// The four candidate rules.
    pub candidate_rules: Vec<Check>,
}

impl Advice {
    pub fn fired(&self) -> Vec<ReplaceRule> {
        self.repair_rules
            .iter()
            .chain(&self.candidate_rules)
            .filter(|c| c.fired())
            .map(|c| c.rule)
            .collect()
    }
}

fn check(
    rule: ReplaceRule,
    fired: Option<bool>,
    formula: &str,
    inputs: Vec<crate::Input>,
) -> Check {
    let c = Explained::new(fired, formula, inputs);
    Check {
        rule,
        check: if fired.is_none() {
            c.noted("not enough data to judge")
        } else {
            c
        },
    }
}

/// The candidate rules' outcomes alone, in [`candidate_rules`]' order:
/// cost, end of support, OS, MTBF.
fn candidate_outcomes(f: &ReplaceFacts, r: &RepairReplaceRules) -> [Option<bool>; 4] {
    let share = r.annual_cost_share_of_replacement;
    let cost_rule = match (f.annual_service_cost, f.replacement_cost) {
        (Some(a), Some(c)) if c.cents() > 0 => Some(a.cents() as f64 > share * c.cents() as f64),
        _ => None,
    };
    let mtbf_rule = match (f.mtbf_hours, f.peer_mtbf_hours) {
        (Some(m), Some(p)) => Some(m < r.mtbf_share_of_peers * p),
        // No failures: MTBF is unbounded, never far below.
        (None, Some(_)) => Some(false),
        _ => None,
    };
    [
        cost_rule,
        Some(f.past_end_of_support),
        Some(f.unsupported_os),
        mtbf_rule,
    ]
}

/// The candidate rules, over `f`.
pub fn candidate_rules(f: &ReplaceFacts, r: &RepairReplaceRules) -> Vec<Check> {
    let share = r.annual_cost_share_of_replacement;
    let [cost_rule, _, _, mtbf_rule] = candidate_outcomes(f, r);
    let money = |m: Option<Money>| m.map_or(Value::Text("unknown".into()), Value::Money);
    let hours = |h: Option<f64>| h.map_or(Value::Text("no failures".into()), Value::Hours);
    vec![
        check(
            ReplaceRule::AnnualServiceCostOverShareOfReplacement,
            cost_rule,
            &format!("annual service cost > {share} × replacement cost"),
            vec![
                input("annual service cost", money(f.annual_service_cost)),
                input("replacement cost", money(f.replacement_cost)),
            ],
        ),
        check(
            ReplaceRule::PastEndOfSupport,
            Some(f.past_end_of_support),
            "the model's end-of-support date has passed",
            vec![input(
                "past end of support",
                Value::Flag(f.past_end_of_support),
            )],
        ),
        check(
            ReplaceRule::UnsupportedOs,
            Some(f.unsupported_os),
            "runs an obsolete or unpatchable operating system",
            vec![input("unsupported OS", Value::Flag(f.unsupported_os))],
        ),
        check(
            ReplaceRule::MtbfFarBelowPeers,
            mtbf_rule,
            &format!("MTBF < {} × the device type's MTBF", r.mtbf_share_of_peers),
            vec![
                input("MTBF", hours(f.mtbf_hours)),
                input("device type MTBF", hours(f.peer_mtbf_hours)),
            ],
        ),
    ]
}

/// Advice for one asset facing a repair estimated at `repair_estimate`
/// (`None` to judge candidacy only).
pub fn advise(f: &ReplaceFacts, repair_estimate: Option<Money>, r: &RepairReplaceRules) -> Advice {
    let mut repair_rules = Vec::new();
    if let Some(est) = repair_estimate {
        let share = r.estimate_share_of_replacement;
        let over = f
            .replacement_cost
            .filter(|c| c.cents() > 0)
            .map(|c| est.cents() as f64 > share * c.cents() as f64);
        repair_rules.push(check(
            ReplaceRule::RepairEstimateOverShareOfReplacement,
            over,
            &format!("repair estimate > {share} × replacement cost"),
            vec![
                input("repair estimate", Value::Money(est)),
                input(
                    "replacement cost",
                    f.replacement_cost
                        .map_or(Value::Text("unknown".into()), Value::Money),
                ),
            ],
        ));
        repair_rules.push(check(
            ReplaceRule::PastShareOfExpectedLife,
            f.life_used.map(|u| u > r.life_used),
            &format!("age / expected life > {}", r.life_used),
            vec![input(
                "age / expected life",
                f.life_used
                    .map_or(Value::Text("unknown".into()), Value::Ratio),
            )],
        ));
    }
    let replace = repair_rules.len() == 2 && repair_rules.iter().all(Check::fired);
    let candidate_rules = candidate_rules(f, r);
    let candidate = candidate_rules.iter().filter(|c| c.fired()).count() >= r.candidate_min_rules;
    Advice {
        replace,
        repair_rules,
        candidate,
        candidate_rules,
    }
}

/// The rule inputs for an asset from its profile and one period's facts
/// (annualized), with the device type's MTBF from `peer_mtbf_hours`.
pub fn replace_facts(
    p: &AssetProfile,
    f: Option<&AssetFacts>,
    peer_mtbf_hours: Option<f64>,
    today: NaiveDate,
) -> ReplaceFacts {
    let annual = f.filter(|f| f.covered_hours > 0.0).map(|f| {
        Money((f.cost.total().cents() as f64 * HOURS_PER_YEAR / f.covered_hours).round() as i64)
    });
    ReplaceFacts {
        replacement_cost: p.replacement_cost,
        life_used: p.life_used(),
        annual_service_cost: annual,
        past_end_of_support: p.past_end_of_support(today),
        unsupported_os: p.unsupported_os(),
        mtbf_hours: f
            .and_then(|f| measures::mtbf_hours(f.operating_hours(), f.corrective.failures).value),
        peer_mtbf_hours,
    }
}

/// MTBF per device type over one period's rows.
pub fn peer_mtbf(rows: &[AssetFacts]) -> HashMap<GroupKey, Option<f64>> {
    totals_by(rows, GroupBy::DeviceType)
        .into_iter()
        .map(|(k, t)| {
            (
                k,
                measures::mtbf_hours(t.operating_hours(), t.corrective.failures).value,
            )
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub asset_id: AssetId,
    pub tag: String,
    pub facts: ReplaceFacts,
    pub advice: Advice,
    pub rules_fired: usize,
}

/// The fleet's replacement candidates, most rules fired first, then by
/// annual service cost against replacement cost.
pub fn replacement_candidates(
    profiles: &[AssetProfile],
    rows: &[AssetFacts],
    today: NaiveDate,
    settings: &Settings,
) -> Vec<Candidate> {
    let peers = peer_mtbf(rows);
    let by_asset: HashMap<AssetId, &AssetFacts> =
        rows.iter().map(|f| (f.key.asset_id, f)).collect();
    let mut out: Vec<Candidate> = profiles
        .iter()
        .filter_map(|p| {
            let peer = peers
                .get(&GroupKey::DeviceType(p.key.device_type_id))
                .copied()
                .flatten();
            let facts = replace_facts(p, by_asset.get(&p.key.asset_id).copied(), peer, today);
            // Most of a fleet is no candidate: count the rules before
            // explaining them.
            let fired = candidate_outcomes(&facts, &settings.repair_replace)
                .iter()
                .filter(|o| **o == Some(true))
                .count();
            if fired < settings.repair_replace.candidate_min_rules {
                return None;
            }
            let advice = advise(&facts, None, &settings.repair_replace);
            advice.candidate.then(|| Candidate {
                asset_id: p.key.asset_id,
                tag: p.tag.clone(),
                rules_fired: advice.fired().len(),
                facts,
                advice,
            })
        })
        .collect();
    let cost_share = |c: &Candidate| match (c.facts.annual_service_cost, c.facts.replacement_cost) {
        (Some(a), Some(r)) if r.cents() > 0 => a.cents() as f64 / r.cents() as f64,
        _ => 0.0,
    };
    out.sort_by(|a, b| {
        b.rules_fired
            .cmp(&a.rules_fired)
            .then(cost_share(b).total_cmp(&cost_share(a)))
            .then(a.tag.cmp(&b.tag))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::*;
    use crate::kpi::tests::scenario_facts;

    fn facts() -> ReplaceFacts {
        ReplaceFacts {
            replacement_cost: Some(Money(1_000_000)),
            life_used: Some(0.6),
            annual_service_cost: Some(Money(200_000)),
            past_end_of_support: false,
            unsupported_os: false,
            mtbf_hours: Some(1_000.0),
            peer_mtbf_hours: Some(1_500.0),
        }
    }

    #[test]
    fn replace_needs_both_the_estimate_and_the_age() {
        let r = RepairReplaceRules::default();
        // $6,000 estimate > 0.5 × $10,000 and 0.6 > 0.5 of life: replace.
        let a = advise(&facts(), Some(Money(600_000)), &r);
        assert!(a.replace);
        assert_eq!(
            a.fired(),
            vec![
                ReplaceRule::RepairEstimateOverShareOfReplacement,
                ReplaceRule::PastShareOfExpectedLife
            ]
        );
        // Exactly 50% is not "exceeds".
        assert!(!advise(&facts(), Some(Money(500_000)), &r).replace);
        // Young device (0.4 of life): repair.
        let young = ReplaceFacts {
            life_used: Some(0.4),
            ..facts()
        };
        assert!(!advise(&young, Some(Money(900_000)), &r).replace);
        // Unknown age: cannot judge, so no replace, and it says why.
        let unknown = ReplaceFacts {
            life_used: None,
            ..facts()
        };
        let a = advise(&unknown, Some(Money(900_000)), &r);
        assert!(!a.replace);
        assert_eq!(a.repair_rules[1].check.value, None);
        assert!(a.repair_rules[1].check.note.is_some());
    }

    #[test]
    fn candidate_needs_two_rules() {
        let r = RepairReplaceRules::default();
        // $2,000 a year is 20% of $10,000 (< 30%); MTBF 1,000 h is not
        // under 0.5 × 1,500 = 750 h; supported: no rule fires.
        assert!(!advise(&facts(), None, &r).candidate);
        // Past end of support alone: one rule.
        let eos = ReplaceFacts {
            past_end_of_support: true,
            ..facts()
        };
        assert!(!advise(&eos, None, &r).candidate);
        // Plus $3,500 a year (35% > 30%): two rules, a candidate.
        let costly = ReplaceFacts {
            annual_service_cost: Some(Money(350_000)),
            ..eos.clone()
        };
        let a = advise(&costly, None, &r);
        assert!(a.candidate);
        assert_eq!(
            a.fired(),
            vec![
                ReplaceRule::AnnualServiceCostOverShareOfReplacement,
                ReplaceRule::PastEndOfSupport
            ]
        );
        // Unsupported OS and MTBF 700 h < 750 h: two other rules.
        let weak = ReplaceFacts {
            unsupported_os: true,
            mtbf_hours: Some(700.0),
            ..facts()
        };
        assert!(advise(&weak, None, &r).candidate);
    }

    #[test]
    fn fleet_list_uses_period_costs_and_peer_mtbf() {
        let mut h = hospital();
        h.assets = vec![
            asset(1, PUMP_A, ICU, d(2020, 1, 1), 10_000),
            asset(2, PUMP_A, WARD, d(2025, 7, 2), 10_000),
            asset(3, PUMP_B, ICU, d(2019, 1, 1), 5_000),
            asset(4, VENT_A, ICU, d(2018, 1, 1), 30_000),
        ];
        h.assets[0].contract_id = Some(id!(ContractId, CONTRACT));
        // Pump B is past end of support and on Windows 7.
        h.models[1].end_of_support = Some(d(2024, 1, 1));
        h.network_profiles = vec![network(
            3,
            "Windows 7",
            biomend_domain::network::PatchValidation::Unsupported,
        )];
        let ps = crate::profile::profiles(&h.catalog(), d(2026, 1, 1), &Settings::default());
        let rows = scenario_facts();
        let list = replacement_candidates(&ps, &rows, d(2026, 1, 1), &Settings::default());
        assert_eq!(list.len(), 1, "only pump B has two rules");
        let c = &list[0];
        assert_eq!(c.tag, "BME-0003");
        // Its 2025 cost was $500 over 8,760 h: $500 × 8,766 / 8,760 a year,
        // 5% of the $10,000 replacement: that rule does not fire.
        assert_eq!(c.facts.annual_service_cost, Some(Money(50_034)));
        // Pump MTBF = (8,760 + 4,392 + 8,760 − 24 − 24) / 2 failures =
        // 21,864 / 2 = 10,932 h; pump B's (8,760 − 24) / 1 = 8,736 h is not
        // under half of it.
        assert_eq!(c.facts.peer_mtbf_hours, Some(10_932.0));
        assert_eq!(c.facts.mtbf_hours, Some(8_736.0));
        assert_eq!(c.rules_fired, 2);
    }
}
