//! The Environment of Care committee / survey report, laid out for
//! reading and printing: a self-contained HTML page (inline CSS and SVG
//! charts) and a PDF (vector charts, base-14 fonts), both from the
//! figures `biomend_analytics::survey` computes.
//!
//! Owns: the report's layout, its charts, and the words around the
//! figures (period, site scope, counts and formula of every section).
//!
//! Must not know: SQL, files, the network, the clock, or how the figures
//! were computed. It does no I/O: it returns HTML as a `String` and the
//! PDF as bytes, and the caller writes them where it likes.

mod html;
mod metrics;
mod model;
mod pdf;

use biomend_analytics::survey::SurveyReport;

pub use model::SECTIONS;
pub use pdf::PdfFile;

/// The report as one self-contained, printable HTML page.
pub fn html(r: &SurveyReport) -> String {
    html::render(r)
}

/// The report as a PDF file (A4 pages, vector charts, base-14 fonts).
pub fn pdf(r: &SurveyReport) -> PdfFile {
    pdf::render(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use biomend_analytics::survey::{
        CorrectiveCount, DuePm, InventoryCount, RecallRow, Scope, SurveyInputs, survey,
    };
    use biomend_analytics::{Period, Settings};
    use biomend_domain::risk::EmScore;
    use biomend_domain::work_order::{AttemptOutcome, ClosureCode, FailureArea};
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A small report with the demo hospital's longest names in it.
    pub(crate) fn sample() -> SurveyReport {
        let high = EmScore::new(10, 5, 5, 0).unwrap();
        let pm = |tag: &str, due: NaiveDate, done: Option<NaiveDate>| DuePm {
            number: format!("WO-26-{tag}"),
            tag: format!("BME-{tag}"),
            device_type: "Pumps, Infusion, Patient-Controlled Analgesia".into(),
            department: "Respiratory Therapy".into(),
            risk: high,
            life_support: false,
            due_on: due,
            interval_days: Some(365),
            completed_on: done,
            attempts: vec![],
        };
        let mut in_use = pm("000626", d(2025, 2, 1), None);
        in_use.attempts = vec![(d(2025, 2, 3), AttemptOutcome::NotLocated)];
        in_use.life_support = true;
        let corrective = |m, closure, count| CorrectiveCount {
            month: d(2025, m, 1),
            department: "Cardiac Step-Down & <Telemetry>".into(),
            closure,
            count,
        };
        let inputs = SurveyInputs {
            inventory: vec![InventoryCount {
                risk: high,
                life_support: false,
                assets: 12,
            }],
            pms: vec![
                pm("000625", d(2025, 2, 1), Some(d(2025, 2, 2))),
                pm("000627", d(2025, 1, 5), Some(d(2025, 3, 30))),
                pm("000628", d(2025, 1, 5), None),
                in_use,
            ],
            correctives: vec![
                corrective(1, Some(ClosureCode::DeviceFailure(FailureArea::Battery)), 9),
                corrective(2, Some(ClosureCode::CouldNotDuplicate), 3),
                corrective(3, Some(ClosureCode::AbuseDamage), 2),
                corrective(3, None, 1),
            ],
            recalls: vec![RecallRow {
                number: "Z-1234-2025".into(),
                title: "Occlusion alarm may fail to sound at low flow rates".into(),
                source: "fda".into(),
                received_on: d(2025, 2, 10),
                closed_on: None,
                pending: 3,
                not_affected: 4,
                remediated: 10,
                removed_from_service: 1,
            }],
        };
        let period = Period::new(d(2025, 1, 1), d(2025, 4, 1)).unwrap();
        survey(
            Scope::site("MAIN", "Riverside Main"),
            period,
            d(2025, 4, 1),
            &inputs,
            &Settings::default(),
        )
    }

    #[test]
    fn html_is_one_self_contained_page_with_every_section() {
        let h = html(&sample());
        assert!(h.starts_with("<!DOCTYPE html>"));
        for s in SECTIONS {
            assert!(h.contains(&format!("<h2>{s}</h2>")), "{s}");
        }
        // Charts are inline SVG; nothing is fetched.
        assert_eq!(h.matches("<svg").count(), 3);
        assert!(!h.contains("src=") && !h.contains("href=") && !h.contains("<script"));
        // Text is escaped.
        assert!(h.contains("Cardiac <span class=\"nw\">Step-Down</span> &amp; &lt;Telemetry&gt;"));
        assert!(!h.contains("<Telemetry>"));
        // Each section states its period and scope, and the formulas.
        assert_eq!(
            h.matches("Period: 2025-01-01 to 2025-03-31 (90 days). Sites: MAIN Riverside Main.")
                .count(),
            SECTIONS.len()
        );
        assert!(h.contains("PM completion = PMs completed in their window / PMs due"));
        assert!(h.contains("could-not-duplicate / closed corrective work orders"));
        // Each high-risk miss is listed with its reason.
        assert!(h.contains("<span class=\"nw\">BME-000627</span>"));
        assert!(h.contains("Completed late"));
        assert!(h.contains("BME-000628") && h.contains("Overdue"));
        assert!(h.contains("BME-000626") && h.contains("Attempted: not located"));
    }

    #[test]
    fn pdf_is_well_formed_with_every_section() {
        let f = pdf(&sample());
        let b = &f.bytes;
        assert!(b.starts_with(b"%PDF-"));
        assert!(b.trim_ascii_end().ends_with(b"%%EOF"));
        let text = String::from_utf8_lossy(b);
        let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
        assert_eq!(f.pages, pages);
        assert!(text.contains(&format!("/Count {}", f.pages)));
        for s in SECTIONS {
            assert!(text.contains(&format!("({s}) Tj")), "{s}");
        }
        assert!(text.contains("/BaseFont /Helvetica-Bold"));
        assert!(text.contains("/Encoding /WinAnsiEncoding"));
        // The same figures give the same bytes: no clock, no randomness.
        assert_eq!(pdf(&sample()).bytes, f.bytes);
    }
}
