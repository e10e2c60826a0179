//! The report as a list of blocks (headings, lines, key figures, charts,
//! tables), built once from the figures, so the HTML page and the PDF say
//! the same things in the same order and only the drawing differs.

use biomend_analytics::survey::{CallKind, ClassPm, SurveyReport, class_label};
use biomend_analytics::{Measure, Value};

/// The section titles, in order; tests look for them in both outputs.
pub const SECTIONS: [&str; 6] = [
    "Summary",
    "1. PM completion by risk class",
    "2. High-risk and life-support PMs not completed in their window",
    "3. Repairs (corrective work orders)",
    "4. Recalls and alerts",
    "5. CND and damage calls",
];

pub const TITLE: &str = "Environment of Care report: medical equipment";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub title: String,
    /// Relative width.
    pub width: f32,
    pub align: Align,
}

fn col(title: &str, width: f32, align: Align) -> Column {
    Column {
        title: title.into(),
        width,
        align,
    }
}

/// One horizontal bar: a label, a fraction of the axis (0..=1) and the
/// figure printed beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub fraction: Option<f64>,
    pub text: String,
    /// Drawn in the accent colour (a 100% target applies).
    pub strong: bool,
}

/// Monthly columns, one colour per series.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthChart {
    pub months: Vec<String>,
    pub series: Vec<(String, Rgb, Vec<u64>)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    pub fn hex(self) -> String {
        let c = |x: f32| (x.clamp(0.0, 1.0) * 255.0).round() as u8;
        format!("#{:02x}{:02x}{:02x}", c(self.0), c(self.1), c(self.2))
    }
}

pub const ACCENT: Rgb = Rgb(0.11, 0.36, 0.62);
pub const MUTED: Rgb = Rgb(0.55, 0.62, 0.70);
pub const WARN: Rgb = Rgb(0.80, 0.42, 0.10);
pub const DAMAGE: Rgb = Rgb(0.70, 0.16, 0.20);

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A section title; starts a new section.
    Heading(String),
    /// The line every section opens with: period, scope.
    Meta(String),
    Para(String),
    /// Small print: formulas and definitions.
    Note(String),
    /// A formula, printed as "Formula: ...".
    Formula(String),
    Figures(Vec<(String, String, String)>),
    Bars {
        title: String,
        bars: Vec<Bar>,
    },
    Months {
        title: String,
        chart: MonthChart,
    },
    Table {
        columns: Vec<Column>,
        rows: Vec<Row>,
    },
}

/// A table row: cells, or a group's title across the whole table.
#[derive(Clone, Debug, PartialEq)]
pub enum Row {
    Cells(Vec<String>),
    Group(String),
}

pub fn pct(m: &Measure) -> String {
    m.value
        .map_or_else(|| "n/a".into(), |v| format!("{:.1}%", v * 100.0))
}

fn count(m: &Measure, name: &str) -> u64 {
    match m.input(name) {
        Some(Value::Count(n)) => *n,
        _ => 0,
    }
}

/// "97.5% (390 of 400)".
fn rate_of(m: &Measure, num: u64, den: &str) -> String {
    format!("{} ({num} of {})", pct(m), count(m, den))
}

fn meta(r: &SurveyReport) -> Block {
    Block::Meta(format!(
        "Period: {} to {} ({} days). Sites: {}.",
        r.period.from,
        r.last_day(),
        r.period.days(),
        r.scope.label
    ))
}

fn window_words(r: &SurveyReport) -> String {
    format!(
        "due date ± {:.0}% of the PM interval",
        r.pm_window.fraction * 100.0
    )
}

fn pm_row(c: &ClassPm) -> Vec<String> {
    let n = &c.counts;
    vec![
        c.label.clone(),
        n.due().to_string(),
        n.on_time.to_string(),
        n.attempted_in_use.to_string(),
        n.attempted_not_located.to_string(),
        n.out_of_window.to_string(),
        n.missed.to_string(),
        n.pending.to_string(),
        n.without_plan.to_string(),
        pct(&c.rate),
        pct(&c.with_attempts),
    ]
}

/// The whole report as blocks.
pub fn blocks(r: &SurveyReport) -> Vec<Block> {
    let mut b = Vec::new();
    summary(r, &mut b);
    pm(r, &mut b);
    misses(r, &mut b);
    repairs(r, &mut b);
    recalls(r, &mut b);
    calls(r, &mut b);
    b
}

/// The lines under the title: what, where, when, judged how.
pub fn preamble(r: &SurveyReport) -> Vec<String> {
    vec![
        format!(
            "Sites: {}. Period: {} to {} inclusive ({} days).",
            r.scope.label,
            r.period.from,
            r.last_day(),
            r.period.days()
        ),
        format!(
            "PMs judged as of {}; on time means completed within the window {}. Figures come from the work orders, PM attempts and recall records in Biomend.",
            r.as_of,
            window_words(r)
        ),
    ]
}

fn summary(r: &SurveyReport, b: &mut Vec<Block>) {
    b.push(Block::Heading(SECTIONS[0].into()));
    b.push(meta(r));
    let inv = &r.inventory;
    let hr = &r.pm.high_risk;
    b.push(Block::Figures(vec![
        (
            "Active inventory".into(),
            inv.total.to_string(),
            format!(
                "{} life support, {} high risk",
                inv.classes[0].assets, inv.classes[1].assets
            ),
        ),
        (
            "High-risk PM completion".into(),
            pct(&hr.rate),
            format!(
                "{} of {} due, life support and high risk",
                hr.counts.on_time,
                hr.counts.due()
            ),
        ),
        (
            "High-risk PMs not in window".into(),
            r.misses.rows.len().to_string(),
            "each listed in section 2".into(),
        ),
        (
            "Repairs opened".into(),
            r.repairs.opened.to_string(),
            format!("{} still open", r.repairs.still_open),
        ),
        (
            "Recalls open at period end".into(),
            r.recalls.open_at_end.to_string(),
            format!("{} matched assets pending", r.recalls.pending),
        ),
        (
            "CND / damage rate".into(),
            format!("{} / {}", pct(&r.calls.cnd_rate), pct(&r.calls.damage_rate)),
            format!("of {} closed repairs", r.calls.counts.closed),
        ),
    ]));
}

fn pm(r: &SurveyReport, b: &mut Vec<Block>) {
    b.push(Block::Heading(SECTIONS[1].into()));
    b.push(meta(r));
    b.push(Block::Formula(format!(
        "PM completion = PMs completed in their window / PMs due. A PM is due when its due date falls in the period and its window ({}) has closed by {}; PMs whose window is still open are pending and not counted.",
        window_words(r),
        r.as_of
    )));
    let mut bars: Vec<Bar> =
        r.pm.classes
            .iter()
            .map(|c| Bar {
                label: c.label.clone(),
                fraction: c.rate.value,
                text: rate_of(&c.rate, c.counts.on_time.into(), "due"),
                strong: false,
            })
            .collect();
    bars[0].strong = true;
    bars[1].strong = true;
    bars.insert(
        2,
        Bar {
            label: "Life support + high risk".into(),
            fraction: r.pm.high_risk.rate.value,
            text: rate_of(
                &r.pm.high_risk.rate,
                r.pm.high_risk.counts.on_time.into(),
                "due",
            ),
            strong: true,
        },
    );
    b.push(Block::Bars {
        title: "Completed in window, share of PMs due (target 100% for life support and high risk)"
            .into(),
        bars,
    });
    let right = Align::Right;
    let mut rows: Vec<Row> = r.pm.classes.iter().map(|c| Row::Cells(pm_row(c))).collect();
    rows.push(Row::Cells(pm_row(&r.pm.high_risk)));
    rows.push(Row::Cells(pm_row(&r.pm.all)));
    b.push(Block::Table {
        columns: vec![
            col("Class", 2.4, Align::Left),
            col("Due", 0.8, right),
            col("In window", 1.0, right),
            col("Attempt: in use", 1.1, right),
            col("Attempt: not located", 1.2, right),
            col("Out of window", 1.0, right),
            col("Missed", 0.9, right),
            col("Pending", 0.9, right),
            col("No plan", 0.9, right),
            col("Rate", 0.9, right),
            col("Rate with attempts", 1.2, right),
        ],
        rows,
    });
    b.push(Block::Note(format!(
        "Rate = in window / due. Rate with attempts = (in window + attempt: in use + attempt: not located) / due, the rate under a written policy that accepts a documented attempt with follow-up (The Joint Commission EC.02.04.03). This hospital's headline rate is the {} one. \"No plan\": PM work orders without a PM plan, whose window cannot be judged; they are left out of both rates.",
        if r.pm.attempts_count_as_done {
            "with-attempts"
        } else {
            "strict"
        }
    )));
}

fn misses(r: &SurveyReport, b: &mut Vec<Block>) {
    let m = &r.misses;
    b.push(Block::Heading(SECTIONS[2].into()));
    b.push(meta(r));
    b.push(Block::Formula(format!(
        "Listed: every life-support and high-risk PM due in the period that was not completed in its window ({}), with its reason. Pending PMs (window still open on {}) are not listed.",
        window_words(r),
        r.as_of
    )));
    if m.rows.is_empty() {
        b.push(Block::Para(
            "None: every life-support and high-risk PM due in the period was completed in its window (or is still pending)."
                .into(),
        ));
        return;
    }
    let reasons: Vec<String> = m
        .by_reason
        .iter()
        .map(|(h, n)| format!("{h}: {n}"))
        .collect();
    b.push(Block::Para(format!(
        "{} PM(s): {}.",
        m.rows.len(),
        reasons.join("; ")
    )));
    let mut rows = Vec::new();
    let mut class = None;
    for x in &m.rows {
        if class != Some(x.class) {
            class = Some(x.class);
            let n = m.rows.iter().filter(|y| y.class == x.class).count();
            rows.push(Row::Group(format!("{} ({n})", class_label(x.class))));
        }
        let window = x
            .window
            .map_or_else(|| "none (no plan)".into(), |(a, b)| format!("{a} to {b}"));
        rows.push(Row::Cells(vec![
            x.number.clone(),
            x.tag.clone(),
            x.device_type.clone(),
            x.department.clone(),
            x.due_on.to_string(),
            window,
            x.reason.heading().into(),
            format!("{}.", x.explanation),
        ]));
    }
    b.push(Block::Table {
        columns: vec![
            col("Work order", 1.35, Align::Left),
            col("Tag", 1.2, Align::Left),
            col("Device type", 1.6, Align::Left),
            col("Department", 1.4, Align::Left),
            col("Due", 1.0, Align::Left),
            col("Window", 1.2, Align::Left),
            col("Reason", 1.0, Align::Left),
            col("Follow-up", 2.45, Align::Left),
        ],
        rows,
    });
}

/// "Nov 25", with an asterisk when the period covers only part of the
/// month.
fn month_label(d: Option<chrono::NaiveDate>, r: &SurveyReport) -> String {
    let Some(d) = d else {
        return String::new();
    };
    let next = d
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(chrono::NaiveDate::MAX);
    let partial = d < r.period.from || next > r.period.to;
    format!("{}{}", d.format("%b %y"), if partial { "*" } else { "" })
}

fn partial_note(r: &SurveyReport) -> Option<Block> {
    let partial = r
        .repairs
        .months
        .iter()
        .any(|m| month_label(m.month, r).ends_with('*'));
    partial.then(|| {
        Block::Note("* The period covers only part of this month, so its column is lower.".into())
    })
}

fn repairs(r: &SurveyReport, b: &mut Vec<Block>) {
    let x = &r.repairs;
    b.push(Block::Heading(SECTIONS[3].into()));
    b.push(meta(r));
    b.push(Block::Para(format!(
        "{} corrective work orders opened in the period: {} closed, {} not closed yet. Device failures were {} of the closed ones ({} of {}).",
        x.opened,
        x.closed,
        x.still_open,
        pct(&x.failure_share),
        count(&x.failure_share, "device failures"),
        x.closed
    )));
    b.push(Block::Formula(format!(
        "Counted: corrective work orders (not cancelled) opened in the period, by the closure code they were completed with. Failure share = {}.",
        x.failure_share.formula
    )));
    b.push(Block::Months {
        title: "Corrective work orders opened per month".into(),
        chart: MonthChart {
            months: x.months.iter().map(|m| month_label(m.month, r)).collect(),
            series: vec![(
                "Repairs opened".into(),
                ACCENT,
                x.months.iter().map(|m| m.repairs).collect(),
            )],
        },
    });
    b.extend(partial_note(r));
    b.push(Block::Table {
        columns: vec![
            col("Closure", 3.0, Align::Left),
            col("Work orders", 1.2, Align::Right),
            col("Share of closed", 1.2, Align::Right),
        ],
        rows: x
            .by_kind
            .iter()
            .filter(|(k, n)| *n > 0 || matches!(k, CallKind::Failure | CallKind::Cnd))
            .map(|(k, n)| {
                let share = if *k == CallKind::Open || x.closed == 0 {
                    String::new()
                } else {
                    format!("{:.1}%", *n as f64 * 100.0 / x.closed as f64)
                };
                Row::Cells(vec![k.label().into(), n.to_string(), share])
            })
            .chain(std::iter::once(Row::Cells(vec![
                "All opened".into(),
                x.opened.to_string(),
                String::new(),
            ])))
            .collect(),
    });
}

fn recalls(r: &SurveyReport, b: &mut Vec<Block>) {
    let x = &r.recalls;
    b.push(Block::Heading(SECTIONS[4].into()));
    b.push(meta(r));
    b.push(Block::Para(format!(
        "{} recall(s) and alert(s) on record: {} received in the period and {} received earlier and still open at its start; {} open at its end. Matched assets in scope: {}, of which {} with a final action ({}) and {} pending.",
        x.rows.len(),
        x.received_in_period,
        x.rows.len() as u64 - x.received_in_period,
        x.open_at_end,
        x.matched,
        x.matched - x.pending,
        pct(&x.actioned),
        x.pending
    )));
    b.push(Block::Formula(format!(
        "Actioned = {}.",
        x.actioned.formula
    )));
    if x.rows.is_empty() {
        b.push(Block::Para(
            "No recall or alert on record in the period.".into(),
        ));
        return;
    }
    b.push(Block::Table {
        columns: vec![
            col("Received", 1.2, Align::Left),
            col("Notice", 1.5, Align::Left),
            col("Title", 2.5, Align::Left),
            col("Matched", 1.0, Align::Right),
            col("Pending", 1.0, Align::Right),
            col("Not affected", 1.0, Align::Right),
            col("Remediated", 1.25, Align::Right),
            col("Removed", 1.1, Align::Right),
            col("Status", 1.7, Align::Left),
        ],
        rows: x
            .rows
            .iter()
            .map(|l| {
                let c = &l.recall;
                Row::Cells(vec![
                    c.received_on.to_string(),
                    format!("{} {}", c.source.to_uppercase(), c.number),
                    c.title.clone(),
                    l.matched.to_string(),
                    c.pending.to_string(),
                    c.not_affected.to_string(),
                    c.remediated.to_string(),
                    c.removed_from_service.to_string(),
                    l.status.clone(),
                ])
            })
            .collect(),
    });
}

fn calls(r: &SurveyReport, b: &mut Vec<Block>) {
    let x = &r.calls;
    let c = &x.counts;
    b.push(Block::Heading(SECTIONS[5].into()));
    b.push(meta(r));
    b.push(Block::Figures(vec![
        (
            "CND rate".into(),
            pct(&x.cnd_rate),
            format!("{} of {} closed repairs", c.cnd, c.closed),
        ),
        (
            "Damage rate".into(),
            pct(&x.damage_rate),
            format!("{} abuse / damage of {}", c.abuse, c.closed),
        ),
        (
            "Use-error rate".into(),
            pct(&x.use_error_rate),
            format!("{} use error + {} damage", c.use_error, c.abuse),
        ),
    ]));
    b.push(Block::Formula(format!(
        "CND rate = {}. Damage rate = {}. Use-error rate = {}. Closed corrective work orders opened in the period; high rates point at training or usability.",
        x.cnd_rate.formula, x.damage_rate.formula, x.use_error_rate.formula
    )));
    b.push(Block::Months {
        title: "CND, damage and use-error calls per month (by month opened)".into(),
        chart: MonthChart {
            months: r
                .repairs
                .months
                .iter()
                .map(|m| month_label(m.month, r))
                .collect(),
            series: vec![
                (
                    "CND".into(),
                    ACCENT,
                    r.repairs.months.iter().map(|m| m.cnd).collect(),
                ),
                (
                    "Abuse / damage".into(),
                    DAMAGE,
                    r.repairs.months.iter().map(|m| m.damage).collect(),
                ),
                (
                    "Use error".into(),
                    WARN,
                    r.repairs.months.iter().map(|m| m.use_error).collect(),
                ),
            ],
        },
    });
    b.extend(partial_note(r));
    if x.departments.is_empty() {
        b.push(Block::Para(
            "No CND, use-error or damage call in the period.".into(),
        ));
        return;
    }
    b.push(Block::Table {
        columns: vec![
            col("Department", 2.6, Align::Left),
            col("Closed repairs", 1.1, Align::Right),
            col("CND", 0.8, Align::Right),
            col("CND rate", 1.0, Align::Right),
            col("Abuse / damage", 1.1, Align::Right),
            col("Damage rate", 1.0, Align::Right),
            col("Use error", 0.9, Align::Right),
        ],
        rows: x
            .departments
            .iter()
            .map(|d| {
                Row::Cells(vec![
                    d.department.clone(),
                    d.counts.closed.to_string(),
                    d.counts.cnd.to_string(),
                    pct(&d.cnd_rate),
                    d.counts.abuse.to_string(),
                    pct(&d.damage_rate),
                    d.counts.use_error.to_string(),
                ])
            })
            .collect(),
    });
    let more = if x.more_departments > 0 {
        format!(
            " {} more department(s) with such calls are not listed.",
            x.more_departments
        )
    } else {
        String::new()
    };
    b.push(Block::Note(format!(
        "Departments with the most CND, use-error and damage calls first (the asset's department today).{more}"
    )));
}
