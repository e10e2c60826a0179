//! The operator's commands behind the `biomend-server` binary: set up a
//! new hospital, administer its places and accounts, enrol, list and
//! revoke devices, create the demo hospital, serve. The binary only parses
//! arguments and prints; everything it does is here, over the rules of
//! [`crate::places`], [`crate::accounts`] and [`crate::hospital`].

use crate::accounts::{self, AccountChange, NewAccount};
use crate::auth::{self, AuthError, HashCost, NewUser, Token};
use crate::backend::{AnyBackend, Backend, Database, DeviceRow, StoreError, Txn, UserRow};
use crate::hospital::{self, SetUp, Setup};
use crate::http::{self, Config, TlsFiles};
use crate::places::{self, Filter, ManageError};
use crate::seed::{self, SeedError, SeedSummary};
use biomend_demo::DemoParams;
use biomend_protocol::admin::{
    BuildingEdit, DepartmentEdit, LocationEdit, NewBuilding, NewDepartment, NewLocation, NewSite,
    SiteEdit,
};
use biomend_protocol::{BuildingV1, DepartmentV1, LocationV1, SiteV1};
use chrono::{NaiveDate, Utc};
use std::net::SocketAddr;
use std::sync::Arc;
use uuid::Uuid;

/// Why a command failed; the text is for the operator.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Manage(#[from] ManageError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Seed(#[from] SeedError),
    #[error(transparent)]
    Serve(#[from] http::ServeError),
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("could not start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("{0}")]
    NotFound(String),
}

/// Opens (creating or migrating if needed) the server database.
pub fn open(db: &Database) -> Result<AnyBackend, AdminError> {
    Ok(db.open()?)
}

/// `user add`: a new account; the password must be strong and the site
/// codes known.
pub fn add_user(backend: &impl Backend, new: &NewUser) -> Result<Uuid, AdminError> {
    backend.read(|txn| accounts::check_new(txn, &new.username, &new.password))?;
    let hash = auth::hash_password(&new.password, &HashCost::default())?;
    let now = Utc::now();
    let user = write(backend, |txn| {
        let account = NewAccount {
            username: new.username.clone(),
            display_name: new.display_name.clone(),
            role: new.role,
            sites: accounts::site_ids(txn, &new.site_codes)?,
            password_hash: hash,
        };
        accounts::create(txn, &account, crate::apply::new_id(now)?)
    })?;
    Ok(user.id)
}

/// Runs `f` in one write transaction.
fn write<B: Backend, T>(
    backend: &B,
    f: impl FnOnce(&mut dyn Txn) -> Result<T, ManageError>,
) -> Result<T, AdminError> {
    Ok(backend.write(f)?)
}

/// Runs `f` on a read snapshot.
fn read<B: Backend, T>(
    backend: &B,
    f: impl FnOnce(&mut dyn Txn) -> Result<T, ManageError>,
) -> Result<T, AdminError> {
    Ok(backend.read(f)?)
}

// ---- init ----

/// What `init` is told; `Debug` hides the password.
#[derive(Clone)]
pub struct InitRequest {
    pub hospital_name: String,
    pub site_code: String,
    pub site_name: String,
    pub admin_username: String,
    pub admin_display_name: String,
    pub password: String,
}

impl std::fmt::Debug for InitRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InitRequest")
            .field("hospital_name", &self.hospital_name)
            .field("site_code", &self.site_code)
            .field("site_name", &self.site_name)
            .field("admin_username", &self.admin_username)
            .field("admin_display_name", &self.admin_display_name)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Refuses (before a password is asked for) a database that holds data.
pub fn require_empty(backend: &impl Backend) -> Result<(), AdminError> {
    read(backend, hospital::require_empty)
}

/// `init`: the first site, the administrator and the hospital's name, in
/// one transaction, on an empty database only.
pub fn init(backend: &impl Backend, req: &InitRequest) -> Result<SetUp, AdminError> {
    require_empty(backend)?;
    hospital::check_name(&req.hospital_name)?;
    auth::check_password_strength(req.admin_username.trim(), &req.password)?;
    let hash = auth::hash_password(&req.password, &HashCost::default())?;
    let now = Utc::now();
    write(backend, |txn| {
        let setup = Setup {
            hospital_name: req.hospital_name.clone(),
            site: NewSite {
                code: req.site_code.clone(),
                name: req.site_name.clone(),
            },
            admin: NewAccount {
                username: req.admin_username.clone(),
                display_name: req.admin_display_name.clone(),
                role: biomend_domain::user::Role::Admin,
                sites: Vec::new(),
                password_hash: hash,
            },
        };
        hospital::init(
            txn,
            &setup,
            crate::apply::new_id(now)?,
            crate::apply::new_id(now)?,
            now,
        )
    })
}

/// The hospital's name, if `init` (or a later change) set one.
pub fn hospital_name(backend: &impl Backend) -> Result<Option<String>, AdminError> {
    read(backend, hospital::name)
}

// ---- places ----

fn site_of(txn: &mut dyn Txn, code: Option<&str>) -> Result<Option<SiteV1>, ManageError> {
    code.map(|c| places::find_site(txn, c)).transpose()
}

/// `site add`.
pub fn add_site(backend: &impl Backend, new: &NewSite) -> Result<SiteV1, AdminError> {
    let id = crate::apply::new_id(Utc::now())?;
    write(backend, |txn| places::add_site(txn, new, id))
}

/// `site list`: every site, by code.
pub fn list_sites(backend: &impl Backend) -> Result<Vec<SiteV1>, AdminError> {
    read(backend, places::sites)
}

/// `site set`: the site with this code or id.
pub fn set_site(
    backend: &impl Backend,
    code_or_id: &str,
    edit: &SiteEdit,
) -> Result<SiteV1, AdminError> {
    write(backend, |txn| {
        let site = places::find_site(txn, code_or_id)?;
        places::edit_site(txn, site.id, edit)
    })
}

/// `building add`: at the site with this code.
pub fn add_building(
    backend: &impl Backend,
    site_code: &str,
    name: &str,
) -> Result<BuildingV1, AdminError> {
    let id = crate::apply::new_id(Utc::now())?;
    write(backend, |txn| {
        let site = places::find_site(txn, site_code)?;
        let new = NewBuilding {
            site_id: site.id,
            name: name.to_string(),
        };
        places::add_building(txn, &new, id)
    })
}

/// `building list`: each building with its site's code.
pub fn list_buildings(
    backend: &impl Backend,
    site_code: Option<&str>,
) -> Result<Vec<(BuildingV1, String)>, AdminError> {
    read(backend, |txn| {
        let site = site_of(txn, site_code)?;
        let filter = Filter {
            site_id: site.map(|s| s.id),
            building_id: None,
        };
        let sites = places::sites(txn)?;
        Ok(places::buildings(txn, filter)?
            .into_iter()
            .map(|b| {
                let code = code_of(&sites, b.site_id);
                (b, code)
            })
            .collect())
    })
}

fn code_of(sites: &[SiteV1], id: Uuid) -> String {
    sites
        .iter()
        .find(|s| s.id == id)
        .map_or_else(|| id.to_string(), |s| s.code.clone())
}

/// `building set`: the building with this id, or this name at the site.
pub fn set_building(
    backend: &impl Backend,
    site_code: Option<&str>,
    name_or_id: &str,
    edit: &BuildingEdit,
) -> Result<BuildingV1, AdminError> {
    write(backend, |txn| {
        let site = site_of(txn, site_code)?;
        let b = places::find_building(txn, site.as_ref(), name_or_id)?;
        places::edit_building(txn, b.id, edit)
    })
}

/// What `department add` is told, the site by code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentByName {
    pub site_code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub cost_center: Option<String>,
}

/// `department add`: at the site with this code.
pub fn add_department(
    backend: &impl Backend,
    new: &DepartmentByName,
) -> Result<DepartmentV1, AdminError> {
    let id = crate::apply::new_id(Utc::now())?;
    write(backend, |txn| {
        let site = places::find_site(txn, &new.site_code)?;
        let new = NewDepartment {
            site_id: site.id,
            name: new.name.clone(),
            short_name: new.short_name.clone(),
            cost_center: new.cost_center.clone(),
        };
        places::add_department(txn, &new, id)
    })
}

/// `department list`: each department with its site's code.
pub fn list_departments(
    backend: &impl Backend,
    site_code: Option<&str>,
) -> Result<Vec<(DepartmentV1, String)>, AdminError> {
    read(backend, |txn| {
        let site = site_of(txn, site_code)?;
        let filter = Filter {
            site_id: site.map(|s| s.id),
            building_id: None,
        };
        let sites = places::sites(txn)?;
        Ok(places::departments(txn, filter)?
            .into_iter()
            .map(|d| {
                let code = code_of(&sites, d.site_id);
                (d, code)
            })
            .collect())
    })
}

/// `department set`: the department with this id, or this name or short
/// name at the site.
pub fn set_department(
    backend: &impl Backend,
    site_code: Option<&str>,
    name_or_id: &str,
    edit: &DepartmentEdit,
) -> Result<DepartmentV1, AdminError> {
    write(backend, |txn| {
        let site = site_of(txn, site_code)?;
        let d = places::find_department(txn, site.as_ref(), name_or_id)?;
        places::edit_department(txn, d.id, edit)
    })
}

/// A location as `location list` shows it: with its site's code, its
/// building's name and its department's name.
#[derive(Clone, Debug, PartialEq)]
pub struct LocationListing {
    pub location: LocationV1,
    pub site_code: String,
    pub building: String,
    pub department: Option<String>,
}

/// Where `location add` puts a room, by names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocationByName {
    pub site_code: String,
    pub building: String,
    pub floor: String,
    pub room: String,
    /// A department at the site, by name or short name.
    pub department: Option<String>,
}

/// `location add`: a room in a building, named by site code and names.
pub fn add_location(backend: &impl Backend, at: &LocationByName) -> Result<LocationV1, AdminError> {
    let id = crate::apply::new_id(Utc::now())?;
    write(backend, |txn| {
        let site = places::find_site(txn, &at.site_code)?;
        let b = places::find_building(txn, Some(&site), &at.building)?;
        let department_id = match &at.department {
            Some(d) => Some(places::find_department(txn, Some(&site), d)?.id),
            None => None,
        };
        let new = NewLocation {
            building_id: b.id,
            floor: at.floor.clone(),
            room: at.room.clone(),
            department_id,
        };
        places::add_location(txn, &new, id)
    })
}

/// `location list`: locations (at a site, in a building of it), with the
/// names they point at.
pub fn list_locations(
    backend: &impl Backend,
    site_code: Option<&str>,
    building: Option<&str>,
) -> Result<Vec<LocationListing>, AdminError> {
    read(backend, |txn| {
        let site = site_of(txn, site_code)?;
        let building_id = match building {
            Some(b) => Some(places::find_building(txn, site.as_ref(), b)?.id),
            None => None,
        };
        let filter = Filter {
            site_id: site.map(|s| s.id),
            building_id,
        };
        let sites = places::sites(txn)?;
        let buildings = places::buildings(txn, Filter::default())?;
        let departments = places::departments(txn, Filter::default())?;
        Ok(places::locations(txn, filter)?
            .into_iter()
            .map(|l| {
                let b = buildings.iter().find(|b| b.id == l.building_id);
                LocationListing {
                    site_code: b.map_or_else(String::new, |b| code_of(&sites, b.site_id)),
                    building: b.map_or_else(|| l.building_id.to_string(), |b| b.name.clone()),
                    department: l.department_id.map(|id| {
                        departments
                            .iter()
                            .find(|d| d.id == id)
                            .map_or_else(|| id.to_string(), |d| d.name.clone())
                    }),
                    location: l,
                }
            })
            .collect())
    })
}

/// Which location `location set` changes: its id, or a room in a
/// building (and on a floor, when the room number repeats).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocationSelector {
    pub site_code: Option<String>,
    pub building: Option<String>,
    pub floor: Option<String>,
    pub room_or_id: String,
}

/// What `location set` changes, a department by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocationChange {
    pub floor: Option<String>,
    pub room: Option<String>,
    /// `Some(None)` clears it; `Some(Some(name))` sets a department at the
    /// location's site by name or short name.
    pub department: Option<Option<String>>,
}

/// `location set`.
pub fn set_location(
    backend: &impl Backend,
    which: &LocationSelector,
    change: &LocationChange,
) -> Result<LocationV1, AdminError> {
    write(backend, |txn| {
        let site = site_of(txn, which.site_code.as_deref())?;
        let building = match &which.building {
            Some(b) => Some(places::find_building(txn, site.as_ref(), b)?),
            None => None,
        };
        let l = places::find_location(
            txn,
            building.as_ref(),
            which.floor.as_deref(),
            &which.room_or_id,
        )?;
        let department_id = match &change.department {
            None => None,
            Some(None) => Some(None),
            Some(Some(name)) => {
                let b = places::building(txn, l.building_id)?;
                let site = places::site(txn, b.site_id)?;
                Some(Some(places::find_department(txn, Some(&site), name)?.id))
            }
        };
        let edit = LocationEdit {
            floor: change.floor.clone(),
            room: change.room.clone(),
            department_id,
        };
        places::edit_location(txn, l.id, &edit)
    })
}

// ---- users ----

/// `user list`: every account with its sites' codes.
pub fn list_users(backend: &impl Backend) -> Result<Vec<(UserRow, Vec<String>)>, AdminError> {
    read(backend, |txn| {
        let users = accounts::users(txn)?;
        users
            .into_iter()
            .map(|u| {
                let codes = accounts::site_codes(txn, &u)?;
                Ok((u, codes))
            })
            .collect()
    })
}

/// What `user set` changes; sites by code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserChange {
    pub role: Option<biomend_domain::user::Role>,
    pub site_codes: Option<Vec<String>>,
    pub display_name: Option<String>,
}

/// `user set`: role, sites or display name of the user with this name.
pub fn set_user(
    backend: &impl Backend,
    username: &str,
    change: &UserChange,
) -> Result<UserRow, AdminError> {
    write(backend, |txn| {
        let u = accounts::find_user(txn, username)?;
        let sites = match &change.site_codes {
            Some(codes) => Some(accounts::site_ids(txn, codes)?),
            None => None,
        };
        let change = AccountChange {
            role: change.role,
            sites,
            display_name: change.display_name.clone(),
        };
        accounts::edit(txn, u.id, &change)
    })
}

/// `user deactivate`: the account stops signing in and every device of
/// it is revoked, together; returns how many devices were revoked.
pub fn deactivate_user(backend: &impl Backend, username: &str) -> Result<u64, AdminError> {
    let now = Utc::now();
    write(backend, |txn| {
        let u = accounts::find_user(txn, username)?;
        Ok(accounts::deactivate(txn, u.id, now)?.1)
    })
}

/// `user reset-password`: a new (strong) password for the user.
pub fn reset_password(
    backend: &impl Backend,
    username: &str,
    password: &str,
) -> Result<(), AdminError> {
    let user = read(backend, |txn| accounts::find_user(txn, username))?;
    auth::check_password_strength(&user.username, password)?;
    let hash = auth::hash_password(password, &HashCost::default())?;
    write(backend, |txn| {
        accounts::set_password_hash(txn, user.id, hash)
    })?;
    Ok(())
}

/// Whether `user` exists, before a password is asked for.
pub fn require_user(backend: &impl Backend, username: &str) -> Result<(), AdminError> {
    read(backend, |txn| {
        accounts::find_user(txn, username).map(|_| ())
    })
}

/// `device enroll`: a device for a user, with its token (shown once).
pub fn enroll_device(
    backend: &impl Backend,
    username: &str,
    name: &str,
) -> Result<(DeviceRow, Token), AdminError> {
    backend.write(|txn| -> Result<_, AdminError> {
        let user = txn
            .user_by_username(username)?
            .ok_or_else(|| AdminError::NotFound(format!("no user '{username}'")))?;
        Ok(auth::enroll_device(txn, &user, name, 0, Utc::now())?)
    })
}

/// `device list`: every device with its user's name.
pub fn list_devices(backend: &impl Backend) -> Result<Vec<(DeviceRow, String)>, AdminError> {
    backend.read(|txn| -> Result<_, AdminError> {
        let mut out = Vec::new();
        for d in txn.devices()? {
            let name = txn.user(d.user_id)?.map(|u| u.username).unwrap_or_default();
            out.push((d, name));
        }
        Ok(out)
    })
}

/// `device revoke`: the device's token stops working at once.
pub fn revoke_device(backend: &impl Backend, id: Uuid) -> Result<(), AdminError> {
    let found = backend.write(|txn| txn.revoke_device(id, Utc::now()))?;
    if found {
        Ok(())
    } else {
        Err(AdminError::NotFound(format!("no device {id}")))
    }
}

/// `demo`: loads the small demo hospital (as of `as_of`, if given) into a
/// new database; `None` when the database already held data.
pub fn create_demo(
    backend: &impl Backend,
    as_of: Option<NaiveDate>,
) -> Result<Option<SeedSummary>, AdminError> {
    if backend.read(|txn| txn.last_version())? != 0 {
        return Ok(None);
    }
    let mut params = DemoParams::small();
    if let Some(d) = as_of {
        params.as_of = d;
    }
    Ok(Some(seed::seed_demo(
        backend,
        &params,
        seed::DEMO_PASSWORD,
        &HashCost::default(),
    )?))
}

/// Binds `listen` (port 0 picks a free port), calls `on_listening` with
/// the bound address, and serves `backend` until SIGTERM or ctrl-c.
pub fn serve<B: Backend>(
    backend: B,
    listen: SocketAddr,
    tls: Option<TlsFiles>,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), AdminError> {
    // Checked first so a bad certificate or key stops the server, naming
    // the file, before it says it listens (`serve` loads them again).
    if let Some(files) = &tls {
        files.load().map_err(http::ServeError::from)?;
    }
    let backend = Arc::new(backend);
    let listener = std::net::TcpListener::bind(listen).map_err(|source| AdminError::Listen {
        addr: listen,
        source,
    })?;
    let addr = listener.local_addr().map_err(|source| AdminError::Listen {
        addr: listen,
        source,
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(AdminError::Runtime)?;
    on_listening(addr);
    let app = http::router(backend.clone(), Config::default());
    let served = runtime.block_on(http::serve(listener, app, tls, http::shutdown_signal()));
    // The runtime goes first, so the backend's last reference drops here,
    // off the runtime: the PostgreSQL client blocks on its own runtime
    // when it closes, which panics on a runtime's thread.
    drop(runtime);
    drop(backend);
    served?;
    Ok(())
}
