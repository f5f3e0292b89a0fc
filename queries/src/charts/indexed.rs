//! A plotters backend that draws straight into palette indices, one byte per pixel.
//!
//! A chart has few colours (the report's have at most a few hundred: flat fills, and text in 32
//! steps of coverage), so its PNG is written with a palette ([`super::encode`]). Drawn in RGB,
//! each picture was three bytes a pixel to fill, then a pass looking every changed pixel up in
//! the palette, and rows three times as long to compare and filter. Here each pixel is its
//! index from the start: a fill is a `memset` of indices, and a blended pixel (text, edges)
//! looks its new colour up once.
//!
//! Every pixel gets the colour plotters' own bitmap backend would give it: the same fast paths
//! for straight lines and filled rectangles, the same integer blending (its per-pixel `blend`,
//! and its rectangle blend's eight-pixel form), and plotters' rasteriser for everything else.
//! The tests draw the report's kinds of figures both ways and compare every pixel. A picture
//! that needs more than 256 colours stops drawing at the 257th ([`Full`]), and the caller draws
//! it again in RGB.

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, DrawingBackend, DrawingErrorKind, rasterizer,
};

use super::encode::Palette;
use super::raster::GlyphPixels;

/// Why an indexed picture stopped: it needs more than 256 colours.
#[derive(Debug)]
pub(super) struct Full;

impl std::fmt::Display for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the picture has more than 256 colours")
    }
}

impl std::error::Error for Full {}

/// The result of a drawing step.
type Drawn<T> = Result<T, DrawingErrorKind<Full>>;

/// The colours of an indexed picture, kept by the caller (plotters takes the backend itself).
pub(super) struct Colours {
    palette: Palette,
    /// A colour did not fit in the palette: the picture is incomplete.
    full: bool,
    /// Blends already computed: `(key, index)` by a hash of the key ([`Blend::key`]), so that
    /// the pixels of a grid line or of text over one background look their colour up once.
    blends: Vec<(u64, u8)>,
}

/// Which of plotters' two blending formulas.
#[derive(Clone, Copy)]
enum Blend {
    /// Its per-pixel `blend` ([`mix`]).
    Pixel,
    /// Its rectangle blend's eight-pixel form ([`mix_grouped`]).
    Grouped,
}

impl Blend {
    /// The colour over index `under` at opacity `a` (0 to 256) by this formula, as one number:
    /// 8 bits of index, 24 of colour, 9 of opacity and one of formula.
    fn key(self, under: u8, (r, g, b): (u8, u8, u8), a: u64) -> u64 {
        let rgb = u64::from(u32::from_be_bytes([0, r, g, b]));
        u64::from(under) | rgb << 8 | (a & 0x1FF) << 32 | (self as u64) << 41
    }
}

/// Slots of the blend cache; a power of two.
const BLEND_SLOTS: usize = 1024;

impl Colours {
    /// No colours yet.
    pub(super) fn new() -> Colours {
        Colours {
            palette: Palette::new(),
            full: false,
            blends: vec![(u64::MAX, 0); BLEND_SLOTS],
        }
    }

    /// The index of colour `rgb`, added to the palette if new. Past 256 colours the picture
    /// is marked full and drawing stops with [`Full`].
    fn index(&mut self, (r, g, b): (u8, u8, u8)) -> Drawn<u8> {
        self.palette
            .index(u32::from_be_bytes([0, r, g, b]))
            .ok_or_else(|| {
                self.full = true;
                DrawingErrorKind::DrawingError(Full)
            })
    }

    /// The index of colour `rgb` at opacity `a` (of 256) over the colour of index `under`, by
    /// formula `how`: from the cache, else computed and kept.
    fn blend(&mut self, under: u8, rgb: (u8, u8, u8), a: u64, how: Blend) -> Drawn<u8> {
        let key = how.key(under, rgb, a);
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize % BLEND_SLOTS;
        if let Some(&(k, i)) = self.blends.get(slot)
            && k == key
        {
            return Ok(i);
        }
        let below = self.palette.colour(under);
        let mixed = match how {
            Blend::Pixel => mix(below, rgb, a),
            Blend::Grouped => mix_grouped(below, rgb, a),
        };
        let i = self.index(mixed)?;
        if let Some(s) = self.blends.get_mut(slot) {
            *s = (key, i);
        }
        Ok(i)
    }

    /// Blends `rgb` at opacity `a` over every pixel of `run` by formula `how`, a run of one
    /// colour below at a time: a grid line crosses the plot's background and a few bars, so
    /// each run is blended once and filled (pixel by pixel, the lookups took 15 % of drawing a
    /// chart's PNG, criterion `levels/png`).
    fn blend_runs(&mut self, run: &mut [u8], rgb: (u8, u8, u8), a: u64, how: Blend) -> Drawn<()> {
        let mut rest = run;
        while let Some(&under) = rest.first() {
            let len = rest.iter().position(|&p| p != under).unwrap_or(rest.len());
            let (same, after) = rest.split_at_mut(len);
            same.fill(self.blend(under, rgb, a, how)?);
            rest = after;
        }
        Ok(())
    }

    /// The palette, index by index, or `None` when the picture needed more than 256 colours
    /// (and so is incomplete).
    pub(super) fn palette(&self) -> Option<&[[u8; 3]]> {
        (!self.full).then(|| self.palette.colours())
    }
}

/// A picture of `w` × `h` palette indices, rows top to bottom, and its colours.
pub(super) struct Indexed<'a> {
    pixels: &'a mut [u8],
    size: (u32, u32),
    colours: &'a mut Colours,
    /// The text colour whose glyph pixels [`GlyphMemo::levels`] hold, as `(alpha bits, rgb)`.
    glyph_colour: Option<(u64, (u8, u8, u8))>,
    glyph_memo: GlyphMemo,
}

/// For each level of a glyph's coverage, the last index under a pixel of that level and the
/// index drawn over it: text lies mostly on one background, so nearly every glyph pixel is a
/// comparison here instead of a blend looked up by hash.
struct GlyphMemo {
    /// `(index under, index drawn)`; `None` before the level's first pixel.
    levels: [Option<(u8, u8)>; GLYPH_LEVELS],
}

/// Coverage levels a glyph pixel can have: 1 to 32 steps of 32 ([`super::raster`]), and room
/// for any other value, which is drawn without the memo.
const GLYPH_LEVELS: usize = 33;

impl<'a> Indexed<'a> {
    /// A backend over `pixels` (`w` × `h` bytes, whose old contents are never read before the
    /// picture's first fill covers them: every figure starts by filling its whole area) and
    /// `colours` (new).
    pub(super) fn new(
        pixels: &'a mut [u8],
        (w, h): (u32, u32),
        colours: &'a mut Colours,
    ) -> Indexed<'a> {
        Indexed {
            pixels,
            size: (w, h),
            colours,
            glyph_colour: None,
            glyph_memo: GlyphMemo {
                levels: [None; GLYPH_LEVELS],
            },
        }
    }

    /// The index of colour `rgb` ([`Colours::index`]).
    fn index(&mut self, rgb: (u8, u8, u8)) -> Drawn<u8> {
        self.colours.index(rgb)
    }

    /// The pixel offset of `(x, y)`, if it lies in the picture.
    fn at(&self, (x, y): BackendCoord) -> Option<usize> {
        let (w, h) = self.size;
        (x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h)
            .then(|| y as usize * w as usize + x as usize)
    }

    /// Fills the rectangle from `upper_left` to `bottom_right` (exclusive), clipped, with one
    /// colour: plotters' `fill_rect_fast`.
    fn fill(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        rgb: (u8, u8, u8),
    ) -> Drawn<()> {
        let Some((x0, y0, x1, y1)) = self.clip(upper_left, bottom_right) else {
            return Ok(());
        };
        let i = self.index(rgb)?;
        let w = self.size.0 as usize;
        if x0 == 0 && x1 == w {
            self.pixels[y0 * w..y1 * w].fill(i);
        } else {
            for y in y0..y1 {
                self.pixels[y * w + x0..y * w + x1].fill(i);
            }
        }
        Ok(())
    }

    /// The rectangle between two corners (the second exclusive) as plotters' fast fills
    /// normalise and clip it: `(x0, y0, x1, y1)`, or `None` when nothing of it is inside.
    fn clip(
        &self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
    ) -> Option<(usize, usize, usize, usize)> {
        let (w, h) = (self.size.0 as i32, self.size.1 as i32);
        let x0 = upper_left.0.min(bottom_right.0).max(0);
        let y0 = upper_left.1.min(bottom_right.1).max(0);
        let x1 = upper_left.0.max(bottom_right.0).min(w);
        let y1 = upper_left.1.max(bottom_right.1).min(h);
        (x0 < x1 && y0 < y1).then_some((x0 as usize, y0 as usize, x1 as usize, y1 as usize))
    }

    /// Blends colour `rgb` at opacity `alpha` over the rectangle, as plotters'
    /// `blend_rect_fast`: eight pixels at a time by one formula, the rest of a row by `blend`.
    fn blend_rect(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        rgb: (u8, u8, u8),
        alpha: f64,
    ) -> Drawn<()> {
        let alpha = alpha.clamp(0.0, 1.0);
        if alpha == 0.0 {
            return Ok(());
        }
        let Some((x0, y0, x1, y1)) = self.clip(upper_left, bottom_right) else {
            return Ok(());
        };
        // Truncation is `floor` for these non-negative values, without a call to libm.
        let a = (256.0 * alpha) as u64;
        let w = self.size.0 as usize;
        // The eight-pixel form covers (count - 1) / 8 groups of eight from the row's start.
        let grouped = (x1 - x0 - 1) / 8 * 8;
        for y in y0..y1 {
            let (grouped_part, rest) = self.pixels[y * w + x0..y * w + x1].split_at_mut(grouped);
            self.colours
                .blend_runs(grouped_part, rgb, a, Blend::Grouped)?;
            self.colours.blend_runs(rest, rgb, a, Blend::Pixel)?;
        }
        Ok(())
    }

    /// The index of colour `rgb` at opacity `a` (of 256) over index `under` ([`Colours::blend`]).
    fn blend(&mut self, under: u8, rgb: (u8, u8, u8), a: u64, how: Blend) -> Drawn<u8> {
        self.colours.blend(under, rgb, a, how)
    }
}

/// plotters' `blend` of one channel: `new` over `prev` at opacity `a` / 256.
fn blend(prev: u8, new: u8, a: u64) -> u8 {
    if new > prev {
        prev + (u64::from(new - prev) * a / 256) as u8
    } else {
        prev - (u64::from(prev - new) * a / 256) as u8
    }
}

/// A colour over another by [`blend`], channel by channel.
fn mix(under: [u8; 3], (r, g, b): (u8, u8, u8), a: u64) -> (u8, u8, u8) {
    (
        blend(under[0], r, a),
        blend(under[1], g, a),
        blend(under[2], b, a),
    )
}

/// A colour over another as plotters' rectangle blend computes eight pixels at once:
/// `(under × (256 − a) + new × a) / 256`, rounded down, channel by channel.
fn mix_grouped(under: [u8; 3], (r, g, b): (u8, u8, u8), a: u64) -> (u8, u8, u8) {
    let one = |d: u8, s: u8| ((u64::from(d) * (256 - a) + u64::from(s) * a) >> 8) as u8;
    (one(under[0], r), one(under[1], g), one(under[2], b))
}

impl GlyphPixels for Indexed<'_> {
    /// Draws a glyph's pixel: `color` at `coverage` (steps of 1/32), the same pixel as
    /// `draw_pixel` of the colour mixed with the coverage, which plotters' text drawing draws.
    fn glyph_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
        coverage: f32,
    ) -> Drawn<()> {
        let Some(at) = self.at(point) else {
            return Ok(());
        };
        let key = (color.alpha.to_bits(), color.rgb);
        if self.glyph_colour != Some(key) {
            self.glyph_colour = Some(key);
            self.glyph_memo.levels = [None; GLYPH_LEVELS];
        }
        let steps = coverage * 32.0;
        let level = steps as usize;
        let under = self.pixels[at];
        // A coverage off the steps (never from the glyph cache) is drawn without the memo.
        if level as f32 != steps || level >= GLYPH_LEVELS {
            return self.draw_pixel(point, color.mix(f64::from(coverage)));
        }
        if let Some((below, drawn)) = self.glyph_memo.levels[level]
            && below == under
        {
            self.pixels[at] = drawn;
            return Ok(());
        }
        self.draw_pixel(point, color.mix(f64::from(coverage)))?;
        self.glyph_memo.levels[level] = Some((under, self.pixels[at]));
        Ok(())
    }
}

impl DrawingBackend for Indexed<'_> {
    type ErrorType = Full;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    /// plotters' bitmap `draw_pixel`: opaque from 255/256 on, blended below.
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let Some(at) = self.at(point) else {
            return Ok(());
        };
        let alpha = color.alpha;
        self.pixels[at] = if alpha >= 1.0 - 1.0 / 256.0 {
            self.index(color.rgb)?
        } else if alpha <= 0.0 {
            return Ok(());
        } else {
            // `floor`, as truncation of a positive value.
            let a = (alpha * 256.0) as u64;
            self.blend(self.pixels[at], color.rgb, a, Blend::Pixel)?
        };
        Ok(())
    }

    /// plotters' bitmap `draw_line`: a straight line one pixel wide is a fill (or a blend), any
    /// other goes to the rasteriser.
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if (from.0 == to.0 || from.1 == to.1) && style.stroke_width() == 1 {
            let color = style.color();
            return if color.alpha >= 1.0 {
                if from.1 == to.1 {
                    self.fill(from, (to.0 + 1, to.1 + 1), color.rgb)
                } else {
                    self.vertical(from.0, (from.1, to.1), color.rgb)
                }
            } else {
                self.blend_rect(from, (to.0 + 1, to.1 + 1), color.rgb, color.alpha)
            };
        }
        rasterizer::draw_line(self, from, to, style)
    }

    /// plotters' bitmap `draw_rect`: a filled one is a fill (or a blend) up to `bottom_right`
    /// exclusive; an outline goes to the rasteriser.
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if fill {
            let color = style.color();
            return if color.alpha >= 1.0 {
                self.fill(upper_left, bottom_right, color.rgb)
            } else {
                self.blend_rect(upper_left, bottom_right, color.rgb, color.alpha)
            };
        }
        rasterizer::draw_rect(self, upper_left, bottom_right, style, fill)
    }

    /// An RGB bitmap (`size`, 3 bytes a pixel) copied in at `pos`, clipped.
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (sw, sh): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if sw == 0 {
            return Ok(());
        }
        for (j, row) in src
            .chunks_exact(sw as usize * 3)
            .take(sh as usize)
            .enumerate()
        {
            for (i, p) in row.chunks_exact(3).enumerate() {
                let point = (pos.0 + i as i32, pos.1 + j as i32);
                if let Some(at) = self.at(point) {
                    self.pixels[at] = self.index((p[0], p[1], p[2]))?;
                }
            }
        }
        Ok(())
    }
}

impl Indexed<'_> {
    /// plotters' `fill_vertical_line_fast`: column `x` from `ys.0` to `ys.1`, both included.
    fn vertical(&mut self, x: i32, ys: (i32, i32), rgb: (u8, u8, u8)) -> Drawn<()> {
        let (w, h) = (self.size.0 as i32, self.size.1 as i32);
        if x < 0 || x >= w {
            return Ok(());
        }
        let (y0, y1) = (ys.0.min(ys.1).max(0), ys.0.max(ys.1).min(h - 1));
        if y0 > y1 {
            return Ok(());
        }
        let i = self.index(rgb)?;
        for y in y0..=y1 {
            self.pixels[(y * w + x) as usize] = i;
        }
        Ok(())
    }
}
