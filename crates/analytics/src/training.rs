//! Training effect. PRODUCT.md: "compare CND and use-error rates, and
//! uptime, for a department and device type in equal windows before and
//! after a training event". The windows are `[held − n, held)` and
//! `[held, held + n)` days; the rows for each come from the same
//! [`crate::facts`] computation over each window.

use crate::error::AnalyticsError;
use crate::explain::{Explained, Measure, Period, Value, input, ratio};
use crate::facts::AssetFacts;
use crate::kpi::Totals;
use crate::measures;
use biomend_domain::ids::{DepartmentId, DeviceTypeId, TrainingEventId};
use biomend_domain::training::TrainingEvent;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// The equal windows before and after `event`: `days` long each, or as
/// many whole days as have passed since the event when fewer have (the
/// after window ends before `today`, which is not over), so a recent
/// event is never judged by an after window still mostly in the future.
pub fn training_windows(
    event: &TrainingEvent,
    days: i64,
    today: NaiveDate,
) -> Result<(Period, Period), AnalyticsError> {
    let passed = (today - event.held_on).num_days();
    if passed < 1 {
        return Err(AnalyticsError::TooSoon {
            held_on: event.held_on,
            today,
        });
    }
    let n = Duration::days(days.min(passed));
    Ok((
        Period::new(event.held_on - n, event.held_on)?,
        Period::new(event.held_on, event.held_on + n)?,
    ))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub period: Period,
    pub assets: u32,
    pub unit_years: f64,
    pub closed_corrective: u32,
    pub cnd_rate: Measure,
    pub use_error_rate: Measure,
    /// CND, use error and abuse calls together, per closed corrective.
    pub cnd_and_use_error_rate: Measure,
    /// The same calls per unit-year: shows a drop even when repairs fall
    /// as well.
    pub cnd_and_use_error_per_unit_year: Measure,
    pub uptime: Measure,
}

fn window(t: &Totals, period: Period) -> Window {
    let c = &t.corrective;
    let calls = c.cnd + c.use_error + c.abuse;
    let counts = || {
        vec![
            input("could not duplicate", Value::Count(c.cnd.into())),
            input("use error", Value::Count(c.use_error.into())),
            input("abuse / damage", Value::Count(c.abuse.into())),
            input(
                "closed corrective work orders",
                Value::Count(c.closed.into()),
            ),
            input("unit-years", Value::Years(t.unit_years())),
        ]
    };
    Window {
        period,
        assets: t.assets,
        unit_years: t.unit_years(),
        closed_corrective: c.closed,
        cnd_rate: measures::cnd_rate(c).over(period),
        use_error_rate: measures::use_error_rate(c).over(period),
        cnd_and_use_error_rate: ratio(
            f64::from(calls),
            f64::from(c.closed),
            "(CND + use error + abuse) / closed corrective work orders",
            counts(),
            "no closed corrective work orders",
        )
        .over(period),
        cnd_and_use_error_per_unit_year: ratio(
            f64::from(calls),
            t.unit_years(),
            "(CND + use error + abuse) / unit-years",
            counts(),
            "no covered time",
        )
        .over(period),
        uptime: measures::uptime(t.weighted_downtime_hours, t.covered_hours).over(period),
    }
}

fn change(name: &str, before: &Measure, after: &Measure) -> Measure {
    let v = match (before.value, after.value) {
        (Some(b), Some(a)) => Some(a - b),
        _ => None,
    };
    let e = Explained::new(
        v,
        format!("{name} after − {name} before"),
        vec![
            input(
                "before",
                before
                    .value
                    .map_or(Value::Text("undefined".into()), Value::Number),
            ),
            input(
                "after",
                after
                    .value
                    .map_or(Value::Text("undefined".into()), Value::Number),
            ),
        ],
    );
    if v.is_none() {
        e.noted("undefined in one of the windows")
    } else {
        e
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingEffect {
    pub event: TrainingEventId,
    pub department: DepartmentId,
    pub device_type: DeviceTypeId,
    pub attendees: u32,
    pub before: Window,
    pub after: Window,
    pub cnd_rate_change: Measure,
    pub use_error_rate_change: Measure,
    pub cnd_and_use_error_rate_change: Measure,
    pub uptime_change: Measure,
}

/// The effect of `event`, from the rows of its before and after windows
/// (see [`training_windows`]); rows of other departments and device types
/// are ignored, so whole-hospital rows may be passed.
pub fn training_effect(
    event: &TrainingEvent,
    before: (Period, &[AssetFacts]),
    after: (Period, &[AssetFacts]),
) -> TrainingEffect {
    let mine = |f: &&AssetFacts| {
        f.key.department_id == event.department_id && f.key.device_type_id == event.device_type_id
    };
    let b = window(&Totals::of(before.1.iter().filter(mine)), before.0);
    let a = window(&Totals::of(after.1.iter().filter(mine)), after.0);
    TrainingEffect {
        event: event.id,
        department: event.department_id,
        device_type: event.device_type_id,
        attendees: event.attendees,
        cnd_rate_change: change("CND rate", &b.cnd_rate, &a.cnd_rate),
        use_error_rate_change: change("use-error rate", &b.use_error_rate, &a.use_error_rate),
        cnd_and_use_error_rate_change: change(
            "CND + use-error rate",
            &b.cnd_and_use_error_rate,
            &a.cnd_and_use_error_rate,
        ),
        uptime_change: change("uptime", &b.uptime, &a.uptime),
        before: b,
        after: a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::FactsBuilder;
    use crate::fixture::*;
    use crate::settings::Settings;
    use biomend_domain::work_order::{ClosureCode, FailureArea};

    #[test]
    fn before_and_after_by_hand() {
        let mut h = hospital();
        h.assets = vec![
            asset(1, PUMP_A, ICU, d(2020, 1, 1), 10_000),
            asset(2, PUMP_B, ICU, d(2020, 1, 1), 10_000),
            // Another department: must not count.
            asset(3, PUMP_A, WARD, d(2020, 1, 1), 10_000),
        ];
        let event = TrainingEvent {
            id: id!(TrainingEventId, 80u8),
            department_id: id!(DepartmentId, ICU),
            device_type_id: id!(DeviceTypeId, PUMP),
            held_on: d(2025, 7, 1),
            topic: "pumps".into(),
            trainer: "vendor".into(),
            attendees: 14,
        };
        let (pb, pa) = training_windows(&event, 30, d(2026, 1, 1)).unwrap();
        assert_eq!(
            (pb.from, pb.to, pa.to),
            (d(2025, 6, 1), d(2025, 7, 1), d(2025, 7, 31))
        );
        // Ten days on, both windows are ten days; on the day itself there
        // is nothing to compare.
        let (b10, a10) = training_windows(&event, 30, d(2025, 7, 11)).unwrap();
        assert_eq!(
            (b10.from, b10.to, a10.from, a10.to),
            (d(2025, 6, 21), d(2025, 7, 1), d(2025, 7, 1), d(2025, 7, 11))
        );
        assert!(matches!(
            training_windows(&event, 30, d(2025, 7, 1)),
            Err(AnalyticsError::TooSoon { .. })
        ));
        let fail = ClosureCode::DeviceFailure(FailureArea::Display);
        let cnd = ClosureCode::CouldNotDuplicate;
        let use_ = ClosureCode::UseError;
        let mut w = vec![
            // Before: 4 calls: CND, CND, use error, failure (24 h down).
            corrective(1, 1, t(2025, 6, 2, 8), t(2025, 6, 2, 9), cnd),
            corrective(2, 2, t(2025, 6, 10, 8), t(2025, 6, 10, 9), cnd),
            corrective(3, 1, t(2025, 6, 20, 8), t(2025, 6, 20, 9), use_),
            // After: 2 calls: CND and failure.
            corrective(5, 2, t(2025, 7, 5, 8), t(2025, 7, 5, 9), cnd),
            corrective(6, 1, t(2025, 7, 20, 8), t(2025, 7, 20, 9), fail),
            // The ward's calls are not the trained unit's.
            corrective(7, 3, t(2025, 6, 5, 8), t(2025, 6, 5, 9), cnd),
        ];
        let mut f4 = corrective(4, 2, t(2025, 6, 25, 0), t(2025, 6, 26, 0), fail);
        downtime(&mut f4, t(2025, 6, 25, 0), t(2025, 6, 26, 0), 1.0);
        w.push(f4);
        let s = Settings::default();
        let rows = |p: Period| {
            let mut b = FactsBuilder::new(&h.catalog(), p, &s);
            w.iter().for_each(|x| b.add(x));
            b.finish()
        };
        let (rb, ra) = (rows(pb), rows(pa));
        let e = training_effect(&event, (pb, &rb), (pa, &ra));
        assert_eq!((e.before.assets, e.before.closed_corrective), (2, 4));
        // Before: CND 2/4, use error 1/4, together 3/4.
        assert_eq!(e.before.cnd_rate.value, Some(0.5));
        assert_eq!(e.before.use_error_rate.value, Some(0.25));
        assert_eq!(e.before.cnd_and_use_error_rate.value, Some(0.75));
        // After: CND 1/2, use error 0, together 1/2.
        assert_eq!(e.after.cnd_and_use_error_rate.value, Some(0.5));
        assert_eq!(e.cnd_and_use_error_rate_change.value, Some(-0.25));
        assert_eq!(e.use_error_rate_change.value, Some(-0.25));
        // Calls per unit-year: 3 over 2 assets × 30 days × 24 h / 8,766.
        let uy = 2.0 * 30.0 * 24.0 / 8_766.0;
        assert!((e.before.cnd_and_use_error_per_unit_year.value.unwrap() - 3.0 / uy).abs() < 1e-9);
        // Uptime before: 1 − 24 / 1,440 covered hours; after: 1.
        assert!((e.before.uptime.value.unwrap() - (1.0 - 24.0 / 1_440.0)).abs() < 1e-12);
        assert_eq!(e.after.uptime.value, Some(1.0));
        assert!((e.uptime_change.value.unwrap() - 24.0 / 1_440.0).abs() < 1e-12);
    }
}
