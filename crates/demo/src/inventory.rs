//! The inventory: assets, network profiles, PM schedules, usage windows,
//! training events and recalls, built on the reference data.

use crate::ctx::{Ctx, life};
use crate::names::{self, Area, Net, TYPES};
use crate::params::DemoParams;
use crate::reference::{contract_terms, dept_specs};
use crate::schedule::PmCursor;
use crate::util::{Gen, at, day_ms, ms};
use biomend_domain::Money;
use biomend_domain::asset::{Asset, AssetStatus, Ownership};
use biomend_domain::dataset::Dataset;
use biomend_domain::ids::*;
use biomend_domain::network::{NetworkProfile, PatchValidation};
use biomend_domain::pm::PmSchedule;
use biomend_domain::recall::{Recall, RecallAction, RecallAsset, RecallSource};
use biomend_domain::risk::EmScore;
use biomend_domain::training::TrainingEvent;
use biomend_domain::usage::{EVERY_DAY, UsageWindow, WEEKDAYS};
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveTime};
use std::collections::HashMap;

/// Day of the planted training event: 14 months before "today", so six
/// months before and six after both fall inside the history.
pub(crate) fn training_day(p: &DemoParams) -> NaiveDate {
    p.as_of
        .checked_sub_months(Months::new(14))
        .unwrap_or(p.as_of)
}

/// Splits `n` units over weights with the largest-remainder method, so the
/// counts always add up to exactly `n`.
fn apportion(n: u32, weights: &[f64]) -> Vec<u32> {
    let total: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| f64::from(n) * w / total).collect();
    let mut counts: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let mut rest = n - counts.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    for i in order.into_iter().cycle() {
        if rest == 0 {
            break;
        }
        counts[i] += 1;
        rest -= 1;
    }
    counts
}

struct Draft {
    model: usize,
    dept: usize,
    location: LocationId,
    acquired: NaiveDate,
    cost: i64,
    status: AssetStatus,
    ownership: Ownership,
    risk: EmScore,
    life_support_override: bool,
    warranty_years: i64,
    contract: Option<ContractId>,
    order_key: u64,
}

pub(crate) fn build(p: &DemoParams, g: &mut Gen, data: &mut Dataset) {
    assets(p, g, data);
    network_profiles(p, g, data);
    schedules(p, data);
    usage_windows(p, g, data);
    training(p, g, data);
    recalls(p, g, data);
}

fn assets(p: &DemoParams, g: &mut Gen, data: &mut Dataset) {
    let ctx = Ctx::new(data);
    // Department areas, in dataset order (sites then their departments).
    let mut areas = Vec::new();
    for s in 0..data.sites.len() {
        areas.extend(dept_specs(p, s).iter().map(|d| d.area));
    }
    let mut locs: Vec<Vec<LocationId>> = vec![Vec::new(); data.departments.len()];
    for l in &data.locations {
        if let Some(d) = l.department_id.and_then(|d| ctx.dept_idx.get(&d)) {
            locs[*d].push(l.id);
        }
    }
    let weights: Vec<f64> = TYPES.iter().map(|t| t.share).collect();
    let counts = apportion(p.assets, &weights);
    let mut drafts = Vec::with_capacity(p.assets as usize);
    for (ti, spec) in TYPES.iter().enumerate() {
        let models: Vec<usize> = (0..data.models.len())
            .filter(|&m| ctx.model_spec[m] == ti)
            .collect();
        if models.is_empty() {
            continue;
        }
        // Departments where this type lives; the planted unit holds extra
        // PCA pumps so its call pattern is statistically strong.
        let dept_w: Vec<f64> = (0..data.departments.len())
            .map(|d| {
                let base = if spec.areas.contains(&areas[d]) {
                    1.0
                } else {
                    0.0
                };
                let planted = spec.code == names::TRAINING_TYPE_CODE
                    && data.departments[d].name == names::TRAINING_DEPARTMENT;
                let busy = matches!(areas[d], Area::Icu | Area::Ed) as u8 as f64 * 0.5;
                base * (1.0 + busy) * if planted { 4.0 } else { 1.0 }
            })
            .collect();
        let any_dept = dept_w.iter().any(|w| *w > 0.0);
        for _ in 0..counts[ti] {
            let model = models[g.idx(models.len())];
            let model_name = data.models[model].name.as_str();
            let siblings = models
                .iter()
                .filter(|&&m| ctx.model_maker[m] == ctx.model_maker[model])
                .count();
            let first_of_maker = models
                .iter()
                .find(|&&m| ctx.model_maker[m] == ctx.model_maker[model])
                == Some(&model);
            // Older models of a maker were bought earlier.
            let (lo, hi) = if model_name == names::EOS_MODEL || model_name == names::LEGACY_US_MODEL
            {
                (7.0, 13.0)
            } else if siblings > 1 && first_of_maker {
                (5.0, 15.0)
            } else if siblings > 1 {
                (0.0, 9.0)
            } else {
                (0.0, 14.0)
            };
            let age_days = ((lo + g.f() * (hi - lo)) * 365.25) as i64;
            let acquired = p.as_of - Duration::days(age_days.max(3));
            let dept = if any_dept {
                g.weighted(&dept_w)
            } else {
                g.idx(data.departments.len())
            };
            let location = *g.pick(&locs[dept]);
            let life_years = f64::from(spec.life_years);
            let age = age_days as f64 / 365.25;
            let status = if age > life_years + 1.0 && g.chance(0.35) {
                AssetStatus::Retired
            } else {
                match g.f() {
                    x if x < 0.012 => AssetStatus::Retired,
                    x if x < 0.020 => AssetStatus::Missing,
                    x if x < 0.035 => AssetStatus::InRepair,
                    x if x < 0.042 => AssetStatus::OutOfService,
                    _ => AssetStatus::InService,
                }
            };
            let ownership = match g.f() {
                x if x < 0.90 => Ownership::Owned,
                x if x < 0.945 => Ownership::Leased,
                x if x < 0.975 => Ownership::Rental,
                x if x < 0.99 => Ownership::Loaner,
                _ => Ownership::Demo,
            };
            let (f, r, m) = spec.em;
            let maint = if g.chance(0.1) {
                (i16::from(m) + if g.chance(0.5) { 1 } else { -1 }).clamp(1, 5) as u8
            } else {
                m
            };
            let incident = if g.chance(0.12) {
                if g.chance(0.6) { 1 } else { -1 }
            } else {
                0
            };
            let risk = EmScore::new(f, r, maint, incident).unwrap_or(EmScore {
                function: f,
                physical_risk: r,
                maintenance: m,
                incident_history: 0,
            });
            let cost = (g.int(spec.cost.0, spec.cost.1) * 100) as f64 * (0.95 + g.f() * 0.1);
            let contract = contract_terms(spec).and_then(|(_, share)| {
                if !g.chance(share) {
                    return None;
                }
                data.contracts
                    .iter()
                    .position(|c| {
                        c.number
                            .ends_with(&format!("-{:04}", contract_no(data, model)))
                    })
                    .map(|i| data.contracts[i].id)
            });
            drafts.push(Draft {
                model,
                dept,
                location,
                acquired,
                cost: cost as i64,
                status,
                ownership,
                risk,
                life_support_override: spec.key == "MON" && g.chance(0.02),
                warranty_years: if spec.aem_exclusion.is_some() {
                    1
                } else {
                    g.int(1, 3)
                },
                contract,
                order_key: g.rng.random_key(),
            });
        }
    }
    // Tags are issued at receipt, so tag order follows acquisition order.
    drafts.sort_by_key(|d| (d.acquired, d.order_key));
    let width = 6.max(p.assets.to_string().len());
    let mut assets = Vec::with_capacity(drafts.len());
    for (i, d) in drafts.iter().enumerate() {
        let maker = ctx.maker_name(d.model);
        let initials: String = maker
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .collect::<String>()
            .to_uppercase();
        assets.push(Asset {
            id: AssetId::new(day_ms(d.acquired), g.bytes()),
            tag: format!("{}-{:0width$}", p.tag_prefix, i + 1),
            serial: Some(format!(
                "{initials}{:02}{:06}",
                d.acquired.year() % 100,
                g.int(0, 999_999)
            )),
            model_id: data.models[d.model].id,
            department_id: data.departments[d.dept].id,
            location_id: Some(d.location),
            ownership: d.ownership,
            status: d.status,
            acquired_on: Some(d.acquired),
            acquisition_cost: Some(Money::from_cents(d.cost)),
            warranty_end: d
                .acquired
                .checked_add_months(Months::new(12 * d.warranty_years as u32)),
            contract_id: d.contract,
            expected_life_years: None,
            risk: d.risk,
            life_support_override: d.life_support_override,
            parent_id: None,
            notes: match d.ownership {
                Ownership::Rental => "Rental unit; return to vendor when census drops".into(),
                Ownership::Loaner => "Manufacturer loaner during repair of owned unit".into(),
                Ownership::Demo => "Evaluation unit for value analysis".into(),
                _ => String::new(),
            },
        });
    }
    drop(ctx);
    // Accessories and modules belong to a unit of their parent type in the
    // same department when there is one.
    let spec_of: Vec<usize> = {
        let ctx = Ctx::new(data);
        assets
            .iter()
            .map(|a| ctx.model_spec[ctx.model_of(a)])
            .collect()
    };
    let mut by_type_dept: HashMap<(&str, DepartmentId), Vec<usize>> = HashMap::new();
    for (i, a) in assets.iter().enumerate() {
        by_type_dept
            .entry((TYPES[spec_of[i]].key, a.department_id))
            .or_default()
            .push(i);
    }
    for i in 0..assets.len() {
        let Some(parent_key) = TYPES[spec_of[i]].parent else {
            continue;
        };
        if let Some(cands) = by_type_dept.get(&(parent_key, assets[i].department_id)) {
            let j = cands[g.idx(cands.len())];
            assets[i].parent_id = Some(assets[j].id);
        }
    }
    // Contract prices follow what they cover: roughly 8–12% of the
    // replacement cost per covered unit per year for full service.
    let mut covered: HashMap<ContractId, i64> = HashMap::new();
    for a in &assets {
        if let Some(c) = a.contract_id {
            *covered.entry(c).or_default() += a.acquisition_cost.map_or(0, |m| m.cents());
        }
    }
    for c in data.contracts.iter_mut() {
        let base = covered.get(&c.id).copied().unwrap_or(0);
        let pct = match c.coverage {
            biomend_domain::inventory::Coverage::FullService => 0.08 + g.f() * 0.04,
            biomend_domain::inventory::Coverage::PmOnly => 0.03 + g.f() * 0.02,
            _ => 0.04 + g.f() * 0.02,
        };
        c.annual_cost = Money::from_cents(((base as f64 * pct) as i64 / 100) * 100);
    }
    data.assets = assets;
}

/// The contract number suffix of a model's contract (contracts are numbered
/// in model order, only for covered types).
fn contract_no(data: &Dataset, model: usize) -> usize {
    let mut n = 0;
    for (i, m) in data.models.iter().enumerate() {
        let spec = data
            .device_types
            .iter()
            .position(|d| d.id == m.device_type_id)
            .map(|s| &TYPES[s]);
        if spec.and_then(contract_terms).is_some() {
            n += 1;
        }
        if i == model {
            return n;
        }
    }
    0
}

trait RandomKey {
    fn random_key(&mut self) -> u64;
}

impl RandomKey for rand_chacha::ChaCha8Rng {
    fn random_key(&mut self) -> u64 {
        rand::Rng::random::<u64>(self)
    }
}

fn network_profiles(p: &DemoParams, g: &mut Gen, data: &mut Dataset) {
    let ctx = Ctx::new(data);
    let mut per_site = vec![0u32; data.sites.len().max(1)];
    let mut profiles = Vec::new();
    for a in &data.assets {
        let model = ctx.model_of(a);
        let spec = ctx.spec_of(a);
        let model_name = data.models[model].name.as_str();
        let legacy = model_name == names::EOS_MODEL || model_name == names::LEGACY_US_MODEL;
        // Retired units are off the network; the rest of a networked type
        // is connected at the type's rate (legacy models always).
        if spec.net == Net::None
            || a.status == AssetStatus::Retired
            || !(legacy || g.chance(spec.net_share))
        {
            continue;
        }
        let site = ctx.dept_site[ctx.dept_of(a)];
        let n = per_site[site];
        per_site[site] += 1;
        let vlan_base: u16 = match spec.key {
            "MON" | "TEL" | "CEN" | "FTL" | "VSM" | "CAP" => 110,
            "PMP" | "PCA" | "SYR" => 120,
            "VNT" | "ANE" | "HDU" | "BGA" => 140,
            _ if spec.net == Net::Windows => 130,
            _ => 150,
        };
        let (os_name, os_version, validation) = if model_name == names::EOS_MODEL {
            ("Windows XP Embedded", "SP3", PatchValidation::Unsupported)
        } else if model_name == names::LEGACY_US_MODEL {
            ("Windows 7", "SP1", PatchValidation::Unsupported)
        } else {
            let v = match g.f() {
                x if x < 0.72 => PatchValidation::Validated,
                x if x < 0.9 => PatchValidation::Pending,
                _ => PatchValidation::NotValidated,
            };
            match (spec.net, ctx.model_maker[model] % 3) {
                (Net::Windows, 0) => ("Windows 11 IoT Enterprise", "LTSC 2024", v),
                (Net::Windows, _) => ("Windows 10 IoT Enterprise", "LTSC 2019", v),
                (_, 0) => ("VxWorks", "7 SR0640", v),
                (_, 1) => ("QNX Neutrino", "7.1", v),
                _ => ("Embedded Linux", "5.10", v),
            }
        };
        let digits: String = a.tag.chars().filter(|c| c.is_ascii_digit()).collect();
        let patched_days = if legacy {
            g.int(900, 2400)
        } else {
            g.int(10, 400)
        };
        profiles.push(NetworkProfile {
            asset_id: a.id,
            hostname: Some(format!("{}-{}-{}", data.sites[site].code, spec.key, digits)),
            ip_address: Some(format!(
                "10.{}.{}.{}",
                20 + site * 8 + (n / 64_000) as usize,
                (n / 250) % 256,
                n % 250 + 2
            )),
            mac_address: Some(format!(
                "00:1B:{:02X}:{:02X}:{:02X}:{:02X}",
                (ctx.model_maker[model] * 7 + 16) % 256,
                site * 16 + ((n >> 16) & 0xF) as usize,
                (n >> 8) & 0xFF,
                n & 0xFF
            )),
            vlan: Some(vlan_base + 1000 * site as u16),
            segment: Some(
                match vlan_base {
                    110 => "Clinical-Monitoring",
                    120 => "Clinical-Infusion",
                    130 => "Imaging-Modalities",
                    140 => "Life-Support",
                    _ => "Clinical-Devices",
                }
                .into(),
            ),
            os_name: Some(os_name.into()),
            os_version: Some(os_version.into()),
            firmware_version: Some(format!(
                "{}.{}.{}",
                1 + model % 4,
                g.int(0, 9),
                g.int(0, 30)
            )),
            patch_level: Some(if legacy {
                "Last vendor bundle 2019-11".into()
            } else {
                format!(
                    "{}-{:02}",
                    p.as_of.year() - i32::from(g.chance(0.3)),
                    g.int(1, 12)
                )
            }),
            last_patched_on: Some(p.as_of - Duration::days(patched_days)),
            remote_recoverable: !legacy
                && g.chance(if spec.net == Net::Windows { 0.45 } else { 0.85 }),
            stores_phi: data.models[model]
                .mds2
                .as_ref()
                .and_then(|m| m.stores_phi)
                .unwrap_or(false),
            patch_validation: validation,
        });
    }
    data.network_profiles = profiles;
}

fn schedules(p: &DemoParams, data: &mut Dataset) {
    let ctx = Ctx::new(data);
    let mut out = Vec::new();
    for (i, a) in data.assets.iter().enumerate() {
        if !a.status.is_active() {
            continue;
        }
        let Some(&plan_i) = ctx.plan_of_model.get(&a.model_id) else {
            continue;
        };
        let plan = &data.pm_plans[plan_i];
        let lf = life(p, i, a);
        let mut cur = PmCursor::new(p, plan, &lf);
        while cur.next(p, plan, &lf, i).is_some() {}
        out.push(PmSchedule {
            asset_id: a.id,
            plan_id: plan.id,
            next_due: cur.due,
            last_done: cur.last_done,
        });
    }
    data.pm_schedules = out;
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

fn usage_windows(p: &DemoParams, g: &mut Gen, data: &mut Dataset) {
    let t0 = day_ms(p.history_start());
    let all_day = (
        hm(0, 0),
        NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
    );
    let mut i = 0;
    let mut out = Vec::new();
    for s in 0..data.sites.len() {
        for spec in dept_specs(p, s) {
            let dept = &data.departments[i];
            i += 1;
            let (days, (starts, ends)) = match spec.area {
                Area::Or | Area::Cath | Area::Endo => (WEEKDAYS, (hm(7, 0), hm(17, 0))),
                Area::Ed
                | Area::Icu
                | Area::Nicu
                | Area::Ld
                | Area::MedSurg
                | Area::StepDown
                | Area::Lab
                | Area::Rt => (EVERY_DAY, all_day),
                Area::Pacu => (WEEKDAYS, (hm(7, 0), hm(20, 0))),
                Area::Imaging => (EVERY_DAY, (hm(7, 0), hm(23, 0))),
                Area::Dialysis => (0b011_1111, (hm(6, 0), hm(18, 0))),
                Area::Onc => (WEEKDAYS, (hm(8, 0), hm(18, 0))),
                Area::Clinic => (WEEKDAYS, (hm(8, 0), hm(17, 0))),
                Area::Biomed => continue,
            };
            out.push(UsageWindow {
                id: UsageWindowId::new(t0, g.bytes()),
                department_id: dept.id,
                device_type_id: None,
                weekdays: days,
                starts,
                ends,
            });
            // Anesthesia machines are checked out before the first case.
            if spec.area == Area::Or
                && let Some(ane) = data.device_types.iter().find(|d| d.code == "10-134")
            {
                out.push(UsageWindow {
                    id: UsageWindowId::new(t0, g.bytes()),
                    department_id: dept.id,
                    device_type_id: Some(ane.id),
                    weekdays: WEEKDAYS,
                    starts: hm(6, 15),
                    ends: hm(17, 30),
                });
            }
        }
    }
    data.usage_windows = out;
}

fn training(p: &DemoParams, g: &mut Gen, data: &mut Dataset) {
    let mut out = Vec::new();
    let planted_dept = data
        .departments
        .iter()
        .find(|d| d.name == names::TRAINING_DEPARTMENT)
        .map(|d| d.id);
    let planted_type = data
        .device_types
        .iter()
        .find(|d| d.code == names::TRAINING_TYPE_CODE)
        .map(|d| d.id);
    if let (Some(dept), Some(dt)) = (planted_dept, planted_type) {
        let day = training_day(p);
        out.push(TrainingEvent {
            id: TrainingEventId::new(day_ms(day), g.bytes()),
            department_id: dept,
            device_type_id: dt,
            held_on: day,
            topic: "PCA pump programming, drug library and alarm response in-service".into(),
            trainer: "Kestrel Medical clinical educator with HTM".into(),
            attendees: 31,
        });
    }
    // Routine in-services elsewhere: pairs that actually have devices.
    let ctx = Ctx::new(data);
    let mut pairs: Vec<(DepartmentId, DeviceTypeId)> = data
        .assets
        .iter()
        .map(|a| (a.department_id, data.models[ctx.model_of(a)].device_type_id))
        .filter(|pair| Some(pair.0) != planted_dept || Some(pair.1) != planted_type)
        .collect();
    pairs.sort();
    pairs.dedup();
    let span = (p.as_of - p.history_start()).num_days().max(1);
    for _ in 0..p.training_events {
        if pairs.is_empty() {
            break;
        }
        let (dept, dt) = pairs[g.idx(pairs.len())];
        let day = p.history_start() + Duration::days(g.int(0, span - 1));
        let type_name = data
            .device_types
            .iter()
            .find(|d| d.id == dt)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        out.push(TrainingEvent {
            id: TrainingEventId::new(day_ms(day), g.bytes()),
            department_id: dept,
            device_type_id: dt,
            held_on: day,
            topic: format!("Annual competency: {type_name}"),
            trainer: "HTM education team".into(),
            attendees: g.int(6, 30) as u32,
        });
    }
    out.sort_by_key(|t| (t.held_on, t.id));
    data.training_events = out;
}

/// Day and time a recall work order was opened; it is also the time part
/// of its id, so the history can rebuild it from the id alone.
pub(crate) fn recall_wo_opened(received: NaiveDate, k: usize) -> chrono::DateTime<chrono::Utc> {
    at(
        received + Duration::days(1 + (k % 10) as i64),
        9,
        (k % 50) as u32,
    )
}

fn recalls(p: &DemoParams, g: &mut Gen, data: &mut Dataset) {
    let ctx = Ctx::new(data);
    // Candidate models: enough active units, not part of a planted pattern.
    let mut units: Vec<Vec<usize>> = vec![Vec::new(); data.models.len()];
    for (i, a) in data.assets.iter().enumerate() {
        units[ctx.model_of(a)].push(i);
    }
    let mut cands: Vec<usize> = (0..data.models.len())
        .filter(|&m| {
            units[m].len() >= 4
                && !ctx.is_planted_pump(m)
                && !ctx.is_eos_model(m)
                && data.models[m].name != names::LEGACY_US_MODEL
                && TYPES[ctx.model_spec[m]].code != names::TRAINING_TYPE_CODE
        })
        .collect();
    let titles = [
        "Battery may fail without low-battery alarm",
        "Software anomaly may cause unexpected restart",
        "Power supply may overheat",
        "Incorrect readings possible after firmware update",
        "Door latch may not engage fully",
        "Alarm volume may reset to minimum",
    ];
    let span = (p.as_of - p.history_start()).num_days().max(120);
    let n = usize::from(p.recalls);
    let mut out = Vec::new();
    let mut matched = Vec::new();
    for k in 0..n {
        if cands.is_empty() {
            break;
        }
        let model = cands.remove(g.idx(cands.len()));
        let open = k + 1 == n;
        let received = if open {
            p.as_of - Duration::days(20)
        } else {
            p.history_start()
                + Duration::days(30 + (span - 150) * k as i64 / n as i64 + g.int(0, 30))
        };
        let source = [
            RecallSource::Fda,
            RecallSource::Manufacturer,
            RecallSource::Ecri,
        ][k % 3];
        let number = match source {
            RecallSource::Fda => format!("Z-{}-{}", 1000 + g.int(0, 2999), received.year()),
            RecallSource::Manufacturer => format!("FSN-{}-{:03}", received.year(), g.int(1, 200)),
            _ => format!("H{:05}", g.int(10_000, 99_999)),
        };
        let recall = Recall {
            id: RecallId::new(day_ms(received), g.bytes()),
            source,
            number,
            title: titles[k % titles.len()].into(),
            received_on: received,
            manufacturer: Some(ctx.maker_name(model).to_string()),
            model: Some(data.models[model].name.clone()),
            device_type_code: Some(TYPES[ctx.model_spec[model]].code.into()),
            product_code: None,
            closed_on: (!open).then(|| received + Duration::days(g.int(35, 100))),
        };
        for (j, &ai) in units[model].iter().enumerate() {
            let a = &data.assets[ai];
            let lf = life(p, ai, a);
            if lf.start > received
                || lf.end(p.as_of) < received
                || lf.missing_since.is_some_and(|m| m < received)
            {
                continue;
            }
            let action = if open {
                if g.chance(0.4) {
                    RecallAction::Remediated
                } else {
                    RecallAction::Pending
                }
            } else {
                match g.f() {
                    x if x < 0.9 => RecallAction::Remediated,
                    x if x < 0.97 => RecallAction::NotAffected,
                    _ => RecallAction::RemovedFromService,
                }
            };
            let opened = recall_wo_opened(received, j);
            let with_wo = action != RecallAction::NotAffected
                && !(action == RecallAction::Pending && g.chance(0.3));
            let acted_on = match action {
                RecallAction::Pending => None,
                _ => Some(
                    (opened.date_naive() + Duration::days(g.int(0, 20)))
                        .min(recall.closed_on.unwrap_or(p.as_of))
                        .min(p.as_of),
                ),
            };
            matched.push(RecallAsset {
                recall_id: recall.id,
                asset_id: a.id,
                action,
                work_order_id: with_wo.then(|| WorkOrderId::new(ms(opened), g.bytes())),
                acted_on: acted_on.map(|d| d.max(opened.date_naive())),
            });
        }
        out.push(recall);
    }
    out.sort_by_key(|r| (r.received_on, r.id));
    data.recalls = out;
    data.recall_assets = matched;
}
