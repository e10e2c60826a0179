//! Push over real HTTP: exactly-once bookkeeping, rejections, authorship
//! and every conflict rule, each checked by the value kept and the
//! conflict row the supervisor sees.

mod common;

use biomend_protocol::*;
use biomend_server::Backend;
use biomend_server::apply::rule;
use chrono::Duration;
use common::*;

#[tokio::test]
async fn the_same_push_twice_applies_once() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let asset = s.assets_at(a.user.sites[0])[0].id.0;
    let wo = work_order(asset, "WO-T-1", a.user.id, "corrective");
    let env = a.envelope(&create(&wo));
    let first = a.push_envelopes(vec![env.clone()]).await;
    assert_eq!(first.results[0].outcome, Outcome::Applied);
    let again = a.push_envelopes(vec![env]).await;
    assert_eq!(again.results[0].outcome, Outcome::Duplicate);
    assert_eq!(again.expected_seq, None);
    let rows: Vec<_> = a
        .pull_all()
        .await
        .into_iter()
        .filter(|c| c.key == wo.id.to_string())
        .collect();
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn a_gap_is_answered_with_the_seq_expected() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let asset = s.assets_at(a.user.sites[0])[0].id.0;
    let m = create(&work_order(asset, "WO-T-2", a.user.id, "corrective"));
    let _skipped = a.envelope(&m);
    let env2 = a.envelope(&m);
    let r = a.push_envelopes(vec![env2]).await;
    assert!(r.results.is_empty());
    assert_eq!(r.expected_seq, Some(1));
}

#[tokio::test]
async fn a_tablet_signed_in_again_starts_its_new_device_at_the_seq_it_sends() {
    let s = TestServer::start().await;
    let a = s.login_at("demo.tech", 42).await;
    let asset = s.assets_at(a.user.sites[0])[0].id.0;
    let env = a.envelope(&create(&work_order(
        asset,
        "WO-T-R1",
        a.user.id,
        "corrective",
    )));
    assert_eq!(env.seq, 42);
    let r = a.push_envelopes(vec![env]).await;
    assert_eq!(r.results[0].outcome, Outcome::Applied);
    assert_eq!(r.expected_seq, None);
    let device = s
        .backend
        .read(|txn| txn.device(a.device_id))
        .unwrap()
        .unwrap();
    assert_eq!(device.last_seq, 42);

    // 0 and 1 both mean "a new tablet": the first push is seq 1.
    for next in [0, 1] {
        let b = s.login_at("demo.tech", next).await;
        let r = b
            .push_envelopes(vec![b.envelope(&create(&work_order(
                asset,
                &format!("WO-T-R2-{next}"),
                b.user.id,
                "corrective",
            )))])
            .await;
        assert_eq!(r.results[0].outcome, Outcome::Applied, "next_seq {next}");
    }
}

#[tokio::test]
async fn a_rejection_advances_the_seq_and_is_answered_again() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let asset = s.assets_at(a.user.sites[0])[0].id.0;
    let mut unknown = a.envelope(&create(&work_order(
        asset,
        "WO-T-3",
        a.user.id,
        "corrective",
    )));
    unknown.name = "teleport_asset".into();
    let ok = a.envelope(&create(&work_order(
        asset,
        "WO-T-4",
        a.user.id,
        "corrective",
    )));
    let r = a.push_envelopes(vec![unknown.clone(), ok]).await;
    let msg = assert_rejected(&r.results[0].outcome, "unsupported_mutation");
    assert!(msg.contains("teleport_asset"), "{msg}");
    assert_eq!(r.results[1].outcome, Outcome::Applied);
    let again = a.push_envelopes(vec![unknown]).await;
    assert_eq!(again.results[0].outcome, r.results[0].outcome);
}

#[tokio::test]
async fn a_rejected_mutation_leaves_none_of_its_changes() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let asset = s.assets_at(a.user.sites[0])[0].id.0;
    let wo = work_order(asset, "WO-T-5", a.user.id, "corrective");
    let bad = Mutation::CreateWorkOrder(CreateWorkOrder {
        work_order: wo.clone(),
        downtime: Some(DowntimeV1 {
            id: id(),
            asset_id: asset,
            work_order_id: Some(wo.id),
            started_at: t(10, 8),
            ended_at: None,
            partial_factor: 2.0,
        }),
        asset_status: None,
    });
    assert_rejected(&a.push(bad).await, "invalid");
    assert!(row::<WorkOrderV1>(&s, Kind::WorkOrder, &wo.id.to_string()).is_none());
    // The number was not claimed either: the same number is free.
    let again = work_order(asset, "WO-T-5", a.user.id, "corrective");
    assert_applied(&a.push(create(&again)).await);
    let stored: WorkOrderV1 = row(&s, Kind::WorkOrder, &again.id.to_string()).unwrap();
    assert_eq!(stored.number, "WO-T-5");
}

#[tokio::test]
async fn nobody_records_work_as_someone_else_or_at_another_site() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let b = s.login("tech02").await;
    let asset = s.assets_at(a.user.sites[0])[0].id.0;
    let wo = work_order(asset, "WO-T-6", a.user.id, "corrective");
    assert_applied(&a.push(create(&wo)).await);
    let as_b = Mutation::RecordWork(RecordWork {
        work_order_id: wo.id,
        labor: vec![labor(wo.id, b.user.id, 30)],
        ..Default::default()
    });
    let msg = assert_rejected(&a.push(as_b).await, "forbidden");
    assert!(msg.contains("technician_id"), "{msg}");
    let forged = work_order(asset, "WO-T-7", b.user.id, "corrective");
    assert_rejected(&a.push(create(&forged)).await, "forbidden");
    let other_site = s.login("tech01").await;
    assert_ne!(other_site.user.sites, a.user.sites);
    let theirs = work_order(asset, "WO-T-8", other_site.user.id, "corrective");
    assert_rejected(&other_site.push(create(&theirs)).await, "forbidden");
}

#[tokio::test]
async fn status_moves_follow_the_state_machine_from_the_current_status() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let b = s.login("tech02").await;
    let sup = s.login("demo.super").await;
    let asset = s.assets_at(a.user.sites[0])[1].id.0;
    let wo = work_order(asset, "WO-T-9", a.user.id, "corrective");
    assert_applied(&a.push(create(&wo)).await);
    // Both start it: the second is a merge, not a conflict.
    assert_applied(&a.push(set_status(wo.id, "open", "in_progress", None)).await);
    assert_applied(&b.push(set_status(wo.id, "open", "in_progress", None)).await);
    assert!(sup.conflicts("open").await.is_empty());
    // A holds for parts; B, still seeing in_progress, cancels: legal from
    // the current status, so applied, with a conflict.
    assert_applied(
        &a.push(set_status(wo.id, "in_progress", "on_hold_parts", None))
            .await,
    );
    assert_applied(
        &b.push(set_status(wo.id, "in_progress", "cancelled", None))
            .await,
    );
    let stored: WorkOrderV1 = row(&s, Kind::WorkOrder, &wo.id.to_string()).unwrap();
    assert_eq!(stored.status, "cancelled");
    let c = sup.conflicts("open").await;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].rule, rule::LEGAL_MOVE_FROM_CURRENT_STATUS);
    assert_eq!(
        (c[0].kept.as_str(), c[0].set_aside.as_str()),
        (Some("cancelled"), Some("on_hold_parts"))
    );
    // Cancelled goes nowhere: an illegal move names both statuses.
    let msg = assert_rejected(
        &a.push(set_status(wo.id, "on_hold_parts", "in_progress", None))
            .await,
        "illegal_transition",
    );
    assert!(
        msg.contains("cancelled") && msg.contains("in_progress"),
        "{msg}"
    );
}

#[tokio::test]
async fn two_completions_of_one_pm_keep_one_completion_and_both_labor_records() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let b = s.login("tech02").await;
    let sup = s.login("demo.super").await;
    let asset = s.assets_at(a.user.sites[0])[2].id.0;
    let wo = work_order(asset, "WO-T-10", a.user.id, "pm");
    assert_applied(&a.push(create(&wo)).await);
    assert_applied(&a.push(set_status(wo.id, "open", "in_progress", None)).await);
    assert_applied(&b.push(set_status(wo.id, "open", "in_progress", None)).await);
    let ca = complete(wo.id, &a.user, "all checks pass", "preventive", 45);
    let cb = complete(
        wo.id,
        &b.user,
        "replaced the battery too",
        "failure:battery",
        60,
    );
    assert_applied(&a.push(Mutation::CompleteWorkOrder(ca.clone())).await);
    assert_applied(&b.push(Mutation::CompleteWorkOrder(cb.clone())).await);
    let stored: WorkOrderV1 = row(&s, Kind::WorkOrder, &wo.id.to_string()).unwrap();
    assert_eq!(stored.status, "completed");
    assert_eq!(stored.findings, "all checks pass");
    assert_eq!(stored.closure.as_deref(), Some("preventive"));
    for l in [&ca.work.labor[0], &cb.work.labor[0]] {
        assert!(row::<LaborV1>(&s, Kind::Labor, &l.id.to_string()).is_some());
    }
    assert!(row::<SignatureV1>(&s, Kind::Signature, &cb.signature.id.to_string()).is_some());
    let c = sup.conflicts("open").await;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].rule, rule::FIRST_COMPLETION_WINS);
    assert_eq!(c[0].field, "completion");
    assert_eq!(c[0].kept["findings"], "all checks pass");
    assert_eq!(c[0].set_aside["findings"], "replaced the battery too");
    assert_eq!(c[0].user_id, b.user.id);
    // The queue shows it once, with its open conflict.
    let (_, q) = sup.get("/v1/supervisor/sign-off-queue").await;
    let q: Vec<SignOffItemV1> = serde_json::from_value(q).unwrap();
    let item = q.iter().find(|i| i.work_order_id == wo.id).expect("queued");
    assert_eq!(item.open_conflicts, 1);
}

#[tokio::test]
async fn the_first_assignment_wins() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let b = s.login("tech02").await;
    let sup = s.login("demo.super").await;
    let asset = s.assets_at(a.user.sites[0])[3].id.0;
    let wo = work_order(asset, "WO-T-11", a.user.id, "corrective");
    assert_applied(&a.push(create(&wo)).await);
    assert_applied(
        &a.push(set_status(
            wo.id,
            "open",
            "in_progress",
            Some((None, Some(a.user.id))),
        ))
        .await,
    );
    assert_applied(
        &b.push(set_status(
            wo.id,
            "open",
            "in_progress",
            Some((None, Some(b.user.id))),
        ))
        .await,
    );
    let stored: WorkOrderV1 = row(&s, Kind::WorkOrder, &wo.id.to_string()).unwrap();
    assert_eq!(stored.assigned_to, Some(a.user.id));
    let c = sup.conflicts("open").await;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].rule, rule::FIRST_ASSIGNMENT_WINS);
    assert_eq!(c[0].set_aside, serde_json::json!(b.user.id));
}

#[tokio::test]
async fn a_device_marked_down_is_never_silently_put_back_in_service() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let b = s.login("tech02").await;
    let sup = s.login("demo.super").await;
    let asset = s.assets_at(a.user.sites[0])[4].id.0;
    let mut down = update_asset(asset);
    down.status = Some(FieldChange::codes("in_service", "out_of_service"));
    let mut repair = update_asset(asset);
    repair.status = Some(FieldChange::codes("in_service", "in_repair"));
    assert_applied(&a.push(Mutation::UpdateAsset(down)).await);
    assert_applied(&b.push(Mutation::UpdateAsset(repair)).await);
    let stored: AssetV1 = row(&s, Kind::Asset, &asset.to_string()).unwrap();
    assert_eq!(stored.status, "out_of_service");
    let c = sup.conflicts("open").await;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].rule, rule::MOST_RESTRICTIVE_STATUS_WINS);
    assert_eq!(c[0].set_aside, "in_repair");
    // Someone who still saw it in repair puts it back in service: no.
    let mut back = update_asset(asset);
    back.status = Some(FieldChange::codes("in_repair", "in_service"));
    assert_applied(&b.push(Mutation::UpdateAsset(back)).await);
    let stored: AssetV1 = row(&s, Kind::Asset, &asset.to_string()).unwrap();
    assert_eq!(stored.status, "out_of_service");
}

#[tokio::test]
async fn location_goes_to_the_later_arrival_whatever_the_clocks_say() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let b = s.login("tech02").await;
    let sup = s.login("demo.super").await;
    let site = a.user.sites[0];
    let asset = s.assets_at(site)[5];
    let rooms: Vec<_> = s
        .data
        .locations
        .iter()
        .filter(|l| {
            s.data
                .buildings
                .iter()
                .any(|b| b.id == l.building_id && b.site_id.0 == site)
        })
        .map(|l| l.id.0)
        .filter(|l| Some(*l) != asset.location_id.map(|x| x.0))
        .take(2)
        .collect();
    let from = asset.location_id.map(|l| l.0);
    let mut ma = update_asset(asset.id.0);
    ma.location_id = Some(FieldChange::new(from, Some(rooms[0])));
    let mut mb = update_asset(asset.id.0);
    mb.location_id = Some(FieldChange::new(from, Some(rooms[1])));
    // A's clock is a day ahead, B's a day behind; B arrives last and wins.
    let ea = a.envelope_skewed(&Mutation::UpdateAsset(ma), Duration::days(1));
    let eb = b.envelope_skewed(&Mutation::UpdateAsset(mb), Duration::days(-1));
    assert_eq!(
        a.push_envelopes(vec![ea]).await.results[0].outcome,
        Outcome::Applied
    );
    assert_eq!(
        b.push_envelopes(vec![eb]).await.results[0].outcome,
        Outcome::Applied
    );
    let stored: AssetV1 = row(&s, Kind::Asset, &asset.id.to_string()).unwrap();
    assert_eq!(stored.location_id, Some(rooms[1]));
    let c = sup.conflicts("open").await;
    assert_eq!(c[0].rule, rule::LATEST_ARRIVAL_WINS);
    assert_eq!(c[0].set_aside, serde_json::json!(rooms[0]));
}

#[tokio::test]
async fn serial_and_notes_keep_the_first_write_and_risk_keeps_the_higher_score() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let b = s.login("tech02").await;
    let sup = s.login("demo.super").await;
    let asset = s.assets_at(a.user.sites[0])[6];
    let id = asset.id.0;
    let serial = asset.serial.clone();
    let risk = EmScoreV1::from(&asset.risk);
    let higher = EmScoreV1 {
        incident_history: (risk.incident_history + 1).min(2),
        physical_risk: 5,
        ..risk
    };
    let lower = EmScoreV1 {
        physical_risk: 1,
        incident_history: -2,
        ..risk
    };
    let mut ma = update_asset(id);
    ma.serial = Some(FieldChange::new(serial.clone(), Some("SN-A".into())));
    ma.notes = Some(FieldChange::new(asset.notes.clone(), "note A".into()));
    ma.risk = Some(FieldChange::new(risk, lower));
    let mut mb = update_asset(id);
    mb.serial = Some(FieldChange::new(serial, Some("SN-B".into())));
    mb.notes = Some(FieldChange::new(asset.notes.clone(), "note B".into()));
    mb.risk = Some(FieldChange::new(risk, higher));
    assert_applied(&a.push(Mutation::UpdateAsset(ma)).await);
    assert_applied(&b.push(Mutation::UpdateAsset(mb)).await);
    let stored: AssetV1 = row(&s, Kind::Asset, &id.to_string()).unwrap();
    assert_eq!(stored.serial.as_deref(), Some("SN-A"));
    assert_eq!(stored.notes, "note A");
    assert_eq!(stored.risk, higher);
    let c = sup.conflicts("open").await;
    let by_field = |f: &str| c.iter().find(|c| c.field == f).expect(f).clone();
    assert_eq!(by_field("serial").rule, rule::FIRST_WRITE_WINS);
    assert_eq!(by_field("serial").set_aside, "SN-B");
    assert_eq!(by_field("notes").set_aside, "note B");
    assert_eq!(by_field("risk").rule, rule::HIGHER_RISK_WINS);
    assert_eq!(
        by_field("risk").set_aside,
        serde_json::to_value(lower).unwrap()
    );
}

#[tokio::test]
async fn edits_of_different_fields_both_stay() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let b = s.login("tech02").await;
    let sup = s.login("demo.super").await;
    let asset = s.assets_at(a.user.sites[0])[7];
    let mut ma = update_asset(asset.id.0);
    ma.serial = Some(FieldChange::new(
        asset.serial.clone(),
        Some("SN-NEW".into()),
    ));
    let mut mb = update_asset(asset.id.0);
    mb.notes = Some(FieldChange::new(asset.notes.clone(), "mount loose".into()));
    assert_applied(&a.push(Mutation::UpdateAsset(ma)).await);
    assert_applied(&b.push(Mutation::UpdateAsset(mb)).await);
    let stored: AssetV1 = row(&s, Kind::Asset, &asset.id.to_string()).unwrap();
    assert_eq!(stored.serial.as_deref(), Some("SN-NEW"));
    assert_eq!(stored.notes, "mount loose");
    assert!(sup.conflicts("all").await.is_empty());
}

#[tokio::test]
async fn a_department_move_stays_within_its_site() {
    let s = TestServer::start().await;
    let sup = s.login("demo.super").await;
    let site = sup.user.sites[0];
    let asset = s.assets_at(site)[8];
    let elsewhere = s
        .data
        .departments
        .iter()
        .find(|d| d.site_id.0 != site)
        .unwrap();
    let mut m = update_asset(asset.id.0);
    m.department_id = Some(FieldChange::new(asset.department_id.0, elsewhere.id.0));
    assert_rejected(&sup.push(Mutation::UpdateAsset(m)).await, "cross_site_move");
    let here = s
        .data
        .departments
        .iter()
        .find(|d| d.site_id.0 == site && d.id != asset.department_id)
        .unwrap();
    let mut m = update_asset(asset.id.0);
    m.department_id = Some(FieldChange::new(asset.department_id.0, here.id.0));
    assert_applied(&sup.push(Mutation::UpdateAsset(m)).await);
    let tech = s.login("demo.tech").await;
    let mut m = update_asset(asset.id.0);
    m.department_id = Some(FieldChange::new(here.id.0, asset.department_id.0));
    assert_rejected(&tech.push(Mutation::UpdateAsset(m)).await, "forbidden");
}

#[tokio::test]
async fn the_pm_schedule_keeps_the_later_due_date() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let b = s.login("tech02").await;
    let sup = s.login("demo.super").await;
    let site = a.user.sites[0];
    let sched = s
        .data
        .pm_schedules
        .iter()
        .find(|p| {
            s.data
                .assets
                .iter()
                .any(|x| x.id == p.asset_id && s.site_of(x) == site)
        })
        .expect("a schedule at the site");
    let base = PmScheduleV1::from(sched);
    let asset = base.asset_id;
    let early = PmScheduleV1 {
        next_due: base.next_due + chrono::Days::new(30),
        ..base.clone()
    };
    let late = PmScheduleV1 {
        next_due: base.next_due + chrono::Days::new(90),
        ..base.clone()
    };
    for (client, to, num) in [(&a, &late, "WO-T-12"), (&b, &early, "WO-T-13")] {
        let wo = work_order(asset, num, client.user.id, "pm");
        assert_applied(&client.push(create(&wo)).await);
        assert_applied(
            &client
                .push(set_status(wo.id, "open", "in_progress", None))
                .await,
        );
        let mut c = complete(wo.id, &client.user, "ok", "preventive", 30);
        c.pm_schedule = Some(FieldChange::new(base.clone(), to.clone()));
        assert_applied(&client.push(Mutation::CompleteWorkOrder(c)).await);
    }
    let key = pm_schedule_key(asset, base.plan_id);
    let stored: PmScheduleV1 = row(&s, Kind::PmSchedule, &key).unwrap();
    assert_eq!(stored.next_due, late.next_due);
    let c = sup.conflicts("open").await;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].rule, rule::LATER_DUE_DATE_WINS);
    assert_eq!(c[0].set_aside, serde_json::to_value(&early).unwrap());
}

#[tokio::test]
async fn a_colliding_work_order_number_is_renumbered_and_both_kept() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let b = s.login("tech02").await;
    let sup = s.login("demo.super").await;
    let asset = s.assets_at(a.user.sites[0])[9].id.0;
    let wa = work_order(asset, "WO-26-777777", a.user.id, "corrective");
    let wb = work_order(asset, "WO-26-777777", b.user.id, "corrective");
    assert_applied(&a.push(create(&wa)).await);
    assert_applied(&b.push(create(&wb)).await);
    let sa: WorkOrderV1 = row(&s, Kind::WorkOrder, &wa.id.to_string()).unwrap();
    let sb: WorkOrderV1 = row(&s, Kind::WorkOrder, &wb.id.to_string()).unwrap();
    assert_eq!(sa.number, "WO-26-777777");
    assert_eq!(sb.number, "WO-26-777777-2");
    let c = sup.conflicts("open").await;
    assert_eq!(c[0].rule, rule::RENUMBERED_DUPLICATE_NUMBER);
    assert_eq!(c[0].kept, "WO-26-777777-2");
}

#[tokio::test]
async fn insert_only_records_are_idempotent_and_refuse_a_reused_id() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let asset = s.assets_at(a.user.sites[0])[10].id.0;
    let wo = work_order(asset, "WO-T-14", a.user.id, "corrective");
    assert_applied(&a.push(create(&wo)).await);
    let l = labor(wo.id, a.user.id, 20);
    let rec = |l: LaborV1| {
        Mutation::RecordWork(RecordWork {
            work_order_id: wo.id,
            labor: vec![l],
            ..Default::default()
        })
    };
    assert_applied(&a.push(rec(l.clone())).await);
    assert_applied(&a.push(rec(l.clone())).await);
    let changed = LaborV1 { minutes: 25, ..l };
    assert_rejected(&a.push(rec(changed)).await, "id_reuse");
    let long = Mutation::RecordWork(RecordWork {
        work_order_id: wo.id,
        notes: vec![WorkNoteV1 {
            id: id(),
            work_order_id: wo.id,
            author_id: a.user.id,
            written_at: t(10, 9),
            text: "x".repeat(20_001),
        }],
        ..Default::default()
    });
    assert_rejected(&a.push(long).await, "too_long");
}

#[tokio::test]
async fn sign_off_needs_a_supervisor_and_completed_work() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let sup = s.login("demo.super").await;
    let asset = s.assets_at(a.user.sites[0])[11].id.0;
    let wo = work_order(asset, "WO-T-15", a.user.id, "corrective");
    assert_applied(&a.push(create(&wo)).await);
    let sign = |by: uuid::Uuid| {
        Mutation::SignOffWorkOrder(SignOffWorkOrder {
            work_order_id: wo.id,
            status: FieldChange::codes("completed", "signed_off"),
            signed_off_by: by,
            signed_off_at: t(11, 9),
        })
    };
    assert_rejected(&sup.push(sign(sup.user.id)).await, "illegal_transition");
    assert_applied(&a.push(set_status(wo.id, "open", "in_progress", None)).await);
    let c = complete(wo.id, &a.user, "fixed", "failure:battery", 30);
    assert_applied(&a.push(Mutation::CompleteWorkOrder(c)).await);
    assert_rejected(&a.push(sign(a.user.id)).await, "forbidden");
    assert_applied(&sup.push(sign(sup.user.id)).await);
    let stored: WorkOrderV1 = row(&s, Kind::WorkOrder, &wo.id.to_string()).unwrap();
    assert_eq!(stored.status, "signed_off");
    assert_eq!(stored.signed_off_by, Some(sup.user.id));
    let (_, incoming) = sup.get("/v1/supervisor/incoming").await;
    let incoming: Vec<IncomingV1> = serde_json::from_value(incoming).unwrap();
    assert!(
        incoming
            .iter()
            .any(|i| i.summary == "WO-T-15 signed off" && i.outcome == "applied")
    );
    assert!(
        incoming
            .iter()
            .any(|i| i.outcome == "rejected" && i.user_id == a.user.id)
    );
}

#[tokio::test]
async fn a_supervisor_accepts_or_reverses_a_conflict_once() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let b = s.login("tech02").await;
    let sup = s.login("demo.super").await;
    let asset = s.assets_at(a.user.sites[0])[12].id.0;
    let mut ma = update_asset(asset);
    ma.status = Some(FieldChange::codes("in_service", "missing"));
    let mut mb = update_asset(asset);
    mb.status = Some(FieldChange::codes("in_service", "in_repair"));
    assert_applied(&a.push(Mutation::UpdateAsset(ma)).await);
    assert_applied(&b.push(Mutation::UpdateAsset(mb)).await);
    let c = sup.conflicts("open").await;
    let path = format!("/v1/supervisor/conflicts/{}/resolve", c[0].id);
    let before = a.pull_page(0, 5_000).await.cursor;
    let (status, body) = sup
        .post(
            &path,
            &serde_json::json!({"action": "reverse", "note": "found it on the bench"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let resolved: ConflictV1 = serde_json::from_value(body).unwrap();
    let res = resolved.resolution.expect("resolved");
    assert_eq!((res.action.as_str(), res.by), ("reversed", sup.user.id));
    let stored: AssetV1 = row(&s, Kind::Asset, &asset.to_string()).unwrap();
    assert_eq!(stored.status, "in_repair");
    // Tablets pull the reversed value as a new version.
    let page = a.pull_page(before, 5_000).await;
    assert!(page.changes.iter().any(|ch| ch.key == asset.to_string()));
    let (status, body) = sup
        .post(&path, &serde_json::json!({"action": "accept"}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "conflict");
    assert!(sup.conflicts("open").await.is_empty());
    assert_eq!(sup.conflicts("all").await.len(), 1);
}
