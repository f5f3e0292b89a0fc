//! A PNG encoder for charts: 8-bit indexed colour when a picture has at most 256 colours (as
//! charts mostly do), else 8-bit RGB; one IDAT chunk.
//!
//! With a palette there is one byte per pixel, and the rows go to [`super::deflate`], which
//! writes what repeats the row above as copies without passing over those bytes again. The
//! report's charts have at most a few hundred colours, since their text is drawn in 32 steps of
//! coverage ([`super::raster`]): at 1 M risk points, with the unit pages' PNGs (`sunlight report
//! --unit-png`), all but 8 of its 3,201 charts took a palette. At 960 × 540 (the `charts` bench)
//! a unit page's two charts are 19,657 and 17,801 bytes against 46,420 and 47,341 from the
//! `image` crate with `Paeth` on every row.
//!
//! Without a palette, each row is filtered by what it is: a chart is mostly flat colour, and
//! most of its rows repeat the row above, so such a row is written with the `Up` filter, which
//! makes it all zeros without computing anything; the others with `Paeth`. The filtered bytes
//! go to `fdeflate`, whose fast path is runs of zero bytes.

use super::{chart_error, deflate};
use crate::error::Result;

/// The PNG signature.
const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Bytes per pixel of 8-bit RGB.
const RGB: usize = 3;

/// PNG colour types.
const COLOUR_RGB: u8 = 2;
const COLOUR_INDEXED: u8 = 3;

/// PNG row filter types.
const FILTER_UP: u8 = 2;
const FILTER_PAETH: u8 = 4;

/// Buffers an encoder reuses from picture to picture.
#[derive(Debug)]
pub(super) struct Scratch {
    /// The picture as palette indices, one byte per pixel.
    indices: Vec<u8>,
    /// The filtered rows, each after its filter type byte.
    filtered: Vec<u8>,
}

impl Scratch {
    /// Empty buffers.
    pub(super) const fn new() -> Scratch {
        Scratch {
            indices: Vec::new(),
            filtered: Vec::new(),
        }
    }
}

/// Encodes `rgb` (`w` × `h` pixels, 3 bytes each, rows top to bottom) as a PNG.
pub(super) fn png(rgb: &[u8], w: u32, h: u32, scratch: &mut Scratch) -> Result<Vec<u8>> {
    let stride = w as usize * RGB;
    if w == 0 || h == 0 || rgb.len() != stride * h as usize {
        return Err(chart_error(format!(
            "a {w} × {h} picture needs {} bytes of pixels, not {}",
            stride * h as usize,
            rgb.len()
        )));
    }
    let Scratch { indices, filtered } = scratch;
    match index(rgb, w as usize, indices) {
        Some(palette) => write(indices, w, h, Some(palette.colours()), filtered),
        None => write(rgb, w, h, None, filtered),
    }
}

/// Encodes `indices` (`w` × `h` palette indices, one byte per pixel, rows top to bottom) as an
/// indexed-colour PNG with `colours` as its palette (1 to 256 colours; every index must name
/// one of them).
pub(super) fn png_indexed(
    indices: &[u8],
    w: u32,
    h: u32,
    colours: &[[u8; 3]],
    scratch: &mut Scratch,
) -> Result<Vec<u8>> {
    let len = w as usize * h as usize;
    if w == 0 || h == 0 || indices.len() != len {
        return Err(chart_error(format!(
            "a {w} × {h} picture needs {len} palette indices, not {}",
            indices.len()
        )));
    }
    if colours.is_empty() || colours.len() > 256 {
        return Err(chart_error(format!(
            "a PNG palette holds 1 to 256 colours, not {}",
            colours.len()
        )));
    }
    write(indices, w, h, Some(colours), &mut scratch.filtered)
}

/// Writes the PNG of `pixels`: palette indices when `palette` is given, else 8-bit RGB.
fn write(
    pixels: &[u8],
    w: u32,
    h: u32,
    palette: Option<&[[u8; 3]]>,
    filtered: &mut Vec<u8>,
) -> Result<Vec<u8>> {
    let (bpp, colour) = match palette {
        Some(_) => (1, COLOUR_INDEXED),
        None => (RGB, COLOUR_RGB),
    };
    // Palette indices are written row by row, saying what repeats the row above
    // ([`deflate`]); other pictures are filtered and compressed whole.
    let by_rows = palette.is_some() && deflate::fits(w as usize);
    if !by_rows {
        filter(pixels, w as usize * bpp, bpp, filtered);
    }

    let mut out = Vec::with_capacity(pixels.len() / 24 + 1024);
    out.extend_from_slice(&SIGNATURE);
    let mut ihdr = [0u8; 13];
    ihdr[..4].copy_from_slice(&w.to_be_bytes());
    ihdr[4..8].copy_from_slice(&h.to_be_bytes());
    // Bit depth 8, the colour type, deflate, adaptive filtering, no interlace.
    ihdr[8..].copy_from_slice(&[8, colour, 0, 0, 0]);
    chunk(&mut out, b"IHDR", |o| o.extend_from_slice(&ihdr));
    if let Some(colours) = palette {
        chunk(&mut out, b"PLTE", |o| {
            o.extend(colours.iter().flatten());
        });
    }
    let mut failed = None;
    chunk(&mut out, b"IDAT", |o| {
        if by_rows {
            deflate::zlib(pixels, w as usize, o);
            return;
        }
        let written = fdeflate::Compressor::new(o)
            .and_then(|mut c| c.write_data(filtered).and_then(|()| c.finish()));
        if let Err(e) = written {
            failed = Some(e);
        }
    });
    if let Some(e) = failed {
        return Err(chart_error(format!("compressing the PNG failed: {e}")));
    }
    chunk(&mut out, b"IEND", |_| {});
    Ok(out)
}

/// Filters the rows of `pixels` (`stride` bytes each, `bpp` bytes per pixel) into `filtered`,
/// each after its filter type byte.
fn filter(pixels: &[u8], stride: usize, bpp: usize, filtered: &mut Vec<u8>) {
    let rows = pixels.len() / stride;
    // Every byte is written below, so the buffer's old contents never show.
    let len = pixels.len() + rows;
    filtered.truncate(len);
    filtered.resize(len, 0);
    let mut prev: Option<&[u8]> = None;
    for (row, out) in pixels
        .chunks_exact(stride)
        .zip(filtered.chunks_exact_mut(stride + 1))
    {
        match prev.map(|up| (up, differing(row, up))) {
            Some((_, None)) => {
                out[0] = FILTER_UP;
                out[1..].fill(0);
            }
            Some((up, Some((first, last)))) => {
                // A byte whose pixel and left neighbour equal those above is predicted exactly
                // (Paeth picks the byte above), so only the span from the first difference to
                // one pixel past the last can be other than zero.
                out[0] = FILTER_PAETH;
                let end = (last + 1 + bpp).min(stride);
                let start = first - first % bpp;
                out[1..1 + start].fill(0);
                out[1 + end..].fill(0);
                paeth(row, Some(up), &mut out[1..], start..end, bpp);
            }
            None => {
                out[0] = FILTER_PAETH;
                paeth(row, None, &mut out[1..], 0..stride, bpp);
            }
        }
        prev = Some(row);
    }
}

/// The colours of a picture, each with its index, in an open-addressing table.
pub(super) struct Palette {
    /// Colours as `0xRRGGBB`; `u32::MAX` is a free slot.
    keys: [u32; Palette::SLOTS],
    /// The index of each slot's colour.
    values: [u8; Palette::SLOTS],
    /// The colours in index order.
    colours: Vec<[u8; 3]>,
}

impl Palette {
    /// Four slots per colour at most: probes stay short.
    const SLOTS: usize = 1024;

    /// No colours yet.
    pub(super) fn new() -> Palette {
        Palette {
            keys: [u32::MAX; Palette::SLOTS],
            values: [0; Palette::SLOTS],
            colours: Vec::new(),
        }
    }

    /// The index of the colour `c` (`0xRRGGBB`), added if new; `None` past 256 colours.
    pub(super) fn index(&mut self, c: u32) -> Option<u8> {
        // Fibonacci hashing: the top ten bits of the product.
        let mut slot = (c.wrapping_mul(0x9E37_79B1) >> 22) as usize;
        loop {
            let key = self.keys[slot];
            if key == c {
                return Some(self.values[slot]);
            }
            if key == u32::MAX {
                let i = u8::try_from(self.colours.len()).ok()?;
                self.keys[slot] = c;
                self.values[slot] = i;
                let [_, r, g, b] = c.to_be_bytes();
                self.colours.push([r, g, b]);
                return Some(i);
            }
            slot = (slot + 1) % Palette::SLOTS;
        }
    }

    /// The colours in index order.
    pub(super) fn colours(&self) -> &[[u8; 3]] {
        &self.colours
    }

    /// The colour of index `i`; white for an index not given out (never drawn).
    pub(super) fn colour(&self, i: u8) -> [u8; 3] {
        self.colours
            .get(usize::from(i))
            .copied()
            .unwrap_or([255; 3])
    }
}

/// Writes the picture `rgb` (`w` pixels a row) as palette indices into `out`, and returns the
/// palette; `None` when it has more than 256 colours. A row equal to the one above copies its
/// indices, and one that differs only in part looks up only that part.
fn index(rgb: &[u8], w: usize, out: &mut Vec<u8>) -> Option<Palette> {
    let stride = w * RGB;
    out.truncate(rgb.len() / RGB);
    out.resize(rgb.len() / RGB, 0);
    let mut palette = Palette::new();
    let mut prev: Option<&[u8]> = None;
    for (y, row) in rgb.chunks_exact(stride).enumerate() {
        let span = match prev.map(|up| differing(row, up)) {
            Some(None) => {
                out.copy_within((y - 1) * w..y * w, y * w);
                prev = Some(row);
                continue;
            }
            Some(Some((first, last))) => {
                out.copy_within((y - 1) * w..y * w, y * w);
                first / RGB..last / RGB + 1
            }
            None => 0..w,
        };
        let (mut last_colour, mut last_index) = (u32::MAX, 0);
        let line = &mut out[y * w..(y + 1) * w];
        let up = prev.unwrap_or(&[]);
        for x in span {
            let p = &row[x * RGB..x * RGB + RGB];
            // A pixel equal to the one above has its index already.
            if up.get(x * RGB..x * RGB + RGB) == Some(p) {
                continue;
            }
            let c = u32::from_be_bytes([0, p[0], p[1], p[2]]);
            if c != last_colour {
                last_index = palette.index(c)?;
                last_colour = c;
            }
            line[x] = last_index;
        }
        prev = Some(row);
    }
    Some(palette)
}

/// Appends a chunk: its length, type, the data `fill` appends, and the CRC of type and data.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], fill: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(kind);
    fill(out);
    let len = (out.len() - at - 8) as u32;
    out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    let crc = crc32fast::hash(&out[at + 4..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// The first and last byte where `row` differs from `up`, if any.
fn differing(row: &[u8], up: &[u8]) -> Option<(usize, usize)> {
    // Most rows of a chart repeat the row above: one comparison of the whole row settles them.
    if row == up {
        return None;
    }
    // Whole chunks compare as one memcmp; the byte is found within the chunk.
    const CHUNK: usize = 64;
    let first_chunk = row
        .chunks(CHUNK)
        .zip(up.chunks(CHUNK))
        .position(|(r, u)| r != u)?;
    let last_chunk = row
        .chunks(CHUNK)
        .zip(up.chunks(CHUNK))
        .rposition(|(r, u)| r != u)?;
    let at = |chunk: usize| chunk * CHUNK..((chunk + 1) * CHUNK).min(row.len());
    let f = at(first_chunk);
    let first = f.start
        + row[f.clone()]
            .iter()
            .zip(&up[f])
            .position(|(r, u)| r != u)?;
    let l = at(last_chunk);
    let last = l.start
        + row[l.clone()]
            .iter()
            .zip(&up[l])
            .rposition(|(r, u)| r != u)?;
    Some((first, last))
}

/// Writes the bytes `span` of `row` into `out` with the Paeth filter against the row above
/// (`up`, none for the first row), `bpp` bytes per pixel. `span` starts at a pixel.
fn paeth(row: &[u8], up: Option<&[u8]>, out: &mut [u8], span: std::ops::Range<usize>, bpp: usize) {
    let Some(up) = up else {
        // Above the first row everything is 0, where Paeth is the `Sub` filter.
        out[..bpp].copy_from_slice(&row[..bpp]);
        for ((o, x), a) in out[bpp..].iter_mut().zip(&row[bpp..]).zip(row) {
            *o = x.wrapping_sub(*a);
        }
        return;
    };
    let mut from = span.start;
    if from == 0 {
        // The first pixel has nothing to its left: Paeth predicts the byte above.
        for ((o, x), b) in out[..bpp].iter_mut().zip(row).zip(up) {
            *o = x.wrapping_sub(*b);
        }
        from = bpp;
    }
    if from < span.end {
        let (row, up) = (&row[from - bpp..span.end], &up[from - bpp..span.end]);
        paeth_rest(row, up, &mut out[from - bpp..span.end], bpp);
    }
}

/// The Paeth filter from the second pixel on. Each byte's prediction needs only the
/// unfiltered picture, so there is no dependency from byte to byte: fixed-size chunks let the
/// compiler turn the loop into vector instructions.
fn paeth_rest(row: &[u8], up: &[u8], out: &mut [u8], bpp: usize) {
    const CHUNK: usize = 32;
    let n = row.len() - bpp;
    let mut o = out[bpp..].chunks_exact_mut(CHUNK);
    let mut x = row[bpp..].chunks_exact(CHUNK);
    let mut a = row[..n].chunks_exact(CHUNK);
    let mut b = up[bpp..].chunks_exact(CHUNK);
    let mut c = up[..n].chunks_exact(CHUNK);
    for ((((o, x), a), b), c) in (&mut o).zip(&mut x).zip(&mut a).zip(&mut b).zip(&mut c) {
        for i in 0..CHUNK {
            o[i] = x[i].wrapping_sub(predict(a[i], b[i], c[i]));
        }
    }
    for ((((o, x), a), b), c) in o
        .into_remainder()
        .iter_mut()
        .zip(x.remainder())
        .zip(a.remainder())
        .zip(b.remainder())
        .zip(c.remainder())
    {
        *o = x.wrapping_sub(predict(*a, *b, *c));
    }
}

/// The Paeth predictor of a byte from its left (`a`), upper (`b`) and upper-left (`c`)
/// neighbours: whichever is nearest to `a + b - c`, ties in that order. In unsigned bytes
/// only, which vectorises well (Luca Versari's form for FPNGE, as the `png` crate has it):
/// `|b - c|`, `|a - c|`, and `|a + b - 2c|`, which matters only when `c` lies between `a`
/// and `b`, where it is the difference of the other two.
#[inline(always)]
fn predict(a: u8, b: u8, c: u8) -> u8 {
    let pa = b.max(c) - c.min(b);
    let pb = a.max(c) - c.min(a);
    let pc = if (a < c) == (c < b) {
        pa.max(pb) - pa.min(pb)
    } else {
        255
    };
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A picture with flat areas, repeated rows, rows differing from the one above only in part,
    /// edges and noise.
    fn picture(w: u32, h: u32) -> Vec<u8> {
        let mut rgb = vec![255u8; (w * h) as usize * RGB];
        let mut seed = 7u32;
        for y in 0..h as usize {
            for x in 0..w as usize {
                let i = (y * w as usize + x) * RGB;
                if (20..60).contains(&x) && y > 10 {
                    rgb[i..i + 3].copy_from_slice(&[230, 159, 0]);
                }
                // Single pixels at either end of a row, alone in differing from the row above.
                if (y % 13 == 5 && x + 1 == w as usize) || (y % 11 == 4 && x == 0) {
                    rgb[i..i + 3].copy_from_slice(&[0, 114, 178]);
                }
                if y % 17 == 3 && x % 5 != 0 {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    rgb[i..i + 3].copy_from_slice(&seed.to_le_bytes()[..3]);
                }
            }
        }
        rgb
    }

    #[test]
    fn decodes_to_the_same_pixels() -> Result<()> {
        // One scratch buffer for all, as a thread drawing charts keeps: smaller pictures follow
        // larger ones.
        let mut scratch = Scratch::new();
        for (w, h) in [(1, 1), (2, 3), (640, 360), (97, 41), (5, 1)] {
            let rgb = picture(w, h);
            let bytes = png(&rgb, w, h, &mut scratch)?;
            let img = image::load_from_memory(&bytes)
                .map_err(|e| chart_error(e.to_string()))?
                .to_rgb8();
            assert_eq!(img.dimensions(), (w, h));
            assert!(img.as_raw() == &rgb, "{w} × {h} decodes to other pixels");
        }
        Ok(())
    }

    /// The colour type in a PNG's header.
    fn colour_type(png: &[u8]) -> u8 {
        png[SIGNATURE.len() + 8 + 9]
    }

    #[test]
    fn up_to_256_colours_take_a_palette_and_more_do_not() -> Result<()> {
        let mut scratch = Scratch::new();
        // A picture of `n` colours: stripes of a few rows, each row differing from the one
        // above only in part, and a colour that comes back after others.
        let stripes = |n: u32| {
            let (w, h) = (300u32, 2 * n + 3);
            let mut rgb = vec![255u8; (w * h) as usize * RGB];
            for y in 0..h {
                for x in 0..w {
                    let k = if x < 100 + y % 7 { (y / 2) % n } else { 0 };
                    let i = ((y * w + x) as usize) * RGB;
                    rgb[i..i + 3].copy_from_slice(&[(k * 7 % 256) as u8, (k / 37) as u8, 9]);
                }
            }
            (rgb, w, h)
        };
        for (n, colour) in [
            (1, COLOUR_INDEXED),
            (256, COLOUR_INDEXED),
            (257, COLOUR_RGB),
        ] {
            let (rgb, w, h) = stripes(n);
            let bytes = png(&rgb, w, h, &mut scratch)?;
            assert_eq!(colour_type(&bytes), colour, "{n} colours");
            let img = image::load_from_memory(&bytes)
                .map_err(|e| chart_error(e.to_string()))?
                .to_rgb8();
            assert!(img.as_raw() == &rgb, "{n} colours decode to other pixels");
        }
        Ok(())
    }

    #[test]
    fn a_palette_picture_too_wide_for_deflates_window_is_filtered_instead() -> Result<()> {
        // Too wide for a copy from the row above ([`deflate::fits`]): the filtered path, with
        // one byte per pixel.
        let (w, h) = (33_000u32, 3u32);
        assert!(!deflate::fits(w as usize));
        let colours = [[255, 255, 255], [0, 114, 178], [230, 159, 0]];
        let rgb: Vec<u8> = (0..h as usize)
            .flat_map(|y| (0..w as usize).map(move |x| (x / 7 + y) % 3))
            .flat_map(|c| colours[c])
            .collect();
        let bytes = png(&rgb, w, h, &mut Scratch::new())?;
        assert_eq!(colour_type(&bytes), COLOUR_INDEXED);
        let img = image::load_from_memory(&bytes)
            .map_err(|e| chart_error(e.to_string()))?
            .to_rgb8();
        assert!(img.as_raw() == &rgb, "decodes to other pixels");
        Ok(())
    }

    #[test]
    fn the_wrong_number_of_bytes_is_an_error() {
        assert!(png(&[0; 10], 2, 2, &mut Scratch::new()).is_err());
        assert!(png(&[], 0, 0, &mut Scratch::new()).is_err());
    }

    #[test]
    fn the_predictor_is_the_specs_for_every_byte() {
        // The PNG specification's form: p = a + b - c; the nearest of a, b, c to p, ties in
        // that order.
        let spec = |a: u8, b: u8, c: u8| {
            let (ia, ib, ic) = (i16::from(a), i16::from(b), i16::from(c));
            let p = ia + ib - ic;
            let (pa, pb, pc) = ((p - ia).abs(), (p - ib).abs(), (p - ic).abs());
            if pa <= pb && pa <= pc {
                a
            } else if pb <= pc {
                b
            } else {
                c
            }
        };
        for a in 0..=255 {
            for b in 0..=255 {
                for c in 0..=255 {
                    assert_eq!(predict(a, b, c), spec(a, b, c), "a {a}, b {b}, c {c}");
                }
            }
        }
    }
}
