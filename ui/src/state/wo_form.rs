//! The work-order execution form: labor (typed or timed), parts, checklist
//! readings judged as they are typed, notes, findings, the closure code and
//! the signature, and what completion still needs.
//!
//! Nothing here is sent until the technician saves or completes; then the
//! unrecorded entries travel together as one `WorkRecord`.

use super::format::humanize;
use biomend_domain::Money;
use biomend_domain::checklist::{Answer, ChecklistItem, ItemKind, SafetyEdition, Verdict, judge};
use biomend_domain::work_order::{
    ClosureCode, FailureArea, MAX_LABOR_MINUTES, WorkOrderKind, WorkOrderStatus,
};
use biomend_ipc::{Complete, Labor, Part, ReadingArg, WorkRecord};
use std::collections::BTreeMap;

/// A stopwatch for labor: instants are passed in (browser milliseconds), so
/// it is tested with made-up times.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LaborTimer {
    started_at_ms: Option<f64>,
    /// What rounding to whole minutes left over, carried to the next run.
    carry_ms: f64,
}

impl LaborTimer {
    pub fn is_running(&self) -> bool {
        self.started_at_ms.is_some()
    }

    /// `mm:ss` of the run in progress, for the ticking display.
    pub fn elapsed_text(&self, now_ms: f64) -> String {
        let ms = self.started_at_ms.map_or(0.0, |s| (now_ms - s).max(0.0));
        let secs = (ms / 1000.0).floor() as u64;
        format!("{}:{:02}", secs / 60, secs % 60)
    }

    /// Starts the timer, or stops it and returns the whole minutes to add.
    fn toggle(&mut self, now_ms: f64) -> Option<u32> {
        match self.started_at_ms.take() {
            None => {
                self.started_at_ms = Some(now_ms);
                None
            }
            Some(start) => {
                let total = (now_ms - start).max(0.0) + self.carry_ms;
                let minutes = (total / 60_000.0).round().max(0.0);
                self.carry_ms = total - minutes * 60_000.0;
                Some(minutes as u32)
            }
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartFields {
    pub number: String,
    pub description: String,
    pub quantity: String,
    pub cost: String,
}

impl PartFields {
    fn is_blank(&self) -> bool {
        self.number.trim().is_empty()
            && self.description.trim().is_empty()
            && self.quantity.trim().is_empty()
            && self.cost.trim().is_empty()
    }

    /// The part as typed, or what is wrong with it.
    pub fn parse(&self) -> Result<Part, String> {
        let number = self.number.trim();
        let description = self.description.trim();
        if number.is_empty() && description.is_empty() {
            return Err("Enter a part number or a description.".into());
        }
        let quantity = match self.quantity.trim() {
            "" => 1,
            q => match q.parse::<u32>() {
                Ok(n) if (1..=10_000).contains(&n) => n,
                _ => {
                    return Err(format!(
                        "Quantity '{q}' must be a whole number from 1 to 10000."
                    ));
                }
            },
        };
        let unit_cost = match self.cost.trim() {
            "" => None,
            c => match Money::parse(c) {
                Ok(m) if m.0 < 0 => return Err("A part's cost can't be negative.".into()),
                Ok(m) => Some(m),
                Err(_) => {
                    return Err(format!(
                        "Cost '{c}' is not an amount in dollars, e.g. 12.50 or $12.50."
                    ));
                }
            },
        };
        Ok(Part {
            part_number: number.to_string(),
            description: description.to_string(),
            quantity,
            unit_cost,
        })
    }
}

/// Labor minutes as typed, or what is wrong with them.
pub fn parse_minutes(s: &str) -> Result<u32, String> {
    let t = s.trim();
    match t.parse::<u32>() {
        Ok(n) if (1..=MAX_LABOR_MINUTES).contains(&n) => Ok(n),
        _ => Err(format!(
            "Labor minutes '{t}' must be a whole number from 1 to {MAX_LABOR_MINUTES}."
        )),
    }
}

/// One checklist item's reading as typed, judged live.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadingView {
    /// `pass`, `fail` or `na` (also shown, as "not entered", while blank).
    pub verdict: &'static str,
    /// What the verdict element says.
    pub text: String,
    /// The limit in force, e.g. `≤ 500 µA`.
    pub limit: Option<String>,
    /// The answer to send, when the input is a complete answer.
    pub answer: Option<Answer>,
    /// Why the input cannot be saved as typed.
    pub problem: Option<String>,
}

/// The limit an item is judged against, in words.
pub fn limit_text(item: &ChecklistItem, edition: Option<&SafetyEdition>) -> Option<String> {
    match &item.kind {
        ItemKind::PassFail => None,
        ItemKind::Measurement { unit, limit } => Some(limit.describe(unit)),
        ItemKind::Safety { test } => Some(match edition.and_then(|e| e.limit_for(*test)) {
            Some(l) => format!(
                "{} ({})",
                l.limit.describe(&l.unit),
                edition.map_or("", |e| e.name.as_str())
            ),
            None => format!(
                "No limit for {} in {}",
                humanize(test.as_str()).to_lowercase(),
                edition.map_or("the edition in force", |e| e.name.as_str())
            ),
        }),
    }
}

fn verdict_code(v: Verdict) -> &'static str {
    v.as_str()
}

/// Judges what was typed for `item` with the domain's own rule, as it is
/// typed; the core judges again on save.
pub fn judge_input(
    item: &ChecklistItem,
    raw: &str,
    edition: Option<&SafetyEdition>,
) -> ReadingView {
    let limit = limit_text(item, edition);
    let t = raw.trim();
    let blank = ReadingView {
        verdict: "na",
        text: "Not entered".into(),
        limit: limit.clone(),
        answer: None,
        problem: None,
    };
    if t.is_empty() {
        return blank;
    }
    let lower = t.to_ascii_lowercase();
    let answer = match lower.as_str() {
        "na" | "n/a" | "n.a." => Answer::Verdict(Verdict::NotApplicable),
        "pass" | "p" | "ok" => Answer::Verdict(Verdict::Pass),
        "fail" | "f" => Answer::Verdict(Verdict::Fail),
        _ => match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Answer::Value(v),
            _ => {
                return ReadingView {
                    verdict: "fail",
                    text: "Not a number".into(),
                    limit,
                    answer: None,
                    problem: Some(format!("{}: '{t}' is not a number.", item.prompt)),
                };
            }
        },
    };
    match judge(item, answer, edition) {
        Ok((_, _, _, v)) => ReadingView {
            verdict: verdict_code(v),
            text: match v {
                Verdict::Pass => "Pass".into(),
                Verdict::Fail => "Fail".into(),
                Verdict::NotApplicable => "Not applicable".into(),
            },
            limit,
            answer: Some(answer),
            problem: None,
        },
        Err(e) => ReadingView {
            verdict: "fail",
            text: "Can't judge".into(),
            limit,
            answer: None,
            problem: Some(format!("{}: {e}.", item.prompt)),
        },
    }
}

/// Closure codes grouped the way the picker shows them: the failed part
/// of the device, then every closure that is not a device failure (no
/// problem found, use error, abuse or damage, accessory, network, and
/// preventive only where the domain allows it: not on corrective work).
pub fn closure_groups(kind: WorkOrderKind) -> Vec<(&'static str, Vec<ClosureCode>)> {
    let mut other = vec![
        ClosureCode::CouldNotDuplicate,
        ClosureCode::UseError,
        ClosureCode::AbuseDamage,
        ClosureCode::AccessoryOrSupply,
        ClosureCode::NetworkIt,
    ];
    if kind != WorkOrderKind::Corrective {
        other.push(ClosureCode::PreventiveOnly);
    }
    vec![
        (
            "Device failure: which part failed?",
            FailureArea::ALL
                .iter()
                .map(|a| ClosureCode::DeviceFailure(*a))
                .collect(),
        ),
        ("No device failure", other),
    ]
}

/// A closure code's button text inside its group.
pub fn closure_button_label(c: ClosureCode) -> String {
    match c {
        ClosureCode::DeviceFailure(a) => humanize(a.as_str()),
        other => other.label(),
    }
}

/// The part of the form a message belongs to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Area {
    Labor,
    Parts,
    /// Saving, completing, steps and attempts.
    #[default]
    Record,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct WoForm {
    pub labor_minutes: String,
    pub labor_note: String,
    pub timer: LaborTimer,
    /// Labor added but not yet saved.
    pub labor: Vec<Labor>,
    pub part: PartFields,
    /// Parts added but not yet saved.
    pub parts: Vec<Part>,
    /// What was typed per checklist item key.
    pub readings: BTreeMap<String, String>,
    pub note: String,
    pub findings: String,
    pub closure: Option<ClosureCode>,
    /// The signature pad's path, once signed.
    pub signature: Option<String>,
    pub attempt_note: String,
    /// The last problem with an entry (labor, part, save).
    pub message: Option<String>,
    /// Where that problem shows: beside the entry it is about.
    pub message_area: Area,
    /// What the last save did, e.g. "Saved.".
    pub notice: Option<String>,
    /// What completion still needs, after the technician tried.
    pub missing: Vec<String>,
    pub busy: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum WoAction {
    LaborMinutes(String),
    LaborNote(String),
    AddLabor,
    RemoveLabor(usize),
    /// Start or stop the labor timer at this instant (ms).
    ToggleTimer(f64),
    PartNumber(String),
    PartDescription(String),
    PartQuantity(String),
    PartCost(String),
    AddPart,
    RemovePart(usize),
    Reading(String, String),
    Note(String),
    Findings(String),
    Closure(ClosureCode),
    Signature(Option<String>),
    AttemptNote(String),
    Message(Option<String>),
    Missing(Vec<String>),
    Busy(bool),
    /// The shell saved the pending record: clear what was sent.
    Recorded,
}

impl WoForm {
    pub fn reduce(mut self, a: WoAction) -> WoForm {
        match a {
            WoAction::LaborMinutes(s) => {
                self.labor_minutes = s;
                self.message = None;
            }
            WoAction::LaborNote(s) => self.labor_note = s,
            WoAction::AddLabor => match parse_minutes(&self.labor_minutes) {
                Ok(minutes) => {
                    self.labor.push(Labor {
                        minutes,
                        note: self.labor_note.trim().to_string(),
                    });
                    self.labor_minutes.clear();
                    self.labor_note.clear();
                    self.message = None;
                }
                Err(m) => {
                    self.message = Some(m);
                    self.message_area = Area::Labor;
                }
            },
            WoAction::RemoveLabor(i) => {
                if i < self.labor.len() {
                    self.labor.remove(i);
                }
            }
            WoAction::ToggleTimer(now) => {
                if let Some(add) = self.timer.toggle(now) {
                    let typed = self.labor_minutes.trim().parse::<u32>().unwrap_or(0);
                    self.labor_minutes = (typed + add).to_string();
                    self.message = None;
                }
            }
            WoAction::PartNumber(s) => self.part.number = s,
            WoAction::PartDescription(s) => self.part.description = s,
            WoAction::PartQuantity(s) => self.part.quantity = s,
            WoAction::PartCost(s) => {
                self.part.cost = s;
                self.message = None;
            }
            WoAction::AddPart => match self.part.parse() {
                Ok(p) => {
                    self.parts.push(p);
                    self.part = PartFields::default();
                    self.message = None;
                }
                Err(m) => {
                    self.message = Some(m);
                    self.message_area = Area::Parts;
                }
            },
            WoAction::RemovePart(i) => {
                if i < self.parts.len() {
                    self.parts.remove(i);
                }
            }
            WoAction::Reading(key, raw) => {
                self.readings.insert(key, raw);
            }
            WoAction::Note(s) => self.note = s,
            WoAction::Findings(s) => self.findings = s,
            WoAction::Closure(c) => {
                self.closure = Some(c);
                self.missing.clear();
            }
            WoAction::Signature(s) => {
                self.signature = s;
                self.missing.clear();
            }
            WoAction::AttemptNote(s) => self.attempt_note = s,
            WoAction::Message(m) => {
                self.message = m;
                self.message_area = Area::Record;
                self.notice = None;
            }
            WoAction::Missing(m) => self.missing = m,
            WoAction::Busy(b) => {
                self.busy = b;
                if b {
                    self.notice = None;
                }
            }
            WoAction::Recorded => {
                self.labor.clear();
                self.labor_minutes.clear();
                self.labor_note.clear();
                self.timer = LaborTimer::default();
                self.parts.clear();
                self.part = PartFields::default();
                self.readings.clear();
                self.note.clear();
                self.message = None;
                self.busy = false;
                self.notice = Some("Saved.".into());
            }
        }
        self
    }

    /// Everything entered but not yet saved, as one record: added labor and
    /// parts, minutes or a part still in their fields (a running timer is
    /// stopped at `now_ms`), typed readings and the note. Errors name each
    /// entry that cannot be sent as typed.
    pub fn pending_record(
        &self,
        checklist: &[ChecklistItem],
        edition: Option<&SafetyEdition>,
        now_ms: f64,
    ) -> Result<WorkRecord, Vec<String>> {
        let mut problems = Vec::new();
        let mut me = self.clone();
        if me.timer.is_running() {
            me = me.reduce(WoAction::ToggleTimer(now_ms));
        }
        let mut labor = me.labor.clone();
        if !me.labor_minutes.trim().is_empty() {
            match parse_minutes(&me.labor_minutes) {
                Ok(minutes) => labor.push(Labor {
                    minutes,
                    note: me.labor_note.trim().to_string(),
                }),
                // A timer stopped under half a minute leaves "0": nothing to record.
                Err(_) if me.labor_minutes.trim() == "0" => {}
                Err(m) => problems.push(m),
            }
        }
        let mut parts = me.parts.clone();
        if !me.part.is_blank() {
            match me.part.parse() {
                Ok(p) => parts.push(p),
                Err(m) => problems.push(m),
            }
        }
        let mut readings = Vec::new();
        for item in checklist {
            let Some(raw) = me.readings.get(&item.key) else {
                continue;
            };
            let view = judge_input(item, raw, edition);
            if let Some(p) = view.problem {
                problems.push(p);
            } else if let Some(answer) = view.answer {
                readings.push(ReadingArg {
                    item_key: item.key.clone(),
                    answer,
                });
            }
        }
        let note = me.note.trim();
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(WorkRecord {
            labor,
            parts,
            readings,
            note: (!note.is_empty()).then(|| note.to_string()),
        })
    }

    /// What completing still needs, in the order the technician fixes it.
    pub fn missing_for_completion(
        &self,
        kind: WorkOrderKind,
        status: WorkOrderStatus,
    ) -> Vec<String> {
        let mut m = Vec::new();
        match status {
            WorkOrderStatus::InProgress => {}
            WorkOrderStatus::Open => m.push("Start the work order first.".to_string()),
            s if s.is_on_hold() => m.push("Resume the work order first.".to_string()),
            s => m.push(format!(
                "This work order is already {}.",
                humanize(s.as_str()).to_lowercase()
            )),
        }
        match self.closure {
            None => m.push("Pick a closure code.".into()),
            Some(ClosureCode::PreventiveOnly) if kind == WorkOrderKind::Corrective => m.push(
                "\"Preventive maintenance only\" does not close a corrective work order; pick another closure code.".into(),
            ),
            Some(_) => {}
        }
        if self.signature.is_none() {
            m.push("Sign on the signature pad.".into());
        }
        m
    }

    /// The `Complete` to send, or everything still missing.
    pub fn complete_args(
        &self,
        number: &str,
        kind: WorkOrderKind,
        status: WorkOrderStatus,
        checklist: &[ChecklistItem],
        edition: Option<&SafetyEdition>,
        now_ms: f64,
    ) -> Result<Complete, Vec<String>> {
        let mut missing = self.missing_for_completion(kind, status);
        let record = self.pending_record(checklist, edition, now_ms);
        if let Err(problems) = &record {
            missing.extend(problems.iter().cloned());
        }
        match (missing.is_empty(), record, self.closure) {
            (true, Ok(record), Some(closure)) => Ok(Complete {
                number: number.to_string(),
                findings: self.findings.trim().to_string(),
                closure,
                record,
                signature: self.signature.clone(),
            }),
            _ => Err(missing),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_domain::checklist::{Limit, SafetyLimit, SafetyTest};
    use biomend_domain::ids::SafetyEditionId;

    const MIN: f64 = 60_000.0;

    fn items() -> Vec<ChecklistItem> {
        vec![
            ChecklistItem {
                key: "housing".into(),
                prompt: "Housing intact".into(),
                kind: ItemKind::PassFail,
            },
            ChecklistItem {
                key: "flow".into(),
                prompt: "Flow accuracy".into(),
                kind: ItemKind::Measurement {
                    unit: "%".into(),
                    limit: Limit::between(-5.0, 5.0),
                },
            },
            ChecklistItem {
                key: "touch_open".into(),
                prompt: "Touch current, ground open".into(),
                kind: ItemKind::Safety {
                    test: SafetyTest::TouchCurrentGroundOpen,
                },
            },
        ]
    }

    fn nfpa_2012() -> SafetyEdition {
        SafetyEdition {
            id: SafetyEditionId::new(0, [0; 10]),
            name: "NFPA 99-2012".into(),
            limits: vec![SafetyLimit {
                test: SafetyTest::TouchCurrentGroundOpen,
                limit: Limit::at_most(500.0),
                unit: "µA".into(),
            }],
        }
    }

    #[test]
    fn the_timer_fills_minutes_and_carries_what_rounding_left() {
        let t0 = 1_000_000.0;
        let f = WoForm::default().reduce(WoAction::ToggleTimer(t0));
        assert!(f.timer.is_running());
        assert_eq!(f.timer.elapsed_text(t0 + 4.0 * MIN + 7_000.0), "4:07");
        let f = f.reduce(WoAction::ToggleTimer(t0 + 10.0 * MIN));
        assert!(!f.timer.is_running());
        assert_eq!(f.labor_minutes, "10");
        // 4 min 40 s rounds to 5 and owes 20 s to the next run...
        let f = f
            .reduce(WoAction::ToggleTimer(t0 + 20.0 * MIN))
            .reduce(WoAction::ToggleTimer(t0 + 24.0 * MIN + 40_000.0));
        assert_eq!(f.labor_minutes, "15");
        // ...so another 4 min 40 s adds only 4: 9 min 20 s in all.
        let f = f
            .reduce(WoAction::ToggleTimer(t0 + 30.0 * MIN))
            .reduce(WoAction::ToggleTimer(t0 + 34.0 * MIN + 40_000.0));
        assert_eq!(f.labor_minutes, "19");
        // Typed minutes are kept and the timer adds to them.
        let f = WoForm::default()
            .reduce(WoAction::LaborMinutes("30".into()))
            .reduce(WoAction::ToggleTimer(t0))
            .reduce(WoAction::ToggleTimer(t0 + 2.0 * MIN));
        assert_eq!(f.labor_minutes, "32");
    }

    #[test]
    fn labor_minutes_are_checked_when_added() {
        let f = WoForm::default()
            .reduce(WoAction::LaborMinutes("abc".into()))
            .reduce(WoAction::AddLabor);
        assert!(f.message.as_deref().unwrap().contains("whole number"));
        assert_eq!(f.message_area, Area::Labor);
        assert!(f.labor.is_empty());
        let f = f
            .reduce(WoAction::LaborMinutes("2000".into()))
            .reduce(WoAction::AddLabor);
        assert!(f.labor.is_empty(), "over one 16-hour shift");
        let f = f
            .reduce(WoAction::LaborMinutes(" 45 ".into()))
            .reduce(WoAction::LaborNote("swapped battery".into()))
            .reduce(WoAction::AddLabor);
        assert_eq!(
            f.labor,
            vec![Labor {
                minutes: 45,
                note: "swapped battery".into()
            }]
        );
        assert_eq!((f.labor_minutes.as_str(), f.message.as_ref()), ("", None));
    }

    #[test]
    fn parts_parse_dollars_to_cents_and_refuse_bad_input_with_a_message() {
        let f = WoForm::default()
            .reduce(WoAction::PartNumber("BAT-7".into()))
            .reduce(WoAction::PartDescription("Battery pack".into()))
            .reduce(WoAction::PartQuantity("2".into()))
            .reduce(WoAction::PartCost("$12.50".into()))
            .reduce(WoAction::AddPart);
        assert_eq!(f.message, None);
        assert_eq!(f.parts.len(), 1);
        assert_eq!(f.parts[0].unit_cost, Some(Money(1250)));
        assert_eq!(f.parts[0].quantity, 2);
        assert_eq!(
            f.part,
            PartFields::default(),
            "fields clear for the next part"
        );

        let bad = f
            .reduce(WoAction::PartNumber("FUSE".into()))
            .reduce(WoAction::PartCost("12.5.0".into()))
            .reduce(WoAction::AddPart);
        assert_eq!(bad.parts.len(), 1);
        assert!(
            bad.message
                .as_deref()
                .unwrap()
                .contains("'12.5.0' is not an amount")
        );
        assert_eq!(bad.part.number, "FUSE", "what was typed stays to fix");

        let neg = bad
            .reduce(WoAction::PartCost("-3".into()))
            .reduce(WoAction::AddPart);
        assert!(neg.message.as_deref().unwrap().contains("negative"));
        let qty = neg
            .reduce(WoAction::PartCost("".into()))
            .reduce(WoAction::PartQuantity("0".into()))
            .reduce(WoAction::AddPart);
        assert!(qty.message.as_deref().unwrap().contains("Quantity"));
        let nothing = WoForm::default().reduce(WoAction::AddPart);
        assert!(nothing.message.as_deref().unwrap().contains("part number"));
        assert_eq!(nothing.message_area, Area::Parts);
        // No cost and no quantity: one part, cost unknown.
        let ok = qty
            .reduce(WoAction::PartQuantity("".into()))
            .reduce(WoAction::AddPart);
        assert_eq!(ok.parts[1].quantity, 1);
        assert_eq!(ok.parts[1].unit_cost, None);
    }

    #[test]
    fn readings_are_judged_against_their_limits_as_they_are_typed() {
        let items = items();
        let e = nfpa_2012();
        let flow = &items[1];
        let v = judge_input(flow, "3.2", Some(&e));
        assert_eq!((v.verdict, v.limit.as_deref()), ("pass", Some("-5–5 %")));
        assert_eq!(judge_input(flow, "-5.1", Some(&e)).verdict, "fail");
        assert_eq!(judge_input(flow, "", Some(&e)).verdict, "na");
        assert_eq!(judge_input(flow, "", Some(&e)).answer, None);
        let nan = judge_input(flow, "3,2x", Some(&e));
        assert_eq!(nan.verdict, "fail");
        assert!(nan.problem.unwrap().contains("not a number"));
        assert_eq!(judge_input(flow, "N/A", Some(&e)).verdict, "na");

        let touch = &items[2];
        let v = judge_input(touch, "450", Some(&e));
        assert_eq!(v.verdict, "pass");
        assert_eq!(v.limit.as_deref(), Some("≤ 500 µA (NFPA 99-2012)"));
        assert_eq!(judge_input(touch, "501", Some(&e)).verdict, "fail");
        // No edition in force: the safety reading cannot be judged or saved.
        let none = judge_input(touch, "450", None);
        assert!(none.problem.is_some());
        assert!(none.limit.unwrap().starts_with("No limit"));

        let housing = &items[0];
        assert_eq!(judge_input(housing, "fail", None).verdict, "fail");
        assert_eq!(judge_input(housing, "pass", None).verdict, "pass");
        assert!(judge_input(housing, "12", None).problem.is_some());
    }

    #[test]
    fn the_pending_record_gathers_every_unsaved_entry() {
        let items = items();
        let e = nfpa_2012();
        let t0 = 5_000_000.0;
        let f = WoForm::default()
            .reduce(WoAction::LaborMinutes("20".into()))
            .reduce(WoAction::AddLabor)
            .reduce(WoAction::ToggleTimer(t0))
            .reduce(WoAction::PartNumber("BAT-7".into()))
            .reduce(WoAction::Reading("flow".into(), "1.5".into()))
            .reduce(WoAction::Reading("housing".into(), "pass".into()))
            .reduce(WoAction::Reading("touch_open".into(), " ".into()))
            .reduce(WoAction::Note("  ".into()));
        let r = f.pending_record(&items, Some(&e), t0 + 7.0 * MIN).unwrap();
        let minutes: Vec<u32> = r.labor.iter().map(|l| l.minutes).collect();
        assert_eq!(minutes, [20, 7], "the running timer's minutes are included");
        assert_eq!(r.parts.len(), 1, "a part still in its fields is included");
        let keys: Vec<&str> = r.readings.iter().map(|r| r.item_key.as_str()).collect();
        assert_eq!(keys, ["housing", "flow"], "blank readings are skipped");
        assert_eq!(r.readings[1].answer, Answer::Value(1.5));
        assert_eq!(r.note, None);

        let bad = f
            .clone()
            .reduce(WoAction::Reading("flow".into(), "abc".into()));
        let errs = bad.pending_record(&items, Some(&e), t0).unwrap_err();
        assert_eq!(
            errs,
            vec!["Flow accuracy: 'abc' is not a number.".to_string()]
        );

        let saved = f.reduce(WoAction::Recorded);
        assert_eq!(saved.notice.as_deref(), Some("Saved."));
        assert!(
            saved
                .pending_record(&items, Some(&e), t0)
                .unwrap()
                .is_empty()
        );
        assert!(!saved.timer.is_running());
    }

    #[test]
    fn completion_needs_a_closure_code_and_a_signature_and_says_what_is_missing() {
        let items = items();
        let kind = WorkOrderKind::Corrective;
        let f = WoForm::default().reduce(WoAction::Findings(" replaced battery ".into()));
        let missing = f
            .complete_args("WO-1", kind, WorkOrderStatus::InProgress, &items, None, 0.0)
            .unwrap_err();
        assert_eq!(
            missing,
            vec![
                "Pick a closure code.".to_string(),
                "Sign on the signature pad.".to_string()
            ]
        );
        let open = f
            .complete_args("WO-1", kind, WorkOrderStatus::Open, &items, None, 0.0)
            .unwrap_err();
        assert_eq!(open[0], "Start the work order first.");
        let f = f.reduce(WoAction::Closure(ClosureCode::PreventiveOnly));
        let wrong = f
            .complete_args("WO-1", kind, WorkOrderStatus::InProgress, &items, None, 0.0)
            .unwrap_err();
        assert!(wrong[0].contains("does not close a corrective"));
        let f = f
            .reduce(WoAction::Closure(ClosureCode::DeviceFailure(
                FailureArea::Battery,
            )))
            .reduce(WoAction::Signature(Some("M 1 1 L 5 5".into())))
            .reduce(WoAction::PartCost("lots".into()));
        let bad_part = f
            .complete_args("WO-1", kind, WorkOrderStatus::InProgress, &items, None, 0.0)
            .unwrap_err();
        assert_eq!(bad_part.len(), 1);
        assert!(bad_part[0].contains("part number"));
        let f = f.reduce(WoAction::PartCost("".into()));
        let c = f
            .complete_args("WO-1", kind, WorkOrderStatus::InProgress, &items, None, 0.0)
            .unwrap();
        assert_eq!(c.closure.code(), "failure:battery");
        assert_eq!(c.findings, "replaced battery");
        assert_eq!(c.signature.as_deref(), Some("M 1 1 L 5 5"));
        assert!(c.record.is_empty());
    }

    #[test]
    fn the_closure_picker_offers_preventive_only_where_it_is_allowed() {
        let groups = closure_groups(WorkOrderKind::Corrective);
        assert_eq!(groups[0].1.len(), FailureArea::ALL.len());
        assert!(groups[0].1.iter().all(|c| c.is_failure()));
        assert!(groups[1].1.iter().all(|c| !c.is_failure()));
        let all = |k| -> Vec<String> {
            closure_groups(k)
                .into_iter()
                .flat_map(|(_, cs)| cs)
                .map(|c| c.code())
                .collect()
        };
        let corrective = all(WorkOrderKind::Corrective);
        assert!(corrective.contains(&"failure:battery".to_string()));
        assert!(corrective.contains(&"cnd".to_string()));
        assert!(!corrective.contains(&"preventive".to_string()));
        let pm = all(WorkOrderKind::Pm);
        assert_eq!(pm.len(), ClosureCode::all().len());
        assert_eq!(
            closure_button_label(ClosureCode::DeviceFailure(FailureArea::PowerSupply)),
            "Power supply"
        );
    }
}
