//! The report as a PDF: A4 pages laid out here (text wrapped by the
//! Helvetica width table, tables that carry their header onto the next
//! page, keep-with-next headings), charts drawn as vector paths, and the
//! two base-14 fonts (Helvetica, Helvetica-Bold) in WinAnsi encoding, so no
//! font file is embedded. Content streams are left uncompressed: the file
//! stays small enough and its text can be searched as it is.

use crate::metrics::{encode, width};
use crate::model::{self, Align, Bar, Block, Column, MonthChart, Rgb, Row};
use biomend_analytics::survey::SurveyReport;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 42.0;
const RIGHT: f32 = PAGE_W - 42.0;
const TOP: f32 = PAGE_H - 46.0;
const BOTTOM: f32 = 54.0;
const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;

const INK: Rgb = Rgb(0.11, 0.15, 0.20);
const GREY: Rgb = Rgb(0.29, 0.35, 0.40);
const RULE: Rgb = Rgb(0.83, 0.86, 0.89);
const SHADE: Rgb = Rgb(0.91, 0.93, 0.95);
const TRACK: Rgb = Rgb(0.93, 0.95, 0.965);

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// A finished PDF file and how many pages it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdfFile {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// Pages being laid out, top to bottom.
struct Layout {
    done: Vec<Content>,
    page: Content,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            done: Vec::new(),
            page: Content::new(),
            y: TOP,
        }
    }

    fn new_page(&mut self) {
        let full = std::mem::replace(&mut self.page, Content::new());
        self.done.push(full);
        self.y = TOP;
    }

    /// Starts a new page unless `h` points still fit on this one.
    fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM && self.y < TOP {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, colour: Rgb, s: &str) {
        let bytes = encode(s);
        let c = &mut self.page;
        c.set_fill_rgb(colour.0, colour.1, colour.2);
        c.begin_text();
        c.set_font(if bold { BOLD } else { REGULAR }, size);
        c.next_line(x, y);
        c.show(Str(&bytes));
        c.end_text();
    }

    fn text_right(&mut self, right: f32, y: f32, size: f32, bold: bool, colour: Rgb, s: &str) {
        let w = width(s, bold, size);
        self.text(right - w, y, size, bold, colour, s);
    }

    fn text_centre(&mut self, centre: f32, y: f32, size: f32, colour: Rgb, s: &str) {
        let w = width(s, false, size);
        self.text(centre - w / 2.0, y, size, false, colour, s);
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Rgb) {
        let c = &mut self.page;
        c.set_fill_rgb(colour.0, colour.1, colour.2);
        c.rect(x, y, w, h);
        c.fill_nonzero();
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, w: f32, colour: Rgb) {
        let c = &mut self.page;
        c.set_stroke_rgb(colour.0, colour.1, colour.2);
        c.set_line_width(w);
        c.move_to(x1, y1);
        c.line_to(x2, y2);
        c.stroke();
    }

    /// Wrapped text that flows onto the next page as needed.
    fn paragraph(&mut self, s: &str, size: f32, bold: bool, colour: Rgb, gap_after: f32) {
        let lead = size * 1.3;
        for line in wrap(s, bold, size, RIGHT - LEFT) {
            self.ensure(lead);
            self.y -= lead;
            self.text(LEFT, self.y + size * 0.25, size, bold, colour, &line);
        }
        self.y -= gap_after;
    }
}

/// Splits `s` into lines no wider than `max` points; a word wider than a
/// line is cut.
pub fn wrap(s: &str, bold: bool, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if width(&candidate, bold, size) <= max {
            cur = candidate;
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        // A single word too wide for the line: cut it.
        let mut piece = String::new();
        for ch in word.chars() {
            piece.push(ch);
            if width(&piece, bold, size) > max {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(ch);
            }
        }
        cur = piece;
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// The whole report as a PDF.
pub fn render(r: &SurveyReport) -> PdfFile {
    let mut l = Layout::new();
    l.y -= 18.0;
    l.text(LEFT, l.y, 17.0, true, model::ACCENT, model::TITLE);
    l.y -= 8.0;
    for p in model::preamble(r) {
        l.paragraph(&p, BODY, false, GREY, 0.0);
    }
    l.y -= 4.0;
    for b in model::blocks(r) {
        block(&mut l, &b);
    }
    l.new_page();
    let pages = l.done;
    let total = pages.len();
    let footer_left = format!("Biomend - {} - {}", model::TITLE, r.scope.label);
    let footer_mid = format!("{} to {}", r.period.from, r.last_day());

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let page_ids: Vec<Ref> = (0..total).map(|i| Ref::new(6 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(total as i32);
    for (id, name) in [(regular, "Helvetica"), (bold, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let title = format!("{} - {}", model::TITLE, r.scope.label);
    pdf.document_info(info)
        .title(TextStr(&title))
        .producer(TextStr("Biomend"));
    for (i, content) in pages.into_iter().enumerate() {
        let mut foot = Layout {
            done: Vec::new(),
            page: Content::new(),
            y: 0.0,
        };
        foot.line(LEFT, 40.0, RIGHT, 40.0, 0.5, RULE);
        foot.text(LEFT, 28.0, SMALL, false, GREY, &footer_left);
        foot.text_centre(PAGE_W / 2.0 + 60.0, 28.0, SMALL, GREY, &footer_mid);
        foot.text_right(
            RIGHT,
            28.0,
            SMALL,
            false,
            GREY,
            &format!("Page {} of {total}", i + 1),
        );
        let mut bytes = content.finish().into_vec();
        bytes.push(b'\n');
        bytes.extend(foot.page.finish().into_vec());
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(content_id);
        let mut res = page.resources();
        res.fonts().pair(REGULAR, regular).pair(BOLD, bold);
        res.finish();
        page.finish();
        pdf.stream(content_id, &bytes);
    }
    PdfFile {
        bytes: pdf.finish(),
        pages: total,
    }
}

fn block(l: &mut Layout, b: &Block) {
    match b {
        Block::Heading(t) => {
            // Keep the heading with what follows it: its lines, formula
            // and the first chart or rows.
            l.ensure(230.0);
            if l.y < TOP {
                l.y -= 12.0;
            }
            l.y -= 15.0;
            l.text(LEFT, l.y, 12.5, true, model::ACCENT, t);
            l.y -= 5.0;
            l.line(LEFT, l.y, RIGHT, l.y, 1.0, model::ACCENT);
            l.y -= 3.0;
        }
        Block::Meta(t) => l.paragraph(t, 8.0, false, GREY, 3.0),
        Block::Para(t) => {
            l.y -= 2.0;
            l.paragraph(t, BODY, false, INK, 3.0)
        }
        Block::Note(t) => {
            l.y -= 1.0;
            l.paragraph(t, SMALL, false, GREY, 4.0)
        }
        Block::Formula(t) => formula(l, t),
        Block::Figures(f) => figures(l, f),
        Block::Bars { title, bars } => bar_chart(l, title, bars),
        Block::Months { title, chart } => month_chart(l, title, chart),
        Block::Table { columns, rows } => table(l, columns, rows),
    }
}

fn formula(l: &mut Layout, t: &str) {
    let size = 8.0;
    let lead = size * 1.3;
    let text = format!("Formula: {t}");
    let lines = wrap(&text, false, size, RIGHT - LEFT - 14.0);
    let h = lines.len() as f32 * lead + 6.0;
    l.ensure(h + 6.0);
    l.y -= 4.0;
    l.fill(LEFT, l.y - h, RIGHT - LEFT, h, SHADE);
    l.fill(LEFT, l.y - h, 2.5, h, model::MUTED);
    let mut y = l.y - 3.0;
    for line in lines {
        y -= lead;
        l.text(LEFT + 9.0, y + 2.5, size, false, INK, &line);
    }
    l.y -= h + 5.0;
}

fn figures(l: &mut Layout, f: &[(String, String, String)]) {
    let per_row = 3;
    let gap = 8.0;
    let w = (RIGHT - LEFT - gap * (per_row as f32 - 1.0)) / per_row as f32;
    let h = 46.0;
    for chunk in f.chunks(per_row) {
        l.ensure(h + gap);
        l.y -= 4.0;
        for (i, (label, value, sub)) in chunk.iter().enumerate() {
            let x = LEFT + i as f32 * (w + gap);
            let y = l.y - h;
            l.fill(x, y, w, h, TRACK);
            l.fill(x, y, 2.5, h, model::ACCENT);
            l.text(
                x + 8.0,
                y + h - 11.0,
                SMALL,
                false,
                GREY,
                &fit(label, false, SMALL, w - 12.0),
            );
            l.text(
                x + 8.0,
                y + h - 28.0,
                14.0,
                true,
                model::ACCENT,
                &fit(value, true, 14.0, w - 12.0),
            );
            l.text(
                x + 8.0,
                y + 7.0,
                7.0,
                false,
                GREY,
                &fit(sub, false, 7.0, w - 12.0),
            );
        }
        l.y -= h + 2.0;
    }
    l.y -= 4.0;
}

/// `s` cut with an ellipsis to fit `max` points.
fn fit(s: &str, bold: bool, size: f32, max: f32) -> String {
    if width(s, bold, size) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for ch in s.chars() {
        out.push(ch);
        if width(&format!("{out}..."), bold, size) > max {
            out.pop();
            break;
        }
    }
    format!("{}...", out.trim_end())
}

fn chart_title(l: &mut Layout, title: &str) {
    l.y -= 12.0;
    l.text(LEFT, l.y, 8.5, true, INK, title);
    l.y -= 6.0;
}

fn bar_chart(l: &mut Layout, title: &str, bars: &[Bar]) {
    let row = 17.0;
    let label_w = 130.0;
    let text_w = 110.0;
    let axis = RIGHT - LEFT - label_w - text_w;
    l.ensure(row * bars.len() as f32 + 40.0);
    chart_title(l, title);
    let x0 = LEFT + label_w;
    let top = l.y;
    for (i, b) in bars.iter().enumerate() {
        let y = top - row * (i as f32 + 1.0);
        l.text_right(x0 - 6.0, y + 4.0, 8.0, b.strong, INK, &b.label);
        l.fill(x0, y + 1.0, axis, 12.0, TRACK);
        if let Some(f) = b.fraction {
            let colour = if b.strong {
                model::ACCENT
            } else {
                model::MUTED
            };
            l.fill(x0, y + 1.0, axis * f.clamp(0.0, 1.0) as f32, 12.0, colour);
        }
        l.text(x0 + axis + 6.0, y + 4.0, 8.0, false, INK, &b.text);
    }
    let bottom = top - row * bars.len() as f32 - 2.0;
    for (f, t) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
        let x = x0 + axis * f;
        l.line(x, top, x, bottom, 0.4, GREY);
        l.text_centre(x, bottom - 9.0, 7.0, GREY, t);
    }
    l.y = bottom - 16.0;
}

fn month_chart(l: &mut Layout, title: &str, c: &MonthChart) {
    let plot_h = 110.0;
    let left = LEFT + 28.0;
    let right = RIGHT - 4.0;
    l.ensure(plot_h + 62.0);
    chart_title(l, title);
    let top = l.y - 4.0;
    let base = top - plot_h;
    let n = c.months.len().max(1) as f32;
    let slot = (right - left) / n;
    let k = c.series.len().max(1) as f32;
    let bar = (slot * 0.75 / k).min(20.0);
    let max = crate::html::nice_max(
        c.series
            .iter()
            .flat_map(|(_, _, v)| v.iter().copied())
            .max()
            .unwrap_or(0),
    );
    for i in 0..=4 {
        let y = base + plot_h * i as f32 / 4.0;
        l.line(left, y, right, y, 0.4, RULE);
        let v = max as f64 * f64::from(i) / 4.0;
        let t = if (v - v.round()).abs() < 1e-9 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        };
        l.text_right(left - 4.0, y - 2.5, 7.0, false, GREY, &t);
    }
    for (i, m) in c.months.iter().enumerate() {
        let x0 = left + slot * i as f32 + (slot - bar * k) / 2.0;
        for (j, (_, colour, values)) in c.series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0);
            let h = plot_h * v as f32 / max as f32;
            if h > 0.0 {
                l.fill(x0 + bar * j as f32, base, bar, h, *colour);
            }
        }
        l.text_centre(left + slot * (i as f32 + 0.5), base - 10.0, 6.5, GREY, m);
    }
    l.line(left, base, right, base, 0.6, GREY);
    let mut x = left;
    let ly = base - 24.0;
    for (name, colour, _) in &c.series {
        l.fill(x, ly, 8.0, 8.0, *colour);
        l.text(x + 11.0, ly + 1.0, 7.5, false, INK, name);
        x += 24.0 + width(name, false, 7.5);
    }
    l.y = ly - 10.0;
}

/// Table text size and cell padding, in points.
const CELL: f32 = 7.2;
const PAD: f32 = 3.0;

/// Each column's width in points: the page's width shared by the
/// columns' relative widths.
fn column_widths(columns: &[Column]) -> Vec<f32> {
    let total: f32 = columns.iter().map(|c| c.width).sum();
    columns
        .iter()
        .map(|c| (RIGHT - LEFT) * c.width / total)
        .collect()
}

fn table(l: &mut Layout, columns: &[Column], rows: &[Row]) {
    let size = CELL;
    let lead = size * 1.25;
    let pad = PAD;
    let widths = column_widths(columns);
    let wrap_cells = |cells: &[String], bold: bool| -> Vec<Vec<String>> {
        cells
            .iter()
            .zip(&widths)
            .map(|(s, w)| wrap(s, bold, size, w - 2.0 * pad))
            .collect()
    };
    let head = wrap_cells(
        &columns.iter().map(|c| c.title.clone()).collect::<Vec<_>>(),
        true,
    );
    let head_h = head.iter().map(Vec::len).max().unwrap_or(1) as f32 * lead + 4.0;
    let draw_head = |l: &mut Layout| {
        l.fill(LEFT, l.y - head_h, RIGHT - LEFT, head_h, SHADE);
        draw_row(l, columns, &widths, &head, true, size, lead, pad);
        l.y -= head_h;
    };
    let group_h = lead + 5.0;
    let first_h = rows.iter().take(2).fold(0.0, |h, r| {
        h + match r {
            Row::Group(_) => group_h,
            Row::Cells(c) => row_height(&wrap_cells(c, false), lead),
        }
    });
    l.ensure(head_h + first_h + 8.0);
    l.y -= 4.0;
    draw_head(l);
    for (i, row) in rows.iter().enumerate() {
        match row {
            Row::Group(t) => {
                // A group title never ends a page: keep it with a row.
                let next = match rows.get(i + 1) {
                    Some(Row::Cells(c)) => row_height(&wrap_cells(c, false), lead),
                    _ => 0.0,
                };
                if l.y - group_h - next < BOTTOM {
                    l.new_page();
                    draw_head(l);
                }
                l.fill(LEFT, l.y - group_h, RIGHT - LEFT, group_h, TRACK);
                l.text(
                    LEFT + pad,
                    l.y - lead - 1.5,
                    size + 0.3,
                    true,
                    model::ACCENT,
                    t,
                );
                l.y -= group_h;
            }
            Row::Cells(row) => {
                let cells = wrap_cells(row, false);
                let h = row_height(&cells, lead);
                if l.y - h < BOTTOM {
                    l.new_page();
                    draw_head(l);
                }
                draw_row(l, columns, &widths, &cells, false, size, lead, pad);
                l.y -= h;
                l.line(LEFT, l.y, RIGHT, l.y, 0.3, RULE);
            }
        }
    }
    l.y -= 6.0;
}

fn row_height(cells: &[Vec<String>], lead: f32) -> f32 {
    cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * lead + 3.0
}

#[allow(clippy::too_many_arguments)]
fn draw_row(
    l: &mut Layout,
    columns: &[Column],
    widths: &[f32],
    cells: &[Vec<String>],
    bold: bool,
    size: f32,
    lead: f32,
    pad: f32,
) {
    let mut x = LEFT;
    for ((c, w), lines) in columns.iter().zip(widths).zip(cells) {
        let mut y = l.y - lead + 0.5;
        for line in lines {
            match c.align {
                Align::Left => l.text(x + pad, y, size, bold, INK, line),
                Align::Right => l.text_right(x + w - pad, y, size, bold, INK, line),
            }
            y -= lead;
        }
        x += w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::sample;

    #[test]
    fn wrapping_keeps_words_whole_and_lines_inside() {
        let lines = wrap("Completed late after the window closed", false, 10.0, 60.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(width(l, false, 10.0) <= 60.0, "{l}");
        }
        assert_eq!(lines.join(" "), "Completed late after the window closed");
        // A word wider than the line is cut rather than overflowing.
        let cut = wrap("WWWWWWWWWWWW", true, 10.0, 30.0);
        assert!(cut.len() > 1);
        assert_eq!(cut.concat(), "WWWWWWWWWWWW");
        assert_eq!(wrap("", false, 10.0, 30.0), vec![String::new()]);
    }

    /// No table cuts a word in two: every header word and every word of
    /// the sample's cells (the demo hospital's longest tags, numbers and
    /// names) fits its column.
    #[test]
    fn table_columns_fit_their_words() {
        for b in model::blocks(&sample()) {
            let Block::Table { columns, rows } = b else {
                continue;
            };
            let widths = column_widths(&columns);
            for (i, c) in columns.iter().enumerate() {
                let room = widths[i] - 2.0 * PAD;
                let cells = rows.iter().filter_map(|r| match r {
                    Row::Cells(c) => Some((c[i].as_str(), false)),
                    Row::Group(_) => None,
                });
                for (text, bold) in std::iter::once((c.title.as_str(), true)).chain(cells) {
                    for word in text.split_whitespace() {
                        assert!(
                            width(word, bold, CELL) <= room,
                            "'{word}' is wider than column '{}' ({room:.1} pt)",
                            c.title
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_long_table_carries_its_header_onto_the_next_page() {
        let mut r = sample();
        let one = r.misses.rows[0].clone();
        r.misses.rows = vec![one; 150];
        let f = render(&r);
        assert!(f.pages >= 4, "{} pages", f.pages);
        let text = String::from_utf8_lossy(&f.bytes);
        // The header's "Follow-up" is drawn once per page the table
        // spans, at least three times for 150 rows.
        assert!(text.matches("(Follow-up) Tj").count() >= 3);
    }
}
