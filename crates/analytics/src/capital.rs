//! Capital replacement priority and a plan that fits a yearly budget.
//!
//! PRODUCT.md: "a weighted, explainable score over risk, age / expected
//! life, service cost ratio, support status, recall and cyber exposure,
//! and utilization. The weights are the customer's; every score shows its
//! parts." Each factor is scaled to 0–1 (how each is scaled is in
//! [`Factor`]'s docs), and the score is
//! `100 × Σ weightᵢ × factorᵢ / Σ weightᵢ`, so each factor's contribution
//! is its share of the 0–100 points.

use crate::error::AnalyticsError;
use crate::explain::{Explained, HOURS_PER_YEAR, Value, input};
use crate::facts::AssetFacts;
use crate::profile::AssetProfile;
use crate::settings::{CapitalSettings, Settings};
use biomend_domain::Money;
use biomend_domain::ids::AssetId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// Life support = 1; otherwise (EM number − 2) / 20, clamped to 0–1
    /// (EM runs from 2 to 22 with incident history).
    Risk,
    /// min(age / expected life, cap) / cap.
    Age,
    /// min(annual COSR / cap, 1).
    Cosr,
    /// 1 past the model's end of support or on an unsupported OS; 0.5 when
    /// end of support falls within the horizon; else 0.
    Support,
    /// 1 with a recall action still pending; 0.5 when matched by a recall
    /// received in the period; else 0.
    Recall,
    /// Networked devices only: 0.5 when the OS patch level is not
    /// validated (or the OS is unsupported) + 0.25 when it stores patient
    /// data + 0.25 when it cannot be recovered remotely.
    Cyber,
    /// Share of the week its unit uses it (usage windows), or the neutral
    /// default when unknown: a busy device's failure disturbs more care.
    Utilization,
}

impl Factor {
    pub const ALL: [Factor; 7] = [
        Factor::Risk,
        Factor::Age,
        Factor::Cosr,
        Factor::Support,
        Factor::Recall,
        Factor::Cyber,
        Factor::Utilization,
    ];

    pub fn weight(self, c: &CapitalSettings) -> f64 {
        match self {
            Factor::Risk => c.risk_weight,
            Factor::Age => c.age_weight,
            Factor::Cosr => c.cosr_weight,
            Factor::Support => c.support_weight,
            Factor::Recall => c.recall_weight,
            Factor::Cyber => c.cyber_weight,
            Factor::Utilization => c.utilization_weight,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FactorScore {
    pub factor: Factor,
    /// The factor scaled to 0–1, with what it was computed from.
    pub value: Explained<f64>,
    pub weight: f64,
    /// Points out of 100 this factor adds to the score.
    pub points: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    pub asset_id: AssetId,
    pub tag: String,
    /// 0–100.
    pub score: Explained<f64>,
    pub factors: Vec<FactorScore>,
    pub replacement_cost: Option<Money>,
}

impl Priority {
    pub fn factor(&self, f: Factor) -> Option<&FactorScore> {
        self.factors.iter().find(|x| x.factor == f)
    }
}

fn annual_cosr(facts: Option<&AssetFacts>) -> Option<f64> {
    facts.and_then(|f| {
        let acq = f.acquisition_cost_years()?;
        (acq > 0.0).then(|| f.cost.total().cents() as f64 / acq)
    })
}

/// A factor's 0–1 value alone, without the explanation [`factor_value`]
/// builds around it (which ranking a whole fleet does not need).
fn factor_number(
    f: Factor,
    p: &AssetProfile,
    facts: Option<&AssetFacts>,
    today: NaiveDate,
    c: &CapitalSettings,
) -> f64 {
    match f {
        Factor::Risk => {
            if p.risk_class == biomend_domain::risk::RiskClass::LifeSupport {
                1.0
            } else {
                (f64::from(p.em_number - 2) / 20.0).clamp(0.0, 1.0)
            }
        }
        Factor::Age => p.life_used().map_or(0.0, |u| u.min(c.age_cap) / c.age_cap),
        Factor::Cosr => annual_cosr(facts).map_or(0.0, |v| (v / c.cosr_cap).min(1.0)),
        Factor::Support => {
            let soon = p
                .end_of_support
                .is_some_and(|d| d > today && (d - today).num_days() <= c.eos_horizon_days);
            if p.past_end_of_support(today) || p.unsupported_os() {
                1.0
            } else if soon {
                0.5
            } else {
                0.0
            }
        }
        Factor::Recall => {
            if p.open_recalls > 0 {
                1.0
            } else if facts.is_some_and(|f| !f.recalls.is_empty()) {
                0.5
            } else {
                0.0
            }
        }
        Factor::Cyber => p.network.as_ref().map_or(0.0, |n| {
            let unpatched = !n.patch_validated || n.unsupported_os;
            0.5 * f64::from(u8::from(unpatched))
                + 0.25 * f64::from(u8::from(n.stores_phi))
                + 0.25 * f64::from(u8::from(!n.remote_recoverable))
        }),
        Factor::Utilization => p.utilization.unwrap_or(c.unknown_utilization),
    }
}

fn factor_value(
    f: Factor,
    p: &AssetProfile,
    facts: Option<&AssetFacts>,
    today: NaiveDate,
    c: &CapitalSettings,
) -> Explained<f64> {
    let v = factor_number(f, p, facts, today, c);
    match f {
        Factor::Risk => Explained::new(
            v,
            "life support → 1, else (EM − 2) / 20 clamped to 0–1",
            vec![
                input("EM number", Value::Number(f64::from(p.em_number))),
                input("risk class", Value::Text(p.risk_class.as_str().into())),
            ],
        ),
        Factor::Age => {
            let used = p.life_used();
            let e = Explained::new(
                v,
                format!("min(age / expected life, {}) / {}", c.age_cap, c.age_cap),
                vec![
                    input(
                        "age",
                        p.age_years
                            .map_or(Value::Text("unknown".into()), Value::Years),
                    ),
                    input(
                        "expected life",
                        p.expected_life_years
                            .map_or(Value::Text("unknown".into()), |y| {
                                Value::Years(f64::from(y))
                            }),
                    ),
                ],
            );
            if used.is_none() {
                e.noted("age or expected life unknown: counted as 0")
            } else {
                e
            }
        }
        Factor::Cosr => {
            let cosr = annual_cosr(facts);
            let e = Explained::new(
                v,
                format!("min(annual COSR / {}, 1)", c.cosr_cap),
                vec![
                    input(
                        "annual service cost",
                        facts.filter(|f| f.covered_hours > 0.0).map_or(
                            Value::Text("unknown".into()),
                            |f| {
                                Value::Money(Money(
                                    (f.cost.total().cents() as f64 * HOURS_PER_YEAR
                                        / f.covered_hours)
                                        .round() as i64,
                                ))
                            },
                        ),
                    ),
                    input(
                        "annual COSR",
                        cosr.map_or(Value::Text("unknown".into()), Value::Ratio),
                    ),
                ],
            );
            if cosr.is_none() {
                e.noted("no service history or acquisition cost: counted as 0")
            } else {
                e
            }
        }
        Factor::Support => {
            let os = p.unsupported_os();
            Explained::new(
                v,
                format!(
                    "past end of support or unsupported OS → 1; end of support within {} days → 0.5",
                    c.eos_horizon_days
                ),
                vec![
                    input(
                        "end of support",
                        p.end_of_support
                            .map_or(Value::Text("none announced".into()), Value::Date),
                    ),
                    input("unsupported OS", Value::Flag(os)),
                ],
            )
        }
        Factor::Recall => {
            let recent = facts.map_or(0, |f| f.recalls.len());
            Explained::new(
                v,
                "pending recall action → 1; recalled in the period → 0.5",
                vec![
                    input(
                        "pending recall actions",
                        Value::Count(p.open_recalls.into()),
                    ),
                    input("recalls in the period", Value::Count(recent as u64)),
                ],
            )
        }
        Factor::Cyber => match &p.network {
            None => Explained::new(0.0, "not networked → 0", Vec::new()),
            Some(n) => {
                let unpatched = !n.patch_validated || n.unsupported_os;
                Explained::new(
                    v,
                    "0.5 × unpatched + 0.25 × stores patient data + 0.25 × not remotely recoverable",
                    vec![
                        input(
                            "OS",
                            Value::Text(n.os.clone().unwrap_or_else(|| "unknown".into())),
                        ),
                        input("unpatched or unsupported", Value::Flag(unpatched)),
                        input("stores patient data", Value::Flag(n.stores_phi)),
                        input("remotely recoverable", Value::Flag(n.remote_recoverable)),
                    ],
                )
            }
        },
        Factor::Utilization => {
            let e = Explained::new(
                v,
                "busy hours per week / 168",
                vec![input(
                    "weekly utilization",
                    p.utilization
                        .map_or(Value::Text("unknown".into()), Value::Ratio),
                )],
            );
            if p.utilization.is_none() {
                e.noted("no usage window: the neutral default is used")
            } else {
                e
            }
        }
    }
}

/// The priority of one asset, from its profile and (optionally) one
/// period's facts for service cost and recent recalls.
pub fn priority(
    p: &AssetProfile,
    facts: Option<&AssetFacts>,
    today: NaiveDate,
    c: &CapitalSettings,
) -> Priority {
    let total_weight: f64 = Factor::ALL.iter().map(|f| f.weight(c)).sum();
    let factors: Vec<FactorScore> = Factor::ALL
        .iter()
        .map(|&f| {
            let value = factor_value(f, p, facts, today, c);
            let weight = f.weight(c);
            let points = if total_weight > 0.0 {
                100.0 * weight * value.value / total_weight
            } else {
                0.0
            };
            FactorScore {
                factor: f,
                value,
                weight,
                points,
            }
        })
        .collect();
    let score = factors.iter().map(|f| f.points).sum();
    let inputs = factors
        .iter()
        .map(|f| {
            input(
                format!(
                    "{:?} ({:.2} × weight {})",
                    f.factor, f.value.value, f.weight
                ),
                Value::Number(f.points),
            )
        })
        .collect();
    Priority {
        asset_id: p.key.asset_id,
        tag: p.tag.clone(),
        score: Explained::new(score, "100 × Σ weight × factor / Σ weight", inputs),
        factors,
        replacement_cost: p.replacement_cost,
    }
}

/// Priorities for every profile, highest first (ties by tag).
pub fn priorities(
    profiles: &[AssetProfile],
    rows: &[AssetFacts],
    today: NaiveDate,
    settings: &Settings,
) -> Result<Vec<Priority>, AnalyticsError> {
    settings.validate()?;
    let by_asset: HashMap<AssetId, &AssetFacts> =
        rows.iter().map(|f| (f.key.asset_id, f)).collect();
    let mut v: Vec<Priority> = profiles
        .iter()
        .map(|p| {
            priority(
                p,
                by_asset.get(&p.key.asset_id).copied(),
                today,
                &settings.capital,
            )
        })
        .collect();
    v.sort_by(|a, b| {
        b.score
            .value
            .total_cmp(&a.score.value)
            .then(a.tag.cmp(&b.tag))
    });
    Ok(v)
}

/// One asset's place in the fleet's ranking: its score (the same number
/// as [`priority`]'s, summed in the same order) without the explanation,
/// which is built only for the few a report shows ([`Ranked::priority`]).
/// Explaining every factor of 100k assets took seconds.
#[derive(Clone, Copy, Debug)]
pub struct Ranked<'a> {
    pub profile: &'a AssetProfile,
    pub facts: Option<&'a AssetFacts>,
    pub score: f64,
}

impl Ranked<'_> {
    /// This asset's priority with every factor explained.
    pub fn priority(&self, today: NaiveDate, c: &CapitalSettings) -> Priority {
        priority(self.profile, self.facts, today, c)
    }
}

/// Every profile's score, highest first (ties by tag), as [`priorities`]
/// orders them.
pub fn rank<'a>(
    profiles: &'a [AssetProfile],
    rows: &'a [AssetFacts],
    today: NaiveDate,
    settings: &Settings,
) -> Result<Vec<Ranked<'a>>, AnalyticsError> {
    settings.validate()?;
    let c = &settings.capital;
    let by_asset: HashMap<AssetId, &AssetFacts> =
        rows.iter().map(|f| (f.key.asset_id, f)).collect();
    let total_weight: f64 = Factor::ALL.iter().map(|f| f.weight(c)).sum();
    let mut v: Vec<Ranked<'a>> = profiles
        .iter()
        .map(|p| {
            let facts = by_asset.get(&p.key.asset_id).copied();
            let score = Factor::ALL
                .iter()
                .map(|&f| {
                    if total_weight > 0.0 {
                        100.0 * f.weight(c) * factor_number(f, p, facts, today, c) / total_weight
                    } else {
                        0.0
                    }
                })
                .sum();
            Ranked {
                profile: p,
                facts,
                score,
            }
        })
        .collect();
    v.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.profile.tag.cmp(&b.profile.tag))
    });
    Ok(v)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    pub asset_id: AssetId,
    pub tag: String,
    pub score: f64,
    pub cost: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanYear {
    /// 1 = the first year of the plan.
    pub year: u32,
    /// This year's budget, with any carry-over.
    pub budget: Money,
    pub spent: Money,
    pub items: Vec<PlanItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapitalPlan {
    pub years: Vec<PlanYear>,
    /// Above the minimum score but not funded within the plan's years.
    pub deferred: Vec<PlanItem>,
    /// Above the minimum score but with no replacement cost to plan with.
    pub unpriced: Vec<AssetId>,
    /// Assets under the minimum score, left out.
    pub below_min_score: usize,
    pub rule: String,
}

/// Fills each year's budget in priority order: an asset that does not fit
/// what is left is skipped for a cheaper one behind it and waits for next
/// year, so money is not left idle behind one expensive device.
pub fn capital_plan(
    ranked: &[Priority],
    yearly_budget: Money,
    years: u32,
    settings: &Settings,
) -> Result<CapitalPlan, AnalyticsError> {
    let mut order: Vec<&Priority> = ranked.iter().collect();
    order.sort_by(|a, b| {
        b.score
            .value
            .total_cmp(&a.score.value)
            .then(a.tag.cmp(&b.tag))
    });
    plan(
        order.into_iter().map(|p| {
            (
                p.asset_id,
                p.tag.as_str(),
                p.score.value,
                p.replacement_cost,
            )
        }),
        yearly_budget,
        years,
        settings,
    )
}

/// [`capital_plan`] from [`rank`]'s ranking (already in order).
pub fn capital_plan_ranked(
    ranked: &[Ranked<'_>],
    yearly_budget: Money,
    years: u32,
    settings: &Settings,
) -> Result<CapitalPlan, AnalyticsError> {
    plan(
        ranked.iter().map(|r| {
            let p = r.profile;
            (p.key.asset_id, p.tag.as_str(), r.score, p.replacement_cost)
        }),
        yearly_budget,
        years,
        settings,
    )
}

/// The plan from assets in priority order: (asset, tag, score, cost).
fn plan<'a>(
    order: impl Iterator<Item = (AssetId, &'a str, f64, Option<Money>)>,
    yearly_budget: Money,
    years: u32,
    settings: &Settings,
) -> Result<CapitalPlan, AnalyticsError> {
    settings.validate()?;
    let c = &settings.capital;
    if yearly_budget.cents() < 0 {
        return Err(AnalyticsError::InvalidSetting {
            name: "yearly budget",
            reason: "must not be negative".into(),
        });
    }
    let mut queue: Vec<PlanItem> = Vec::new();
    let mut unpriced = Vec::new();
    let mut below = 0;
    for (asset_id, tag, score, cost) in order {
        if score < c.min_score {
            below += 1;
            continue;
        }
        match cost {
            Some(cost) if cost.cents() > 0 => queue.push(PlanItem {
                asset_id,
                tag: tag.to_string(),
                score,
                cost,
            }),
            _ => unpriced.push(asset_id),
        }
    }
    let mut out = Vec::new();
    let mut carry = 0i64;
    for year in 1..=years {
        let budget = yearly_budget.cents() + carry;
        let mut left = budget;
        let mut items = Vec::new();
        queue.retain(|it| {
            if it.cost.cents() <= left {
                left -= it.cost.cents();
                items.push(it.clone());
                false
            } else {
                true
            }
        });
        carry = if c.carry_over { left } else { 0 };
        out.push(PlanYear {
            year,
            budget: Money(budget),
            spent: Money(budget - left),
            items,
        });
    }
    Ok(CapitalPlan {
        years: out,
        deferred: queue,
        unpriced,
        below_min_score: below,
        rule: format!(
            "each year, fund assets scoring at least {} in score order while the budget lasts; unspent budget {}",
            c.min_score,
            if c.carry_over {
                "carries over"
            } else {
                "does not carry over"
            }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::AssetKey;
    use crate::fixture::*;
    use crate::profile::NetworkExposure;
    use biomend_domain::risk::RiskClass;

    fn profile(n: u8) -> AssetProfile {
        AssetProfile {
            key: AssetKey {
                asset_id: id!(AssetId, n),
                site_id: id!(SiteId, SITE),
                department_id: id!(DepartmentId, ICU),
                device_type_id: id!(DeviceTypeId, PUMP),
                model_id: id!(ModelId, PUMP_A),
                manufacturer_id: id!(ManufacturerId, MAKER_A),
            },
            tag: format!("BME-{n:04}"),
            risk_class: RiskClass::InProgram,
            em_number: 12,
            age_years: Some(9.0),
            expected_life_years: Some(10),
            replacement_cost: Some(Money(1_000_000)),
            replacement_cost_from_acquisition: false,
            end_of_support: None,
            network: None,
            open_recalls: 0,
            utilization: Some(0.25),
        }
    }

    #[test]
    fn score_is_the_weighted_sum_of_its_parts() {
        let mut p = profile(1);
        p.end_of_support = Some(d(2025, 6, 1));
        p.network = Some(NetworkExposure {
            os: Some("Windows 7".into()),
            unsupported_os: true,
            patch_validated: false,
            stores_phi: true,
            remote_recoverable: true,
        });
        p.open_recalls = 1;
        let mut f = AssetFacts::empty(p.key, p.risk_class, Some(Money(1_000_000)), 8_766.0);
        f.cost.parts = Money(150_000);
        let c = CapitalSettings::default();
        let pr = priority(&p, Some(&f), d(2026, 1, 1), &c);
        let v = |x: Factor| pr.factor(x).unwrap().value.value;
        // Risk (12 − 2) / 20 = 0.5; age min(9/10, 1.5) / 1.5 = 0.6;
        // COSR $1,500 / ($10,000 × 1 y) = 0.15 → 0.15 / 0.30 = 0.5;
        // support: past end of support → 1; recall pending → 1;
        // cyber: unpatched 0.5 + PHI 0.25 + remote 0 = 0.75; use 0.25.
        assert_eq!(v(Factor::Risk), 0.5);
        assert!((v(Factor::Age) - 0.6).abs() < 1e-12);
        assert_eq!(v(Factor::Cosr), 0.5);
        assert_eq!((v(Factor::Support), v(Factor::Recall)), (1.0, 1.0));
        assert_eq!((v(Factor::Cyber), v(Factor::Utilization)), (0.75, 0.25));
        // Weights .20 .20 .15 .15 .05 .10 .15 (sum 1): 100 × (0.1 + 0.12
        // + 0.075 + 0.15 + 0.05 + 0.075 + 0.0375) = 60.75.
        assert!((pr.score.value - 60.75).abs() < 1e-9);
        let parts: f64 = pr.factors.iter().map(|f| f.points).sum();
        assert!((parts - pr.score.value).abs() < 1e-9);
        assert!((pr.factor(Factor::Age).unwrap().points - 12.0).abs() < 1e-9);
    }

    #[test]
    fn unknowns_are_said_not_hidden() {
        let mut p = profile(1);
        p.age_years = None;
        p.utilization = None;
        let pr = priority(&p, None, d(2026, 1, 1), &CapitalSettings::default());
        assert!(pr.factor(Factor::Age).unwrap().value.note.is_some());
        assert!(pr.factor(Factor::Cosr).unwrap().value.note.is_some());
        // Unknown utilization takes the neutral 0.5.
        assert_eq!(pr.factor(Factor::Utilization).unwrap().value.value, 0.5);
    }

    fn item(n: u8, score: f64, dollars: i64) -> Priority {
        Priority {
            asset_id: id!(AssetId, n),
            tag: format!("BME-{n:04}"),
            score: Explained::new(score, "", Vec::new()),
            factors: Vec::new(),
            replacement_cost: Some(Money(dollars * 100)),
        }
    }

    #[test]
    fn plan_fills_each_year_in_priority_order() {
        // Budget $10,000 a year over 2 years. Scores 90 ($8k), 80 ($5k),
        // 70 ($2k), 60 ($12k, never fits), 30 (under the minimum 40).
        let ranked = vec![
            item(1, 90.0, 8_000),
            item(2, 80.0, 5_000),
            item(3, 70.0, 2_000),
            item(4, 60.0, 12_000),
            item(5, 30.0, 1_000),
        ];
        let plan = capital_plan(&ranked, Money(1_000_000), 2, &Settings::default()).unwrap();
        let tags = |y: &PlanYear| y.items.iter().map(|i| i.tag.clone()).collect::<Vec<_>>();
        // Year 1: $8k fits, $5k does not ($2k left), $2k does: $10k spent.
        assert_eq!(tags(&plan.years[0]), vec!["BME-0001", "BME-0003"]);
        assert_eq!(plan.years[0].spent, Money(1_000_000));
        // Year 2: $5k.
        assert_eq!(tags(&plan.years[1]), vec!["BME-0002"]);
        assert_eq!(plan.deferred.len(), 1);
        assert_eq!(plan.deferred[0].tag, "BME-0004");
        assert_eq!(plan.below_min_score, 1);
        // With carry-over: year 1 spends all $10k (nothing carried); year 2
        // spends $5k of $10k and carries $5k.
        let mut s = Settings::default();
        s.capital.carry_over = true;
        let plan = capital_plan(&ranked, Money(1_000_000), 3, &s).unwrap();
        assert_eq!(plan.years[1].budget, Money(1_000_000));
        // Year 3: $10k + $5k carried = $15k ≥ $12k.
        assert_eq!(plan.years[2].budget, Money(1_500_000));
        assert_eq!(tags(&plan.years[2]), vec!["BME-0004"]);
    }
}
