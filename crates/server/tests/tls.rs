//! The real `biomend-server` binary with `--tls-cert/--tls-key`: it serves
//! HTTPS with a good pair, and refuses to start, naming the file, with a
//! missing, malformed or mismatched one (before it says it listens).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_biomend-server");

/// A self-signed certificate for localhost and its key, as PEM files.
fn write_pair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let cert = params.self_signed(&key).unwrap();
    let cert_path = dir.join(format!("{name}.pem"));
    let key_path = dir.join(format!("{name}.key"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    (cert_path, key_path)
}

fn serve_args<'a>(db: &'a Path, cert: &'a Path, key: &'a Path) -> Vec<&'a str> {
    vec![
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]
}

/// Runs `serve` expecting it to refuse to start; returns its stdout and
/// stderr.
fn refused(db: &Path, cert: &Path, key: &Path) -> (String, String) {
    let out = Command::new(BIN)
        .args(serve_args(db, cert, key))
        .output()
        .expect("run serve");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "served anyway: {stdout} {stderr}");
    assert!(
        !stdout.contains("listening on"),
        "announced before failing: {stdout}"
    );
    (stdout, stderr)
}

#[test]
fn a_good_certificate_and_key_serve_https() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = write_pair(dir.path(), "server");
    let db = dir.path().join("server.db");
    let mut child = Command::new(BIN)
        .args(serve_args(&db, &cert, &key))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("listening line");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        line.trim().starts_with("listening on https://127.0.0.1:"),
        "{line}"
    );
}

#[test]
fn a_missing_certificate_or_key_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = write_pair(dir.path(), "server");
    let db = dir.path().join("server.db");
    let missing = dir.path().join("no-such-cert.pem");
    let (_, err) = refused(&db, &missing, &key);
    assert!(
        err.contains("cannot read the TLS certificate file") && err.contains("no-such-cert.pem"),
        "{err}"
    );
    let missing = dir.path().join("no-such-key.pem");
    let (_, err) = refused(&db, &cert, &missing);
    assert!(
        err.contains("cannot read the TLS key file") && err.contains("no-such-key.pem"),
        "{err}"
    );
}

#[test]
fn a_malformed_certificate_or_key_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = write_pair(dir.path(), "server");
    let db = dir.path().join("server.db");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "this is not PEM\n").unwrap();

    let (_, err) = refused(&db, &garbage, &key);
    assert!(
        err.contains("holds no PEM certificate") && err.contains("garbage.pem"),
        "{err}"
    );
    let (_, err) = refused(&db, &cert, &garbage);
    assert!(
        err.contains("holds no PEM private key") && err.contains("garbage.pem"),
        "{err}"
    );
    // A certificate where the key should be is a common slip.
    let (_, err) = refused(&db, &cert, &cert);
    assert!(
        err.contains("holds no PEM private key") && err.contains("server.pem"),
        "{err}"
    );
}

#[test]
fn a_key_that_does_not_belong_to_the_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _) = write_pair(dir.path(), "one");
    let (_, other_key) = write_pair(dir.path(), "two");
    let db = dir.path().join("server.db");
    let (_, err) = refused(&db, &cert, &other_key);
    assert!(
        err.contains("cannot be used together") && err.contains("one.pem"),
        "{err}"
    );
}
