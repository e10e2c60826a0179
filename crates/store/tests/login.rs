//! The device's sign-in: kept apart from the audit log, replaced by a new
//! sign-in, and never shown whole by `Debug`.

mod common;

use biomend_store::{DeviceLogin, Store};
use common::*;

fn login(token: &str) -> DeviceLogin {
    DeviceLogin {
        server_url: "https://biomend.example.org".into(),
        device_id: uuid::Uuid::from_u128(7),
        user_id: user_id(TECH_ANA),
        username: "ana".into(),
        token: token.into(),
        logged_in_at: load_time(),
        ca_cert_path: None,
    }
}

#[test]
fn a_sign_in_is_kept_replaced_and_forgotten_without_audit_rows() {
    let mut s = Store::open_in_memory().unwrap();
    assert_eq!(s.reader().device_login().unwrap(), None);
    s.save_login(&login("first-secret")).unwrap();
    s.save_login(&login("second-secret")).unwrap();
    assert_eq!(
        s.reader().device_login().unwrap(),
        Some(login("second-secret"))
    );
    assert_eq!(s.reader().count("device_login").unwrap(), 1);
    assert_eq!(s.reader().count("audit_log").unwrap(), 0);

    // A sign-in through an internal CA keeps the CA's path; the next
    // sign-in without one forgets it.
    let with_ca = DeviceLogin {
        ca_cert_path: Some("/etc/biomend/hospital-ca.pem".into()),
        ..login("third-secret")
    };
    s.save_login(&with_ca).unwrap();
    assert_eq!(s.reader().device_login().unwrap(), Some(with_ca));
    s.save_login(&login("fourth-secret")).unwrap();
    assert_eq!(
        s.reader().device_login().unwrap().unwrap().ca_cert_path,
        None
    );
    s.clear_login().unwrap();
    assert_eq!(s.reader().device_login().unwrap(), None);
}

#[test]
fn the_token_never_shows_in_debug_output() {
    let shown = format!("{:?}", login("very-secret-token"));
    assert!(!shown.contains("very-secret-token"), "{shown}");
    assert!(shown.contains("ana"));
}
