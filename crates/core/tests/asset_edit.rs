//! Editing an asset in the field: one transaction writes the change, its
//! audit row and exactly one `update_asset@1` mutation whose `from` values
//! are what the user started from; a refused edit writes nothing.

use biomend_core::App;
use biomend_core::asset_edit::{AssetEdit, Place};
use biomend_domain::asset::AssetStatus;
use biomend_protocol::*;

mod common;
use common::*;

fn pending(app: &App) -> Vec<MutationEnvelope> {
    biomend_core::outbox::pending(app, 1000).expect("pending")
}

fn edit(tag: &str) -> AssetEdit {
    AssetEdit {
        username: TECH.into(),
        tag: tag.into(),
        ..AssetEdit::default()
    }
}

/// Another location at the asset's site than the one it is at.
fn other_location(app: &App, tag: &str) -> (biomend_domain::org::Location, String) {
    let page = biomend_core::asset_page::run(app, tag).expect("page");
    let here = page.detail.asset.location_id;
    let hits = biomend_core::search::run(
        app,
        &biomend_core::search::SearchInput {
            text: "BME".into(),
            limit: 400,
        },
    )
    .expect("search");
    for h in hits {
        let p = biomend_core::asset_page::run(app, &h.tag).expect("page");
        if p.detail.site.id == page.detail.site.id
            && let (Some(l), Some(b)) = (p.detail.location, p.detail.building)
            && Some(l.id) != here
        {
            let label = format!("{} {} {}", b.name, l.floor, l.room);
            return (l, label);
        }
    }
    panic!("no other location at the site");
}

#[test]
fn an_edit_writes_the_change_its_audit_row_and_one_mutation_with_the_starting_values() {
    let mut f = fixture();
    let tag = some_asset(&f.app);
    let before = biomend_core::asset_page::run(&f.app, &tag)
        .unwrap()
        .detail
        .asset;
    let (room, label) = other_location(&f.app, &tag);
    let out = biomend_core::asset_edit::run(
        &mut f.app,
        &AssetEdit {
            status: Some(AssetStatus::InRepair),
            place: Some(Place::Room(label.to_lowercase())),
            serial: Some(Some("  SN-CORRECTED-1 ".into())),
            notes: Some("Bumper cracked; still safe to use".into()),
            ..edit(&tag)
        },
    )
    .expect("edit");
    assert_eq!(out.changed, ["status", "location", "serial", "notes"]);
    assert_eq!(out.asset.location_id, Some(room.id));
    assert_eq!(out.asset.serial.as_deref(), Some("SN-CORRECTED-1"));
    let stored = biomend_core::asset_page::run(&f.app, &tag)
        .unwrap()
        .detail
        .asset;
    assert_eq!(stored, out.asset);

    let queued = pending(&f.app);
    assert_eq!(queued.len(), 1, "exactly one mutation");
    assert_eq!(
        (queued[0].name.as_str(), queued[0].version),
        ("update_asset", 1)
    );
    let Mutation::UpdateAsset(m) = queued[0].mutation().unwrap() else {
        panic!("not an asset update");
    };
    assert_eq!(m.asset_id, before.id.0);
    assert_eq!(
        m.status,
        Some(FieldChange::codes(before.status.as_str(), "in_repair"))
    );
    assert_eq!(
        m.location_id,
        Some(FieldChange::new(
            before.location_id.map(|l| l.0),
            Some(room.id.0)
        ))
    );
    assert_eq!(
        m.serial,
        Some(FieldChange::new(
            before.serial.clone(),
            Some("SN-CORRECTED-1".to_string())
        ))
    );
    assert_eq!(
        m.notes,
        Some(FieldChange::new(
            before.notes.clone(),
            "Bumper cracked; still safe to use".to_string()
        ))
    );
    assert_eq!(
        (m.department_id, m.risk),
        (None, None),
        "untouched fields do not travel"
    );

    let audit = f.app.store().reader().audit_for(before.id.0).unwrap();
    let last = audit.last().expect("audit row");
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("update", TECH)
    );
}

#[test]
fn an_edit_that_changes_nothing_writes_and_queues_nothing() {
    let mut f = fixture();
    let tag = some_asset(&f.app);
    let before = biomend_core::asset_page::run(&f.app, &tag)
        .unwrap()
        .detail
        .asset;
    let audit_rows = f.app.store().reader().count("audit_log").unwrap();
    let out = biomend_core::asset_edit::run(
        &mut f.app,
        &AssetEdit {
            status: Some(before.status),
            notes: Some(before.notes.clone()),
            ..edit(&tag)
        },
    )
    .unwrap();
    assert!(out.changed.is_empty());
    assert!(pending(&f.app).is_empty());
    assert_eq!(
        f.app.store().reader().count("audit_log").unwrap(),
        audit_rows
    );
}

#[test]
fn refused_edits_write_nothing() {
    let mut f = fixture();
    let tag = some_asset(&f.app);
    let before = biomend_core::asset_page::run(&f.app, &tag)
        .unwrap()
        .detail
        .asset;
    let cases: Vec<(AssetEdit, &str)> = vec![
        // Moving between departments is an inventory decision.
        (
            AssetEdit {
                department: Some("ICU".into()),
                notes: Some("moved".into()),
                ..edit(&tag)
            },
            "forbidden",
        ),
        // So is retiring a device.
        (
            AssetEdit {
                status: Some(AssetStatus::Retired),
                ..edit(&tag)
            },
            "forbidden",
        ),
        (
            AssetEdit {
                place: Some(Place::Room("No Such Room 999".into())),
                notes: Some("moved".into()),
                ..edit(&tag)
            },
            "not_found",
        ),
        (
            AssetEdit {
                serial: Some(Some("x".repeat(500))),
                ..edit(&tag)
            },
            "invalid_input",
        ),
        (
            AssetEdit {
                risk: Some(biomend_domain::risk::EmScore {
                    function: 11,
                    physical_risk: 1,
                    maintenance: 1,
                    incident_history: 0,
                }),
                ..edit(&tag)
            },
            "invalid_input",
        ),
        (
            AssetEdit {
                username: "nobody".into(),
                notes: Some("x".into()),
                ..edit(&tag)
            },
            "not_found",
        ),
    ];
    for (input, code) in cases {
        let err = biomend_core::asset_edit::run(&mut f.app, &input).unwrap_err();
        assert_eq!(err.code(), code, "{input:?}: {err}");
    }
    assert!(pending(&f.app).is_empty());
    assert_eq!(
        biomend_core::asset_page::run(&f.app, &tag)
            .unwrap()
            .detail
            .asset,
        before
    );
}

#[test]
fn a_supervisor_may_move_an_asset_to_another_department_and_rescore_it() {
    let mut f = fixture();
    let tag = some_asset(&f.app);
    let page = biomend_core::asset_page::run(&f.app, &tag).unwrap();
    let before = page.detail.asset.clone();
    let other = f
        .app
        .store()
        .reader()
        .departments()
        .unwrap()
        .into_iter()
        .find(|d| d.site_id == page.detail.site.id && d.id != before.department_id)
        .expect("another department");
    let risk = biomend_domain::risk::EmScore::new(10, 5, 5, 2).unwrap();
    let out = biomend_core::asset_edit::run(
        &mut f.app,
        &AssetEdit {
            username: SUPER.into(),
            department: Some(other.name.to_uppercase()),
            risk: Some(risk),
            ..edit(&tag)
        },
    )
    .expect("edit");
    assert_eq!(out.changed, ["department", "risk"]);
    let queued = pending(&f.app);
    assert_eq!(queued.len(), 1);
    let Mutation::UpdateAsset(m) = queued[0].mutation().unwrap() else {
        panic!("not an asset update");
    };
    assert_eq!(
        m.department_id,
        Some(FieldChange::new(before.department_id.0, other.id.0))
    );
    assert_eq!(
        m.risk,
        Some(FieldChange::new((&before.risk).into(), (&risk).into()))
    );
}
