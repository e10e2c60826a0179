//! Thresholds and weights. Every number the measures judge with lives
//! here, with the default PRODUCT.md gives ("Measures (formulas)"); where
//! the brief gives none, the default is ours and says so, and stays the
//! customer's to change.
//!
//! A hospital changes them as text under stable dotted keys, each the
//! field's path here (`capital.cyber_weight`, `pm_window.fraction`):
//! [`Settings::from_values`] reads a stored group (absent keys keep their
//! defaults), [`Settings::to_values`] writes every key, and [`catalog`]
//! describes each key for the settings screen (section, label, help,
//! default and kind).

use crate::error::AnalyticsError;
use biomend_domain::pm::WindowPolicy;
use biomend_domain::risk::RiskPolicy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The on-time window around a PM's due date: ±10% of the interval
    /// (PRODUCT.md, "PM completion": "±10% of the interval is common").
    pub pm_window: WindowPolicy,
    /// Whether a documented attempt (device in use, not located) counts as
    /// done in the headline PM rate. PRODUCT.md allows it "when a written
    /// policy is followed, with follow-up"; that is the hospital's call, so
    /// the default is off and both rates are always shown.
    pub attempts_count_as_done: bool,
    /// Which EM numbers are high-risk (life support always is).
    pub risk: RiskPolicy,
    /// A corrective work order opened within this many days of the same
    /// asset's previous corrective completion is a repeat repair
    /// (PRODUCT.md: "7 is common; configurable").
    pub repeat_repair_days: u32,
    /// Loaded labor rate for technicians without one on file, in cents per
    /// hour. `None` (the default) costs such labor at zero and counts it,
    /// rather than invent a wage.
    pub fallback_loaded_rate_cents: Option<i64>,
    pub repair_replace: RepairReplaceRules,
    pub scorecard: ScorecardSettings,
    pub capital: CapitalSettings,
    /// Length of each of the equal windows before and after a training
    /// event. PRODUCT.md asks for equal windows without a length; six
    /// months (183 days) is ours.
    pub training_window_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            pm_window: WindowPolicy::default(),
            attempts_count_as_done: false,
            risk: RiskPolicy::default(),
            repeat_repair_days: 7,
            fallback_loaded_rate_cents: None,
            repair_replace: RepairReplaceRules::default(),
            scorecard: ScorecardSettings::default(),
            capital: CapitalSettings::default(),
            training_window_days: 183,
        }
    }
}

/// PRODUCT.md, "Repair vs replace (rules of thumb, configurable)".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepairReplaceRules {
    /// Replace when the repair estimate exceeds this share of replacement
    /// cost... (0.5)
    pub estimate_share_of_replacement: f64,
    /// ...and the asset is past this share of its expected life (0.5).
    pub life_used: f64,
    /// Candidate rule: annual service cost over this share of replacement
    /// cost (0.30).
    pub annual_cost_share_of_replacement: f64,
    /// Candidate rule "MTBF far below its peers": the asset's MTBF under
    /// this fraction of its device type's MTBF. PRODUCT.md says "far
    /// below" without a number; half (0.5) is ours.
    pub mtbf_share_of_peers: f64,
    /// A device is a replacement candidate when at least this many
    /// candidate rules hold (2).
    pub candidate_min_rules: usize,
}

impl Default for RepairReplaceRules {
    fn default() -> Self {
        RepairReplaceRules {
            estimate_share_of_replacement: 0.5,
            life_used: 0.5,
            annual_cost_share_of_replacement: 0.30,
            mtbf_share_of_peers: 0.5,
            candidate_min_rules: 2,
        }
    }
}

/// How the service scorecard ranks models and manufacturers. PRODUCT.md
/// names the measures but no weights: equal weights are ours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScorecardSettings {
    pub failures_weight: f64,
    pub cosr_weight: f64,
    pub mttr_weight: f64,
    pub uptime_weight: f64,
    pub cnd_weight: f64,
    pub recalls_weight: f64,
    /// Rows with less exposure than this many unit-years are shown but not
    /// ranked: two units for a year say little about a model. Ours: 5.
    pub min_unit_years: f64,
}

impl Default for ScorecardSettings {
    fn default() -> Self {
        ScorecardSettings {
            failures_weight: 1.0,
            cosr_weight: 1.0,
            mttr_weight: 1.0,
            uptime_weight: 1.0,
            cnd_weight: 1.0,
            recalls_weight: 1.0,
            min_unit_years: 5.0,
        }
    }
}

/// The capital replacement priority (PRODUCT.md: "a weighted, explainable
/// score over risk, age / expected life, service cost ratio, support
/// status, recall and cyber exposure, and utilization. The weights are the
/// customer's"). The default weights are ours; they sum to 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapitalSettings {
    pub risk_weight: f64,
    pub age_weight: f64,
    pub cosr_weight: f64,
    pub support_weight: f64,
    pub recall_weight: f64,
    pub cyber_weight: f64,
    pub utilization_weight: f64,
    /// Life used at which the age factor reaches 1: 1.5 = half again past
    /// expected life. Ours.
    pub age_cap: f64,
    /// Annual COSR at which the cost factor reaches 1; 0.30 matches the
    /// repair-vs-replace rule's 30% of replacement cost.
    pub cosr_cap: f64,
    /// End of support this many days ahead scores half the support factor.
    /// Ours: 365.
    pub eos_horizon_days: i64,
    /// Utilization assumed when no usage window says anything, as a
    /// fraction of the week. Ours: 0.5, neutral.
    pub unknown_utilization: f64,
    /// Assets scoring below this (0–100) are not planned for replacement
    /// however much budget is left. Ours: 40.
    pub min_score: f64,
    /// Whether a year's unspent budget carries into the next. Ours: no.
    pub carry_over: bool,
}

impl Default for CapitalSettings {
    fn default() -> Self {
        CapitalSettings {
            risk_weight: 0.20,
            age_weight: 0.20,
            cosr_weight: 0.15,
            support_weight: 0.15,
            recall_weight: 0.05,
            cyber_weight: 0.10,
            utilization_weight: 0.15,
            age_cap: 1.5,
            cosr_cap: 0.30,
            eos_horizon_days: 365,
            unknown_utilization: 0.5,
            min_score: 40.0,
            carry_over: false,
        }
    }
}

fn share(name: &'static str, v: f64) -> Result<(), AnalyticsError> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(AnalyticsError::InvalidSetting {
            name,
            reason: format!("must be between 0 and 1, got {v}"),
        })
    }
}

fn weight(name: &'static str, v: f64) -> Result<(), AnalyticsError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(AnalyticsError::InvalidSetting {
            name,
            reason: format!("must be zero or more, got {v}"),
        })
    }
}

fn positive(name: &'static str, v: f64) -> Result<(), AnalyticsError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(AnalyticsError::InvalidSetting {
            name,
            reason: format!("must be above zero, got {v}"),
        })
    }
}

fn whole(name: &'static str, v: i64, min: i64, max: i64) -> Result<(), AnalyticsError> {
    if (min..=max).contains(&v) {
        Ok(())
    } else {
        Err(AnalyticsError::InvalidSetting {
            name,
            reason: format!("must be {min} to {max}, got {v}"),
        })
    }
}

impl Settings {
    /// Checks every setting is in its range, so a measure never silently
    /// divides by a zero cap or ranks by a negative weight.
    pub fn validate(&self) -> Result<(), AnalyticsError> {
        share("pm_window.fraction", self.pm_window.fraction)?;
        // EM numbers run from 2 to 22 (with incident history); a threshold
        // outside that puts every device, or none, on one side.
        let risk = &self.risk;
        whole(
            "risk.program_threshold",
            risk.program_threshold.into(),
            2,
            22,
        )?;
        whole(
            "risk.high_risk_threshold",
            risk.high_risk_threshold.into(),
            2,
            22,
        )?;
        if risk.high_risk_threshold < risk.program_threshold {
            return Err(AnalyticsError::InvalidSetting {
                name: "risk.high_risk_threshold",
                reason: format!(
                    "must be at least the program threshold ({}), since high-risk devices are in the program; got {}",
                    risk.program_threshold, risk.high_risk_threshold
                ),
            });
        }
        whole("repeat_repair_days", self.repeat_repair_days.into(), 1, 365)?;
        if let Some(rate) = self.fallback_loaded_rate_cents {
            whole("fallback_loaded_rate_cents", rate, 0, i64::from(i32::MAX))?;
        }
        // Ten years either side of an event is already more history than a
        // hospital keeps; the bound also keeps date arithmetic in range.
        whole("training_window_days", self.training_window_days, 1, 3653)?;
        let r = &self.repair_replace;
        positive(
            "repair_replace.estimate_share_of_replacement",
            r.estimate_share_of_replacement,
        )?;
        positive("repair_replace.life_used", r.life_used)?;
        positive(
            "repair_replace.annual_cost_share_of_replacement",
            r.annual_cost_share_of_replacement,
        )?;
        share("repair_replace.mtbf_share_of_peers", r.mtbf_share_of_peers)?;
        // There are four candidate rules (cost, end of support, OS, MTBF).
        whole(
            "repair_replace.candidate_min_rules",
            i64::try_from(r.candidate_min_rules).unwrap_or(i64::MAX),
            1,
            4,
        )?;
        let s = &self.scorecard;
        for (n, w) in [
            ("scorecard.failures_weight", s.failures_weight),
            ("scorecard.cosr_weight", s.cosr_weight),
            ("scorecard.mttr_weight", s.mttr_weight),
            ("scorecard.uptime_weight", s.uptime_weight),
            ("scorecard.cnd_weight", s.cnd_weight),
            ("scorecard.recalls_weight", s.recalls_weight),
            ("scorecard.min_unit_years", s.min_unit_years),
        ] {
            weight(n, w)?;
        }
        let c = &self.capital;
        let weights = [
            ("capital.risk_weight", c.risk_weight),
            ("capital.age_weight", c.age_weight),
            ("capital.cosr_weight", c.cosr_weight),
            ("capital.support_weight", c.support_weight),
            ("capital.recall_weight", c.recall_weight),
            ("capital.cyber_weight", c.cyber_weight),
            ("capital.utilization_weight", c.utilization_weight),
        ];
        for (n, w) in weights {
            weight(n, w)?;
        }
        if weights.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
            return Err(AnalyticsError::InvalidSetting {
                name: "capital weights",
                reason: "at least one weight must be above zero".into(),
            });
        }
        positive("capital.age_cap", c.age_cap)?;
        positive("capital.cosr_cap", c.cosr_cap)?;
        whole("capital.eos_horizon_days", c.eos_horizon_days, 0, 3653)?;
        share("capital.unknown_utilization", c.unknown_utilization)?;
        if !(0.0..=100.0).contains(&c.min_score) {
            return Err(AnalyticsError::InvalidSetting {
                name: "capital.min_score",
                reason: format!("must be between 0 and 100, got {}", c.min_score),
            });
        }
        Ok(())
    }
}

// ---- keys and catalog ------------------------------------------------

/// The part of the settings screen a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    PmCompletion,
    Risk,
    RepeatRepairs,
    Labor,
    RepairReplace,
    Scorecard,
    Capital,
    Training,
}

impl Section {
    /// In screen order.
    pub const ALL: [Section; 8] = [
        Section::PmCompletion,
        Section::Risk,
        Section::RepeatRepairs,
        Section::Labor,
        Section::RepairReplace,
        Section::Scorecard,
        Section::Capital,
        Section::Training,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::PmCompletion => "PM completion",
            Section::Risk => "Risk",
            Section::RepeatRepairs => "Repeat repairs",
            Section::Labor => "Labor",
            Section::RepairReplace => "Repair vs replace",
            Section::Scorecard => "Scorecard",
            Section::Capital => "Capital plan",
            Section::Training => "Training effect",
        }
    }
}

/// What a value is, for parsing and for choosing an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingKind {
    /// A share from 0 to 1, e.g. `0.1` for 10%.
    Fraction,
    /// Any number; its range is in the key's help and `validate`.
    Number,
    /// A whole number, e.g. an EM threshold or a count of rules.
    WholeNumber,
    /// A whole number of days.
    Days,
    /// `true` or `false`.
    YesNo,
    /// Money in whole cents; empty for none.
    Cents,
}

impl SettingKind {
    /// What a value of this kind looks like, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            SettingKind::Fraction => "a number from 0 to 1",
            SettingKind::Number => "a number",
            SettingKind::WholeNumber => "a whole number",
            SettingKind::Days => "a whole number of days",
            SettingKind::YesNo => "true or false",
            SettingKind::Cents => "a whole number of cents (or empty for none)",
        }
    }
}

/// A settings field's type: how it is written as text and read back.
/// The text form is canonical, so equal values compare equal as strings
/// (the server compares them when two people change one key).
trait Field: Sized {
    fn show(&self) -> String;
    fn read(v: &str) -> Option<Self>;
}

impl Field for f64 {
    fn show(&self) -> String {
        // Rust prints the shortest text that reads back as the same f64.
        self.to_string()
    }
    fn read(v: &str) -> Option<Self> {
        // `NaN` and `inf` parse as f64 but no measure can judge with them.
        v.trim().parse::<f64>().ok().filter(|x| x.is_finite())
    }
}

impl Field for bool {
    fn show(&self) -> String {
        self.to_string()
    }
    fn read(v: &str) -> Option<Self> {
        match v.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => None,
        }
    }
}

macro_rules! whole_field {
    ($($t:ty),+) => {$(
        impl Field for $t {
            fn show(&self) -> String {
                self.to_string()
            }
            fn read(v: &str) -> Option<Self> {
                v.trim().parse().ok()
            }
        }
    )+};
}
whole_field!(i32, i64, u32, usize);

impl Field for Option<i64> {
    fn show(&self) -> String {
        self.map_or_else(String::new, |v| v.to_string())
    }
    fn read(v: &str) -> Option<Self> {
        let v = v.trim();
        if v.is_empty() {
            Some(None)
        } else {
            v.parse().ok().map(Some)
        }
    }
}

/// One setting as the settings screen describes it, with how to read and
/// write it in [`Settings`].
#[derive(Clone, Copy, Debug)]
pub struct SettingDef {
    /// The stable dotted key it is stored and sent under, e.g.
    /// `capital.cyber_weight`: the field's path in [`Settings`].
    pub key: &'static str,
    pub section: Section,
    pub label: &'static str,
    /// One line on what it changes.
    pub help: &'static str,
    pub kind: SettingKind,
    get: fn(&Settings) -> String,
    set: fn(&mut Settings, &str) -> Option<()>,
}

impl SettingDef {
    /// Its value in `s`, as stored.
    pub fn value_in(&self, s: &Settings) -> String {
        (self.get)(s)
    }

    /// Its default, as stored.
    pub fn default_value(&self) -> String {
        self.value_in(&Settings::default())
    }

    /// Reads `value` into `s` (no range check: that is `validate`'s).
    fn apply(&self, s: &mut Settings, value: &str) -> Result<(), AnalyticsError> {
        (self.set)(s, value).ok_or_else(|| AnalyticsError::BadSettingValue {
            key: self.key.to_string(),
            value: value.to_string(),
            expected: self.kind.expected(),
        })
    }
}

macro_rules! catalog {
    ($($key:literal in $section:ident as $kind:ident => $($field:ident).+, $label:literal, $help:literal;)+) => {
        static CATALOG: &[SettingDef] = &[$(
            SettingDef {
                key: $key,
                section: Section::$section,
                label: $label,
                help: $help,
                kind: SettingKind::$kind,
                get: |s| Field::show(&s.$($field).+),
                set: |s, v| {
                    s.$($field).+ = Field::read(v)?;
                    Some(())
                },
            },
        )+];
    };
}

catalog! {
    "pm_window.fraction" in PmCompletion as Fraction => pm_window.fraction,
        "On-time window",
        "A PM done within this share of its interval before or after its due date is on time (0.1 = ±10%).";
    "attempts_count_as_done" in PmCompletion as YesNo => attempts_count_as_done,
        "Documented attempts count as done",
        "Count a documented attempt (device in use, not located) as done in the headline rate; only under a written policy with follow-up.";
    "risk.program_threshold" in Risk as WholeNumber => risk.program_threshold,
        "Maintenance program threshold",
        "Devices with an EM number at or above this are in the maintenance program.";
    "risk.high_risk_threshold" in Risk as WholeNumber => risk.high_risk_threshold,
        "High-risk threshold",
        "Devices with an EM number at or above this are high-risk; life support always is.";
    "repeat_repair_days" in RepeatRepairs as Days => repeat_repair_days,
        "Repeat repair window",
        "A repair opened within this many days of the same device's last repair is a repeat.";
    "fallback_loaded_rate_cents" in Labor as Cents => fallback_loaded_rate_cents,
        "Loaded rate when none on file",
        "Cost of an hour of labor, in cents, for technicians without a loaded rate; empty costs their labor at zero.";
    "repair_replace.estimate_share_of_replacement" in RepairReplace as Number => repair_replace.estimate_share_of_replacement,
        "Repair estimate share",
        "Replace when a repair estimate exceeds this share of the replacement cost and the device is past its life share.";
    "repair_replace.life_used" in RepairReplace as Number => repair_replace.life_used,
        "Life used",
        "The share of its expected life a device must be past for the repair estimate rule (1 = at the end of its life).";
    "repair_replace.annual_cost_share_of_replacement" in RepairReplace as Number => repair_replace.annual_cost_share_of_replacement,
        "Annual service cost share",
        "Candidate rule: a year's service cost over this share of the replacement cost.";
    "repair_replace.mtbf_share_of_peers" in RepairReplace as Fraction => repair_replace.mtbf_share_of_peers,
        "MTBF share of peers",
        "Candidate rule: MTBF under this share of its device type's MTBF.";
    "repair_replace.candidate_min_rules" in RepairReplace as WholeNumber => repair_replace.candidate_min_rules,
        "Rules for a candidate",
        "A device is a replacement candidate when at least this many of the four candidate rules hold.";
    "scorecard.failures_weight" in Scorecard as Number => scorecard.failures_weight,
        "Failures weight",
        "How much failures per unit-year count in ranking models and makers.";
    "scorecard.cosr_weight" in Scorecard as Number => scorecard.cosr_weight,
        "Cost of service weight",
        "How much the cost of service ratio counts in the ranking.";
    "scorecard.mttr_weight" in Scorecard as Number => scorecard.mttr_weight,
        "Repair time weight",
        "How much the mean time to repair counts in the ranking.";
    "scorecard.uptime_weight" in Scorecard as Number => scorecard.uptime_weight,
        "Uptime weight",
        "How much uptime counts in the ranking.";
    "scorecard.cnd_weight" in Scorecard as Number => scorecard.cnd_weight,
        "Could-not-duplicate weight",
        "How much the CND rate counts in the ranking.";
    "scorecard.recalls_weight" in Scorecard as Number => scorecard.recalls_weight,
        "Recalls weight",
        "How much recalls count in the ranking.";
    "scorecard.min_unit_years" in Scorecard as Number => scorecard.min_unit_years,
        "Minimum unit-years",
        "Models or makers with less exposure than this are shown but not ranked.";
    "capital.risk_weight" in Capital as Number => capital.risk_weight,
        "Risk weight",
        "Weight of the device's risk in the replacement priority.";
    "capital.age_weight" in Capital as Number => capital.age_weight,
        "Age weight",
        "Weight of age against expected life in the priority.";
    "capital.cosr_weight" in Capital as Number => capital.cosr_weight,
        "Service cost weight",
        "Weight of the cost of service ratio in the priority.";
    "capital.support_weight" in Capital as Number => capital.support_weight,
        "Support status weight",
        "Weight of end of support and unsupported operating systems in the priority.";
    "capital.recall_weight" in Capital as Number => capital.recall_weight,
        "Recall weight",
        "Weight of recalls in the priority.";
    "capital.cyber_weight" in Capital as Number => capital.cyber_weight,
        "Cyber exposure weight",
        "Weight of a networked device's cyber exposure in the priority.";
    "capital.utilization_weight" in Capital as Number => capital.utilization_weight,
        "Utilization weight",
        "Weight of how much of the week the device is used in the priority.";
    "capital.age_cap" in Capital as Number => capital.age_cap,
        "Age cap",
        "Life used at which the age factor is full (1.5 = half again past expected life).";
    "capital.cosr_cap" in Capital as Number => capital.cosr_cap,
        "Service cost cap",
        "Yearly cost of service ratio at which the cost factor is full.";
    "capital.eos_horizon_days" in Capital as Days => capital.eos_horizon_days,
        "End-of-support horizon",
        "End of support within this many days scores half the support factor.";
    "capital.unknown_utilization" in Capital as Fraction => capital.unknown_utilization,
        "Utilization when unknown",
        "The share of the week assumed when no usage window says.";
    "capital.min_score" in Capital as Number => capital.min_score,
        "Minimum score to plan",
        "Devices scoring below this (0 to 100) are not planned, however much budget is left.";
    "capital.carry_over" in Capital as YesNo => capital.carry_over,
        "Carry unspent budget over",
        "A year's unspent budget is added to the next year's.";
    "training_window_days" in Training as Days => training_window_days,
        "Window before and after",
        "Length of each of the equal windows compared before and after a training event.";
}

/// Every setting, in screen order (by section, then as listed).
pub fn catalog() -> &'static [SettingDef] {
    CATALOG
}

/// The setting stored under `key`.
pub fn setting(key: &str) -> Option<&'static SettingDef> {
    CATALOG.iter().find(|d| d.key == key)
}

/// `value` as `key` stores it (`" 0.20"` → `"0.2"`), or why it cannot
/// be one: an unknown key or a value of the wrong kind. Ranges are
/// checked by [`Settings::from_values`] on the whole group, since some
/// depend on others (the high-risk threshold on the program's).
pub fn canonical(key: &str, value: &str) -> Result<String, AnalyticsError> {
    let def = setting(key).ok_or_else(|| AnalyticsError::UnknownSetting {
        key: key.to_string(),
    })?;
    let mut s = Settings::default();
    def.apply(&mut s, value)?;
    Ok(def.value_in(&s))
}

impl Settings {
    /// A hospital's settings from its stored values (key → value as
    /// text): a key absent has its default; an unknown key or a value that
    /// does not read as its kind is an error naming both; then every
    /// value's range is checked ([`Settings::validate`]).
    pub fn from_values(values: &BTreeMap<String, String>) -> Result<Settings, AnalyticsError> {
        let mut s = Settings::default();
        for (key, value) in values {
            let def =
                setting(key).ok_or_else(|| AnalyticsError::UnknownSetting { key: key.clone() })?;
            def.apply(&mut s, value)?;
        }
        s.validate()?;
        Ok(s)
    }

    /// Every key with its value here, as stored.
    pub fn to_values(&self) -> BTreeMap<String, String> {
        CATALOG
            .iter()
            .map(|d| (d.key.to_string(), d.value_in(self)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_briefs_numbers_and_valid() {
        let s = Settings::default();
        assert_eq!(s.pm_window.fraction, 0.10);
        assert_eq!(s.repeat_repair_days, 7);
        assert_eq!(s.repair_replace.estimate_share_of_replacement, 0.5);
        assert_eq!(s.repair_replace.life_used, 0.5);
        assert_eq!(s.repair_replace.annual_cost_share_of_replacement, 0.30);
        assert_eq!(s.repair_replace.candidate_min_rules, 2);
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn out_of_range_settings_are_named() {
        let mut s = Settings::default();
        s.capital.cyber_weight = -1.0;
        assert!(matches!(
            s.validate(),
            Err(AnalyticsError::InvalidSetting {
                name: "capital.cyber_weight",
                ..
            })
        ));
        let mut s = Settings::default();
        s.pm_window.fraction = 1.5;
        assert!(matches!(
            s.validate(),
            Err(AnalyticsError::InvalidSetting {
                name: "pm_window.fraction",
                ..
            })
        ));
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn absent_keys_have_their_defaults() {
        assert_eq!(
            Settings::from_values(&BTreeMap::new()),
            Ok(Settings::default())
        );
        let s = Settings::from_values(&values(&[
            ("capital.cyber_weight", "0.3"),
            ("repeat_repair_days", "14"),
            ("fallback_loaded_rate_cents", "9000"),
            ("capital.carry_over", "true"),
        ]))
        .unwrap();
        let mut want = Settings::default();
        want.capital.cyber_weight = 0.3;
        want.repeat_repair_days = 14;
        want.fallback_loaded_rate_cents = Some(9000);
        want.capital.carry_over = true;
        assert_eq!(s, want);
    }

    #[test]
    fn values_round_trip_through_text() {
        let mut s = Settings::default();
        s.pm_window.fraction = 0.15;
        s.attempts_count_as_done = true;
        s.risk.high_risk_threshold = 18;
        s.fallback_loaded_rate_cents = Some(8_550);
        s.repair_replace.candidate_min_rules = 3;
        s.scorecard.min_unit_years = 2.5;
        s.capital.eos_horizon_days = 180;
        s.training_window_days = 90;
        let v = s.to_values();
        assert_eq!(v.len(), catalog().len());
        assert_eq!(v["pm_window.fraction"], "0.15");
        assert_eq!(v["attempts_count_as_done"], "true");
        assert_eq!(v["fallback_loaded_rate_cents"], "8550");
        assert_eq!(v["capital.risk_weight"], "0.2");
        assert_eq!(v["capital.min_score"], "40");
        assert_eq!(Settings::from_values(&v), Ok(s));
        // No rate on file is an empty value, and reads back as none.
        let d = Settings::default().to_values();
        assert_eq!(d["fallback_loaded_rate_cents"], "");
        assert_eq!(Settings::from_values(&d), Ok(Settings::default()));
    }

    #[test]
    fn an_unknown_key_is_named() {
        let e = Settings::from_values(&values(&[("capital.cyber_wieght", "0.1")])).unwrap_err();
        assert_eq!(
            e,
            AnalyticsError::UnknownSetting {
                key: "capital.cyber_wieght".into()
            }
        );
        assert_eq!(e.to_string(), "unknown setting capital.cyber_wieght");
        assert_eq!(e.setting_key(), Some("capital.cyber_wieght"));
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_named_with_the_key() {
        let e = Settings::from_values(&values(&[("capital.risk_weight", "abc")])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "setting capital.risk_weight: 'abc' is not a number"
        );
        for (key, value) in [
            ("repeat_repair_days", "7.5"),
            ("repeat_repair_days", "-3"),
            ("capital.carry_over", "maybe"),
            ("risk.program_threshold", "twelve"),
            ("pm_window.fraction", "NaN"),
            ("capital.age_cap", "inf"),
            ("fallback_loaded_rate_cents", "$90"),
        ] {
            let e = Settings::from_values(&values(&[(key, value)])).unwrap_err();
            assert!(
                matches!(&e, AnalyticsError::BadSettingValue { key: k, value: v, .. } if k == key && v == value),
                "{key}={value}: {e}"
            );
        }
    }

    #[test]
    fn an_out_of_range_value_is_named() {
        let e = Settings::from_values(&values(&[("capital.cyber_weight", "-1")])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "setting capital.cyber_weight: must be zero or more, got -1"
        );
        assert_eq!(e.setting_key(), Some("capital.cyber_weight"));
        for (key, value) in [
            ("pm_window.fraction", "1.5"),
            ("risk.program_threshold", "30"),
            ("repeat_repair_days", "0"),
            ("fallback_loaded_rate_cents", "-100"),
            ("repair_replace.candidate_min_rules", "5"),
            ("capital.min_score", "101"),
            ("capital.eos_horizon_days", "-1"),
            ("training_window_days", "0"),
        ] {
            let e = Settings::from_values(&values(&[(key, value)])).unwrap_err();
            assert_eq!(e.setting_key(), Some(key), "{key}={value}: {e}");
        }
        // The high-risk threshold may not fall below the program's (12).
        let e = Settings::from_values(&values(&[("risk.high_risk_threshold", "10")])).unwrap_err();
        assert_eq!(e.setting_key(), Some("risk.high_risk_threshold"));
        assert!(
            Settings::from_values(&values(&[
                ("risk.high_risk_threshold", "10"),
                ("risk.program_threshold", "10"),
            ]))
            .is_ok()
        );
    }

    #[test]
    fn canonical_text_makes_equal_values_equal_strings() {
        assert_eq!(canonical("pm_window.fraction", " 0.20 ").unwrap(), "0.2");
        assert_eq!(canonical("capital.min_score", "40.0").unwrap(), "40");
        assert_eq!(canonical("capital.carry_over", "Yes").unwrap(), "true");
        assert_eq!(canonical("fallback_loaded_rate_cents", " ").unwrap(), "");
        assert!(matches!(
            canonical("nope", "1"),
            Err(AnalyticsError::UnknownSetting { .. })
        ));
    }

    #[test]
    fn the_catalog_covers_every_key_once_in_section_order() {
        let keys: std::collections::BTreeSet<_> = catalog().iter().map(|d| d.key).collect();
        assert_eq!(keys.len(), catalog().len());
        let sections: Vec<Section> = catalog().iter().map(|d| d.section).collect();
        let mut sorted = sections.clone();
        sorted.sort();
        assert_eq!(sections, sorted, "grouped by section, in screen order");
        for s in Section::ALL {
            assert!(sections.contains(&s), "{} has settings", s.title());
        }
        let d = setting("capital.cyber_weight").unwrap();
        assert_eq!(d.section, Section::Capital);
        assert_eq!(d.kind, SettingKind::Number);
        assert_eq!(d.default_value(), "0.1");
        // Each key reads its own field: setting it alone to its default
        // text changes nothing, and setting it to another value changes
        // exactly that key.
        for d in catalog() {
            let v = values(&[(d.key, &d.default_value())]);
            assert_eq!(
                Settings::from_values(&v),
                Ok(Settings::default()),
                "{}",
                d.key
            );
            let default = d.default_value();
            let other = match d.kind {
                SettingKind::Fraction => "0.25".to_string(),
                SettingKind::Number => (default.parse::<f64>().unwrap() + 1.0).to_string(),
                SettingKind::WholeNumber | SettingKind::Days => {
                    (default.parse::<i64>().unwrap() + 1).to_string()
                }
                SettingKind::YesNo => (default != "true").to_string(),
                SettingKind::Cents => "100".to_string(),
            };
            let changed = Settings::from_values(&values(&[(d.key, &other)]))
                .unwrap()
                .to_values();
            let mut want = Settings::default().to_values();
            want.insert(d.key.to_string(), other);
            assert_eq!(changed, want, "{}", d.key);
        }
    }
}
