//! Search devices by any words a technician remembers: tag, serial,
//! manufacturer, model, device type, department, location.

use crate::{App, CoreError, Result};
use biomend_store::AssetSummary;
use serde::{Deserialize, Serialize};

/// Longest query accepted; anything longer is not a search a person typed.
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_RESULTS: u32 = 500;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SearchInput {
    pub text: String,
    pub limit: u32,
}

pub fn run(app: &App, input: &SearchInput) -> Result<Vec<AssetSummary>> {
    if input.text.chars().count() > MAX_QUERY_CHARS {
        return Err(CoreError::invalid(
            "search",
            format!("longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = input.limit.clamp(1, MAX_RESULTS);
    Ok(app.store().reader().search_assets(&input.text, limit)?)
}
