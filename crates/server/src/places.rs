//! Where a hospital's devices live, as its administrators set it up:
//! sites, buildings, departments and locations. They are stored as the
//! replicated rows devices pull (`SiteV1`, `BuildingV1`, `DepartmentV1`,
//! `LocationV1`), each under the site that sees it (a site itself, a
//! building's and a department's own site, a location's building's site),
//! exactly as [`crate::seed`] loads them, so a new place reaches tablets
//! through the ordinary pull.
//!
//! The rules: text is trimmed and bounded, a site code is unique in the
//! hospital, a building's and a department's name (and a department's
//! short name) are unique within their site, a location's floor and room
//! within its building, all compared case-insensitively; a location's
//! department is at its building's site; nothing moves to another site.
//! Refused input says what was wrong and where. Backend-agnostic: only
//! the [`Txn`] trait.

use crate::auth::AuthError;
use crate::backend::{StoreError, Txn};
use biomend_protocol::admin::{
    BuildingEdit, DEFAULT_PAGE_LIMIT, DepartmentEdit, LocationEdit, MAX_PAGE_LIMIT, NewBuilding,
    NewDepartment, NewLocation, NewSite, Page, SiteEdit,
};
use biomend_protocol::{BuildingV1, DepartmentV1, Kind, LocationV1, Record, SiteV1};
use uuid::Uuid;

/// The longest site code.
pub const MAX_CODE_CHARS: usize = 20;
/// The longest name of a site, building or department.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest department short name ("ED", "MICU").
pub const MAX_SHORT_NAME_CHARS: usize = 20;
/// The longest cost center.
pub const MAX_COST_CENTER_CHARS: usize = 40;
/// The longest floor or room.
pub const MAX_ROOM_CHARS: usize = 40;

/// Why an administrator's change was refused, or could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    /// The database failed; not the input's fault.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing or randomness failed (weak passwords are [`Self::Invalid`]).
    #[error(transparent)]
    Auth(AuthError),
    /// The input is malformed or out of bounds; the text says which field.
    #[error("{0}")]
    Invalid(String),
    /// What the request names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The name or code is already taken where it must be unique.
    #[error("{0}")]
    Duplicate(String),
    /// Well-formed, but would leave the hospital unmanageable (e.g.
    /// without an active administrator).
    #[error("{0}")]
    Refused(String),
}

impl From<AuthError> for ManageError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Store(s) => ManageError::Store(s),
            AuthError::WeakPassword(m) | AuthError::Invalid(m) => ManageError::Invalid(m),
            AuthError::NoSuchUser(name) => ManageError::NotFound(format!("no user '{name}'")),
            other => ManageError::Auth(other),
        }
    }
}

/// Which page of a listing: at most [`MAX_PAGE_LIMIT`] items from
/// `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub offset: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            limit: DEFAULT_PAGE_LIMIT,
            offset: 0,
        }
    }
}

impl PageRequest {
    /// A checked page request: `limit` 1 to [`MAX_PAGE_LIMIT`] (absent:
    /// [`DEFAULT_PAGE_LIMIT`]), `offset` from 0.
    pub fn new(limit: Option<u32>, offset: Option<u64>) -> Result<PageRequest, ManageError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_LIMIT);
        if limit == 0 || limit > MAX_PAGE_LIMIT {
            return Err(ManageError::Invalid(format!(
                "limit must be 1 to {MAX_PAGE_LIMIT}; got {limit}"
            )));
        }
        Ok(PageRequest {
            limit,
            offset: offset.unwrap_or(0),
        })
    }

    /// The page of `items` (already in their listing order) this asks for.
    pub fn page<T>(&self, items: Vec<T>) -> Page<T> {
        let total = items.len() as u64;
        let start = usize::try_from(self.offset)
            .unwrap_or(usize::MAX)
            .min(items.len());
        let items: Vec<T> = items
            .into_iter()
            .skip(start)
            .take(self.limit as usize)
            .collect();
        let end = start as u64 + items.len() as u64;
        Page {
            items,
            total,
            next_offset: (end < total).then_some(end),
        }
    }
}

/// What a listing of buildings, departments or locations keeps: those at
/// one site, or (locations) in one building.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub site_id: Option<Uuid>,
    pub building_id: Option<Uuid>,
}

// ---- text ----

/// Trims `value` and checks it is 1 to `max` characters without control
/// characters; `what` names the field in the refusal.
pub fn required_text(what: &str, value: &str, max: usize) -> Result<String, ManageError> {
    let v = optional_text(what, value, max)?;
    if v.is_empty() {
        return Err(ManageError::Invalid(format!("{what} must not be empty")));
    }
    Ok(v)
}

/// Like [`required_text`], but may be empty.
pub fn optional_text(what: &str, value: &str, max: usize) -> Result<String, ManageError> {
    let v = value.trim();
    let n = v.chars().count();
    if n > max {
        return Err(ManageError::Invalid(format!(
            "{what} is at most {max} characters; got {n}"
        )));
    }
    if v.chars().any(char::is_control) {
        return Err(ManageError::Invalid(format!(
            "{what} must not hold control characters (tabs, line breaks)"
        )));
    }
    Ok(v.to_string())
}

/// An optional field: `None` or blank is absent.
fn maybe_text(what: &str, value: Option<&str>, max: usize) -> Result<Option<String>, ManageError> {
    match value {
        None => Ok(None),
        Some(v) => Ok(Some(optional_text(what, v, max)?).filter(|v| !v.is_empty())),
    }
}

fn site_code(value: &str) -> Result<String, ManageError> {
    let code = required_text("the site code", value, MAX_CODE_CHARS)?;
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ManageError::Invalid(format!(
            "the site code '{code}' may hold only letters, digits, '-' and '_' (e.g. MAIN)"
        )));
    }
    Ok(code)
}

fn same(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

// ---- reading ----

fn all<T>(
    txn: &mut dyn Txn,
    kind: Kind,
    pick: fn(Record) -> Option<T>,
) -> Result<Vec<T>, ManageError> {
    txn.rows_of_kind(kind)?
        .into_iter()
        .map(|row| {
            Record::decode(kind, &row.body)
                .ok()
                .and_then(pick)
                .ok_or_else(|| {
                    ManageError::Store(StoreError::Corrupt {
                        what: "place row",
                        detail: format!("a {} row does not decode", kind.as_str()),
                    })
                })
        })
        .collect()
}

fn one<T>(
    txn: &mut dyn Txn,
    kind: Kind,
    id: Uuid,
    pick: fn(Record) -> Option<T>,
) -> Result<T, ManageError> {
    let row = txn
        .get_row(kind, &id.to_string())?
        .ok_or_else(|| ManageError::NotFound(format!("no {} {id}", kind.as_str())))?;
    Record::decode(kind, &row.body)
        .ok()
        .and_then(pick)
        .ok_or_else(|| {
            ManageError::Store(StoreError::Corrupt {
                what: "place row",
                detail: format!("{} {id} does not decode", kind.as_str()),
            })
        })
}

fn pick_site(r: Record) -> Option<SiteV1> {
    match r {
        Record::Site(s) => Some(s),
        _ => None,
    }
}

fn pick_building(r: Record) -> Option<BuildingV1> {
    match r {
        Record::Building(b) => Some(b),
        _ => None,
    }
}

fn pick_department(r: Record) -> Option<DepartmentV1> {
    match r {
        Record::Department(d) => Some(d),
        _ => None,
    }
}

fn pick_location(r: Record) -> Option<LocationV1> {
    match r {
        Record::Location(l) => Some(l),
        _ => None,
    }
}

/// Every site, by code.
pub fn sites(txn: &mut dyn Txn) -> Result<Vec<SiteV1>, ManageError> {
    let mut out = all(txn, Kind::Site, pick_site)?;
    out.sort_by_cached_key(|s| (s.code.to_lowercase(), s.id));
    Ok(out)
}

/// Buildings (at `filter.site_id`, if given), by name.
pub fn buildings(txn: &mut dyn Txn, filter: Filter) -> Result<Vec<BuildingV1>, ManageError> {
    let mut out = all(txn, Kind::Building, pick_building)?;
    out.retain(|b| filter.site_id.is_none_or(|s| b.site_id == s));
    out.sort_by_cached_key(|b| (b.name.to_lowercase(), b.id));
    Ok(out)
}

/// Departments (at `filter.site_id`, if given), by name.
pub fn departments(txn: &mut dyn Txn, filter: Filter) -> Result<Vec<DepartmentV1>, ManageError> {
    let mut out = all(txn, Kind::Department, pick_department)?;
    out.retain(|d| filter.site_id.is_none_or(|s| d.site_id == s));
    out.sort_by_cached_key(|d| (d.name.to_lowercase(), d.id));
    Ok(out)
}

/// Locations (at `filter.site_id` and in `filter.building_id`, if
/// given), by building, floor and room.
pub fn locations(txn: &mut dyn Txn, filter: Filter) -> Result<Vec<LocationV1>, ManageError> {
    let mut out = all(txn, Kind::Location, pick_location)?;
    if let Some(site) = filter.site_id {
        let here: Vec<Uuid> = buildings(
            txn,
            Filter {
                site_id: Some(site),
                building_id: None,
            },
        )?
        .into_iter()
        .map(|b| b.id)
        .collect();
        out.retain(|l| here.contains(&l.building_id));
    }
    out.retain(|l| filter.building_id.is_none_or(|b| l.building_id == b));
    out.sort_by_cached_key(|l| {
        (
            l.building_id,
            l.floor.to_lowercase(),
            l.room.to_lowercase(),
            l.id,
        )
    });
    Ok(out)
}

/// The site with this id.
pub fn site(txn: &mut dyn Txn, id: Uuid) -> Result<SiteV1, ManageError> {
    one(txn, Kind::Site, id, pick_site)
}

/// The building with this id.
pub fn building(txn: &mut dyn Txn, id: Uuid) -> Result<BuildingV1, ManageError> {
    one(txn, Kind::Building, id, pick_building)
}

/// The department with this id.
pub fn department(txn: &mut dyn Txn, id: Uuid) -> Result<DepartmentV1, ManageError> {
    one(txn, Kind::Department, id, pick_department)
}

/// The location with this id.
pub fn location(txn: &mut dyn Txn, id: Uuid) -> Result<LocationV1, ManageError> {
    one(txn, Kind::Location, id, pick_location)
}

/// The site with this code (case-insensitively) or id.
pub fn find_site(txn: &mut dyn Txn, code_or_id: &str) -> Result<SiteV1, ManageError> {
    let wanted = code_or_id.trim();
    if let Ok(id) = Uuid::parse_str(wanted) {
        return site(txn, id);
    }
    sites(txn)?
        .into_iter()
        .find(|s| same(&s.code, wanted))
        .ok_or_else(|| ManageError::NotFound(format!("no site with code '{wanted}'")))
}

/// The building with this id, or this name at `site`.
pub fn find_building(
    txn: &mut dyn Txn,
    site: Option<&SiteV1>,
    name_or_id: &str,
) -> Result<BuildingV1, ManageError> {
    let wanted = name_or_id.trim();
    if let Ok(id) = Uuid::parse_str(wanted) {
        return building(txn, id);
    }
    let site = site.ok_or_else(|| {
        ManageError::Invalid(format!(
            "name the site of building '{wanted}' (--site CODE), or give its id"
        ))
    })?;
    buildings(
        txn,
        Filter {
            site_id: Some(site.id),
            building_id: None,
        },
    )?
    .into_iter()
    .find(|b| same(&b.name, wanted))
    .ok_or_else(|| ManageError::NotFound(format!("no building '{wanted}' at site {}", site.code)))
}

/// The department with this id, or this name or short name at `site`.
pub fn find_department(
    txn: &mut dyn Txn,
    site: Option<&SiteV1>,
    name_or_id: &str,
) -> Result<DepartmentV1, ManageError> {
    let wanted = name_or_id.trim();
    if let Ok(id) = Uuid::parse_str(wanted) {
        return department(txn, id);
    }
    let site = site.ok_or_else(|| {
        ManageError::Invalid(format!(
            "name the site of department '{wanted}' (--site CODE), or give its id"
        ))
    })?;
    let here = departments(
        txn,
        Filter {
            site_id: Some(site.id),
            building_id: None,
        },
    )?;
    let by_name = here.iter().position(|d| same(&d.name, wanted));
    let by_short = here.iter().position(|d| {
        d.short_name
            .as_deref()
            .is_some_and(|short| same(short, wanted))
    });
    by_name
        .or(by_short)
        .map(|i| here[i].clone())
        .ok_or_else(|| {
            ManageError::NotFound(format!("no department '{wanted}' at site {}", site.code))
        })
}

/// The location with this id, or this room in `building` (on `floor`,
/// when the room repeats on several floors).
pub fn find_location(
    txn: &mut dyn Txn,
    building: Option<&BuildingV1>,
    floor: Option<&str>,
    room_or_id: &str,
) -> Result<LocationV1, ManageError> {
    let wanted = room_or_id.trim();
    if let Ok(id) = Uuid::parse_str(wanted) {
        return location(txn, id);
    }
    let b = building.ok_or_else(|| {
        ManageError::Invalid(format!(
            "name the building of room '{wanted}' (--site CODE --building NAME), or give the location's id"
        ))
    })?;
    let mut found: Vec<LocationV1> = locations(
        txn,
        Filter {
            site_id: None,
            building_id: Some(b.id),
        },
    )?
    .into_iter()
    .filter(|l| same(&l.room, wanted) && floor.is_none_or(|f| same(&l.floor, f.trim())))
    .collect();
    match found.len() {
        0 => Err(ManageError::NotFound(format!(
            "no room '{wanted}' in building '{}'",
            b.name
        ))),
        1 => Ok(found.remove(0)),
        _ => {
            let floors: Vec<&str> = found.iter().map(|l| l.floor.as_str()).collect();
            Err(ManageError::Invalid(format!(
                "room '{wanted}' is on several floors of building '{}' ({}); name the floor",
                b.name,
                floors.join(", ")
            )))
        }
    }
}

// ---- writing ----

fn put(txn: &mut dyn Txn, record: Record, site: Uuid) -> Result<(), StoreError> {
    txn.put_row(record.kind(), &record.key(), Some(site), &record.to_json())?;
    Ok(())
}

fn check_site_code_free(
    txn: &mut dyn Txn,
    code: &str,
    except: Option<Uuid>,
) -> Result<(), ManageError> {
    if let Some(other) = sites(txn)?
        .into_iter()
        .find(|s| Some(s.id) != except && same(&s.code, code))
    {
        return Err(ManageError::Duplicate(format!(
            "site code '{code}' is already used by site {} ({})",
            other.code, other.name
        )));
    }
    Ok(())
}

/// A new site, scoped to itself (devices at that site pull it).
pub fn add_site(txn: &mut dyn Txn, new: &NewSite, id: Uuid) -> Result<SiteV1, ManageError> {
    let site = SiteV1 {
        id,
        code: site_code(&new.code)?,
        name: required_text("the site name", &new.name, MAX_NAME_CHARS)?,
    };
    check_site_code_free(txn, &site.code, None)?;
    put(txn, Record::Site(site.clone()), site.id)?;
    Ok(site)
}

/// Changes a site's code or name.
pub fn edit_site(txn: &mut dyn Txn, id: Uuid, edit: &SiteEdit) -> Result<SiteV1, ManageError> {
    let mut site = site(txn, id)?;
    if let Some(code) = &edit.code {
        let code = site_code(code)?;
        check_site_code_free(txn, &code, Some(id))?;
        site.code = code;
    }
    if let Some(name) = &edit.name {
        site.name = required_text("the site name", name, MAX_NAME_CHARS)?;
    }
    put(txn, Record::Site(site.clone()), site.id)?;
    Ok(site)
}

fn check_building_name_free(
    txn: &mut dyn Txn,
    site: &SiteV1,
    name: &str,
    except: Option<Uuid>,
) -> Result<(), ManageError> {
    let here = buildings(
        txn,
        Filter {
            site_id: Some(site.id),
            building_id: None,
        },
    )?;
    if here
        .iter()
        .any(|b| Some(b.id) != except && same(&b.name, name))
    {
        return Err(ManageError::Duplicate(format!(
            "building '{name}' already exists at site {}",
            site.code
        )));
    }
    Ok(())
}

/// A new building at a site.
pub fn add_building(
    txn: &mut dyn Txn,
    new: &NewBuilding,
    id: Uuid,
) -> Result<BuildingV1, ManageError> {
    let site = site(txn, new.site_id)?;
    let name = required_text("the building name", &new.name, MAX_NAME_CHARS)?;
    check_building_name_free(txn, &site, &name, None)?;
    let b = BuildingV1 {
        id,
        site_id: site.id,
        name,
    };
    put(txn, Record::Building(b.clone()), site.id)?;
    Ok(b)
}

/// Renames a building.
pub fn edit_building(
    txn: &mut dyn Txn,
    id: Uuid,
    edit: &BuildingEdit,
) -> Result<BuildingV1, ManageError> {
    let mut b = building(txn, id)?;
    if let Some(name) = &edit.name {
        let site = site(txn, b.site_id)?;
        let name = required_text("the building name", name, MAX_NAME_CHARS)?;
        check_building_name_free(txn, &site, &name, Some(id))?;
        b.name = name;
    }
    put(txn, Record::Building(b.clone()), b.site_id)?;
    Ok(b)
}

/// Refuses a department whose name or short name another department at
/// its site already has.
fn check_department_free(txn: &mut dyn Txn, d: &DepartmentV1) -> Result<(), ManageError> {
    let site = site(txn, d.site_id)?;
    let here = departments(
        txn,
        Filter {
            site_id: Some(d.site_id),
            building_id: None,
        },
    )?;
    for other in here.iter().filter(|o| o.id != d.id) {
        if same(&other.name, &d.name) {
            return Err(ManageError::Duplicate(format!(
                "department '{}' already exists at site {}",
                d.name, site.code
            )));
        }
        if let (Some(mine), Some(theirs)) = (&d.short_name, &other.short_name)
            && same(mine, theirs)
        {
            return Err(ManageError::Duplicate(format!(
                "short name '{mine}' is already used by department '{}' at site {}",
                other.name, site.code
            )));
        }
    }
    Ok(())
}

/// A new department at a site.
pub fn add_department(
    txn: &mut dyn Txn,
    new: &NewDepartment,
    id: Uuid,
) -> Result<DepartmentV1, ManageError> {
    let d = DepartmentV1 {
        id,
        site_id: site(txn, new.site_id)?.id,
        name: required_text("the department name", &new.name, MAX_NAME_CHARS)?,
        short_name: maybe_text(
            "the short name",
            new.short_name.as_deref(),
            MAX_SHORT_NAME_CHARS,
        )?,
        cost_center: maybe_text(
            "the cost center",
            new.cost_center.as_deref(),
            MAX_COST_CENTER_CHARS,
        )?,
    };
    check_department_free(txn, &d)?;
    put(txn, Record::Department(d.clone()), d.site_id)?;
    Ok(d)
}

/// Changes a department's name, short name or cost center.
pub fn edit_department(
    txn: &mut dyn Txn,
    id: Uuid,
    edit: &DepartmentEdit,
) -> Result<DepartmentV1, ManageError> {
    let mut d = department(txn, id)?;
    if let Some(name) = &edit.name {
        d.name = required_text("the department name", name, MAX_NAME_CHARS)?;
    }
    if let Some(short) = &edit.short_name {
        d.short_name = maybe_text("the short name", short.as_deref(), MAX_SHORT_NAME_CHARS)?;
    }
    if let Some(cc) = &edit.cost_center {
        d.cost_center = maybe_text("the cost center", cc.as_deref(), MAX_COST_CENTER_CHARS)?;
    }
    check_department_free(txn, &d)?;
    put(txn, Record::Department(d.clone()), d.site_id)?;
    Ok(d)
}

/// Checks a location against its building: its department at the same
/// site, its floor and room free. Returns the building's site.
fn check_location(txn: &mut dyn Txn, l: &LocationV1) -> Result<Uuid, ManageError> {
    let b = building(txn, l.building_id)?;
    let site = site(txn, b.site_id)?;
    if let Some(dept) = l.department_id {
        let d = department(txn, dept)?;
        if d.site_id != site.id {
            let theirs = self::site(txn, d.site_id)?;
            return Err(ManageError::Invalid(format!(
                "department '{}' is at site {}, not at site {} where building '{}' is",
                d.name, theirs.code, site.code, b.name
            )));
        }
    }
    let here = locations(
        txn,
        Filter {
            site_id: None,
            building_id: Some(b.id),
        },
    )?;
    if here
        .iter()
        .any(|o| o.id != l.id && same(&o.floor, &l.floor) && same(&o.room, &l.room))
    {
        let floor = if l.floor.is_empty() {
            String::new()
        } else {
            format!("floor {} ", l.floor)
        };
        return Err(ManageError::Duplicate(format!(
            "{floor}room {} already exists in building '{}' at site {}",
            l.room, b.name, site.code
        )));
    }
    Ok(site.id)
}

/// A new location (a room) in a building.
pub fn add_location(
    txn: &mut dyn Txn,
    new: &NewLocation,
    id: Uuid,
) -> Result<LocationV1, ManageError> {
    let l = LocationV1 {
        id,
        building_id: new.building_id,
        floor: optional_text("the floor", &new.floor, MAX_ROOM_CHARS)?,
        room: required_text("the room", &new.room, MAX_ROOM_CHARS)?,
        department_id: new.department_id,
    };
    let site = check_location(txn, &l)?;
    put(txn, Record::Location(l.clone()), site)?;
    Ok(l)
}

/// Changes a location's floor, room or department.
pub fn edit_location(
    txn: &mut dyn Txn,
    id: Uuid,
    edit: &LocationEdit,
) -> Result<LocationV1, ManageError> {
    let mut l = location(txn, id)?;
    if let Some(floor) = &edit.floor {
        l.floor = optional_text("the floor", floor, MAX_ROOM_CHARS)?;
    }
    if let Some(room) = &edit.room {
        l.room = required_text("the room", room, MAX_ROOM_CHARS)?;
    }
    if let Some(dept) = edit.department_id {
        l.department_id = dept;
    }
    let site = check_location(txn, &l)?;
    put(txn, Record::Location(l.clone()), site)?;
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded_and_say_where_the_next_starts() {
        assert!(PageRequest::new(Some(0), None).is_err());
        assert!(PageRequest::new(Some(MAX_PAGE_LIMIT + 1), None).is_err());
        let p = PageRequest::new(Some(2), Some(1))
            .unwrap()
            .page(vec![1, 2, 3, 4]);
        assert_eq!((p.items, p.total, p.next_offset), (vec![2, 3], 4, Some(3)));
        let p = PageRequest::new(Some(2), Some(3))
            .unwrap()
            .page(vec![1, 2, 3, 4]);
        assert_eq!((p.items, p.next_offset), (vec![4], None));
        let p = PageRequest::new(None, Some(u64::MAX))
            .unwrap()
            .page(vec![1]);
        assert_eq!((p.items.len(), p.total, p.next_offset), (0, 1, None));
    }

    #[test]
    fn text_is_trimmed_bounded_and_single_line() {
        assert_eq!(required_text("x", "  ED ", 5).unwrap(), "ED");
        assert!(required_text("x", "   ", 5).is_err());
        assert!(required_text("x", "abcdef", 5).is_err());
        assert!(required_text("x", "a\nb", 5).is_err());
        assert!(site_code("MAIN-2").is_ok());
        assert!(site_code("MAIN 2").is_err());
    }
}
