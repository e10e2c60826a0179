//! Find a device by its tag, exactly as a scanner types it.

use crate::{App, CoreError, Result};
use biomend_domain::asset::normalize_tag;
use biomend_store::AssetSummary;

pub fn run(app: &App, scanned: &str) -> Result<AssetSummary> {
    let tag = normalize_tag(scanned)?;
    app.store()
        .reader()
        .asset_by_tag(&tag)?
        .ok_or(CoreError::NotFound {
            what: "asset tag",
            key: tag,
        })
}
