//! A hospital's settings over real HTTP: who may change them, what is
//! refused (and then nothing is written), two managers changing one key,
//! and every site's tablets pulling the result.

mod common;

use biomend_protocol::*;
use biomend_server::apply::rule;
use common::*;
use std::collections::BTreeMap;

fn set(changes: &[(&str, Option<&str>, Option<&str>)]) -> Mutation {
    Mutation::SetHospitalSettings(SetHospitalSettings {
        name: "analytics".into(),
        changes: changes
            .iter()
            .map(|(k, from, to)| {
                (
                    k.to_string(),
                    FieldChange::new(from.map(String::from), to.map(String::from)),
                )
            })
            .collect(),
        updated_at: t(10, 9),
    })
}

/// The demo hospital before anyone saved a setting: its own group (the
/// blended labor rate) removed, so every change here starts from defaults.
async fn hospital_without_settings() -> TestServer {
    use biomend_server::Backend;
    let s = TestServer::start().await;
    let removed = s
        .backend
        .write(|txn| txn.delete_row(Kind::HospitalSettings, "analytics", t(1, 0)))
        .unwrap();
    assert!(removed.is_some(), "the demo seeds its settings");
    s
}

fn stored(s: &TestServer) -> Option<HospitalSettingsV1> {
    row(s, Kind::HospitalSettings, "analytics")
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn a_manager_changes_and_resets_settings() {
    let s = hospital_without_settings().await;
    let m = s.login("demo.manager").await;
    assert_applied(
        &m.push(set(&[
            ("capital.cyber_weight", None, Some("0.3")),
            ("repeat_repair_days", None, Some("14")),
        ]))
        .await,
    );
    let row = stored(&s).expect("stored");
    assert_eq!(
        row.values,
        values(&[
            ("capital.cyber_weight", "0.3"),
            ("repeat_repair_days", "14")
        ])
    );
    assert_eq!(row.updated_by, m.user.id);
    assert_eq!(row.updated_at, t(10, 9));

    // Back to the default: the key is no longer set.
    let admin = s.login("demo.admin").await;
    assert_applied(
        &admin
            .push(set(&[("repeat_repair_days", Some("14"), None)]))
            .await,
    );
    let row = stored(&s).unwrap();
    assert_eq!(row.values, values(&[("capital.cyber_weight", "0.3")]));
    assert_eq!(row.updated_by, admin.user.id);
    assert!(m.conflicts("all").await.is_empty());
}

#[tokio::test]
async fn only_managers_and_administrators_change_settings() {
    let s = hospital_without_settings().await;
    for who in ["demo.tech", "demo.super", "demo.itsec"] {
        let c = s.login(who).await;
        let msg = assert_rejected(
            &c.push(set(&[("capital.cyber_weight", None, Some("0.3"))]))
                .await,
            "forbidden",
        );
        assert!(msg.contains("settings"), "{who}: {msg}");
    }
    assert!(stored(&s).is_none());
}

#[tokio::test]
async fn an_invalid_group_is_refused_whole_and_names_the_key() {
    let s = hospital_without_settings().await;
    let m = s.login("demo.manager").await;
    // One good change beside the bad one: neither is written.
    let msg = assert_rejected(
        &m.push(set(&[
            ("repeat_repair_days", None, Some("14")),
            ("capital.cyber_weight", None, Some("-1")),
        ]))
        .await,
        "invalid",
    );
    assert!(msg.contains("capital.cyber_weight"), "{msg}");
    let msg = assert_rejected(
        &m.push(set(&[("capital.cyber_wieght", None, Some("0.1"))]))
            .await,
        "invalid",
    );
    assert!(msg.contains("capital.cyber_wieght"), "{msg}");
    let msg = assert_rejected(
        &m.push(set(&[("repeat_repair_days", None, Some("a week"))]))
            .await,
        "invalid",
    );
    assert!(
        msg.contains("repeat_repair_days") && msg.contains("a week"),
        "{msg}"
    );
    let mut other = set(&[("x", None, Some("1"))]);
    if let Mutation::SetHospitalSettings(h) = &mut other {
        h.name = "payroll".into();
    }
    let msg = assert_rejected(&m.push(other).await, "invalid");
    assert!(msg.contains("payroll"), "{msg}");
    let msg = assert_rejected(
        &m.push(set(&[(
            "capital.cyber_weight",
            None,
            Some(&"9".repeat(500)),
        )]))
        .await,
        "too_long",
    );
    assert!(msg.contains("capital.cyber_weight"), "{msg}");
    assert!(stored(&s).is_none());

    // A valid group on top of a stored one is checked whole too: the
    // high-risk threshold may not drop below the program's.
    assert_applied(
        &m.push(set(&[("risk.program_threshold", None, Some("14"))]))
            .await,
    );
    let msg = assert_rejected(
        &m.push(set(&[("risk.high_risk_threshold", None, Some("13"))]))
            .await,
        "invalid",
    );
    assert!(msg.contains("risk.high_risk_threshold"), "{msg}");
    assert_eq!(
        stored(&s).unwrap().values,
        values(&[("risk.program_threshold", "14")])
    );
}

#[tokio::test]
async fn a_stale_change_wins_by_arrival_and_every_supervisor_sees_the_conflict() {
    let s = hospital_without_settings().await;
    let m = s.login("demo.manager").await;
    let admin = s.login("demo.admin").await;
    // Both saw the default; the manager's change arrives first.
    assert_applied(
        &m.push(set(&[
            ("capital.cyber_weight", None, Some("0.3")),
            ("capital.age_weight", None, Some("0.25")),
        ]))
        .await,
    );
    assert_applied(
        &admin
            .push(set(&[
                ("capital.cyber_weight", None, Some("0.4")),
                // Same value as the server's: a merge, not a conflict.
                ("capital.age_weight", None, Some("0.25")),
            ]))
            .await,
    );
    assert_eq!(
        stored(&s).unwrap().values,
        values(&[
            ("capital.cyber_weight", "0.4"),
            ("capital.age_weight", "0.25")
        ])
    );

    // Global rows have no site: supervisors of each site see it.
    for sup in ["demo.super", "super02"] {
        let c = s.login(sup).await.conflicts("open").await;
        assert_eq!(c.len(), 1, "{sup}");
        let c = &c[0];
        assert_eq!(c.kind, "hospital_settings");
        assert_eq!(c.key, "analytics");
        assert_eq!(c.field, "capital.cyber_weight");
        assert_eq!(c.rule, rule::LATEST_ARRIVAL_WINS);
        assert_eq!(c.base, serde_json::Value::Null);
        assert_eq!(c.kept, serde_json::json!("0.4"));
        assert_eq!(c.set_aside, serde_json::json!("0.3"));
        assert_eq!(c.user_id, admin.user.id);
    }

    // A supervisor may not set policy by reversing; a manager may.
    let sup = s.login("demo.super").await;
    let id = sup.conflicts("open").await[0].id;
    let path = format!("/v1/supervisor/conflicts/{id}/resolve");
    let (status, body) = sup
        .post(&path, &serde_json::json!({"action": "reverse"}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("settings"),
        "{body}"
    );
    let (status, body) = m
        .post(&path, &serde_json::json!({"action": "reverse"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        stored(&s).unwrap().values,
        values(&[
            ("capital.cyber_weight", "0.3"),
            ("capital.age_weight", "0.25")
        ])
    );
}

#[tokio::test]
async fn tablets_of_every_site_pull_the_settings() {
    let s = hospital_without_settings().await;
    let m = s.login("demo.manager").await;
    assert!(m.user.sites.len() >= 2, "the demo hospital has two sites");
    assert_applied(
        &m.push(set(&[("capital.cyber_weight", None, Some("0.3"))]))
            .await,
    );
    let techs = ["demo.tech", "tech01"];
    let mut sites = Vec::new();
    for who in techs {
        let c = s.login(who).await;
        sites.push(c.user.sites[0]);
        let change = c
            .pull_all()
            .await
            .into_iter()
            .rev()
            .find(|ch| ch.kind == Kind::HospitalSettings.as_str())
            .unwrap_or_else(|| panic!("{who} pulls the settings"));
        assert_eq!(change.key, "analytics");
        let body = change.body.expect("a body, not a tombstone");
        let pulled: HospitalSettingsV1 = serde_json::from_str(body.get()).unwrap();
        assert_eq!(pulled.values, values(&[("capital.cyber_weight", "0.3")]));
    }
    assert_ne!(sites[0], sites[1], "the two technicians work at two sites");
}
