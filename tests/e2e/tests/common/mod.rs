//! What the window tests and the launch benchmark share: a real server on
//! loopback, tauri-driver, the app opened in a WebDriver session, and
//! waiting for the window as a person would.

// Each test or bench binary uses its own part of this module.
#![allow(dead_code)]

use biomend_demo::DemoParams;
use biomend_server::SqliteBackend;
use biomend_server::auth::HashCost;
use biomend_server::local::LocalServer;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "demo";
pub const WAIT: Duration = Duration::from_secs(60);

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn app_binary() -> PathBuf {
    if let Ok(p) = std::env::var("BIOMEND_APP_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace().join("target"));
    let bin = target.join("debug/biomend-app");
    assert!(
        bin.exists(),
        "{} is missing: build the app first (cargo build -p biomend-app) or set BIOMEND_APP_BIN",
        bin.display()
    );
    bin
}

pub fn shots_dir() -> PathBuf {
    let d = std::env::var("BIOMEND_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace().join("target/screenshots"));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn wait_for_port(port: u16) {
    let until = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "nothing listens on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub struct Server {
    db: PathBuf,
    addr: String,
    running: Option<LocalServer>,
}

impl Server {
    pub fn start(dir: &Path, params: &DemoParams) -> Server {
        let db = dir.join("server.db");
        let backend = SqliteBackend::open(&db).unwrap();
        biomend_server::seed::seed_demo(&backend, params, PASSWORD, &HashCost::fast_for_tests())
            .unwrap();
        drop(backend);
        let mut s = Server {
            db,
            addr: "127.0.0.1:0".into(),
            running: None,
        };
        s.up();
        s
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn up(&mut self) {
        let s = LocalServer::start_at(
            &self.db,
            biomend_server::Config {
                hash_cost: HashCost::fast_for_tests(),
            },
            &self.addr,
        )
        .unwrap();
        self.addr = s.url.trim_start_matches("http://").to_string();
        self.running = Some(s);
    }

    /// Stops serving. Its runtime may not be dropped on an async worker,
    /// where the tests run, so it goes off the runtime.
    pub fn down(&mut self) {
        if let Some(s) = self.running.take() {
            off_runtime(move || drop(s));
        }
    }

    pub fn backend(&self) -> &SqliteBackend {
        &self.running.as_ref().expect("server is up").backend
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.down();
    }
}

/// Runs blocking work (a server's own runtime starting or stopping, a
/// blocking HTTP client) from inside the test's async runtime, where tokio
/// forbids it on a worker thread.
pub fn off_runtime<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// tauri-driver, stopped with SIGTERM so WebKitWebDriver goes with it.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    pub fn start() -> Driver {
        Driver::start_with_env(&[])
    }

    /// With variables for the apps it launches (they inherit its
    /// environment), e.g. the password `--user` signs in with.
    pub fn start_with_env(env: &[(&str, &str)]) -> Driver {
        let port = free_port();
        let native = free_port();
        let child = Command::new("tauri-driver")
            .envs(env.iter().copied())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .spawn()
            .expect("tauri-driver must be installed (scripts/setup-desktop --e2e)");
        wait_for_port(port);
        Driver { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

pub async fn open_app(driver: &Driver, args: &[String]) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({
            "application": app_binary(),
            "args": args,
        }),
    );
    caps.insert("browserName".into(), serde_json::json!("wry"));
    let c = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session on the app");
    c.set_window_size(1280, 800).await.unwrap();
    c
}

/// The app on the tablet database `db`, offering `server_url` at sign-in.
pub async fn open_tablet(driver: &Driver, db: &Path, server_url: &str) -> Client {
    let args = [
        "--db".to_string(),
        db.display().to_string(),
        "--server".to_string(),
        server_url.to_string(),
    ];
    open_app(driver, &args).await
}

pub async fn el(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
}

/// Clicks `css` as a person would: found afresh each try (the window may
/// have re-rendered it), brought to the middle of the screen when the
/// driver could not reach it (under the sticky header, say), and given a
/// few seconds before the test fails with the driver's last error.
pub async fn click(c: &Client, css: &str) {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let e = el(c, css).await;
        let err = match e.click().await {
            Ok(()) => return,
            Err(err) => err,
        };
        assert!(Instant::now() < until, "click {css}: {err:?}");
        let e = el(c, css).await;
        let _ = c
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![serde_json::to_value(e).expect("an element reference")],
            )
            .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn type_into(c: &Client, css: &str, text: &str) {
    let e = el(c, css).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

pub async fn attr(c: &Client, css: &str, name: &str) -> String {
    el(c, css)
        .await
        .attr(name)
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Waits until `css`'s attribute (or text, for `None`) satisfies `ok`.
pub async fn wait_until(
    c: &Client,
    css: &str,
    name: Option<&str>,
    ok: impl Fn(&str) -> bool,
) -> String {
    let until = Instant::now() + WAIT;
    loop {
        let value = match c.find(Locator::Css(css)).await {
            Ok(e) => match name {
                Some(n) => e.attr(n).await.ok().flatten().unwrap_or_default(),
                None => e.text().await.unwrap_or_default(),
            },
            Err(_) => String::new(),
        };
        if ok(&value) {
            return value;
        }
        assert!(Instant::now() < until, "{css} {name:?} stayed '{value}'");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A screenshot of the window in both orientations, after the next paint.
pub async fn shoot(c: &Client, name: &str) {
    for (w, h, o) in [(1280, 800, "landscape"), (800, 1280, "portrait")] {
        c.set_window_size(w, h).await.unwrap();
        tokio::time::sleep(Duration::from_millis(600)).await;
        let png = c.screenshot().await.unwrap();
        std::fs::write(shots_dir().join(format!("{name}-{o}.png")), png).unwrap();
    }
    c.set_window_size(1280, 800).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
}

pub async fn sign_in(c: &Client, url: &str, user: &str) {
    type_into(c, "#server-url", url).await;
    type_into(c, "#username", user).await;
    type_into(c, "#password", PASSWORD).await;
    click(c, "#sign-in").await;
}

/// Waits for at least one element matching `css` and returns them all.
pub async fn wait_for_all(c: &Client, css: &str) -> Vec<fantoccini::elements::Element> {
    el(c, css).await;
    c.find_all(Locator::Css(css)).await.unwrap()
}
