//! The Healthcare Technology Management data model and its rules.
//!
//! Owns: every core object of the product (assets, models, device types,
//! the site → building → location tree, work orders of every kind with their
//! status workflow, closure codes, labor, parts, vendor charges, downtime,
//! checklists and readings, electrical-safety limits, PM plans, parts stock,
//! vendors, contracts, recalls, training events, network profiles, usage
//! windows, users and roles) and the rules over them as plain functions:
//! status transitions, completion requirements, the EM number and risk
//! class, readings against limits, PM due dates and windows, AEM
//! eligibility, recall matching.
//!
//! Must not know: SQL, files, the network, clocks or random numbers. Callers
//! pass time and ids in, so this crate builds for `wasm32-unknown-unknown`
//! and the UI can share its types and rules. Wire formats for sync live in
//! their own crate and are converted by hand.

pub mod asset;
pub mod catalog;
pub mod checklist;
pub mod dataset;
pub mod error;
pub mod ids;
pub mod inventory;
pub mod money;
pub mod network;
pub mod org;
pub mod pm;
pub mod recall;
pub mod risk;
pub mod settings;
pub mod training;
pub mod usage;
pub mod user;
pub mod views;
pub mod work_order;

pub use error::RuleError;
pub use money::Money;

/// Implements `as_str`/`parse` for a fieldless enum with stable snake_case
/// codes. The codes are what the database and CSV files hold, so they must
/// never change once shipped.
macro_rules! code_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        $vis enum $name { $($(#[$vmeta])* #[serde(rename = $code)] $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            /// Parses the stable code (case-insensitive, `-` and space read as `_`).
            pub fn parse(s: &str) -> Option<Self> {
                let norm: String = s.trim().chars().map(|c| match c { '-' | ' ' => '_', c => c.to_ascii_lowercase() }).collect();
                match norm.as_str() { $($code => Some($name::$variant),)+ _ => None }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use code_enum;
