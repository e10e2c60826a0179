//! The managers' reports over a generated hospital: who may see them, and
//! that each report reads the store's facts and names what it groups.

mod common;

use biomend_analytics::kpi::GroupBy;
use biomend_core::CoreError;
use biomend_core::analytics::{self as reports};
use biomend_domain::Money;
use common::*;

const MANAGER: &str = "demo.manager";

#[test]
fn technicians_see_no_reports_and_supervisors_only_kpis() {
    let f = fixture();
    let app = &f.app;
    let p = reports::period(app, None, None).unwrap();
    let forbidden = |r: Result<(), CoreError>| {
        assert!(matches!(r, Err(CoreError::Forbidden(_))), "{r:?}");
    };
    forbidden(reports::kpi(app, TECH, GroupBy::Department, p).map(|_| ()));
    forbidden(reports::candidates(app, TECH, p).map(|_| ()));
    forbidden(reports::candidates(app, SUPER, p).map(|_| ()));
    forbidden(reports::capital(app, SUPER, Money(100), 1, p).map(|_| ()));
    forbidden(reports::training_events(app, SUPER).map(|_| ()));
    let k = reports::kpi(app, SUPER, GroupBy::Site, p).unwrap();
    assert!(!k.groups.is_empty());
}

#[test]
fn kpis_cover_every_asset_once_and_name_their_groups() {
    let f = fixture();
    let app = &f.app;
    let p = reports::period(app, None, None).unwrap();
    assert_eq!(p.days(), 365);
    let all = reports::kpi(app, MANAGER, GroupBy::All, p).unwrap();
    let total = all.groups[0].item.assets;
    assert!(total > 300);
    for by in [
        GroupBy::Department,
        GroupBy::DeviceType,
        GroupBy::Model,
        GroupBy::Manufacturer,
        GroupBy::Site,
    ] {
        let r = reports::kpi(app, MANAGER, by, p).unwrap();
        assert_eq!(r.groups.iter().map(|g| g.item.assets).sum::<u32>(), total);
        assert!(r.groups.iter().all(|g| g.name != "(unknown)"), "{by:?}");
    }
}

#[test]
fn bad_input_is_refused_with_its_field() {
    let f = fixture();
    let app = &f.app;
    let p = reports::period(app, None, None).unwrap();
    let day = p.to;
    assert!(matches!(
        reports::period(app, Some(day), Some(day)),
        Err(CoreError::Invalid { .. })
    ));
    assert!(matches!(
        reports::scorecard(app, MANAGER, "no-such-code", GroupBy::Model, p),
        Err(CoreError::NotFound { .. })
    ));
    assert!(matches!(
        reports::scorecard(app, MANAGER, "13-215", GroupBy::Department, p),
        Err(CoreError::Invalid { .. })
    ));
    assert!(matches!(
        reports::capital(app, MANAGER, Money(1), 0, p),
        Err(CoreError::Invalid { .. })
    ));
    let tag = some_asset(app);
    assert!(matches!(
        reports::repair_or_replace(app, MANAGER, &tag, Some(Money(-1)), p),
        Err(CoreError::Invalid { .. })
    ));
}

#[test]
fn repair_estimate_is_judged_against_replacement_cost() {
    let f = fixture();
    let app = &f.app;
    let p = reports::period(app, None, None).unwrap();
    let tag = some_asset(app);
    let cheap = reports::repair_or_replace(app, MANAGER, &tag, Some(Money(100)), p).unwrap();
    assert!(!cheap.advice.replace, "a $1 repair never replaces");
    let cost = cheap
        .facts
        .replacement_cost
        .expect("demo assets are priced");
    let dear = reports::repair_or_replace(app, MANAGER, &tag, Some(cost), p).unwrap();
    // An estimate at full replacement cost passes the cost rule; the age
    // rule decides the rest.
    let old_enough = dear.facts.life_used.is_some_and(|l| l > 0.5);
    assert_eq!(dear.advice.replace, old_enough);
}

#[test]
fn every_training_event_has_an_effect_report() {
    let f = fixture();
    let app = &f.app;
    let events = reports::training_events(app, MANAGER).unwrap();
    assert!(!events.is_empty());
    let e = &events[0];
    let r = reports::training(app, MANAGER, e.event.id).unwrap();
    assert_eq!(r.effect.department, e.event.department_id);
    assert_eq!(r.effect.before.period.to, e.event.held_on);
}
