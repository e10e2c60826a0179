//! Deterministic demo hospital generator.
//!
//! Owns: building a realistic, referentially consistent hospital from a
//! handful of parameters ([`DemoParams`]): sites, departments and rooms,
//! users, the model master, NFPA 99 safety editions, checklists and PM
//! plans, vendors, contracts and parts, several thousand assets with
//! network profiles and PM schedules, usage windows, training events and
//! recalls ([`generate`]); years of work-order history streamed oldest
//! first ([`history`]); and the patterns planted in that history for the
//! analytics to find ([`planted`]).
//!
//! Must not know: files, the store, the network, the clock or OS
//! randomness. Output is a pure function of the parameters: every random
//! draw comes from ChaCha8 seeded from `seed`, and every id is a UUIDv7
//! minted from the record's own (generated) timestamp, so ids sort by time
//! and two runs agree byte for byte. Times are UTC; the demo hospital's
//! local time is taken as UTC.
//!
//! # Planted patterns
//!
//! 1. **A failing pump maker.** General-purpose infusion pumps (`13-215`)
//!    from "Novia Infusion" have a device-failure rate per unit-year
//!    [`FAILING_PUMP_FACTOR`] times that of the same type from other
//!    makers (before age effects, which are the same for all makers).
//! 2. **CND and use errors that training fixed.** "Med-Surg 4 West" has
//!    [`PRE_TRAINING_FACTOR`] times the usual rate of could-not-duplicate
//!    and use-error calls on PCA pumps (`13-216`) until an in-service
//!    training event 14 months before `as_of`; after it the rate falls to
//!    [`POST_TRAINING_FACTOR`] times the usual.
//!    Compare equal six-month windows before and after.
//! 3. **Unsupported operating systems.** Every networked unit of the
//!    "Stratus VM-500" monitor runs Windows XP Embedded and every networked
//!    "Pellucid S7" ultrasound runs Windows 7, both with patch validation
//!    `Unsupported`; no other device does.
//! 4. **A model past end of support with rising service cost.** The
//!    "Stratus VM-500" left support three years before `as_of`; its failure
//!    rate grows by [`EOS_RATE_GROWTH`] and each repair's parts and vendor
//!    charges by [`EOS_COST_GROWTH`] per year, so its annual parts + vendor
//!    cost rises year over year.
//!
//! [`Planted`] names all four by id.
//!
//! Manufacturer and model names are invented so no pattern reads as a
//! claim about a real product.

mod ctx;
mod history;
mod inventory;
mod names;
mod params;
mod planted;
mod reference;
mod schedule;
mod util;

pub use history::{
    EOS_COST_GROWTH, EOS_RATE_GROWTH, FAILING_PUMP_FACTOR, POST_TRAINING_FACTOR,
    PRE_TRAINING_FACTOR, history,
};
pub use names::{
    EOS_MAKER, EOS_MODEL, FAILING_PUMP_MAKER, LEGACY_US_MAKER, LEGACY_US_MODEL, PUMP_TYPE_CODE,
    TRAINING_DEPARTMENT, TRAINING_TYPE_CODE,
};
pub use params::DemoParams;
pub use planted::{Planted, planted};

use biomend_domain::dataset::Dataset;

/// Builds the reference data and the inventory: everything but work
/// orders, which [`history`] streams separately.
pub fn generate(params: &DemoParams) -> Dataset {
    let mut data = reference::build(
        params,
        &mut util::Gen::new(params.seed, util::stream::REFERENCE),
    );
    inventory::build(
        params,
        &mut util::Gen::new(params.seed, util::stream::INVENTORY),
        &mut data,
    );
    data
}
