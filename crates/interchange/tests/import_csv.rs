//! CSV import against a messy file shaped like real CMMS exports, plus
//! mapping, header and limit behaviour.

use biomend_domain::Money;
use biomend_domain::asset::AssetStatus;
use biomend_interchange::{
    ColumnMapping, DateOrder, Field, ImportError, ImportOptions, ImportReport, RiskInput,
    read_assets, read_assets_csv,
};
use chrono::NaiveDate;
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read_str(s: &str) -> ImportReport {
    read_assets_csv(s.as_bytes(), &ImportOptions::default()).expect("file-level read succeeds")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Asserts that exactly one problem sits at `line` in `column` and that its
/// reason mentions `reason_part`.
fn assert_problem(r: &ImportReport, line: u64, column: Option<&str>, reason_part: &str) {
    let found: Vec<_> = r.problems_at(line).collect();
    assert!(
        found
            .iter()
            .any(|p| p.column.as_deref() == column && p.reason.contains(reason_part)),
        "expected a problem at row {line}, column {column:?}, mentioning {reason_part:?}; report:\n{r}"
    );
}

#[test]
fn messy_fixture_reports_each_planted_problem_and_keeps_the_rest() {
    let r = read_assets(&fixture("messy_assets.csv"), &ImportOptions::default()).unwrap();

    let good: Vec<&str> = r.good.iter().map(|g| g.tag.as_str()).collect();
    assert_eq!(
        good,
        [
            "BME-0001", "BME-0002", "BME-0003", "BME-0009", "BME-0012", "BME-0011"
        ],
        "report:\n{r}"
    );
    // Blank lines are rows in a spreadsheet but not data rows.
    assert_eq!(r.rows_read, 15);

    assert_problem(
        &r,
        6,
        Some("Equipment Control #"),
        "duplicates the tag in row 2",
    );
    assert_problem(&r, 7, Some("Acq Date"), "February 2023 has no day 30");
    assert_problem(&r, 8, Some("Equipment Control #"), "asset tag is required");
    assert_problem(&r, 9, Some("Cost"), "is negative");
    assert_problem(&r, 10, Some("Status"), "in_service, out_of_service");
    assert_problem(&r, 11, None, "14 fields but the header has 13");
    assert_problem(&r, 12, Some("Risk"), "is not a number");
    assert_problem(&r, 14, Some("Acq Date"), "no month 13");
    assert_problem(
        &r,
        16,
        Some("Model"),
        "the row has 3 of the header's 13 fields",
    );
    assert_problem(
        &r,
        16,
        Some("Dept"),
        "the row has 3 of the header's 13 fields",
    );

    // Values and what was quoted back to the user.
    let p = r.problems_at(7).next().unwrap();
    assert_eq!(p.value.as_deref(), Some("2023-02-30"));
    assert_eq!(
        p.to_string(),
        "row 7, column 'Acq Date': '2023-02-30' is not a date (February 2023 has no day 30)"
    );
    assert_eq!(
        r.problems_at(9).next().unwrap().value.as_deref(),
        Some("-250.00")
    );
    assert_eq!(
        r.problems_at(10).next().unwrap().value.as_deref(),
        Some("Broken")
    );
    assert_eq!(
        r.problems_at(11).next().unwrap().value.as_deref(),
        Some("replaced")
    );
    // Each planted row has exactly the problems planted, nothing incidental.
    assert_eq!(r.problems.len(), 10, "report:\n{r}");
    assert_eq!(r.to_string().lines().count(), 10);

    let b1 = &r.good[0];
    assert_eq!(b1.line, 2);
    assert_eq!(b1.serial.as_deref(), Some("SN1001"));
    assert_eq!(b1.manufacturer, "Baxter");
    assert_eq!(b1.device_type_name.as_deref(), Some("Infusion Pump"));
    assert_eq!(b1.department, "ICU");
    assert_eq!(b1.acquired_on, Some(date(2023, 4, 5)));
    assert_eq!(b1.acquisition_cost, Some(Money(1_250_000)));
    assert_eq!(b1.status, Some(AssetStatus::InService));
    assert_eq!(b1.risk, Some(RiskInput::EmNumber(14)));
    assert_eq!(b1.life_support, Some(false));
    assert_eq!(b1.notes, None);

    let b2 = &r.good[1];
    assert_eq!(b2.line, 3);
    assert_eq!(
        b2.status,
        Some(AssetStatus::InService),
        "'active' is a CMMS synonym"
    );
    assert_eq!(
        b2.notes.as_deref(),
        Some("Mounted on bed 4,\r\nsee \"bracket\" note")
    );

    let b3 = &r.good[2];
    assert_eq!(b3.line, 5, "the blank line counts as a spreadsheet row");
    assert_eq!(b3.serial, None);
    assert_eq!(b3.acquired_on, Some(date(2021, 1, 15)));
    assert_eq!(b3.acquisition_cost, Some(Money(320_000)));
    assert_eq!(b3.life_support, Some(true));

    let b9 = &r.good[3];
    assert_eq!(b9.line, 13);
    assert_eq!(b9.tag, "BME-0009");
    assert_eq!(b9.serial.as_deref(), Some("SN1010"));
    assert_eq!(b9.manufacturer, "Medtronic");
    assert_eq!(b9.acquired_on, Some(date(2018, 9, 9)));
    assert_eq!(b9.acquisition_cost, Some(Money(2_100_000)));
    assert_eq!(b9.status, Some(AssetStatus::OutOfService));

    let b12 = &r.good[4];
    assert_eq!(b12.line, 15);
    assert_eq!(b12.acquisition_cost, None);

    let b11 = &r.good[5];
    assert_eq!(b11.line, 19, "two blank lines and no final newline");
    assert_eq!(b11.acquired_on, Some(date(2024, 3, 1)));
    assert_eq!(b11.acquisition_cost, Some(Money(1_825_050)));
    assert_eq!(b11.notes.as_deref(), Some("Last row"));

    // The unknown column is a note, not a problem.
    assert!(
        r.notes.iter().any(|n| n.contains("Favourite Colour")),
        "{:?}",
        r.notes
    );
}

#[test]
fn lf_and_crlf_number_rows_the_same() {
    let lf = "Tag,Mfr,Model,Dept\n\nA1,M,X,ICU\n\"A2\",\"M\nline two\",X,ICU\n\nA3,M,X,\n";
    let crlf = lf.replace('\n', "\r\n");
    for text in [lf.to_string(), crlf] {
        let r = read_str(&text);
        assert_eq!(r.good.iter().map(|g| g.line).collect::<Vec<_>>(), [3, 4]);
        assert_problem(&r, 6, Some("Dept"), "department is required");
    }
}

#[test]
fn risk_parts_bool_network_and_short_years() {
    let csv = "\
Asset Tag,Manufacturer,Model,Department,Function,Physical Risk,Maintenance Requirement,EM Number,MAC Address,VLAN,IP Address,Expected Life,Purchase Date,Warranty End
T1,M,X,ICU,9,5,3,,aa-bb-cc-dd-ee-0f,20,10.1.2.3,10,04/05/23,12/31/69
T2,M,X,ICU,9,5,3,18,,,,,,
T3,M,X,ICU,11,5,3,,,,,,,
T4,M,X,ICU,9,5,,,,,,,,
T5,M,X,ICU,9,5,3,25,,,,,,
T6,M,X,ICU,,,,26,,,,,,
T7,M,X,ICU,,,,,zz:bb,five,10.1.2,ten,,
T8,M,X,ICU,,,,7,N/A,,DHCP,,n/a,
";
    let r = read_str(csv);
    let by_tag = |t: &str| r.good.iter().find(|g| g.tag == t);

    let t1 = by_tag("T1").expect("T1 good");
    let RiskInput::Parts(s) = t1.risk.unwrap() else {
        panic!("parts expected")
    };
    assert_eq!(
        (
            s.function,
            s.physical_risk,
            s.maintenance,
            s.incident_history
        ),
        (9, 5, 3, 0)
    );
    let net = t1.network.as_ref().unwrap();
    assert_eq!(net.mac.as_deref(), Some("AA:BB:CC:DD:EE:0F"));
    assert_eq!(net.vlan, Some(20));
    assert_eq!(net.ip.as_deref(), Some("10.1.2.3"));
    assert_eq!(t1.expected_life_years, Some(10));
    assert_eq!(t1.acquired_on, Some(date(2023, 4, 5)));
    assert_eq!(t1.warranty_end, Some(date(2069, 12, 31)));

    // EM given with parts: the difference is incident history.
    let RiskInput::Parts(s2) = by_tag("T2").unwrap().risk.unwrap() else {
        panic!()
    };
    assert_eq!(s2.incident_history, 1);
    assert_eq!(s2.em_number(), 18);

    assert_problem(&r, 4, Some("Function"), "function score runs from 2 to 10");
    assert_problem(
        &r,
        5,
        Some("Maintenance Requirement"),
        "needed with the other risk scores",
    );
    assert_problem(&r, 6, Some("EM Number"), "does not match the risk parts");
    assert_problem(&r, 7, Some("EM Number"), "EM numbers run from 2 to 25");
    assert_problem(&r, 8, Some("MAC Address"), "is not a MAC address");
    assert_problem(&r, 8, Some("VLAN"), "is not a number");
    assert_problem(&r, 8, Some("IP Address"), "is not an IP address");
    assert_problem(&r, 8, Some("Expected Life"), "is not a number");

    let t8 = by_tag("T8").expect("placeholders read as empty");
    assert_eq!(t8.risk, Some(RiskInput::EmNumber(7)));
    assert_eq!(t8.network, None);
    assert_eq!(t8.acquired_on, None);
}

#[test]
fn day_first_order_reads_slash_dates_the_other_way() {
    let csv = "Tag,Mfr,Model,Dept,Acq Date\nA,M,X,ICU,04/05/2023\n";
    let opts = ImportOptions {
        date_order: DateOrder::Day,
        ..Default::default()
    };
    let r = read_assets_csv(csv.as_bytes(), &opts).unwrap();
    assert_eq!(r.good[0].acquired_on, Some(date(2023, 5, 4)));
}

#[test]
fn explicit_mapping_overrides_aliases() {
    // "Description" is free text here and "Equip Nbr" is no alias; "Tag"
    // (an alias) holds an old tag the mapping must not pick up.
    let csv = "\
Tag,Equip Nbr,Maker,Model,Dept,Description,Kind
OLD-1,BME-100,Philips,MX450,ICU,Left bay unit,Patient Monitor
";
    let mapping = ColumnMapping::parse(
        "Equip Nbr=tag, Maker=manufacturer, Kind=device_type_name, Description=notes",
    )
    .unwrap();
    let opts = ImportOptions {
        mapping: Some(mapping),
        ..Default::default()
    };
    let r = read_assets_csv(csv.as_bytes(), &opts).unwrap();
    assert!(r.problems.is_empty(), "{r}");
    let g = &r.good[0];
    assert_eq!(g.tag, "BME-100");
    assert_eq!(g.manufacturer, "Philips");
    assert_eq!(g.device_type_name.as_deref(), Some("Patient Monitor"));
    assert_eq!(g.notes.as_deref(), Some("Left bay unit"));
    assert!(r.notes.iter().any(|n| n.contains("'Tag'")), "{:?}", r.notes);

    // Without the mapping, the aliases win and the file lacks a manufacturer.
    let err = read_assets_csv(csv.as_bytes(), &ImportOptions::default()).unwrap_err();
    assert!(
        matches!(err, ImportError::MissingColumns { ref missing, .. } if missing == &[Field::Manufacturer])
    );

    // A list-built mapping behaves the same.
    let m2 = ColumnMapping::from_pairs([("Equip Nbr", "tag"), ("Maker", "Manufacturer")]).unwrap();
    let r2 = read_assets_csv(
        csv.as_bytes(),
        &ImportOptions {
            mapping: Some(m2),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r2.good[0].tag, "BME-100");
}

#[test]
fn unknown_mapped_field_is_an_error() {
    let err = ColumnMapping::parse("Equip Nbr=asset_tagg").unwrap_err();
    assert!(matches!(err, ImportError::UnknownField { ref name, .. } if name == "asset_tagg"));
    assert!(err.to_string().contains("asset_tagg"), "{err}");
    assert!(
        err.to_string().contains("acquired_on"),
        "lists the fields: {err}"
    );
}

#[test]
fn mapped_header_absent_from_file_is_an_error() {
    let opts = ImportOptions {
        mapping: Some(ColumnMapping::parse("Equip Nbr=tag").unwrap()),
        ..Default::default()
    };
    let err = read_assets_csv("Tag,Mfr,Model,Dept\nA,B,C,D\n".as_bytes(), &opts).unwrap_err();
    assert!(
        matches!(err, ImportError::MappedColumnNotFound { ref header, .. } if header == "Equip Nbr"),
        "{err}"
    );
}

#[test]
fn no_usable_header_names_the_missing_required_columns() {
    let err = read_assets_csv(
        "Name,Colour,Size\nfoo,red,3\n".as_bytes(),
        &ImportOptions::default(),
    )
    .unwrap_err();
    let ImportError::MissingColumns {
        ref missing, line, ..
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!(line, 1);
    assert_eq!(
        missing,
        &[
            Field::Tag,
            Field::Manufacturer,
            Field::Model,
            Field::Department
        ]
    );
    let msg = err.to_string();
    for part in ["tag", "manufacturer", "model", "department", "'Colour'"] {
        assert!(msg.contains(part), "{msg}");
    }

    let err = read_assets_csv("\r\n\r\n".as_bytes(), &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::NoHeader { .. }), "{err}");
}

#[test]
fn title_rows_above_the_header_are_skipped() {
    let csv = "Equipment Inventory Report\nExported 2024-03-01\n\nAsset #,Make,Model #,Cost Center Name\nA1,GE,B40,ICU\n";
    let r = read_str(csv);
    assert_eq!(r.good.len(), 1);
    assert_eq!(r.good[0].line, 5);
    assert!(r.notes.iter().any(|n| n.contains("row 4")), "{:?}", r.notes);
}

#[test]
fn semicolon_and_tab_files_and_windows_1252() {
    let r = read_str("Tag;Mfr;Model;Dept\nA;B;C;Cardiology\n");
    assert_eq!(r.good[0].department, "Cardiology");
    let r = read_str("Tag\tMfr\tModel\tDept\nA\tB\tC\tD\n");
    assert_eq!(r.good[0].model, "C");
    let bytes = b"Tag,Mfr,Model,Dept\nA,B,C,Cardiolog\xeda\n";
    let r = read_assets_csv(&bytes[..], &ImportOptions::default()).unwrap();
    assert_eq!(r.good[0].department, "Cardiolog\u{ed}a");
}

#[test]
fn trailing_empty_fields_are_not_extra_columns() {
    let r = read_str("Tag,Mfr,Model,Dept\nA,B,C,D,,,\n");
    assert!(r.problems.is_empty(), "{r}");
}

#[test]
fn long_cells_are_problems_and_runaway_records_are_errors() {
    let opts = ImportOptions {
        max_cell_bytes: 16,
        ..Default::default()
    };
    let csv = format!(
        "Tag,Mfr,Model,Dept,Notes\nA,B,C,D,{}\nE,B,C,D,ok\n",
        "x".repeat(17)
    );
    let r = read_assets_csv(csv.as_bytes(), &opts).unwrap();
    assert_problem(&r, 2, Some("Notes"), "16-byte cell limit");
    assert_eq!(r.good.len(), 1);

    // An unclosed quote would swallow the rest of the file into one cell;
    // the reader stops instead of buffering it all.
    let mut big = String::from("Tag,Mfr,Model,Dept,Notes\nA,B,C,D,\"never closed\n");
    for _ in 0..20_000 {
        big.push_str("F,B,C,D,filler text\n");
    }
    let err = read_assets_csv(big.as_bytes(), &opts).unwrap_err();
    assert!(
        matches!(err, ImportError::RecordTooLarge { line: 2, .. }),
        "{err}"
    );
}

#[test]
fn row_limit_is_a_file_error() {
    let opts = ImportOptions {
        max_rows: 2,
        ..Default::default()
    };
    let ok = "Tag,Mfr,Model,Dept\nA,B,C,D\nE,B,C,D\n";
    assert_eq!(read_assets_csv(ok.as_bytes(), &opts).unwrap().good.len(), 2);
    let too_many = format!("{ok}F,B,C,D\n");
    let err = read_assets_csv(too_many.as_bytes(), &opts).unwrap_err();
    assert!(
        matches!(err, ImportError::TooManyRows { max: 2, .. }),
        "{err}"
    );
}

#[test]
fn unsupported_extension_and_missing_file() {
    let err = read_assets(Path::new("inventory.pdf"), &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::UnsupportedFileType { .. }));
    let err =
        read_assets(Path::new("/nonexistent/inv.csv"), &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::Io { .. }));
    assert!(err.to_string().contains("/nonexistent/inv.csv"), "{err}");
}
