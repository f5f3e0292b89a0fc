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

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

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
    write_value(&mut out, value, &mut String::from("$"))?;
    Ok(out)
}

/// The content hash (`sha256:<hex>`) of `value`'s canonical form.
pub fn content_hash(value: &Value) -> Result<String> {
    Ok(hash_bytes(to_canonical_string(value)?.as_bytes()))
}

/// `sha256:<hex>` of raw bytes.
pub fn hash_bytes(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn write_value(out: &mut String, value: &Value, path: &mut String) -> Result<()> {
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
                    return Err(Error::NotCanonical {
                        path: path.clone(),
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
                let len = path.len();
                let _ = write!(path, "[{i}]");
                write_value(out, item, path)?;
                path.truncate(len);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                let len = path.len();
                let _ = write!(path, ".{k}");
                write_value(out, v, path)?;
                path.truncate(len);
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn escapes_only_what_json_requires() {
        let v = json!("\u{1}\u{1f}\"\\/\u{7f}中文<>&");
        assert_eq!(
            to_canonical_string(&v).expect("ok"),
            "\"\\u0001\\u001f\\\"\\\\/\u{7f}中文<>&\""
        );
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
}
