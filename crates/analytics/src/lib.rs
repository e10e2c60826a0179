//! HTM measures over Biomend's records, as pure functions that explain
//! themselves.
//!
//! Owns: the formulas of PRODUCT.md's "Measures" (PM completion by the
//! window rule, uptime with the partial-down factor, MTBF, MTTR, COSR, CND
//! and use-error rates, repeat repairs), the per-asset aggregates they are
//! computed from ([`facts`]), KPIs per site, department, device type, model
//! and manufacturer ([`kpi`]), service scorecards ([`scorecard`]), repair
//! vs replace ([`replace`]), the capital replacement priority and plan
//! ([`capital`]), the training effect ([`training`]) and standardization
//! ([`standardize`]); which work orders stand behind each count
//! ([`drill`]); and the thresholds and weights they judge with
//! ([`Settings`]). Every result is an [`Explained`] value: the formula in
//! words, the inputs with their values, the counts and the period.
//!
//! Must not know: SQL, files, the network, the clock or the screen. Inputs
//! are domain values or small aggregate structs a store query can fill
//! (one row per asset and period), "today" is always an argument, and the
//! crate builds for `wasm32-unknown-unknown` so the dashboards run the
//! same code as reports.

pub mod capital;
pub mod drill;
pub mod error;
pub mod explain;
pub mod facts;
pub mod kpi;
pub mod measures;
pub mod profile;
pub mod replace;
pub mod scorecard;
pub mod settings;
pub mod standardize;
pub mod survey;
pub mod training;

#[cfg(test)]
mod fixture;

pub use error::AnalyticsError;
pub use explain::{Distribution, Explained, Input, Measure, Period, Value};
pub use settings::Settings;
