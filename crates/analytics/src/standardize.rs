//! Standardization: the models in service for one device type, and what
//! consolidating on one of them would change: models staff must be
//! trained on, distinct spare parts to stock, and service cost if every
//! unit cost what the target model costs per unit-year.
//!
//! The service-cost figure is an estimate from the period's history, not
//! a quote: it assumes the target's cost per unit-year holds for the units
//! it would replace.

use crate::explain::{Explained, HOURS_PER_YEAR, Measure, Period, Value, input, ratio};
use crate::facts::{AssetFacts, Catalog};
use crate::kpi::{GroupBy, GroupKey, totals_by};
use crate::measures;
use biomend_domain::Money;
use biomend_domain::dataset::WorkOrderBundle;
use biomend_domain::ids::{AssetId, DeviceTypeId, ModelId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Distinct part numbers used per model, gathered from work orders (a
/// store query would `SELECT DISTINCT model, part_number`).
#[derive(Clone, Debug, Default)]
pub struct PartNumbers {
    model_of: HashMap<AssetId, ModelId>,
    pub by_model: HashMap<ModelId, BTreeSet<String>>,
}

impl PartNumbers {
    pub fn new(catalog: &Catalog<'_>) -> PartNumbers {
        PartNumbers {
            model_of: catalog.assets.iter().map(|a| (a.id, a.model_id)).collect(),
            by_model: HashMap::new(),
        }
    }

    pub fn add(&mut self, b: &WorkOrderBundle) {
        if let Some(m) = self.model_of.get(&b.work_order.asset_id) {
            let set = self.by_model.entry(*m).or_default();
            for p in b.parts.iter().filter(|p| !p.part_number.trim().is_empty()) {
                set.insert(p.part_number.trim().to_string());
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelShare {
    pub model_id: ModelId,
    pub units: u32,
    pub unit_years: f64,
    pub service_cost: Money,
    pub service_cost_per_unit_year: Measure,
    pub failures_per_unit_year: Measure,
    pub part_numbers: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Consolidation {
    pub device_type: DeviceTypeId,
    pub period: Period,
    /// Most units first.
    pub models: Vec<ModelShare>,
    pub target: ModelId,
    /// Models in service now → 1.
    pub models_to_train_on: Explained<(usize, usize)>,
    /// Distinct part numbers used across the type now → the target's.
    pub part_numbers: Explained<(usize, usize)>,
    /// Estimated service cost over the period had every unit cost what the
    /// target costs per unit-year, minus what it did cost.
    pub service_cost_change: Measure,
}

/// What consolidating `device_type` on `target` (or, by default, the
/// model with the most units) would change. `None` when the type has no
/// units in `rows`.
pub fn consolidation(
    rows: &[AssetFacts],
    parts: &PartNumbers,
    device_type: DeviceTypeId,
    target: Option<ModelId>,
    period: Period,
) -> Option<Consolidation> {
    let of_type: Vec<AssetFacts> = rows
        .iter()
        .filter(|f| f.key.device_type_id == device_type)
        .cloned()
        .collect();
    let empty = BTreeSet::new();
    let mut models: Vec<ModelShare> = totals_by(&of_type, GroupBy::Model)
        .into_iter()
        .filter_map(|(k, t)| match k {
            GroupKey::Model(m) => Some(ModelShare {
                model_id: m,
                units: t.assets,
                unit_years: t.unit_years(),
                service_cost: t.cost.total(),
                service_cost_per_unit_year: ratio(
                    t.cost.total().cents() as f64 / 100.0,
                    t.unit_years(),
                    "service cost (dollars) / unit-years",
                    vec![
                        input("service cost", Value::Money(t.cost.total())),
                        input("unit-years", Value::Years(t.unit_years())),
                    ],
                    "no covered time",
                )
                .over(period),
                failures_per_unit_year: measures::failures_per_unit_year(
                    t.corrective.failures,
                    t.covered_hours,
                )
                .over(period),
                part_numbers: parts.by_model.get(&m).unwrap_or(&empty).len(),
            }),
            _ => None,
        })
        .collect();
    models.sort_by(|a, b| b.units.cmp(&a.units).then(a.model_id.cmp(&b.model_id)));
    let target = target.or_else(|| models.first().map(|m| m.model_id))?;
    let t = models.iter().find(|m| m.model_id == target)?;

    let all_parts: BTreeSet<&String> = models
        .iter()
        .flat_map(|m| parts.by_model.get(&m.model_id).into_iter().flatten())
        .collect();
    let total_years: f64 = models.iter().map(|m| m.unit_years).sum();
    let actual: Money = models.iter().map(|m| m.service_cost).sum();
    let change = t
        .service_cost_per_unit_year
        .value
        .map(|per_year_dollars| per_year_dollars * total_years - actual.cents() as f64 / 100.0);
    let service_cost_change = Explained::new(
        change,
        "target's cost per unit-year × all unit-years − actual service cost (dollars)",
        vec![
            input(
                "target cost per unit-year (dollars)",
                t.service_cost_per_unit_year
                    .value
                    .map_or(Value::Text("unknown".into()), Value::Number),
            ),
            input("unit-years of the type", Value::Years(total_years)),
            input("actual service cost", Value::Money(actual)),
            input("hours per unit-year", Value::Hours(HOURS_PER_YEAR)),
        ],
    )
    .over(period);
    Some(Consolidation {
        device_type,
        period,
        models_to_train_on: Explained::new(
            (models.len(), 1),
            "models in service → the one target model",
            vec![input(
                "models in service",
                Value::Count(models.len() as u64),
            )],
        ),
        part_numbers: Explained::new(
            (all_parts.len(), t.part_numbers),
            "distinct part numbers used on the type → those used on the target",
            vec![
                input("part numbers now", Value::Count(all_parts.len() as u64)),
                input(
                    "part numbers on the target",
                    Value::Count(t.part_numbers as u64),
                ),
            ],
        ),
        service_cost_change,
        target,
        models,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::*;
    use crate::kpi::tests::{scenario, scenario_facts, year_2025};

    #[test]
    fn consolidating_pumps_on_the_commoner_model() {
        let (h, mut w) = scenario();
        // A part P-2 on pump B's use-error job (c4); pump A's c1 used P-1.
        part(&mut w[5], 1, 100, t(2025, 6, 1, 12));
        w[5].parts[0].part_number = "P-2".into();
        let mut parts = PartNumbers::new(&h.catalog());
        w.iter().for_each(|b| parts.add(b));
        let rows = scenario_facts();
        let c = consolidation(&rows, &parts, id!(DeviceTypeId, PUMP), None, year_2025()).unwrap();
        // Pump A has 2 units, pump B 1: A is the default target.
        assert_eq!(c.target, id!(ModelId, PUMP_A));
        assert_eq!(c.models_to_train_on.value, (2, 1));
        // P-1 and P-2 → only P-1.
        assert_eq!(c.part_numbers.value, (2, 1));
        // A cost $1,179.32 over 13,152 / 8,766 unit-years; all pumps had
        // (13,152 + 8,760) / 8,766 unit-years and cost $1,179.32 + $500
        // (the scenario's parts, vendor and contract, without this test's
        // extra part, which the facts did not see).
        let per_year = 1_179.32 / (13_152.0 / 8_766.0);
        let expect = per_year * (21_912.0 / 8_766.0) - (1_179.32 + 500.0);
        assert!((c.service_cost_change.value.unwrap() - expect).abs() < 1e-6);
    }
}
