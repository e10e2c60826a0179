//! End-to-end tests of the Biomend desktop app: the real binary in a real
//! window under Xvfb, driven through tauri-driver and WebKitWebDriver,
//! against a real sync server on loopback. The tests are in `tests/`; they
//! need a display, the built app (`cargo build -p biomend-app`) and
//! `tauri-driver`, which `scripts/test` provides, and fail (never skip)
//! without them.
//!
//! Must not know: anything the app does inside; it sees only the window
//! and the server, as a user and an auditor would.
