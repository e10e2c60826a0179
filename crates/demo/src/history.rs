//! Work-order history, streamed oldest first.
//!
//! The history is produced a calendar month at a time: every asset's PMs,
//! repairs, acceptance, security and recall work opened in that month are
//! built, sorted by opening time and handed to the sink. Memory is bounded
//! by one month of work plus a few bytes of PM state per asset, whatever
//! the total.
//!
//! Volume: PM, acceptance, recall and security work follow from the
//! inventory; the corrective call rate is then scaled so the total lands
//! on `work_orders` (see [`DemoParams::work_orders`]). The relative rates
//! per device type, and the planted multipliers, are untouched by that
//! scale, so the patterns hold at any size.

use crate::ctx::{Ctx, Life, life};
use crate::inventory::training_day;
use crate::names::{self, Net, TYPES, TypeSpec};
use crate::params::DemoParams;
use crate::reference::{PART_AREAS, edition_in_force, part_number};
use crate::schedule::{PmCursor, PmOcc};
use crate::util::{Gen, at, days, minutes, mix, ms, stream};
use biomend_domain::Money;
use biomend_domain::asset::AssetStatus;
use biomend_domain::checklist::{Answer, Checklist, ItemKind, Limit, Reading, Verdict, judge};
use biomend_domain::dataset::{Dataset, WorkOrderBundle};
use biomend_domain::ids::*;
use biomend_domain::inventory::Coverage;
use biomend_domain::recall::RecallAction;
use biomend_domain::work_order::*;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use std::collections::{HashMap, HashSet};

/// Planted pattern 1: device-failure rate multiplier for the failing maker's
/// general-purpose infusion pumps.
pub const FAILING_PUMP_FACTOR: f64 = 3.5;
/// Planted pattern 2: CND and use-error rate multiplier in the planted unit
/// for the planted device type, before the training event.
pub const PRE_TRAINING_FACTOR: f64 = 8.0;
/// ...and after it: trained staff make fewer such calls than the hospital
/// average.
pub const POST_TRAINING_FACTOR: f64 = 0.5;
/// Planted pattern 4: yearly growth of the end-of-support model's failure
/// rate and of what each repair costs in parts and vendor charges.
pub const EOS_RATE_GROWTH: f64 = 1.3;
pub const EOS_COST_GROWTH: f64 = 1.2;

/// Security patch work per networked unit-year.
const SECURITY_RATE: f64 = 0.15;
/// Share of repairs followed by a repeat call within a week.
const REPEAT_P: f64 = 0.04;

// Corrective components, in the order of the rate arrays.
const FAIL: usize = 0;
const CND: usize = 1;
const USE: usize = 2;
const ABUSE: usize = 3;
const ACC: usize = 4;
const NET: usize = 5;

/// The share of corrective calls per closure family for a device type.
fn closure_mix(spec: &TypeSpec) -> [f64; 6] {
    if spec.aem_exclusion.is_some() {
        [0.70, 0.12, 0.05, 0.02, 0.06, 0.05]
    } else if spec.key == "BED" {
        [0.55, 0.10, 0.10, 0.15, 0.10, 0.0]
    } else {
        [0.45, 0.16, 0.10, 0.07, 0.17, 0.05]
    }
}

struct Info {
    model: usize,
    spec: &'static TypeSpec,
    dept: usize,
    site: usize,
    life: Life,
    plan: Option<usize>,
    networked: bool,
    planted_pump: bool,
    eos: bool,
    training_pair: bool,
    coverage: Option<(Coverage, usize)>,
    checklist: Option<usize>,
    acquired: NaiveDate,
}

struct H<'a> {
    ctx: Ctx<'a>,
    p: &'a DemoParams,
    data: &'a Dataset,
    g: Gen,
    infos: Vec<Info>,
    asset_idx: HashMap<AssetId, usize>,
    scale: f64,
    now: DateTime<Utc>,
    start: NaiveDate,
    training: NaiveDate,
}

/// Streams the work-order history of `data` to `sink`, oldest first.
pub fn history(params: &DemoParams, data: &Dataset, mut sink: impl FnMut(WorkOrderBundle)) {
    if data.assets.is_empty() || data.users.is_empty() {
        return;
    }
    let ctx = Ctx::new(data);
    let networked: HashSet<AssetId> = data.network_profiles.iter().map(|n| n.asset_id).collect();
    let infos: Vec<Info> = data
        .assets
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let model = ctx.model_of(a);
            let spec = &TYPES[ctx.model_spec[model]];
            let dept = ctx.dept_of(a);
            let coverage = a
                .contract_id
                .and_then(|c| ctx.contract_idx.get(&c))
                .map(|&ci| {
                    let c = &data.contracts[ci];
                    let v = data
                        .vendors
                        .iter()
                        .position(|v| v.id == c.vendor_id)
                        .unwrap_or(0);
                    (c.coverage, v)
                });
            Info {
                model,
                spec,
                dept,
                site: ctx.dept_site[dept],
                life: life(params, i, a),
                plan: ctx.plan_of_model.get(&a.model_id).copied(),
                networked: networked.contains(&a.id),
                planted_pump: ctx.is_planted_pump(model),
                eos: ctx.is_eos_model(model),
                training_pair: spec.code == names::TRAINING_TYPE_CODE
                    && data.departments[dept].name == names::TRAINING_DEPARTMENT,
                coverage,
                checklist: ctx.checklist_of_spec[ctx.model_spec[model]],
                acquired: a.acquired_on.unwrap_or(params.history_start()),
            }
        })
        .collect();
    let mut h = H {
        p: params,
        data,
        g: Gen::new(params.seed, stream::HISTORY),
        infos,
        asset_idx: data
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id, i))
            .collect(),
        scale: 1.0,
        now: at(params.as_of, 16, 0),
        start: params.history_start(),
        training: training_day(params),
        ctx,
    };
    h.calibrate();
    h.run(&mut sink);
}

impl H<'_> {
    /// Corrective call rates per year, by closure family, before scaling.
    fn rates(&self, a: &Info, t: NaiveDate) -> [f64; 6] {
        let mix = closure_mix(a.spec);
        let mut r = mix.map(|m| m * a.spec.repair);
        let used =
            (t - a.acquired).num_days() as f64 / 365.25 / f64::from(a.spec.life_years.max(1));
        r[FAIL] *= 0.8 + 0.4 * used.clamp(0.0, 1.5);
        if a.planted_pump {
            r[FAIL] *= FAILING_PUMP_FACTOR;
        }
        if a.eos {
            let years = (t - self.start).num_days() as f64 / 365.25;
            r[FAIL] *= EOS_RATE_GROWTH.powf(years);
        }
        if a.training_pair {
            let f = if t < self.training {
                PRE_TRAINING_FACTOR
            } else {
                POST_TRAINING_FACTOR
            };
            r[CND] *= f;
            r[USE] *= f;
        }
        if !a.networked {
            r[NET] = 0.0;
        }
        r
    }

    /// The days of a month an asset can receive calls, split at the
    /// training day so rates change exactly there.
    fn spans(&self, a: &Info, lo: NaiveDate, hi: NaiveDate) -> [(NaiveDate, NaiveDate); 2] {
        let end = a.life.end(self.p.as_of) + Duration::days(1);
        let end = a.life.missing_since.map_or(end, |m| end.min(m));
        let s = lo.max(a.life.start).max(self.start);
        let e = hi.min(end);
        if e <= s {
            return [(s, s), (s, s)];
        }
        if self.training > s && self.training < e {
            [(s, self.training), (self.training, e)]
        } else {
            [(s, e), (e, e)]
        }
    }

    fn months(&self) -> Vec<(NaiveDate, NaiveDate)> {
        let mut out = Vec::new();
        let mut m = self.start.with_day(1).unwrap_or(self.start);
        let last = self.p.as_of + Duration::days(1);
        while m < last {
            let next = m.checked_add_months(chrono::Months::new(1)).unwrap_or(last);
            out.push((m.max(self.start), next.min(last)));
            m = next;
        }
        out
    }

    fn inject_day(&self, i: usize) -> Option<NaiveDate> {
        (self.data.assets[i].status == AssetStatus::InRepair).then(|| {
            self.p.as_of - Duration::days(3 + (mix(self.p.seed, 77, i as u64) % 25) as i64)
        })
    }

    fn calibrate(&mut self) {
        let months = self.months();
        let mut weight = 0.0;
        let mut fixed = 0.0;
        for (i, a) in self.infos.iter().enumerate() {
            for &(lo, hi) in &months {
                for (s, e) in self.spans(a, lo, hi) {
                    let n = (e - s).num_days() as f64;
                    if n > 0.0 {
                        let mid = s + Duration::days((n / 2.0) as i64);
                        weight += self.rates(a, mid).iter().sum::<f64>() * n / 365.25;
                        if a.networked {
                            fixed += SECURITY_RATE * n / 365.25;
                        }
                    }
                }
            }
            if a.acquired >= self.start && a.acquired <= self.p.as_of {
                fixed += 1.0;
            }
            if self.inject_day(i).is_some_and(|d| d >= a.life.start) {
                fixed += 1.0;
            }
            if let Some(pi) = a.plan {
                let plan = &self.data.pm_plans[pi];
                let mut cur = PmCursor::new(self.p, plan, &a.life);
                while cur.next(self.p, plan, &a.life, i).is_some() {
                    fixed += 1.0;
                }
            }
        }
        fixed += self
            .data
            .recall_assets
            .iter()
            .filter(|r| r.work_order_id.is_some())
            .count() as f64;
        let target = self.p.work_orders as f64;
        let floor = 0.2 * target;
        let correctives = (target - fixed).max(floor);
        self.scale = if weight > 0.0 {
            correctives / (weight * (1.0 + REPEAT_P))
        } else {
            0.0
        };
    }

    fn run(&mut self, sink: &mut impl FnMut(WorkOrderBundle)) {
        let mut cursors: Vec<Option<PmCursor>> = self
            .infos
            .iter()
            .map(|a| {
                a.plan
                    .map(|pi| PmCursor::new(self.p, &self.data.pm_plans[pi], &a.life))
            })
            .collect();
        let mut seq_year = 0;
        let mut seq = 0u64;
        let mut batch: Vec<WorkOrderBundle> = Vec::new();
        for (lo, hi) in self.months() {
            for (i, cursor) in cursors.iter_mut().enumerate() {
                let acquired = self.infos[i].acquired;
                if acquired >= lo && acquired < hi && acquired >= self.start {
                    batch.push(self.acceptance(i));
                }
                if let Some(cur) = cursor.as_mut() {
                    let plan = &self.data.pm_plans[self.infos[i].plan.unwrap_or(0)];
                    while cur.peek_opened().is_some_and(|d| d < hi) {
                        match cur.next(self.p, plan, &self.infos[i].life, i) {
                            Some(occ) => batch.push(self.pm(i, &occ)),
                            None => break,
                        }
                    }
                }
                for (s, e) in self.spans(&self.infos[i], lo, hi) {
                    let n = (e - s).num_days();
                    if n <= 0 {
                        continue;
                    }
                    let mid = s + Duration::days(n / 2);
                    let r = self.rates(&self.infos[i], mid);
                    let total: f64 = r.iter().sum();
                    let k = self.g.poisson(self.scale * total * n as f64 / 365.25);
                    for _ in 0..k {
                        let fam = self.g.weighted(&r);
                        let day = s + Duration::days(self.g.int(0, n - 1));
                        let b = self.corrective(i, fam, day, false);
                        let repeat = matches!(b.work_order.closure, Some(c) if c.is_failure() || c == ClosureCode::CouldNotDuplicate)
                            && self.g.chance(REPEAT_P * 2.0);
                        let opened = b.work_order.opened_at.date_naive();
                        batch.push(b);
                        if repeat {
                            let d2 = opened + Duration::days(self.g.int(1, 6));
                            if d2 < e {
                                batch.push(self.corrective(i, fam, d2, false));
                            }
                        }
                    }
                    if self.infos[i].networked {
                        let k = self.g.poisson(SECURITY_RATE * n as f64 / 365.25);
                        for _ in 0..k {
                            let day = s + Duration::days(self.g.int(0, n - 1));
                            batch.push(self.security(i, day));
                        }
                    }
                }
                if let Some(d) = self.inject_day(i)
                    && d >= lo
                    && d < hi
                    && d >= self.infos[i].life.start
                {
                    batch.push(self.corrective(i, FAIL, d, true));
                }
            }
            for k in 0..self.data.recall_assets.len() {
                let ra = &self.data.recall_assets[k];
                if let Some(id) = ra.work_order_id {
                    let opened = id_time(id.0);
                    let d = opened.date_naive();
                    if d >= lo && d < hi {
                        batch.push(self.recall(k, id, opened));
                    }
                }
            }
            batch.sort_by(|a, b| {
                (a.work_order.opened_at, a.work_order.id)
                    .cmp(&(b.work_order.opened_at, b.work_order.id))
            });
            for mut b in batch.drain(..) {
                let year = b.work_order.opened_at.year();
                if year != seq_year {
                    seq_year = year;
                    seq = 0;
                }
                seq += 1;
                b.work_order.number = work_order_number(year, seq);
                sink(b);
            }
        }
    }

    // ----- shared pieces -------------------------------------------------

    fn user(&self, u: usize) -> UserId {
        self.data.users[u].id
    }

    fn tech_for(&mut self, a: usize) -> usize {
        let info = &self.infos[a];
        let zone = self.ctx.zone_tech[info.dept];
        if self.g.chance(0.85) {
            zone
        } else {
            let techs = &self.ctx.techs_by_site[info.site];
            techs[self.g.idx(techs.len())]
        }
    }

    fn supervisor(&self, a: usize) -> usize {
        self.ctx.supervisor_of_site[self.infos[a].site]
    }

    fn new_wo(
        &mut self,
        a: usize,
        kind: WorkOrderKind,
        opened_at: DateTime<Utc>,
        tech: usize,
        creator: usize,
    ) -> WorkOrder {
        WorkOrder {
            id: WorkOrderId::new(ms(opened_at), self.g.bytes()),
            number: String::new(),
            asset_id: self.data.assets[a].id,
            kind,
            status: WorkOrderStatus::Open,
            priority: Priority::Routine,
            problem: String::new(),
            reported_by: String::new(),
            opened_at,
            created_by: self.user(creator),
            assigned_to: Some(self.user(tech)),
            due_on: None,
            pm_plan_id: None,
            recall_id: None,
            started_at: None,
            findings: String::new(),
            closure: None,
            completed_at: None,
            signed_off_by: None,
            signed_off_at: None,
        }
    }

    /// Sets status, closure, sign-off and signature from the work's times
    /// against "now": work finished before now is completed (and usually
    /// signed off by the supervisor a few days later); the rest is open,
    /// in progress or on hold.
    #[allow(clippy::too_many_arguments)]
    fn settle(
        &mut self,
        b: &mut WorkOrderBundle,
        a: usize,
        tech: usize,
        started: DateTime<Utc>,
        completed: DateTime<Utc>,
        closure: ClosureCode,
        hold: Option<WorkOrderStatus>,
    ) -> bool {
        let wo = &mut b.work_order;
        if completed <= self.now {
            wo.started_at = Some(started);
            wo.completed_at = Some(completed);
            wo.closure = Some(closure);
            wo.status = WorkOrderStatus::Completed;
            let signoff = at(
                completed.date_naive() + days(self.g.int(1, 6)),
                10,
                self.g.int(0, 59) as u32,
            );
            if signoff <= self.now && self.g.chance(0.97) {
                wo.status = WorkOrderStatus::SignedOff;
                wo.signed_off_by = Some(self.user(self.supervisor(a)));
                wo.signed_off_at = Some(signoff);
            }
            let u = &self.data.users[tech];
            b.signature = Some(Signature {
                id: SignatureId::new(ms(completed), self.g.bytes()),
                work_order_id: wo.id,
                signer_id: u.id,
                signer_name: u.display_name.clone(),
                signed_at: completed,
                strokes: names::signature_path(self.g.int(0, 999) as u32, tech as u32),
            });
            true
        } else {
            if started <= self.now {
                wo.started_at = Some(started);
                wo.status = hold.unwrap_or(WorkOrderStatus::InProgress);
            }
            false
        }
    }

    fn labor(
        &mut self,
        b: &mut WorkOrderBundle,
        tech: usize,
        total: i64,
        day: NaiveDate,
        note: &str,
    ) {
        let total = total.clamp(5, 2 * i64::from(MAX_LABOR_MINUTES));
        let parts = if total > 120 && self.g.chance(0.4) {
            2
        } else {
            1
        };
        let mut left = total;
        for k in 0..parts {
            let m = if k + 1 == parts { left } else { left / 2 };
            left -= m;
            let m = m.clamp(1, i64::from(MAX_LABOR_MINUTES));
            b.labor.push(Labor {
                id: LaborId::new(ms(at(day, 12, 0)), self.g.bytes()),
                work_order_id: b.work_order.id,
                technician_id: self.user(tech),
                minutes: m as u32,
                performed_on: day,
                note: note.into(),
            });
        }
    }

    fn note(&mut self, b: &mut WorkOrderBundle, author: usize, when: DateTime<Utc>, text: String) {
        b.notes.push(WorkNote {
            id: NoteId::new(ms(when), self.g.bytes()),
            work_order_id: b.work_order.id,
            author_id: self.user(author),
            written_at: when,
            text,
        });
    }

    fn part(
        &mut self,
        b: &mut WorkOrderBundle,
        a: usize,
        area: FailureArea,
        tech: usize,
        when: DateTime<Utc>,
        cost_factor: f64,
    ) {
        let Some(&pi) = self.ctx.part_of.get(&part_number(self.infos[a].spec, area)) else {
            return;
        };
        let part = &self.data.parts[pi];
        let qty = if area == FailureArea::AccessoryCable {
            self.g.int(1, 2)
        } else {
            1
        } as u32;
        b.parts.push(PartUse {
            id: PartUseId::new(ms(when), self.g.bytes()),
            work_order_id: b.work_order.id,
            part_id: Some(part.id),
            part_number: part.part_number.clone(),
            description: part.description.clone(),
            quantity: qty,
            unit_cost: Money::from_cents((part.unit_cost.cents() as f64 * cost_factor) as i64),
            recorded_by: self.user(tech),
            recorded_at: when,
        });
    }

    fn downtime(
        &mut self,
        b: &mut WorkOrderBundle,
        a: usize,
        from: DateTime<Utc>,
        to: Option<DateTime<Utc>>,
    ) {
        // One channel of two, or a monitor that still alarms but cannot
        // print: degraded rather than down.
        let partial = if self.g.chance(0.2) { 0.5 } else { 1.0 };
        b.downtime.push(Downtime {
            id: DowntimeId::new(ms(from), self.g.bytes()),
            asset_id: self.data.assets[a].id,
            work_order_id: Some(b.work_order.id),
            started_at: from,
            ended_at: to,
            partial_factor: partial,
        });
    }

    fn eos_cost(&self, a: usize, t: NaiveDate) -> f64 {
        if self.infos[a].eos {
            EOS_COST_GROWTH.powf((t - self.start).num_days() as f64 / 365.25)
        } else {
            1.0
        }
    }

    /// Answers a checklist the way a technician would: nearly everything
    /// passes, a few readings fail. Every verdict comes from `judge`.
    fn readings(
        &mut self,
        b: &mut WorkOrderBundle,
        checklist: &Checklist,
        tech: usize,
        from: DateTime<Utc>,
        fail_p: f64,
    ) -> Option<FailureArea> {
        let day = from.date_naive();
        let edition = match edition_in_force(day) {
            crate::reference::EDITION_2012 => self.ctx.edition_2012,
            _ => self.ctx.edition_1999,
        }
        .map(|i| &self.data.safety_editions[i]);
        let mut failed = None;
        for (k, item) in checklist.items.iter().enumerate() {
            let fail = self.g.chance(fail_p);
            let answer = match &item.kind {
                ItemKind::PassFail => {
                    Answer::Verdict(if fail { Verdict::Fail } else { Verdict::Pass })
                }
                ItemKind::Measurement { limit, .. } => Answer::Value(self.sample(*limit, fail)),
                ItemKind::Safety { test } => match edition.and_then(|e| e.limit_for(*test)) {
                    Some(l) => Answer::Value(self.sample(l.limit, fail)),
                    None => Answer::Verdict(Verdict::NotApplicable),
                },
            };
            let Ok((value, unit, limit, verdict)) = judge(item, answer, edition) else {
                continue;
            };
            if verdict == Verdict::Fail && failed.is_none() {
                failed = Some(match (&item.kind, item.key.as_str()) {
                    (ItemKind::Safety { .. }, _) => FailureArea::PowerSupply,
                    (_, "energy_200" | "charge_time" | "battery") => FailureArea::Battery,
                    (_, "nibp_static" | "ecg_rate" | "spo2_error" | "pads") => {
                        FailureArea::AccessoryCable
                    }
                    (_, "alarms" | "sync") => FailureArea::Software,
                    _ => FailureArea::Mechanical,
                });
            }
            let taken = from + minutes(2 + 3 * k as i64);
            b.readings.push(Reading {
                id: ReadingId::new(ms(taken), self.g.bytes()),
                work_order_id: b.work_order.id,
                item_key: item.key.clone(),
                prompt: item.prompt.clone(),
                value,
                unit,
                limit,
                verdict,
                taken_by: self.user(tech),
                taken_at: taken,
            });
        }
        failed
    }

    fn sample(&mut self, l: Limit, fail: bool) -> f64 {
        let x = self.g.f();
        let v = match (l.min, l.max) {
            (Some(a), Some(b)) => {
                let (c, h) = ((a + b) / 2.0, (b - a) / 2.0);
                if fail {
                    let over = h * (1.1 + x * 0.5);
                    if self.g.chance(0.5) {
                        c + over
                    } else {
                        c - over
                    }
                } else {
                    c + h * (x * 1.3 - 0.65)
                }
            }
            (None, Some(m)) => m * if fail { 1.08 + x * 0.6 } else { 0.05 + x * 0.6 },
            (Some(m), None) => m * if fail { 0.5 + x * 0.4 } else { 1.1 + x },
            (None, None) => x,
        };
        // Meters show two decimals.
        (v * 100.0).round() / 100.0
    }

    // ----- work-order kinds ------------------------------------------------

    fn corrective(
        &mut self,
        a: usize,
        fam: usize,
        day: NaiveDate,
        forced_open: bool,
    ) -> WorkOrderBundle {
        let info = &self.infos[a];
        let (spec, life_support, covered, eos, model) = (
            info.spec,
            info.spec.life_support,
            info.coverage,
            info.eos,
            info.model,
        );
        let dept_name = self.data.departments[info.dept].name.clone();
        let hour = if day == self.p.as_of {
            self.g.int(6, 14)
        } else if self.g.chance(0.8) {
            self.g.int(7, 18)
        } else {
            self.g.int(0, 23)
        } as u32;
        let opened = at(day, hour, self.g.int(0, 59) as u32);
        let tech = self.tech_for(a);
        let creator = if self.g.chance(0.7) {
            tech
        } else {
            self.supervisor(a)
        };
        let mut wo = self.new_wo(a, WorkOrderKind::Corrective, opened, tech, creator);
        let (problems, closure) = match fam {
            FAIL => {
                let area = if forced_open {
                    FailureArea::PowerSupply
                } else {
                    *self.g.pick(&[
                        FailureArea::Battery,
                        FailureArea::Battery,
                        FailureArea::PowerSupply,
                        FailureArea::Display,
                        FailureArea::Mechanical,
                        FailureArea::Mechanical,
                        FailureArea::AccessoryCable,
                        FailureArea::Software,
                    ])
                };
                (names::FAILURE_PROBLEMS, ClosureCode::DeviceFailure(area))
            }
            CND => (names::CND_PROBLEMS, ClosureCode::CouldNotDuplicate),
            USE => (names::USE_PROBLEMS, ClosureCode::UseError),
            ABUSE => (names::ABUSE_PROBLEMS, ClosureCode::AbuseDamage),
            ACC => (names::ACCESSORY_PROBLEMS, ClosureCode::AccessoryOrSupply),
            _ => (names::NETWORK_PROBLEMS, ClosureCode::NetworkIt),
        };
        wo.problem = (*self.g.pick(problems)).to_string();
        wo.reported_by = format!("{}, {dept_name}", self.g.pick(names::REPORTERS));
        wo.priority = if fam == FAIL && life_support && self.g.chance(0.3) {
            Priority::Emergency
        } else if self.g.chance(0.2) {
            Priority::Urgent
        } else {
            Priority::Routine
        };
        let delay = match wo.priority {
            Priority::Emergency => self.g.int(10, 45),
            Priority::Urgent => self.g.int(30, 240),
            _ => self.g.int(60, 2_400),
        };
        let started = opened + minutes(delay);
        let work = match fam {
            FAIL => self.g.int(45, 300),
            CND => self.g.int(20, 90),
            USE => self.g.int(15, 60),
            ABUSE => self.g.int(30, 180),
            ACC => self.g.int(15, 75),
            _ => self.g.int(30, 120),
        };
        let vendor_job = fam == FAIL
            && (spec.aem_exclusion.is_some()
                || covered.is_some_and(|c| c.0 == Coverage::FullService)
                || (eos && self.g.chance(0.6))
                || self.g.chance(0.04));
        let parts_wait = (fam == FAIL || fam == ACC) && !vendor_job && self.g.chance(0.35);
        let wait_days = if vendor_job {
            self.g.int(1, 14)
        } else if parts_wait {
            self.g.int(1, 8)
        } else {
            0
        };
        let mut completed = started + minutes(work) + days(wait_days);
        let hold = if vendor_job {
            Some(WorkOrderStatus::OnHoldVendor)
        } else if parts_wait {
            Some(WorkOrderStatus::OnHoldParts)
        } else {
            None
        };
        if forced_open {
            completed = self.now + days(10);
        }
        let mut b = WorkOrderBundle::new(wo);
        // A duplicate call is cancelled without work.
        if !forced_open && completed <= self.now - days(7) && self.g.chance(0.004) {
            b.work_order.status = WorkOrderStatus::Cancelled;
            b.work_order.findings = "Duplicate of an earlier call for this device".into();
            self.note(
                &mut b,
                tech,
                opened + minutes(30),
                "Duplicate call; cancelled".into(),
            );
            return b;
        }
        let done = self.settle(
            &mut b,
            a,
            tech,
            started,
            completed,
            closure,
            if forced_open {
                Some(hold.unwrap_or(WorkOrderStatus::OnHoldParts))
            } else {
                hold
            },
        );
        let cost_factor = self.eos_cost(a, day);
        if b.work_order.started_at.is_some() {
            let labor_min = if done { work } else { work.min(60) };
            let lday = if done {
                completed.date_naive()
            } else {
                started.date_naive()
            };
            self.labor(
                &mut b,
                tech,
                if vendor_job {
                    labor_min.min(60)
                } else {
                    labor_min
                },
                lday.min(self.p.as_of),
                "",
            );
        }
        if done {
            let area = match closure {
                ClosureCode::DeviceFailure(a) => Some(a),
                ClosureCode::AbuseDamage if self.g.chance(0.5) => Some(FailureArea::Mechanical),
                ClosureCode::AccessoryOrSupply if self.g.chance(0.6) => {
                    Some(FailureArea::AccessoryCable)
                }
                _ => None,
            };
            let uses_part = area.is_some_and(|x| PART_AREAS.contains(&x))
                && (!vendor_job || eos)
                && self.g.chance(0.75);
            if let (true, Some(area)) = (uses_part, area) {
                self.part(&mut b, a, area, tech, completed - minutes(20), cost_factor);
            }
            let fs_covered = covered.is_some_and(|c| c.0 == Coverage::FullService);
            if vendor_job && !fs_covered {
                let vendor = covered
                    .map(|c| c.1)
                    .unwrap_or(self.ctx.vendor_of_maker[self.ctx.model_maker[model]]);
                let (labor, parts, travel) = if spec.aem_exclusion.is_some() {
                    (
                        self.g.int(1_500, 6_000),
                        self.g.int(0, 20_000),
                        self.g.int(150, 400),
                    )
                } else if eos {
                    (
                        (self.g.int(300, 500) as f64 * cost_factor) as i64,
                        (self.g.int(200, 400) as f64 * cost_factor) as i64,
                        0,
                    )
                } else {
                    (self.g.int(250, 900), self.g.int(100, 600), 0)
                };
                let invoiced = (completed.date_naive() + days(self.g.int(3, 20))).min(self.p.as_of);
                b.vendor_charges.push(VendorCharge {
                    id: VendorChargeId::new(ms(at(invoiced, 12, 0)), self.g.bytes()),
                    work_order_id: b.work_order.id,
                    vendor_id: self.data.vendors[vendor].id,
                    invoice_number: format!(
                        "INV-{}-{:05}",
                        invoiced.format("%y%m"),
                        self.g.int(0, 99_999)
                    ),
                    labor_cost: Money::from_cents(labor * 100),
                    parts_cost: Money::from_cents(parts * 100),
                    travel_cost: Money::from_cents(travel * 100),
                    invoiced_on: invoiced,
                });
            }
            b.work_order.findings = match closure {
                ClosureCode::DeviceFailure(FailureArea::Software) => {
                    "Reloaded firmware per service manual; function verified".into()
                }
                ClosureCode::DeviceFailure(_) if vendor_job => {
                    "Vendor repaired under service call; function and safety verified on return"
                        .into()
                }
                ClosureCode::DeviceFailure(_) => match b.parts.first() {
                    Some(pu) => format!(
                        "Replaced {}; function and electrical safety verified",
                        pu.description.to_lowercase()
                    ),
                    None => "Adjusted and repaired; function and electrical safety verified".into(),
                },
                ClosureCode::CouldNotDuplicate => {
                    "Ran full function test with simulator for 60 minutes; no fault found".into()
                }
                ClosureCode::UseError => {
                    "Device working as designed; reviewed operation and alarm settings with staff"
                        .into()
                }
                ClosureCode::AbuseDamage => {
                    "Physical damage consistent with a drop or spill; repaired and tested".into()
                }
                ClosureCode::AccessoryOrSupply => {
                    "Accessory at fault; replaced and verified".into()
                }
                _ => "Re-joined the clinical network; verified data flow to the EHR".into(),
            };
            if matches!(
                closure,
                ClosureCode::CouldNotDuplicate | ClosureCode::UseError
            ) && self.g.chance(0.3)
            {
                self.note(
                    &mut b,
                    tech,
                    completed,
                    format!("Discussed with the charge nurse on {dept_name}; returned to service"),
                );
            }
        } else if b.work_order.status.is_on_hold() {
            let text = if b.work_order.status == WorkOrderStatus::OnHoldVendor {
                "Vendor service call placed; awaiting field engineer".to_string()
            } else {
                "Part ordered; device tagged out of service".to_string()
            };
            self.note(&mut b, tech, started + minutes(30), text);
        }
        if matches!(
            closure,
            ClosureCode::DeviceFailure(_) | ClosureCode::AbuseDamage
        ) && b.work_order.started_at.is_some()
        {
            let end = b.work_order.completed_at;
            self.downtime(&mut b, a, opened, end);
        }
        b
    }

    fn pm(&mut self, a: usize, occ: &PmOcc) -> WorkOrderBundle {
        let plan_i = self.infos[a].plan.unwrap_or(0);
        let plan = &self.data.pm_plans[plan_i];
        let (plan_id, plan_name, est) = (plan.id, plan.name.clone(), plan.estimated_minutes);
        let tech = self.ctx.zone_tech[self.infos[a].dept];
        let sup = self.supervisor(a);
        let opened = at(occ.opened, 6, 0);
        let mut wo = self.new_wo(a, WorkOrderKind::Pm, opened, tech, sup);
        wo.priority = Priority::Scheduled;
        wo.due_on = Some(occ.due);
        wo.pm_plan_id = Some(plan_id);
        wo.problem = format!("Scheduled maintenance: {plan_name}");
        wo.reported_by = "PM scheduler".into();
        let mut b = WorkOrderBundle::new(wo);
        if let Some(d) = occ.in_use {
            let when = at(d, 10, 30);
            b.attempts.push(PmAttempt {
                id: PmAttemptId::new(ms(when), self.g.bytes()),
                work_order_id: b.work_order.id,
                technician_id: self.user(tech),
                attempted_at: when,
                outcome: AttemptOutcome::InUse,
                note: "Device in use on a patient; will return".into(),
            });
        }
        let Some(done) = occ.done else {
            if occ.not_located {
                let tries = if occ.opened + days(10) <= self.p.as_of {
                    2
                } else {
                    1
                };
                for k in 0..tries {
                    let when = at((occ.opened + days(1 + 7 * k)).min(self.p.as_of), 11, 0);
                    b.attempts.push(PmAttempt {
                        id: PmAttemptId::new(ms(when), self.g.bytes()),
                        work_order_id: b.work_order.id,
                        technician_id: self.user(tech),
                        attempted_at: when,
                        outcome: AttemptOutcome::NotLocated,
                        note: "Not found in the unit or the equipment room; asked the charge nurse"
                            .into(),
                    });
                }
            } else if occ.due <= self.p.as_of && self.g.chance(0.3) {
                b.work_order.status = WorkOrderStatus::InProgress;
                b.work_order.started_at = Some(at(occ.due.max(occ.opened), 9, 0).min(self.now));
            }
            return b;
        };
        let minutes_worked = (f64::from(est) * (0.7 + self.g.f() * 0.7)) as i64;
        let started = at(done, self.g.int(7, 13) as u32, self.g.int(0, 59) as u32);
        let mut failed = None;
        if let Some(ci) = self.infos[a].checklist {
            let cl = &self.data.checklists[ci];
            failed = self.readings(&mut b, cl, tech, started, 0.004);
        }
        let repair = if failed.is_some() {
            self.g.int(30, 120)
        } else {
            0
        };
        let completed = (started + minutes(minutes_worked + repair)).min(self.now);
        let closure = failed.map_or(ClosureCode::PreventiveOnly, ClosureCode::DeviceFailure);
        self.settle(&mut b, a, tech, started, completed, closure, None);
        self.labor(&mut b, tech, minutes_worked + repair, done, "");
        b.work_order.findings = match failed {
            None => "PM completed per checklist; all items within limits".into(),
            Some(area) => {
                let part = PART_AREAS.contains(&area) && self.g.chance(0.5);
                if part {
                    self.part(&mut b, a, area, tech, completed - minutes(10), 1.0);
                }
                self.downtime(&mut b, a, started, Some(completed));
                "Failed a checklist item; repaired and retested within limits".into()
            }
        };
        b
    }

    fn acceptance(&mut self, a: usize) -> WorkOrderBundle {
        let info = &self.infos[a];
        let tech = self.ctx.zone_tech[info.dept];
        let day = info.acquired;
        let opened = at(day, 8, 30);
        let sup = self.supervisor(a);
        let mut wo = self.new_wo(a, WorkOrderKind::Acceptance, opened, tech, sup);
        wo.priority = Priority::Scheduled;
        wo.problem = "Incoming inspection before first use".into();
        wo.reported_by = "Receiving".into();
        let mut b = WorkOrderBundle::new(wo);
        let started = opened + minutes(self.g.int(30, 240));
        let work = self.g.int(30, 90);
        let mut failed = None;
        if let Some(ci) = self.infos[a].checklist {
            let cl = &self.data.checklists[ci];
            failed = self.readings(&mut b, cl, tech, started, 0.003);
        }
        let completed = started + minutes(work);
        let closure = failed.map_or(ClosureCode::PreventiveOnly, ClosureCode::DeviceFailure);
        if self.settle(&mut b, a, tech, started, completed, closure, None) {
            self.labor(&mut b, tech, work, completed.date_naive(), "");
            b.work_order.findings = if failed.is_some() {
                "Failed incoming inspection; returned to vendor for exchange, exchange unit passed"
                    .into()
            } else {
                "Inventoried, tagged, inspected and released for clinical use".into()
            };
        }
        b
    }

    fn security(&mut self, a: usize, day: NaiveDate) -> WorkOrderBundle {
        let tech = self.tech_for(a);
        let opened = at(day, self.g.int(7, 14) as u32, self.g.int(0, 59) as u32);
        let mut wo = self.new_wo(a, WorkOrderKind::Security, opened, tech, tech);
        wo.problem = format!(
            "Apply manufacturer-validated patch bundle {}",
            day.format("%Y-%m")
        );
        wo.reported_by = "IT Security".into();
        let mut b = WorkOrderBundle::new(wo);
        let started = opened + minutes(self.g.int(60, 4_000));
        let work = self.g.int(20, 90);
        let completed = started + minutes(work);
        if self.settle(
            &mut b,
            a,
            tech,
            started,
            completed,
            ClosureCode::NetworkIt,
            None,
        ) {
            self.labor(&mut b, tech, work, completed.date_naive(), "");
            b.work_order.findings = "Patch applied; device re-verified on the network".into();
            if self.infos[a].spec.net == Net::Windows && self.g.chance(0.5) {
                self.downtime(&mut b, a, started, Some(completed));
            }
        } else if b.work_order.started_at.is_some() {
            self.labor(&mut b, tech, work.min(30), started.date_naive(), "");
        }
        b
    }

    fn recall(&mut self, k: usize, id: WorkOrderId, opened: DateTime<Utc>) -> WorkOrderBundle {
        let ra = &self.data.recall_assets[k];
        let a = self.asset_idx.get(&ra.asset_id).copied().unwrap_or(0);
        let recall = self.data.recalls.iter().find(|r| r.id == ra.recall_id);
        let (title, number) = recall.map_or((String::new(), String::new()), |r| {
            (r.title.clone(), r.number.clone())
        });
        let tech = self.ctx.zone_tech[self.infos[a].dept];
        let sup = self.supervisor(a);
        let mut wo = self.new_wo(a, WorkOrderKind::Recall, opened, tech, sup);
        wo.id = id;
        wo.recall_id = Some(ra.recall_id);
        wo.priority = Priority::Urgent;
        wo.problem = format!("Recall {number}: {title}");
        wo.reported_by = "HTM recall coordinator".into();
        let (action, acted_on) = (ra.action, ra.acted_on);
        let mut b = WorkOrderBundle::new(wo);
        let work = self.g.int(20, 90);
        match (action, acted_on) {
            (RecallAction::Remediated | RecallAction::RemovedFromService, Some(d)) => {
                let completed = at(d, 14, 0).max(opened + minutes(work + 30)).min(self.now);
                let started = completed - minutes(work);
                if self.settle(
                    &mut b,
                    a,
                    tech,
                    started,
                    completed,
                    ClosureCode::PreventiveOnly,
                    None,
                ) {
                    self.labor(&mut b, tech, work, completed.date_naive(), "");
                }
                b.work_order.findings = if action == RecallAction::Remediated {
                    "Applied the manufacturer's remediation per the notice; verified operation"
                        .into()
                } else {
                    "Removed from service per the notice; replacement requested".into()
                };
            }
            _ => {
                if self.g.chance(0.3) {
                    b.work_order.status = WorkOrderStatus::InProgress;
                    b.work_order.started_at = Some((opened + minutes(60)).min(self.now));
                }
            }
        }
        b
    }
}

/// The creation time embedded in a UUIDv7.
fn id_time(u: uuid::Uuid) -> DateTime<Utc> {
    let ms = u
        .get_timestamp()
        .map(|t| {
            let (s, n) = t.to_unix();
            s as i64 * 1000 + i64::from(n / 1_000_000)
        })
        .unwrap_or(0);
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}
