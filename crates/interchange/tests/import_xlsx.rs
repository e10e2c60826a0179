//! XLSX import from workbooks built here: text, numbers, real date cells,
//! serial numbers in date columns, currency-formatted numbers, booleans.

use biomend_domain::Money;
use biomend_domain::asset::{AssetStatus, Ownership};
use biomend_interchange::{ImportError, ImportOptions, RiskInput, read_assets, read_assets_xlsx};
use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::Path;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn build(path: &Path) {
    let mut wb = Workbook::new();
    let date_fmt = Format::new().set_num_format("mm/dd/yyyy");
    let money_fmt = Format::new().set_num_format("$#,##0.00");

    let notes = wb.add_worksheet();
    notes.set_name("Read Me").unwrap();
    notes
        .write_string(0, 0, "This sheet is not the inventory")
        .unwrap();

    let ws = wb.add_worksheet();
    ws.set_name("Inventory").unwrap();
    let headers = [
        "Asset #",
        "SN",
        "Make",
        "Model Number",
        "UMDNS",
        "Dept",
        "In Service Date",
        "Purchase Price",
        "Status",
        "EM",
        "Life Support",
        "Ownership",
        "Warranty Exp",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // Row 2: typical, with a numeric tag and serial stored as numbers.
    ws.write_number(1, 0, 10042.0).unwrap();
    ws.write_number(1, 1, 778812.0).unwrap();
    ws.write_string(1, 2, "Baxter").unwrap();
    ws.write_string(1, 3, "Sigma Spectrum").unwrap();
    ws.write_string(1, 4, "13-215").unwrap();
    ws.write_string(1, 5, "ICU").unwrap();
    ws.write_datetime_with_format(
        1,
        6,
        ExcelDateTime::from_ymd(2023, 4, 5).unwrap(),
        &date_fmt,
    )
    .unwrap();
    ws.write_number_with_format(1, 7, 12500.0, &money_fmt)
        .unwrap();
    ws.write_string(1, 8, "In Service").unwrap();
    ws.write_number(1, 9, 17.0).unwrap();
    ws.write_boolean(1, 10, true).unwrap();
    ws.write_string(1, 11, "Leased").unwrap();
    // A plain number in a date column is an Excel serial date (2026-04-05).
    ws.write_number(1, 12, 46117.0).unwrap();

    // Row 3 left empty on purpose; row 4: text dates and a text amount.
    ws.write_string(3, 0, "BME-0200").unwrap();
    ws.write_string(3, 2, "Zoll").unwrap();
    ws.write_string(3, 3, "R Series").unwrap();
    ws.write_string(3, 5, "ED").unwrap();
    ws.write_string(3, 6, "1/15/2021").unwrap();
    ws.write_string(3, 7, "$3,200.50").unwrap();
    ws.write_number(3, 9, 19.0).unwrap();

    // Row 5: problems.
    ws.write_string(4, 0, "BME-0201").unwrap();
    ws.write_string(4, 2, "GE").unwrap();
    ws.write_string(4, 3, "B650").unwrap();
    ws.write_string(4, 5, "OR").unwrap();
    ws.write_string(4, 6, "2023-02-30").unwrap();
    ws.write_number(4, 7, 12.345).unwrap();
    ws.write_number(4, 9, 40.0).unwrap();
    wb.save(path).unwrap();
}

#[test]
fn reads_typed_cells_from_a_named_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.xlsx");
    build(&path);
    let opts = ImportOptions {
        sheet: Some("inventory".into()),
        ..Default::default()
    };
    let r = read_assets_xlsx(&path, &opts).unwrap();

    assert_eq!(r.rows_read, 3);
    assert_eq!(r.good.len(), 2, "{r}");
    let a = &r.good[0];
    assert_eq!(a.line, 2);
    assert_eq!(a.tag, "10042");
    assert_eq!(a.serial.as_deref(), Some("778812"));
    assert_eq!(a.manufacturer, "Baxter");
    assert_eq!(a.model, "Sigma Spectrum");
    assert_eq!(a.device_type_code.as_deref(), Some("13-215"));
    assert_eq!(a.department, "ICU");
    assert_eq!(a.acquired_on, Some(date(2023, 4, 5)));
    assert_eq!(a.acquisition_cost, Some(Money(1_250_000)));
    assert_eq!(a.status, Some(AssetStatus::InService));
    assert_eq!(a.risk, Some(RiskInput::EmNumber(17)));
    assert_eq!(a.life_support, Some(true));
    assert_eq!(a.ownership, Some(Ownership::Leased));
    assert_eq!(a.warranty_end, Some(date(2026, 4, 5)));

    let b = &r.good[1];
    assert_eq!(
        b.line, 4,
        "rows keep their sheet numbers across an empty row"
    );
    assert_eq!(b.acquired_on, Some(date(2021, 1, 15)));
    assert_eq!(b.acquisition_cost, Some(Money(320_050)));
    assert_eq!(b.serial, None);

    let probs: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        probs,
        [
            "row 5, column 'In Service Date': '2023-02-30' is not a date (February 2023 has no day 30)",
            "row 5, column 'Purchase Price': '12.345' has more than two decimals",
            "row 5, column 'EM': '40' is out of range (EM numbers run from 2 to 25)",
        ]
    );

    // Dispatch by extension reads the same; the first sheet is the default.
    let first = read_assets(&path, &ImportOptions::default()).unwrap_err();
    assert!(
        matches!(first, ImportError::MissingColumns { .. }),
        "{first}"
    );
    let missing = read_assets_xlsx(
        &path,
        &ImportOptions {
            sheet: Some("Nope".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(missing.to_string().contains("Inventory"), "{missing}");
}

#[test]
fn a_csv_named_xlsx_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fake.xlsx");
    std::fs::write(&path, "Tag,Mfr\n").unwrap();
    let err = read_assets(&path, &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::Workbook { .. }), "{err}");
    assert!(err.to_string().contains("fake.xlsx"), "{err}");
}
