//! The report as one self-contained HTML page: inline CSS (with print
//! rules: A4, section breaks, repeated table headers) and inline SVG
//! charts; no script, no external file.

use crate::model::{self, Align, Bar, Block, MonthChart, Row};
use biomend_analytics::survey::SurveyReport;
use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A table cell's text, escaped, with each hyphenated token (tags, work
/// order numbers, dates) kept on one line: browsers break at hyphens.
fn cell(s: &str) -> String {
    s.split(' ')
        .map(|t| {
            if t.contains('-') {
                format!("<span class=\"nw\">{}</span>", esc(t))
            } else {
                esc(t)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const CSS: &str = r#"
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: Helvetica, Arial, sans-serif; color: #1d2733; margin: 0 auto; max-width: 190mm; padding: 12px; font-size: 10.5pt; line-height: 1.35; }
h1 { font-size: 19pt; margin: 0 0 4px; color: #1c5c9e; }
h2 { font-size: 13pt; margin: 22px 0 4px; padding-bottom: 3px; border-bottom: 1.5px solid #1c5c9e; color: #1c5c9e; break-after: avoid; }
section { break-inside: auto; }
section + section { break-before: auto; }
.pre { color: #4a5866; margin: 2px 0; }
.meta { color: #4a5866; font-size: 9pt; margin: 0 0 6px; }
.formula { font-size: 9pt; background: #f2f5f8; border-left: 3px solid #8c9eb3; padding: 4px 8px; margin: 6px 0; }
.note { font-size: 8.5pt; color: #4a5866; margin: 4px 0 8px; }
.figures { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; margin: 8px 0; }
.figure { border: 1px solid #d3dbe4; border-radius: 4px; padding: 6px 8px; break-inside: avoid; }
.figure .label { font-size: 8.5pt; color: #4a5866; }
.figure .value { font-size: 16pt; font-weight: bold; color: #1c5c9e; }
.figure .sub { font-size: 8pt; color: #4a5866; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 6px 0 4px; }
thead { display: table-header-group; }
th { text-align: left; background: #e7edf3; font-weight: bold; padding: 3px 4px; vertical-align: bottom; }
td { padding: 2.5px 4px; border-bottom: 1px solid #e3e8ee; vertical-align: top; }
tr { break-inside: avoid; }
tr.group td { font-weight: bold; background: #f2f5f8; padding-top: 5px; }
.r { text-align: right; }
.nw { white-space: nowrap; }
figure { margin: 8px 0; break-inside: avoid; }
figcaption { font-size: 9pt; font-weight: bold; margin-bottom: 2px; }
svg text { font-family: Helvetica, Arial, sans-serif; }
"#;

/// The whole page.
pub fn render(r: &SurveyReport) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{} - {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(model::TITLE),
        esc(&r.scope.label),
        esc(model::TITLE)
    );
    for line in model::preamble(r) {
        let _ = writeln!(h, "<p class=\"pre\">{}</p>", esc(&line));
    }
    let mut open = false;
    for b in model::blocks(r) {
        match b {
            Block::Heading(t) => {
                if open {
                    h.push_str("</section>\n");
                }
                open = true;
                let _ = writeln!(h, "<section>\n<h2>{}</h2>", esc(&t));
            }
            Block::Meta(t) => {
                let _ = writeln!(h, "<p class=\"meta\">{}</p>", esc(&t));
            }
            Block::Para(t) => {
                let _ = writeln!(h, "<p>{}</p>", esc(&t));
            }
            Block::Note(t) => {
                let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(&t));
            }
            Block::Formula(t) => {
                let _ = writeln!(h, "<p class=\"formula\"><b>Formula:</b> {}</p>", esc(&t));
            }
            Block::Figures(f) => {
                h.push_str("<div class=\"figures\">\n");
                for (label, value, sub) in f {
                    let _ = writeln!(
                        h,
                        "<div class=\"figure\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"sub\">{}</div></div>",
                        esc(&label),
                        esc(&value),
                        esc(&sub)
                    );
                }
                h.push_str("</div>\n");
            }
            Block::Bars { title, bars } => bars_svg(&mut h, &title, &bars),
            Block::Months { title, chart } => months_svg(&mut h, &title, &chart),
            Block::Table { columns, rows } => {
                h.push_str("<table>\n<thead><tr>");
                for c in &columns {
                    let class = if c.align == Align::Right {
                        " class=\"r\""
                    } else {
                        ""
                    };
                    let _ = write!(h, "<th{class}>{}</th>", esc(&c.title));
                }
                h.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    let row = match row {
                        Row::Group(t) => {
                            let _ = writeln!(
                                h,
                                "<tr class=\"group\"><td colspan=\"{}\">{}</td></tr>",
                                columns.len(),
                                esc(&t)
                            );
                            continue;
                        }
                        Row::Cells(c) => c,
                    };
                    h.push_str("<tr>");
                    for (c, text) in columns.iter().zip(row) {
                        let class = if c.align == Align::Right {
                            " class=\"r\""
                        } else {
                            ""
                        };
                        let _ = write!(h, "<td{class}>{}</td>", cell(&text));
                    }
                    h.push_str("</tr>\n");
                }
                h.push_str("</tbody>\n</table>\n");
            }
        }
    }
    if open {
        h.push_str("</section>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn bars_svg(h: &mut String, title: &str, bars: &[Bar]) {
    let (w, label_w, text_w, row) = (680.0, 170.0, 130.0, 22.0);
    let axis = w - label_w - text_w;
    let height = row * bars.len() as f64 + 22.0;
    let _ = write!(
        h,
        "<figure><figcaption>{}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\">\n",
        esc(title),
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i as f64 * row + 4.0;
        let colour = if b.strong {
            model::ACCENT
        } else {
            model::MUTED
        };
        let _ = writeln!(
            h,
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 12.0,
            esc(&b.label)
        );
        let _ = writeln!(
            h,
            "<rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{axis}\" height=\"15\" fill=\"#eef2f6\"/>"
        );
        if let Some(f) = b.fraction {
            let _ = writeln!(
                h,
                "<rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"15\" fill=\"{}\"/>",
                axis * f.clamp(0.0, 1.0),
                colour.hex()
            );
        }
        let _ = writeln!(
            h,
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"11\">{}</text>",
            label_w + axis + 6.0,
            y + 12.0,
            esc(&b.text)
        );
    }
    // The axis: 0, 50%, 100%.
    let base = bars.len() as f64 * row + 4.0;
    for (f, t) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
        let x = label_w + axis * f;
        let _ = writeln!(
            h,
            "<line x1=\"{x}\" y1=\"2\" x2=\"{x}\" y2=\"{base}\" stroke=\"#9aa8b6\" stroke-width=\"0.6\" stroke-dasharray=\"2 2\"/><text x=\"{x}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#4a5866\">{t}</text>",
            base + 13.0
        );
    }
    h.push_str("</svg></figure>\n");
}

/// A round axis maximum (1, 2, 5 × 10^n) at or above `max`.
pub fn nice_max(max: u64) -> u64 {
    let max = max.max(1);
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step >= max {
                return m * step;
            }
        }
        step *= 10;
    }
}

fn months_svg(h: &mut String, title: &str, c: &MonthChart) {
    let (w, left, top, plot_h) = (680.0, 36.0, 8.0, 150.0);
    let n = c.months.len().max(1) as f64;
    let slot = (w - left - 8.0) / n;
    let k = c.series.len().max(1) as f64;
    let bar = (slot * 0.75 / k).min(28.0);
    let max = nice_max(
        c.series
            .iter()
            .flat_map(|(_, _, v)| v.iter().copied())
            .max()
            .unwrap_or(0),
    );
    let height = top + plot_h + 40.0;
    let _ = write!(
        h,
        "<figure><figcaption>{}</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\">\n",
        esc(title),
        esc(title)
    );
    for i in 0..=4 {
        let v = max as f64 * f64::from(i) / 4.0;
        let y = top + plot_h - plot_h * f64::from(i) / 4.0;
        let _ = writeln!(
            h,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#d3dbe4\" stroke-width=\"0.6\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#4a5866\">{}</text>",
            w - 8.0,
            left - 4.0,
            y + 3.5,
            fmt_tick(v)
        );
    }
    for (i, m) in c.months.iter().enumerate() {
        let x0 = left + slot * i as f64 + (slot - bar * k) / 2.0;
        for (j, (_, colour, values)) in c.series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0);
            let bh = plot_h * v as f64 / max as f64;
            let _ = writeln!(
                h,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{} {}: {v}</title></rect>",
                x0 + bar * j as f64,
                top + plot_h - bh,
                colour.hex(),
                esc(m),
                esc(&c.series[j].0)
            );
        }
        let _ = writeln!(
            h,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#4a5866\">{}</text>",
            left + slot * (i as f64 + 0.5),
            top + plot_h + 13.0,
            esc(m)
        );
    }
    let mut x = left;
    for (name, colour, _) in &c.series {
        let _ = writeln!(
            h,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"10.5\">{}</text>",
            top + plot_h + 22.0,
            colour.hex(),
            x + 14.0,
            top + plot_h + 31.0,
            esc(name)
        );
        x += 30.0 + name.len() as f64 * 6.5;
    }
    h.push_str("</svg></figure>\n");
}

fn fmt_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
