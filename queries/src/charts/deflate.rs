//! The zlib stream of an indexed picture's scanlines, written a row at a time.
//!
//! A chart is mostly rows that repeat the row above, and rows that differ from it only in
//! part. A general compressor (`fdeflate`, which the report used before) sees none of that: it
//! is fed every byte of the filtered picture and checksums, scans and encodes every one of
//! them, half a million per chart. Here every scanline is left unfiltered (PNG filter type
//! None), and what the rows share is said in deflate's own terms:
//! - a row equal to the one above is a copy of the bytes one scanline back (distance `w + 1`),
//!   merged with the copies around it into matches of up to 258 bytes; its checksum is the row
//!   above's, added in constant time;
//! - in a row that differs, each run of bytes equal to those above is such a copy too, each run
//!   of one repeated byte a copy at distance 1, and any other byte a literal.
//!
//! So a repeated row costs a comparison with the row above and a few symbols, not a pass over
//! its bytes. The codes are deflate's fixed Huffman codes (one block, no code tables).

use simd_adler32::Adler32;

/// Deflate's window: the farthest a copy may reach back.
const WINDOW: usize = 32 * 1024;

/// Adler-32's modulus.
const MOD: u64 = 65_521;

/// The longest copy deflate codes in one symbol.
const MAX_MATCH: usize = 258;

/// The shortest.
const MIN_MATCH: usize = 3;

/// Whether [`zlib`] can write a picture `w` indices wide: the row above must lie within
/// deflate's window.
pub(super) fn fits(w: usize) -> bool {
    w > 0 && w < WINDOW
}

/// Appends to `out` the zlib stream of the PNG scanlines of `indices` (`w` bytes a row, rows
/// top to bottom), each with filter type None. `w` must [`fits`], and `indices` hold whole rows.
pub(super) fn zlib(indices: &[u8], w: usize, out: &mut Vec<u8>) {
    debug_assert!(fits(w) && indices.len().is_multiple_of(w));
    // Deflate with a 32 KiB window, no dictionary; the check bits make the header a multiple
    // of 31.
    out.extend_from_slice(&[0x78, 0x01]);
    let scanline = w + 1;
    let mut e = Encoder {
        bits: Bits { out, acc: 0, n: 0 },
        indices,
        w,
        scanline,
        far: distance(scanline),
        at: 0,
        pending: 0,
    };
    // The last block, with the fixed codes.
    e.bits.put(0b011, 3);
    let mut adler = (1, 0);
    let mut sums = (0, 0);
    let mut above: Option<&[u8]> = None;
    for row in indices.chunks_exact(w) {
        match above {
            Some(up) if up == row => {
                e.pending += scanline;
                e.at += scanline;
            }
            _ => {
                sums = scanline_sums(row);
                e.row(row, above);
            }
        }
        adler = combine(adler, sums, scanline as u64);
        above = Some(row);
    }
    e.flush();
    let (end, len) = LITERALS[256];
    e.bits.put(end, len);
    e.bits.finish();
    let (a, b) = adler;
    out.extend_from_slice(&((b << 16 | a) as u32).to_be_bytes());
}

/// Bits written least significant first, as deflate packs them.
struct Bits<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits<'_> {
    /// Appends the `len` (at most 32) low bits of `v`, which has no other bits set.
    #[inline(always)]
    fn put(&mut self, v: u32, len: u32) {
        self.acc |= u64::from(v) << self.n;
        self.n += len;
        if self.n >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.n -= 32;
        }
    }

    /// Writes the bits left, the last byte padded with zeros.
    fn finish(&mut self) {
        while self.n > 0 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n = self.n.saturating_sub(8);
        }
    }
}

/// Chooses the symbols of the scanlines, a row at a time.
struct Encoder<'a, 'o> {
    bits: Bits<'o>,
    indices: &'a [u8],
    w: usize,
    /// Bytes a scanline: its filter type and `w` indices.
    scanline: usize,
    /// The code of a copy from one scanline back.
    far: (u32, u32),
    /// Bytes of the stream described so far, the pending copy included.
    at: usize,
    /// Bytes just before `at` that equal those a scanline earlier, not yet written.
    pending: usize,
}

impl Encoder<'_, '_> {
    /// The stream's byte at `p`: a filter type (0) or an index.
    fn byte(&self, p: usize) -> u8 {
        let (y, x) = (p / self.scanline, p % self.scanline);
        match x {
            0 => 0,
            _ => self.indices[y * self.w + x - 1],
        }
    }

    /// Describes `row`, which differs from the one above (`up`), or is the first.
    fn row(&mut self, row: &[u8], up: Option<&[u8]>) {
        match up {
            // The filter types are all 0, so a row's equals the one above.
            Some(_) => {
                self.pending += 1;
                self.at += 1;
            }
            None => {
                self.literal(0);
            }
        }
        let mut x = 0;
        while x < row.len() {
            if let Some(up) = up {
                let same = equal_run(&row[x..], &up[x..]);
                // A copy from above as long as a match, or one that extends a copy already
                // that long.
                if same >= MIN_MATCH || (same > 0 && self.pending >= MIN_MATCH) {
                    self.pending += same;
                    self.at += same;
                    x += same;
                    continue;
                }
            }
            let v = row[x];
            // The byte before: the one to the left, or the row's filter type.
            let before = if x == 0 { 0 } else { row[x - 1] };
            if before == v {
                let run = repeat_run(&row[x..], v);
                if run >= MIN_MATCH {
                    self.flush();
                    self.copy(run, DISTANCE_ONE);
                    self.at += run;
                    x += run;
                    continue;
                }
            }
            self.flush();
            self.literal(v);
            x += 1;
        }
    }

    /// Writes one byte as itself.
    fn literal(&mut self, v: u8) {
        let (code, len) = LITERALS[usize::from(v)];
        self.bits.put(code, len);
        self.at += 1;
    }

    /// Writes the pending copy from a scanline back: as copies, or as literals when too short.
    fn flush(&mut self) {
        let n = std::mem::take(&mut self.pending);
        if n >= MIN_MATCH {
            self.copy(n, self.far);
        } else {
            let end = self.at;
            self.at -= n;
            for p in end - n..end {
                self.literal(self.byte(p));
            }
        }
    }

    /// Writes a copy of `n` (at least [`MIN_MATCH`]) bytes from the distance coded `dist`, in
    /// matches of [`MIN_MATCH`] to [`MAX_MATCH`] bytes.
    fn copy(&mut self, mut n: usize, (dist, dist_len): (u32, u32)) {
        while n > 0 {
            let take = match n {
                ..=MAX_MATCH => n,
                // Not a match of 258 that leaves one or two bytes, shorter than any match.
                _ if n - MAX_MATCH < MIN_MATCH => n - MIN_MATCH,
                _ => MAX_MATCH,
            };
            let (code, len) = LENGTHS[take];
            self.bits.put(code, len);
            self.bits.put(dist, dist_len);
            n -= take;
        }
    }
}

/// How many bytes at the start of `a` equal those of `b`.
fn equal_run(a: &[u8], b: &[u8]) -> usize {
    let mut n = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let differ = word(x) ^ word(y);
        if differ != 0 {
            // The first differing byte is the lowest set byte of a little-endian word.
            return n + (differ.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + a[n..]
        .iter()
        .zip(&b[n..])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes at the start of `a` are `v`.
fn repeat_run(a: &[u8], v: u8) -> usize {
    let all = u64::from_le_bytes([v; 8]);
    let mut n = 0;
    for x in a.chunks_exact(8) {
        let differ = word(x) ^ all;
        if differ != 0 {
            return n + (differ.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + a[n..].iter().take_while(|&&x| x == v).count()
}

/// Eight bytes as a little-endian word.
#[inline(always)]
fn word(eight: &[u8]) -> u64 {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(eight);
    u64::from_le_bytes(bytes)
}

/// Adler-32's two sums of a scanline (`0` then `row`) alone: the sum of its bytes, and the sum
/// of each byte times its distance from the end (the last counts once).
fn scanline_sums(row: &[u8]) -> (u64, u64) {
    let mut h = Adler32::new();
    h.write(&[0]);
    h.write(row);
    let c = u64::from(h.finish());
    let (a, b) = (c & 0xffff, c >> 16);
    let n = (row.len() as u64 + 1) % MOD;
    // The checksum of these bytes alone starts from (1, 0): a = 1 + s1, b = n + s2.
    ((a + MOD - 1) % MOD, (b + MOD - n) % MOD)
}

/// Adler-32 after `n` more bytes whose sums are `(s1, s2)` ([`scanline_sums`]).
fn combine((a, b): (u64, u64), (s1, s2): (u64, u64), n: u64) -> (u64, u64) {
    ((a + s1) % MOD, (b + n % MOD * a + s2) % MOD)
}

/// Reverses the `len` low bits of `code`: Huffman codes are packed from their first bit.
const fn reverse(code: u32, len: u32) -> u32 {
    let mut r = 0;
    let mut i = 0;
    while i < len {
        r |= ((code >> i) & 1) << (len - 1 - i);
        i += 1;
    }
    r
}

/// The fixed code of each literal/length symbol (RFC 1951, 3.2.6), bits reversed, and its
/// length.
const LITERALS: [(u32, u32); 288] = {
    let mut t = [(0, 0); 288];
    let mut s = 0;
    while s < 288 {
        let v = s as u32;
        t[s] = match s {
            0..=143 => (reverse(0x30 + v, 8), 8),
            144..=255 => (reverse(0x190 + v - 144, 9), 9),
            256..=279 => (reverse(v - 256, 7), 7),
            _ => (reverse(0xc0 + v - 280, 8), 8),
        };
        s += 1;
    }
    t
};

/// The first length of each length symbol (257 on), and its extra bits.
const LENGTH_BASE: [u32; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u32; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];

/// Each match length's symbol code and extra bits as one run of bits, and its length.
const LENGTHS: [(u32, u32); MAX_MATCH + 1] = {
    let mut t = [(0, 0); MAX_MATCH + 1];
    let mut n = MIN_MATCH;
    while n <= MAX_MATCH {
        // 258 has a symbol of its own; the one before it covers 227 to 257.
        let mut i = if n == MAX_MATCH { 28 } else { 27 };
        while LENGTH_BASE[i] > n as u32 {
            i -= 1;
        }
        let (code, len) = LITERALS[257 + i];
        t[n] = (
            code | (n as u32 - LENGTH_BASE[i]) << len,
            len + LENGTH_EXTRA[i],
        );
        n += 1;
    }
    t
};

/// The first distance of each distance symbol, and its extra bits.
const DISTANCE_BASE: [u32; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA: [u32; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// The code of distance 1 ([`distance`]`(1)`): symbol 0, no extra bits.
const DISTANCE_ONE: (u32, u32) = (0, 5);

/// A distance's fixed code (5 bits) and extra bits as one run of bits, and its length.
fn distance(d: usize) -> (u32, u32) {
    let d = d as u32;
    let i = DISTANCE_BASE.iter().rposition(|&b| b <= d).unwrap_or(0);
    (
        reverse(i as u32, 5) | (d - DISTANCE_BASE[i]) << 5,
        5 + DISTANCE_EXTRA[i],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inflates a zlib stream with the `png` crate's decoder (through `fdeflate`'s), and checks
    /// its checksum.
    fn inflate(stream: &[u8]) -> Vec<u8> {
        let mut d = fdeflate::Decompressor::new();
        let mut out = vec![0; 1 << 22];
        let (read, written) = d
            .read(stream, &mut out, 0, true)
            .map_err(|e| format!("{e:?}"))
            .expect("a valid stream");
        assert!(d.is_done(), "the stream ends");
        assert_eq!(read, stream.len(), "nothing after the stream");
        out.truncate(written);
        out
    }

    fn scanlines(indices: &[u8], w: usize) -> Vec<u8> {
        indices
            .chunks_exact(w)
            .flat_map(|r| std::iter::once(0).chain(r.iter().copied()))
            .collect()
    }

    fn round_trip(indices: &[u8], w: usize) {
        let mut out = Vec::new();
        zlib(indices, w, &mut out);
        assert_eq!(
            inflate(&out),
            scanlines(indices, w),
            "{w} wide, {} rows",
            indices.len() / w
        );
    }

    #[test]
    fn every_kind_of_row_inflates_to_its_scanlines() {
        let mut seed = 1u32;
        let mut noise = move || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 16) as u8
        };
        for (w, h) in [
            (1, 1),
            (1, 9),
            (2, 5),
            (3, 4),
            (7, 3),
            (300, 40),
            (1000, 60),
            (2400, 8),
        ] {
            let mut px = vec![0u8; w * h];
            for y in 0..h {
                for x in 0..w {
                    px[y * w + x] = match y % 6 {
                        // Rows repeating the one above.
                        0 | 1 => 0,
                        // A bar, then text-like noise in part of the row.
                        2 => u8::from(x > w / 3) * 5,
                        3 if x % 4 == 0 => noise() % 3,
                        3 => 5 * u8::from(x > w / 3),
                        // Long runs of one byte, not zero, and every byte value.
                        4 => 9,
                        _ => (x % 256) as u8,
                    };
                }
            }
            round_trip(&px, w);
            // Noise everywhere, and one byte everywhere.
            round_trip(&(0..w * h).map(|_| noise()).collect::<Vec<_>>(), w);
            round_trip(&vec![255; w * h], w);
        }
    }

    #[test]
    fn the_widest_picture_reaches_back_a_whole_window() {
        let w = WINDOW - 1;
        assert!(fits(w) && !fits(WINDOW) && !fits(0));
        let mut px = vec![3u8; w * 3];
        px[w + 7] = 4;
        round_trip(&px, w);
    }

    #[test]
    fn lengths_and_distances_have_the_specs_codes() {
        // RFC 1951 3.2.5: 258 is symbol 285 with no extra bits, 257 is 284 plus 30.
        assert_eq!(LENGTHS[258], (LITERALS[285].0, 8));
        assert_eq!(LENGTHS[257], (LITERALS[284].0 | 30 << 8, 13));
        assert_eq!(LENGTHS[3], LITERALS[257]);
        assert_eq!(distance(1), (0, 5));
        assert_eq!(distance(1), DISTANCE_ONE);
        assert_eq!(distance(32_768), (reverse(29, 5) | 8191 << 5, 18));
    }
}
