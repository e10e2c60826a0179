//! Properties of the generated demo hospital: determinism, referential
//! integrity, rule validity, the planted patterns and scale. Every number
//! is measured from the generated data; nothing is hard-coded.

use biomend_demo::{DemoParams, generate, history, planted};
use biomend_domain::asset::AssetStatus;
use biomend_domain::checklist::Verdict;
use biomend_domain::dataset::{Dataset, WorkOrderBundle};
use biomend_domain::ids::*;
use biomend_domain::network::PatchValidation;
use biomend_domain::risk::EmScore;
use biomend_domain::user::Role;
use biomend_domain::work_order::{
    ClosureCode, CompletionFacts, WorkOrderKind, WorkOrderStatus, check_completion,
};
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

struct Demo {
    p: DemoParams,
    data: Dataset,
    bundles: Vec<WorkOrderBundle>,
}

/// The default small hospital, generated once for all tests.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let p = DemoParams::small();
        let data = generate(&p);
        let mut bundles = Vec::new();
        history(&p, &data, |b| bundles.push(b));
        Demo { p, data, bundles }
    })
}

fn unit_years(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days().max(0) as f64 / 365.25
}

#[test]
fn small_params_match_the_shipped_file() {
    let p = DemoParams::small();
    assert_eq!(p.sites, 2);
    assert!(p.assets >= 2_000 && p.work_orders >= 40_000);
    let s = DemoParams::scaled(500, 5_000);
    assert_eq!(
        (s.seed, s.as_of, s.assets, s.work_orders),
        (p.seed, p.as_of, 500, 5_000)
    );
}

#[test]
fn same_params_give_the_same_hospital_and_history() {
    let d = demo();
    let again = generate(&d.p);
    assert!(again == d.data, "dataset differs between runs");
    let mut i = 0;
    history(&d.p, &again, |b| {
        assert!(b == d.bundles[i], "bundle {i} differs between runs");
        i += 1;
    });
    assert_eq!(i, d.bundles.len());

    let other = DemoParams {
        seed: d.p.seed + 1,
        ..d.p.clone()
    };
    let od = generate(&other);
    assert_ne!(od.assets[0].id, d.data.assets[0].id);
    assert_ne!(od, d.data);
    let mut first = None;
    history(&other, &od, |b| {
        if first.is_none() {
            first = Some(b.work_order.id);
        }
    });
    assert_ne!(first, Some(d.bundles[0].work_order.id));
}

#[test]
fn sizes_are_as_asked() {
    let d = demo();
    assert_eq!(d.data.assets.len(), d.p.assets as usize);
    assert_eq!(d.data.sites.len(), usize::from(d.p.sites));
    assert_eq!(
        d.data.departments.len(),
        usize::from(d.p.sites * d.p.departments_per_site)
    );
    let n = d.bundles.len() as f64;
    let target = d.p.work_orders as f64;
    assert!(
        (n - target).abs() <= 0.05 * target,
        "{n} work orders for a target of {target}"
    );
    let techs = d
        .data
        .users
        .iter()
        .filter(|u| u.role == Role::Technician && u.active)
        .count();
    assert_eq!(techs, usize::from(d.p.technicians));
    for name in [
        "demo.tech",
        "demo.super",
        "demo.manager",
        "demo.admin",
        "demo.itsec",
    ] {
        assert!(
            d.data.users.iter().any(|u| u.username == name),
            "{name} missing"
        );
    }
    assert!(d.data.device_types.len() >= 30);
    let kinds: HashSet<WorkOrderKind> = d.bundles.iter().map(|b| b.work_order.kind).collect();
    assert_eq!(
        kinds.len(),
        WorkOrderKind::ALL.len(),
        "every kind of work appears"
    );
}

#[test]
fn every_reference_resolves() {
    let d = &demo().data;
    let sites: HashSet<_> = d.sites.iter().map(|x| x.id).collect();
    let buildings: HashSet<_> = d.buildings.iter().map(|x| x.id).collect();
    let depts: HashSet<_> = d.departments.iter().map(|x| x.id).collect();
    let locs: HashMap<_, _> = d.locations.iter().map(|x| (x.id, x)).collect();
    let users: HashSet<_> = d.users.iter().map(|x| x.id).collect();
    let makers: HashSet<_> = d.manufacturers.iter().map(|x| x.id).collect();
    let types: HashSet<_> = d.device_types.iter().map(|x| x.id).collect();
    let models: HashSet<_> = d.models.iter().map(|x| x.id).collect();
    let checklists: HashSet<_> = d.checklists.iter().map(|x| x.id).collect();
    let plans: HashSet<_> = d.pm_plans.iter().map(|x| x.id).collect();
    let vendors: HashSet<_> = d.vendors.iter().map(|x| x.id).collect();
    let contracts: HashSet<_> = d.contracts.iter().map(|x| x.id).collect();
    let parts: HashSet<_> = d.parts.iter().map(|x| x.id).collect();
    let assets: HashSet<_> = d.assets.iter().map(|x| x.id).collect();
    let recalls: HashSet<_> = d.recalls.iter().map(|x| x.id).collect();
    assert_eq!(assets.len(), d.assets.len(), "asset ids unique");
    let tags: HashSet<_> = d.assets.iter().map(|a| a.tag.as_str()).collect();
    assert_eq!(tags.len(), d.assets.len(), "asset tags unique");
    let rooms: HashSet<_> = d
        .locations
        .iter()
        .map(|l| (l.building_id, l.floor.as_str(), l.room.as_str()))
        .collect();
    assert_eq!(
        rooms.len(),
        d.locations.len(),
        "one location per building, floor and room"
    );

    assert!(d.buildings.iter().all(|b| sites.contains(&b.site_id)));
    assert!(d.departments.iter().all(|x| sites.contains(&x.site_id)));
    for l in &d.locations {
        assert!(buildings.contains(&l.building_id));
        assert!(l.department_id.is_some_and(|x| depts.contains(&x)));
    }
    assert!(
        d.users
            .iter()
            .all(|u| u.sites.iter().all(|s| sites.contains(s)))
    );
    for m in &d.models {
        assert!(makers.contains(&m.manufacturer_id) && types.contains(&m.device_type_id));
    }
    for p in &d.pm_plans {
        assert!(p.model_id.is_some_and(|m| models.contains(&m)));
        assert!(p.device_type_id.is_some_and(|t| types.contains(&t)));
        assert!(p.checklist_id.is_some_and(|c| checklists.contains(&c)));
    }
    assert!(d.contracts.iter().all(|c| vendors.contains(&c.vendor_id)));
    for s in &d.part_stock {
        assert!(parts.contains(&s.part_id) && sites.contains(&s.site_id));
    }
    for a in &d.assets {
        assert!(models.contains(&a.model_id), "{} model", a.tag);
        assert!(depts.contains(&a.department_id), "{} department", a.tag);
        let loc = a
            .location_id
            .and_then(|l| locs.get(&l))
            .expect("location exists");
        assert_eq!(
            loc.department_id,
            Some(a.department_id),
            "{} sits in its department",
            a.tag
        );
        assert!(a.contract_id.is_none_or(|c| contracts.contains(&c)));
        assert!(a.parent_id.is_none_or(|p| p != a.id && assets.contains(&p)));
    }
    assert!(
        d.assets.iter().any(|a| a.parent_id.is_some()),
        "some accessories have a parent"
    );
    let mut profiled = HashSet::new();
    for n in &d.network_profiles {
        assert!(assets.contains(&n.asset_id));
        assert!(profiled.insert(n.asset_id), "one profile per asset");
    }
    let ips: HashSet<_> = d
        .network_profiles
        .iter()
        .map(|n| n.ip_address.clone())
        .collect();
    assert_eq!(ips.len(), d.network_profiles.len(), "IP addresses unique");
    for s in &d.pm_schedules {
        assert!(assets.contains(&s.asset_id) && plans.contains(&s.plan_id));
    }
    for u in &d.usage_windows {
        assert!(depts.contains(&u.department_id));
        assert!(u.device_type_id.is_none_or(|t| types.contains(&t)));
    }
    for t in &d.training_events {
        assert!(depts.contains(&t.department_id) && types.contains(&t.device_type_id));
    }
    for r in &d.recall_assets {
        assert!(recalls.contains(&r.recall_id) && assets.contains(&r.asset_id));
    }

    // Work orders point at existing records, and recall links resolve both ways.
    let mut wo_ids = HashSet::new();
    let mut numbers = HashSet::new();
    for b in &demo().bundles {
        let w = &b.work_order;
        assert!(wo_ids.insert(w.id), "work-order ids unique");
        assert!(
            numbers.insert(w.number.clone()),
            "work-order numbers unique"
        );
        assert!(assets.contains(&w.asset_id));
        assert!(users.contains(&w.created_by));
        assert!(w.assigned_to.is_none_or(|u| users.contains(&u)));
        assert!(w.signed_off_by.is_none_or(|u| users.contains(&u)));
        assert!(w.pm_plan_id.is_none_or(|p| plans.contains(&p)));
        assert!(w.recall_id.is_none_or(|r| recalls.contains(&r)));
        assert!(
            b.labor
                .iter()
                .all(|l| l.work_order_id == w.id && users.contains(&l.technician_id))
        );
        assert!(
            b.parts
                .iter()
                .all(|p| p.work_order_id == w.id && p.part_id.is_some_and(|x| parts.contains(&x)))
        );
        assert!(
            b.vendor_charges
                .iter()
                .all(|v| v.work_order_id == w.id && vendors.contains(&v.vendor_id))
        );
        assert!(
            b.downtime
                .iter()
                .all(|x| x.asset_id == w.asset_id && x.work_order_id == Some(w.id))
        );
        assert!(
            b.readings
                .iter()
                .all(|r| r.work_order_id == w.id && users.contains(&r.taken_by))
        );
        assert!(
            b.attempts
                .iter()
                .all(|x| x.work_order_id == w.id && users.contains(&x.technician_id))
        );
        assert!(
            b.notes
                .iter()
                .all(|x| x.work_order_id == w.id && users.contains(&x.author_id))
        );
        assert!(
            b.signature
                .iter()
                .all(|s| s.work_order_id == w.id && users.contains(&s.signer_id))
        );
    }
    for r in &d.recall_assets {
        assert!(
            r.work_order_id.is_none_or(|w| wo_ids.contains(&w)),
            "recall work order exists"
        );
    }
}

#[test]
fn work_obeys_the_rules() {
    let d = demo();
    let now = d.p.as_of.and_hms_opt(23, 59, 59).unwrap().and_utc();
    let mut last = None;
    for b in &d.bundles {
        let w = &b.work_order;
        // Oldest first, ids minted from the opening time.
        assert!(
            last.is_none_or(|t| t <= w.opened_at),
            "stream is oldest first"
        );
        last = Some(w.opened_at);
        assert_eq!(w.id.as_uuid().get_version_num(), 7);
        let (secs, _) = w.id.as_uuid().get_timestamp().unwrap().to_unix();
        assert_eq!(secs as i64, w.opened_at.timestamp(), "{} id time", w.number);
        assert!(w.opened_at <= now);
        assert_eq!(
            w.number,
            biomend_domain::work_order::work_order_number(
                w.opened_at.year(),
                w.number[6..].parse().unwrap()
            )
        );

        if w.status.is_done() {
            let facts = CompletionFacts {
                kind: w.kind,
                status: WorkOrderStatus::InProgress,
                closure: w.closure,
                has_signature: b.signature.is_some(),
            };
            assert_eq!(check_completion(&facts), Ok(()), "{} completion", w.number);
            let (s, c) = (w.started_at.unwrap(), w.completed_at.unwrap());
            assert!(w.opened_at <= s && s <= c && c <= now, "{} times", w.number);
            if w.kind == WorkOrderKind::Pm {
                let found_failure = b.readings.iter().any(|r| r.verdict == Verdict::Fail);
                assert_eq!(
                    w.closure == Some(ClosureCode::PreventiveOnly),
                    !found_failure,
                    "{} PM closure",
                    w.number
                );
            }
            if w.kind == WorkOrderKind::Corrective {
                assert_ne!(w.closure, Some(ClosureCode::PreventiveOnly));
            }
        } else {
            assert!(w.closure.is_none() && w.completed_at.is_none() && b.signature.is_none());
        }
        assert_eq!(
            w.status == WorkOrderStatus::SignedOff,
            w.signed_off_by.is_some()
        );
        if let Some(t) = w.signed_off_at {
            assert!(t >= w.completed_at.unwrap() && t <= now);
        }
        if matches!(w.status, WorkOrderStatus::Open | WorkOrderStatus::Cancelled) {
            assert!(w.started_at.is_none(), "{} not started yet", w.number);
        }
        if matches!(
            w.status,
            WorkOrderStatus::InProgress
                | WorkOrderStatus::OnHoldParts
                | WorkOrderStatus::OnHoldVendor
        ) {
            assert!(w.started_at.is_some());
        }
        if w.status.is_open() {
            assert!(
                w.opened_at > now - Duration::days(400),
                "{} open for too long",
                w.number
            );
        }
        for l in &b.labor {
            l.validate().unwrap();
        }
        for p in &b.parts {
            p.validate().unwrap();
        }
        for x in &b.downtime {
            x.validate().unwrap();
            assert_eq!(
                x.ended_at.is_none(),
                !w.status.is_done(),
                "{} open downtime only on open work",
                w.number
            );
        }
        for r in &b.readings {
            let judged = match (r.value, r.limit) {
                (Some(v), Some(l)) => l.check(v),
                (None, None) => r.verdict,
                _ => panic!("{} reading {} half-measured", w.number, r.item_key),
            };
            assert_eq!(r.verdict, judged, "{} reading {}", w.number, r.item_key);
        }
    }
    let failing = d
        .bundles
        .iter()
        .flat_map(|b| &b.readings)
        .filter(|r| r.verdict == Verdict::Fail)
        .count();
    let total = d.bundles.iter().map(|b| b.readings.len()).sum::<usize>();
    assert!(
        failing > 0 && failing * 100 < total,
        "a few readings fail: {failing} of {total}"
    );
    let partial = d
        .bundles
        .iter()
        .flat_map(|b| &b.downtime)
        .filter(|x| x.partial_factor < 1.0)
        .count();
    assert!(partial > 0, "some downtime is partial");
    let attempts = d.bundles.iter().flat_map(|b| &b.attempts).count();
    assert!(attempts > 0, "some PMs record attempts");

    for a in &d.data.assets {
        let r = a.risk;
        assert!(
            EmScore::new(
                r.function,
                r.physical_risk,
                r.maintenance,
                r.incident_history
            )
            .is_ok(),
            "{} EM",
            a.tag
        );
    }
    for p in &d.data.pm_plans {
        assert!(matches!(p.interval_months, 6 | 12));
        let dt = d
            .data
            .device_types
            .iter()
            .find(|t| Some(t.id) == p.device_type_id)
            .unwrap();
        if p.strategy == biomend_domain::pm::PmStrategy::Aem {
            assert!(
                dt.aem_exclusion.is_none() && !dt.life_support,
                "{} may not use AEM",
                p.name
            );
            assert!(p.aem_evidence.as_deref().is_some_and(|e| !e.is_empty()));
        }
    }
}

#[test]
fn schedules_agree_with_the_pm_history() {
    let d = demo();
    let mut last_pm: HashMap<AssetId, NaiveDate> = HashMap::new();
    for b in &d.bundles {
        if b.work_order.kind == WorkOrderKind::Pm
            && let Some(c) = b.work_order.completed_at
        {
            last_pm.insert(b.work_order.asset_id, c.date_naive());
        }
    }
    let active = d
        .data
        .assets
        .iter()
        .filter(|a| a.status.is_active())
        .count();
    assert!(
        d.data.pm_schedules.len() * 10 >= active * 7,
        "most active assets are scheduled"
    );
    let mut overdue = 0;
    for s in &d.data.pm_schedules {
        assert_eq!(
            s.last_done,
            last_pm.get(&s.asset_id).copied(),
            "last done matches history"
        );
        if s.next_due < d.p.as_of - Duration::days(36) {
            overdue += 1;
        }
    }
    let soon = d
        .data
        .pm_schedules
        .iter()
        .filter(|s| s.next_due >= d.p.as_of && s.next_due <= d.p.as_of + Duration::days(30))
        .count();
    assert!(
        overdue > 0 && overdue * 10 < d.data.pm_schedules.len(),
        "a realistic share overdue: {overdue}"
    );
    assert!(soon > 0);
}

#[test]
fn the_demo_technician_has_a_day() {
    let d = demo();
    let tech = d
        .data
        .users
        .iter()
        .find(|u| u.username == "demo.tech")
        .unwrap()
        .id;
    let open: Vec<_> = d
        .bundles
        .iter()
        .filter(|b| b.work_order.assigned_to == Some(tech) && b.work_order.status.is_open())
        .collect();
    assert!(!open.is_empty(), "demo.tech has open work");
    let depts: HashSet<DepartmentId> = open
        .iter()
        .filter_map(|b| d.data.assets.iter().find(|a| a.id == b.work_order.asset_id))
        .map(|a| a.department_id)
        .collect();
    let due_soon = d
        .data
        .pm_schedules
        .iter()
        .filter(|s| s.next_due <= d.p.as_of + Duration::days(14))
        .filter(|s| {
            d.data
                .assets
                .iter()
                .any(|a| a.id == s.asset_id && depts.contains(&a.department_id))
        })
        .count();
    assert!(due_soon > 0, "PMs due in the demo technician's area");
}

#[test]
fn planted_failing_pump_maker_stands_out() {
    let d = demo();
    let pl = planted(&d.p, &d.data);
    let start = d.p.history_start();
    let maker_of: HashMap<ModelId, ManufacturerId> = d
        .data
        .models
        .iter()
        .filter(|m| m.device_type_id == pl.pump_device_type)
        .map(|m| (m.id, m.manufacturer_id))
        .collect();
    let mut years: HashMap<ManufacturerId, f64> = HashMap::new();
    let mut pump_maker: HashMap<AssetId, ManufacturerId> = HashMap::new();
    for a in d
        .data
        .assets
        .iter()
        .filter(|a| a.status != AssetStatus::Retired && a.status != AssetStatus::Missing)
    {
        if let Some(m) = maker_of.get(&a.model_id) {
            *years.entry(*m).or_default() +=
                unit_years(a.acquired_on.unwrap().max(start), d.p.as_of);
            pump_maker.insert(a.id, *m);
        }
    }
    let mut failures: HashMap<ManufacturerId, f64> = HashMap::new();
    for b in &d.bundles {
        let w = &b.work_order;
        if w.kind == WorkOrderKind::Corrective
            && w.closure.is_some_and(|c| c.is_failure())
            && let Some(m) = pump_maker.get(&w.asset_id)
        {
            *failures.entry(*m).or_default() += 1.0;
        }
    }
    let rate = |m: &ManufacturerId| failures.get(m).copied().unwrap_or(0.0) / years[m];
    let planted_rate = rate(&pl.failing_pump_manufacturer);
    let others: Vec<f64> = years
        .keys()
        .filter(|m| **m != pl.failing_pump_manufacturer)
        .map(rate)
        .collect();
    assert!(!others.is_empty());
    let other_rate = others.iter().sum::<f64>() / others.len() as f64;
    println!(
        "pump device failures per unit-year: planted {planted_rate:.2}, others {other_rate:.2}"
    );
    assert!(
        planted_rate >= 2.5 * other_rate,
        "{planted_rate} vs {other_rate}"
    );
    for o in others {
        assert!(
            planted_rate >= 2.0 * o,
            "planted maker beats every other maker"
        );
    }
}

#[test]
fn planted_training_effect_shows_in_equal_windows() {
    let d = demo();
    let pl = planted(&d.p, &d.data);
    let event = d
        .data
        .training_events
        .iter()
        .find(|t| t.id == pl.training_event)
        .unwrap();
    assert_eq!(
        (event.department_id, event.device_type_id),
        (pl.training_department, pl.training_device_type)
    );
    let w = Duration::days(pl.training_window_days);
    assert!(event.held_on - w >= d.p.history_start() && event.held_on + w <= d.p.as_of);
    let type_models: HashSet<ModelId> = d
        .data
        .models
        .iter()
        .filter(|m| m.device_type_id == pl.training_device_type)
        .map(|m| m.id)
        .collect();
    let in_scope: HashSet<AssetId> = d
        .data
        .assets
        .iter()
        .filter(|a| a.department_id == pl.training_department && type_models.contains(&a.model_id))
        .map(|a| a.id)
        .collect();
    let (mut before, mut after, mut calls_before, mut calls_after) =
        (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for b in &d.bundles {
        let wo = &b.work_order;
        if wo.kind != WorkOrderKind::Corrective || !in_scope.contains(&wo.asset_id) {
            continue;
        }
        let day = wo.opened_at.date_naive();
        let hit = wo
            .closure
            .is_some_and(|c| c == ClosureCode::CouldNotDuplicate || c.is_use_error())
            as u8 as f64;
        if day >= event.held_on - w && day < event.held_on {
            before += hit;
            calls_before += 1.0;
        } else if day >= event.held_on && day < event.held_on + w {
            after += hit;
            calls_after += 1.0;
        }
    }
    println!(
        "CND + use-error calls: {before} of {calls_before} before, {after} of {calls_after} after"
    );
    assert!(before >= 15.0, "enough calls before to be a pattern");
    assert!(
        before >= 3.0 * after.max(1.0),
        "calls drop markedly after training"
    );
    assert!(
        before / calls_before >= 2.0 * (after / calls_after.max(1.0)),
        "and so does their share of repairs"
    );
}

#[test]
fn planted_unsupported_os_group() {
    let d = demo();
    let pl = planted(&d.p, &d.data);
    assert!(
        pl.unsupported_os_assets.len() >= 10,
        "a group, not a stray device"
    );
    let legacy_models: HashSet<ModelId> = d
        .data
        .models
        .iter()
        .filter(|m| m.name == biomend_demo::EOS_MODEL || m.name == biomend_demo::LEGACY_US_MODEL)
        .map(|m| m.id)
        .collect();
    let by_asset: HashMap<AssetId, _> = d.data.assets.iter().map(|a| (a.id, a)).collect();
    let unsupported: HashSet<AssetId> = d
        .data
        .network_profiles
        .iter()
        .filter(|n| n.is_unsupported_os())
        .map(|n| n.asset_id)
        .collect();
    assert_eq!(
        unsupported,
        pl.unsupported_os_assets.iter().copied().collect()
    );
    for n in d.data.network_profiles.iter() {
        let legacy = legacy_models.contains(&by_asset[&n.asset_id].model_id);
        assert_eq!(
            legacy,
            n.is_unsupported_os(),
            "only the legacy models are unsupported"
        );
        if legacy {
            assert_eq!(n.patch_validation, PatchValidation::Unsupported);
            assert!(matches!(
                n.os_name.as_deref(),
                Some("Windows 7" | "Windows XP Embedded")
            ));
        }
    }
}

#[test]
fn planted_end_of_support_model_costs_more_each_year() {
    let d = demo();
    let pl = planted(&d.p, &d.data);
    let model = d
        .data
        .models
        .iter()
        .find(|m| m.id == pl.end_of_support_model)
        .unwrap();
    assert!(model.is_past_end_of_support(d.p.as_of));
    let units: HashSet<AssetId> = d
        .data
        .assets
        .iter()
        .filter(|a| a.model_id == model.id)
        .map(|a| a.id)
        .collect();
    let mut by_year: HashMap<i32, i64> = HashMap::new();
    for b in d
        .bundles
        .iter()
        .filter(|b| units.contains(&b.work_order.asset_id))
    {
        let y = b.work_order.opened_at.year();
        let cost: i64 = b.parts.iter().map(|p| p.total().cents()).sum::<i64>()
            + b.vendor_charges
                .iter()
                .map(|v| v.total().cents())
                .sum::<i64>();
        *by_year.entry(y).or_default() += cost;
    }
    let first_full = d.p.history_start().year() + 1;
    let last_full = d.p.as_of.year() - 1;
    let costs: Vec<i64> = (first_full..=last_full)
        .map(|y| by_year.get(&y).copied().unwrap_or(0))
        .collect();
    println!(
        "{} annual parts + vendor cost (cents) {first_full}..={last_full}: {costs:?}",
        model.name
    );
    assert!(costs.len() >= 3);
    for w in costs.windows(2) {
        assert!(
            w[1] > w[0],
            "annual service cost rises every year: {costs:?}"
        );
    }
    assert!(*costs.last().unwrap() >= 2 * costs[0]);
}

#[test]
fn scaled_hospital_has_the_requested_size() {
    let p = DemoParams::scaled(20_000, 200_000);
    let data = generate(&p);
    assert_eq!(data.assets.len(), 20_000);
    let tags: HashSet<_> = data.assets.iter().map(|a| a.tag.as_str()).collect();
    assert_eq!(tags.len(), 20_000);
    let mut n = 0u64;
    let mut last = None;
    history(&p, &data, |b| {
        assert!(last.is_none_or(|t| t <= b.work_order.opened_at));
        last = Some(b.work_order.opened_at);
        n += 1;
    });
    let target = p.work_orders as f64;
    assert!(
        (n as f64 - target).abs() <= 0.05 * target,
        "{n} work orders for {target}"
    );
    assert!(planted(&p, &data).unsupported_os_assets.len() > 100);
}
