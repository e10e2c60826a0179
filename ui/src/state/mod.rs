//! Reducers and view models: plain data in, plain data out, no browser
//! types, so they are unit-tested natively.

pub mod asset;
pub mod conflicts;
pub mod dashboards;
pub mod format;
pub mod load;
pub mod my_day;
pub mod nav;
pub mod new_wo;
pub mod replace;
pub mod session;
pub mod settings;
pub mod signature;
pub mod sync_strip;
pub mod wo_form;
