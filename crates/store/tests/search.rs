//! Finding a device: full-text search and exact tag look-up.

mod common;

use biomend_store::{Store, fts_query};
use common::*;
use rusqlite::Connection;
use tempfile::TempDir;

fn tags(s: &Store, q: &str) -> Vec<String> {
    let mut t: Vec<String> = s
        .reader()
        .search_assets(q, 100)
        .unwrap()
        .into_iter()
        .map(|a| a.tag)
        .collect();
    t.sort();
    t
}

/// Fixture tags whose number is in `ns`.
fn expect(ns: &[u8]) -> Vec<String> {
    let mut t: Vec<String> = ns.iter().map(|n| asset(*n).tag).collect();
    t.sort();
    t
}

#[test]
fn search_by_every_indexed_field() {
    let s = reference_in_memory();
    // Tag prefix, as typed.
    assert_eq!(tags(&s, "BME-00"), expect(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    assert_eq!(tags(&s, "bme-001"), expect(&[10]));
    assert_eq!(tags(&s, "BME-0007"), expect(&[7]));
    // Serial, whole and prefix.
    assert_eq!(tags(&s, "DE71234568"), expect(&[8]));
    assert_eq!(tags(&s, "de8999"), expect(&[9, 10]));
    // Manufacturer and model.
    assert_eq!(tags(&s, "baxter"), expect(&[1, 2, 3, 4, 5, 6]));
    assert_eq!(tags(&s, "Philips"), expect(&[7, 8, 9, 10]));
    assert_eq!(tags(&s, "MX800"), expect(&[9, 10]));
    assert_eq!(tags(&s, "intellivue"), expect(&[7, 8, 9, 10]));
    // Device-type code and name.
    assert_eq!(tags(&s, "12-636"), expect(&[7, 8, 9, 10]));
    assert_eq!(tags(&s, "13-215"), expect(&[1, 2, 3, 4, 5, 6]));
    assert_eq!(tags(&s, "infusion"), expect(&[1, 2, 3, 4, 5, 6]));
    assert_eq!(tags(&s, "physiologic"), expect(&[7, 8, 9, 10]));
    // Department.
    assert_eq!(tags(&s, "intensive care"), expect(&[1, 2, 3, 7, 9]));
    assert_eq!(tags(&s, "emergency"), expect(&[4, 5, 6, 8, 10]));
    // Location: building, room.
    assert_eq!(tags(&s, "3.114"), expect(&[1, 2, 9]));
    assert_eq!(tags(&s, "trauma"), expect(&[4, 5, 8]));
    assert_eq!(tags(&s, "biomed shop"), expect(&[10]));
    assert_eq!(tags(&s, "north tower").len(), 9, "all but the unplaced one");
    // Nothing.
    assert!(tags(&s, "ventilator").is_empty());
    assert!(tags(&s, "").is_empty());
    assert!(tags(&s, "  -- ").is_empty());
}

#[test]
fn words_and_together() {
    let s = reference_in_memory();
    assert_eq!(tags(&s, "sigma emergency"), expect(&[4, 5, 6]));
    assert_eq!(tags(&s, "philips icu"), Vec::<String>::new()); // no "icu" word
    assert_eq!(tags(&s, "philips intensive"), expect(&[7, 9]));
    assert_eq!(tags(&s, "MX450 trauma"), expect(&[8]));
    assert_eq!(tags(&s, "baxter philips"), Vec::<String>::new());
}

#[test]
fn search_results_carry_the_summary() {
    let s = reference_in_memory();
    let hits = s.reader().search_assets("DE89990001", 10).unwrap();
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!(h.id, asset_id(9));
    assert_eq!(h.manufacturer, "Philips");
    assert_eq!(h.model, "IntelliVue MX800");
    assert_eq!(h.device_type_code, "12-636");
    assert_eq!(h.department, "Intensive Care");
    assert_eq!(h.location.as_deref(), Some("North Tower · 3 · 3.114"));
    assert!(h.life_support);
    assert_eq!(
        h.em_number,
        device_type(MONITOR_TYPE).default_risk.em_number()
    );
    // The limit is honoured.
    assert_eq!(s.reader().search_assets("bme", 3).unwrap().len(), 3);
}

#[test]
fn fts_syntax_in_input_is_inert() {
    let s = reference_in_memory();
    for q in [
        "\"",
        "\"BME",
        "BME\"-0001",
        "*",
        "BME*",
        "sigma OR philips",
        "NEAR(sigma philips)",
        "NEAR(",
        "-baxter",
        "baxter -sigma",
        "tag:BME-0001",
        "(",
        ")",
        "^sigma",
        "AND",
        "NOT",
        "sigma NOT baxter",
        "{tag serial}: x",
        "'; DROP TABLE assets; --",
        "Ünïcödé ünfällig",
        "\u{0}",
    ] {
        let r = s.reader().search_assets(q, 10);
        assert!(r.is_ok(), "query {q:?} failed: {r:?}");
        assert!(fts_query(q).is_none_or(|f| !f.is_empty()));
    }
    // Operators are words, so "OR" must match as a word (it does not here).
    assert!(tags(&s, "sigma OR philips").is_empty());
    // A leading minus is punctuation, not exclusion.
    assert_eq!(tags(&s, "-baxter"), expect(&[1, 2, 3, 4, 5, 6]));
    assert_eq!(tags(&s, "tag:BME-0001"), Vec::<String>::new());
    assert_eq!(s.reader().count("assets").unwrap(), 10);
}

#[test]
fn moving_an_asset_reindexes_it() {
    let mut s = reference_in_memory();
    let before = asset(1);
    let mut after = before.clone();
    after.department_id = department_id(ED);
    after.location_id = Some(location_id(3));
    after.serial = Some("NEWSERIAL9".into());
    s.write(&system(), load_time(), |tx| {
        tx.update_asset(&before, &after)
    })
    .unwrap();
    assert_eq!(tags(&s, "intensive"), expect(&[2, 3, 7, 9]));
    assert_eq!(tags(&s, "emergency"), expect(&[1, 4, 5, 6, 8, 10]));
    assert_eq!(tags(&s, "3.114"), expect(&[2, 9]));
    assert_eq!(tags(&s, "trauma"), expect(&[1, 4, 5, 8]));
    assert!(tags(&s, "SP100001").is_empty());
    assert_eq!(tags(&s, "newserial"), expect(&[1]));
    // The summary follows too.
    assert_eq!(
        s.reader()
            .asset_by_tag("BME-0001")
            .unwrap()
            .unwrap()
            .department,
        "Emergency Department"
    );
}

/// The app has no rename screens yet, but reference data gets renamed by
/// sync and by hand-run fixes; the schema's triggers keep the index
/// current. The UPDATEs go through a second, plain connection.
#[test]
fn renaming_reference_data_reindexes_assets() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("biomend.db");
    let mut s = Store::open(&path).unwrap();
    s.bulk_load(&dataset(), &system(), load_time()).unwrap();

    let raw = Connection::open(&path).unwrap();
    raw.execute(
        "UPDATE departments SET name = 'Critical Care Unit' WHERE id = ?1",
        [department_id(ICU).0],
    )
    .unwrap();
    raw.execute(
        "UPDATE manufacturers SET name = 'Vantive' WHERE id = ?1",
        [manufacturer_id(BAXTER).0],
    )
    .unwrap();
    raw.execute(
        "UPDATE models SET name = 'IntelliVue X3' WHERE id = ?1",
        [model_id(MX450).0],
    )
    .unwrap();
    raw.execute(
        "UPDATE device_types SET code = '17-429', name = 'Monitors, Bedside' WHERE id = ?1",
        [device_type_id(MONITOR_TYPE).0],
    )
    .unwrap();

    assert!(tags(&s, "intensive").is_empty());
    assert_eq!(tags(&s, "critical care"), expect(&[1, 2, 3, 7, 9]));
    assert!(tags(&s, "baxter").is_empty());
    assert_eq!(tags(&s, "vantive"), expect(&[1, 2, 3, 4, 5, 6]));
    assert!(tags(&s, "MX450").is_empty());
    assert_eq!(tags(&s, "X3"), expect(&[7, 8]));
    assert!(tags(&s, "physiologic").is_empty());
    assert!(tags(&s, "12-636").is_empty());
    assert_eq!(tags(&s, "bedside 17-429"), expect(&[7, 8, 9, 10]));
    // Unrelated fields still match.
    assert_eq!(tags(&s, "sigma"), expect(&[1, 2, 3, 4, 5, 6]));
    assert_eq!(tags(&s, "philips"), expect(&[7, 8, 9, 10]));
    s.integrity_check().unwrap();
}

#[test]
fn tag_lookup_is_exact_apart_from_case() {
    let s = reference_in_memory();
    let r = s.reader();
    assert_eq!(r.asset_by_tag("BME-0001").unwrap().unwrap().id, asset_id(1));
    assert_eq!(r.asset_by_tag("bme-0001").unwrap().unwrap().id, asset_id(1));
    assert_eq!(r.asset_id_by_tag("Bme-0001").unwrap(), Some(asset_id(1)));
    assert_eq!(r.asset_by_tag("BME-000").unwrap(), None);
    assert_eq!(r.asset_by_tag("BME-00010").unwrap(), None);
    assert_eq!(r.asset_by_tag("BME0001").unwrap(), None);
    assert_eq!(r.asset_by_tag("BME-000%").unwrap(), None);
    assert_eq!(r.asset_id_by_tag("BME-000").unwrap(), None);
    let s10 = r.asset_by_tag("BME-0010").unwrap().unwrap();
    assert_eq!(s10.id, asset_id(10));
    assert_eq!(
        s10.location.as_deref(),
        Some("North Tower · B · Biomed Shop")
    );
    assert_eq!(r.asset_by_tag("BME-0006").unwrap().unwrap().location, None);
}

#[test]
fn deferred_indexing_indexes_at_the_end_and_leaves_nothing_on_failure() {
    let mut s = reference_in_memory();
    let new = |n: u8, tag: &str| biomend_domain::asset::Asset {
        id: biomend_domain::ids::AssetId::new(1_800_000_000_000, [n; 10]),
        tag: tag.into(),
        ..asset(1)
    };
    // A bulk action that fails: neither the asset nor its index entry stays,
    // and the deferral does not outlive the transaction.
    let failed: Result<(), biomend_store::StoreError> = s.write(&system(), load_time(), |tx| {
        tx.with_deferred_search_index(|tx| {
            tx.insert_asset(&new(1, "BME-0991"))?;
            Err(biomend_store::StoreError::NotFound {
                entity: "test",
                key: "forced failure".into(),
            })
        })
    });
    assert!(failed.is_err());
    assert!(tags(&s, "BME-0991").is_empty());
    // The next ordinary insert is indexed at once: the trigger is active again.
    s.write(&system(), load_time(), |tx| {
        tx.insert_asset(&new(2, "BME-0992"))
    })
    .unwrap();
    assert_eq!(tags(&s, "BME-0992"), ["BME-0992"]);
    // A deferred batch is searchable as soon as it commits, each row once.
    s.write(&system(), load_time(), |tx| {
        tx.with_deferred_search_index(|tx| {
            tx.insert_asset(&new(3, "BME-0993"))?;
            tx.insert_asset(&new(4, "BME-0994"))
        })
    })
    .unwrap();
    assert_eq!(tags(&s, "BME-099"), ["BME-0992", "BME-0993", "BME-0994"]);
}

#[test]
fn departments_are_found_by_what_staff_call_them() {
    let mut s = reference_in_memory();
    // The fixture's emergency department is "ED" to its staff.
    assert_eq!(tags(&s, "ed"), expect(&[4, 5, 6, 8, 10]));
    assert_eq!(tags(&s, "baxter ed"), expect(&[4, 5, 6]));
    // Giving intensive care a short name makes it searchable at once.
    assert!(tags(&s, "micu").is_empty());
    let before = s
        .reader()
        .departments()
        .unwrap()
        .into_iter()
        .find(|d| d.name == "Intensive Care")
        .unwrap();
    let after = biomend_domain::org::Department {
        short_name: Some("MICU".into()),
        ..before.clone()
    };
    s.write(&system(), load_time(), |tx| {
        tx.update_department(&before, &after)
    })
    .unwrap();
    assert_eq!(tags(&s, "micu"), expect(&[1, 2, 3, 7, 9]));
    let audit = s.reader().audit_for(after.id.0).unwrap();
    assert_eq!(audit.last().map(|a| a.action.as_str()), Some("update"));
}

#[test]
fn retired_devices_come_after_those_in_use() {
    let mut s = reference_in_memory();
    let first = |s: &Store| {
        s.reader()
            .search_assets("baxter", 100)
            .unwrap()
            .into_iter()
            .map(|a| a.status)
            .collect::<Vec<_>>()
    };
    let before = s.reader().asset(asset(1).id).unwrap().unwrap();
    let retired = biomend_domain::asset::Asset {
        status: biomend_domain::asset::AssetStatus::Retired,
        ..before.clone()
    };
    s.write(&system(), load_time(), |tx| {
        tx.update_asset(&before, &retired)
    })
    .unwrap();
    let statuses = first(&s);
    let is_retired: Vec<bool> = statuses
        .iter()
        .map(|st| *st == biomend_domain::asset::AssetStatus::Retired)
        .collect();
    assert!(
        is_retired.contains(&true) && is_retired.contains(&false),
        "{statuses:?}"
    );
    assert!(
        is_retired.windows(2).all(|w| w[0] <= w[1]),
        "active devices first: {statuses:?}"
    );
    // With room for only one result, an active device wins.
    let one = s.reader().search_assets("baxter", 1).unwrap();
    assert_ne!(one[0].status, biomend_domain::asset::AssetStatus::Retired);
}

#[test]
fn deferred_indexing_puts_the_insert_trigger_back_unchanged() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("s.sqlite");
    let mut s = Store::open(&path).unwrap();
    load(&mut s);
    let schema = || -> Vec<(String, Option<String>)> {
        let raw = Connection::open(&path).unwrap();
        let mut st = raw
            .prepare("SELECT name, sql FROM sqlite_schema ORDER BY type, name")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let before = schema();
    let new = |n: u8, tag: &str| biomend_domain::asset::Asset {
        id: biomend_domain::ids::AssetId::new(1_800_000_000_000, [n; 10]),
        tag: tag.into(),
        ..asset(1)
    };
    // A caller that swallows the failure of a deferred batch and commits
    // the rest of its transaction still commits the trigger.
    s.write(&system(), load_time(), |tx| {
        let failed: Result<(), biomend_store::StoreError> = tx.with_deferred_search_index(|_| {
            Err(biomend_store::StoreError::NotFound {
                entity: "test",
                key: "forced failure".into(),
            })
        });
        assert!(failed.is_err());
        tx.insert_asset(&new(1, "BME-0981"))
    })
    .unwrap();
    assert_eq!(tags(&s, "BME-0981"), ["BME-0981"]);
    // Nested deferrals index each new row once, at the end of the outer one.
    s.write(&system(), load_time(), |tx| {
        tx.with_deferred_search_index(|tx| {
            tx.insert_asset(&new(2, "BME-0982"))?;
            tx.with_deferred_search_index(|tx| tx.insert_asset(&new(3, "BME-0983")))
        })
    })
    .unwrap();
    assert_eq!(tags(&s, "BME-098"), ["BME-0981", "BME-0982", "BME-0983"]);
    assert_eq!(schema(), before, "the schema is byte for byte as it was");
}

#[test]
fn a_batch_of_assets_has_one_audit_row_naming_each_of_them() {
    let mut s = reference_in_memory();
    let new = |n: u8, tag: &str| biomend_domain::asset::Asset {
        id: biomend_domain::ids::AssetId::new(1_800_000_000_000, [n; 10]),
        tag: tag.into(),
        ..asset(1)
    };
    let audit_rows = |s: &Store| s.reader().count("audit_log").unwrap();
    let before = audit_rows(&s);
    let batch_id = uuid::Uuid::from_u128(7);
    s.write(&system(), load_time(), |tx| {
        tx.with_deferred_search_index(|tx| {
            let mut batch = biomend_store::AssetBatch::default();
            tx.insert_asset_in(&mut batch, &new(1, "BME-0971"))?;
            tx.insert_asset_in(&mut batch, &new(2, "BME-0972"))?;
            let mut details = serde_json::Map::new();
            details.insert("file".into(), "inventory.csv".into());
            tx.audit_asset_batch(batch, "import", "asset_import", batch_id, details)
        })
    })
    .unwrap();
    assert_eq!(audit_rows(&s), before + 1);
    let audit = s.reader().audit_for(batch_id).unwrap();
    assert_eq!(audit.len(), 1);
    let after = audit[0].after.as_ref().unwrap();
    assert_eq!(after["file"], "inventory.csv");
    assert_eq!(after["network_profiles"], 0);
    assert_eq!(
        after["assets"],
        serde_json::json!([new(1, "").id, new(2, "").id])
    );
    assert_eq!(tags(&s, "BME-097"), ["BME-0971", "BME-0972"]);
    // A tag already in use is refused as in a single insert.
    let dup = s.write(&system(), load_time(), |tx| {
        let mut batch = biomend_store::AssetBatch::default();
        tx.insert_asset_in(&mut batch, &new(3, "bme-0971"))?;
        tx.audit_asset_batch(
            batch,
            "import",
            "asset_import",
            batch_id,
            Default::default(),
        )
    });
    assert!(matches!(
        dup,
        Err(biomend_store::StoreError::Duplicate { .. })
    ));
}
