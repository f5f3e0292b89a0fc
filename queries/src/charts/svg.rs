//! A plotters backend that writes SVG: the same document as plotters' own `SVGBackend`, byte
//! for byte (a test draws the report's kinds of figures with both), written straight into the
//! output instead of through a `format!` string for every attribute and a character-by-character
//! escape.
//!
//! The report draws two charts on each unit's page, 32,000 at 10 M risk points, and plotters'
//! backend spent most of an SVG's time formatting and allocating (criterion `levels/svg`:
//! `escape_and_push`, `format_inner`, `malloc` and `free` the top of the profile).

use std::convert::Infallible;
use std::fmt::Write as _;

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle, FontTransform,
};

type Drawn = Result<(), DrawingErrorKind<Infallible>>;

/// An SVG document of `size` pixels written into a string; the `<svg>` element is closed by
/// `present` (or when dropped).
pub(super) struct Svg<'a> {
    out: &'a mut String,
    size: (u32, u32),
    closed: bool,
}

impl<'a> Svg<'a> {
    /// Starts a document of `(w, h)` pixels at the end of `out`.
    pub(super) fn new(out: &'a mut String, (w, h): (u32, u32)) -> Svg<'a> {
        out.reserve(16 * 1024);
        let _ = writeln!(
            out,
            "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             xmlns=\"http://www.w3.org/2000/svg\">"
        );
        Svg {
            out,
            size: (w, h),
            closed: false,
        }
    }

    /// ` name="`: an attribute's start.
    fn attr(&mut self, name: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
    }

    /// An attribute holding a number.
    fn number(&mut self, name: &str, v: impl std::fmt::Display) {
        self.attr(name);
        let _ = write!(self.out, "{v}\"");
    }

    /// An attribute holding text, escaped.
    fn text(&mut self, name: &str, v: &str) {
        self.attr(name);
        escape(self.out, v);
        self.out.push('"');
    }

    /// `opacity` as plotters writes it (the alpha's shortest decimal form).
    fn opacity(&mut self, c: BackendColor) {
        self.attr("opacity");
        if c.alpha == 1.0 {
            self.out.push('1');
        } else {
            let _ = write!(self.out, "{}", c.alpha);
        }
        self.out.push('"');
    }

    /// A colour attribute, `#RRGGBB`.
    fn colour(&mut self, name: &str, c: BackendColor) {
        self.attr(name);
        push_colour(self.out, c);
        self.out.push('"');
    }

    /// Starts element `tag` (`<rect`…) drawn in `color`; false, and nothing written, when the
    /// colour is invisible (plotters writes nothing then).
    fn start(&mut self, tag: &str, color: BackendColor) -> bool {
        if color.alpha == 0.0 {
            return false;
        }
        self.out.push_str(tag);
        true
    }

    /// A filled shape's `fill` and `stroke="none"`, or an outline's `fill="none"` and `stroke`.
    fn paint(&mut self, color: BackendColor, fill: bool) {
        if fill {
            self.colour("fill", color);
            self.out.push_str(" stroke=\"none\"");
        } else {
            self.out.push_str(" fill=\"none\"");
            self.colour("stroke", color);
        }
    }

    /// `points` of a polyline or polygon: `x,y ` for each.
    fn points(&mut self, path: impl IntoIterator<Item = BackendCoord>) {
        self.attr("points");
        for (x, y) in path {
            let _ = write!(self.out, "{x},{y} ");
        }
        self.out.push('"');
    }
}

/// `#RRGGBB`, upper-case hex.
fn push_colour(out: &mut String, c: BackendColor) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let (r, g, b) = c.rgb;
    out.push('#');
    for v in [r, g, b] {
        out.push(char::from(HEX[usize::from(v >> 4)]));
        out.push(char::from(HEX[usize::from(v & 15)]));
    }
}

/// `s` with `<`, `>`, `&`, `"` and `'` escaped (plotters' set), the rest copied in slices.
fn escape(out: &mut String, s: &str) {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let with = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            _ => continue,
        };
        // The escaped bytes are ASCII, so `from` and `i` lie on character boundaries.
        out.push_str(&s[from..i]);
        out.push_str(with);
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

impl DrawingBackend for Svg<'_> {
    type ErrorType = Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Drawn {
        Ok(())
    }

    fn present(&mut self) -> Drawn {
        if !self.closed {
            self.out.push_str("</svg>\n");
            self.closed = true;
        }
        Ok(())
    }

    fn draw_pixel(&mut self, (x, y): BackendCoord, color: BackendColor) -> Drawn {
        if !self.start("<rect", color) {
            return Ok(());
        }
        self.number("x", x);
        self.number("y", y);
        self.out
            .push_str(" width=\"1\" height=\"1\" stroke=\"none\"");
        self.opacity(color);
        self.colour("fill", color);
        self.out.push_str("/>\n");
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn {
        let color = style.color();
        if !self.start("<line", color) {
            return Ok(());
        }
        self.opacity(color);
        self.colour("stroke", color);
        self.number("stroke-width", style.stroke_width());
        self.number("x1", from.0);
        self.number("y1", from.1);
        self.number("x2", to.0);
        self.number("y2", to.1);
        self.out.push_str("/>\n");
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        let color = style.color();
        if !self.start("<rect", color) {
            return Ok(());
        }
        self.number("x", upper_left.0);
        self.number("y", upper_left.1);
        self.number("width", bottom_right.0 - upper_left.0);
        self.number("height", bottom_right.1 - upper_left.1);
        self.opacity(color);
        self.paint(color, fill);
        self.out.push_str("/>\n");
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        let color = style.color();
        if !self.start("<polyline", color) {
            return Ok(());
        }
        self.out.push_str(" fill=\"none\"");
        self.opacity(color);
        self.colour("stroke", color);
        self.number("stroke-width", style.stroke_width());
        self.points(path);
        self.out.push_str("/>\n");
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        let color = style.color();
        if !self.start("<polygon", color) {
            return Ok(());
        }
        self.opacity(color);
        self.colour("fill", color);
        self.points(path);
        self.out.push_str("/>\n");
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        let color = style.color();
        if !self.start("<circle", color) {
            return Ok(());
        }
        self.number("cx", center.0);
        self.number("cy", center.1);
        self.number("r", radius);
        self.opacity(color);
        self.paint(color, fill);
        self.number("stroke-width", style.stroke_width());
        self.out.push_str("/>\n");
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Drawn {
        let color = style.color();
        if !self.start("<text", color) {
            return Ok(());
        }
        let (x, y) = pos;
        let anchor = style.anchor();
        self.number("x", x);
        self.number("y", y);
        self.text(
            "dy",
            match anchor.v_pos {
                VPos::Top => "0.76em",
                VPos::Center => "0.5ex",
                VPos::Bottom => "-0.5ex",
            },
        );
        self.text(
            "text-anchor",
            match anchor.h_pos {
                HPos::Left => "start",
                HPos::Right => "end",
                HPos::Center => "middle",
            },
        );
        self.text("font-family", style.family().as_str());
        self.number("font-size", style.size() / 1.24);
        self.opacity(color);
        self.colour("fill", color);
        match style.style() {
            FontStyle::Normal => {}
            FontStyle::Bold => self.text("font-weight", "bold"),
            other => self.text("font-style", other.as_str()),
        }
        let degrees = match style.transform() {
            FontTransform::Rotate90 => Some(90),
            FontTransform::Rotate180 => Some(180),
            FontTransform::Rotate270 => Some(270),
            _ => None,
        };
        if let Some(d) = degrees {
            self.attr("transform");
            let _ = write!(self.out, "rotate({d}, {x}, {y})\"");
        }
        self.out.push_str(">\n");
        escape(self.out, text);
        self.out.push_str("\n</text>\n");
        Ok(())
    }
}

impl Drop for Svg<'_> {
    fn drop(&mut self) {
        let _ = self.present();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{SIZE, draw, font, raster};

    /// Every kind of figure the report draws, at two sizes, written by plotters' `SVGBackend`
    /// and by [`Svg`]: the same document.
    #[test]
    fn the_same_document_as_plotters_svg_backend() -> crate::error::Result<()> {
        font::ensure()?;
        for (name, figure, _) in raster::tests::figures() {
            for size in [SIZE, (1300, 700)] {
                let mut theirs = String::new();
                draw::figure(
                    plotters::backend::SVGBackend::with_string(&mut theirs, size),
                    &figure,
                )?;
                let mut ours = String::new();
                draw::figure(Svg::new(&mut ours, size), &figure)?;
                assert_eq!(ours, theirs, "{name} at {size:?}");
            }
        }
        Ok(())
    }

    /// Each primitive with opaque, translucent and invisible colours, outlines and fills,
    /// every text anchor, style and turn, and text that must be escaped.
    fn primitives<B: DrawingBackend>(b: &mut B) {
        use plotters::prelude::*;
        use plotters::style::text_anchor::Pos;
        let colours = [
            RGBColor(1, 2, 255).mix(1.0),
            RGBColor(10, 171, 0).mix(0.35),
            BLACK.mix(0.0),
        ];
        for c in colours {
            let thick = ShapeStyle::from(c).stroke_width(3);
            assert!(b.draw_pixel((3, -4), c.to_backend_color()).is_ok());
            assert!(b.draw_line((0, 1), (250, -7), &thick).is_ok());
            assert!(b.draw_rect((5, 6), (70, 80), &c, true).is_ok());
            assert!(b.draw_rect((70, 80), (5, 6), &thick, false).is_ok());
            assert!(b.draw_path([(1, 2), (30, 40), (-5, 60)], &thick).is_ok());
            assert!(b.fill_polygon([(1, 2), (30, 40), (-5, 60)], &c).is_ok());
            assert!(b.draw_circle((50, 60), 7, &thick, false).is_ok());
            assert!(b.draw_circle((50, 60), 4, &c, true).is_ok());
        }
        let text = "风险 <b a=\"x\">&'é";
        for (h, v) in [
            (HPos::Left, VPos::Top),
            (HPos::Center, VPos::Center),
            (HPos::Right, VPos::Bottom),
        ] {
            for transform in [
                FontTransform::None,
                FontTransform::Rotate90,
                FontTransform::Rotate180,
                FontTransform::Rotate270,
            ] {
                for style in [
                    FontStyle::Normal,
                    FontStyle::Bold,
                    FontStyle::Italic,
                    FontStyle::Oblique,
                ] {
                    let font = ("sans-serif", 13.5, style)
                        .into_font()
                        .transform(transform.clone());
                    let t = TextStyle::from(font)
                        .color(&RGBColor(200, 16, 46))
                        .pos(Pos::new(h, v));
                    assert!(b.draw_text(text, &t, (40, 20)).is_ok());
                }
            }
        }
        assert!(b.present().is_ok());
    }

    #[test]
    fn every_primitive_as_plotters_writes_it() {
        let (mut theirs, mut ours) = (String::new(), String::new());
        primitives(&mut plotters::backend::SVGBackend::with_string(
            &mut theirs,
            (300, 200),
        ));
        primitives(&mut Svg::new(&mut ours, (300, 200)));
        assert!(ours.contains("&lt;b a=&quot;x&quot;&gt;&amp;&apos;é"));
        assert_eq!(ours, theirs);
    }
}
