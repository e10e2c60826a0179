//! The desktop screens' extra use cases: the work-order page's allowed
//! moves and checklist, and the team's workload.

mod common;

use biomend_core::corrective::NewCorrective;
use biomend_core::workflow::{self, HoldReason};
use biomend_domain::work_order::{Priority, WorkOrderStatus};
use common::*;

fn open_for(f: &mut Fixture, assign: Option<&str>) -> String {
    let tag = some_asset(&f.app);
    biomend_core::corrective::run(
        &mut f.app,
        &NewCorrective {
            username: SUPER.into(),
            tag,
            problem: "Screen flickers on battery".into(),
            reported_by: "RN Okafor, 4W".into(),
            priority: Priority::Emergency,
            assign_to: assign.map(str::to_string),
            device_down: false,
        },
    )
    .expect("new work order")
    .number
}

#[test]
fn the_work_order_page_offers_only_the_moves_the_workflow_and_role_allow() {
    let mut f = fixture();
    let number = open_for(&mut f, Some(TECH));
    let page = biomend_core::work_order_page::run(&f.app, TECH, &number).expect("page");
    assert_eq!(page.bundle.work_order.number, number);
    assert_eq!(
        page.moves,
        vec![WorkOrderStatus::InProgress, WorkOrderStatus::Cancelled]
    );
    assert!(page.can_record);
    assert!(!page.can_sign_off, "a technician never signs off");
    assert!(page.assigned_to.is_some());

    workflow::start(&mut f.app, TECH, &number).expect("start");
    workflow::hold(&mut f.app, TECH, &number, HoldReason::Parts).expect("hold");
    let page = biomend_core::work_order_page::run(&f.app, TECH, &number).expect("page");
    assert_eq!(
        page.moves,
        vec![WorkOrderStatus::InProgress, WorkOrderStatus::Cancelled]
    );
    assert_eq!(page.bundle.work_order.status, WorkOrderStatus::OnHoldParts);

    // A manager reads the page but is offered nothing to do on it.
    let mgr = biomend_core::work_order_page::run(&f.app, "demo.manager", &number).expect("page");
    assert!(mgr.moves.is_empty());
    assert!(!mgr.can_record);
}

#[test]
fn a_pm_work_order_page_carries_its_checklist_and_the_safety_edition() {
    let mut f = fixture();
    let due = due_pm_without_work(&f.app);
    let wo = biomend_core::pm::open(
        &mut f.app,
        &biomend_core::pm::OpenPm {
            username: TECH.into(),
            tag: due.due.asset.tag.clone(),
            plan_id: Some(due.due.plan_id),
        },
    )
    .expect("open pm");
    let page = biomend_core::work_order_page::run(&f.app, TECH, &wo.number).expect("page");
    assert!(!page.checklist.is_empty(), "a PM plan's checklist is shown");
    let needs_edition = page
        .checklist
        .iter()
        .any(|i| matches!(i.kind, biomend_domain::checklist::ItemKind::Safety { .. }));
    if needs_edition {
        assert!(
            page.safety_edition.is_some(),
            "safety items need the edition in force"
        );
    }
}

#[test]
fn team_workload_counts_each_technicians_open_work() {
    let mut f = fixture();
    let before = biomend_core::team::workload(&f.app, SUPER).expect("workload");
    let tech_before = before
        .iter()
        .find(|w| w.username == TECH)
        .cloned()
        .expect("the technician is on the supervisor's team");
    let number = open_for(&mut f, Some(TECH));
    workflow::start(&mut f.app, TECH, &number).expect("start");
    let after = biomend_core::team::workload(&f.app, SUPER).expect("workload");
    let tech = after.iter().find(|w| w.username == TECH).expect("tech");
    assert_eq!(tech.open, tech_before.open + 1);
    assert_eq!(tech.in_progress, tech_before.in_progress + 1);
    assert_eq!(tech.emergencies, tech_before.emergencies + 1);
    assert!(
        after.windows(2).all(|w| w[0].open >= w[1].open),
        "busiest first"
    );

    let err = biomend_core::team::workload(&f.app, TECH).expect_err("technicians cannot");
    assert_eq!(err.code(), "forbidden");
}
