//! Canonical JSON (RFC 8785, the JSON Canonicalization Scheme) and the content hash.
//!
//! Sunlight restricts RFC 8785 in one way: numbers must be integers of magnitude at most
//! 2^53 − 1, written in plain decimal. Submissions carry no fractional numbers, so the only hard
//! part of RFC 8785 (the ECMAScript formatting of doubles) never arises, and a portal in any
//! language can reproduce the hash with a few lines of code:
//!
//! 1. objects: members sorted by their names compared as UTF-16 code units; no white space;
//! 2. strings: `"` and `\` escaped with a backslash, U+0008/09/0A/0C/0D as `\b \t \n \f \r`, other
//!    characters below U+0020 as `\u00xx` (lower-case hex), everything else as raw UTF-8;
//! 3. `true`, `false`, `null` as such; integers as decimal digits with a leading `-` if negative.
//!
//! The content hash of a submission is `sha256:` followed by the lower-case hex SHA-256 of the
//! UTF-8 bytes of the canonical form of the envelope *without* its `hash` member.

use std::fmt::Write as _;

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Serialize, ser};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::{
    DepartmentRef, FlowStep, Measure, PersonRef, Power, RiskRow, SelfCheckTable, UnitRef,
};

/// The largest integer magnitude a canonical document may contain (2^53 − 1, exact in every JSON reader).
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// Writes `value` in canonical form.
///
/// ```
/// let v = serde_json::json!({"b": [1, "é\n"], "a": null});
/// assert_eq!(sunlight_core::canonical::to_canonical_string(&v).unwrap(), "{\"a\":null,\"b\":[1,\"é\\n\"]}");
/// ```
pub fn to_canonical_string(value: &Value) -> Result<String> {
    let mut out = String::new();
    write_value(&mut out, value).map_err(|e| Error::NotCanonical {
        // The path is put together only when there is an error, from the innermost part out.
        path: e.path.iter().rev().fold(String::from("$"), |mut p, part| {
            p.push_str(part);
            p
        }),
        message: e.message,
    })?;
    Ok(out)
}

/// The content hash (`sha256:<hex>`) of `value`'s canonical form.
pub fn content_hash(value: &Value) -> Result<String> {
    Ok(hash_bytes(to_canonical_string(value)?.as_bytes()))
}

/// `sha256:<hex>` of raw bytes.
pub fn hash_bytes(bytes: &[u8]) -> String {
    hash_pieces(&[bytes])
}

/// [`hash_bytes`] of the pieces one after the other, without joining them.
pub(crate) fn hash_pieces(pieces: &[&[u8]]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hasher = Sha256::new();
    for piece in pieces {
        hasher.update(piece);
    }
    let digest = hasher.finalize();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xF)]));
    }
    out
}

/// A value that cannot be written: why, and where, as path parts from the innermost out.
struct Unwritable {
    path: Vec<String>,
    message: String,
}

/// Adds the part of the path at this level to an error coming up from below.
fn within(part: impl FnOnce() -> String) -> impl FnOnce(Unwritable) -> Unwritable {
    move |mut e| {
        e.path.push(part());
        e
    }
}

fn write_value(out: &mut String, value: &Value) -> std::result::Result<(), Unwritable> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            let int = n
                .as_i64()
                .filter(|i| i.unsigned_abs() <= MAX_SAFE_INTEGER as u64);
            match int {
                Some(i) => {
                    let _ = write!(out, "{i}");
                }
                None => {
                    return Err(Unwritable {
                        path: Vec::new(),
                        message: format!("{n} is not an integer between -(2^53-1) and 2^53-1"),
                    });
                }
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item).map_err(within(|| format!("[{i}]")))?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Members usually come in order already (serde_json's map is sorted by bytes unless
            // a crate in the build asks it to keep insertion order): then they are not sorted.
            let in_order = map
                .keys()
                .zip(map.keys().skip(1))
                .all(|(a, b)| utf16_order(a, b).is_lt());
            if in_order {
                write_members(out, map.iter())?;
            } else {
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_unstable_by(|a, b| utf16_order(a.0, b.0));
                write_members(out, members.into_iter())?;
            }
        }
    }
    Ok(())
}

/// `{"name":value,…}` of members already in order.
fn write_members<'a>(
    out: &mut String,
    members: impl Iterator<Item = (&'a String, &'a Value)>,
) -> std::result::Result<(), Unwritable> {
    out.push('{');
    for (i, (k, v)) in members.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, k);
        out.push(':');
        write_value(out, v).map_err(within(|| format!(".{k}")))?;
    }
    out.push('}');
    Ok(())
}

/// Orders member names as RFC 8785 does, by UTF-16 code units. That is the order of their
/// UTF-8 bytes unless a name has a character beyond U+FFFF (a four-byte sequence, lead byte
/// 0xF0 or above), which UTF-16 writes as a surrogate pair sorting before U+E000–U+FFFF.
///
/// Only the first byte where the names differ is looked at. Below 0xEE on both sides it is a
/// character boundary of two characters under U+E000, or a later byte of two characters with
/// the same lead byte (both in the BMP, or both beyond it): the byte order is UTF-16's either
/// way. Only else are the names compared as UTF-16. Members are sorted by this for every object
/// of every submission ingested: it used to scan both names for astral characters first, 5 %
/// of the ingest's samples.
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    match x.iter().zip(y).position(|(p, q)| p != q) {
        None => x.len().cmp(&y.len()),
        Some(i) if x[i] < 0xEE && y[i] < 0xEE => x[i].cmp(&y[i]),
        Some(_) => a.encode_utf16().cmp(b.encode_utf16()),
    }
}

/// Writes `text` as a JSON string, escaped as canonical JSON escapes it, which is also how
/// serde_json writes a string: for JSON written by hand, without a serializer.
///
/// ```
/// let mut out = String::new();
/// sunlight_core::canonical::push_json_string(&mut out, "a\"b\n");
/// assert_eq!(out, serde_json::to_string("a\"b\n").unwrap());
/// ```
pub fn push_json_string(out: &mut String, text: &str) {
    write_string(out, text);
}

/// Writes a map of texts (a row's factors) as a JSON object with its members in canonical
/// order: what the table's canonical JSON holds for it, for JSON written by hand.
///
/// ```
/// # use std::collections::BTreeMap;
/// let factors = BTreeMap::from([
///     ("harm".to_owned(), "severe".to_owned()),
///     ("discretion".to_owned(), "大".to_owned()),
/// ]);
/// let mut out = String::new();
/// sunlight_core::canonical::push_json_object(&mut out, &factors);
/// assert_eq!(out, r#"{"discretion":"大","harm":"severe"}"#);
/// ```
pub fn push_json_object(out: &mut String, map: &BTreeMap<String, String>) {
    out.push('{');
    // A map is in byte order, which is the canonical order unless a name holds characters
    // from U+E000 up (then the names are sorted as UTF-16).
    let in_order = map
        .keys()
        .zip(map.keys().skip(1))
        .all(|(a, b)| utf16_order(a, b).is_lt());
    // Written straight from the map when in order (every row of every ingested table), sorted
    // first only when not.
    let write = |out: &mut String, k: usize, (name, value): (&String, &String)| {
        if k > 0 {
            out.push(',');
        }
        write_string(out, name);
        out.push(':');
        write_string(out, value);
    };
    if in_order {
        for (k, member) in map.iter().enumerate() {
            write(out, k, member);
        }
    } else {
        let mut members: Vec<(&String, &String)> = map.iter().collect();
        members.sort_by(|a, b| utf16_order(a.0, b.0));
        for (k, member) in members.into_iter().enumerate() {
            write(out, k, member);
        }
    }
    out.push('}');
}

fn write_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    // Most text has nothing to escape: one pass without branches says so.
    if !s.bytes().fold(false, |seen, x| {
        seen | (x < 0x20) | (x == b'"') | (x == b'\\')
    }) {
        out.push_str(s);
        out.push('"');
        return;
    }
    // Runs of characters written as they are, between the few that are escaped (all ASCII, so
    // a run always ends on a character boundary).
    let mut run = 0;
    for (k, &x) in s.as_bytes().iter().enumerate() {
        let escaped = match x {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0C => "\\f",
            b'\r' => "\\r",
            0x00..=0x1F => "",
            _ => continue,
        };
        out.push_str(&s[run..k]);
        if escaped.is_empty() {
            let _ = write!(out, "\\u{x:04x}");
        } else {
            out.push_str(escaped);
        }
        run = k + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Writes any serialisable `value` in canonical form, as [`to_canonical_string`] writes it once
/// turned into a [`Value`], without building the [`Value`]: a submission is hashed on every
/// ingest, and the intermediate tree was most of that work. With `without`, a member of that
/// name of the outermost object is left out (the content hash leaves out `hash`).
pub fn to_canonical_string_of<T: Serialize + ?Sized>(
    value: &T,
    without: Option<&str>,
) -> Result<String> {
    let mut out = String::new();
    value
        .serialize(Canonical {
            out: &mut out,
            without,
        })
        .map_err(|e| Error::NotCanonical {
            path: e.path.iter().rev().fold(String::from("$"), |mut p, part| {
                p.push_str(part);
                p
            }),
            message: e.message,
        })?;
    Ok(out)
}

impl std::fmt::Display for Unwritable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Debug for Unwritable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} at {:?}", self.message, self.path)
    }
}

impl std::error::Error for Unwritable {}

impl ser::Error for Unwritable {
    fn custom<M: std::fmt::Display>(message: M) -> Self {
        Unwritable {
            path: Vec::new(),
            message: message.to_string(),
        }
    }
}

type Written = std::result::Result<(), Unwritable>;

/// The serializer behind [`to_canonical_string_of`]: writes each value as [`write_value`] would
/// write what `serde_json::to_value` makes of it.
struct Canonical<'a, 'w> {
    out: &'a mut String,
    /// A member of the outermost object to leave out.
    without: Option<&'w str>,
}

impl<'a> Canonical<'a, '_> {
    fn nested(out: &'a mut String) -> Canonical<'a, 'static> {
        Canonical { out, without: None }
    }

    fn integer(self, n: i128) -> Written {
        if n.unsigned_abs() > MAX_SAFE_INTEGER as u128 {
            return Err(<Unwritable as ser::Error>::custom(format!(
                "{n} is not an integer between -(2^53-1) and 2^53-1"
            )));
        }
        let _ = write!(self.out, "{n}");
        Ok(())
    }

    fn float(self, x: f64) -> Written {
        // serde_json makes a value of NaN and the infinities `null`, and of other floats a
        // number that is not an integer.
        if x.is_finite() {
            Err(<Unwritable as ser::Error>::custom(format!(
                "{x} is not an integer between -(2^53-1) and 2^53-1"
            )))
        } else {
            self.out.push_str("null");
            Ok(())
        }
    }

    fn object(self) -> Members<'a, 'static> {
        Members::new(self.out, None, 1)
    }
}

/// An object's members. Their values are written one after the other where the object goes,
/// and each one's place is noted; at the end the values are taken out and written back with
/// their names, in order. No value is built twice and no member needs a buffer of its own.
struct Members<'a, 'w> {
    out: &'a mut String,
    /// Where the object starts in `out`.
    start: usize,
    /// Each member's name and where its value is in `out`.
    spans: Vec<(Cow<'static, str>, usize, usize)>,
    /// The key of a map entry whose value comes next.
    key: Option<String>,
    without: Option<&'w str>,
    /// Written after the object: `}` when it is the value of a variant's object.
    close: &'static str,
}

impl<'a, 'w> Members<'a, 'w> {
    /// An object of about `members` members (its spans are had at once, not grown).
    fn new(out: &'a mut String, without: Option<&'w str>, members: usize) -> Self {
        Members {
            start: out.len(),
            out,
            spans: Vec::with_capacity(members),
            key: None,
            without,
            close: "",
        }
    }

    fn member<T: Serialize + ?Sized>(&mut self, key: Cow<'static, str>, value: &T) -> Written {
        if self.without == Some(&*key) {
            return Ok(());
        }
        let from = self.out.len();
        match value.serialize(Canonical::nested(self.out)) {
            Ok(()) => {
                self.spans.push((key, from, self.out.len()));
                Ok(())
            }
            Err(e) => Err(within(|| format!(".{key}"))(e)),
        }
    }

    fn end(mut self) -> Written {
        // The values move out to a buffer this thread reuses (an object ends only after every
        // object in it has ended, so one buffer serves them all), and back with their names.
        VALUES.with_borrow_mut(|values| self.write_sorted(values));
        Ok(())
    }

    fn write_sorted(&mut self, values: &mut String) {
        values.clear();
        values.push_str(&self.out[self.start..]);
        self.out.truncate(self.start);
        // A stable sort: of two members of one name, serde_json keeps the last.
        self.spans.sort_by(|a, b| utf16_order(&a.0, &b.0));
        self.out.reserve(values.len() + 16 * self.spans.len() + 2);
        self.out.push('{');
        let mut first = true;
        for (k, (name, from, to)) in self.spans.iter().enumerate() {
            if self.spans.get(k + 1).is_some_and(|next| next.0 == *name) {
                continue;
            }
            if !first {
                self.out.push(',');
            }
            first = false;
            write_string(self.out, name);
            self.out.push(':');
            self.out
                .push_str(&values[from - self.start..to - self.start]);
        }
        self.out.push('}');
        self.out.push_str(self.close);
    }
}

thread_local! {
    /// The values of the object [`Members::end`] is writing.
    static VALUES: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// An array's elements, written as they come.
struct Elements<'a> {
    out: &'a mut String,
    count: usize,
    /// Written after the array: `}` when it is the value of a variant's object.
    close: &'static str,
}

impl Elements<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Written {
        if self.count > 0 {
            self.out.push(',');
        }
        let i = self.count;
        self.count += 1;
        value
            .serialize(Canonical::nested(self.out))
            .map_err(within(|| format!("[{i}]")))
    }

    fn end(self) -> Written {
        self.out.push(']');
        self.out.push_str(self.close);
        Ok(())
    }
}

/// A map key as serde_json makes it one: strings as they are, numbers and booleans as their
/// text; anything else cannot be a key.
fn key_text<T: Serialize + ?Sized>(key: &T) -> std::result::Result<String, Unwritable> {
    match serde_json::to_value(key) {
        Ok(Value::String(s)) => Ok(s),
        Ok(Value::Number(n)) => Ok(n.to_string()),
        Ok(Value::Bool(b)) => Ok(b.to_string()),
        Ok(_) => Err(<Unwritable as ser::Error>::custom(
            "a map key must be a string",
        )),
        Err(e) => Err(<Unwritable as ser::Error>::custom(e)),
    }
}

impl<'a, 'w> ser::Serializer for Canonical<'a, 'w> {
    type Ok = ();
    type Error = Unwritable;
    type SerializeSeq = Elements<'a>;
    type SerializeTuple = Elements<'a>;
    type SerializeTupleStruct = Elements<'a>;
    type SerializeTupleVariant = Elements<'a>;
    type SerializeMap = Members<'a, 'w>;
    type SerializeStruct = Members<'a, 'w>;
    type SerializeStructVariant = Members<'a, 'static>;

    fn serialize_bool(self, v: bool) -> Written {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Written {
        self.integer(v.into())
    }
    fn serialize_i16(self, v: i16) -> Written {
        self.integer(v.into())
    }
    fn serialize_i32(self, v: i32) -> Written {
        self.integer(v.into())
    }
    fn serialize_i64(self, v: i64) -> Written {
        self.integer(v.into())
    }
    fn serialize_i128(self, v: i128) -> Written {
        self.integer(v)
    }
    fn serialize_u8(self, v: u8) -> Written {
        self.integer(v.into())
    }
    fn serialize_u16(self, v: u16) -> Written {
        self.integer(v.into())
    }
    fn serialize_u32(self, v: u32) -> Written {
        self.integer(v.into())
    }
    fn serialize_u64(self, v: u64) -> Written {
        self.integer(v.into())
    }
    fn serialize_u128(self, v: u128) -> Written {
        match i128::try_from(v) {
            Ok(v) => self.integer(v),
            Err(_) => self.integer(i128::MAX),
        }
    }
    fn serialize_f32(self, v: f32) -> Written {
        self.float(v.into())
    }
    fn serialize_f64(self, v: f64) -> Written {
        self.float(v)
    }
    fn serialize_char(self, v: char) -> Written {
        write_string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Written {
        write_string(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Written {
        let mut seq = ser::Serializer::serialize_seq(self, Some(v.len()))?;
        v.iter()
            .try_for_each(|b| ser::SerializeSeq::serialize_element(&mut seq, b))?;
        ser::SerializeSeq::end(seq)
    }
    fn serialize_none(self) -> Written {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Written {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Written {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Written {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Written {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Written {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Written {
        let mut members = self.object();
        members.member(Cow::Borrowed(variant), value)?;
        members.end()
    }
    fn serialize_seq(self, _: Option<usize>) -> std::result::Result<Elements<'a>, Unwritable> {
        self.out.push('[');
        Ok(Elements {
            out: self.out,
            count: 0,
            close: "",
        })
    }
    fn serialize_tuple(self, len: usize) -> std::result::Result<Elements<'a>, Unwritable> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> std::result::Result<Elements<'a>, Unwritable> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> std::result::Result<Elements<'a>, Unwritable> {
        // `{"variant":[…]}`: one member, so nothing to put in order.
        self.out.push('{');
        write_string(self.out, variant);
        self.out.push_str(":[");
        Ok(Elements {
            out: self.out,
            count: 0,
            close: "}",
        })
    }
    fn serialize_map(self, len: Option<usize>) -> std::result::Result<Members<'a, 'w>, Unwritable> {
        Ok(Members::new(self.out, self.without, len.unwrap_or(0)))
    }
    fn serialize_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> std::result::Result<Members<'a, 'w>, Unwritable> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> std::result::Result<Members<'a, 'static>, Unwritable> {
        // `{"variant":{…}}`: the outer object has one member.
        self.out.push('{');
        write_string(self.out, variant);
        self.out.push(':');
        let mut members = self.object();
        members.close = "}";
        Ok(members)
    }
}

/// The four ways serde writes a sequence all write elements.
macro_rules! elements {
    ($($kind:ident::$method:ident),*) => {$(
        impl ser::$kind for Elements<'_> {
            type Ok = ();
            type Error = Unwritable;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Written {
                self.element(value)
            }
            fn end(self) -> Written {
                Elements::end(self)
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Members<'_, '_> {
    type Ok = ();
    type Error = Unwritable;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Written {
        self.key = Some(key_text(key)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Written {
        let key = self
            .key
            .take()
            .ok_or_else(|| <Unwritable as ser::Error>::custom("a map value without its key"))?;
        self.member(Cow::Owned(key), value)
    }
    fn end(self) -> Written {
        Members::end(self)
    }
}

/// A struct and a struct variant both write named members.
macro_rules! named_members {
    ($($kind:ident),*) => {$(
        impl ser::$kind for Members<'_, '_> {
            type Ok = ();
            type Error = Unwritable;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Written {
                self.member(Cow::Borrowed(key), value)
            }
            fn end(self) -> Written {
                Members::end(self)
            }
        }
    )*};
}

named_members!(SerializeStruct, SerializeStructVariant);

/// Writes a self-check table in canonical form, as [`to_canonical_string_of`] writes it (with
/// `without` = `Some("hash")` when `with_hash` is false), member by member in canonical order
/// without buffering or sorting anything: every submission is hashed when it is finalised and
/// again on every ingest, where the generic writer's reordering was a seventh of the CPU time.
/// The members are listed here in the order RFC 8785 sorts them; each struct is taken apart
/// whole, so that a field added to the model does not compile until it is written here too, and
/// a property test holds this writer to the generic one.
pub fn table_to_canonical_string(table: &SelfCheckTable, with_hash: bool) -> Result<String> {
    let SelfCheckTable {
        schema_version,
        scheme,
        year,
        period,
        table: kind,
        unit,
        department,
        person,
        rows,
        submitted_at,
        hash,
    } = table;
    let mut out = String::with_capacity(1024 + 1024 * rows.len());
    out.push_str("{\"department\":");
    let DepartmentRef { id, name } = department;
    id_and_name(&mut out, id, name);
    if with_hash {
        out.push_str(",\"hash\":");
        optional(&mut out, hash.as_deref());
    }
    out.push_str(",\"period\":");
    write_string(&mut out, period);
    out.push_str(",\"person\":");
    match person {
        None => out.push_str("null"),
        Some(PersonRef {
            id,
            name,
            post,
            key_post,
        }) => {
            out.push_str("{\"id\":");
            write_string(&mut out, id);
            out.push_str(",\"key_post\":");
            out.push_str(if *key_post { "true" } else { "false" });
            out.push_str(",\"name\":");
            write_string(&mut out, name);
            out.push_str(",\"post\":");
            write_string(&mut out, post);
            out.push('}');
        }
    }
    out.push_str(",\"rows\":[");
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_row(&mut out, row);
    }
    out.push_str("],\"schema_version\":");
    safe_integer(&mut out, *schema_version, "schema_version")?;
    out.push_str(",\"scheme\":");
    write_string(&mut out, scheme);
    out.push_str(",\"submitted_at\":");
    optional(&mut out, submitted_at.as_deref());
    out.push_str(",\"table\":");
    write_string(&mut out, kind);
    out.push_str(",\"unit\":");
    let UnitRef { id, name } = unit;
    id_and_name(&mut out, id, name);
    out.push_str(",\"year\":");
    safe_integer(&mut out, *year, "year")?;
    out.push('}');
    Ok(out)
}

/// `{"id":…,"name":…}`.
fn id_and_name(out: &mut String, id: &str, name: &str) {
    out.push_str("{\"id\":");
    write_string(out, id);
    out.push_str(",\"name\":");
    write_string(out, name);
    out.push('}');
}

/// A string, or `null`.
fn optional(out: &mut String, value: Option<&str>) {
    match value {
        Some(v) => write_string(out, v),
        None => out.push_str("null"),
    }
}

/// An integer of the envelope, refused beyond 2^53 − 1 as [`to_canonical_string_of`] refuses it.
fn safe_integer(out: &mut String, n: i64, member: &str) -> Result<()> {
    if n.unsigned_abs() > MAX_SAFE_INTEGER as u64 {
        return Err(Error::NotCanonical {
            path: format!("$.{member}"),
            message: format!("{n} is not an integer between -(2^53-1) and 2^53-1"),
        });
    }
    let _ = write!(out, "{n}");
    Ok(())
}

/// One risk point, members in canonical order.
fn write_row(out: &mut String, row: &RiskRow) {
    let RiskRow {
        power,
        step,
        post,
        risk_point,
        risk_type,
        factors,
        level,
        graded_level,
        level_reason,
        measures,
        responsible,
    } = row;
    out.push_str("{\"factors\":");
    push_json_object(out, factors);
    out.push_str(",\"graded_level\":");
    optional(out, graded_level.as_deref());
    out.push_str(",\"level\":");
    optional(out, level.as_deref());
    out.push_str(",\"level_reason\":");
    write_string(out, level_reason);
    out.push_str(",\"measures\":[");
    for (k, Measure { line, kind, text }) in measures.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str("{\"kind\":");
        write_string(out, kind);
        out.push_str(",\"line\":");
        write_string(out, line);
        out.push_str(",\"text\":");
        write_string(out, text);
        out.push('}');
    }
    out.push_str("],\"post\":");
    write_string(out, post);
    let Power {
        name,
        category,
        item,
        basis,
        limits,
        department,
    } = power;
    out.push_str(",\"power\":{\"basis\":");
    write_string(out, basis);
    out.push_str(",\"category\":");
    write_string(out, category);
    out.push_str(",\"department\":");
    write_string(out, department);
    out.push_str(",\"item\":");
    write_string(out, item);
    out.push_str(",\"limits\":");
    write_string(out, limits);
    out.push_str(",\"name\":");
    write_string(out, name);
    out.push_str("},\"responsible\":");
    write_string(out, responsible);
    out.push_str(",\"risk_point\":");
    write_string(out, risk_point);
    out.push_str(",\"risk_type\":");
    write_string(out, risk_type);
    let FlowStep {
        name,
        subject,
        conditions,
        procedure,
        time_limit,
        supervision,
    } = step;
    out.push_str(",\"step\":{\"conditions\":");
    write_string(out, conditions);
    out.push_str(",\"name\":");
    write_string(out, name);
    out.push_str(",\"procedure\":");
    write_string(out, procedure);
    out.push_str(",\"subject\":");
    write_string(out, subject);
    out.push_str(",\"supervision\":");
    write_string(out, supervision);
    out.push_str(",\"time_limit\":");
    write_string(out, time_limit);
    out.push_str("}}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn member_order_agrees_with_utf16_for_every_pair() {
        let names = [
            "",
            "a",
            "ab",
            "b",
            "\r",
            "1",
            "\u{7f}",
            "\u{80}",
            "\u{7ff}",
            "\u{800}",
            "中",
            "中文",
            "\u{d7ff}",
            "\u{e000}",
            "\u{fb33}",
            "\u{ffff}",
            "\u{10000}",
            "\u{1f600}",
            "\u{1f601}",
            "\u{10ffff}",
            "a\u{1f600}",
            "a\u{fb33}",
            "a\u{e000}b",
            "a\u{10000}b",
            "\u{e9}",
        ];
        for a in names {
            for b in names {
                assert_eq!(
                    utf16_order(a, b),
                    a.encode_utf16().cmp(b.encode_utf16()),
                    "{a:?} against {b:?}"
                );
            }
        }
    }

    #[test]
    fn sorts_by_utf16_code_units() {
        // RFC 8785 §3.2.3: U+1F600 (a surrogate pair from 0xD83D) sorts before U+FB33, unlike in code-point order.
        let v = json!({"\u{fb33}": 1, "\u{1f600}": 2, "a": 3, "\r": 4, "1": 5, "\u{20ac}": 6});
        assert_eq!(
            to_canonical_string(&v).expect("ok"),
            "{\"\\r\":4,\"1\":5,\"a\":3,\"\u{20ac}\":6,\"\u{1f600}\":2,\"\u{fb33}\":1}"
        );
    }

    #[test]
    fn a_map_is_written_in_canonical_order_whether_or_not_byte_order_is_it() {
        for names in [
            &["a", "b", "c"][..],
            &["\u{fb33}", "\u{1f600}", "a", "\r"][..],
        ] {
            let map: BTreeMap<String, String> = names
                .iter()
                .enumerate()
                .map(|(i, n)| ((*n).to_owned(), i.to_string()))
                .collect();
            let mut out = String::new();
            push_json_object(&mut out, &map);
            let value = serde_json::to_value(&map).expect("value");
            assert_eq!(out, to_canonical_string(&value).expect("canonical"));
        }
    }

    #[test]
    fn escapes_only_what_json_requires() {
        let v = json!("\u{1}\u{1f}\"\\/\u{7f}中文<>&");
        assert_eq!(
            to_canonical_string(&v).expect("ok"),
            "\"\\u0001\\u001f\\\"\\\\/\u{7f}中文<>&\""
        );
    }

    #[test]
    fn every_character_is_escaped_as_the_scheme_says() {
        // The rules of the module's documentation, character by character.
        let reference = |c: char| match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            '\u{8}' => "\\b".to_string(),
            '\t' => "\\t".to_string(),
            '\n' => "\\n".to_string(),
            '\u{c}' => "\\f".to_string(),
            '\r' => "\\r".to_string(),
            c if (c as u32) < 0x20 => format!("\\u{:04x}", c as u32),
            c => c.to_string(),
        };
        let mut out = String::new();
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            out.clear();
            write_string(&mut out, &format!("a{c}中"));
            assert_eq!(
                out,
                format!("\"a{}中\"", reference(c)),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn rejects_fractions_and_huge_integers() {
        assert!(to_canonical_string(&json!({"x": [1.5]})).is_err());
        assert!(to_canonical_string(&json!(9_007_199_254_740_992_u64)).is_err());
        assert_eq!(
            to_canonical_string(&json!(-9_007_199_254_740_991_i64)).expect("ok"),
            "-9007199254740991"
        );
        match to_canonical_string(&json!({"x": [0, 1.5]})) {
            Err(Error::NotCanonical { path, .. }) => assert_eq!(path, "$.x[1]"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn hash_is_sha256_of_the_canonical_bytes() {
        // SHA-256 of the two bytes "{}".
        assert_eq!(
            content_hash(&json!({})).expect("ok"),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn json_strings_are_escaped_as_serde_json_escapes_them() {
        let all_controls: String = (0u8..0x20).map(char::from).collect();
        for text in [
            "",
            "plain",
            "引号\"与\\反斜杠",
            all_controls.as_str(),
            "\u{7f}\u{80}\u{2028}\u{2029}\u{e000}\u{10000}😀",
        ] {
            let mut out = String::new();
            push_json_string(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).expect("JSON"), "{text:?}");
        }
    }
}
