//! A PNG encoder for charts: 8-bit RGB, one IDAT chunk, each row filtered by what it is.
//!
//! A chart is mostly flat colour, and most of its rows repeat the row above (bars, plot area,
//! margins). Such a row is written with the `Up` filter, which makes it all zeros without
//! computing anything; the others with `Paeth`. The filtered bytes go to `fdeflate`, whose fast
//! path is runs of zero bytes. On report charts this writes files a little smaller than the
//! `image` crate with `Paeth` on every row, in less than half its time (the `charts` bench).

use super::chart_error;
use crate::error::Result;

/// The PNG signature.
const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Bytes per pixel (8-bit RGB).
const BPP: usize = 3;

/// PNG row filter types.
const FILTER_UP: u8 = 2;
const FILTER_PAETH: u8 = 4;

/// Encodes `rgb` (`w` × `h` pixels, 3 bytes each, rows top to bottom) as a PNG. `filtered` is
/// scratch space, reused between calls.
pub(super) fn png(rgb: &[u8], w: u32, h: u32, filtered: &mut Vec<u8>) -> Result<Vec<u8>> {
    let stride = w as usize * BPP;
    if w == 0 || h == 0 || rgb.len() != stride * h as usize {
        return Err(chart_error(format!(
            "a {w} × {h} picture needs {} bytes of pixels, not {}",
            stride * h as usize,
            rgb.len()
        )));
    }
    // Every byte is written below, so the buffer's old contents never show.
    let len = rgb.len() + h as usize;
    filtered.truncate(len);
    filtered.resize(len, 0);
    let mut prev: Option<&[u8]> = None;
    for (row, out) in rgb
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
                let end = (last + 1 + BPP).min(stride);
                let start = first - first % BPP;
                out[1..1 + start].fill(0);
                out[1 + end..].fill(0);
                paeth(row, Some(up), &mut out[1..], start..end);
            }
            None => {
                out[0] = FILTER_PAETH;
                paeth(row, None, &mut out[1..], 0..stride);
            }
        }
        prev = Some(row);
    }
    let mut out = Vec::with_capacity(rgb.len() / 24 + 64);
    out.extend_from_slice(&SIGNATURE);
    let mut ihdr = [0u8; 13];
    ihdr[..4].copy_from_slice(&w.to_be_bytes());
    ihdr[4..8].copy_from_slice(&h.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    ihdr[8..].copy_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", |o| o.extend_from_slice(&ihdr));
    let mut failed = None;
    chunk(&mut out, b"IDAT", |o| {
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
/// (`up`, none for the first row). `span` starts at a pixel.
fn paeth(row: &[u8], up: Option<&[u8]>, out: &mut [u8], span: std::ops::Range<usize>) {
    let Some(up) = up else {
        // Above the first row everything is 0, where Paeth is the `Sub` filter.
        out[..BPP].copy_from_slice(&row[..BPP]);
        for ((o, x), a) in out[BPP..].iter_mut().zip(&row[BPP..]).zip(row) {
            *o = x.wrapping_sub(*a);
        }
        return;
    };
    let mut from = span.start;
    if from == 0 {
        // The first pixel has nothing to its left: Paeth predicts the byte above.
        for ((o, x), b) in out[..BPP].iter_mut().zip(row).zip(up) {
            *o = x.wrapping_sub(*b);
        }
        from = BPP;
    }
    if from < span.end {
        let (row, up) = (&row[from - BPP..span.end], &up[from - BPP..span.end]);
        paeth_rest(row, up, &mut out[from - BPP..span.end]);
    }
}

/// The Paeth filter from the second pixel on. Each byte's prediction needs only the
/// unfiltered picture, so there is no dependency from byte to byte: fixed-size chunks let the
/// compiler turn the loop into vector instructions.
fn paeth_rest(row: &[u8], up: &[u8], out: &mut [u8]) {
    const CHUNK: usize = 32;
    let n = row.len() - BPP;
    let mut o = out[BPP..].chunks_exact_mut(CHUNK);
    let mut x = row[BPP..].chunks_exact(CHUNK);
    let mut a = row[..n].chunks_exact(CHUNK);
    let mut b = up[BPP..].chunks_exact(CHUNK);
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
        let mut rgb = vec![255u8; (w * h) as usize * BPP];
        let mut seed = 7u32;
        for y in 0..h as usize {
            for x in 0..w as usize {
                let i = (y * w as usize + x) * BPP;
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
        let mut scratch = Vec::new();
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

    #[test]
    fn the_wrong_number_of_bytes_is_an_error() {
        assert!(png(&[0; 10], 2, 2, &mut Vec::new()).is_err());
        assert!(png(&[], 0, 0, &mut Vec::new()).is_err());
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
