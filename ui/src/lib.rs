//! The Biomend desktop window: a Yew app the Tauri shell loads.
//!
//! Owns: the screens a technician and a supervisor use (sign-in, my day,
//! scan and search, the asset page, a new corrective work order, work-order
//! execution with readings, labor, parts, closure and signature, PM
//! attempts, and the supervisor's shift summary, conflicts, sign-off queue
//! and team), the always-visible sync strip, and the one typed wrapper
//! around the shell's `invoke` ([`ipc::invoke`]).
//!
//! Layout: [`state`] holds every reducer and view model as plain Rust with
//! no browser types, so `cargo test -p biomend-ui` runs them natively;
//! `pages`, `components` and `hooks` are the Yew layer over them.
//!
//! Must not know: SQL, HTTP, the sync engine, or any rule the core owns. The
//! window shows what the shell's views say (overdue, allowed steps, risk
//! class) and only runs the domain's pure functions for instant feedback
//! (a reading judged as it is typed), which the core judges again on save.

pub mod app;
pub mod browser;
pub mod components;
pub mod hooks;
pub mod ipc;
pub mod pages;
pub mod state;

/// Starts the app when the wasm module loads.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
