//! A reader for a self-check table's JSON that knows the table's shape. An ingest reads
//! millions of risk points, and serde's general machinery (a visitor per value, member names
//! matched through it) was about a quarter of the reading: 138,142 risk points took 544–581 ms
//! through serde and take 400–430 ms here, the table dropped after each.
//!
//! It is a fast path, never the judge. It answers only for text it is sure of, and for that text
//! it gives exactly the table `serde_json` gives (the tests hold it to that, on tables and on
//! thousands of damaged copies of them). Everything else — a member it does not know or that
//! comes twice, a value of another type, a number with a fraction, an exponent or a leading
//! zero, an escaped member name, a `\u` escape of a surrogate, anything after the table — it
//! leaves to `serde_json`, which either reads it too or says what is wrong and where.
//!
//! It also notices whether the text is the table's canonical JSON (what the form, `sunlight
//! demo-data` and every conforming client send): then the content hash is taken over the text
//! itself, less its `hash` member, instead of over the same bytes written out again.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::canonical::MAX_SAFE_INTEGER;

use super::{DepartmentRef, FlowStep, Measure, PersonRef, Power, RiskRow, SelfCheckTable, UnitRef};

/// A table read by the fast path.
pub(crate) struct Read {
    /// The table, as `serde_json` reads it.
    pub(crate) table: SelfCheckTable,
    /// When the text is the table's canonical JSON: the two pieces of it around its `hash` member
    /// (and the comma before it), which together are the canonical JSON the content hash is over.
    pub(crate) without_hash: Option<[Range<usize>; 2]>,
}

/// The table in `text`, when the fast path is sure of it; `None` means "ask `serde_json`", not
/// "invalid".
pub(crate) fn read(text: &str) -> Option<Read> {
    let mut r = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        canonical: true,
        member_at: 0,
        hash_member: None,
    };
    let table = r.table()?;
    r.skip_ws();
    if r.at != r.bytes.len() {
        return None;
    }
    let without_hash = match (r.canonical, r.hash_member) {
        // Canonically, `hash` follows `department`, so a comma is always before it.
        (true, Some(member))
            if member.start > 0 && r.bytes.get(member.start - 1) == Some(&b',') =>
        {
            Some([0..member.start - 1, member.end..r.bytes.len()])
        }
        _ => None,
    };
    Some(Read {
        table,
        without_hash,
    })
}

/// The members an object has had so far (a struct's member given twice is an error to serde),
/// and whether they came in canonical order. Each struct numbers its members in that order.
#[derive(Default)]
struct Seen {
    members: u32,
    out_of_order: bool,
}

impl Seen {
    /// `value`, read for member `bit`, if that member was not seen before.
    fn member<T>(&mut self, bit: u32, value: Option<T>) -> Option<T> {
        let mask = 1 << bit;
        if self.members & mask != 0 {
            return None;
        }
        // In canonical order, the members before it are exactly members 0 to bit - 1.
        self.out_of_order |= self.members != mask - 1;
        self.members |= mask;
        value
    }

    /// Whether all `count` members came, in canonical order (the canonical JSON has every one).
    fn canonical(&self, count: u32) -> bool {
        !self.out_of_order && self.members == (1 << count) - 1
    }
}

/// The bytes that end a run of a string's plain content: the closing quote, a backslash, and the
/// control characters JSON does not allow in a string.
const STOP: [bool; 256] = {
    let mut stop = [false; 256];
    let mut x = 0;
    while x < 0x20 {
        stop[x] = true;
        x += 1;
    }
    stop[b'"' as usize] = true;
    stop[b'\\' as usize] = true;
    stop
};

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// Whether everything so far is as the canonical JSON has it.
    canonical: bool,
    /// Where the member being read starts (its name's opening quote).
    member_at: usize,
    /// The table's `hash` member, name to value.
    hash_member: Option<Range<usize>>,
}

impl<'a> Reader<'a> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
            self.canonical = false;
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes.get(self.at).copied()
    }

    /// The next byte after whitespace, consumed.
    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then_some(())
    }

    /// The literal `word` (`null`, `true`, `false`) after whitespace.
    fn word(&mut self, word: &[u8]) -> Option<()> {
        self.skip_ws();
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// Where the plain run from `self.at` stops (the length of the text if it never does).
    fn run_end(&self) -> usize {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let mut i = self.at;
        // Eight bytes at a time: a byte of `x` is a quote, a backslash or below 0x20 when the
        // matching lane of `found` has its high bit set. A lane above a true match may be set
        // by the borrow, never one below it, so the lowest set lane is the first stop.
        while let Some(Ok(word)) = self.bytes.get(i..i + 8).map(<[u8; 8]>::try_from) {
            let x = u64::from_le_bytes(word);
            let quote = x ^ (ONES * u64::from(b'"'));
            let backslash = x ^ (ONES * u64::from(b'\\'));
            let found = ((quote.wrapping_sub(ONES) & !quote)
                | (backslash.wrapping_sub(ONES) & !backslash)
                | (x.wrapping_sub(ONES * 0x20) & !x))
                & HIGH;
            if found != 0 {
                return i + (found.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        let rest = self.bytes.get(i..).unwrap_or_default();
        i + rest
            .iter()
            .position(|&b| STOP[usize::from(b)])
            .unwrap_or(rest.len())
    }

    /// An object's members, each handed to `member` with its name. A name with an escape in it
    /// is left to serde.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.expect(b'"')?;
            self.member_at = self.at - 1;
            let end = self.run_end();
            if self.bytes.get(end) != Some(&b'"') {
                return None;
            }
            let name = self.bytes.get(self.at..end)?;
            self.at = end + 1;
            self.expect(b':')?;
            member(self, name)?;
            match self.next()? {
                b',' => {}
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// An array's items, each read by `item`.
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(items);
        }
        loop {
            items.push(item(self)?);
            match self.next()? {
                b',' => {}
                b']' => return Some(items),
                _ => return None,
            }
        }
    }

    /// A struct of `count` members, each read into it by `member` (which also marks it in
    /// `Seen`); members not given keep their defaults, as with serde's `#[serde(default)]`.
    fn record<T: Default>(
        &mut self,
        count: u32,
        mut member: impl FnMut(&mut Self, &mut T, &mut Seen, &'a [u8]) -> Option<()>,
    ) -> Option<T> {
        let mut value = T::default();
        let mut seen = Seen::default();
        self.object(|r, name| member(r, &mut value, &mut seen, name))?;
        self.canonical &= seen.canonical(count);
        Some(value)
    }

    fn string(&mut self) -> Option<String> {
        self.expect(b'"')?;
        let start = self.at;
        let end = self.run_end();
        if self.bytes.get(end) == Some(&b'"') {
            self.at = end + 1;
            // Quotes are ASCII, so both ends are character boundaries.
            return self.text.get(start..end).map(str::to_owned);
        }
        self.escaped(start)
    }

    /// The rest of a string that has escapes in it, from its first content byte at `start`.
    fn escaped(&mut self, start: usize) -> Option<String> {
        let mut out = String::new();
        let (mut run, mut i) = (start, start);
        loop {
            match *self.bytes.get(i)? {
                b'"' => {
                    out.push_str(self.text.get(run..i)?);
                    self.at = i + 1;
                    return Some(out);
                }
                b'\\' => {
                    out.push_str(self.text.get(run..i)?);
                    let c = match *self.bytes.get(i + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => {
                            // Canonical JSON writes `/` as it is.
                            self.canonical = false;
                            '/'
                        }
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = std::str::from_utf8(self.bytes.get(i + 2..i + 6)?).ok()?;
                            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                                return None;
                            }
                            i += 4;
                            let n = u32::from_str_radix(hex, 16).ok()?;
                            // Canonical JSON writes `\u` (in lower case) only for the control
                            // characters that have no short escape.
                            self.canonical &= n < 0x20
                                && !matches!(n, 0x08 | 0x09 | 0x0A | 0x0C | 0x0D)
                                && !hex.bytes().any(|b| b.is_ascii_uppercase());
                            // A surrogate (half of a pair) is no char: left to serde.
                            char::from_u32(n)?
                        }
                        _ => return None,
                    };
                    out.push(c);
                    i += 2;
                    run = i;
                }
                0x00..=0x1F => return None,
                _ => i += 1,
            }
        }
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        if self.peek()? == b'n' {
            self.word(b"null")?;
            return Some(None);
        }
        self.string().map(Some)
    }

    fn bool(&mut self) -> Option<bool> {
        if self.peek()? == b't' {
            self.word(b"true").map(|()| true)
        } else {
            self.word(b"false").map(|()| false)
        }
    }

    /// A whole number as serde reads it into an `i64`: no fraction, no exponent, no leading zero;
    /// up to 18 digits (a longer one is left to serde).
    fn int(&mut self) -> Option<i64> {
        self.skip_ws();
        let negative = self.bytes.get(self.at) == Some(&b'-');
        let first = self.at + usize::from(negative);
        let digits = self
            .bytes
            .get(first..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let end = first + digits;
        let text = std::str::from_utf8(self.bytes.get(first..end)?).ok()?;
        if digits == 0
            || digits > 18
            || (digits > 1 && text.starts_with('0'))
            || (negative && text == "0")
            || matches!(self.bytes.get(end), Some(b'.' | b'e' | b'E'))
        {
            return None;
        }
        let n: i64 = text.parse().ok()?;
        // The canonical JSON holds only integers a double holds exactly.
        self.canonical &= n <= MAX_SAFE_INTEGER;
        self.at = end;
        Some(if negative { -n } else { n })
    }

    // Each struct's members are numbered in canonical order (RFC 8785's: by name).

    fn table(&mut self) -> Option<SelfCheckTable> {
        self.record(11, |r, t: &mut SelfCheckTable, seen, name| {
            match name {
                b"department" => t.department = seen.member(0, r.department())?,
                b"hash" => {
                    let from = r.member_at;
                    t.hash = seen.member(1, r.opt_string())?;
                    r.hash_member = Some(from..r.at);
                }
                b"period" => t.period = seen.member(2, r.string())?,
                b"person" => t.person = seen.member(3, r.person())?,
                b"rows" => t.rows = seen.member(4, r.array(Self::row))?,
                b"schema_version" => t.schema_version = seen.member(5, r.int())?,
                b"scheme" => t.scheme = seen.member(6, r.string())?,
                b"submitted_at" => t.submitted_at = seen.member(7, r.opt_string())?,
                b"table" => t.table = seen.member(8, r.string())?,
                b"unit" => t.unit = seen.member(9, r.unit())?,
                b"year" => t.year = seen.member(10, r.int())?,
                _ => return None,
            };
            Some(())
        })
    }

    /// A unit's or a department's `{"id":…,"name":…}`.
    fn id_and_name(&mut self) -> Option<(String, String)> {
        self.record(2, |r, (id, name): &mut (String, String), seen, member| {
            match member {
                b"id" => *id = seen.member(0, r.string())?,
                b"name" => *name = seen.member(1, r.string())?,
                _ => return None,
            };
            Some(())
        })
    }

    fn unit(&mut self) -> Option<UnitRef> {
        let (id, name) = self.id_and_name()?;
        Some(UnitRef { id, name })
    }

    fn department(&mut self) -> Option<DepartmentRef> {
        let (id, name) = self.id_and_name()?;
        Some(DepartmentRef { id, name })
    }

    fn person(&mut self) -> Option<Option<PersonRef>> {
        if self.peek()? == b'n' {
            self.word(b"null")?;
            return Some(None);
        }
        self.record(4, |r, p: &mut PersonRef, seen, name| {
            match name {
                b"id" => p.id = seen.member(0, r.string())?,
                b"key_post" => p.key_post = seen.member(1, r.bool())?,
                b"name" => p.name = seen.member(2, r.string())?,
                b"post" => p.post = seen.member(3, r.string())?,
                _ => return None,
            };
            Some(())
        })
        .map(Some)
    }

    fn row(&mut self) -> Option<RiskRow> {
        self.record(11, |r, row: &mut RiskRow, seen, name| {
            match name {
                b"factors" => row.factors = seen.member(0, r.string_map())?,
                b"graded_level" => row.graded_level = seen.member(1, r.opt_string())?,
                b"level" => row.level = seen.member(2, r.opt_string())?,
                b"level_reason" => row.level_reason = seen.member(3, r.string())?,
                b"measures" => row.measures = seen.member(4, r.array(Self::measure))?,
                b"post" => row.post = seen.member(5, r.string())?,
                b"power" => row.power = seen.member(6, r.power())?,
                b"responsible" => row.responsible = seen.member(7, r.string())?,
                b"risk_point" => row.risk_point = seen.member(8, r.string())?,
                b"risk_type" => row.risk_type = seen.member(9, r.string())?,
                b"step" => row.step = seen.member(10, r.step())?,
                _ => return None,
            };
            Some(())
        })
    }

    fn power(&mut self) -> Option<Power> {
        self.record(6, |r, p: &mut Power, seen, name| {
            match name {
                b"basis" => p.basis = seen.member(0, r.string())?,
                b"category" => p.category = seen.member(1, r.string())?,
                b"department" => p.department = seen.member(2, r.string())?,
                b"item" => p.item = seen.member(3, r.string())?,
                b"limits" => p.limits = seen.member(4, r.string())?,
                b"name" => p.name = seen.member(5, r.string())?,
                _ => return None,
            };
            Some(())
        })
    }

    fn step(&mut self) -> Option<FlowStep> {
        self.record(6, |r, s: &mut FlowStep, seen, name| {
            match name {
                b"conditions" => s.conditions = seen.member(0, r.string())?,
                b"name" => s.name = seen.member(1, r.string())?,
                b"procedure" => s.procedure = seen.member(2, r.string())?,
                b"subject" => s.subject = seen.member(3, r.string())?,
                b"supervision" => s.supervision = seen.member(4, r.string())?,
                b"time_limit" => s.time_limit = seen.member(5, r.string())?,
                _ => return None,
            };
            Some(())
        })
    }

    fn measure(&mut self) -> Option<Measure> {
        self.record(3, |r, m: &mut Measure, seen, name| {
            match name {
                b"kind" => m.kind = seen.member(0, r.string())?,
                b"line" => m.line = seen.member(1, r.string())?,
                b"text" => m.text = seen.member(2, r.string())?,
                _ => return None,
            };
            Some(())
        })
    }

    /// Factor values: any names, each with a string; as with serde, a name given twice keeps
    /// its last value.
    fn string_map(&mut self) -> Option<BTreeMap<String, String>> {
        let mut map = BTreeMap::new();
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(map);
        }
        loop {
            let name = self.string()?;
            // Canonically, names come once each, sorted; for ASCII names (factor ids are) that
            // is byte order. While they do, the map's last name is the one before.
            self.canonical &=
                name.is_ascii() && map.keys().next_back().is_none_or(|last| *last < name);
            self.expect(b':')?;
            map.insert(name, self.string()?);
            match self.next()? {
                b',' => {}
                b'}' => return Some(map),
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::canonical::table_to_canonical_string;

    fn serde(text: &str) -> Option<SelfCheckTable> {
        serde_json::from_str(text).ok()
    }

    /// Every fixture table that is UTF-8: good ones, invalid ones (their `table`), malformed ones.
    fn fixtures() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        let mut out = Vec::new();
        for dir in ["good-tables", "bad-tables", "bad-json"] {
            let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            files.sort();
            for f in files {
                let Ok(text) = String::from_utf8(std::fs::read(&f).unwrap()) else {
                    continue;
                };
                // A bad table's file holds the table under `table`, beside what it expects.
                let table = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("table").map(serde_json::to_string_pretty));
                match table {
                    Some(t) => out.push((f.display().to_string(), t.unwrap())),
                    None => out.push((f.display().to_string(), text)),
                }
            }
        }
        out
    }

    /// When the fast path answers, serde gives the same table; when it says the text is
    /// canonical, the canonical writer gives the text back, and without the hash member exactly
    /// the pieces it names.
    fn agrees(text: &str) -> bool {
        let Some(fast) = read(text) else {
            return false;
        };
        assert_eq!(serde(text).as_ref(), Some(&fast.table), "{text}");
        if let Some([before, after]) = fast.without_hash {
            assert_eq!(table_to_canonical_string(&fast.table, true).unwrap(), text);
            assert_eq!(
                table_to_canonical_string(&fast.table, false).unwrap(),
                format!("{}{}", &text[before], &text[after]),
            );
        }
        true
    }

    fn canonical(text: &str) -> bool {
        read(text).is_some_and(|r| r.without_hash.is_some())
    }

    #[test]
    fn reads_every_fixture_as_serde_does_and_answers_for_the_well_formed_ones() {
        let all = fixtures();
        assert!(all.len() > 50, "{} fixtures", all.len());
        for (name, text) in &all {
            let answered = agrees(text);
            // Every table serde reads is one the fast path reads too (the fixtures use no
            // escaped names and no surrogate escapes), so the fast path is what ingest runs.
            assert_eq!(answered, serde(text).is_some(), "{name}");
            // And in compact form, and in canonical form, as the form and the demo data write it
            // (a table the canonical writer refuses, with a year past 2^53, has no such form).
            let Some(t) = serde(text) else { continue };
            let compact = serde_json::to_string(&t).unwrap();
            assert_eq!(read(&compact).map(|r| r.table), Some(t.clone()), "{name}");
            let Ok(c) = table_to_canonical_string(&t, true) else {
                continue;
            };
            assert!(agrees(&c), "{name}");
            let ascii_factors = t
                .rows
                .iter()
                .all(|r| r.factors.keys().all(|k| k.is_ascii()));
            assert_eq!(canonical(&c), ascii_factors, "{name}: {c}");
        }
    }

    #[test]
    fn answers_only_for_what_serde_reads_the_same() {
        let base = r#"{"scheme":"town-2012","year":2013,"unit":{"id":"u","name":"城关镇"},"person":null,"rows":[{"power":{"name":"P"},"factors":{"a":"x","b":"y"},"level":null,"measures":[{"line":"prevention","text":"T"}]}]}"#;
        assert!(agrees(base) && !canonical(base));
        let t = read(base).unwrap().table;
        assert_eq!(
            (t.period.as_str(), t.table.as_str()),
            ("annual", "department")
        );
        for (text, fast_reads) in [
            // Escapes, whitespace, an empty table, negative numbers, a key post.
            (
                r#"{"scheme":"a\"b\\c\/d\b\f\n\r\t\u00e9\u4E2D\u0000"}"#,
                true,
            ),
            (" \t\n{ \"year\" : -12 , \"rows\" : [ ] }\r\n", true),
            ("{}", true),
            (
                r#"{"person":{"id":"p","key_post":true},"hash":"h","submitted_at":null}"#,
                true,
            ),
            (r#"{"rows":[{"factors":{"a":"1","a":"2"}}]}"#, true),
            (r#"{"rows":[{"factors":{"\u0061":"1"}}]}"#, true),
            // Left to serde, which reads them...
            (r#"{"scheme":"\ud83d\ude00"}"#, false),
            (r#"{"sch\u0065me":"x"}"#, false),
            (r#"{"unit":["u","n"]}"#, false),
            // ...or refuses them.
            (r#"{"year":2013.0}"#, false),
            (r#"{"year":1e3}"#, false),
            (r#"{"year":007}"#, false),
            (r#"{"year":-0}"#, false),
            (r#"{"year":99999999999999999999}"#, false),
            (r#"{"year":"2013"}"#, false),
            (r#"{"scheme":"a","scheme":"b"}"#, false),
            (r#"{"unknown":1}"#, false),
            (r#"{"scheme":null}"#, false),
            (r#"{"rows":[{},]}"#, false),
            (r#"{"scheme":"a",}"#, false),
            (r#"{"scheme":"a"} x"#, false),
            (r#"{"scheme":"a"}{}"#, false),
            ("{\"scheme\":\"a\u{1}\"}", false),
            (r#"{"scheme":"\x"}"#, false),
            (r#"{"scheme":"\u12"}"#, false),
            (r#"{"scheme":"\ud800"}"#, false),
            (r#"{"person":{"key_post":tru}}"#, false),
            (r#"{"person":nul}"#, false),
            (r#"{"scheme":"a""#, false),
            ("", false),
        ] {
            assert_eq!(agrees(text), fast_reads, "{text}");
        }
    }

    #[test]
    fn says_canonical_only_of_the_canonical_json() {
        let mut t = SelfCheckTable {
            scheme: "town-2012".into(),
            year: 2013,
            hash: Some("sha256:00".into()),
            ..SelfCheckTable::default()
        };
        t.rows.push(RiskRow {
            risk_point: "a\"b\\c/d\u{1}\u{1f}\n\té😀\u{7f}".into(),
            factors: [("a", "x"), ("b", "y")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into(),
            measures: vec![Measure {
                line: "L".into(),
                kind: "K".into(),
                text: "T".into(),
            }],
            post: "P".into(),
            ..RiskRow::default()
        });
        t.person = Some(PersonRef {
            id: "I".into(),
            ..PersonRef::default()
        });
        let c = table_to_canonical_string(&t, true).unwrap();
        assert!(c.contains(r#"\u0001\u001f\n\t"#), "{c}");
        assert!(agrees(&c) && canonical(&c), "{c}");
        let without = table_to_canonical_string(&t, false).unwrap();
        t.hash = None;
        let unhashed = table_to_canonical_string(&t, true).unwrap();
        assert!(canonical(&unhashed), "a null hash is canonical too");
        assert_eq!(table_to_canonical_string(&t, false).unwrap(), without);
        for (from, to) in [
            (r#"\u001f"#, r#"\u001F"#),
            (r#"\n"#, r#"\u000a"#),
            ("é", r#"\u00e9"#),
            ("c/d", r#"c\/d"#),
            (r#""year":2013"#, r#""year": 2013"#),
            (r#""year":2013"#, r#""year":9007199254740992"#),
            (r#"{"department""#, r#" {"department""#),
            (r#""a":"x","b":"y""#, r#""b":"y","a":"x""#),
            (r#""a":"x","b":"y""#, r#""a":"x","a":"x","b":"y""#),
            (r#""a":"x","b":"y""#, r#""a":"x","é":"y""#),
            (r#""period":"annual","#, ""),
            (r#""scheme":"town-2012","#, ""),
            (r#""hash":"sha256:00","#, ""),
            (r#""kind":"K","line":"L""#, r#""line":"L","kind":"K""#),
            (r#""kind":"K","#, ""),
            (r#""id":"I","#, ""),
            (r#""conditions":"","#, ""),
            (r#""basis":"","#, ""),
            (r#""post":"P","#, ""),
            (r#""factors":{"a":"x","b":"y"},"#, ""),
            (r#"{"id":"","name":""}"#, r#"{"name":"","id":""}"#),
            (
                r#""department":{"id":"","name":""},"hash":"sha256:00""#,
                r#""hash":"sha256:00","department":{"id":"","name":""}"#,
            ),
        ] {
            assert!(c.contains(from), "{from}");
            let changed = c.replacen(from, to, 1);
            // Still a table serde reads (but for the unsafe year, which it reads too), yet not
            // the canonical JSON: the hash must be taken over the canonical JSON written out.
            assert!(!canonical(&changed), "{changed}");
            agrees(&changed);
        }
    }

    /// A fixed pseudo-random sequence (xorshift), so a failure can be replayed.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    #[test]
    fn agrees_with_serde_on_thousands_of_damaged_tables() {
        const PIECES: [&str; 24] = [
            "\"",
            "\\",
            ",",
            ":",
            "{",
            "}",
            "[",
            "]",
            " ",
            "0",
            "-",
            "1.5",
            "e5",
            "null",
            "true",
            "\\u0041",
            "\\ud800",
            "\\n",
            "\"x\":1",
            "\u{1}",
            "é",
            "😀",
            "\"level\":\"low\"",
            "\"year\":2013",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut answered, mut canonical_too, mut tried) = (0, 0, 0);
        for (_, text) in fixtures() {
            let Some(t) = serde(&text) else { continue };
            let mut bases = vec![text.clone(), serde_json::to_string(&t).unwrap()];
            bases.extend(table_to_canonical_string(&t, true).ok());
            for base in bases {
                let chars: Vec<char> = base.chars().collect();
                for _ in 0..300 {
                    let mut c = chars.clone();
                    for _ in 0..1 + rng.below(3) {
                        let at = rng.below(c.len() + 1);
                        match rng.below(4) {
                            0 if at < c.len() => {
                                c.remove(at);
                            }
                            1 if at < c.len() => {
                                c[at] = PIECES[rng.below(PIECES.len())].chars().next().unwrap();
                            }
                            2 => {
                                let end = (at + rng.below(40)).min(c.len());
                                let copy: Vec<char> = c[at..end].to_vec();
                                let to = rng.below(c.len() + 1);
                                c.splice(to..to, copy);
                            }
                            _ => {
                                let piece = PIECES[rng.below(PIECES.len())];
                                c.splice(at..at, piece.chars());
                            }
                        }
                    }
                    let damaged: String = c.into_iter().collect();
                    tried += 1;
                    if agrees(&damaged) {
                        answered += 1;
                        canonical_too += usize::from(canonical(&damaged));
                    }
                }
            }
        }
        // Some damage leaves a readable table (a changed letter, a space): the fast path must
        // have answered for some, or this test would prove nothing.
        assert!(
            tried > 10_000 && answered > 100 && canonical_too > 100,
            "{answered} ({canonical_too} canonical) of {tried}"
        );
    }
}
