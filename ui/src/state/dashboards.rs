//! The managers' dashboards: which panel shows, the KPI chart's bars,
//! each figure's explanation in words, the form inputs (period, budget,
//! years), and the drill-down to the work orders behind a figure.
//!
//! Every figure comes from the shell already computed and explained
//! (`biomend_ipc::Measure`); this module only picks, scales and words
//! them, and says which count a drill-down must match.

use biomend_domain::Money;
use biomend_ipc::{
    Days, Drill, DrillArgs, DrillDown, GroupBy, GroupKey, KpiReport, Kpis, Measure, Period, PmRisk,
    Scope, Value,
};
use chrono::{Duration, NaiveDate};

/// The dashboards' panels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tab {
    Kpis,
    Scorecard,
    Capital,
    Training,
    Survey,
}

impl Tab {
    pub fn id(self) -> &'static str {
        match self {
            Tab::Kpis => "tab-kpis",
            Tab::Scorecard => "tab-scorecard",
            Tab::Capital => "tab-capital",
            Tab::Training => "tab-training",
            Tab::Survey => "tab-survey",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Kpis => "KPIs",
            Tab::Scorecard => "Scorecards",
            Tab::Capital => "Capital plan",
            Tab::Training => "Training effect",
            Tab::Survey => "EOC report",
        }
    }

    /// The panels a user may open: supervisors see KPIs and the survey
    /// report, managers and administrators everything.
    pub fn visible(sees_kpis: bool, sees_reports: bool) -> Vec<Tab> {
        match (sees_kpis, sees_reports) {
            (_, true) => vec![
                Tab::Kpis,
                Tab::Scorecard,
                Tab::Capital,
                Tab::Training,
                Tab::Survey,
            ],
            (true, false) => vec![Tab::Kpis, Tab::Survey],
            _ => Vec::new(),
        }
    }
}

/// Groupings offered for KPIs, with their labels.
pub const GROUPINGS: [(GroupBy, &str); 6] = [
    (GroupBy::Department, "Department"),
    (GroupBy::DeviceType, "Device type"),
    (GroupBy::Manufacturer, "Manufacturer"),
    (GroupBy::Model, "Model"),
    (GroupBy::Site, "Site"),
    (GroupBy::All, "Whole fleet"),
];

pub fn group_by_code(by: GroupBy) -> &'static str {
    match by {
        GroupBy::All => "all",
        GroupBy::Site => "site",
        GroupBy::Department => "department",
        GroupBy::DeviceType => "device_type",
        GroupBy::Model => "model",
        GroupBy::Manufacturer => "manufacturer",
    }
}

pub fn group_by_parse(s: &str) -> Option<GroupBy> {
    GROUPINGS
        .iter()
        .map(|(b, _)| *b)
        .find(|b| group_by_code(*b) == s)
}

/// A stable text for a group, for `data-key` hooks and element keys.
pub fn group_key_text(k: &GroupKey) -> String {
    match k {
        GroupKey::All => "all".into(),
        GroupKey::Site(id) => format!("site:{}", id.0),
        GroupKey::Department(id) => format!("department:{}", id.0),
        GroupKey::DeviceType(id) => format!("device_type:{}", id.0),
        GroupKey::Model(id) => format!("model:{}", id.0),
        GroupKey::Manufacturer(id) => format!("manufacturer:{}", id.0),
    }
}

/// How a measure's value reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Percent,
    Hours,
    PerYear,
}

pub fn format_value(v: Option<f64>, unit: Unit) -> String {
    match v {
        None => "n/a".into(),
        Some(x) => match unit {
            Unit::Percent => format!("{:.1}%", x * 100.0),
            Unit::Hours if x >= 1000.0 => format!("{:.0} h", x),
            Unit::Hours => format!("{:.1} h", x),
            Unit::PerYear => format!("{:.2} / unit-year", x),
        },
    }
}

/// The KPIs the chart can show, each with the count behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    PmHighRisk,
    PmOther,
    Uptime,
    Mtbf,
    Mttr,
    FailuresPerUnitYear,
    Cosr,
    CndRate,
    UseErrorRate,
    RepeatRate,
}

impl Metric {
    pub const ALL: [Metric; 10] = [
        Metric::PmHighRisk,
        Metric::PmOther,
        Metric::Uptime,
        Metric::Mtbf,
        Metric::Mttr,
        Metric::FailuresPerUnitYear,
        Metric::Cosr,
        Metric::CndRate,
        Metric::UseErrorRate,
        Metric::RepeatRate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Metric::PmHighRisk => "pm_high_risk",
            Metric::PmOther => "pm_other",
            Metric::Uptime => "uptime",
            Metric::Mtbf => "mtbf",
            Metric::Mttr => "mttr",
            Metric::FailuresPerUnitYear => "failures",
            Metric::Cosr => "cosr",
            Metric::CndRate => "cnd",
            Metric::UseErrorRate => "use_error",
            Metric::RepeatRate => "repeat",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::PmHighRisk => "PM completion, high-risk",
            Metric::PmOther => "PM completion, other",
            Metric::Uptime => "Uptime",
            Metric::Mtbf => "MTBF",
            Metric::Mttr => "MTTR",
            Metric::FailuresPerUnitYear => "Failures per unit-year",
            Metric::Cosr => "Cost of service ratio",
            Metric::CndRate => "CND rate",
            Metric::UseErrorRate => "Use-error rate",
            Metric::RepeatRate => "Repeat repairs",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Metric::Mtbf | Metric::Mttr => Unit::Hours,
            Metric::FailuresPerUnitYear => Unit::PerYear,
            _ => Unit::Percent,
        }
    }

    pub fn measure(self, k: &Kpis) -> &Measure {
        match self {
            Metric::PmHighRisk => &k.pm_high_risk.rate,
            Metric::PmOther => &k.pm_other.rate,
            Metric::Uptime => &k.uptime,
            Metric::Mtbf => &k.mtbf_hours,
            Metric::Mttr => &k.mttr_hours,
            Metric::FailuresPerUnitYear => &k.failures_per_unit_year,
            Metric::Cosr => &k.cosr,
            Metric::CndRate => &k.cnd_rate,
            Metric::UseErrorRate => &k.use_error_rate,
            Metric::RepeatRate => &k.repeat_repair_rate,
        }
    }

    /// The work orders behind the figure.
    pub fn drill(self) -> Drill {
        match self {
            Metric::PmHighRisk => Drill::PmDue(PmRisk::HighRisk),
            Metric::PmOther => Drill::PmDue(PmRisk::Other),
            Metric::Uptime => Drill::Downtime,
            Metric::Mtbf | Metric::Mttr | Metric::FailuresPerUnitYear => Drill::Failures,
            Metric::Cosr => Drill::ServiceCost,
            Metric::CndRate => Drill::Cnd,
            Metric::UseErrorRate => Drill::UseError,
            Metric::RepeatRate => Drill::Repeats,
        }
    }
}

/// The count of `m`'s inputs a drill-down's total must equal, when the
/// figure counts work orders (downtime and cost sum hours and money).
pub fn expected_count(drill: Drill, m: &Measure) -> Option<u64> {
    let c = |name: &str| match m.input(name) {
        Some(Value::Count(n)) => Some(*n),
        _ => None,
    };
    match drill {
        Drill::ClosedCorrective => c("closed corrective work orders"),
        Drill::Failures => c("failures").or_else(|| c("repairs")),
        Drill::Cnd => c("could not duplicate"),
        Drill::UseError => Some(c("use error")? + c("abuse / damage")?),
        Drill::CndOrUseError => {
            Some(c("could not duplicate")? + c("use error")? + c("abuse / damage")?)
        }
        Drill::Repeats => c("repeat repairs"),
        Drill::PmDue(_) => c("due"),
        Drill::PmNotOnTime(_) => Some(c("due")?.saturating_sub(c("completed in window")?)),
        Drill::Downtime | Drill::ServiceCost => None,
    }
}

/// One bar of the KPI chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub key: String,
    pub group: GroupKey,
    pub label: String,
    pub value: String,
    /// Length, 0–1 of the longest bar.
    pub fraction: f64,
    /// Why there is no value, when there is none.
    pub note: Option<String>,
    pub measure: Measure,
}

/// The chart's bars for `metric`, one per group, largest first (groups
/// without a value last, in name order).
pub fn bars(r: &KpiReport, metric: Metric) -> Vec<Bar> {
    let max = r
        .groups
        .iter()
        .filter_map(|g| metric.measure(&g.kpis).value)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let mut v: Vec<Bar> = r
        .groups
        .iter()
        .map(|g| {
            let m = metric.measure(&g.kpis);
            Bar {
                key: group_key_text(&g.key),
                group: g.key,
                label: g.name.clone(),
                value: format_value(m.value, metric.unit()),
                fraction: match m.value {
                    Some(x) if max > 0.0 && x.is_finite() => (x / max).clamp(0.0, 1.0),
                    _ => 0.0,
                },
                note: m.note.clone(),
                measure: m.clone(),
            }
        })
        .collect();
    v.sort_by(|a, b| {
        let val = |x: &Bar| x.measure.value.filter(|v| v.is_finite());
        match (val(a), val(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x).then(a.label.cmp(&b.label)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.label.cmp(&b.label),
        }
    });
    v
}

/// A figure's explanation, line by line: formula, inputs, period, note.
pub fn explain(m: &Measure) -> Vec<String> {
    let mut out = vec![format!("Formula: {}", m.formula)];
    out.extend(m.inputs.iter().map(|i| format!("{}: {}", i.name, i.value)));
    if let Some(p) = &m.period {
        out.push(format!("Period: {}", period_text(p)));
    }
    if let Some(n) = &m.note {
        out.push(format!("Note: {n}"));
    }
    out
}

/// A half-open period as people say it: first and last day counted.
pub fn period_text(p: &Period) -> String {
    let last = p.to - Duration::days(1);
    format!(
        "{} to {}",
        p.from.format("%Y-%m-%d"),
        last.format("%Y-%m-%d")
    )
}

/// The period fields as typed: blank takes the default (the last 365
/// days); both days are counted.
pub fn parse_days(from: &str, to: &str) -> Result<Days, String> {
    let day = |s: &str, what: &str| -> Result<Option<NaiveDate>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("{what} must be a date like 2026-01-31"))
    };
    let d = Days {
        from: day(from, "From")?,
        to: day(to, "To")?,
    };
    if let (Some(a), Some(b)) = (d.from, d.to)
        && b < a
    {
        return Err("To is before From".into());
    }
    Ok(d)
}

/// A budget as typed ("$1,500,000", "250000.50") in cents, over zero.
pub fn parse_budget(s: &str) -> Result<Money, String> {
    let m = Money::parse(s.trim()).map_err(|_| "Enter the yearly budget in dollars".to_string())?;
    if m.cents() <= 0 {
        return Err("The yearly budget must be more than zero".into());
    }
    Ok(m)
}

pub fn parse_years(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(n) if (1..=20).contains(&n) => Ok(n),
        _ => Err("Plan 1 to 20 years".into()),
    }
}

/// An optional money amount (a repair estimate): blank is none.
pub fn parse_estimate(s: &str) -> Result<Option<Money>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let m = Money::parse(s.trim()).map_err(|_| "Enter the estimate in dollars".to_string())?;
    if m.cents() < 0 {
        return Err("The estimate must not be negative".into());
    }
    Ok(Some(m))
}

/// Work orders per drill-down page.
pub const PAGE: u32 = 25;

/// The drill-down under a chart: which figure, which page, what loaded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DrillModel {
    pub open: Option<OpenDrill>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OpenDrill {
    /// "Cardiology — CND rate".
    pub title: String,
    pub args: DrillArgs,
    /// What the figure counted, to show beside the list's total.
    pub expected: Option<u64>,
    pub page: Option<Result<DrillDown, String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DrillAction {
    /// A figure was chosen.
    Open {
        title: String,
        scope: Scope,
        drill: Drill,
        period: Period,
        expected: Option<u64>,
    },
    Loaded(Result<DrillDown, String>),
    Next,
    Previous,
    Close,
}

impl DrillModel {
    pub fn reduce(mut self, a: DrillAction) -> DrillModel {
        match a {
            DrillAction::Open {
                title,
                scope,
                drill,
                period,
                expected,
            } => {
                self.open = Some(OpenDrill {
                    title,
                    args: DrillArgs {
                        scope,
                        drill,
                        period,
                        offset: 0,
                        limit: PAGE,
                    },
                    expected,
                    page: None,
                });
            }
            DrillAction::Loaded(r) => {
                if let Some(o) = &mut self.open {
                    // A late answer for another page is dropped.
                    let current = match &r {
                        Ok(p) => {
                            p.offset == o.args.offset
                                && p.drill == o.args.drill
                                && p.scope == o.args.scope
                        }
                        Err(_) => true,
                    };
                    if current {
                        o.page = Some(r);
                    }
                }
            }
            DrillAction::Next => {
                if let Some(o) = &mut self.open
                    && o.has_next()
                {
                    o.args.offset += PAGE;
                    o.page = None;
                }
            }
            DrillAction::Previous => {
                if let Some(o) = &mut self.open
                    && o.args.offset > 0
                {
                    o.args.offset = o.args.offset.saturating_sub(PAGE);
                    o.page = None;
                }
            }
            DrillAction::Close => self.open = None,
        }
        self
    }
}

impl OpenDrill {
    pub fn total(&self) -> Option<u64> {
        match &self.page {
            Some(Ok(p)) => Some(p.total),
            _ => None,
        }
    }

    pub fn has_next(&self) -> bool {
        self.total()
            .is_some_and(|t| u64::from(self.args.offset + PAGE) < t)
    }

    /// "Work orders 26–50 of 112".
    pub fn range_text(&self) -> String {
        match &self.page {
            Some(Ok(p)) if p.total == 0 => "No work orders".into(),
            Some(Ok(p)) => format!(
                "Work orders {}–{} of {}",
                p.offset + 1,
                u64::from(p.offset) + p.items.len() as u64,
                p.total
            ),
            Some(Err(_)) => String::new(),
            None => "Loading…".into(),
        }
    }

    /// Whether the list's total agrees with the figure's count.
    pub fn matches_figure(&self) -> Option<bool> {
        Some(self.total()? == self.expected?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_ipc::{Explained, Input, KpiGroup};

    fn measure(value: Option<f64>, inputs: &[(&str, u64)]) -> Measure {
        Explained {
            value,
            formula: "a / b".into(),
            inputs: inputs
                .iter()
                .map(|(n, c)| Input {
                    name: (*n).into(),
                    value: Value::Count(*c),
                })
                .collect(),
            period: None,
            note: value.is_none().then(|| "no b".into()),
        }
    }

    fn period() -> Period {
        Period::new(
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn tabs_follow_the_role() {
        assert_eq!(Tab::visible(false, false), vec![]);
        assert_eq!(Tab::visible(true, false), vec![Tab::Kpis, Tab::Survey]);
        assert_eq!(Tab::visible(true, true).len(), 5);
        assert!(
            Tab::visible(true, true)
                .iter()
                .all(|t| t.id().starts_with("tab-"))
        );
    }

    #[test]
    fn groupings_and_metrics_round_trip_their_codes() {
        for (b, _) in GROUPINGS {
            assert_eq!(group_by_parse(group_by_code(b)), Some(b));
        }
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.code()), Some(m));
        }
        assert_eq!(Metric::parse("nope"), None);
    }

    #[test]
    fn a_drill_down_must_match_the_count_its_figure_names() {
        let cnd = measure(
            Some(0.2),
            &[
                ("could not duplicate", 3),
                ("closed corrective work orders", 15),
            ],
        );
        assert_eq!(expected_count(Drill::Cnd, &cnd), Some(3));
        assert_eq!(expected_count(Drill::ClosedCorrective, &cnd), Some(15));
        let ue = measure(
            Some(0.1),
            &[
                ("use error", 2),
                ("abuse / damage", 1),
                ("closed corrective work orders", 30),
            ],
        );
        assert_eq!(expected_count(Drill::UseError, &ue), Some(3));
        let pm = measure(Some(0.9), &[("completed in window", 9), ("due", 10)]);
        assert_eq!(
            expected_count(Drill::PmDue(PmRisk::HighRisk), &pm),
            Some(10)
        );
        assert_eq!(
            expected_count(Drill::PmNotOnTime(PmRisk::All), &pm),
            Some(1)
        );
        let mttr = measure(Some(3.0), &[("repairs", 4)]);
        assert_eq!(expected_count(Drill::Failures, &mttr), Some(4));
        assert_eq!(expected_count(Drill::Downtime, &mttr), None);
        // Every metric names a drill whose count its own measure carries,
        // except the two that sum hours and money.
        assert_eq!(Metric::Uptime.drill(), Drill::Downtime);
        assert_eq!(Metric::Cosr.drill(), Drill::ServiceCost);
    }

    fn report() -> KpiReport {
        let kpis = |uptime: Option<f64>| {
            let m = measure(uptime, &[]);
            let pm = biomend_ipc::PmReport {
                rate: m.clone(),
                strict_rate: m.clone(),
                with_attempts_rate: m.clone(),
                counts: Default::default(),
            };
            Kpis {
                assets: 1,
                unit_years: 1.0,
                pm_high_risk: pm.clone(),
                pm_life_support: pm.clone(),
                pm_other: pm,
                uptime: m.clone(),
                mtbf_hours: m.clone(),
                mttr_hours: m.clone(),
                failures_per_unit_year: m.clone(),
                cosr: m.clone(),
                cosr_spread: None,
                cnd_rate: m.clone(),
                use_error_rate: m.clone(),
                repeat_repair_rate: m,
            }
        };
        KpiReport {
            by: GroupBy::All,
            period: period(),
            groups: vec![
                KpiGroup {
                    key: GroupKey::All,
                    name: "B".into(),
                    kpis: kpis(Some(0.5)),
                },
                KpiGroup {
                    key: GroupKey::All,
                    name: "C".into(),
                    kpis: kpis(None),
                },
                KpiGroup {
                    key: GroupKey::All,
                    name: "A".into(),
                    kpis: kpis(Some(0.98)),
                },
            ],
        }
    }

    #[test]
    fn bars_are_scaled_to_the_longest_and_undefined_ones_say_why() {
        let b = bars(&report(), Metric::Uptime);
        assert_eq!(
            b.iter().map(|x| x.label.as_str()).collect::<Vec<_>>(),
            ["A", "B", "C"]
        );
        assert_eq!(b[0].fraction, 1.0);
        assert!((b[1].fraction - 0.5 / 0.98).abs() < 1e-12);
        assert_eq!(b[0].value, "98.0%");
        assert_eq!(b[2].value, "n/a");
        assert_eq!(b[2].fraction, 0.0);
        assert_eq!(b[2].note.as_deref(), Some("no b"));
        assert_eq!(b[0].key, "all");
    }

    #[test]
    fn explanations_read_formula_inputs_period_and_note() {
        let mut m = measure(None, &[("due", 0)]);
        m.period = Some(period());
        assert_eq!(
            explain(&m),
            vec![
                "Formula: a / b".to_string(),
                "due: 0".into(),
                "Period: 2025-01-01 to 2025-12-31".into(),
                "Note: no b".into(),
            ]
        );
        assert_eq!(format_value(Some(1234.4), Unit::Hours), "1234 h");
        assert_eq!(format_value(Some(12.34), Unit::Hours), "12.3 h");
        assert_eq!(format_value(Some(0.5), Unit::PerYear), "0.50 / unit-year");
    }

    #[test]
    fn form_inputs_are_checked_before_anything_is_asked() {
        assert_eq!(parse_days("", "").unwrap(), Days::default());
        let d = parse_days("2025-01-01", "2025-12-31").unwrap();
        assert_eq!(d.to, NaiveDate::from_ymd_opt(2025, 12, 31));
        assert!(parse_days("2025-12-31", "2025-01-01").is_err());
        assert!(parse_days("yesterday", "").is_err());
        assert_eq!(parse_budget("$1,500,000").unwrap(), Money(150_000_000));
        assert!(parse_budget("0").is_err());
        assert!(parse_budget("lots").is_err());
        assert_eq!(parse_years("5"), Ok(5));
        assert!(parse_years("0").is_err() && parse_years("21").is_err());
        assert_eq!(parse_estimate(" "), Ok(None));
        assert_eq!(parse_estimate("2,500"), Ok(Some(Money(250_000))));
    }

    fn page(offset: u32, n: usize, total: u64) -> DrillDown {
        let w = biomend_ipc::WorkOrderSummary {
            id: biomend_domain::ids::WorkOrderId::new(1, [1; 10]),
            number: "WO-1".into(),
            asset_id: biomend_domain::ids::AssetId::new(1, [1; 10]),
            asset_tag: "BME-1".into(),
            kind: biomend_domain::work_order::WorkOrderKind::Corrective,
            status: biomend_domain::work_order::WorkOrderStatus::Completed,
            priority: biomend_domain::work_order::Priority::Routine,
            problem: "alarm".into(),
            opened_at: chrono::DateTime::UNIX_EPOCH,
            due_on: None,
            assigned_to: None,
            completed_at: None,
            closure: None,
            labor_minutes: 0,
            parts_cost: Money(0),
            vendor_cost: Money(0),
        };
        DrillDown {
            scope: Scope::default(),
            drill: Drill::Cnd,
            period: period(),
            description: "CND".into(),
            total,
            offset,
            items: vec![w; n],
        }
    }

    #[test]
    fn the_drill_down_pages_and_checks_its_total_against_the_figure() {
        let open = DrillAction::Open {
            title: "All — CND rate".into(),
            scope: Scope::default(),
            drill: Drill::Cnd,
            period: period(),
            expected: Some(30),
        };
        let m = DrillModel::default().reduce(open);
        let o = m.open.as_ref().unwrap();
        assert_eq!((o.args.offset, o.args.limit), (0, PAGE));
        assert_eq!(o.range_text(), "Loading…");
        // Nothing to page to before the first answer.
        let m = m.reduce(DrillAction::Next);
        assert_eq!(m.open.as_ref().unwrap().args.offset, 0);
        let m = m.reduce(DrillAction::Loaded(Ok(page(0, 25, 30))));
        let o = m.open.as_ref().unwrap();
        assert_eq!(o.range_text(), "Work orders 1–25 of 30");
        assert_eq!(o.matches_figure(), Some(true));
        assert!(o.has_next());
        let m = m.reduce(DrillAction::Next);
        assert_eq!(m.open.as_ref().unwrap().args.offset, 25);
        // A late answer for the first page is dropped.
        let m = m.reduce(DrillAction::Loaded(Ok(page(0, 25, 30))));
        assert_eq!(m.open.as_ref().unwrap().page, None);
        let m = m.reduce(DrillAction::Loaded(Ok(page(25, 5, 30))));
        let o = m.open.as_ref().unwrap();
        assert_eq!(o.range_text(), "Work orders 26–30 of 30");
        assert!(!o.has_next());
        let m = m
            .reduce(DrillAction::Previous)
            .reduce(DrillAction::Previous);
        assert_eq!(m.open.as_ref().unwrap().args.offset, 0);
        let m = m.reduce(DrillAction::Loaded(Ok(page(0, 25, 31))));
        assert_eq!(m.open.as_ref().unwrap().matches_figure(), Some(false));
        assert_eq!(m.reduce(DrillAction::Close).open, None);
    }
}
