//! The administrator's endpoints (`/v1/admin/*`: places and accounts) and
//! a signed-in user's own password change (`POST /v1/me/password`). The
//! rules are [`crate::places`]' and [`crate::accounts`]'; here they meet
//! HTTP: admin role only (others `403`), bounded pages, `{code, message}`
//! refusals (`400` bad input, `404` unknown id, `409` a taken name or the
//! last administrator).

use super::{ApiError, AppState, Authed, JsonBody, blocking};
use crate::accounts::{self, AccountChange, NewAccount as Account};
use crate::auth::{self, user_v1};
use crate::backend::{Backend, Txn};
use crate::places::{self, Filter, ManageError, PageRequest};
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::{StatusCode, request::Parts};
use axum::response::{IntoResponse, Response};
use biomend_domain::user::Role;
use biomend_protocol::admin::{
    AccountEdit, BuildingEdit, Deactivated, DepartmentEdit, LocationEdit, NewAccount, NewBuilding,
    NewDepartment, NewLocation, NewSite, Page, PasswordChange, PasswordReset, SiteEdit,
};
use biomend_protocol::{BuildingV1, DepartmentV1, LocationV1, SiteV1, UserV1};
use chrono::Utc;
use uuid::Uuid;

/// The longest password a request may carry (argon2 takes any length;
/// this bounds the work a request can ask for).
const MAX_PASSWORD_BYTES: usize = 1024;

impl From<ManageError> for ApiError {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::Store(s) => ApiError::from(s),
            ManageError::Auth(a) => {
                eprintln!("biomend-server: {a}");
                ApiError::internal()
            }
            ManageError::Invalid(m) => ApiError::bad_request(m),
            ManageError::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, "not_found", m),
            ManageError::Duplicate(m) | ManageError::Refused(m) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", m)
            }
        }
    }
}

/// A signed-in administrator; anyone else is answered `403` before the
/// body is read.
#[derive(Debug)]
pub struct Admin(pub Authed);

impl<B: Backend> FromRequestParts<AppState<B>> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<B>) -> Result<Self, ApiError> {
        let authed = Authed::from_request_parts(parts, state).await?;
        if authed.user.role != Role::Admin {
            return Err(ApiError::forbidden(format!(
                "administration endpoints need an admin; you are a {}",
                authed.user.role
            )));
        }
        Ok(Admin(authed))
    }
}

async fn read<B: Backend, T: Send + 'static>(
    st: &AppState<B>,
    f: impl FnOnce(&mut dyn Txn) -> Result<T, ManageError> + Send + 'static,
) -> Result<T, ApiError> {
    let backend = st.backend.clone();
    blocking(move || backend.read(f).map_err(ApiError::from)).await
}

async fn write<B: Backend, T: Send + 'static>(
    st: &AppState<B>,
    f: impl FnOnce(&mut dyn Txn) -> Result<T, ManageError> + Send + 'static,
) -> Result<T, ApiError> {
    let backend = st.backend.clone();
    blocking(move || backend.write(f).map_err(ApiError::from)).await
}

fn id_of(path: Result<Path<Uuid>, PathRejection>) -> Result<Uuid, ApiError> {
    path.map(|Path(id)| id)
        .map_err(|_| ApiError::bad_request("the id in the path must be a UUID"))
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(q)| q)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

fn new_id() -> Result<Uuid, ApiError> {
    Ok(crate::apply::new_id(Utc::now())?)
}

fn created<T: serde::Serialize>(value: T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

/// `?limit=&offset=`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PageQuery {
    limit: Option<u32>,
    offset: Option<u64>,
}

/// `?limit=&offset=&site_id=`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SiteQuery {
    limit: Option<u32>,
    offset: Option<u64>,
    site_id: Option<Uuid>,
}

/// `?limit=&offset=&site_id=&building_id=`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LocationQuery {
    limit: Option<u32>,
    offset: Option<u64>,
    site_id: Option<Uuid>,
    building_id: Option<Uuid>,
}

// ---- sites ----

pub(super) async fn list_sites<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Page<SiteV1>>, ApiError> {
    let q = query(q)?;
    let page = PageRequest::new(q.limit, q.offset)?;
    Ok(Json(
        read(&st, move |txn| Ok(page.page(places::sites(txn)?))).await?,
    ))
}

pub(super) async fn add_site<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    JsonBody(new): JsonBody<NewSite>,
) -> Result<Response, ApiError> {
    let id = new_id()?;
    let site = write(&st, move |txn| places::add_site(txn, &new, id)).await?;
    Ok(created(site))
}

pub(super) async fn edit_site<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    path: Result<Path<Uuid>, PathRejection>,
    JsonBody(edit): JsonBody<SiteEdit>,
) -> Result<Json<SiteV1>, ApiError> {
    let id = id_of(path)?;
    Ok(Json(
        write(&st, move |txn| places::edit_site(txn, id, &edit)).await?,
    ))
}

// ---- buildings ----

pub(super) async fn list_buildings<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    q: Result<Query<SiteQuery>, QueryRejection>,
) -> Result<Json<Page<BuildingV1>>, ApiError> {
    let q = query(q)?;
    let page = PageRequest::new(q.limit, q.offset)?;
    let filter = Filter {
        site_id: q.site_id,
        building_id: None,
    };
    Ok(Json(
        read(&st, move |txn| {
            Ok(page.page(places::buildings(txn, filter)?))
        })
        .await?,
    ))
}

pub(super) async fn add_building<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    JsonBody(new): JsonBody<NewBuilding>,
) -> Result<Response, ApiError> {
    let id = new_id()?;
    let b = write(&st, move |txn| places::add_building(txn, &new, id)).await?;
    Ok(created(b))
}

pub(super) async fn edit_building<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    path: Result<Path<Uuid>, PathRejection>,
    JsonBody(edit): JsonBody<BuildingEdit>,
) -> Result<Json<BuildingV1>, ApiError> {
    let id = id_of(path)?;
    Ok(Json(
        write(&st, move |txn| places::edit_building(txn, id, &edit)).await?,
    ))
}

// ---- departments ----

pub(super) async fn list_departments<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    q: Result<Query<SiteQuery>, QueryRejection>,
) -> Result<Json<Page<DepartmentV1>>, ApiError> {
    let q = query(q)?;
    let page = PageRequest::new(q.limit, q.offset)?;
    let filter = Filter {
        site_id: q.site_id,
        building_id: None,
    };
    Ok(Json(
        read(&st, move |txn| {
            Ok(page.page(places::departments(txn, filter)?))
        })
        .await?,
    ))
}

pub(super) async fn add_department<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    JsonBody(new): JsonBody<NewDepartment>,
) -> Result<Response, ApiError> {
    let id = new_id()?;
    let d = write(&st, move |txn| places::add_department(txn, &new, id)).await?;
    Ok(created(d))
}

pub(super) async fn edit_department<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    path: Result<Path<Uuid>, PathRejection>,
    JsonBody(edit): JsonBody<DepartmentEdit>,
) -> Result<Json<DepartmentV1>, ApiError> {
    let id = id_of(path)?;
    Ok(Json(
        write(&st, move |txn| places::edit_department(txn, id, &edit)).await?,
    ))
}

// ---- locations ----

pub(super) async fn list_locations<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    q: Result<Query<LocationQuery>, QueryRejection>,
) -> Result<Json<Page<LocationV1>>, ApiError> {
    let q = query(q)?;
    let page = PageRequest::new(q.limit, q.offset)?;
    let filter = Filter {
        site_id: q.site_id,
        building_id: q.building_id,
    };
    Ok(Json(
        read(&st, move |txn| {
            Ok(page.page(places::locations(txn, filter)?))
        })
        .await?,
    ))
}

pub(super) async fn add_location<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    JsonBody(new): JsonBody<NewLocation>,
) -> Result<Response, ApiError> {
    let id = new_id()?;
    let l = write(&st, move |txn| places::add_location(txn, &new, id)).await?;
    Ok(created(l))
}

pub(super) async fn edit_location<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    path: Result<Path<Uuid>, PathRejection>,
    JsonBody(edit): JsonBody<LocationEdit>,
) -> Result<Json<LocationV1>, ApiError> {
    let id = id_of(path)?;
    Ok(Json(
        write(&st, move |txn| places::edit_location(txn, id, &edit)).await?,
    ))
}

// ---- users ----

fn check_password_size(what: &str, password: &str) -> Result<(), ApiError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::bad_request(format!(
            "{what} is at most {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Hashes off the runtime, at the configured cost.
async fn hash<B: Backend>(st: &AppState<B>, password: String) -> Result<String, ApiError> {
    let cost = st.config.hash_cost.clone();
    blocking(move || {
        auth::hash_password(&password, &cost).map_err(|e| {
            eprintln!("biomend-server: {e}");
            ApiError::internal()
        })
    })
    .await
}

pub(super) async fn list_users<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Page<UserV1>>, ApiError> {
    let q = query(q)?;
    let page = PageRequest::new(q.limit, q.offset)?;
    let users = read(&st, move |txn| {
        let all: Vec<UserV1> = accounts::users(txn)?.iter().map(user_v1).collect();
        Ok(page.page(all))
    })
    .await?;
    Ok(Json(users))
}

pub(super) async fn add_user<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    JsonBody(new): JsonBody<NewAccount>,
) -> Result<Response, ApiError> {
    check_password_size("the password", &new.password)?;
    let role = accounts::parse_role(&new.role)?;
    let (username, password) = (new.username.clone(), new.password.clone());
    read(&st, move |txn| {
        accounts::check_new(txn, &username, &password)
    })
    .await?;
    let account = Account {
        username: new.username,
        display_name: new.display_name,
        role,
        sites: new.sites,
        password_hash: hash(&st, new.password).await?,
    };
    let id = new_id()?;
    let user = write(&st, move |txn| accounts::create(txn, &account, id)).await?;
    Ok(created(user_v1(&user)))
}

pub(super) async fn edit_user<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    path: Result<Path<Uuid>, PathRejection>,
    JsonBody(edit): JsonBody<AccountEdit>,
) -> Result<Json<UserV1>, ApiError> {
    let id = id_of(path)?;
    let change = AccountChange {
        role: edit.role.as_deref().map(accounts::parse_role).transpose()?,
        sites: edit.sites,
        display_name: edit.display_name,
    };
    let user = write(&st, move |txn| accounts::edit(txn, id, &change)).await?;
    Ok(Json(user_v1(&user)))
}

pub(super) async fn deactivate_user<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    path: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<Deactivated>, ApiError> {
    let id = id_of(path)?;
    let now = Utc::now();
    let (user, revoked) = write(&st, move |txn| accounts::deactivate(txn, id, now)).await?;
    Ok(Json(Deactivated {
        user: user_v1(&user),
        devices_revoked: revoked,
    }))
}

pub(super) async fn reset_password<B: Backend>(
    State(st): State<AppState<B>>,
    _: Admin,
    path: Result<Path<Uuid>, PathRejection>,
    JsonBody(req): JsonBody<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    let id = id_of(path)?;
    check_password_size("the password", &req.password)?;
    let user = read(&st, move |txn| accounts::user(txn, id)).await?;
    auth::check_password_strength(&user.username, &req.password).map_err(ManageError::from)?;
    let hash = hash(&st, req.password).await?;
    write(&st, move |txn| accounts::set_password_hash(txn, id, hash)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/me/password`: the current password must match (`401
/// wrong_password` otherwise, which is not a signed-out device), the new
/// one be strong.
pub(super) async fn change_own_password<B: Backend>(
    State(st): State<AppState<B>>,
    authed: Authed,
    JsonBody(req): JsonBody<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    check_password_size("the current password", &req.current)?;
    check_password_size("the new password", &req.new)?;
    let stored = authed.user.password_hash.clone();
    let current = req.current;
    let matches = blocking(move || Ok(auth::verify_password(&stored, &current))).await?;
    if !matches {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong_password",
            "the current password is wrong; nothing was changed",
        ));
    }
    auth::check_password_strength(&authed.user.username, &req.new).map_err(ManageError::from)?;
    let hash = hash(&st, req.new).await?;
    let id = authed.user.id;
    write(&st, move |txn| accounts::set_password_hash(txn, id, hash)).await?;
    Ok(StatusCode::NO_CONTENT)
}
