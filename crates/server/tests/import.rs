//! Inventory into the server: the real `biomend-server import assets` on a
//! SQLite file (a bad file imports nothing and says where; fixed, it
//! imports; an updated export updates instead of duplicating), and the
//! rules for `import_assets@1` pushed by a device.

mod common;

use biomend_protocol::*;
use biomend_server::Backend;
use biomend_server::backend::SqliteBackend;
use common::*;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_biomend-server");

fn import(db: &std::path::Path, file: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(["import", "assets", "--db"])
        .arg(db)
        .args(extra)
        .arg(file)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assets(db: &std::path::Path) -> Vec<AssetV1> {
    let b = SqliteBackend::open(db).expect("open");
    b.read(|txn| txn.rows_of_kind(Kind::Asset))
        .expect("rows")
        .into_iter()
        .map(|r| serde_json::from_str(&r.body).expect("asset"))
        .collect()
}

fn version(db: &std::path::Path) -> u64 {
    let b = SqliteBackend::open(db).expect("open");
    b.read(|txn| txn.last_version()).expect("version")
}

#[test]
fn a_bad_file_imports_nothing_then_the_fixed_file_and_an_updated_export_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let data = seed_file(&db);
    let site = &data.sites[0].code;
    let before = assets(&db).len();
    let v0 = version(&db);
    let csv = dir.path().join("inventory.csv");
    std::fs::write(
        &csv,
        format!(
            "Equipment Control #,Mfr,Model,Dept,Site,Acq Date,Serial #\r\n\
             SRV-0001,Novamed,Flow 9,Infusion Center,{site},03/15/2024,A1\r\n\
             SRV-0002,Novamed,Flow 9,Infusion Center,{site},13/45/2024,A2\r\n\
             SRV-0003,Novamed,Flow 9,Infusion Center,Mars Base,03/15/2024,A3\r\n"
        ),
    )
    .unwrap();
    let (code, out, err) = import(&db, &csv, &[]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("row 3, column 'Acq Date'") && err.contains("13/45/2024"),
        "{err}"
    );
    assert!(
        err.contains("row 4, column 'Site'") && err.contains("Mars Base"),
        "{err}"
    );
    assert!(out.contains("nothing was imported"), "{out}");
    assert_eq!(version(&db), v0, "the server is unchanged");

    // Fixed: all three go in.
    std::fs::write(
        &csv,
        format!(
            "Equipment Control #,Mfr,Model,Dept,Site,Acq Date,Serial #\r\n\
             SRV-0001,Novamed,Flow 9,Infusion Center,{site},03/15/2024,A1\r\n\
             SRV-0002,Novamed,Flow 9,Infusion Center,{site},04/15/2024,A2\r\n\
             SRV-0003,Novamed,Flow 9,Infusion Center,{site},03/15/2024,A3\r\n"
        ),
    )
    .unwrap();
    let (code, out, err) = import(&db, &csv, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 assets created, 0 updated"), "{out}");
    let all = assets(&db);
    assert_eq!(all.len(), before + 3);
    let one = all.iter().find(|a| a.tag == "SRV-0001").unwrap();
    assert_eq!(
        one.acquired_on,
        Some(chrono::NaiveDate::from_ymd_opt(2024, 3, 15).unwrap())
    );

    // The old system's next export: one serial corrected, one unchanged,
    // one new. Matching tags update; nothing is duplicated.
    std::fs::write(
        &csv,
        format!(
            "Equipment Control #,Mfr,Model,Dept,Site,Acq Date,Serial #\r\n\
             srv-0001,Novamed,Flow 9,Infusion Center,{site},03/15/2024,A1-FIXED\r\n\
             SRV-0002,Novamed,Flow 9,Infusion Center,{site},04/15/2024,A2\r\n\
             SRV-0004,Novamed,Flow 9,Infusion Center,{site},04/15/2024,A4\r\n"
        ),
    )
    .unwrap();
    let (code, out, err) = import(&db, &csv, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("row 2: SRV-0001 updated: serial"), "{out}");
    assert!(
        out.contains("1 assets created, 1 updated, 1 unchanged"),
        "{out}"
    );
    let all = assets(&db);
    assert_eq!(all.len(), before + 4);
    assert_eq!(
        all.iter()
            .find(|a| a.tag == "SRV-0001")
            .unwrap()
            .serial
            .as_deref(),
        Some("A1-FIXED")
    );
    let depts: Vec<DepartmentV1> = {
        let b = SqliteBackend::open(&db).unwrap();
        b.read(|txn| txn.rows_of_kind(Kind::Department))
            .unwrap()
            .into_iter()
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect()
    };
    assert_eq!(
        depts.iter().filter(|d| d.name == "Infusion Center").count(),
        1
    );
}

#[test]
fn only_good_rows_imports_the_rest_and_says_what_it_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let data = seed_file(&db);
    let site = &data.sites[0].code;
    let csv = dir.path().join("inventory.csv");
    std::fs::write(
        &csv,
        format!(
            "Asset Tag,Mfr,Model,Dept,Site\n\
             GOOD-1,Acme,W1,ICU,{site}\n\
             ,Acme,W1,ICU,{site}\n"
        ),
    )
    .unwrap();
    let (code, out, err) = import(&db, &csv, &["--only-good-rows"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("row 3"), "{err}");
    assert!(out.contains("1 assets created"), "{out}");
    assert!(assets(&db).iter().any(|a| a.tag == "GOOD-1"));
}

fn imported(tag: &str, department: uuid::Uuid, model: uuid::Uuid) -> AssetV1 {
    AssetV1 {
        id: biomend_interchange::asset_id_for_tag(tag).0,
        tag: tag.into(),
        serial: None,
        model_id: model,
        department_id: department,
        location_id: None,
        ownership: "owned".into(),
        status: "in_service".into(),
        acquired_on: None,
        acquisition_cost_cents: None,
        warranty_end: None,
        contract_id: None,
        expected_life_years: None,
        risk: EmScoreV1 {
            function: 5,
            physical_risk: 3,
            maintenance: 3,
            incident_history: 0,
        },
        life_support_override: false,
        parent_id: None,
        notes: String::new(),
    }
}

#[tokio::test]
async fn a_pushed_import_needs_an_inventory_role_and_the_users_own_sites() {
    let s = TestServer::start().await;
    let tech = s.login("demo.tech").await;
    let admin = s.login("demo.admin").await;
    let any = &s.data.assets[0];
    let home = s.site_of(any);
    let dept = s
        .data
        .departments
        .iter()
        .find(|d| d.site_id.0 == home)
        .unwrap();
    let other = s
        .data
        .departments
        .iter()
        .find(|d| d.site_id.0 != home)
        .unwrap();
    let part = |a: AssetV1| {
        Mutation::ImportAssets(ImportAssets {
            import_id: id(),
            file: "inventory.csv".into(),
            part: 1,
            parts: 1,
            assets: vec![ImportedAsset {
                before: None,
                after: a,
            }],
            ..ImportAssets::default()
        })
    };
    let o = tech
        .push(part(imported("PUSH-1", dept.id.0, any.model_id.0)))
        .await;
    let why = assert_rejected(&o, "forbidden");
    assert!(why.contains("cannot import inventory"), "{why}");

    // An administrator signed in for some sites cannot import into another.
    if !admin.user.sites.contains(&other.site_id.0) {
        let o = admin
            .push(part(imported("PUSH-2", other.id.0, any.model_id.0)))
            .await;
        assert_rejected(&o, "forbidden");
    }
    // A model that does not exist is refused, and nothing of the part is
    // written.
    let o = admin.push(part(imported("PUSH-3", dept.id.0, id()))).await;
    assert_rejected(&o, "not_found");
    let o = admin
        .push(part(imported("PUSH-4", dept.id.0, any.model_id.0)))
        .await;
    assert_applied(&o);
    let stored: Vec<AssetV1> = s
        .backend
        .read(|txn| txn.rows_of_kind(Kind::Asset))
        .unwrap()
        .into_iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    let tags: Vec<&str> = stored
        .iter()
        .filter(|a| a.tag.starts_with("PUSH-"))
        .map(|a| a.tag.as_str())
        .collect();
    assert_eq!(tags, ["PUSH-4"]);
}

#[test]
fn history_with_an_unmapped_closure_code_imports_nothing_until_the_code_is_mapped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let data = seed_file(&db);
    let tag = &data.assets[0].tag;
    let csv = dir.path().join("history.csv");
    std::fs::write(
        &csv,
        format!(
            "Equipment Control #,WO #,Type,Date Opened,Date Completed,Problem,Action Taken,Failure Code,Labor Hours,Parts Cost\r\n\
             {tag},OLD-1001,Repair,03/02/2024,03/03/2024,Occlusion alarm,Replaced door seal,F12,1.5,$45.00\r\n\
             {tag},OLD-1002,Repair,04/02/2024,04/02/2024,Will not power on,Replaced battery,failure:battery,0.5,$120.00\r\n"
        ),
    )
    .unwrap();
    let v0 = version(&db);
    let run = |extra: &[&str]| {
        let out = Command::new(BIN)
            .args(["import", "history", "--db"])
            .arg(&db)
            .args(["--as", "demo.admin"])
            .args(extra)
            .arg(&csv)
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&[]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("row 2") && err.contains("F12") && err.contains("--closure-map"),
        "{err}"
    );
    assert_eq!(version(&db), v0, "nothing was written");

    let (code, out, err) = run(&["--closure-map", "F12=failure:mechanical"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 work orders imported"), "{out}");
    let b = SqliteBackend::open(&db).unwrap();
    let wos: Vec<WorkOrderV1> = b
        .read(|txn| txn.rows_of_kind(Kind::WorkOrder))
        .unwrap()
        .into_iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .filter(|w: &WorkOrderV1| w.number.starts_with("OLD-"))
        .collect();
    assert_eq!(wos.len(), 2);
    let first = wos.iter().find(|w| w.number == "OLD-1001").unwrap();
    assert_eq!(first.asset_id, data.assets[0].id.0);
    assert_eq!(first.closure.as_deref(), Some("failure:mechanical"));
    // The same file again: its numbers are taken, so nothing is doubled.
    let (code, _, err) = run(&["--closure-map", "F12=failure:mechanical"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("OLD-1001"), "{err}");
}
