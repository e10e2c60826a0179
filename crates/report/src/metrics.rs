//! Text measurement and encoding for the two base-14 fonts the PDF uses.
//! The advance widths are Adobe's published metrics (AFM) for Helvetica
//! and Helvetica-Bold, in thousandths of the font size; text is encoded as
//! WinAnsi (Windows-1252), the encoding the fonts are declared with.

/// Widths of the characters 32 (space) to 126 (`~`).
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 32-47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 48-63
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 64-79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 80-95
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 96-111
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 112-126
];

const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 32-47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 48-63
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 64-79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 80-95
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 96-111
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, // 112-126
];

/// The WinAnsi byte(s) for one character: Latin-1 letters map to
/// themselves, a few typographic marks to their Windows-1252 codes, a few
/// symbols to ASCII spellings, anything else to `?`.
fn win_ansi(c: char, out: &mut Vec<u8>) {
    let b = match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '−' => b'-',
        '≥' => {
            out.extend(b">=");
            return;
        }
        '≤' => {
            out.extend(b"<=");
            return;
        }
        '→' => {
            out.extend(b"->");
            return;
        }
        _ => b'?',
    };
    out.push(b);
}

/// `s` in WinAnsi.
pub fn encode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        win_ansi(c, &mut out);
    }
    out
}

fn byte_width(b: u8, bold: bool) -> u16 {
    match b {
        32..=126 => {
            let t = if bold { &HELVETICA_BOLD } else { &HELVETICA };
            t[usize::from(b - 32)]
        }
        0x95 => 350,
        0x97 | 0x85 | 0x80 => 1000,
        0x91 | 0x92 => {
            if bold {
                278
            } else {
                222
            }
        }
        0xb1 | 0xd7 => 584,
        0xb0 => 400,
        0xb5 => 556,
        // Accented Latin letters are as wide as their base letters; 556
        // (a lower-case letter or digit) is close for the rest.
        _ => 556,
    }
}

/// The width of `s` in points at `size`.
pub fn width(s: &str, bold: bool, size: f32) -> f32 {
    let units: u32 = encode(s)
        .iter()
        .map(|b| u32::from(byte_width(*b, bold)))
        .sum();
    units as f32 * size / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_come_from_the_font_metrics() {
        // "Hi" in Helvetica: H 722 + i 222 = 944 thousandths; at 10 pt, 9.44.
        assert!((width("Hi", false, 10.0) - 9.44).abs() < 1e-4);
        // Bold: H 722 + i 278 = 1000; at 12 pt, 12.
        assert!((width("Hi", true, 12.0) - 12.0).abs() < 1e-4);
        assert_eq!(width("", false, 10.0), 0.0);
    }

    #[test]
    fn text_is_encoded_as_win_ansi() {
        assert_eq!(
            encode("A—é ± ≥"),
            vec![b'A', 0x97, 0xe9, b' ', 0xb1, b' ', b'>', b'=']
        );
        assert_eq!(encode("✓"), b"?".to_vec());
    }
}
