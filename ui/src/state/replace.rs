//! Repair or replace for one asset, in words: the verdict, and each rule
//! with whether it fired and what it read, so a manager can see why.

use biomend_ipc::{Advice, Check, ReplaceRule};

/// The rule as a manager reads it.
pub fn rule_label(r: ReplaceRule) -> &'static str {
    match r {
        ReplaceRule::RepairEstimateOverShareOfReplacement => {
            "This repair costs a large share of a new unit"
        }
        ReplaceRule::PastShareOfExpectedLife => "Past most of its expected life",
        ReplaceRule::AnnualServiceCostOverShareOfReplacement => {
            "Yearly service cost is a large share of a new unit"
        }
        ReplaceRule::PastEndOfSupport => "Past the maker's end of support",
        ReplaceRule::UnsupportedOs => "Runs an unsupported operating system",
        ReplaceRule::MtbfFarBelowPeers => "Fails far more often than its peers",
    }
}

/// A stable name for tests and styles.
pub fn rule_code(r: ReplaceRule) -> &'static str {
    match r {
        ReplaceRule::RepairEstimateOverShareOfReplacement => "repair_estimate",
        ReplaceRule::PastShareOfExpectedLife => "life_used",
        ReplaceRule::AnnualServiceCostOverShareOfReplacement => "service_cost",
        ReplaceRule::PastEndOfSupport => "end_of_support",
        ReplaceRule::UnsupportedOs => "unsupported_os",
        ReplaceRule::MtbfFarBelowPeers => "mtbf",
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleRow {
    pub code: &'static str,
    pub label: &'static str,
    /// `fired`, `not_fired`, or `unknown` when the data to judge it is missing.
    pub state: &'static str,
    pub state_text: &'static str,
    /// The formula, each input, and the note, one line each.
    pub lines: Vec<String>,
}

pub fn rows(checks: &[Check]) -> Vec<RuleRow> {
    checks
        .iter()
        .map(|c| {
            let (state, state_text) = match c.check.value {
                Some(true) => ("fired", "Fired"),
                Some(false) => ("not_fired", "Did not fire"),
                None => ("unknown", "Cannot judge"),
            };
            let mut lines = vec![format!("Rule: {}", c.check.formula)];
            lines.extend(
                c.check
                    .inputs
                    .iter()
                    .map(|i| format!("{}: {}", i.name, i.value)),
            );
            if let Some(n) = &c.check.note {
                lines.push(n.clone());
            }
            RuleRow {
                code: rule_code(c.rule),
                label: rule_label(c.rule),
                state,
                state_text,
                lines,
            }
        })
        .collect()
}

/// The answer first: replace, repair, or what is missing to say.
pub fn verdict(advice: &Advice, has_estimate: bool) -> (&'static str, String) {
    let fired = |checks: &[Check]| checks.iter().filter(|c| c.fired()).count();
    if advice.replace {
        return (
            "replace",
            "Replace rather than repair: every repair rule fired.".into(),
        );
    }
    let candidate = if advice.candidate {
        format!(
            " It is a replacement candidate ({} of {} rules fired).",
            fired(&advice.candidate_rules),
            advice.candidate_rules.len()
        )
    } else {
        String::new()
    };
    if !has_estimate {
        return (
            "needs_estimate",
            format!("Enter the repair estimate to weigh this repair.{candidate}"),
        );
    }
    (
        "repair",
        format!("Repair: not every replace rule fired.{candidate}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_ipc::Explained;

    fn check(rule: ReplaceRule, value: Option<bool>) -> Check {
        Check {
            rule,
            check: Explained::new(value, "estimate > 50% of replacement cost", vec![]),
        }
    }

    fn advice(replace: bool, candidate: bool) -> Advice {
        Advice {
            replace,
            repair_rules: vec![
                check(
                    ReplaceRule::RepairEstimateOverShareOfReplacement,
                    Some(replace),
                ),
                check(ReplaceRule::PastShareOfExpectedLife, Some(true)),
            ],
            candidate,
            candidate_rules: vec![
                check(
                    ReplaceRule::AnnualServiceCostOverShareOfReplacement,
                    Some(false),
                ),
                check(ReplaceRule::PastEndOfSupport, Some(candidate)),
                check(ReplaceRule::UnsupportedOs, Some(candidate)),
                check(ReplaceRule::MtbfFarBelowPeers, None),
            ],
        }
    }

    #[test]
    fn the_verdict_comes_first_and_names_the_candidate_count() {
        assert_eq!(verdict(&advice(true, true), true).0, "replace");
        let (code, text) = verdict(&advice(false, true), true);
        assert_eq!(code, "repair");
        assert!(text.contains("2 of 4 rules fired"), "{text}");
        let (code, text) = verdict(&advice(false, false), false);
        assert_eq!(code, "needs_estimate");
        assert!(!text.contains("candidate"), "{text}");
    }

    #[test]
    fn each_rule_says_whether_it_fired_or_cannot_be_judged() {
        let a = advice(false, true);
        let r = rows(&a.candidate_rules);
        let states: Vec<_> = r.iter().map(|x| (x.code, x.state)).collect();
        assert_eq!(
            states,
            vec![
                ("service_cost", "not_fired"),
                ("end_of_support", "fired"),
                ("unsupported_os", "fired"),
                ("mtbf", "unknown"),
            ]
        );
        assert_eq!(r[0].lines[0], "Rule: estimate > 50% of replacement cost");
    }
}
