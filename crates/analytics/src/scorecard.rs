//! Service scorecards: the models (or manufacturers) of one device type
//! compared on failures per unit-year, COSR, MTTR, uptime, CND rate and
//! recalls, and ranked.
//!
//! Ranking is by rank, not raw value, so measures on different scales
//! weigh as the settings say: on each measure a row's rank among the
//! ranked rows is scaled to 0 (best) … 1 (worst), and its score is the
//! weighted mean of those over the measures it has a value for. Rows with
//! too little exposure are shown but not ranked.

use crate::error::AnalyticsError;
use crate::explain::{Explained, Measure, Period, Value, input};
use crate::facts::AssetFacts;
use crate::kpi::{GroupBy, GroupKey, Totals, totals_by};
use crate::measures;
use crate::settings::{ScorecardSettings, Settings};
use biomend_domain::ids::DeviceTypeId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreMeasure {
    FailuresPerUnitYear,
    Cosr,
    Mttr,
    Uptime,
    CndRate,
    Recalls,
}

impl ScoreMeasure {
    pub const ALL: [ScoreMeasure; 6] = [
        ScoreMeasure::FailuresPerUnitYear,
        ScoreMeasure::Cosr,
        ScoreMeasure::Mttr,
        ScoreMeasure::Uptime,
        ScoreMeasure::CndRate,
        ScoreMeasure::Recalls,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ScoreMeasure::FailuresPerUnitYear => "failures per unit-year",
            ScoreMeasure::Cosr => "COSR",
            ScoreMeasure::Mttr => "MTTR",
            ScoreMeasure::Uptime => "uptime",
            ScoreMeasure::CndRate => "CND rate",
            ScoreMeasure::Recalls => "recalls",
        }
    }

    /// Uptime is better high; everything else is better low.
    fn higher_is_better(self) -> bool {
        self == ScoreMeasure::Uptime
    }

    fn weight(self, s: &ScorecardSettings) -> f64 {
        match self {
            ScoreMeasure::FailuresPerUnitYear => s.failures_weight,
            ScoreMeasure::Cosr => s.cosr_weight,
            ScoreMeasure::Mttr => s.mttr_weight,
            ScoreMeasure::Uptime => s.uptime_weight,
            ScoreMeasure::CndRate => s.cnd_weight,
            ScoreMeasure::Recalls => s.recalls_weight,
        }
    }
}

/// A row's place on one measure: 1 = best of `of` ranked rows with a value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureRank {
    pub measure: ScoreMeasure,
    pub rank: u32,
    pub of: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreRow {
    pub group: GroupKey,
    pub units: u32,
    pub unit_years: f64,
    pub failures_per_unit_year: Measure,
    pub cosr: Measure,
    pub mttr_hours: Measure,
    pub uptime: Measure,
    pub cnd_rate: Measure,
    /// Distinct recalls received in the period that matched the group's
    /// units, with the number of units affected.
    pub recalls: Measure,
    pub measure_ranks: Vec<MeasureRank>,
    /// Weighted mean scaled rank, 0 = best on every measure, 1 = worst;
    /// `None` for rows with too little exposure.
    pub score: Measure,
    /// 1 = best; `None` when not ranked.
    pub rank: Option<u32>,
}

impl ScoreRow {
    pub fn measure(&self, m: ScoreMeasure) -> &Measure {
        match m {
            ScoreMeasure::FailuresPerUnitYear => &self.failures_per_unit_year,
            ScoreMeasure::Cosr => &self.cosr,
            ScoreMeasure::Mttr => &self.mttr_hours,
            ScoreMeasure::Uptime => &self.uptime,
            ScoreMeasure::CndRate => &self.cnd_rate,
            ScoreMeasure::Recalls => &self.recalls,
        }
    }

    pub fn rank_on(&self, m: ScoreMeasure) -> Option<MeasureRank> {
        self.measure_ranks.iter().find(|r| r.measure == m).copied()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub device_type: DeviceTypeId,
    pub by: GroupBy,
    pub period: Period,
    /// Ranked rows best first, then the unranked ones.
    pub rows: Vec<ScoreRow>,
}

fn row(group: GroupKey, t: &Totals, period: Period) -> ScoreRow {
    let recalls = Explained::new(
        Some(t.recalls.len() as f64),
        "distinct recalls received in the period matching the group's units",
        vec![
            input("recalls", Value::Count(t.recalls.len() as u64)),
            input("units affected", Value::Count(t.recalled_assets.into())),
        ],
    );
    ScoreRow {
        group,
        units: t.assets,
        unit_years: t.unit_years(),
        failures_per_unit_year: measures::failures_per_unit_year(
            t.corrective.failures,
            t.covered_hours,
        )
        .over(period),
        cosr: measures::cosr(&t.cost, t.acquisition_cost_years, t.assets_without_cost).over(period),
        mttr_hours: measures::mttr_hours(t.repair_hours, t.repairs, t.repair_labor_hours)
            .over(period),
        uptime: measures::uptime(t.weighted_downtime_hours, t.covered_hours).over(period),
        cnd_rate: measures::cnd_rate(&t.corrective).over(period),
        recalls: recalls.over(period),
        measure_ranks: Vec::new(),
        score: Explained::new(None, "", Vec::new()),
        rank: None,
    }
}

/// Scores the models or manufacturers (`by`) of one device type from one
/// period's asset rows.
pub fn scorecard(
    rows: &[AssetFacts],
    device_type: DeviceTypeId,
    by: GroupBy,
    period: Period,
    settings: &Settings,
) -> Result<Scorecard, AnalyticsError> {
    settings.validate()?;
    let s = &settings.scorecard;
    let of_type: Vec<AssetFacts> = rows
        .iter()
        .filter(|f| f.key.device_type_id == device_type)
        .cloned()
        .collect();
    let mut out: Vec<ScoreRow> = totals_by(&of_type, by)
        .iter()
        .map(|(k, t)| row(*k, t, period))
        .collect();
    let ranked: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].unit_years >= s.min_unit_years)
        .collect();

    for m in ScoreMeasure::ALL {
        let vals: Vec<(usize, f64)> = ranked
            .iter()
            .filter_map(|&i| out[i].measure(m).value.map(|v| (i, v)))
            .collect();
        for &(i, v) in &vals {
            let better = vals
                .iter()
                .filter(|(_, o)| if m.higher_is_better() { *o > v } else { *o < v })
                .count();
            out[i].measure_ranks.push(MeasureRank {
                measure: m,
                rank: better as u32 + 1,
                of: vals.len() as u32,
            });
        }
    }

    for &i in &ranked {
        let r = &out[i];
        let (mut num, mut den) = (0.0, 0.0);
        let mut inputs = Vec::new();
        for mr in &r.measure_ranks {
            let w = mr.measure.weight(s);
            let scaled = if mr.of > 1 {
                f64::from(mr.rank - 1) / f64::from(mr.of - 1)
            } else {
                0.0
            };
            num += w * scaled;
            den += w;
            inputs.push(input(
                format!(
                    "{} rank {} of {} (weight {w})",
                    mr.measure.name(),
                    mr.rank,
                    mr.of
                ),
                Value::Number(scaled),
            ));
        }
        let score = crate::explain::ratio(
            num,
            den,
            "Σ weight × (rank − 1) / (ranked − 1) / Σ weight, over the measures with a value",
            inputs,
            "no measure has a value to rank",
        )
        .over(period);
        out[i].score = score;
    }
    for (i, r) in out.iter_mut().enumerate() {
        if !ranked.contains(&i) {
            r.score = Explained::new(
                None,
                "not ranked",
                vec![
                    input("unit-years", Value::Years(r.unit_years)),
                    input("minimum unit-years to rank", Value::Years(s.min_unit_years)),
                ],
            )
            .noted("too little exposure to rank")
            .over(period);
        }
    }
    let scores: Vec<Option<f64>> = out.iter().map(|r| r.score.value).collect();
    for (i, r) in out.iter_mut().enumerate() {
        r.rank = scores[i]
            .map(|v| 1 + scores.iter().filter(|o| o.is_some_and(|o| o < v)).count() as u32);
    }
    out.sort_by(|a, b| match (a.rank, b.rank) {
        (Some(x), Some(y)) => x.cmp(&y).then(a.group.cmp(&b.group)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.group.cmp(&b.group),
    });
    Ok(Scorecard {
        device_type,
        by,
        period,
        rows: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::*;
    use crate::kpi::tests::{scenario_facts, year_2025};

    #[test]
    fn two_pump_models_ranked_by_hand() {
        let f = scenario_facts();
        let mut s = Settings::default();
        s.scorecard.min_unit_years = 0.5;
        let card = scorecard(&f, id!(DeviceTypeId, PUMP), GroupBy::Model, year_2025(), &s).unwrap();
        assert_eq!(card.rows.len(), 2, "the ventilator is another type");
        let (a, b) = (&card.rows[0], &card.rows[1]);
        assert_eq!(a.group, GroupKey::Model(id!(ModelId, PUMP_A)));
        // Model A: 1 failure over (8,760 + 4,392) / 8,766 unit-years.
        let a_fpy = 1.0 / (13_152.0 / 8_766.0);
        assert!((a.failures_per_unit_year.value.unwrap() - a_fpy).abs() < 1e-12);
        // A beats B on failures (0.67 vs 1.00), COSR (0.079 vs 0.100),
        // MTTR (24 vs 48 h), uptime (1 − 24/13,152 vs 1 − 24/8,760) and
        // recalls (0 vs 1); B beats A on CND (0/2 vs 1/3).
        // Scaled ranks with 2 rows are 0 or 1: A = 1/6, B = 5/6.
        assert!((a.score.value.unwrap() - 1.0 / 6.0).abs() < 1e-12);
        assert!((b.score.value.unwrap() - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!((a.rank, b.rank), (Some(1), Some(2)));
        assert_eq!(
            b.rank_on(ScoreMeasure::CndRate),
            Some(MeasureRank {
                measure: ScoreMeasure::CndRate,
                rank: 1,
                of: 2
            })
        );
        assert_eq!(b.recalls.value, Some(1.0));
    }

    #[test]
    fn thin_exposure_is_shown_but_not_ranked() {
        let f = scenario_facts();
        // Default minimum is 5 unit-years; neither pump model has 2.
        let card = scorecard(
            &f,
            id!(DeviceTypeId, PUMP),
            GroupBy::Manufacturer,
            year_2025(),
            &Settings::default(),
        )
        .unwrap();
        assert_eq!(card.rows.len(), 2);
        assert!(
            card.rows
                .iter()
                .all(|r| r.rank.is_none() && r.score.value.is_none())
        );
        assert!(
            card.rows
                .iter()
                .all(|r| r.failures_per_unit_year.value.is_some())
        );
    }
}
