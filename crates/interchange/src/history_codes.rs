//! The vocabulary of old work-history files: work-order kinds and statuses
//! as other CMMSs name them, date-times with an optional time of day, and
//! the map from an old system's closure codes onto Biomend's.
//!
//! Closure codes are never guessed: an old code is either named in the
//! [`ClosureMap`] or is one of Biomend's own codes (`cnd`,
//! `failure:battery`, ...); anything else is a row problem that says which
//! mapping entry to add.

use crate::ImportError;
use crate::fields::header_key;
use crate::values::{DateOrder, parse_date};
use biomend_domain::work_order::{
    ClosureCode, CompletionFacts, WorkOrderKind, WorkOrderStatus, check_completion,
};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Reads a work-order kind: Biomend's codes (`corrective`, `pm`,
/// `acceptance`, `recall`, `security`) and the words other systems use
/// ("Repair", "CM", "Scheduled Maintenance", "SM", "Incoming Inspection",
/// "Hazard Alert", "Patch", ...). Case, spaces and punctuation are ignored.
pub fn parse_history_kind(s: &str) -> Option<WorkOrderKind> {
    if let Some(k) = WorkOrderKind::parse(s) {
        return Some(k);
    }
    let k = header_key(s);
    let is = |words: &[&str]| words.contains(&k.as_str());
    if is(&[
        "cm",
        "repair",
        "repairs",
        "correctivemaintenance",
        "unscheduled",
        "unscheduledmaintenance",
        "unscheduledrepair",
        "breakdown",
        "servicecall",
        "service",
        "troubleshoot",
        "troubleshooting",
        "demand",
        "demandmaintenance",
        "failure",
    ]) {
        Some(WorkOrderKind::Corrective)
    } else if is(&[
        "sm",
        "ipm",
        "pmi",
        "preventive",
        "preventivemaintenance",
        "preventative",
        "preventativemaintenance",
        "scheduled",
        "scheduledmaintenance",
        "plannedmaintenance",
        "periodicmaintenance",
        "inspection",
        "safetyinspection",
        "pminspection",
    ]) {
        Some(WorkOrderKind::Pm)
    } else if is(&[
        "incominginspection",
        "incoming",
        "ii",
        "acceptanceinspection",
        "acceptancetest",
        "acceptancetesting",
        "initialinspection",
        "newequipment",
        "newequipmentinspection",
        "installation",
        "install",
    ]) {
        Some(WorkOrderKind::Acceptance)
    } else if is(&[
        "alert",
        "hazard",
        "hazardalert",
        "safetyalert",
        "recallalert",
        "fieldaction",
        "fieldcorrection",
        "fieldsafetynotice",
        "fsca",
        "fsn",
        "retrofit",
    ]) {
        Some(WorkOrderKind::Recall)
    } else if is(&[
        "patch",
        "patching",
        "securitypatch",
        "cyber",
        "cybersecurity",
        "vulnerability",
        "remediation",
        "securityremediation",
    ]) {
        Some(WorkOrderKind::Security)
    } else {
        None
    }
}

/// Where a past work order stands, as the file says or as its dates show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HistoryStatus {
    /// Done: has a completion date and (after mapping) a closure code.
    Completed,
    /// Still open in the old system: imported as open work.
    Open,
    /// Cancelled, void or a duplicate: kept, counted nowhere.
    Cancelled,
}

impl HistoryStatus {
    /// Every status, for messages.
    pub const ALL: &'static [HistoryStatus] = &[
        HistoryStatus::Completed,
        HistoryStatus::Open,
        HistoryStatus::Cancelled,
    ];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryStatus::Completed => "completed",
            HistoryStatus::Open => "open",
            HistoryStatus::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for HistoryStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads a work-order status as old systems write it: completed, closed,
/// done, signed off; open, in progress, on hold, awaiting parts;
/// cancelled, void, duplicate.
pub fn parse_history_status(s: &str) -> Option<HistoryStatus> {
    let k = header_key(s);
    let is = |words: &[&str]| words.contains(&k.as_str());
    if is(&[
        "completed",
        "complete",
        "closed",
        "close",
        "done",
        "finished",
        "resolved",
        "signedoff",
        "signed",
        "reviewed",
    ]) {
        Some(HistoryStatus::Completed)
    } else if is(&[
        "open",
        "opened",
        "new",
        "assigned",
        "inprogress",
        "active",
        "pending",
        "onhold",
        "hold",
        "onholdparts",
        "onholdvendor",
        "awaitingparts",
        "waitingparts",
        "waitingforparts",
        "awaitingvendor",
        "waitingvendor",
        "waitingforvendor",
    ]) {
        Some(HistoryStatus::Open)
    } else if is(&[
        "cancelled",
        "canceled",
        "cancel",
        "void",
        "voided",
        "deleted",
        "duplicate",
        "dup",
    ]) {
        Some(HistoryStatus::Cancelled)
    } else {
        None
    }
}

/// A date with an optional time of day, as old exports write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocalStamp {
    /// The calendar date, local to the hospital.
    pub date: NaiveDate,
    /// The time of day when the file gives one.
    pub time: Option<NaiveTime>,
}

/// The time a date-only value stands for. Noon keeps the calendar date
/// when the planner converts to UTC with any offset within ±12 hours, so
/// a PM due window or a report period never shifts a day; a repair opened
/// and closed on the same date lasts zero hours, one closed the next day
/// lasts 24.
pub const DATE_ONLY_TIME: NaiveTime = match NaiveTime::from_hms_opt(12, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

impl LocalStamp {
    /// The local date and time, noon for a date-only value
    /// ([`DATE_ONLY_TIME`]).
    pub fn local(self) -> NaiveDateTime {
        self.date.and_time(self.time.unwrap_or(DATE_ONLY_TIME))
    }
}

/// Parses `2023-04-05`, `4/5/2023 14:30`, `04/05/23 2:30 PM`,
/// `2023-04-05T14:30:00`, `2023-04-05 14:30:00.000`. The date is read as
/// [`parse_date`] reads it; the time is wall-clock time at the hospital,
/// and a trailing `Z` or UTC offset is ignored (old exports do not write
/// them, and the planner converts with the site's offset).
pub fn parse_stamp(s: &str, order: DateOrder) -> Result<LocalStamp, String> {
    let t = s.trim();
    let (date_part, time_part) = match t.find(['T', ' ']) {
        Some(i) => (&t[..i], t[i + 1..].trim()),
        None => (t, ""),
    };
    let date = parse_date(date_part, order)?;
    if time_part.is_empty() {
        return Ok(LocalStamp { date, time: None });
    }
    let time = parse_time(time_part).ok_or_else(|| {
        "is not a date and time (the time should look like 14:30, 14:30:00 or 2:30 PM)".to_string()
    })?;
    Ok(LocalStamp {
        date,
        time: Some(time),
    })
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    let mut t = s.trim().to_ascii_uppercase();
    // Drop a UTC marker or offset: "14:30:00Z", "14:30:00+00:00".
    if let Some(stripped) = t.strip_suffix('Z') {
        t = stripped.to_string();
    } else if let Some(i) = t.rfind(['+', '-'])
        && i > 0
    {
        t.truncate(i);
    }
    let (clock, pm) = if let Some(x) = t.strip_suffix("PM") {
        (x.trim().to_string(), Some(true))
    } else if let Some(x) = t.strip_suffix("AM") {
        (x.trim().to_string(), Some(false))
    } else {
        (t.trim().to_string(), None)
    };
    let mut parts = clock.split(':');
    let h: u32 = parts.next()?.trim().parse().ok()?;
    let m: u32 = parts.next()?.trim().parse().ok()?;
    let sec: u32 = match parts.next() {
        Some(p) => {
            let whole = p.split('.').next()?;
            whole.trim().parse().ok()?
        }
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    let h = match pm {
        Some(true) if (1..=11).contains(&h) => h + 12,
        Some(true) if h == 12 => 12,
        Some(false) if h == 12 => 0,
        Some(false) if (1..=11).contains(&h) => h,
        Some(_) => return None,
        None => h,
    };
    NaiveTime::from_hms_opt(h, m, sec)
}

/// What an old closure code becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClosureTarget {
    /// One of Biomend's closure codes.
    Code(ClosureCode),
    /// The old code marks cancelled work ("DUP", "VOID"): the row is
    /// imported as a cancelled work order without a closure code.
    Cancelled,
}

impl ClosureTarget {
    /// Parses a target as a mapping writes it: a Biomend code, or
    /// `cancelled`.
    pub fn parse(s: &str) -> Option<ClosureTarget> {
        let k = s.trim();
        if k.eq_ignore_ascii_case("cancelled") || k.eq_ignore_ascii_case("canceled") {
            return Some(ClosureTarget::Cancelled);
        }
        ClosureCode::parse(k).map(ClosureTarget::Code)
    }
}

impl std::fmt::Display for ClosureTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClosureTarget::Code(c) => write!(f, "{c}"),
            ClosureTarget::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// True when Biomend accepts `code` on completed work of `kind`, by the
/// domain's completion rule (`check_completion`): today only
/// `preventive` on a corrective work order is refused.
pub fn closure_fits(code: ClosureCode, kind: WorkOrderKind) -> bool {
    check_completion(&CompletionFacts {
        kind,
        status: WorkOrderStatus::InProgress,
        closure: Some(code),
        has_signature: true,
    })
    .is_ok()
}

/// Biomend's closure codes that fit `kind`, for messages.
pub fn codes_for_kind(kind: WorkOrderKind) -> Vec<String> {
    ClosureCode::all()
        .into_iter()
        .filter(|c| closure_fits(*c, kind))
        .map(|c| c.code())
        .collect()
}

/// Folds an old code for lookup: trimmed, upper case, inner whitespace
/// collapsed, so `f12`, `F12 ` and `F12` are one code.
pub fn closure_key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// Old closure codes → Biomend's, and the code a completed row of a kind
/// gets when its closure cell is blank.
///
/// Lookup order for a row's code: an explicit entry, then Biomend's own
/// codes as they are (so a file already written in Biomend's codes needs
/// no map). An entry wins over Biomend's reading of the same text: a map
/// may say `NPF=accessory` if that is what NPF meant in the old system.
///
/// [`ClosureMap::default`] carries the standard defaults: a completed PM
/// or acceptance row without a code closes as `preventive`, since such
/// work is preventive by nature and no rate counts its code. Corrective,
/// recall and security rows get no default: a blank code there is a row
/// problem, because a guess would skew the failure, CND and use-error
/// rates. [`ClosureMap::empty`] has no defaults at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosureMap {
    entries: BTreeMap<String, (String, ClosureTarget)>,
    defaults: BTreeMap<WorkOrderKind, ClosureCode>,
}

impl Default for ClosureMap {
    fn default() -> Self {
        let mut m = ClosureMap::empty();
        m.set_default(WorkOrderKind::Pm, Some(ClosureCode::PreventiveOnly));
        m.set_default(WorkOrderKind::Acceptance, Some(ClosureCode::PreventiveOnly));
        m
    }
}

impl ClosureMap {
    /// No entries and no defaults.
    pub fn empty() -> Self {
        ClosureMap {
            entries: BTreeMap::new(),
            defaults: BTreeMap::new(),
        }
    }

    /// The standard defaults plus the entries of a
    /// `--closure-map "OLD=ours,OLD2=ours2"` string.
    pub fn from_spec(spec: &str) -> Result<Self, ImportError> {
        let mut m = ClosureMap::default();
        m.add_spec(spec)?;
        Ok(m)
    }

    /// Adds the entries of `"OLD=ours,OLD2=ours2"`. Old codes may not
    /// contain `,` or `=` in this form; use a file ([`ClosureMap::add_csv`])
    /// for those.
    pub fn add_spec(&mut self, spec: &str) -> Result<(), ImportError> {
        for entry in spec.split(',') {
            if entry.trim().is_empty() {
                continue;
            }
            let (old, ours) = entry
                .split_once('=')
                .ok_or_else(|| ImportError::BadMapping {
                    entry: entry.trim().to_string(),
                    reason: "expected 'OLD=ours' (e.g. F12=failure:battery)".into(),
                })?;
            self.insert_text(old, ours, entry.trim())?;
        }
        Ok(())
    }

    /// Adds the entries of a two-column CSV file `old,ours` (UTF-8 or
    /// Windows-1252, BOM allowed). A first row whose second cell reads
    /// `ours`, `biomend`, `code`, `closure code`, `to` or `new` is a header
    /// and skipped; blank rows and rows starting with `#` are skipped.
    pub fn add_csv(&mut self, input: impl std::io::Read) -> Result<(), ImportError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut record = csv::ByteRecord::new();
        let mut row = 0u64;
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    return Err(ImportError::BadMapping {
                        entry: format!("closure map row {}", row + 1),
                        reason: format!("cannot read the file: {e}"),
                    });
                }
            }
            row += 1;
            let cell = |i: usize| -> String {
                let mut b = record.get(i).unwrap_or_default();
                if i == 0 && row == 1 {
                    b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
                }
                crate::values::decode(b).trim().to_string()
            };
            let (old, ours) = (cell(0), cell(1));
            if old.is_empty() && ours.is_empty() || old.starts_with('#') {
                continue;
            }
            if row == 1
                && matches!(
                    header_key(&ours).as_str(),
                    "ours" | "biomend" | "biomendcode" | "code" | "closurecode" | "to" | "new"
                )
            {
                continue;
            }
            if record.len() > 2 && (2..record.len()).any(|i| !cell(i).is_empty()) {
                return Err(ImportError::BadMapping {
                    entry: format!("closure map row {row}"),
                    reason: "has more than two columns (expected old,ours)".into(),
                });
            }
            self.insert_text(&old, &ours, &format!("closure map row {row}: {old},{ours}"))?;
        }
        Ok(())
    }

    fn insert_text(&mut self, old: &str, ours: &str, entry: &str) -> Result<(), ImportError> {
        let target = ClosureTarget::parse(ours).ok_or_else(|| ImportError::BadMapping {
            entry: entry.to_string(),
            reason: format!(
                "'{}' is not a Biomend closure code; codes are: {}, or 'cancelled'",
                ours.trim(),
                all_codes()
            ),
        })?;
        self.insert(old, target)
            .map_err(|reason| ImportError::BadMapping {
                entry: entry.to_string(),
                reason,
            })
    }

    /// Adds one entry. Mapping one old code to two different targets is an
    /// error naming both; repeating an entry is harmless.
    pub fn insert(&mut self, old: &str, target: ClosureTarget) -> Result<(), String> {
        let key = closure_key(old);
        if key.is_empty() {
            return Err("the old code is empty".into());
        }
        if let Some((_, prev)) = self.entries.get(&key)
            && *prev != target
        {
            return Err(format!(
                "old code '{key}' is already mapped to {prev}, not {target}"
            ));
        }
        self.entries.insert(key, (old.trim().to_string(), target));
        Ok(())
    }

    /// Sets (or with `None` removes) the code a completed row of `kind`
    /// gets when its closure cell is blank. The code must fit the kind.
    pub fn set_default(&mut self, kind: WorkOrderKind, code: Option<ClosureCode>) {
        match code {
            Some(c) => {
                self.defaults.insert(kind, c);
            }
            None => {
                self.defaults.remove(&kind);
            }
        }
    }

    /// Parses `"pm=preventive,recall=preventive,acceptance=none"` into
    /// defaults (`none` removes one).
    pub fn add_defaults_spec(&mut self, spec: &str) -> Result<(), ImportError> {
        for entry in spec.split(',') {
            if entry.trim().is_empty() {
                continue;
            }
            let bad = |reason: String| ImportError::BadMapping {
                entry: entry.trim().to_string(),
                reason,
            };
            let (k, c) = entry
                .split_once('=')
                .ok_or_else(|| bad("expected 'kind=code' (e.g. pm=preventive)".into()))?;
            let kind = parse_history_kind(k).ok_or_else(|| {
                bad(format!(
                    "'{}' is not a work-order kind (corrective, pm, acceptance, recall, security)",
                    k.trim()
                ))
            })?;
            if c.trim().eq_ignore_ascii_case("none") {
                self.set_default(kind, None);
                continue;
            }
            let code = ClosureCode::parse(c).ok_or_else(|| {
                bad(format!(
                    "'{}' is not a Biomend closure code; codes are: {}",
                    c.trim(),
                    all_codes()
                ))
            })?;
            if !closure_fits(code, kind) {
                return Err(bad(format!(
                    "{code} does not fit {kind} work; codes for {kind} are: {}",
                    codes_for_kind(kind).join(", ")
                )));
            }
            self.set_default(kind, Some(code));
        }
        Ok(())
    }

    /// The default code for a completed row of `kind` without one.
    pub fn default_for(&self, kind: WorkOrderKind) -> Option<ClosureCode> {
        self.defaults.get(&kind).copied()
    }

    /// What an old code means: an entry, else Biomend's own code.
    pub fn lookup(&self, old: &str) -> Option<ClosureTarget> {
        self.entries
            .get(&closure_key(old))
            .map(|(_, t)| *t)
            .or_else(|| ClosureTarget::parse(old))
    }

    /// The entries as (old code as given, target), sorted by folded code.
    pub fn entries(&self) -> impl Iterator<Item = (&str, ClosureTarget)> {
        self.entries.values().map(|(o, t)| (o.as_str(), *t))
    }

    /// The defaults per kind.
    pub fn defaults(&self) -> impl Iterator<Item = (WorkOrderKind, ClosureCode)> + '_ {
        self.defaults.iter().map(|(k, c)| (*k, *c))
    }
}

pub(crate) fn all_codes() -> String {
    ClosureCode::all()
        .into_iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_domain::work_order::FailureArea;

    #[test]
    fn old_kind_words() {
        for (w, k) in [
            ("Repair", WorkOrderKind::Corrective),
            ("CM", WorkOrderKind::Corrective),
            ("corrective", WorkOrderKind::Corrective),
            ("Scheduled Maintenance", WorkOrderKind::Pm),
            ("SM", WorkOrderKind::Pm),
            ("PM", WorkOrderKind::Pm),
            ("Incoming Inspection", WorkOrderKind::Acceptance),
            ("Hazard Alert", WorkOrderKind::Recall),
            ("Patch", WorkOrderKind::Security),
        ] {
            assert_eq!(parse_history_kind(w), Some(k), "{w}");
        }
        assert_eq!(parse_history_kind("Lunch"), None);
    }

    #[test]
    fn stamps_with_and_without_time() {
        let us = DateOrder::Us;
        let d = NaiveDate::from_ymd_opt(2023, 4, 5).unwrap();
        let t = |h, m| Some(NaiveTime::from_hms_opt(h, m, 0).unwrap());
        assert_eq!(
            parse_stamp("4/5/2023", us),
            Ok(LocalStamp {
                date: d,
                time: None
            })
        );
        assert_eq!(parse_stamp("4/5/2023 14:30", us).unwrap().time, t(14, 30));
        assert_eq!(parse_stamp("4/5/2023 2:30 PM", us).unwrap().time, t(14, 30));
        assert_eq!(parse_stamp("4/5/2023 12:05 AM", us).unwrap().time, t(0, 5));
        assert_eq!(
            parse_stamp("2023-04-05T14:30:00Z", us).unwrap().time,
            t(14, 30)
        );
        assert_eq!(
            parse_stamp("2023-04-05 14:30:00.000", us).unwrap().time,
            t(14, 30)
        );
        assert!(parse_stamp("4/5/2023 25:00", us).is_err());
        assert!(parse_stamp("4/5/2023 13:00 PM", us).is_err());
        assert!(parse_stamp("2/30/2023", us).is_err());
        assert_eq!(
            parse_stamp("4/5/2023", us).unwrap().local().time(),
            DATE_ONLY_TIME
        );
    }

    #[test]
    fn closure_map_lookup_order_and_conflicts() {
        let mut m =
            ClosureMap::from_spec("F12=failure:battery, npf = accessory,DUP=cancelled").unwrap();
        assert_eq!(
            m.lookup("f12"),
            Some(ClosureTarget::Code(ClosureCode::DeviceFailure(
                FailureArea::Battery
            )))
        );
        // An entry wins over Biomend's own reading of the same text.
        assert_eq!(
            m.lookup("NPF"),
            Some(ClosureTarget::Code(ClosureCode::AccessoryOrSupply))
        );
        assert_eq!(
            m.lookup("cnd"),
            Some(ClosureTarget::Code(ClosureCode::CouldNotDuplicate))
        );
        assert_eq!(m.lookup("dup"), Some(ClosureTarget::Cancelled));
        assert_eq!(m.lookup("F13"), None);
        assert!(m.add_spec("F12=cnd").is_err());
        assert!(m.add_spec("F12=failure:battery").is_ok());
        assert!(m.add_spec("F14=warp").is_err());
        assert!(m.add_spec("F14").is_err());
        assert_eq!(
            m.default_for(WorkOrderKind::Pm),
            Some(ClosureCode::PreventiveOnly)
        );
        assert_eq!(m.default_for(WorkOrderKind::Corrective), None);
        assert!(m.add_defaults_spec("corrective=preventive").is_err());
        m.add_defaults_spec("recall=preventive,pm=none").unwrap();
        assert_eq!(
            m.default_for(WorkOrderKind::Recall),
            Some(ClosureCode::PreventiveOnly)
        );
        assert_eq!(m.default_for(WorkOrderKind::Pm), None);
    }

    #[test]
    fn closure_map_from_csv() {
        let file =
            "\u{feff}old,ours\r\nF12,failure:battery\r\n\r\n# comment,x\r\n\"A,B\",use_error\r\n";
        let mut m = ClosureMap::empty();
        m.add_csv(file.as_bytes()).unwrap();
        assert_eq!(m.entries().count(), 2);
        assert_eq!(
            m.lookup("A,B"),
            Some(ClosureTarget::Code(ClosureCode::UseError))
        );
        let bad = "F12,failure:battery\nF13,nope\n";
        let e = ClosureMap::empty().add_csv(bad.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("row 2"), "{e}");
    }

    #[test]
    fn fit_follows_the_domain_rule() {
        assert!(!closure_fits(
            ClosureCode::PreventiveOnly,
            WorkOrderKind::Corrective
        ));
        assert!(closure_fits(ClosureCode::PreventiveOnly, WorkOrderKind::Pm));
        assert!(closure_fits(
            ClosureCode::CouldNotDuplicate,
            WorkOrderKind::Corrective
        ));
        assert!(!codes_for_kind(WorkOrderKind::Corrective).contains(&"preventive".to_string()));
    }
}
