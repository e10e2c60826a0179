//! HTTPS end to end: the real server serving TLS with a certificate from a
//! throwaway "hospital" CA, and a tablet (the real app core over
//! `biomend-net`) that trusts that CA only because it was given it at
//! sign-in. Without the CA, or with another one, the tablet refuses the
//! server and says why.

use biomend_core::App;
use biomend_core::asset_edit::{self, AssetEdit};
use biomend_core::env::{FixedClock, IdGen};
use biomend_core::sync::{self, LoginInput};
use biomend_demo::DemoParams;
use biomend_net::{HttpTransport, LoginError};
use biomend_protocol::{LoginRequest, PROTOCOL_VERSION};
use biomend_server::auth::HashCost;
use biomend_server::{Config, SqliteBackend, TlsFiles};
use biomend_store::Store;
use biomend_sync::TransportError;
use chrono::{TimeZone, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const PASSWORD: &str = "demo";

/// A CA's certificate (PEM) and the issuer that signs with it.
fn make_ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), Issuer::new(params, key))
}

/// The hospital's CA and a server certificate it issued for this machine;
/// all three written as PEM files under `dir`.
struct Pki {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

fn make_pki(dir: &Path) -> Pki {
    let (ca_pem, issuer) = make_ca("Test Hospital Internal CA");
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "biomend.test");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &issuer).unwrap();
    let pki = Pki {
        ca: dir.join("hospital-ca.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
    };
    std::fs::write(&pki.ca, ca_pem).unwrap();
    std::fs::write(&pki.cert, cert.pem()).unwrap();
    std::fs::write(&pki.key, key.serialize_pem()).unwrap();
    pki
}

struct Server {
    dir: tempfile::TempDir,
    pki: Pki,
    url: String,
    _rt: tokio::runtime::Runtime,
}

impl Server {
    /// The demo hospital served over HTTPS on a free loopback port.
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let pki = make_pki(dir.path());
        let db = dir.path().join("server.db");
        let backend = SqliteBackend::open(&db).unwrap();
        biomend_server::seed::seed_demo(
            &backend,
            &DemoParams::scaled(20, 60),
            PASSWORD,
            &HashCost::fast_for_tests(),
        )
        .unwrap();
        let router = biomend_server::router(
            Arc::new(backend),
            Config {
                hash_cost: HashCost::fast_for_tests(),
            },
        );
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        // "localhost", not the IP: the name the certificate was issued for
        // is checked too.
        let url = format!(
            "https://localhost:{}",
            listener.local_addr().unwrap().port()
        );
        let tls = TlsFiles {
            cert: pki.cert.clone(),
            key: pki.key.clone(),
        };
        // Loaded here as well so a broken test certificate fails loudly
        // instead of as a refused connection.
        tls.load().unwrap();
        rt.spawn(async move {
            let _ =
                biomend_server::serve(listener, router, Some(tls), std::future::pending()).await;
        });
        Server {
            dir,
            pki,
            url,
            _rt: rt,
        }
    }

    fn tablet(&self) -> App {
        App::new(
            Store::open(&self.dir.path().join("tablet.db")).unwrap(),
            Arc::new(FixedClock::new(
                Utc.with_ymd_and_hms(2026, 3, 16, 7, 0, 0).unwrap(),
            )),
            IdGen::seeded(7),
        )
    }
}

fn login_input(url: &str) -> LoginInput {
    LoginInput {
        server_url: url.to_string(),
        username: "demo.tech".into(),
        password: PASSWORD.into(),
        device_name: "ward tablet".into(),
    }
}

fn login_request() -> LoginRequest {
    LoginRequest {
        protocol_version: PROTOCOL_VERSION,
        username: "demo.tech".into(),
        password: PASSWORD.into(),
        device_name: "ward tablet".into(),
        next_seq: 0,
    }
}

fn net_login(url: &str, ca: Option<&[u8]>, req: &LoginRequest) -> Result<(), TransportError> {
    biomend_net::login_with_ca(url, ca, req)
        .map(|_| ())
        .map_err(|e| match e {
            LoginError::Transport(t) => t,
            other => panic!("the client itself failed: {other}"),
        })
}

#[test]
fn a_tablet_given_the_hospital_ca_signs_in_pushes_and_pulls_over_https() {
    let server = Server::start();
    let mut app = server.tablet();
    let ca_path = server.pki.ca.to_str().unwrap();
    let ca_pem = std::fs::read(&server.pki.ca).unwrap();

    sync::login_with_ca(
        &mut app,
        &login_input(&server.url),
        Some(ca_path),
        |url, req| {
            biomend_net::login_with_ca(url, Some(&ca_pem), req).map_err(TransportError::from)
        },
    )
    .unwrap();

    // Later syncs find the CA through the stored sign-in, as the CLI does.
    let login = sync::credentials(&app).unwrap();
    assert_eq!(login.ca_cert_path.as_deref(), Some(ca_path));
    let stored_ca = std::fs::read(login.ca_cert_path.as_ref().unwrap()).unwrap();
    let mut net =
        HttpTransport::new_with_ca(&login.server_url, &login.token, Some(&stored_ca)).unwrap();

    let first = sync::sync_now(&mut app, &mut net, &mut |_| {}).unwrap();
    assert!(first.report.pull.rows > 0, "{first:?}");

    let tag: String = rusqlite::Connection::open(server.dir.path().join("tablet.db"))
        .unwrap()
        .query_row(
            "SELECT tag FROM assets WHERE status = 'in_service' ORDER BY tag LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    asset_edit::run(
        &mut app,
        &AssetEdit {
            username: "demo.tech".into(),
            tag,
            notes: Some("Checked over TLS".into()),
            ..AssetEdit::default()
        },
    )
    .unwrap();
    let second = sync::sync_now(&mut app, &mut net, &mut |_| {}).unwrap();
    assert_eq!(second.report.push.applied, 1, "{second:?}");
    assert_eq!(second.report.push.rejected, 0, "{second:?}");
    assert_eq!(second.status.pending, 0, "{second:?}");
}

#[test]
fn without_the_hospital_ca_the_server_is_refused_as_untrusted_not_offline() {
    let server = Server::start();
    match net_login(&server.url, None, &login_request()) {
        Err(TransportError::Untrusted(why)) => {
            assert!(why.contains("--ca-cert"), "{why}");
        }
        other => panic!("expected an untrusted certificate, got {other:?}"),
    }

    // Through the app core the same refusal has its own code and tells the
    // user what to do; nothing is stored.
    let mut app = server.tablet();
    let err = sync::login(&mut app, &login_input(&server.url), |url, req| {
        biomend_net::login(url, req).map_err(TransportError::from)
    })
    .unwrap_err();
    assert_eq!(err.code(), "untrusted_certificate", "{err}");
    assert!(
        err.to_string()
            .contains("the server's certificate is not trusted"),
        "{err}"
    );
    assert!(sync::credentials(&app).is_err());
}

#[test]
fn another_ca_does_not_vouch_for_the_server() {
    let server = Server::start();
    let (other_ca, _) = make_ca("Some Other Hospital CA");
    match net_login(&server.url, Some(other_ca.as_bytes()), &login_request()) {
        Err(TransportError::Untrusted(_)) => {}
        other => panic!("expected an untrusted certificate, got {other:?}"),
    }
}

#[test]
fn a_ca_file_without_a_certificate_is_refused_before_any_request() {
    for bad in [
        &b""[..],
        b"not a certificate",
        b"-----BEGIN CERTIFICATE-----\n!!\n",
    ] {
        match HttpTransport::new_with_ca("https://localhost:1", "t", Some(bad)) {
            Err(biomend_net::NetError::BadCa(why)) => assert!(!why.is_empty()),
            other => panic!(
                "{:?}: expected BadCa, got {other:?}",
                String::from_utf8_lossy(bad)
            ),
        }
    }
}
