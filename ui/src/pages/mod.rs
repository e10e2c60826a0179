//! The screens, one module each.

pub mod asset;
pub mod dashboards;
pub mod my_day;
pub mod new_wo;
pub mod replace;
pub mod search;
pub mod settings;
pub mod sign_in;
pub mod supervisor;
pub mod work_order;

use crate::state::nav::Route;
use yew::prelude::*;

/// The screen for `route`, mounted fresh whenever the route changes.
pub fn render(route: &Route, session: &biomend_ipc::Session) -> Html {
    let key = route.key();
    let allowed = match route {
        r if r.is_supervisor() => session.supervises,
        Route::Dashboards { tab } => {
            crate::state::dashboards::Tab::visible(session.sees_kpis, session.sees_reports)
                .contains(tab)
        }
        Route::RepairOrReplace { .. } | Route::Settings => session.sees_reports,
        _ => true,
    };
    if !allowed {
        return html! { <my_day::MyDayPage key={key} /> };
    }
    match route {
        Route::MyDay => html! { <my_day::MyDayPage key={key} /> },
        Route::Search { query, assets } => html! {
            <search::SearchPage key={key} query={query.clone()} assets={assets.clone()} />
        },
        Route::Asset { tag } => html! { <asset::AssetScreen key={key} tag={tag.clone()} /> },
        Route::NewWorkOrder { tag } => html! { <new_wo::NewWoPage key={key} tag={tag.clone()} /> },
        Route::WorkOrder { number } => html! {
            <work_order::WorkOrderScreen key={key} number={number.clone()} />
        },
        Route::Shift => html! { <supervisor::ShiftPage key={key} /> },
        Route::Conflicts => html! { <supervisor::ConflictsPage key={key} /> },
        Route::SignOff => html! { <supervisor::SignOffPage key={key} /> },
        Route::Team => html! { <supervisor::TeamPage key={key} /> },
        Route::Dashboards { tab } => html! { <dashboards::DashboardsPage key={key} tab={*tab} /> },
        Route::RepairOrReplace { tag } => {
            html! { <replace::ReplacePage key={key} tag={tag.clone()} /> }
        }
        Route::Settings => html! { <settings::SettingsPage key={key} /> },
    }
}

use crate::app::Ctx;
use crate::ipc::invoke;
use crate::state::nav::NavAction;
use biomend_domain::ids::PmPlanId;
use biomend_ipc::{OpenPm, WorkOrderPage, cmd};
use yew::platform::spawn_local;

/// Opens the PM on `tag` (or goes to its work order when one is open
/// already) and shows its work order.
pub(crate) fn open_pm(
    ctx: &Ctx,
    tag: String,
    plan_id: Option<PmPlanId>,
    existing: Option<String>,
) -> Callback<MouseEvent> {
    let ctx = ctx.clone();
    Callback::from(move |_| {
        if let Some(number) = &existing {
            ctx.go.emit(NavAction::Go(Route::WorkOrder {
                number: number.clone(),
            }));
            return;
        }
        let ctx = ctx.clone();
        let args = OpenPm {
            tag: tag.clone(),
            plan_id,
        };
        spawn_local(async move {
            match invoke::<_, WorkOrderPage>(cmd::PM_OPEN, &args).await {
                Ok(page) => {
                    ctx.refresh_status.emit(());
                    ctx.go.emit(NavAction::Go(Route::WorkOrder {
                        number: page.bundle.work_order.number,
                    }));
                }
                Err(e) => ctx.fail.emit(e),
            }
        });
    })
}
