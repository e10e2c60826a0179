//! The signature pad's strokes as SVG path data (`M x y L x y …`), in the
//! pad's own coordinates, small enough to sync.

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pad {
    path: String,
    last: Option<(i32, i32)>,
    drawing: bool,
    points: usize,
}

impl Pad {
    /// A pen, finger or mouse touched down at `(x, y)`.
    pub fn begin(&mut self, x: f64, y: f64) {
        let p = (x.round() as i32, y.round() as i32);
        if !self.path.is_empty() {
            self.path.push(' ');
        }
        self.path.push_str(&format!("M {} {}", p.0, p.1));
        self.last = Some(p);
        self.drawing = true;
        self.points += 1;
    }

    /// The pointer moved while down; repeated points are dropped. Returns
    /// the segment to draw, if any.
    pub fn extend(&mut self, x: f64, y: f64) -> Option<((i32, i32), (i32, i32))> {
        if !self.drawing {
            return None;
        }
        let p = (x.round() as i32, y.round() as i32);
        let from = self.last?;
        if from == p {
            return None;
        }
        self.path.push_str(&format!(" L {} {}", p.0, p.1));
        self.last = Some(p);
        self.points += 1;
        Some((from, p))
    }

    pub fn end(&mut self) {
        self.drawing = false;
    }

    pub fn clear(&mut self) {
        *self = Pad::default();
    }

    pub fn is_drawing(&self) -> bool {
        self.drawing
    }

    /// A signature needs more than a dot.
    pub fn is_signed(&self) -> bool {
        self.points >= 2
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path to save, or `None` while the pad is blank.
    pub fn signature(&self) -> Option<String> {
        self.is_signed().then(|| self.path.clone())
    }

    /// The strokes to redraw, as point lists, from a path this pad wrote.
    pub fn strokes(&self) -> Vec<Vec<(i32, i32)>> {
        parse_path(&self.path)
    }
}

/// Reads `M x y L x y …` back into strokes.
pub fn parse_path(path: &str) -> Vec<Vec<(i32, i32)>> {
    let mut out: Vec<Vec<(i32, i32)>> = Vec::new();
    let mut it = path.split_whitespace();
    while let Some(cmd) = it.next() {
        let (Some(x), Some(y)) = (it.next(), it.next()) else {
            break;
        };
        let (Ok(x), Ok(y)) = (x.parse(), y.parse()) else {
            break;
        };
        match cmd {
            "M" => out.push(vec![(x, y)]),
            "L" => match out.last_mut() {
                Some(s) => s.push((x, y)),
                None => out.push(vec![(x, y)]),
            },
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strokes_become_svg_path_data() {
        let mut p = Pad::default();
        assert_eq!(p.signature(), None);
        p.begin(10.4, 20.6);
        assert_eq!(p.signature(), None, "a dot is not a signature");
        assert_eq!(p.extend(10.2, 21.0), None, "the same point again");
        assert_eq!(p.extend(15.0, 25.0), Some(((10, 21), (15, 25))));
        p.end();
        assert_eq!(p.extend(99.0, 99.0), None, "moving with the pen up");
        p.begin(30.0, 5.0);
        p.extend(31.0, 6.0);
        p.end();
        assert_eq!(
            p.signature().as_deref(),
            Some("M 10 21 L 15 25 M 30 5 L 31 6")
        );
        assert_eq!(
            p.strokes(),
            vec![vec![(10, 21), (15, 25)], vec![(30, 5), (31, 6)]]
        );
        p.clear();
        assert_eq!(p.signature(), None);
        assert_eq!(p.path(), "");
    }
}
