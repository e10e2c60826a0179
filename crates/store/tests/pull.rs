//! Applying pulled rows: a device seeded from nothing, pages applied twice,
//! children before their parents, tombstones, search, the outbox rule and
//! resync.

mod common;

use biomend_domain::dataset::{Dataset, WorkOrderBundle};
use biomend_store::{PullMode, PulledRow, Replicated, RowKind, Store, StoreError};
use common::*;

/// Every replicated row of the fixture hospital, parents first, as the
/// server would send them to a new device.
fn server_rows(d: &Dataset, bundles: &[WorkOrderBundle]) -> Vec<Replicated> {
    let mut out = Vec::new();
    out.extend(d.sites.iter().cloned().map(Replicated::Site));
    out.extend(d.buildings.iter().cloned().map(Replicated::Building));
    out.extend(d.departments.iter().cloned().map(Replicated::Department));
    out.extend(d.locations.iter().cloned().map(Replicated::Location));
    out.extend(d.users.iter().map(|u| {
        Replicated::User(biomend_domain::user::User {
            loaded_rate_cents: None,
            ..u.clone()
        })
    }));
    out.extend(
        d.manufacturers
            .iter()
            .cloned()
            .map(Replicated::Manufacturer),
    );
    out.extend(d.device_types.iter().cloned().map(Replicated::DeviceType));
    out.extend(d.models.iter().cloned().map(Replicated::Model));
    out.extend(d.checklists.iter().cloned().map(Replicated::Checklist));
    out.extend(d.pm_plans.iter().cloned().map(Replicated::PmPlan));
    out.extend(d.parts.iter().cloned().map(Replicated::Part));
    out.extend(d.vendors.iter().cloned().map(Replicated::Vendor));
    out.extend(d.assets.iter().cloned().map(Replicated::Asset));
    out.extend(d.pm_schedules.iter().cloned().map(Replicated::PmSchedule));
    for b in bundles {
        out.push(Replicated::WorkOrder(b.work_order.clone()));
        out.extend(b.downtime.iter().cloned().map(Replicated::Downtime));
        out.extend(b.labor.iter().cloned().map(Replicated::Labor));
        out.extend(b.parts.iter().cloned().map(Replicated::PartUse));
        out.extend(
            b.vendor_charges
                .iter()
                .cloned()
                .map(Replicated::VendorCharge),
        );
        out.extend(b.readings.iter().cloned().map(Replicated::Reading));
        out.extend(b.notes.iter().cloned().map(Replicated::WorkNote));
        out.extend(b.signature.iter().cloned().map(Replicated::Signature));
        out.extend(b.attempts.iter().cloned().map(Replicated::PmAttempt));
    }
    out
}

/// The fixture's work orders as a device receives them: whole, vendor
/// invoices included.
fn pulled_bundles() -> Vec<WorkOrderBundle> {
    bundles()
}

fn upserts(rows: impl IntoIterator<Item = Replicated>) -> Vec<PulledRow> {
    rows.into_iter().map(PulledRow::Upsert).collect()
}

/// Applies `pages` as one run; page `i` ends at cursor `10 * (i + 1)`.
fn pull(s: &mut Store, mode: PullMode, pages: Vec<Vec<PulledRow>>) -> Result<(), StoreError> {
    s.pull_run(load_time(), mode, |run| {
        let from = run.from_cursor();
        for (i, page) in pages.into_iter().enumerate() {
            run.apply_page(&page, from + 10 * (i as u64 + 1))?;
        }
        Ok::<_, StoreError>(())
    })
    .map(|_| ())
}

fn seeded() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    let rows = upserts(server_rows(&dataset(), &pulled_bundles()));
    let (a, b) = rows.split_at(rows.len() / 2);
    pull(&mut s, PullMode::Incremental, vec![a.to_vec(), b.to_vec()]).unwrap();
    s
}

/// Every row of the replicated tables, for before/after comparisons.
fn snapshot(s: &Store) -> Vec<(String, u64)> {
    let r = s.reader();
    [
        "sites",
        "buildings",
        "departments",
        "locations",
        "users",
        "user_sites",
        "models",
        "assets",
        "pm_schedules",
        "work_orders",
        "labor",
        "part_uses",
        "readings",
        "work_notes",
        "signatures",
        "downtime",
        "pm_attempts",
        "vendors",
        "vendor_charges",
    ]
    .iter()
    .map(|t| (t.to_string(), r.count(t).unwrap()))
    .collect()
}

#[test]
fn an_empty_device_is_seeded_entirely_by_a_pull() {
    let s = seeded();
    let r = s.reader();
    let d = dataset();
    assert_eq!(r.pull_cursor().unwrap(), 20);
    assert_eq!(r.sites().unwrap(), d.sites);
    for a in &d.assets {
        assert_eq!(r.asset(a.id).unwrap().as_ref(), Some(a));
    }
    for u in &d.users {
        let got = r.user(u.id).unwrap().unwrap();
        assert_eq!(got.sites, u.sites, "user_sites follow the user's sites");
        assert_eq!(got.loaded_rate_cents, None, "no pay rate travels");
    }
    for b in pulled_bundles() {
        assert_eq!(r.work_order_bundle(b.work_order.id).unwrap(), Some(b));
    }
    // Search finds pulled assets by tag, model and department.
    assert_eq!(r.search_assets("BME-0007", 5).unwrap()[0].tag, "BME-0007");
    assert_eq!(r.search_assets("sigma", 20).unwrap().len(), 6);
    s.integrity_check().unwrap();
    // One audit row for the whole run.
    let audits: u64 = r.count("audit_log").unwrap();
    assert_eq!(audits, 1);
}

#[test]
fn applying_a_page_again_changes_nothing() {
    let mut s = seeded();
    let before = snapshot(&s);
    let rows = upserts(server_rows(&dataset(), &pulled_bundles()));
    pull(&mut s, PullMode::Incremental, vec![rows.clone(), rows]).unwrap();
    assert_eq!(snapshot(&s), before);
    let r = s.reader();
    assert_eq!(
        r.search_assets("BME-0007", 5).unwrap().len(),
        1,
        "indexed once"
    );
    assert_eq!(r.search_assets("sigma", 20).unwrap().len(), 6);
    assert_eq!(r.pull_cursor().unwrap(), 40);
}

#[test]
fn a_child_may_arrive_pages_before_its_parent() {
    let mut s = Store::open_in_memory().unwrap();
    let all = server_rows(&dataset(), &pulled_bundles());
    // The work orders, the ICU department and the sites changed last on
    // the server: they come in the final page, after their children.
    let late = |r: &Replicated| {
        matches!(r, Replicated::WorkOrder(_) | Replicated::Site(_))
            || matches!(r, Replicated::Department(d) if d.id == department_id(ICU))
    };
    let (last, first): (Vec<_>, Vec<_>) = all.into_iter().partition(late);
    let (p1, p2) = first.split_at(first.len() / 2);
    pull(
        &mut s,
        PullMode::Incremental,
        vec![upserts(p1.to_vec()), upserts(p2.to_vec()), upserts(last)],
    )
    .unwrap();
    let r = s.reader();
    let d = dataset();
    for a in &d.assets {
        assert_eq!(r.asset(a.id).unwrap().as_ref(), Some(a));
        // The asset's site came from a department that arrived later.
        assert_eq!(r.asset_detail(a.id).unwrap().unwrap().site.id, site_id(1));
    }
    assert_eq!(r.search_assets("BME-0001", 5).unwrap().len(), 1);
    assert_eq!(
        r.work_order_bundle(work_order_id(1)).unwrap(),
        Some(pulled_bundles().remove(0))
    );
    assert_eq!(r.pull_cursor().unwrap(), 30);
}

#[test]
fn a_run_whose_rows_do_not_fit_keeps_nothing() {
    let mut s = seeded();
    let before = snapshot(&s);
    let mut orphan = labor_of_first();
    orphan.id = labor_id(99);
    orphan.work_order_id = work_order_id(99); // never sent
    let mut asset = asset(1);
    asset.notes = "moved".into();
    let err = pull(
        &mut s,
        PullMode::Incremental,
        vec![upserts([
            Replicated::Asset(asset),
            Replicated::Labor(orphan),
        ])],
    )
    .unwrap_err();
    assert!(
        matches!(err, StoreError::PullInconsistent(ref m) if m.contains("labor")),
        "{err}"
    );
    assert_eq!(snapshot(&s), before);
    assert_eq!(s.reader().asset(asset_id(1)).unwrap().unwrap().notes, "");
    assert_eq!(s.reader().pull_cursor().unwrap(), 20, "the cursor stays");
}

fn labor_of_first() -> biomend_domain::work_order::Labor {
    full_bundle().labor[0].clone()
}

#[test]
fn a_failed_run_leaves_the_old_rows_and_cursor() {
    let mut s = seeded();
    let mut a = asset(2);
    a.status = biomend_domain::asset::AssetStatus::Missing;
    let out = s.pull_run(load_time(), PullMode::Incremental, |run| {
        run.apply_page(&upserts([Replicated::Asset(a)]), 25)?;
        // The connection drops before the next page.
        Err::<(), _>(StoreError::Corrupt {
            what: "page",
            detail: "connection lost".into(),
        })
    });
    assert!(out.is_err());
    let r = s.reader();
    assert_eq!(r.asset(asset_id(2)).unwrap(), Some(asset(2)));
    assert_eq!(r.pull_cursor().unwrap(), 20);
}

#[test]
fn a_tombstone_deletes_the_row_and_its_search_entry() {
    let mut s = seeded();
    // An asset nothing replicated refers to: no work orders, schedules
    // or child modules.
    let d = dataset();
    let used: Vec<_> = bundles()
        .iter()
        .map(|b| b.work_order.asset_id)
        .chain(d.pm_schedules.iter().map(|s| s.asset_id))
        .chain(d.assets.iter().filter_map(|a| a.parent_id))
        .collect();
    let victim = d
        .assets
        .iter()
        .find(|a| !used.contains(&a.id))
        .unwrap()
        .clone();
    assert_eq!(s.reader().search_assets(&victim.tag, 5).unwrap().len(), 1);
    s.write(&system(), load_time(), |tx| {
        tx.upsert_network_profile(None, &network_profile(victim.id))
    })
    .unwrap();
    pull(
        &mut s,
        PullMode::Incremental,
        vec![vec![PulledRow::Delete {
            kind: RowKind::Asset,
            key: victim.id.to_string(),
        }]],
    )
    .unwrap();
    let r = s.reader();
    assert_eq!(r.asset(victim.id).unwrap(), None);
    assert!(r.search_assets(&victim.tag, 5).unwrap().is_empty());
    assert_eq!(
        r.network_profile(victim.id).unwrap(),
        None,
        "local rows go with it"
    );
    // A PM schedule's key is asset:plan.
    let sched = &dataset().pm_schedules[0];
    pull(
        &mut s,
        PullMode::Incremental,
        vec![vec![PulledRow::Delete {
            kind: RowKind::PmSchedule,
            key: format!("{}:{}", sched.asset_id, sched.plan_id),
        }]],
    )
    .unwrap();
    assert_eq!(s.reader().count("pm_schedules").unwrap(), 5);
}

fn network_profile(asset: biomend_domain::ids::AssetId) -> biomend_domain::network::NetworkProfile {
    biomend_domain::network::NetworkProfile {
        asset_id: asset,
        hostname: Some("mon-8".into()),
        ip_address: None,
        mac_address: None,
        vlan: None,
        segment: None,
        os_name: None,
        os_version: None,
        firmware_version: None,
        patch_level: None,
        last_patched_on: None,
        remote_recoverable: false,
        stores_phi: false,
        patch_validation: biomend_domain::network::PatchValidation::Pending,
    }
}

#[test]
fn search_follows_pulled_renames_and_moves() {
    let mut s = seeded();
    let mut room = dataset().locations[0].clone();
    room.room = "Quarantine".into();
    let mut a = asset(1);
    a.serial = Some("ZX-NEW-SERIAL".into());
    pull(
        &mut s,
        PullMode::Incremental,
        vec![upserts([
            Replicated::Location(room.clone()),
            Replicated::Asset(a),
        ])],
    )
    .unwrap();
    let r = s.reader();
    let here = r.search_assets("quarantine", 20).unwrap();
    let want = dataset()
        .assets
        .iter()
        .filter(|a| a.location_id == Some(room.id))
        .count();
    assert!(want > 0);
    assert_eq!(here.len(), want);
    assert_eq!(r.search_assets("ZX-NEW", 5).unwrap()[0].tag, asset(1).tag);
}

#[test]
fn a_pull_waits_while_local_changes_are_pending() {
    let mut s = seeded();
    s.write(&system(), load_time(), |tx| {
        tx.enqueue_mutation(uuid::Uuid::from_u128(1), "update_asset", 1, "0", "{}")
    })
    .unwrap();
    let mut a = asset(3);
    a.notes = "server says".into();
    let err = pull(
        &mut s,
        PullMode::Incremental,
        vec![upserts([Replicated::Asset(a)])],
    )
    .unwrap_err();
    assert!(
        matches!(err, StoreError::PendingMutations { count: 1 }),
        "{err}"
    );
    assert_eq!(s.reader().asset(asset_id(3)).unwrap(), Some(asset(3)));
    let err = pull(&mut s, PullMode::Resync, vec![]).unwrap_err();
    assert!(
        matches!(err, StoreError::PendingMutations { .. }),
        "a resync never discards pending work"
    );
    assert_eq!(s.reader().count("assets").unwrap(), 10);
}

#[test]
fn a_resync_replaces_every_replicated_row() {
    let mut s = seeded();
    // The server now holds the hospital without asset 8 and with work
    // order 1 only.
    let mut d = dataset();
    d.assets.retain(|a| a.id != asset_id(8));
    let b = vec![pulled_bundles().remove(0)];
    pull(&mut s, PullMode::Resync, vec![upserts(server_rows(&d, &b))]).unwrap();
    let r = s.reader();
    assert_eq!(r.pull_cursor().unwrap(), 10, "from zero");
    assert_eq!(r.count("assets").unwrap(), 9);
    assert_eq!(r.count("work_orders").unwrap(), 1);
    assert_eq!(r.asset(asset_id(8)).unwrap(), None);
    assert_eq!(r.search_assets("BME-0007", 5).unwrap().len(), 1);
    assert_eq!(r.search_assets("sigma", 20).unwrap().len(), 6);
    s.integrity_check().unwrap();
}

/// `n` assets more than the fixture's, as a large site's pull brings them.
fn many_assets(n: u16) -> Vec<biomend_domain::asset::Asset> {
    (0..n)
        .map(|i| {
            let [hi, lo] = i.to_be_bytes();
            biomend_domain::asset::Asset {
                id: biomend_domain::ids::AssetId::new(
                    1_900_000_000_000,
                    [hi, lo, 7, 7, 7, 7, 7, 7, 7, 7],
                ),
                tag: format!("BULK-{i:04}"),
                serial: Some(format!("SN-BULK-{i:04}")),
                parent_id: None,
                ..asset(1)
            }
        })
        .collect()
}

/// The database's schema, as SQLite keeps it.
fn schema(path: &std::path::Path) -> Vec<(String, Option<String>)> {
    let raw = rusqlite::Connection::open(path).unwrap();
    let mut st = raw
        .prepare("SELECT name, sql FROM sqlite_schema ORDER BY type, name")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Tags found by a search, sorted (duplicates kept).
fn found(s: &Store, q: &str) -> Vec<String> {
    let mut t: Vec<String> = s
        .reader()
        .search_assets(q, 1000)
        .unwrap()
        .into_iter()
        .map(|a| a.tag)
        .collect();
    t.sort();
    t
}

#[test]
fn a_first_pull_of_many_assets_indexes_each_once_and_keeps_the_schema() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("tablet.sqlite");
    let mut s = Store::open(&path).unwrap();
    let before = schema(&path);
    let bulk = many_assets(150);
    let mut first = server_rows(&dataset(), &pulled_bundles());
    first.extend(bulk.iter().cloned().map(Replicated::Asset));
    // The first of them changed on the server while the tablet fetched:
    // it comes again in the last page, in another department with a new
    // serial.
    let mut changed = bulk[0].clone();
    changed.department_id = department_id(ED);
    changed.serial = Some("ZQ-CHANGED".into());
    assert_ne!(changed.department_id, bulk[0].department_id);
    pull(
        &mut s,
        PullMode::Incremental,
        vec![
            upserts(first),
            upserts([Replicated::Asset(changed.clone())]),
        ],
    )
    .unwrap();
    let r = s.reader();
    assert_eq!(r.asset(changed.id).unwrap().as_ref(), Some(&changed));
    for a in &bulk[1..] {
        assert_eq!(r.asset(a.id).unwrap().as_ref(), Some(a));
    }
    for a in &dataset().assets {
        assert_eq!(r.asset(a.id).unwrap().as_ref(), Some(a));
    }
    let want: Vec<String> = bulk.iter().map(|a| a.tag.clone()).collect();
    assert_eq!(found(&s, "bulk"), want, "every asset indexed once");
    assert_eq!(found(&s, "ZQ-CHANGED"), ["BULK-0000"]);
    let old_serial = found(&s, "SN");
    assert_eq!(
        old_serial.len(),
        149,
        "the old serial is gone: {old_serial:?}"
    );
    assert!(!old_serial.contains(&"BULK-0000".to_string()));
    let in_ed = dataset()
        .assets
        .iter()
        .filter(|a| a.department_id == department_id(ED))
        .count();
    assert_eq!(found(&s, "emergency").len(), in_ed + 1);
    assert_eq!(found(&s, "BME-0007"), ["BME-0007"]);
    assert_eq!(r.pull_cursor().unwrap(), 20);
    assert_eq!(r.count("audit_log").unwrap(), 1);
    s.integrity_check().unwrap();
    assert_eq!(
        schema(&path),
        before,
        "the schema is byte for byte as it was"
    );
    // The search insert trigger is back: an asset added here is found.
    s.write(&system(), load_time(), |tx| {
        tx.insert_asset(&biomend_domain::asset::Asset {
            id: biomend_domain::ids::AssetId::new(1_900_000_000_001, [9; 10]),
            tag: "LOCAL-0001".into(),
            ..asset(1)
        })
    })
    .unwrap();
    assert_eq!(found(&s, "LOCAL-0001"), ["LOCAL-0001"]);
}

#[test]
fn a_large_page_on_a_synced_tablet_indexes_new_and_changed_assets() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("tablet.sqlite");
    let mut s = Store::open(&path).unwrap();
    let before = schema(&path);
    let rows = upserts(server_rows(&dataset(), &pulled_bundles()));
    pull(&mut s, PullMode::Incremental, vec![rows]).unwrap();
    let bulk = many_assets(100);
    let mut a1 = asset(1);
    a1.serial = Some("ZX-RESERIALED".into());
    let mut page: Vec<Replicated> = bulk.iter().cloned().map(Replicated::Asset).collect();
    page.push(Replicated::Asset(a1.clone()));
    pull(&mut s, PullMode::Incremental, vec![upserts(page)]).unwrap();
    let want: Vec<String> = bulk.iter().map(|a| a.tag.clone()).collect();
    assert_eq!(found(&s, "bulk"), want);
    assert_eq!(found(&s, "ZX-RESERIALED"), [a1.tag.clone()]);
    assert_eq!(found(&s, "BME-0007"), ["BME-0007"]);
    assert_eq!(s.reader().asset(a1.id).unwrap(), Some(a1));
    s.integrity_check().unwrap();
    assert_eq!(schema(&path), before);
}

#[test]
fn a_failed_large_run_keeps_nothing_and_puts_the_search_trigger_back() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("tablet.sqlite");
    let mut s = Store::open(&path).unwrap();
    let before = schema(&path);
    let mut rows = server_rows(&dataset(), &pulled_bundles());
    rows.extend(many_assets(100).into_iter().map(Replicated::Asset));
    let out = s.pull_run(load_time(), PullMode::Incremental, |run| {
        run.apply_page(&upserts(rows), 10)?;
        Err::<(), _>(StoreError::Corrupt {
            what: "page",
            detail: "connection lost".into(),
        })
    });
    assert!(out.is_err());
    let r = s.reader();
    assert_eq!(r.count("assets").unwrap(), 0);
    assert_eq!(r.pull_cursor().unwrap(), 0);
    assert_eq!(schema(&path), before);
    // And the next run starts from an empty tablet again.
    let rows = upserts(server_rows(&dataset(), &pulled_bundles()));
    pull(&mut s, PullMode::Incremental, vec![rows]).unwrap();
    assert_eq!(found(&s, "BME-0007"), ["BME-0007"]);
}

/// The HTM program's records (protocol 2): a contract may arrive after the
/// asset that names it, a charge moves its work order's cost, and a
/// contract the server deleted leaves its assets without one.
#[test]
fn program_records_arrive_with_their_references_and_costs() {
    use biomend_domain::Money;
    use biomend_domain::ids::{ContractId, RecallId, TrainingEventId, UsageWindowId};
    use biomend_domain::inventory::{Coverage, ServiceContract};
    use biomend_domain::recall::{Recall, RecallAction, RecallAsset, RecallSource};
    use biomend_domain::settings::HospitalSettings;
    use biomend_domain::training::TrainingEvent;
    use biomend_domain::usage::UsageWindow;
    let mut s = seeded();
    let rollup_before = s.analytics_rollup_rows().unwrap();
    let contract = ServiceContract {
        id: ContractId::new(1_800_000_000_000, [9; 10]),
        vendor_id: vendor().id,
        number: "PHS-2026-14".into(),
        coverage: Coverage::FullService,
        starts_on: day(2026, 1, 1),
        ends_on: day(2026, 12, 31),
        annual_cost: Money(1_200_000),
        hours_cap: None,
        cost_cap: None,
        uptime_guarantee_pct: Some(95.0),
    };
    let mut covered = asset(1);
    covered.contract_id = Some(contract.id);
    let recall = Recall {
        id: RecallId::new(1_800_000_000_001, [8; 10]),
        source: RecallSource::Fda,
        number: "Z-0420-2026".into(),
        title: "Battery may swell".into(),
        received_on: day(2026, 2, 1),
        manufacturer: Some("Baxter".into()),
        model: None,
        device_type_code: None,
        product_code: None,
        closed_on: None,
    };
    let event = TrainingEvent {
        id: TrainingEventId::new(1_800_000_000_002, [7; 10]),
        department_id: department_id(ICU),
        device_type_id: device_type_id(PUMP_TYPE),
        held_on: day(2025, 6, 1),
        topic: "Loading the cassette".into(),
        trainer: "Clinical education".into(),
        attendees: 14,
    };
    let window = UsageWindow {
        id: UsageWindowId::new(1_800_000_000_003, [6; 10]),
        department_id: department_id(ED),
        device_type_id: None,
        weekdays: 0b111_1111,
        starts: chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        ends: chrono::NaiveTime::from_hms_opt(19, 0, 0).unwrap(),
    };
    let settings = HospitalSettings {
        name: "analytics".into(),
        values: [("capital.cyber_weight".to_string(), "0.3".to_string())].into(),
        updated_by: user_id(MANAGER),
        updated_at: load_time(),
    };
    // A second invoice on the first work order, and its first invoice
    // moved onto the second work order.
    let first = bundles().remove(0);
    let mut moved = first.vendor_charges[0].clone();
    moved.work_order_id = work_order_id(2);
    let mut extra = moved.clone();
    extra.id = vendor_charge_id(9);
    extra.work_order_id = first.work_order.id;
    extra.labor_cost = Money(55_000);
    // The asset arrives a page before the contract it names.
    pull(
        &mut s,
        PullMode::Incremental,
        vec![
            upserts([
                Replicated::Asset(covered.clone()),
                Replicated::VendorCharge(moved),
                Replicated::VendorCharge(extra),
            ]),
            upserts([
                Replicated::ServiceContract(contract.clone()),
                Replicated::Recall(recall.clone()),
                Replicated::RecallAsset(RecallAsset {
                    recall_id: recall.id,
                    asset_id: asset_id(1),
                    action: RecallAction::Pending,
                    work_order_id: None,
                    acted_on: None,
                }),
                Replicated::NetworkProfile(network_profile(asset_id(9))),
                Replicated::TrainingEvent(event.clone()),
                Replicated::UsageWindow(window.clone()),
                Replicated::HospitalSettings(settings.clone()),
            ]),
        ],
    )
    .unwrap();
    let r = s.reader();
    assert_eq!(
        r.asset(asset_id(1)).unwrap().unwrap().contract_id,
        Some(contract.id)
    );
    assert_eq!(r.training_events().unwrap(), vec![event]);
    assert_eq!(r.hospital_settings("analytics").unwrap(), Some(settings));
    assert_eq!(r.count("recall_assets").unwrap(), 1);
    assert_eq!(r.count("usage_windows").unwrap(), 1);
    assert!(r.network_profile(asset_id(9)).unwrap().is_some());
    s.integrity_check().unwrap();
    // The rollup followed the invoices, and equals a rebuild.
    let kept = s.analytics_rollup_rows().unwrap();
    assert_ne!(kept, rollup_before, "the invoices changed the costs");
    s.rebuild_analytics_rollup().unwrap();
    assert_eq!(s.analytics_rollup_rows().unwrap(), kept);

    // The server deletes the contract and the settings group.
    pull(
        &mut s,
        PullMode::Incremental,
        vec![vec![
            PulledRow::Delete {
                kind: RowKind::ServiceContract,
                key: contract.id.to_string(),
            },
            PulledRow::Delete {
                kind: RowKind::HospitalSettings,
                key: "analytics".into(),
            },
        ]],
    )
    .unwrap();
    let r = s.reader();
    assert_eq!(r.asset(asset_id(1)).unwrap().unwrap().contract_id, None);
    assert_eq!(r.hospital_settings("analytics").unwrap(), None);
    s.integrity_check().unwrap();
}

/// A recall asset's key is recall:asset; a malformed one is refused.
#[test]
fn a_recall_asset_is_deleted_by_its_pair_key() {
    let mut s = seeded();
    let err = pull(
        &mut s,
        PullMode::Incremental,
        vec![vec![PulledRow::Delete {
            kind: RowKind::RecallAsset,
            key: asset_id(1).to_string(),
        }]],
    )
    .unwrap_err();
    assert!(err.to_string().contains("recall_asset"), "{err}");
}
