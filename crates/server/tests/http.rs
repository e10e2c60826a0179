//! Auth, site scoping, hostile input and the OpenAPI document, over real
//! HTTP: every error is a 4xx with `{code, message}`, never a 5xx.

mod common;

use biomend_protocol::*;
use biomend_server::Backend;
use common::*;
use serde_json::{Value, json};

async fn raw(
    s: &TestServer,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Vec<u8>>,
) -> (u16, Value) {
    let http = common::http();
    let mut req = http.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{}{path}", s.base),
    );
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn assert_error(got: &(u16, Value), status: u16, code: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["code"], code, "{}", got.1);
    assert!(
        got.1["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        got.1
    );
}

fn login_body(username: &str, password: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "protocol_version": PROTOCOL_VERSION,
        "username": username,
        "password": password,
        "device_name": "t",
    }))
    .unwrap()
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_401() {
    let s = TestServer::start().await;
    let wrong = raw(
        &s,
        "POST",
        "/v1/login",
        None,
        Some(login_body("demo.tech", "nope")),
    )
    .await;
    let unknown = raw(
        &s,
        "POST",
        "/v1/login",
        None,
        Some(login_body("nobody", "demo")),
    )
    .await;
    let inactive = raw(
        &s,
        "POST",
        "/v1/login",
        None,
        Some(login_body("former.tech", "demo")),
    )
    .await;
    assert_error(&wrong, 401, "unauthenticated");
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, inactive);
    assert_eq!(wrong.1["message"], "wrong username or password");
    // Usernames are case-insensitive.
    let ok = raw(
        &s,
        "POST",
        "/v1/login",
        None,
        Some(login_body("Demo.Tech", "demo")),
    )
    .await;
    assert_eq!(ok.0, 200, "{}", ok.1);
}

#[tokio::test]
async fn a_revoked_device_is_turned_away_and_me_names_the_device() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let (status, me) = a.get("/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["device_id"], json!(a.device_id));
    assert_eq!(me["device_name"], "demo.tech tablet");
    assert_eq!(me["username"], "demo.tech");
    s.backend
        .write(|txn| txn.revoke_device(a.device_id, chrono::Utc::now()))
        .unwrap();
    assert_error(&(a.get("/v1/me").await), 401, "unauthenticated");
    assert_error(
        &raw(&s, "GET", "/v1/me", Some("not-a-token"), None).await,
        401,
        "unauthenticated",
    );
    assert_error(
        &raw(&s, "GET", "/v1/me", None, None).await,
        401,
        "unauthenticated",
    );
}

#[tokio::test]
async fn a_technician_pulls_only_their_sites_rows() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let site = a.user.sites[0];
    let mine: std::collections::HashSet<String> =
        s.assets_at(site).iter().map(|x| x.id.to_string()).collect();
    let theirs: std::collections::HashSet<String> = s
        .data
        .assets
        .iter()
        .filter(|x| s.site_of(x) != site)
        .map(|x| x.id.to_string())
        .collect();
    assert!(!theirs.is_empty());
    let changes = a.pull_all().await;
    let assets: Vec<&Change> = changes.iter().filter(|c| c.kind == "asset").collect();
    assert!(assets.iter().all(|c| !theirs.contains(&c.key)));
    assert!(mine.iter().all(|k| assets.iter().any(|c| &c.key == k)));
    for c in &changes {
        // Every record decodes as its kind; no other site's rows slip in.
        match c.record().expect("decodes").expect("no tombstones") {
            Record::Asset(x) => assert!(!theirs.contains(&x.id.to_string())),
            Record::WorkOrder(w) => assert!(!theirs.contains(&w.asset_id.to_string())),
            Record::Department(d) => assert_eq!(d.site_id, site),
            Record::Site(x) => assert_eq!(x.id, site),
            _ => {}
        }
    }
    // Versions strictly increase and paging loses nothing.
    assert!(changes.windows(2).all(|w| w[0].version < w[1].version));
    let mut paged = 0;
    let mut cursor = 0;
    loop {
        let p = a.pull_page(cursor, 97).await;
        assert!(p.changes.len() <= 97);
        paged += p.changes.len();
        cursor = p.cursor;
        if !p.more {
            break;
        }
    }
    assert_eq!(paged, changes.len());
    let end = a.pull_page(cursor, 10).await;
    assert!(end.changes.is_empty() && !end.more && end.cursor == cursor);
}

#[tokio::test]
async fn supervisor_endpoints_and_other_devices_are_forbidden() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    for path in [
        "/v1/supervisor/incoming",
        "/v1/supervisor/conflicts",
        "/v1/supervisor/sign-off-queue",
    ] {
        assert_error(&a.get(path).await, 403, "forbidden");
    }
    let other = s.login("demo.tech").await;
    let body = json!({"protocol_version": 1, "schema_version": 7, "device_id": other.device_id, "cursor": 0, "limit": 10});
    assert_error(&a.post("/v1/pull", &body).await, 403, "forbidden");
    let body = json!({"protocol_version": 1, "schema_version": 7, "device_id": other.device_id, "mutations": []});
    assert_error(&a.post("/v1/push", &body).await, 403, "forbidden");
}

#[tokio::test]
async fn hostile_requests_get_a_4xx_with_a_code_and_never_a_5xx() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let sup = s.login("demo.super").await;
    let tok = Some(a.token.as_str());
    let dev = a.device_id;
    // (method, path, token, body, expected status, expected code)
    type Case<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<Vec<u8>>,
        u16,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        ("POST", "/v1/push", tok, Some(b"{not json".to_vec()), 400, "bad_request"),
        ("POST", "/v1/push", tok, Some(b"".to_vec()), 400, "bad_request"),
        ("POST", "/v1/push", tok, Some(b"[1,2]".to_vec()), 400, "bad_request"),
        ("POST", "/v1/login", None, Some(b"{\"username\":1}".to_vec()), 400, "bad_request"),
        (
            "POST",
            "/v1/pull",
            tok,
            Some(serde_json::to_vec(&json!({"protocol_version":1,"schema_version":7,"device_id":dev,"cursor":0,"limit":10,"extra":true})).unwrap()),
            400,
            "bad_request",
        ),
        (
            "POST",
            "/v1/pull",
            tok,
            Some(serde_json::to_vec(&json!({"protocol_version":1,"schema_version":7,"device_id":dev,"cursor":0,"limit":4_000_000_000u32})).unwrap()),
            400,
            "bad_request",
        ),
        (
            "POST",
            "/v1/pull",
            tok,
            Some(serde_json::to_vec(&json!({"protocol_version":1,"schema_version":7,"device_id":dev,"cursor":-1,"limit":10})).unwrap()),
            400,
            "bad_request",
        ),
        (
            "POST",
            "/v1/pull",
            tok,
            Some(serde_json::to_vec(&json!({"protocol_version":99,"schema_version":7,"device_id":dev,"cursor":0,"limit":10})).unwrap()),
            426,
            CLIENT_TOO_OLD,
        ),
        (
            "POST",
            "/v1/push",
            tok,
            Some(serde_json::to_vec(&json!({"protocol_version":0,"schema_version":7,"device_id":dev,"mutations":[]})).unwrap()),
            426,
            CLIENT_TOO_OLD,
        ),
        (
            "POST",
            "/v1/login",
            None,
            Some(serde_json::to_vec(&json!({"protocol_version":99,"username":"demo.tech","password":"demo","device_name":"x"})).unwrap()),
            426,
            CLIENT_TOO_OLD,
        ),
        (
            "POST",
            "/v1/login",
            None,
            Some(serde_json::to_vec(&json!({"protocol_version":1,"username":"demo.tech","password":"demo","device_name":"x","next_seq":u64::MAX})).unwrap()),
            400,
            "bad_request",
        ),
        (
            "POST",
            "/v1/login",
            None,
            Some(serde_json::to_vec(&json!({"protocol_version":1,"username":"demo.tech","password":"demo","device_name":"x","next_seq":-1})).unwrap()),
            400,
            "bad_request",
        ),
        (
            "POST",
            "/v1/push",
            tok,
            Some(serde_json::to_vec(&json!({"protocol_version":1,"schema_version":7,"device_id":dev,"mutations":[{"id":dev,"seq":1,"name":"x","version":1,"hlc":"garbage","payload":{}}]})).unwrap()),
            400,
            "bad_request",
        ),
        ("POST", "/v1/push", tok, Some(vec![b' '; 5 * 1024 * 1024]), 413, "too_large"),
        ("GET", "/v1/nowhere", None, None, 404, "not_found"),
        ("DELETE", "/v1/push", tok, None, 405, "method_not_allowed"),
        ("GET", "/v1/push", tok, None, 405, "method_not_allowed"),
    ];
    for (method, path, token, body, status, code) in cases {
        let got = raw(&s, method, path, token, body).await;
        assert_error(&got, status, code);
    }
    // Push of too many mutations.
    let m = create(&work_order(
        s.assets_at(a.user.sites[0])[0].id.0,
        "WO-H",
        a.user.id,
        "corrective",
    ));
    let envs: Vec<MutationEnvelope> = (0..1_001).map(|_| a.envelope(&m)).collect();
    let body = serde_json::to_value(PushRequest {
        protocol_version: 1,
        schema_version: 7,
        device_id: dev,
        mutations: envs,
    })
    .unwrap();
    assert_error(&a.post("/v1/push", &body).await, 400, "bad_request");
    // Supervisor query and path input.
    let st = Some(sup.token.as_str());
    for (method, path, body, status) in [
        ("GET", "/v1/supervisor/incoming?since=yesterday", None, 400),
        ("GET", "/v1/supervisor/conflicts?state=maybe", None, 400),
        (
            "POST",
            "/v1/supervisor/conflicts/not-a-uuid/resolve",
            Some(b"{\"action\":\"accept\"}".to_vec()),
            400,
        ),
        (
            "POST",
            &format!("/v1/supervisor/conflicts/{dev}/resolve"),
            Some(b"{\"action\":\"accept\"}".to_vec()),
            404,
        ),
        (
            "POST",
            &format!("/v1/supervisor/conflicts/{dev}/resolve"),
            Some(b"{\"action\":\"burn\"}".to_vec()),
            400,
        ),
        (
            "POST",
            &format!("/v1/supervisor/conflicts/{dev}/resolve"),
            Some(b"{\"action\":\"accept\",\"who\":1}".to_vec()),
            400,
        ),
    ] {
        let got = raw(&s, method, path, st, body).await;
        assert_eq!(got.0, status, "{path}: {}", got.1);
        assert!(got.1["code"].is_string(), "{path}: {}", got.1);
    }
    // A payload of the wrong shape is one rejected mutation, not a 4xx.
    let fresh = s.login("demo.tech").await;
    let mut env = fresh.envelope(&m);
    env.payload = json!({"work_order": 5});
    let r = fresh.push_envelopes(vec![env]).await;
    assert_rejected(&r.results[0].outcome, "malformed");
}

#[tokio::test]
async fn a_cursor_older_than_the_tombstone_horizon_must_resync() {
    let s = TestServer::start().await;
    let a = s.login("demo.tech").await;
    let changes = a.pull_all().await;
    let asset = changes
        .iter()
        .find(|c| c.kind == "asset")
        .unwrap()
        .key
        .clone();
    let last = changes.last().unwrap().version;
    let deleted = s
        .backend
        .write(|txn| txn.delete_row(Kind::Asset, &asset, chrono::Utc::now()))
        .unwrap()
        .expect("a row was deleted");
    let page = a.pull_page(last, 100).await;
    assert_eq!(page.changes.len(), 1);
    assert_eq!(
        (page.changes[0].key.as_str(), page.changes[0].body.is_none()),
        (asset.as_str(), true)
    );
    s.backend
        .write(|txn| txn.purge_tombstones(deleted))
        .unwrap();
    let body = json!({"protocol_version": 1, "schema_version": 7, "device_id": a.device_id, "cursor": last, "limit": 100});
    assert_error(&a.post("/v1/pull", &body).await, 410, RESYNC_REQUIRED);
    // From zero is always fine, and so is every later page of a run that
    // started there, though its cursor is below the horizon.
    let first = a.pull_page(0, 10).await;
    assert!(!first.changes.is_empty() && first.cursor < deleted);
    let body = json!({"protocol_version": 1, "schema_version": 7, "device_id": a.device_id,
        "cursor": first.cursor, "limit": 10, "from_zero": true});
    let (status, page) = a.post("/v1/pull", &body).await;
    assert_eq!(status, 200, "{page}");
    assert!(!page["changes"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_and_each_answers() {
    let s = TestServer::start().await;
    let sup = s.login("demo.super").await;
    let (status, doc) = raw(&s, "GET", "/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);
    let checked_in: Value = serde_json::from_str(biomend_server::http::OPENAPI_JSON).unwrap();
    assert_eq!(doc, checked_in);
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut routes: Vec<(String, String)> = biomend_server::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    routes.sort();
    assert_eq!(documented, routes);
    for (method, path) in routes {
        let path = path.replace("{id}", &uuid::Uuid::nil().to_string());
        let body = (method == "POST").then(|| b"{}".to_vec());
        let (status, body) = raw(&s, &method, &path, Some(&sup.token), body).await;
        // `{}` is a wrong body everywhere, so no handler gets far enough
        // to answer a legitimate 404: any 404 or 405 is a missing route.
        assert_ne!(status, 404, "{method} {path}: {body}");
        assert_ne!(status, 405, "{method} {path}: {body}");
        assert!(status < 500, "{method} {path}: {status}");
    }
}
