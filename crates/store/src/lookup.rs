//! Look-ups of stock and reference records by their human keys.

use crate::Result;
use crate::read::Reader;
use biomend_domain::Money;
use biomend_domain::ids::PartId;
use biomend_domain::inventory::Part;
use rusqlite::OptionalExtension;

impl Reader<'_> {
    /// A stocked part by its part number.
    pub fn part_by_number(&self, number: &str) -> Result<Option<Part>> {
        Ok(self
            .c
            .prepare_cached("SELECT id, part_number, description, manufacturer, unit_cost_cents FROM parts WHERE part_number = ?1")?
            .query_row([number], |r| {
                Ok(Part {
                    id: PartId(r.get(0)?),
                    part_number: r.get(1)?,
                    description: r.get(2)?,
                    manufacturer: r.get(3)?,
                    unit_cost: Money(r.get(4)?),
                })
            })
            .optional()?)
    }

    /// The highest work-order number starting with `prefix` (numbers are
    /// zero-padded, so text order is numeric order); a range scan of the
    /// unique index.
    pub fn last_work_order_number(&self, prefix: &str) -> Result<Option<String>> {
        Ok(self
            .c
            .prepare_cached(
                "SELECT number FROM work_orders WHERE number >= ?1 AND number < ?1 || '~'
                 ORDER BY number DESC LIMIT 1",
            )?
            .query_row([prefix], |r| r.get(0))
            .optional()?)
    }

    /// Every asset tag, for callers that check many tags at once (an
    /// import): one scan is cheaper than a look-up per tag once the file is
    /// a sizable share of the inventory.
    pub fn all_tags(&self) -> Result<Vec<String>> {
        let mut st = self.c.prepare_cached("SELECT tag FROM assets")?;
        let tags = st
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(tags)
    }
}
