//! Finding places and departments by what people type: a room label, a
//! department's name or the short name staff use.

use crate::Result;
use crate::codec::RowExt;
use crate::read::Reader;
use biomend_domain::ids::*;
use biomend_domain::org::{Department, Location};
use rusqlite::params;

fn location(r: &rusqlite::Row<'_>) -> Result<Location> {
    Ok(Location {
        id: LocationId(r.uuid("id")?),
        building_id: BuildingId(r.uuid("building_id")?),
        floor: r.text("floor")?,
        room: r.text("room")?,
        department_id: r.uuid_opt("department_id")?.map(DepartmentId),
    })
}

impl Reader<'_> {
    /// A location by id, with the site its building belongs to.
    pub fn location_with_site(&self, id: LocationId) -> Result<Option<(Location, SiteId)>> {
        let mut st = self.c.prepare_cached(
            "SELECT l.*, b.site_id AS site_id FROM locations l JOIN buildings b ON b.id = l.building_id
             WHERE l.id = ?1",
        )?;
        let mut rows = st.query([id.0])?;
        match rows.next()? {
            Some(r) => Ok(Some((location(r)?, SiteId(r.uuid("site_id")?)))),
            None => Ok(None),
        }
    }

    /// Locations of `site` whose room is `room`, or whose label "building
    /// floor room" is `room` (case-insensitive); several when a room name
    /// repeats across buildings.
    pub fn locations_by_room(&self, site: SiteId, room: &str) -> Result<Vec<Location>> {
        let mut st = self.c.prepare_cached(
            "SELECT l.* FROM locations l JOIN buildings b ON b.id = l.building_id
             WHERE b.site_id = ?1 AND (l.room = ?2 COLLATE NOCASE
                OR b.name || ' ' || l.floor || ' ' || l.room = ?2 COLLATE NOCASE)
             ORDER BY b.name, l.floor, l.room",
        )?;
        let mut rows = st.query(params![site.0, room.trim()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(location(r)?);
        }
        Ok(out)
    }

    /// A department of `site` by its name or short name (case-insensitive).
    pub fn department_by_label(&self, site: SiteId, label: &str) -> Result<Option<Department>> {
        let mut st = self.c.prepare_cached(
            "SELECT id FROM departments WHERE site_id = ?1
             AND (name = ?2 COLLATE NOCASE OR short_name = ?2 COLLATE NOCASE)
             ORDER BY name = ?2 COLLATE NOCASE DESC LIMIT 1",
        )?;
        let mut rows = st.query(params![site.0, label.trim()])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let id: uuid::Uuid = r.get(0)?;
        drop(rows);
        drop(st);
        Ok(self
            .departments()?
            .into_iter()
            .find(|d| d.id == DepartmentId(id)))
    }
}
