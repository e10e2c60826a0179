//! The administrator's API over real HTTP on a loopback port: places that
//! tablets pull, accounts, deactivation that kills a user's tokens at once,
//! passwords, the last administrator, role checks, bad input and paging.

mod common;

use biomend_protocol::admin::Deactivated;
use biomend_protocol::*;
use common::*;
use serde_json::{Value, json};

async fn send(c: &Client, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = c
        .http
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{path}", c.base),
        )
        .bearer_auth(&c.token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn patch(c: &Client, path: &str, body: Value) -> (u16, Value) {
    send(c, "PATCH", path, Some(body)).await
}

fn assert_error(got: &(u16, Value), status: u16, code: &str, says: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["code"], code, "{}", got.1);
    let message = got.1["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "expected '{says}' in: {message}");
}

async fn login(s: &TestServer, username: &str, password: &str) -> (u16, Value) {
    let res = http()
        .post(format!("{}/v1/login", s.base))
        .json(&json!({
            "protocol_version": PROTOCOL_VERSION,
            "username": username,
            "password": password,
            "device_name": "tablet",
        }))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn me(c: &Client, token: &str) -> u16 {
    c.http
        .get(format!("{}/v1/me", c.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn site_id(s: &TestServer, code: &str) -> uuid::Uuid {
    s.data.sites.iter().find(|x| x.code == code).unwrap().id.0
}

#[tokio::test]
async fn only_an_admin_reaches_the_admin_routes() {
    let s = TestServer::start().await;
    for who in ["demo.tech", "demo.super", "demo.manager"] {
        let c = s.login(who).await;
        for (method, path) in biomend_server::ROUTES {
            if !path.starts_with("/v1/admin/") {
                continue;
            }
            let path = path.replace("{id}", &uuid::Uuid::nil().to_string());
            // Refused before the body is read, whatever it holds.
            let body = (*method != "GET").then(|| json!({"name": "x"}));
            let got = send(&c, method, &path, body).await;
            assert_error(&got, 403, "forbidden", "need an admin");
        }
    }
    let admin = s.login("demo.admin").await;
    let (status, page) = send(&admin, "GET", "/v1/admin/sites", None).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], s.data.sites.len());
    // No token at all is still a 401.
    let res = http()
        .get(format!("{}/v1/admin/sites", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn places_an_admin_adds_reach_the_tablets_of_their_site() {
    let s = TestServer::start().await;
    let admin = s.login("demo.admin").await;
    let (status, site) = admin
        .post(
            "/v1/admin/sites",
            &json!({"code": "EAST", "name": "East Clinic"}),
        )
        .await;
    assert_eq!(status, 201, "{site}");
    let site: SiteV1 = serde_json::from_value(site).unwrap();
    let (status, b) = admin
        .post(
            "/v1/admin/buildings",
            &json!({"site_id": site.id, "name": "Pavilion"}),
        )
        .await;
    assert_eq!(status, 201, "{b}");
    let b: BuildingV1 = serde_json::from_value(b).unwrap();
    let (status, d) = admin
        .post(
            "/v1/admin/departments",
            &json!({"site_id": site.id, "name": "Emergency Department", "short_name": "ED", "cost_center": "4010"}),
        )
        .await;
    assert_eq!(status, 201, "{d}");
    let d: DepartmentV1 = serde_json::from_value(d).unwrap();
    let (status, l) = admin
        .post(
            "/v1/admin/locations",
            &json!({"building_id": b.id, "floor": "1", "room": "1.101", "department_id": d.id}),
        )
        .await;
    assert_eq!(status, 201, "{l}");
    let l: LocationV1 = serde_json::from_value(l).unwrap();

    // Edits: only the fields given; null clears.
    let (status, edited) = patch(
        &admin,
        &format!("/v1/admin/departments/{}", d.id),
        json!({"short_name": null, "name": "Emergency"}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["short_name"], Value::Null);
    assert_eq!(edited["cost_center"], "4010");
    let (status, edited) = patch(
        &admin,
        &format!("/v1/admin/locations/{}", l.id),
        json!({"room": "1.102"}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["department_id"], json!(d.id));
    let (status, _) = patch(
        &admin,
        &format!("/v1/admin/sites/{}", site.id),
        json!({"name": "East Campus"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = patch(
        &admin,
        &format!("/v1/admin/buildings/{}", b.id),
        json!({"name": "Pavilion A"}),
    )
    .await;
    assert_eq!(status, 200);

    // A technician of the new site, made over the API, pulls all of it.
    let (status, tech) = admin
        .post(
            "/v1/admin/users",
            &json!({"username": "east.tech", "display_name": "Eve Tech", "role": "technician",
                    "sites": [site.id], "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, 201, "{tech}");
    let east = s.login_with("east.tech", "correct horse battery", 0).await;
    let pulled = east.pull_all().await;
    let body = |kind: &str, key: uuid::Uuid| {
        pulled
            .iter()
            .rev()
            .find(|c| c.kind == kind && c.key == key.to_string())
            .and_then(|c| c.body.as_ref())
            .map(|b| serde_json::from_str::<Value>(b.get()).unwrap())
            .unwrap_or_else(|| panic!("{kind} {key} was not pulled"))
    };
    assert_eq!(body("site", site.id)["name"], "East Campus");
    assert_eq!(body("building", b.id)["name"], "Pavilion A");
    assert_eq!(body("department", d.id)["name"], "Emergency");
    assert_eq!(body("location", l.id)["room"], "1.102");
    // A technician of another site does not pull them.
    let main_tech = s.login("demo.tech").await;
    let theirs = main_tech.pull_all().await;
    assert!(
        !theirs.iter().any(|c| c.key == d.id.to_string()),
        "another site's department was pulled"
    );
}

#[tokio::test]
async fn duplicates_and_bad_input_say_what_and_where() {
    let s = TestServer::start().await;
    let admin = s.login("demo.admin").await;
    let main = &s.data.sites[0];
    let other = &s.data.sites[1];
    let dept = s
        .data
        .departments
        .iter()
        .find(|d| d.site_id == main.id)
        .unwrap();
    let building = s
        .data
        .buildings
        .iter()
        .find(|b| b.site_id == main.id)
        .unwrap();
    let other_dept = s
        .data
        .departments
        .iter()
        .find(|d| d.site_id == other.id)
        .unwrap();
    let post = |path: &'static str, body: Value| {
        let admin = &admin;
        async move { admin.post(path, &body).await }
    };
    let code = main.code.to_lowercase();
    assert_error(
        &post("/v1/admin/sites", json!({"code": code, "name": "Again"})).await,
        409,
        "conflict",
        &format!("site code '{code}' is already used"),
    );
    assert_error(
        &post("/v1/admin/sites", json!({"code": "NO SPACES", "name": "X"})).await,
        400,
        "bad_request",
        "letters, digits",
    );
    assert_error(
        &post(
            "/v1/admin/sites",
            json!({"code": "LONG", "name": "x".repeat(201)}),
        )
        .await,
        400,
        "bad_request",
        "at most 200 characters",
    );
    assert_error(
        &post("/v1/admin/sites", json!({"code": "X1", "name": "  "})).await,
        400,
        "bad_request",
        "the site name must not be empty",
    );
    assert_error(
        &post(
            "/v1/admin/sites",
            json!({"code": "X1", "name": "a", "colour": "red"}),
        )
        .await,
        400,
        "bad_request",
        "unknown field",
    );
    assert_error(
        &post(
            "/v1/admin/buildings",
            json!({"site_id": main.id.0, "name": building.name.to_uppercase()}),
        )
        .await,
        409,
        "conflict",
        &format!("already exists at site {}", main.code),
    );
    assert_error(
        &post(
            "/v1/admin/buildings",
            json!({"site_id": uuid::Uuid::nil(), "name": "Nowhere"}),
        )
        .await,
        404,
        "not_found",
        "no site",
    );
    assert_error(
        &post(
            "/v1/admin/departments",
            json!({"site_id": main.id.0, "name": dept.name.to_lowercase()}),
        )
        .await,
        409,
        "conflict",
        &format!(
            "department '{}' already exists at site {}",
            dept.name.to_lowercase(),
            main.code
        ),
    );
    assert_error(
        &post(
            "/v1/admin/departments",
            json!({"site_id": main.id.0, "name": "Bad\nName"}),
        )
        .await,
        400,
        "bad_request",
        "control characters",
    );
    assert_error(
        &post(
            "/v1/admin/departments",
            json!({"site_id": main.id.0, "name": "Short", "short_name": "x".repeat(21)}),
        )
        .await,
        400,
        "bad_request",
        "the short name is at most 20",
    );
    // A room's department must be at its building's site.
    assert_error(
        &post(
            "/v1/admin/locations",
            json!({"building_id": building.id.0, "room": "9.999", "department_id": other_dept.id.0}),
        )
        .await,
        400,
        "bad_request",
        &format!("is at site {}, not at site {}", other.code, main.code),
    );
    let loc = s
        .data
        .locations
        .iter()
        .find(|l| l.building_id == building.id)
        .unwrap();
    assert_error(
        &post(
            "/v1/admin/locations",
            json!({"building_id": building.id.0, "floor": loc.floor, "room": loc.room.to_lowercase()}),
        )
        .await,
        409,
        "conflict",
        "already exists in building",
    );
    assert_error(
        &patch(&admin, "/v1/admin/sites/not-a-uuid", json!({})).await,
        400,
        "bad_request",
        "UUID",
    );
    assert_error(
        &patch(
            &admin,
            &format!("/v1/admin/sites/{}", uuid::Uuid::nil()),
            json!({"name": "x"}),
        )
        .await,
        404,
        "not_found",
        "no site",
    );
    // A rename onto another site's code is refused too.
    assert_error(
        &patch(
            &admin,
            &format!("/v1/admin/sites/{}", other.id.0),
            json!({"code": main.code}),
        )
        .await,
        409,
        "conflict",
        "already used",
    );
    // Accounts.
    assert_error(
        &post(
            "/v1/admin/users",
            json!({"username": "DEMO.TECH", "display_name": "x", "role": "technician", "sites": [], "password": "correct horse battery"}),
        )
        .await,
        409,
        "conflict",
        "already exists",
    );
    assert_error(
        &post(
            "/v1/admin/users",
            json!({"username": "new.one", "display_name": "x", "role": "wizard", "sites": [], "password": "correct horse battery"}),
        )
        .await,
        400,
        "bad_request",
        "unknown role 'wizard'",
    );
    assert_error(
        &post(
            "/v1/admin/users",
            json!({"username": "new.one", "display_name": "x", "role": "technician", "sites": [], "password": "short"}),
        )
        .await,
        400,
        "bad_request",
        "shorter than 10",
    );
    assert_error(
        &post(
            "/v1/admin/users",
            json!({"username": "new.one", "display_name": "x", "role": "technician", "sites": [uuid::Uuid::nil()], "password": "correct horse battery"}),
        )
        .await,
        404,
        "not_found",
        "no site",
    );
    assert_error(
        &post(
            "/v1/admin/users",
            json!({"username": "long.username", "display_name": "x", "role": "technician", "sites": [], "password": "Long.Username"}),
        )
        .await,
        400,
        "bad_request",
        "must not be the username",
    );
    // Nothing of the refused account was written.
    let (_, body) = login(&s, "new.one", "correct horse battery").await;
    assert_eq!(body["code"], "unauthenticated");
}

#[tokio::test]
async fn listings_are_paged_and_bounded() {
    let s = TestServer::start().await;
    let admin = s.login("demo.admin").await;
    for bad in ["limit=0", "limit=501", "limit=x", "offset=-1", "colour=red"] {
        let got = send(&admin, "GET", &format!("/v1/admin/departments?{bad}"), None).await;
        assert_eq!(got.0, 400, "{bad}: {}", got.1);
        assert_eq!(got.1["code"], "bad_request");
    }
    let total = s.data.departments.len();
    assert!(total > 3);
    let mut seen = Vec::new();
    let mut offset = 0u64;
    loop {
        let (status, page) = send(
            &admin,
            "GET",
            &format!("/v1/admin/departments?limit=3&offset={offset}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], total);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|d| d["id"].as_str().unwrap().to_string()));
        match page["next_offset"].as_u64() {
            Some(next) => offset = next,
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (total, total), "each once");
    // The default page, a site filter, and an offset past the end.
    let (_, page) = send(&admin, "GET", "/v1/admin/users", None).await;
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        s.data.users.len().min(100)
    );
    let main = site_id(&s, &s.data.sites[0].code);
    let (_, page) = send(
        &admin,
        "GET",
        &format!("/v1/admin/buildings?site_id={main}&limit=500"),
        None,
    )
    .await;
    let here = s
        .data
        .buildings
        .iter()
        .filter(|b| b.site_id.0 == main)
        .count();
    assert_eq!(page["items"].as_array().unwrap().len(), here);
    let (_, page) = send(&admin, "GET", "/v1/admin/locations?offset=1000000", None).await;
    assert_eq!(page["items"], json!([]));
    assert!(page.get("next_offset").is_none());
}

#[tokio::test]
async fn deactivating_a_user_kills_their_tokens_at_once() {
    let s = TestServer::start().await;
    let admin = s.login("demo.admin").await;
    let tablet = s.login("demo.tech").await;
    let phone = s.login("demo.tech").await;
    assert_eq!(me(&admin, &tablet.token).await, 200);
    let id = tablet.user.id;
    let (status, body) = admin
        .post(&format!("/v1/admin/users/{id}/deactivate"), &json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let done: Deactivated = serde_json::from_value(body).unwrap();
    assert!(!done.user.active);
    assert_eq!(done.devices_revoked, 2);
    for token in [&tablet.token, &phone.token] {
        assert_eq!(me(&admin, token).await, 401);
    }
    let (status, body) = tablet.post("/v1/pull", &json!({})).await;
    assert_eq!(status, 401, "{body}");
    // The devices are revoked, not only the account inactive.
    let devices = biomend_server::Backend::read(&*s.backend, |txn| txn.devices()).unwrap();
    for d in devices.iter().filter(|d| d.user_id == id) {
        assert!(d.revoked_at.is_some(), "{d:?}");
    }
    // Tablets pull the user as inactive.
    let row: UserV1 = row(&s, Kind::User, &id.to_string()).unwrap();
    assert!(!row.active);
    let (status, _) = login(&s, "demo.tech", PASSWORD).await;
    assert_eq!(status, 401);
    // An unknown user is a 404.
    let (status, body) = admin
        .post(
            &format!("/v1/admin/users/{}/deactivate", uuid::Uuid::nil()),
            &json!({}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn users_change_their_password_and_admins_reset_it() {
    let s = TestServer::start().await;
    let tech = s.login("demo.tech").await;
    let change = |current: &str, new: &str| json!({"current": current, "new": new});
    assert_error(
        &tech
            .post(
                "/v1/me/password",
                &change("wrong password", "correct horse battery"),
            )
            .await,
        401,
        "wrong_password",
        "current password is wrong",
    );
    // A wrong current password does not sign the device out.
    assert_eq!(me(&tech, &tech.token).await, 200);
    assert_error(
        &tech
            .post("/v1/me/password", &change(PASSWORD, "short"))
            .await,
        400,
        "bad_request",
        "shorter",
    );
    let (status, body) = tech
        .post(
            "/v1/me/password",
            &change(PASSWORD, "correct horse battery"),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(login(&s, "demo.tech", PASSWORD).await.0, 401);
    assert_eq!(login(&s, "demo.tech", "correct horse battery").await.0, 200);
    // The device that changed it stays signed in.
    assert_eq!(me(&tech, &tech.token).await, 200);

    let admin = s.login("demo.admin").await;
    let id = tech.user.id;
    assert_error(
        &admin
            .post(
                &format!("/v1/admin/users/{id}/password"),
                &json!({"password": "tiny"}),
            )
            .await,
        400,
        "bad_request",
        "shorter",
    );
    let (status, _) = admin
        .post(
            &format!("/v1/admin/users/{id}/password"),
            &json!({"password": "staple battery horse"}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(login(&s, "demo.tech", "correct horse battery").await.0, 401);
    assert_eq!(login(&s, "demo.tech", "staple battery horse").await.0, 200);
    // A technician cannot reset anyone's.
    let (status, _) = tech
        .post(
            &format!("/v1/admin/users/{}/password", admin.user.id),
            &json!({"password": "staple battery horse"}),
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn accounts_are_edited_in_step_with_the_row_devices_pull() {
    let s = TestServer::start().await;
    let admin = s.login("demo.admin").await;
    let tech = s.user("demo.tech").clone();
    let both: Vec<uuid::Uuid> = s.data.sites.iter().map(|x| x.id.0).collect();
    let (status, body) = patch(
        &admin,
        &format!("/v1/admin/users/{}", tech.id.0),
        json!({"role": "supervisor", "sites": both, "display_name": "Dana Lead"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let row: UserV1 = row(&s, Kind::User, &tech.id.0.to_string()).unwrap();
    assert_eq!(
        (
            row.role.as_str(),
            row.sites.clone(),
            row.display_name.as_str()
        ),
        ("supervisor", both.clone(), "Dana Lead")
    );
    assert_eq!(serde_json::to_value(&row).unwrap(), body);
    // The new role holds at once: the supervisor's endpoints answer.
    let lead = s.login("demo.tech").await;
    let (status, _) = lead.get("/v1/supervisor/sign-off-queue").await;
    assert_eq!(status, 200);
    for (edit, status, code) in [
        (json!({"role": "boss"}), 400, "bad_request"),
        (json!({"sites": [uuid::Uuid::nil()]}), 404, "not_found"),
        (json!({"display_name": ""}), 400, "bad_request"),
        (json!({"password": "x"}), 400, "bad_request"),
    ] {
        let got = patch(
            &admin,
            &format!("/v1/admin/users/{}", tech.id.0),
            edit.clone(),
        )
        .await;
        assert_eq!(
            (got.0, got.1["code"].as_str()),
            (status, Some(code)),
            "{edit}: {}",
            got.1
        );
    }
}

#[tokio::test]
async fn the_last_active_admin_is_never_demoted_or_deactivated() {
    let s = TestServer::start().await;
    let admin = s.login("demo.admin").await;
    // Leave demo.admin the only active admin.
    for u in s.data.users.iter().filter(|u| {
        u.active && u.role == biomend_domain::user::Role::Admin && u.username != "demo.admin"
    }) {
        let (status, body) = admin
            .post(
                &format!("/v1/admin/users/{}/deactivate", u.id.0),
                &json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let me_id = admin.user.id;
    assert_error(
        &patch(
            &admin,
            &format!("/v1/admin/users/{me_id}"),
            json!({"role": "manager"}),
        )
        .await,
        409,
        "conflict",
        "last active administrator",
    );
    assert_error(
        &admin
            .post(&format!("/v1/admin/users/{me_id}/deactivate"), &json!({}))
            .await,
        409,
        "conflict",
        "last active administrator",
    );
    assert_eq!(me(&admin, &admin.token).await, 200);
    // With a second admin, the first may step down.
    let sup = s.user("demo.super").id.0;
    let (status, _) = patch(
        &admin,
        &format!("/v1/admin/users/{sup}"),
        json!({"role": "admin"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = patch(
        &admin,
        &format!("/v1/admin/users/{me_id}"),
        json!({"role": "manager"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Now a manager: the admin routes are closed to this token.
    let (status, _) = send(&admin, "GET", "/v1/admin/users", None).await;
    assert_eq!(status, 403);
}
