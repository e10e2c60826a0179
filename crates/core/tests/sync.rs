//! Signing a device in and syncing it through the core, against an
//! in-memory server: credentials kept apart from the audit log, a full
//! round with progress, offline, and a device that never signed in.

mod sync_fixture;

use biomend_core::sync::{LoginInput, login, signed_in_username, status, sync_now};
use biomend_protocol::*;
use biomend_sync::{Progress, TransportError};
use sync_fixture::*;

const TOKEN: &str = "tok_secret_for_tests_only";

fn sign_in(f: &mut Fixture) {
    let tech = f.app.user(TECH).unwrap();
    login(
        &mut f.app,
        &LoginInput {
            server_url: "https://biomend.example.org/".into(),
            username: TECH.into(),
            password: "correct horse".into(),
            device_name: "ICU tablet 3".into(),
        },
        |url, req| {
            assert_eq!(url, "https://biomend.example.org/");
            assert_eq!(req.protocol_version, PROTOCOL_VERSION);
            assert_eq!(req.device_name, "ICU tablet 3");
            Ok(LoginResponse {
                device_id: DEVICE,
                token: TOKEN.into(),
                user: (&tech).into(),
            })
        },
    )
    .expect("login");
}

#[test]
fn signing_in_keeps_the_token_out_of_the_audit_log() {
    let mut f = fixture();
    let audit_before = f.app.store().reader().count("audit_log").unwrap();
    sign_in(&mut f);
    assert_eq!(signed_in_username(&f.app).unwrap().as_deref(), Some(TECH));
    let st = status(&f.app).unwrap();
    assert_eq!(
        st.server_url.as_deref(),
        Some("https://biomend.example.org")
    );
    assert_eq!(st.device_id, Some(DEVICE));
    assert!(!serde_json::to_string(&st).unwrap().contains(TOKEN));
    assert_eq!(
        f.app.store().reader().count("audit_log").unwrap(),
        audit_before
    );
    let login = biomend_core::sync::credentials(&f.app).unwrap();
    assert_eq!(login.token, TOKEN);
    assert!(!format!("{login:?}").contains(TOKEN));
}

#[test]
fn a_refused_sign_in_stores_nothing() {
    let mut f = fixture();
    let err = login(
        &mut f.app,
        &LoginInput {
            server_url: "https://biomend.example.org".into(),
            username: TECH.into(),
            password: "wrong".into(),
            device_name: String::new(),
        },
        |_, _| {
            Err(TransportError::Rejected(ErrorBody {
                code: "unauthenticated".into(),
                message: "wrong username or password".into(),
            }))
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "refused");
    assert_eq!(signed_in_username(&f.app).unwrap(), None);
}

#[test]
fn a_device_that_never_signed_in_cannot_sync() {
    let mut f = fixture();
    let err = sync_now(&mut f.app, &mut FakeServer::new(), &mut |_| {}).unwrap_err();
    assert_eq!(err.code(), "not_signed_in");
}

#[test]
fn sync_now_pushes_pulls_and_reports_progress() {
    let mut f = fixture();
    sign_in(&mut f);
    let tag = f.free_assets(1).remove(0);
    f.repair(&tag);
    let mut server = FakeServer::new();
    // Someone else edited another asset's notes on the server.
    let other = f.free_assets(2).remove(1);
    let page = biomend_core::asset_page::run(&f.app, &other).unwrap();
    let mut a: AssetV1 = (&page.detail.asset).into();
    a.notes = "Loaner from biomed pool".into();
    server.publish(Record::Asset(a));

    let mut seen = Vec::new();
    let summary = sync_now(&mut f.app, &mut server, &mut |p| seen.push(p)).expect("sync");
    assert_eq!(summary.report.push.applied, 3);
    assert_eq!(summary.report.pull.rows, 1);
    assert!(summary.rejected.is_empty());
    assert_eq!(summary.status.pending, 0);
    assert_eq!(summary.status.pull_cursor, 1);
    assert!(seen.contains(&Progress::Pushed { done: 3, total: 3 }));
    assert!(seen.contains(&Progress::Applying { rows: 1 }));
    assert!(server.pulls.iter().all(|p| p.device_id == DEVICE));
    let after = biomend_core::asset_page::run(&f.app, &other).unwrap();
    assert_eq!(after.detail.asset.notes, "Loaner from biomed pool");
}

#[test]
fn offline_keeps_changes_on_the_device() {
    let mut f = fixture();
    sign_in(&mut f);
    let tag = f.free_assets(1).remove(0);
    f.open_corrective(&tag);
    let mut server = FakeServer::new();
    server.offline = true;
    let err = sync_now(&mut f.app, &mut server, &mut |_| {}).unwrap_err();
    assert_eq!(err.code(), "offline");
    assert!(err.to_string().contains("changes stay on this device"));
    assert_eq!(status(&f.app).unwrap().status.pending, 1);
}
