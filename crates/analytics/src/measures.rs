//! The formulas, over plain counts and sums. Nothing here groups or reads
//! records: a store query or [`crate::facts`] fills the inputs, and each
//! function returns the value with its explanation.

use crate::explain::{Explained, HOURS_PER_YEAR, Input, Measure, Value, input, ratio};
use biomend_domain::Money;
use biomend_domain::pm::{WindowPolicy, due_window};
use biomend_domain::work_order::AttemptOutcome;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What became of one scheduled PM, judged by the window rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PmOutcome {
    /// Completed inside `[due − w, due + w]`.
    OnTime,
    /// Not completed in the window, but an attempt inside it found the
    /// device in use on a patient.
    AttemptedInUse,
    /// Not completed in the window, but an attempt inside it could not
    /// find the device.
    AttemptedNotLocated,
    /// Completed, outside the window (too early or late).
    OutOfWindow,
    /// Not completed and the window has closed.
    Missed,
    /// Not completed and the window is still open on the evaluation day:
    /// not yet due for the rate.
    Pending,
}

/// Judges one PM. A completion inside the window wins; otherwise the last
/// documented attempt inside the window decides, since PRODUCT.md lets an
/// attempt count "when a written policy is followed, with follow-up";
/// a window still open on `as_of` leaves the PM pending.
pub fn classify_pm(
    due: NaiveDate,
    interval_days: i64,
    completed_on: Option<NaiveDate>,
    attempts: &[(NaiveDate, AttemptOutcome)],
    as_of: NaiveDate,
    policy: WindowPolicy,
) -> PmOutcome {
    let (open, close) = due_window(due, interval_days, policy);
    let inside = |d: NaiveDate| d >= open && d <= close;
    if completed_on.is_some_and(inside) {
        return PmOutcome::OnTime;
    }
    if let Some((_, outcome)) = attempts
        .iter()
        .filter(|(d, _)| inside(*d) && *d <= as_of)
        .max_by_key(|(d, _)| *d)
    {
        return match outcome {
            AttemptOutcome::InUse => PmOutcome::AttemptedInUse,
            AttemptOutcome::NotLocated => PmOutcome::AttemptedNotLocated,
        };
    }
    match completed_on {
        Some(_) => PmOutcome::OutOfWindow,
        None if close >= as_of => PmOutcome::Pending,
        None => PmOutcome::Missed,
    }
}

/// PMs by outcome. `due` excludes pending ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PmCounts {
    pub on_time: u32,
    pub attempted_in_use: u32,
    pub attempted_not_located: u32,
    pub out_of_window: u32,
    pub missed: u32,
    pub pending: u32,
    /// PM work orders without a plan, whose window cannot be judged.
    pub without_plan: u32,
}

impl PmCounts {
    pub fn record(&mut self, o: PmOutcome) {
        match o {
            PmOutcome::OnTime => self.on_time += 1,
            PmOutcome::AttemptedInUse => self.attempted_in_use += 1,
            PmOutcome::AttemptedNotLocated => self.attempted_not_located += 1,
            PmOutcome::OutOfWindow => self.out_of_window += 1,
            PmOutcome::Missed => self.missed += 1,
            PmOutcome::Pending => self.pending += 1,
        }
    }

    pub fn due(&self) -> u32 {
        self.on_time
            + self.attempted_in_use
            + self.attempted_not_located
            + self.out_of_window
            + self.missed
    }

    pub fn add(&mut self, o: &PmCounts) {
        self.on_time += o.on_time;
        self.attempted_in_use += o.attempted_in_use;
        self.attempted_not_located += o.attempted_not_located;
        self.out_of_window += o.out_of_window;
        self.missed += o.missed;
        self.pending += o.pending;
        self.without_plan += o.without_plan;
    }
}

/// PRODUCT.md: "PM completion rate = PMs completed in their window / PMs
/// due". With `attempts_count` the documented in-use and not-located
/// attempts join the numerator (the hospital's written policy); they are
/// listed as inputs either way.
pub fn pm_completion(c: &PmCounts, attempts_count: bool) -> Measure {
    let num = c.on_time
        + if attempts_count {
            c.attempted_in_use + c.attempted_not_located
        } else {
            0
        };
    let formula = if attempts_count {
        "(completed in window + attempted in use + attempted not located) / due"
    } else {
        "completed in window / due"
    };
    let inputs = vec![
        input("completed in window", Value::Count(c.on_time.into())),
        input("attempted in use", Value::Count(c.attempted_in_use.into())),
        input(
            "attempted not located",
            Value::Count(c.attempted_not_located.into()),
        ),
        input(
            "completed out of window",
            Value::Count(c.out_of_window.into()),
        ),
        input("missed", Value::Count(c.missed.into())),
        input("due", Value::Count(c.due().into())),
        input(
            "pending (window still open)",
            Value::Count(c.pending.into()),
        ),
        input(
            "without a plan (not judged)",
            Value::Count(c.without_plan.into()),
        ),
    ];
    ratio(
        f64::from(num),
        f64::from(c.due()),
        formula,
        inputs,
        "no PM was due in the period",
    )
}

/// PRODUCT.md: "Uptime = 1 − (downtime hours × partial-down factor) /
/// covered hours". The weighting is already in `weighted_downtime_hours`
/// (see `Downtime::weighted_hours_within`).
pub fn uptime(weighted_downtime_hours: f64, covered_hours: f64) -> Measure {
    let inputs = vec![
        input(
            "downtime hours × partial factor",
            Value::Hours(weighted_downtime_hours),
        ),
        input("covered hours", Value::Hours(covered_hours)),
    ];
    let m = ratio(
        weighted_downtime_hours,
        covered_hours,
        "1 − (downtime hours × partial factor) / covered hours",
        inputs,
        "no covered hours in the period",
    );
    Explained {
        value: m.value.map(|down| 1.0 - down),
        ..m
    }
}

/// PRODUCT.md: "MTBF = operating time / failures". Operating time is
/// covered time less weighted downtime; failures are corrective work
/// orders closed as device failure.
pub fn mtbf_hours(operating_hours: f64, failures: u32) -> Measure {
    ratio(
        operating_hours,
        f64::from(failures),
        "operating hours / failures",
        vec![
            input("operating hours", Value::Hours(operating_hours)),
            input("failures", Value::Count(failures.into())),
        ],
        "no failures in the period: MTBF is at least the operating hours",
    )
}

/// PRODUCT.md: "MTTR = repair time / repairs". Repair time is the elapsed
/// hours from a failure's work order opening to its completion (what the
/// clinical unit waits), not the labor booked, which is shown beside it.
pub fn mttr_hours(repair_hours: f64, repairs: u32, labor_hours: f64) -> Measure {
    ratio(
        repair_hours,
        f64::from(repairs),
        "repair hours (opened → completed) / repairs",
        vec![
            input("repair hours", Value::Hours(repair_hours)),
            input("repairs", Value::Count(repairs.into())),
            input("labor hours booked on them", Value::Hours(labor_hours)),
        ],
        "no completed failure repairs in the period",
    )
}

/// Failures per unit-year: failures / (covered hours / 8,766). Compares
/// fleets of different sizes and ages on the same footing.
pub fn failures_per_unit_year(failures: u32, covered_hours: f64) -> Measure {
    let unit_years = covered_hours / HOURS_PER_YEAR;
    ratio(
        f64::from(failures),
        unit_years,
        "failures / unit-years (covered hours / 8,766)",
        vec![
            input("failures", Value::Count(failures.into())),
            input("unit-years", Value::Years(unit_years)),
        ],
        "no covered time in the period",
    )
}

/// Service cost by the parts PRODUCT.md's COSR adds up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCost {
    /// In-house labor at each technician's loaded rate.
    pub labor: Money,
    pub parts: Money,
    /// Contract cost allocated to the asset for the period.
    pub contracts: Money,
    /// Vendor time and materials (labor, parts, travel on invoices).
    pub vendor: Money,
}

impl ServiceCost {
    pub fn total(&self) -> Money {
        self.labor + self.parts + self.contracts + self.vendor
    }

    pub fn add(&mut self, o: &ServiceCost) {
        *self = ServiceCost {
            labor: self.labor + o.labor,
            parts: self.parts + o.parts,
            contracts: self.contracts + o.contracts,
            vendor: self.vendor + o.vendor,
        };
    }

    fn inputs(&self) -> Vec<Input> {
        vec![
            input("in-house labor", Value::Money(self.labor)),
            input("parts", Value::Money(self.parts)),
            input("contracts", Value::Money(self.contracts)),
            input("vendor time and materials", Value::Money(self.vendor)),
            input("total service cost", Value::Money(self.total())),
        ]
    }
}

/// PRODUCT.md: "COSR = total service cost (in-house labor at a loaded
/// rate, parts, contracts, vendor time and materials) / acquisition cost,
/// per year" (the brief writes the sum with plus signs). Over a period and a group, "per year" is Σ service cost /
/// Σ (acquisition cost × years each asset was covered), so a unit bought
/// mid-period weighs for the time it was there.
/// `acquisition_cost_years` is that sum in cent-years.
pub fn cosr(cost: &ServiceCost, acquisition_cost_years: f64, assets_without_cost: u32) -> Measure {
    let mut inputs = cost.inputs();
    inputs.push(input(
        "acquisition cost × years covered",
        Value::Money(Money(acquisition_cost_years.round() as i64)),
    ));
    inputs.push(input(
        "assets without an acquisition cost (left out)",
        Value::Count(assets_without_cost.into()),
    ));
    ratio(
        cost.total().cents() as f64,
        acquisition_cost_years,
        "total service cost / (acquisition cost × years covered)",
        inputs,
        "no acquisition cost known for the covered assets",
    )
}

/// Closed corrective work orders by what was found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectiveCounts {
    /// Corrective work orders completed or signed off (they carry a
    /// closure code; open ones do not yet).
    pub closed: u32,
    pub failures: u32,
    pub cnd: u32,
    pub use_error: u32,
    pub abuse: u32,
    /// Repeat repairs (see [`is_repeat`]).
    pub repeats: u32,
}

impl CorrectiveCounts {
    pub fn add(&mut self, o: &CorrectiveCounts) {
        self.closed += o.closed;
        self.failures += o.failures;
        self.cnd += o.cnd;
        self.use_error += o.use_error;
        self.abuse += o.abuse;
        self.repeats += o.repeats;
    }
}

/// PRODUCT.md: "CND rate = CND work orders / corrective work orders".
pub fn cnd_rate(c: &CorrectiveCounts) -> Measure {
    ratio(
        f64::from(c.cnd),
        f64::from(c.closed),
        "could-not-duplicate / closed corrective work orders",
        vec![
            input("could not duplicate", Value::Count(c.cnd.into())),
            input(
                "closed corrective work orders",
                Value::Count(c.closed.into()),
            ),
        ],
        "no closed corrective work orders",
    )
}

/// PRODUCT.md: "use-error rate = (use error + abuse) / corrective work
/// orders".
pub fn use_error_rate(c: &CorrectiveCounts) -> Measure {
    ratio(
        f64::from(c.use_error + c.abuse),
        f64::from(c.closed),
        "(use error + abuse) / closed corrective work orders",
        vec![
            input("use error", Value::Count(c.use_error.into())),
            input("abuse / damage", Value::Count(c.abuse.into())),
            input(
                "closed corrective work orders",
                Value::Count(c.closed.into()),
            ),
        ],
        "no closed corrective work orders",
    )
}

/// PRODUCT.md: "Repeat repair = the same asset back for a corrective work
/// order within N days". A corrective work order is a repeat when it opens
/// at most `days` after the same asset's previous corrective work order
/// was completed, or while that one was still open (the device came back
/// before the first job was even closed).
pub fn is_repeat(
    previous_completed: Option<DateTime<Utc>>,
    previous_opened: DateTime<Utc>,
    opened: DateTime<Utc>,
    days: u32,
) -> bool {
    if opened < previous_opened {
        return false;
    }
    match previous_completed {
        None => true,
        Some(done) => opened - done <= chrono::Duration::days(i64::from(days)),
    }
}

/// Share of closed corrective work orders that were repeats.
pub fn repeat_repair_rate(c: &CorrectiveCounts, days: u32) -> Measure {
    ratio(
        f64::from(c.repeats),
        f64::from(c.closed),
        format!("repeats (back within {days} days) / closed corrective work orders").as_str(),
        vec![
            input("repeat repairs", Value::Count(c.repeats.into())),
            input(
                "closed corrective work orders",
                Value::Count(c.closed.into()),
            ),
            input("window (days)", Value::Count(days.into())),
        ],
        "no closed corrective work orders",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn pm_window_rule_with_attempts() {
        // 12-month plan: 365 days; 10% → 36 days each side of 2025-06-01:
        // window 2025-04-26 ..= 2025-07-07.
        let w = WindowPolicy::default();
        let due = d(2025, 6, 1);
        let asof = d(2026, 1, 1);
        let c =
            |done, att: &[(NaiveDate, AttemptOutcome)]| classify_pm(due, 365, done, att, asof, w);
        assert_eq!(c(Some(d(2025, 7, 7)), &[]), PmOutcome::OnTime);
        assert_eq!(c(Some(d(2025, 7, 8)), &[]), PmOutcome::OutOfWindow);
        assert_eq!(c(Some(d(2025, 4, 25)), &[]), PmOutcome::OutOfWindow);
        assert_eq!(c(None, &[]), PmOutcome::Missed);
        // In use on 2025-06-10 (inside), completed late on 2025-07-20: the
        // documented attempt decides.
        assert_eq!(
            c(
                Some(d(2025, 7, 20)),
                &[(d(2025, 6, 10), AttemptOutcome::InUse)]
            ),
            PmOutcome::AttemptedInUse
        );
        // Attempt after the window closed does not count.
        assert_eq!(
            c(None, &[(d(2025, 7, 10), AttemptOutcome::NotLocated)]),
            PmOutcome::Missed
        );
        // The last attempt inside the window wins.
        assert_eq!(
            c(
                None,
                &[
                    (d(2025, 6, 2), AttemptOutcome::InUse),
                    (d(2025, 6, 9), AttemptOutcome::NotLocated)
                ]
            ),
            PmOutcome::AttemptedNotLocated
        );
        // Evaluated on 2025-07-01 the window is still open: pending.
        assert_eq!(
            classify_pm(due, 365, None, &[], d(2025, 7, 1), w),
            PmOutcome::Pending
        );
    }

    #[test]
    fn pm_completion_counts_attempts_only_when_policy_says() {
        let c = PmCounts {
            on_time: 7,
            attempted_in_use: 1,
            attempted_not_located: 1,
            out_of_window: 0,
            missed: 1,
            pending: 3,
            without_plan: 0,
        };
        // due = 7 + 1 + 1 + 0 + 1 = 10 (pending excluded).
        assert_eq!(c.due(), 10);
        // strict: 7 / 10; with attempts: (7 + 1 + 1) / 10.
        assert_eq!(pm_completion(&c, false).value, Some(0.7));
        assert_eq!(pm_completion(&c, true).value, Some(0.9));
        assert_eq!(pm_completion(&PmCounts::default(), false).value, None);
    }

    #[test]
    fn uptime_mtbf_mttr_by_hand() {
        // One device for 1,000 h, down 10 h fully and 20 h half-down:
        // weighted 10 + 20 × 0.5 = 20 h; uptime 1 − 20/1000 = 0.98.
        let u = uptime(20.0, 1_000.0);
        assert!((u.value.unwrap() - 0.98).abs() < 1e-12);
        // Operating 1000 − 20 = 980 h, 2 failures: MTBF 490 h.
        assert_eq!(mtbf_hours(980.0, 2).value, Some(490.0));
        assert_eq!(mtbf_hours(980.0, 0).value, None);
        // Repairs took 30 h and 10 h: MTTR (30 + 10) / 2 = 20 h.
        assert_eq!(mttr_hours(40.0, 2, 6.5).value, Some(20.0));
        // 3 failures over 2 unit-years (17,532 h): 1.5 per unit-year.
        assert_eq!(failures_per_unit_year(3, 17_532.0).value, Some(1.5));
    }

    #[test]
    fn cosr_is_per_year_of_acquisition_value() {
        // $1,000 labor + $500 parts + $1,500 contract + $1,000 vendor =
        // $4,000 over a $20,000 device covered for 2 years:
        // 4,000 / (20,000 × 2) = 0.10.
        let cost = ServiceCost {
            labor: Money(100_000),
            parts: Money(50_000),
            contracts: Money(150_000),
            vendor: Money(100_000),
        };
        let m = cosr(&cost, 2_000_000.0 * 2.0, 1);
        assert_eq!(m.value, Some(0.10));
        assert_eq!(
            m.input("total service cost"),
            Some(&Value::Money(Money(400_000)))
        );
        assert_eq!(cosr(&cost, 0.0, 3).value, None);
    }

    #[test]
    fn closure_rates_by_hand() {
        let c = CorrectiveCounts {
            closed: 20,
            failures: 10,
            cnd: 5,
            use_error: 2,
            abuse: 1,
            repeats: 4,
        };
        // CND 5/20; use error (2 + 1)/20; repeats 4/20.
        assert_eq!(cnd_rate(&c).value, Some(0.25));
        assert_eq!(use_error_rate(&c).value, Some(0.15));
        assert_eq!(repeat_repair_rate(&c, 7).value, Some(0.2));
    }

    #[test]
    fn repeats_are_back_within_n_days_of_completion() {
        let t = |day: u32, h: u32| d(2025, 3, day).and_hms_opt(h, 0, 0).unwrap().and_utc();
        // Done on the 1st at 12:00; back on the 8th at 12:00 = 7 days: repeat.
        assert!(is_repeat(Some(t(1, 12)), t(1, 8), t(8, 12), 7));
        // Back on the 8th at 13:00 = 7 days 1 hour: not a repeat.
        assert!(!is_repeat(Some(t(1, 12)), t(1, 8), t(8, 13), 7));
        // The first job is still open: the device is back already.
        assert!(is_repeat(None, t(1, 8), t(3, 8), 7));
    }
}
