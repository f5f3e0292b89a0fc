//! Drawing PNG pictures quickly: a report draws thousands of them (two per unit).
//!
//! Three costs dominated (perf on a report at 1 M risk points): rasterising the same glyphs again
//! for every label, allocating and zeroing a fresh pixel buffer for every picture, and PNG
//! encoding with adaptive filtering. Here the bitmap backend is wrapped so that text is drawn from
//! a per-thread cache of rasterised glyphs (laid out as plotters' own text drawing does, except
//! that each glyph sits at its left side bearing and its coverage has 32 steps), each thread keeps
//! one pixel buffer for all its pictures, and the PNG is written by [`encode`], which writes a
//! row that repeats the one above as a copy of it ([`super::deflate`]).
//!
//! A picture is drawn straight into palette indices ([`Indexed`], the same pixels as plotters'
//! RGB bitmap backend), and only one of more than 256 colours again in RGB. Drawn in RGB and
//! indexed afterwards, the report's charts (PNG) were a quarter of the 1 M report's CPU samples:
//! three bytes a pixel to fill, compare and look up. Alternating the two binaries on the 1 M
//! report, the process's user CPU time went down by 13–32 % (`/usr/bin/time`, three pairs, before
//! [`Indexed`] blended a run of one colour once).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use ab_glyph::{Font, FontRef, GlyphId, ScaleFont};
use plotters::backend::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use super::indexed::{Colours, Indexed};
use super::{Figure, draw, encode, font};
use crate::error::Result;

/// Glyphs kept per thread before the cache starts over: a bound on its memory whatever text the
/// labels hold (a CJK glyph at label sizes is a few hundred pixels).
const MAX_CACHED_GLYPHS: usize = 16 * 1024;

/// One glyph rasterised at one size: its covered pixels relative to its box, in plotters'
/// drawing order, and the left and top of its box (which place it from the pen position).
struct Raster {
    min_x: f32,
    min_y: f32,
    pixels: Vec<(u16, u16, f32)>,
}

/// Rasterised glyphs by glyph and size (the `f32` bits plotters scales the font with); `None`
/// for glyphs without an outline (spaces).
type GlyphCache = HashMap<(GlyphId, u32), Option<Rc<Raster>>>;

/// The levels of a glyph's coverage (its anti-aliasing) above none.
const COVERAGE_STEPS: f32 = 32.0;

thread_local! {
    /// This thread's glyphs.
    static GLYPHS: RefCell<GlyphCache> = RefCell::new(HashMap::new());
    /// The pixel buffer this thread draws into, and the PNG encoder's buffers, all reused from
    /// picture to picture.
    static PIXELS: RefCell<(Vec<u8>, encode::Scratch)> =
        const { RefCell::new((Vec::new(), encode::Scratch::new())) };
}

/// The glyph `id` at `size` pixels, rasterised once per thread.
fn glyph(font: &FontRef<'static>, id: GlyphId, size: f32) -> Option<Rc<Raster>> {
    GLYPHS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(g) = cache.get(&(id, size.to_bits())) {
            return g.clone();
        }
        if cache.len() >= MAX_CACHED_GLYPHS {
            cache.clear();
        }
        let raster = font.outline_glyph(id.with_scale(size)).map(|q| {
            let mut pixels = Vec::new();
            q.draw(|x, y, c| {
                // Coverage in 32 steps: the eye cannot tell them from more, and a chart's text
                // then adds few colours, so that the PNG encoder can mostly use a palette.
                let c = (c.clamp(0.0, 1.0) * COVERAGE_STEPS).round() / COVERAGE_STEPS;
                // Uncovered pixels draw nothing (plotters skips alpha 0).
                if c > 0.0 {
                    pixels.push((x as u16, y as u16, c));
                }
            });
            Rc::new(Raster {
                min_x: q.px_bounds().min.x,
                min_y: q.px_bounds().min.y,
                pixels,
            })
        });
        cache.insert((id, size.to_bits()), raster.clone());
        raster
    })
}

/// A backend glyph pixels are drawn on ([`Indexed`] draws them faster than pixel by pixel).
pub(super) trait GlyphPixels: DrawingBackend {
    /// Draws a pixel of a glyph: `color` at `coverage`, as plotters' text drawing does.
    fn glyph_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
        coverage: f32,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.draw_pixel(point, color.mix(f64::from(coverage)))
    }
}

impl GlyphPixels for BitMapBackend<'_> {}

/// A pixel backend (plotters' RGB bitmap, or [`Indexed`]) whose text comes from the glyph
/// cache; everything else is the inner backend's own.
struct CachedText<B> {
    inner: B,
    font: &'static FontRef<'static>,
}

impl<B: GlyphPixels> DrawingBackend for CachedText<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    /// plotters' text drawing (its `DrawingBackend::draw_text` with its ab_glyph font's `draw`),
    /// step for step, except that each glyph is rasterised once per thread and size.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        // Only our registered family is cached; anything else is drawn as plotters would.
        if style.family().as_str() != draw::FONT {
            return self.inner.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.inner.get_size();
        let size = style.size() as f32;
        let font = self.font.as_scaled(size);
        let mut x_shift = 0f32;
        let mut prev: Option<GlyphId> = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                x_shift += font.kern(p, id);
            }
            prev = Some(id);
            if let Some(g) = glyph(self.font, id, size) {
                let y_shift = (size / 2.0 + g.min_y) as i32;
                // The glyph's box starts at its left side bearing from the pen. plotters' own
                // text drawing leaves the bearing out, which puts gaps after narrow glyphs
                // ("201 3", "城关 镇").
                let x_shift = (x_shift + g.min_x) as i32;
                for &(x, y, coverage) in &g.pixels {
                    let (x, y) = (i32::from(x) + x_shift, i32::from(y) + y_shift);
                    let (x, y) = trans.transform(x + dx - min_x, y + dy - min_y);
                    let (x, y) = (pos.0 + x, pos.1 + y);
                    if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                        self.inner.glyph_pixel((x, y), color, coverage)?;
                    }
                }
            }
            x_shift += font.h_advance(id);
        }
        Ok(())
    }
}

/// Draws a figure and encodes it as PNG (see [`encode`]): straight into palette indices
/// ([`Indexed`]), or, for a picture of more than 256 colours, again in RGB.
pub(super) fn png(figure: &Figure, (w, h): (u32, u32)) -> Result<Vec<u8>> {
    let font = font::face()?;
    let len = (w as usize) * (h as usize);
    PIXELS.with(|buffers| {
        let (pixels, scratch) = &mut *buffers.borrow_mut();
        // The picture's first step fills it white; the buffer's old pixels never show.
        pixels.resize(len, 0);
        let mut colours = Colours::new();
        let inner = Indexed::new(&mut pixels[..len], (w, h), &mut colours);
        let drawn = draw::figure(CachedText { inner, font }, figure);
        if let Some(palette) = colours.palette() {
            drawn?;
            return encode::png_indexed(&pixels[..len], w, h, palette, scratch);
        }
        let len = len * 3;
        pixels.resize(len, 0);
        {
            let inner = BitMapBackend::with_buffer(&mut pixels[..len], (w, h));
            draw::figure(CachedText { inner, font }, figure)?;
        }
        encode::png(&pixels[..len], w, h, scratch)
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::{Chart, Heatmap, Kind, Series, chart_error};
    use super::*;
    use plotters::style::{
        BLACK, BLUE, Color, GREEN, IntoFont, MAGENTA, RED, RGBColor, TextStyle, WHITE,
    };

    /// The pixels plotters' RGB bitmap backend draws for `figure` (text from the glyph cache).
    fn bitmap_pixels(figure: &Figure, (w, h): (u32, u32)) -> Result<Vec<u8>> {
        let font = font::face()?;
        let mut rgb = vec![0u8; (w * h * 3) as usize];
        {
            let inner = BitMapBackend::with_buffer(&mut rgb, (w, h));
            draw::figure(CachedText { inner, font }, figure)?;
        }
        Ok(rgb)
    }

    /// A PNG's pixels, as RGB, and its colour type (3: a palette, 2: RGB).
    fn decoded(png: &[u8]) -> Result<(Vec<u8>, u8)> {
        let img = image::load_from_memory(png).map_err(|e| chart_error(e.to_string()))?;
        Ok((img.to_rgb8().into_raw(), png[8 + 8 + 9]))
    }

    fn series(name: &str, values: &[f64]) -> Series {
        Series {
            name: name.into(),
            values: values.to_vec(),
        }
    }

    /// Figures of every kind the report draws: bars, stacked bars with many categories (turned
    /// labels), lines with their circles, and a heat map; and whether each fits a palette (the
    /// lines' anti-aliased slopes blend more than 256 colours).
    pub(in crate::charts) fn figures() -> Vec<(&'static str, Figure, bool)> {
        let chart = |kind, categories: Vec<String>, series| {
            Figure::Chart(Chart {
                kind,
                title: "各部门风险等级分布 <2013>".into(),
                x_label: "部门".into(),
                y_label: "风险点数".into(),
                categories,
                series,
            })
        };
        let three = vec![
            "党政办".into(),
            "财政所".into(),
            "社会事务办公室（综合）".into(),
        ];
        let many: Vec<String> = (0..40)
            .map(|i| format!("第{i}个单位名称很长很长"))
            .collect();
        let years: Vec<String> = (2012..2020).map(|y| y.to_string()).collect();
        vec![
            (
                "bars",
                chart(
                    Kind::Bar,
                    three.clone(),
                    vec![
                        series("高", &[3.0, 5.0, 1.0]),
                        series("中", &[4.0, 2.0, 6.5]),
                    ],
                ),
                true,
            ),
            (
                "stacked",
                chart(
                    Kind::Stacked,
                    many,
                    vec![
                        series("高", &(0..40).map(f64::from).collect::<Vec<_>>()),
                        series("低", &(0..40).map(|i| f64::from(i % 7)).collect::<Vec<_>>()),
                    ],
                ),
                true,
            ),
            (
                "lines",
                chart(
                    Kind::Line,
                    years,
                    vec![
                        series("新增", &[1.0, 9.0, 4.0, 4.0, 12.0, 0.0, 3.0, 8.0]),
                        series("删除", &[0.5, 2.0, 7.0, 1.0, 1.0, 6.0, 2.0, 2.0]),
                    ],
                ),
                false,
            ),
            (
                "heatmap",
                Figure::Heatmap(Heatmap {
                    title: "风险类型".into(),
                    x_label: "类型".into(),
                    y_label: "部门".into(),
                    columns: three.clone(),
                    rows: three,
                    values: vec![
                        vec![1.0, 2.0, 3.0],
                        vec![4.0, 0.0, 9.0],
                        vec![2.5, 7.0, 8.0],
                    ],
                }),
                true,
            ),
        ]
    }

    #[test]
    fn drawn_in_palette_indices_a_figure_has_the_bitmap_backends_pixels() -> Result<()> {
        for (name, figure, fits) in figures() {
            for size in [(960, 540), (333, 201)] {
                let (pixels, colour_type) = decoded(&png(&figure, size)?)?;
                let expected = if fits { 3 } else { 2 };
                assert_eq!(colour_type, expected, "{name} at {size:?}: PNG colour type");
                assert!(
                    pixels == bitmap_pixels(&figure, size)?,
                    "{name} at {size:?}: other pixels than plotters' bitmap backend draws"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn a_figure_of_more_than_256_colours_is_drawn_again_in_rgb() -> Result<()> {
        // A heat map of 400 different values: a shade each.
        let names: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        let figure = Figure::Heatmap(Heatmap {
            title: "400".into(),
            x_label: String::new(),
            y_label: String::new(),
            columns: names.clone(),
            rows: names,
            values: (0..20)
                .map(|r| (0..20).map(|c| f64::from(r * 20 + c)).collect())
                .collect(),
        });
        let size = (800, 800);
        let (pixels, colour_type) = decoded(&png(&figure, size)?)?;
        assert_eq!(
            colour_type, 2,
            "the test needs a picture of more than 256 colours"
        );
        assert!(pixels == bitmap_pixels(&figure, size)?);
        Ok(())
    }

    /// Draws with every primitive, both fast paths and plotters' rasteriser: fills and blends
    /// of every row length from 1 to 19 pixels (the rectangle blend's eight-pixel groups and
    /// the rest), straight lines either way round, opaque and blended, lines and outlines
    /// running out of the picture, a thick line, circles, single pixels.
    fn paint<B: DrawingBackend>(
        b: &mut B,
    ) -> std::result::Result<(), DrawingErrorKind<B::ErrorType>> {
        let (w, h) = b.get_size();
        b.draw_rect((0, 0), (w as i32, h as i32), &WHITE, true)?;
        for n in 1..20 {
            let y = n * 4;
            b.draw_rect(
                (2, y),
                (2 + n, y + 2),
                &RGBColor(200, 30, 90).mix(0.37),
                true,
            )?;
            b.draw_rect((30, y), (30 + n, y + 2), &RGBColor(20, 130, 90), true)?;
            b.draw_rect((40 + n, y), (40, y + 3), &BLUE.mix(0.81), true)?;
        }
        b.draw_line((5, 90), (70, 90), &BLUE.mix(0.5))?;
        b.draw_line((70, 92), (5, 92), &BLUE)?;
        b.draw_line((75, 95), (75, 3), &GREEN)?;
        b.draw_line((77, 3), (77, 95), &GREEN.mix(0.2))?;
        b.draw_line((0, 0), (99, 77), &BLACK)?;
        b.draw_line((-5, -5), (150, 50), &Color::stroke_width(&RED, 3))?;
        b.draw_line((-20, 50), (140, 50), &BLACK)?;
        b.draw_line((60, -20), (60, 140), &MAGENTA)?;
        b.draw_circle((50, 50), 20, &MAGENTA.mix(0.6), true)?;
        b.draw_circle((80, 20), 9, &BLACK, false)?;
        b.draw_rect((10, 10), (150, 150), &BLACK, false)?;
        b.draw_rect((-10, 85), (20, 120), &RED.mix(0.5), true)?;
        b.draw_pixel((99, 99), BLACK.mix(0.3).to_backend_color())?;
        b.draw_pixel((98, 99), BLACK.mix(0.002).to_backend_color())?;
        b.draw_pixel((-1, 5), BLACK.to_backend_color())?;
        b.draw_pixel((5, 100), BLACK.to_backend_color())?;
        Ok(())
    }

    #[test]
    fn every_primitive_gives_the_bitmap_backends_pixels() -> Result<()> {
        let (w, h) = (100u32, 100u32);
        let mut rgb = vec![0u8; (w * h * 3) as usize];
        paint(&mut BitMapBackend::with_buffer(&mut rgb, (w, h)))
            .map_err(|e| chart_error(e.to_string()))?;
        let mut indices = vec![0u8; (w * h) as usize];
        let mut colours = Colours::new();
        paint(&mut Indexed::new(&mut indices, (w, h), &mut colours))
            .map_err(|e| chart_error(e.to_string()))?;
        let palette = colours
            .palette()
            .ok_or_else(|| chart_error("palette full"))?;
        let expanded: Vec<u8> = indices
            .iter()
            .flat_map(|&i| palette[usize::from(i)])
            .collect();
        for (i, (a, b)) in expanded.chunks(3).zip(rgb.chunks(3)).enumerate() {
            assert_eq!(a, b, "pixel ({}, {})", i as u32 % w, i as u32 / w);
        }
        Ok(())
    }

    /// The columns of a 200 × 60 picture with ink, after drawing `text` at its top left corner.
    fn ink_columns(text: &str) -> Result<Vec<u32>> {
        let font = font::face()?;
        let (w, h) = (200u32, 60u32);
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        {
            let mut backend = CachedText {
                inner: BitMapBackend::with_buffer(&mut rgb, (w, h)),
                font,
            };
            let style = TextStyle::from((draw::FONT, 40).into_font()).color(&BLACK);
            backend
                .draw_text(text, &style, (0, 0))
                .map_err(|e| super::super::chart_error(e.to_string()))?;
        }
        Ok((0..w)
            .filter(|&x| (0..h).any(|y| rgb[((y * w + x) * 3) as usize] < 255))
            .collect())
    }

    #[test]
    fn each_glyph_starts_at_its_left_side_bearing() -> Result<()> {
        let font = font::face()?;
        let scaled = font.as_scaled(40.0);
        let (zero, one) = (font.glyph_id('0'), font.glyph_id('1'));
        // "1" alone: its ink starts at its bearing (a narrow glyph with a wide one).
        let bearing = scaled.h_side_bearing(one);
        assert!(bearing > 2.0, "the test needs a '1' with a visible bearing");
        let ink = ink_columns("1")?;
        let first = ink.first().copied().unwrap_or(0) as f32;
        assert!(
            (first - bearing).abs() <= 1.5,
            "ink at {first}, bearing {bearing}"
        );
        // "01": the '1' starts one advance of '0' and its own bearing from the left, so the
        // gap after the '0' is what the font says, not the bearing more.
        let ink = ink_columns("01")?;
        let gap_start = ink.windows(2).find(|p| p[1] > p[0] + 1).map(|p| p[1]);
        let expected = scaled.h_advance(zero) + scaled.kern(zero, one) + bearing;
        let second = gap_start.map_or(0.0, |x| x as f32);
        assert!(
            (second - expected).abs() <= 1.5,
            "'1' at {second}, expected {expected}"
        );
        Ok(())
    }
}
