//! The desktop service against a real server on loopback, with a real
//! tablet database file: what the window's commands do, without a window.

use biomend_demo::DemoParams;
use biomend_desktop::{Config, Desktop};
use biomend_domain::checklist::{Answer, ItemKind, Verdict};
use biomend_domain::work_order::{ClosureCode, FailureArea, Priority, WorkOrderStatus};
use biomend_ipc as ipc;
use biomend_protocol::Kind;
use biomend_server::auth::HashCost;
use biomend_server::local::LocalServer;
use biomend_server::{Backend, SqliteBackend};
use std::path::{Path, PathBuf};
use std::time::Duration;

const PASSWORD: &str = "demo";

fn seeded_server(dir: &Path) -> PathBuf {
    let db = dir.join("server.db");
    let backend = SqliteBackend::open(&db).unwrap();
    biomend_server::seed::seed_demo(
        &backend,
        &DemoParams::scaled(60, 200),
        PASSWORD,
        &HashCost::fast_for_tests(),
    )
    .unwrap();
    db
}

fn serve(db: &Path, addr: &str) -> LocalServer {
    LocalServer::start_at(
        db,
        biomend_server::Config {
            hash_cost: HashCost::fast_for_tests(),
        },
        addr,
    )
    .unwrap()
}

fn desktop(dir: &Path, name: &str, url: &str) -> Desktop {
    Desktop::start(Config {
        db: dir.join(format!("{name}.db")),
        server_url: Some(url.to_string()),
        ca_cert: None,
        device_name: format!("{name} tablet"),
        sync_interval: Duration::from_secs(3600),
    })
    .unwrap()
}

fn sign_in(
    d: &Desktop,
    url: &str,
    user: &str,
    password: &str,
) -> Result<ipc::Session, ipc::IpcError> {
    d.sign_in(&ipc::SignIn {
        server_url: url.to_string(),
        username: user.to_string(),
        password: password.to_string(),
    })
}

/// An in-service asset of the technician's site, by tag.
fn an_asset(d: &Desktop) -> String {
    let day = d.my_day().unwrap();
    let tag = day
        .pms_due
        .first()
        .map(|p| p.due.asset.tag.clone())
        .expect("PMs are due at the technician's site");
    match d.find(&ipc::Find { query: tag.clone() }).unwrap() {
        ipc::Found::Asset { tag } => tag,
        other => panic!("a scanned tag opens its asset, got {other:?}"),
    }
}

#[test]
fn a_technician_works_offline_and_the_work_reaches_the_server_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_server(dir.path());
    let server = serve(&db, "127.0.0.1:0");
    let url = server.url.clone();
    let addr = url.trim_start_matches("http://").to_string();
    let tab = desktop(dir.path(), "tech", &url);

    let state = tab.session_state().unwrap();
    assert!(state.session.is_none());
    assert_eq!(state.server_url.as_deref(), Some(url.as_str()));
    assert_eq!(tab.my_day().unwrap_err().code, ipc::codes::NOT_SIGNED_IN);

    let wrong = sign_in(&tab, &url, "demo.tech", "not-the-password").unwrap_err();
    assert_eq!(wrong.code, ipc::codes::WRONG_PASSWORD, "{wrong:?}");

    let s = sign_in(&tab, &url, "demo.tech", PASSWORD).unwrap();
    assert_eq!(s.username, "demo.tech");
    assert!(!s.offline && !s.supervises);
    assert!(!s.sites.is_empty());

    // A scan that is not a tag searches instead.
    match tab
        .find(&ipc::Find {
            query: "pump".into(),
        })
        .unwrap()
    {
        ipc::Found::Matches { .. } => {}
        other => panic!("words search, got {other:?}"),
    }
    let tag = an_asset(&tab);
    let page = tab.asset_page(&ipc::TagArg { tag: tag.clone() }).unwrap();
    assert_eq!(page.detail.asset.tag, tag);

    // The network goes down.
    drop(server);
    let wo = tab
        .new_corrective(&ipc::NewCorrective {
            tag: tag.clone(),
            problem: "Battery will not hold a charge".into(),
            reported_by: "RN Patel, 5 East".into(),
            priority: Priority::Urgent,
            device_down: true,
        })
        .unwrap();
    let number = wo.bundle.work_order.number.clone();
    assert_eq!(wo.steps, vec![ipc::Step::Start, ipc::Step::Cancel]);
    let wo = tab
        .wo_step(&ipc::WoStep {
            number: number.clone(),
            step: ipc::Step::Start,
        })
        .unwrap();
    assert_eq!(wo.bundle.work_order.status, WorkOrderStatus::InProgress);
    assert!(wo.steps.contains(&ipc::Step::HoldForParts));

    // Readings judged against the checklist, when the asset has one.
    let readings: Vec<ipc::ReadingArg> = wo
        .checklist
        .iter()
        .filter(|i| matches!(i.kind, ItemKind::PassFail))
        .take(1)
        .map(|i| ipc::ReadingArg {
            item_key: i.key.clone(),
            answer: Answer::Verdict(Verdict::Pass),
        })
        .collect();
    let wo = tab
        .wo_record(&ipc::RecordWork {
            number: number.clone(),
            record: ipc::WorkRecord {
                labor: vec![ipc::Labor {
                    minutes: 45,
                    note: "replaced battery pack".into(),
                }],
                parts: vec![ipc::Part {
                    part_number: "BAT-1180".into(),
                    description: "Battery pack".into(),
                    quantity: 1,
                    unit_cost: Some(biomend_domain::Money::from_cents(8_950)),
                }],
                readings: readings.clone(),
                note: None,
            },
        })
        .unwrap();
    assert_eq!(wo.bundle.labor.len(), 1);
    assert_eq!(wo.bundle.parts.len(), 1);
    assert_eq!(wo.bundle.readings.len(), readings.len());

    // Completion needs a closure code the domain knows; the signature is
    // the pad's path data.
    let done = tab
        .wo_complete(&ipc::Complete {
            number: number.clone(),
            findings: "Battery end of life; replaced and tested".into(),
            closure: ClosureCode::DeviceFailure(FailureArea::ALL[0]),
            record: ipc::WorkRecord::default(),
            signature: Some("M 10 10 L 40 30 L 80 12".into()),
        })
        .unwrap();
    assert_eq!(done.bundle.work_order.status, WorkOrderStatus::Completed);
    assert!(done.bundle.signature.is_some());
    assert!(done.steps.is_empty() && !done.can_record);

    let st = tab.sync_now().unwrap();
    assert!(!st.online, "the server is down");
    assert!(st.pending >= 4, "every action waits in the outbox: {st:?}");
    assert!(
        st.last_error
            .as_deref()
            .is_some_and(|e| e.contains("Offline")),
        "{st:?}"
    );

    // Signing in again works without the server, with the right password.
    tab.sign_out().unwrap();
    assert_eq!(tab.my_day().unwrap_err().code, ipc::codes::NOT_SIGNED_IN);
    let wrong = sign_in(&tab, &url, "demo.tech", "nope").unwrap_err();
    assert_eq!(wrong.code, ipc::codes::WRONG_PASSWORD);
    let other = sign_in(&tab, &url, "demo.super", PASSWORD).unwrap_err();
    assert_eq!(other.code, "pending_changes", "{other:?}");
    let again = sign_in(&tab, &url, "demo.tech", PASSWORD).unwrap();
    assert!(again.offline);

    // The network returns on the same address: the work reaches the server.
    let server = serve(&db, &addr);
    let st = tab.sync_now().unwrap();
    assert!(st.online, "{st:?}");
    assert_eq!(st.pending, 0, "{st:?}");
    assert!(st.last_success.is_some());
    let on_server = server
        .backend
        .read(|txn| txn.rows_of_kind(Kind::WorkOrder))
        .unwrap()
        .into_iter()
        .filter_map(|r| serde_json::from_str::<serde_json::Value>(&r.body).ok())
        .find(|w| w["id"] == serde_json::json!(done.bundle.work_order.id.0.to_string()))
        .expect("the work order is on the server");
    assert_eq!(on_server["status"], "completed");
}

#[test]
fn a_supervisor_signs_off_and_sees_the_team_and_the_shift() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_server(dir.path());
    let server = serve(&db, "127.0.0.1:0");
    let url = server.url.clone();

    let tech = desktop(dir.path(), "tech", &url);
    sign_in(&tech, &url, "demo.tech", PASSWORD).unwrap();
    let tag = an_asset(&tech);
    let wo = tech
        .new_corrective(&ipc::NewCorrective {
            tag,
            problem: "Alarm speaker silent".into(),
            reported_by: "RN Kim, ICU".into(),
            priority: Priority::Routine,
            device_down: false,
        })
        .unwrap();
    let number = wo.bundle.work_order.number.clone();
    tech.wo_step(&ipc::WoStep {
        number: number.clone(),
        step: ipc::Step::Start,
    })
    .unwrap();
    tech.wo_complete(&ipc::Complete {
        number: number.clone(),
        findings: "Speaker connector reseated".into(),
        closure: ClosureCode::CouldNotDuplicate,
        record: ipc::WorkRecord {
            labor: vec![ipc::Labor {
                minutes: 20,
                note: String::new(),
            }],
            ..Default::default()
        },
        signature: Some("M 1 1 L 2 2".into()),
    })
    .unwrap();
    assert_eq!(tech.sync_now().unwrap().pending, 0);

    let sup = desktop(dir.path(), "super", &url);
    let s = sign_in(&sup, &url, "demo.super", PASSWORD).unwrap();
    assert!(s.supervises);
    // A technician is refused the supervisor's screens.
    assert_eq!(tech.team().unwrap_err().code, ipc::codes::FORBIDDEN);

    let shift = sup.incoming(&ipc::SinceArg::default()).unwrap();
    let person = shift
        .people
        .iter()
        .find(|p| p.work_orders_completed >= 1)
        .expect("the technician's completion came in");
    assert!(person.applied >= 2);

    let queue = sup.sign_off_queue().unwrap();
    assert!(
        queue.local.iter().any(|w| w.number == number),
        "pulled to the supervisor's tablet"
    );
    assert!(
        queue
            .server
            .as_ref()
            .is_some_and(|q| q.iter().any(|w| w.number == number))
    );
    let signed = sup
        .sign_off(&ipc::NumberArg {
            number: number.clone(),
        })
        .unwrap();
    assert_eq!(signed.bundle.work_order.status, WorkOrderStatus::SignedOff);

    let team = sup.team().unwrap();
    assert!(team.iter().any(|m| m.username == "demo.tech"));
    assert!(sup.conflicts(&ipc::ConflictsArg { all: true }).is_ok());
    drop(server);
    // Offline, the server's part of the queue is simply not there.
    let queue = sup.sign_off_queue().unwrap();
    assert!(queue.server.is_none());
    assert_eq!(
        sup.conflicts(&ipc::ConflictsArg::default())
            .unwrap_err()
            .code,
        ipc::codes::OFFLINE
    );
}
