//! Shared by the server's HTTP tests: a real server on a loopback port over
//! a real SQLite file in a temp dir, seeded with a tiny demo hospital, and
//! a client that speaks the protocol types.

#![allow(dead_code)]

use biomend_demo::DemoParams;
use biomend_domain::asset::{Asset, AssetStatus};
use biomend_domain::dataset::Dataset;
use biomend_domain::user::User;
use biomend_protocol::*;
use biomend_server::auth::HashCost;
use biomend_server::{Config, SqliteBackend};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

pub const PASSWORD: &str = "demo";

/// An HTTP client for the tests. reqwest is built once for the whole
/// workspace, and the device side enables its `rustls-no-provider`
/// feature, so a crypto provider must be installed before a client is
/// built (ring, the one the server uses); installing twice is harmless.
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub struct TestServer {
    pub dir: tempfile::TempDir,
    pub backend: Arc<SqliteBackend>,
    pub base: String,
    pub data: Dataset,
}

/// A tiny hospital: enough for two sites, a few dozen assets and history.
pub fn params() -> DemoParams {
    DemoParams::scaled(60, 200)
}

pub fn seed_file(path: &std::path::Path) -> Dataset {
    let backend = SqliteBackend::open(path).expect("open");
    let p = params();
    biomend_server::seed::seed_demo(&backend, &p, PASSWORD, &HashCost::fast_for_tests())
        .expect("seed");
    biomend_demo::generate(&p)
}

impl TestServer {
    pub async fn start() -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("server.db");
        let data = seed_file(&path);
        let backend = Arc::new(SqliteBackend::open(&path).expect("open"));
        let app = biomend_server::router(
            backend.clone(),
            Config {
                hash_cost: HashCost::fast_for_tests(),
            },
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(biomend_server::serve(
            listener,
            app,
            None,
            std::future::pending(),
        ));
        TestServer {
            dir,
            backend,
            base: format!("http://{addr}"),
            data,
        }
    }

    pub fn user(&self, username: &str) -> &User {
        self.data
            .users
            .iter()
            .find(|u| u.username == username)
            .expect("user")
    }

    pub fn site_of(&self, asset: &Asset) -> Uuid {
        self.data
            .departments
            .iter()
            .find(|d| d.id == asset.department_id)
            .expect("department")
            .site_id
            .0
    }

    /// In-service assets at `site`, in a stable order.
    pub fn assets_at(&self, site: Uuid) -> Vec<&Asset> {
        self.data
            .assets
            .iter()
            .filter(|a| a.status == AssetStatus::InService && self.site_of(a) == site)
            .collect()
    }

    pub async fn login(&self, username: &str) -> Client {
        self.login_at(username, 0).await
    }

    /// Signs in as a tablet whose next push starts at `next_seq` (one
    /// signed in again after earlier work); the client numbers from there.
    pub async fn login_at(&self, username: &str, next_seq: u64) -> Client {
        self.login_with(username, PASSWORD, next_seq).await
    }

    /// Signs in with a password of the test's own.
    pub async fn login_with(&self, username: &str, password: &str, next_seq: u64) -> Client {
        let http = http();
        let res = http
            .post(format!("{}/v1/login", self.base))
            .json(&serde_json::json!({
                "protocol_version": PROTOCOL_VERSION,
                "username": username,
                "password": password,
                "device_name": format!("{username} tablet"),
                "next_seq": next_seq,
            }))
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 200, "login {username}");
        let login: LoginResponse = res.json().await.expect("login body");
        Client {
            http,
            base: self.base.clone(),
            token: login.token,
            device_id: login.device_id,
            user: login.user,
            seq: AtomicU64::new(next_seq.saturating_sub(1)),
        }
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub device_id: Uuid,
    pub user: UserV1,
    seq: AtomicU64,
}

static IDS: AtomicU64 = AtomicU64::new(1);

/// A fresh id (time-ordered enough for tests, unique per process).
pub fn id() -> Uuid {
    Uuid::from_u128(
        (0x0190_0000_0000_7000_8000_0000_0000_0000u128)
            | u128::from(IDS.fetch_add(1, Ordering::SeqCst)),
    )
}

pub fn t(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
}

pub fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
}

impl Client {
    /// An envelope for `m` at this device's next seq, with its clock
    /// `skew` off real time.
    pub fn envelope_skewed(&self, m: &Mutation, skew: Duration) -> MutationEnvelope {
        let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        MutationEnvelope {
            id: id(),
            seq,
            name: m.name().to_string(),
            version: m.version(),
            hlc: Hlc {
                millis: (Utc::now() + skew).timestamp_millis() as u64,
                counter: 0,
                node: 7,
            },
            payload: m.to_payload(),
        }
    }

    pub fn envelope(&self, m: &Mutation) -> MutationEnvelope {
        self.envelope_skewed(m, Duration::zero())
    }

    pub async fn push_envelopes(&self, mutations: Vec<MutationEnvelope>) -> PushResponse {
        let (status, body) = self
            .post(
                "/v1/push",
                &serde_json::to_value(PushRequest {
                    protocol_version: PROTOCOL_VERSION,
                    schema_version: 7,
                    device_id: self.device_id,
                    mutations,
                })
                .unwrap(),
            )
            .await;
        assert_eq!(status, 200, "push: {body}");
        serde_json::from_value(body).expect("push response")
    }

    /// Pushes one mutation and returns its outcome.
    pub async fn push(&self, m: Mutation) -> Outcome {
        let env = self.envelope(&m);
        let mut r = self.push_envelopes(vec![env]).await;
        assert_eq!(r.results.len(), 1, "{r:?}");
        r.results.remove(0).outcome
    }

    pub async fn pull_page(&self, cursor: u64, limit: u32) -> PullResponse {
        let (status, body) = self
            .post(
                "/v1/pull",
                &serde_json::json!({
                    "protocol_version": PROTOCOL_VERSION,
                    "schema_version": 7,
                    "device_id": self.device_id,
                    "cursor": cursor,
                    "limit": limit,
                }),
            )
            .await;
        assert_eq!(status, 200, "pull: {body}");
        serde_json::from_value(body).expect("pull response")
    }

    /// Every change from zero, paging to the end.
    pub async fn pull_all(&self) -> Vec<Change> {
        let mut out = Vec::new();
        let mut cursor = 0;
        loop {
            let page = self.pull_page(cursor, 5_000).await;
            cursor = page.cursor;
            out.extend(page.changes);
            if !page.more {
                return out;
            }
        }
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn conflicts(&self, state: &str) -> Vec<ConflictV1> {
        let (status, body) = self
            .get(&format!("/v1/supervisor/conflicts?state={state}"))
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body).expect("conflicts")
    }
}

/// The current server copy of a row, read straight from the store.
pub fn row<T: serde::de::DeserializeOwned>(
    server: &TestServer,
    kind: Kind,
    key: &str,
) -> Option<T> {
    use biomend_server::Backend;
    server
        .backend
        .read(|txn| txn.get_row(kind, key))
        .expect("read")
        .map(|r| serde_json::from_str(&r.body).expect("body"))
}

pub fn work_order(asset: Uuid, number: &str, created_by: Uuid, kind: &str) -> WorkOrderV1 {
    WorkOrderV1 {
        id: id(),
        number: number.to_string(),
        asset_id: asset,
        kind: kind.to_string(),
        status: "open".into(),
        priority: "urgent".into(),
        problem: "alarms with no line attached".into(),
        reported_by: "RN Patel, 4 West".into(),
        opened_at: t(10, 8),
        created_by,
        assigned_to: None,
        due_on: None,
        pm_plan_id: None,
        recall_id: None,
        started_at: None,
        findings: String::new(),
        closure: None,
        completed_at: None,
        signed_off_by: None,
        signed_off_at: None,
    }
}

pub fn create(wo: &WorkOrderV1) -> Mutation {
    Mutation::CreateWorkOrder(CreateWorkOrder {
        work_order: wo.clone(),
        downtime: None,
        asset_status: None,
    })
}

pub fn set_status(
    wo: Uuid,
    from: &str,
    to: &str,
    assign: Option<(Option<Uuid>, Option<Uuid>)>,
) -> Mutation {
    Mutation::SetWorkOrderStatus(SetWorkOrderStatus {
        work_order_id: wo,
        status: FieldChange::codes(from, to),
        started_at: Some(t(10, 9)),
        assigned_to: assign.map(|(f, t)| FieldChange::new(f, t)),
    })
}

pub fn labor(wo: Uuid, tech: Uuid, minutes: u32) -> LaborV1 {
    LaborV1 {
        id: id(),
        work_order_id: wo,
        technician_id: tech,
        minutes,
        performed_on: date(10),
        note: "bench test".into(),
    }
}

pub fn complete(
    wo: Uuid,
    by: &UserV1,
    findings: &str,
    closure: &str,
    minutes: u32,
) -> CompleteWorkOrder {
    CompleteWorkOrder {
        work_order_id: wo,
        status: FieldChange::codes("in_progress", "completed"),
        findings: findings.into(),
        closure: closure.into(),
        completed_at: t(10, 11),
        assigned_to: None,
        work: RecordWork {
            work_order_id: wo,
            labor: vec![labor(wo, by.id, minutes)],
            ..Default::default()
        },
        signature: SignatureV1 {
            id: id(),
            work_order_id: wo,
            signer_id: by.id,
            signer_name: by.display_name.clone(),
            signed_at: t(10, 11),
            strokes: "M0 0 L10 10".into(),
        },
        downtime_ended: None,
        asset_status: None,
        pm_schedule: None,
    }
}

pub fn update_asset(asset: Uuid) -> UpdateAsset {
    UpdateAsset {
        asset_id: asset,
        ..Default::default()
    }
}

pub fn assert_applied(o: &Outcome) {
    assert_eq!(o, &Outcome::Applied);
}

pub fn assert_rejected(o: &Outcome, expected: &str) -> String {
    match o {
        Outcome::Rejected { code, message } => {
            assert_eq!(code, expected, "{message}");
            message.clone()
        }
        other => panic!("expected a rejection {expected}, got {other:?}"),
    }
}
