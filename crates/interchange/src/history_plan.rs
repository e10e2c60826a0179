//! Planning an import of work history: validated [`HistoryRow`]s become
//! the domain's [`WorkOrderBundle`]s, ready for the app core to write in
//! one transaction. Pure: the inventory, the numbers already used, people
//! and vendors come through [`HistoryLookup`]; ids for rows without an old
//! number come from an injected source; "now" is an option.
//!
//! What a bundle holds, per row status:
//!
//! - **completed**: the work order (status `signed_off` by the importing
//!   user at `now` when [`HistoryPlanOptions::sign_off`] is on, the
//!   default, so ten years of history do not land in the supervisor's
//!   sign-off queue; `completed` otherwise), started at its opening,
//!   with the closure code, and the technician's [`Signature`] at the
//!   completion (no pad strokes: the old system's record is the evidence),
//!   which the domain's completion rule requires;
//! - **open**: `open`, or `in_progress` from the opening when labor or
//!   costs were booked; no closure, no signature;
//! - **cancelled**: `cancelled`, no closure, no signature;
//!
//! and for all: labor (split into entries of at most the domain's
//! [`MAX_LABOR_MINUTES`]) on the completion date, or the opening date for
//! work not completed; one part use carrying the parts total; one vendor
//! charge carrying the vendor total (as its labor cost: old exports do not
//! split it); one downtime period; and a note that records where the row
//! came from (old number, file row, old closure code, technician and vendor
//! names that did not resolve).
//!
//! Ids. A work order with an old number gets an id derived from the
//! namespace and the normalised number, and its attached records ids
//! derived from the work order's, so importing the same file twice, or on
//! two devices offline, mints the same ids and the store or the server
//! sees a duplicate instead of a second copy. The ids keep the UUIDv7
//! layout every Biomend id has: the time field is the record's own time
//! (the work order's opening), the 74 "random" bits come from SHA-256 of
//! the namespace and number. Rows without a number take the work order id
//! from the injected source (attached ids still derive from it) and a
//! number `IMP-` + 16 hex digits of that id.

use crate::history::normalize_wo_number;
use crate::history::{HistoryColumnUse, HistoryDowntime, HistoryReport, HistoryRow};
use crate::history_codes::{HistoryStatus, LocalStamp};
use crate::history_fields::HistoryField;
use crate::report::Problem;
use crate::row::shorten;
use biomend_domain::dataset::WorkOrderBundle;
use biomend_domain::ids::{
    AssetId, DowntimeId, LaborId, NoteId, PartUseId, PmPlanId, SignatureId, UserId, VendorChargeId,
    VendorId, WorkOrderId, new_v7,
};
use biomend_domain::work_order::{
    CompletionFacts, Downtime, Labor, MAX_LABOR_MINUTES, PartUse, Priority, Signature,
    VendorCharge, WorkNote, WorkOrder, WorkOrderKind, WorkOrderStatus, check_completion,
};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// What the planner needs to know about an asset in the inventory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryAsset {
    /// The asset's id.
    pub id: AssetId,
    /// The PM plan its PMs follow, set on imported PM work orders so PM
    /// completion can judge them against the plan's interval.
    pub pm_plan_id: Option<PmPlanId>,
}

/// The app core's answers about the database, asked once per row.
pub trait HistoryLookup {
    /// The asset with this (normalised) tag, if the inventory has it.
    fn asset(&self, tag: &str) -> Option<HistoryAsset>;
    /// True when a work order in Biomend already has this number (as the
    /// file writes it, trimmed); such a row is a problem, not a duplicate.
    fn number_taken(&self, number: &str) -> bool;
    /// The Biomend user a technician's name (as the file writes it) stands
    /// for. `None` records the work under the importing user, with the
    /// name kept. The default resolves nobody.
    fn technician(&self, _name: &str) -> Option<UserId> {
        None
    }
    /// The Biomend vendor a vendor name stands for. The default resolves
    /// none, so vendor costs go to [`HistoryPlanOptions::fallback_vendor`].
    fn vendor(&self, _name: &str) -> Option<VendorId> {
        None
    }
}

/// Everything the planner takes from the caller besides the rows.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryPlanOptions {
    /// The time of the import: nothing may have happened after it, and it
    /// stamps the notes and the sign-off.
    pub now: DateTime<Utc>,
    /// The user running the import: creator of every work order, author of
    /// the notes, sign-off, and the technician of record when a name does
    /// not resolve.
    pub imported_by: UserId,
    /// The old system's name as notes show it ("the old CMMS").
    pub source: String,
    /// Namespace of the deterministic ids; see [`history_namespace`].
    pub namespace: Uuid,
    /// The hospital's offset from UTC, for the file's wall-clock times. A
    /// fixed offset ignores daylight saving: a time may land an hour off
    /// for part of the year, which no history measure notices.
    pub utc_offset: FixedOffset,
    /// Sign completed work off as the importing user (default true).
    pub sign_off: bool,
    /// Vendor for vendor costs whose vendor name is blank or unknown
    /// (e.g. an "outside service, imported" vendor the core creates).
    /// Without one such a row is a problem.
    pub fallback_vendor: Option<VendorId>,
}

impl HistoryPlanOptions {
    /// Options with UTC times, sign-off on and no fallback vendor.
    pub fn new(
        now: DateTime<Utc>,
        imported_by: UserId,
        source: impl Into<String>,
        namespace: Uuid,
    ) -> Self {
        HistoryPlanOptions {
            now,
            imported_by,
            source: source.into(),
            namespace,
            utc_offset: Utc.fix(),
            sign_off: true,
            fallback_vendor: None,
        }
    }
}

/// The namespace for one old system's numbers at one hospital: a UUID
/// (version 8) from SHA-256 of `scope` (e.g. the hospital's or site's id)
/// and the system's name, folded to letters and digits. Two hospitals'
/// work order 1042 get different ids; one hospital's gets the same id on
/// every device.
pub fn history_namespace(scope: Uuid, source_system: &str) -> Uuid {
    let mut h = Sha256::new();
    h.update(b"biomend/history-namespace/v1\0");
    h.update(scope.as_bytes());
    h.update(crate::fields::header_key(source_system).as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    uuid::Builder::from_custom_bytes(b).into_uuid()
}

/// The result of planning: bundles for the rows that passed, problems for
/// the rest (a row with any problem yields no bundle).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryPlan {
    /// One bundle per good row, in file order.
    pub bundles: Vec<WorkOrderBundle>,
    /// Problems, in file order.
    pub problems: Vec<Problem>,
    /// Facts worth telling the user (names that did not resolve).
    pub notes: Vec<String>,
}

/// Plans every good row of a report. For very large files use
/// [`HistoryPlanner`] row by row and write as you go.
pub fn plan_history(
    report: &HistoryReport,
    lookup: &impl HistoryLookup,
    ids: &mut impl FnMut() -> Uuid,
    opts: &HistoryPlanOptions,
) -> HistoryPlan {
    let mut planner = HistoryPlanner::new(opts, &report.columns);
    let mut plan = HistoryPlan::default();
    for row in &report.good {
        match planner.plan_row(row, lookup, ids) {
            Ok(b) => plan.bundles.push(b),
            Err(p) => plan.problems.extend(p),
        }
    }
    plan.notes = planner.finish();
    plan
}

/// Plans rows one at a time, remembering the numbers it has handed out so
/// two rows (from one file or several) never share one.
#[derive(Debug)]
pub struct HistoryPlanner<'o> {
    opts: &'o HistoryPlanOptions,
    headers: HashMap<HistoryField, String>,
    numbers: HashMap<String, u64>,
    unknown_technicians: BTreeSet<String>,
    unknown_vendors: BTreeSet<String>,
}

impl<'o> HistoryPlanner<'o> {
    /// A planner; `columns` (from the report) names columns in problems.
    pub fn new(opts: &'o HistoryPlanOptions, columns: &[HistoryColumnUse]) -> Self {
        HistoryPlanner {
            opts,
            headers: columns
                .iter()
                .filter_map(|c| c.field.map(|f| (f, c.header.clone())))
                .collect(),
            numbers: HashMap::new(),
            unknown_technicians: BTreeSet::new(),
            unknown_vendors: BTreeSet::new(),
        }
    }

    /// Notes for the whole plan.
    pub fn finish(self) -> Vec<String> {
        let mut notes = Vec::new();
        let list = |s: &BTreeSet<String>| {
            let mut v: Vec<String> = s.iter().take(10).map(|n| format!("'{n}'")).collect();
            if s.len() > 10 {
                v.push(format!("and {} more", s.len() - 10));
            }
            v.join(", ")
        };
        if !self.unknown_technicians.is_empty() {
            notes.push(format!(
                "{} technician name(s) are not Biomend users; their labor and signatures are recorded under the importing user, with the name kept: {}",
                self.unknown_technicians.len(),
                list(&self.unknown_technicians)
            ));
        }
        if !self.unknown_vendors.is_empty() {
            notes.push(format!(
                "{} vendor name(s) are not Biomend vendors; their charges go to the fallback vendor, with the name kept: {}",
                self.unknown_vendors.len(),
                list(&self.unknown_vendors)
            ));
        }
        notes
    }

    fn problem(
        &self,
        row: &HistoryRow,
        f: HistoryField,
        value: Option<&str>,
        reason: String,
    ) -> Problem {
        Problem {
            line: row.line,
            column: self.headers.get(&f).cloned(),
            value: value.map(shorten),
            reason,
        }
    }

    fn to_utc(&self, s: LocalStamp) -> DateTime<Utc> {
        let local = s.local();
        match self.opts.utc_offset.from_local_datetime(&local).single() {
            Some(t) => t.with_timezone(&Utc),
            None => local.and_utc(),
        }
    }

    /// Builds one row's bundle, or says why it cannot be imported.
    pub fn plan_row(
        &mut self,
        row: &HistoryRow,
        lookup: &impl HistoryLookup,
        ids: &mut impl FnMut() -> Uuid,
    ) -> Result<WorkOrderBundle, Vec<Problem>> {
        let o = self.opts;
        let mut problems = Vec::new();
        let asset = lookup.asset(&row.tag);
        if asset.is_none() {
            problems.push(self.problem(
                row,
                HistoryField::Tag,
                Some(&row.tag),
                "is not in Biomend's inventory; import or add the asset first".into(),
            ));
        }
        let opened_at = self.to_utc(row.opened);
        if opened_at > o.now {
            problems.push(self.problem(
                row,
                HistoryField::Opened,
                Some(&stamp_text(row.opened)),
                "is in the future; history must be past work".into(),
            ));
        }
        // A date-only completion on the opening day reads as noon, which
        // may fall before a timed opening: the work lasted no time.
        let completed_at = row.completed.map(|c| self.to_utc(c).max(opened_at));
        if let (Some(c), Some(t)) = (row.completed, completed_at)
            && t > o.now
        {
            problems.push(self.problem(
                row,
                HistoryField::Completed,
                Some(&stamp_text(c)),
                "is in the future; history must be past work".into(),
            ));
        }

        let id = match &row.number {
            Some(n) => WorkOrderId(derive_id(
                ms(opened_at),
                o.namespace.as_bytes(),
                "work_order",
                &normalize_wo_number(n),
            )),
            None => WorkOrderId(ids()),
        };
        let number = match &row.number {
            Some(n) => n.trim().to_string(),
            None => minted_number(id),
        };
        let key = normalize_wo_number(&number);
        if lookup.number_taken(&number) {
            problems.push(self.problem(
                row,
                HistoryField::Number,
                Some(&number),
                "is already the number of a work order in Biomend (imported before?)".into(),
            ));
        } else if let Some(first) = self.numbers.get(&key) {
            problems.push(self.problem(
                row,
                HistoryField::Number,
                Some(&number),
                format!("is the same work-order number as row {first}, planned already"),
            ));
        }

        let tech = row.technician.as_deref().and_then(|n| lookup.technician(n));
        if let (None, Some(name)) = (tech, &row.technician) {
            self.unknown_technicians.insert(name.clone());
        }
        let worker = tech.unwrap_or(o.imported_by);

        let vendor = if row.vendor_cost.0 > 0 {
            let named = row.vendor.as_deref().and_then(|n| lookup.vendor(n));
            match (named, o.fallback_vendor) {
                (Some(v), _) => Some(v),
                (None, Some(v)) => {
                    if let Some(name) = &row.vendor {
                        self.unknown_vendors.insert(name.clone());
                    }
                    Some(v)
                }
                (None, None) => {
                    let why = match &row.vendor {
                        Some(n) => format!(
                            "needs a vendor Biomend knows: '{n}' is not one; add the vendor, or give a fallback vendor for imported charges"
                        ),
                        None => "needs a vendor: name one in a Vendor column, or give a fallback vendor for imported charges".into(),
                    };
                    problems.push(self.problem(
                        row,
                        HistoryField::VendorCost,
                        Some(&row.vendor_cost.to_string()),
                        why,
                    ));
                    None
                }
            }
        } else {
            None
        };

        let downtime_span = match row.downtime {
            None => None,
            Some(HistoryDowntime::Minutes(m)) => {
                Some((opened_at, Some(opened_at + Duration::minutes(i64::from(m)))))
            }
            Some(HistoryDowntime::Period { start, end }) => {
                let s = self.to_utc(start);
                let e = match (end, row.status) {
                    (Some(e), _) => Some(self.to_utc(e).max(s)),
                    (None, HistoryStatus::Completed) => completed_at.map(|c| c.max(s)),
                    (None, HistoryStatus::Open) => None,
                    (None, HistoryStatus::Cancelled) => {
                        problems.push(self.problem(
                            row,
                            HistoryField::DownStart,
                            Some(&stamp_text(start)),
                            "starts downtime with no end on cancelled work; give the downtime end"
                                .into(),
                        ));
                        None
                    }
                };
                Some((s, e))
            }
        };
        if let Some((s, e)) = downtime_span
            && (s > o.now || e.is_some_and(|e| e > o.now))
        {
            let (field, value) = match row.downtime {
                Some(HistoryDowntime::Period { start, .. }) => {
                    (HistoryField::DownStart, stamp_text(start))
                }
                _ => (
                    HistoryField::DowntimeHours,
                    format!("{}", e.map_or(0, |e| (e - s).num_minutes()) as f64 / 60.0),
                ),
            };
            problems.push(self.problem(
                row,
                field,
                Some(&value),
                "is downtime that runs past now; history must be past work".into(),
            ));
        }
        let Some(asset) = asset else {
            return Err(problems);
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        self.numbers.insert(key, row.line);

        let worked = row.labor_minutes > 0 || row.parts_cost.0 > 0 || row.vendor_cost.0 > 0;
        let (status, started_at) = match row.status {
            HistoryStatus::Completed if o.sign_off => (WorkOrderStatus::SignedOff, Some(opened_at)),
            HistoryStatus::Completed => (WorkOrderStatus::Completed, Some(opened_at)),
            HistoryStatus::Open if worked => (WorkOrderStatus::InProgress, Some(opened_at)),
            HistoryStatus::Open => (WorkOrderStatus::Open, None),
            HistoryStatus::Cancelled => (WorkOrderStatus::Cancelled, None),
        };
        let done = row.status == HistoryStatus::Completed;
        let work_order = WorkOrder {
            id,
            number: number.clone(),
            asset_id: asset.id,
            kind: row.kind,
            status,
            priority: match row.kind {
                WorkOrderKind::Pm | WorkOrderKind::Acceptance => Priority::Scheduled,
                _ => Priority::Routine,
            },
            problem: row.problem.clone(),
            reported_by: row.reported_by.clone(),
            opened_at,
            created_by: o.imported_by,
            assigned_to: tech,
            due_on: row.due_on,
            pm_plan_id: if row.kind == WorkOrderKind::Pm {
                asset.pm_plan_id
            } else {
                None
            },
            recall_id: None,
            started_at,
            findings: row.findings.clone(),
            closure: if done { row.closure } else { None },
            completed_at: if done { completed_at } else { None },
            signed_off_by: (done && o.sign_off).then_some(o.imported_by),
            signed_off_at: (done && o.sign_off).then_some(o.now),
        };
        let mut b = WorkOrderBundle::new(work_order);
        // Records are dated at the completion, or the opening for work
        // that was not completed.
        let when = completed_at.filter(|_| done).unwrap_or(opened_at);
        let day: NaiveDate = row.completed.filter(|_| done).unwrap_or(row.opened).date;
        let wo = id.0;

        let mut left = row.labor_minutes;
        let mut k = 0u32;
        while left > 0 {
            let m = left.min(MAX_LABOR_MINUTES);
            left -= m;
            b.labor.push(Labor {
                id: LaborId(derive_id(ms(when), wo.as_bytes(), "labor", &k.to_string())),
                work_order_id: id,
                technician_id: worker,
                minutes: m,
                performed_on: day,
                note: match (&row.technician, tech) {
                    (Some(name), None) => format!("by {name}"),
                    _ => String::new(),
                },
            });
            k += 1;
        }
        if row.parts_cost.0 > 0 {
            b.parts.push(PartUse {
                id: PartUseId(derive_id(ms(when), wo.as_bytes(), "parts", "")),
                work_order_id: id,
                part_id: None,
                part_number: String::new(),
                description: format!("Parts total from {}", o.source),
                quantity: 1,
                unit_cost: row.parts_cost,
                recorded_by: worker,
                recorded_at: when,
            });
        }
        if let Some(vendor_id) = vendor {
            b.vendor_charges.push(VendorCharge {
                id: VendorChargeId(derive_id(ms(when), wo.as_bytes(), "vendor", "")),
                work_order_id: id,
                vendor_id,
                invoice_number: String::new(),
                labor_cost: row.vendor_cost,
                parts_cost: biomend_domain::Money::ZERO,
                travel_cost: biomend_domain::Money::ZERO,
                invoiced_on: day,
            });
        }
        if let Some((start, end)) = downtime_span {
            b.downtime.push(Downtime {
                id: DowntimeId(derive_id(ms(start), wo.as_bytes(), "downtime", "")),
                asset_id: asset.id,
                work_order_id: Some(id),
                started_at: start,
                ended_at: end,
                partial_factor: 1.0,
            });
        }
        b.notes.push(WorkNote {
            id: NoteId(derive_id(ms(o.now), wo.as_bytes(), "note", "import")),
            work_order_id: id,
            author_id: o.imported_by,
            written_at: o.now,
            text: self.provenance(row, &number, tech.is_some(), vendor.is_some()),
        });
        if done {
            b.signature = Some(Signature {
                id: SignatureId(derive_id(ms(when), wo.as_bytes(), "signature", "")),
                work_order_id: id,
                signer_id: worker,
                signer_name: row
                    .technician
                    .clone()
                    .unwrap_or_else(|| format!("{} (imported)", o.source)),
                signed_at: when,
                strokes: String::new(),
            });
        }
        self.check(row, &b)?;
        Ok(b)
    }

    /// The note that says where the work order came from.
    fn provenance(
        &self,
        row: &HistoryRow,
        number: &str,
        tech_known: bool,
        has_vendor: bool,
    ) -> String {
        let mut parts = vec![match &row.number {
            Some(_) => format!(
                "Imported from {}: work order {number}, row {}.",
                self.opts.source, row.line
            ),
            None => format!(
                "Imported from {}: row {} (no number there; numbered {number}).",
                self.opts.source, row.line
            ),
        }];
        match (&row.closure_old, row.closure) {
            (Some(old), Some(c)) if !old.trim().eq_ignore_ascii_case(&c.code()) => {
                parts.push(format!("Closure code '{old}' mapped to {c}."));
            }
            (None, Some(c)) => parts.push(format!(
                "No closure code there; closed as {c}, the default for {} work.",
                row.kind
            )),
            _ => {}
        }
        if let (Some(t), false) = (&row.technician, tech_known) {
            parts.push(format!("Technician: {t}."));
        }
        if let (Some(v), true) = (&row.vendor, has_vendor) {
            parts.push(format!("Vendor: {v}."));
        }
        parts.join(" ")
    }

    /// The domain's own rules over the finished bundle; a failure here is a
    /// planner bug, reported as a problem rather than written.
    fn check(&self, row: &HistoryRow, b: &WorkOrderBundle) -> Result<(), Vec<Problem>> {
        let mut errors = Vec::new();
        let w = &b.work_order;
        if w.status.is_done() {
            let facts = CompletionFacts {
                kind: w.kind,
                status: WorkOrderStatus::InProgress,
                closure: w.closure,
                has_signature: b.signature.is_some(),
            };
            if let Err(e) = check_completion(&facts) {
                errors.push(e.to_string());
            }
        }
        errors.extend(
            b.labor
                .iter()
                .filter_map(|l| l.validate().err())
                .map(|e| e.to_string()),
        );
        errors.extend(
            b.parts
                .iter()
                .filter_map(|p| p.validate().err())
                .map(|e| e.to_string()),
        );
        errors.extend(
            b.downtime
                .iter()
                .filter_map(|d| d.validate().err())
                .map(|e| e.to_string()),
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors
                .into_iter()
                .map(|e| Problem {
                    line: row.line,
                    column: None,
                    value: None,
                    reason: format!("cannot become a work order: {e}"),
                })
                .collect())
        }
    }
}

fn ms(t: DateTime<Utc>) -> u64 {
    u64::try_from(t.timestamp_millis()).unwrap_or(0)
}

/// A UUIDv7 whose time is `unix_millis` and whose random bits are SHA-256
/// of the parent's bytes, a role and a key: the same inputs, the same id.
fn derive_id(unix_millis: u64, parent: &[u8], role: &str, key: &str) -> Uuid {
    let mut h = Sha256::new();
    h.update(b"biomend/history-id/v1\0");
    h.update(parent);
    h.update(role.as_bytes());
    h.update([0u8]);
    h.update(key.as_bytes());
    let d = h.finalize();
    let mut random = [0u8; 10];
    random.copy_from_slice(&d[..10]);
    new_v7(unix_millis, random)
}

/// `IMP-` and the id's last 16 hex digits (62 random bits).
fn minted_number(id: WorkOrderId) -> String {
    let b = id.0.as_bytes();
    let tail: String = b[8..].iter().map(|x| format!("{x:02X}")).collect();
    format!("IMP-{tail}")
}

fn stamp_text(s: LocalStamp) -> String {
    match s.time {
        Some(t) => format!("{} {}", s.date.format("%Y-%m-%d"), t.format("%H:%M")),
        None => s.date.format("%Y-%m-%d").to_string(),
    }
}
