//! The HTTP client against a one-shot local server that answers with
//! canned replies: the bearer header, how each kind of answer maps to a
//! transport error, and that the token never shows.

use biomend_net::{HttpTransport, login};
use biomend_protocol::*;
use biomend_sync::{SupervisorApi, Transport, TransportError};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;

const TOKEN: &str = "tok_ThisIsVerySecret_123";

/// Serves one request with `status` and `body`; returns the base URL and
/// a channel that yields the request as received (head and body).
fn serve_once(status: &str, body: &str) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    let reply = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut head = String::new();
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).unwrap();
        s.write_all(reply.as_bytes()).unwrap();
        tx.send(head + &String::from_utf8(body).unwrap()).unwrap();
    });
    (url, rx)
}

fn pull_req() -> PullRequest {
    PullRequest {
        protocol_version: PROTOCOL_VERSION,
        schema_version: 7,
        device_id: uuid::Uuid::from_u128(9),
        cursor: 41,
        limit: 100,
        from_zero: false,
    }
}

fn transport(url: &str) -> HttpTransport {
    HttpTransport::new(url, TOKEN).unwrap()
}

#[test]
fn a_pull_carries_the_bearer_token_and_reads_the_page() {
    let (url, seen) = serve_once("200 OK", r#"{"changes":[],"cursor":41,"more":false}"#);
    let page = transport(&url).pull(&pull_req()).unwrap();
    assert_eq!((page.cursor, page.more, page.changes.len()), (41, false, 0));
    let req = seen.recv().unwrap();
    assert!(req.starts_with("POST /v1/pull HTTP/1.1"), "{req}");
    assert!(req.to_ascii_lowercase().contains(&format!(
        "authorization: bearer {}",
        TOKEN.to_ascii_lowercase()
    )));
    assert!(req.contains(r#""cursor":41"#));
}

#[test]
fn answers_map_to_the_errors_the_engine_understands() {
    let cases = [
        (
            "410 Gone",
            r#"{"code":"resync_required","message":"pull from zero"}"#,
            TransportError::ResyncRequired,
        ),
        (
            "426 Upgrade Required",
            r#"{"code":"client_too_old","message":"please update the app"}"#,
            TransportError::Rejected(ErrorBody {
                code: CLIENT_TOO_OLD.into(),
                message: "please update the app".into(),
            }),
        ),
        (
            "401 Unauthorized",
            r#"{"code":"unauthenticated","message":"unknown token"}"#,
            TransportError::Rejected(ErrorBody {
                code: "unauthenticated".into(),
                message: "unknown token".into(),
            }),
        ),
        (
            "503 Service Unavailable",
            "overloaded",
            TransportError::Server("HTTP 503 Service Unavailable".into()),
        ),
    ];
    for (status, body, want) in cases {
        let (url, _seen) = serve_once(status, body);
        let got = transport(&url).pull(&pull_req()).unwrap_err();
        assert_eq!(got, want, "{status}");
        assert!(!got.to_string().contains(TOKEN));
    }
    // A reply that is not what it should be is a server fault.
    let (url, _seen) = serve_once("200 OK", r#"{"changes":[],"cursor":1}"#);
    assert!(matches!(
        transport(&url).pull(&pull_req()).unwrap_err(),
        TransportError::Server(_)
    ));
}

#[test]
fn a_server_that_refuses_connections_is_offline() {
    // Bind and drop: the port is (almost certainly) closed now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = transport(&format!("http://127.0.0.1:{port}"))
        .pull(&pull_req())
        .unwrap_err();
    assert_eq!(err, TransportError::Offline);
}

#[test]
fn the_token_never_shows_in_debug_output() {
    let t = transport("https://biomend.example.org/");
    let shown = format!("{t:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert_eq!(t.server_url(), "https://biomend.example.org");
    assert!(HttpTransport::new("not a url", TOKEN).is_err());
    assert!(HttpTransport::new("ftp://x.org", TOKEN).is_err());
}

#[test]
fn login_and_supervisor_calls_use_their_paths() {
    let user = r#"{"id":"00000000-0000-0000-0000-000000000001","username":"ana","display_name":"Ana","role":"technician","sites":[],"active":true}"#;
    let (url, seen) = serve_once(
        "200 OK",
        &format!(
            r#"{{"device_id":"00000000-0000-0000-0000-000000000002","token":"{TOKEN}","user":{user}}}"#
        ),
    );
    let resp = login(
        &url,
        &LoginRequest {
            protocol_version: PROTOCOL_VERSION,
            username: "ana".into(),
            password: "pw".into(),
            device_name: "ICU tablet".into(),
            next_seq: 0,
        },
    )
    .unwrap();
    assert_eq!(resp.token, TOKEN);
    let req = seen.recv().unwrap();
    assert!(req.starts_with("POST /v1/login "));
    assert!(!req.to_ascii_lowercase().contains("authorization"));

    let (url, seen) = serve_once("200 OK", "[]");
    assert!(transport(&url).conflicts(true).unwrap().is_empty());
    assert!(
        seen.recv()
            .unwrap()
            .starts_with("GET /v1/supervisor/conflicts?state=all ")
    );

    let (url, seen) = serve_once("200 OK", "[]");
    let since = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap();
    transport(&url).incoming(Some(since)).unwrap();
    assert!(
        seen.recv()
            .unwrap()
            .starts_with("GET /v1/supervisor/incoming?since=2025-06-15T15%3A06%3A40Z ")
    );

    let (url, seen) = serve_once("200 OK", "[]");
    transport(&url).sign_off_queue().unwrap();
    assert!(
        seen.recv()
            .unwrap()
            .starts_with("GET /v1/supervisor/sign-off-queue ")
    );
}

#[test]
fn plain_http_counts_as_cleartext_only_off_this_machine() {
    use biomend_net::is_cleartext_remote;
    for remote in [
        "http://biomend.example.org",
        "http://10.0.0.5:8787",
        "http://[fd00::1]:8787",
    ] {
        assert!(is_cleartext_remote(remote), "{remote}");
    }
    for quiet in [
        "https://biomend.example.org",
        "http://127.0.0.1:8787",
        "http://localhost:8787",
        "http://[::1]:8787",
        "not a url",
    ] {
        assert!(!is_cleartext_remote(quiet), "{quiet}");
    }
}
