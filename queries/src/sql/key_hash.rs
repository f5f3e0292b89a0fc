//! `key_hash(a, …)`: a 64-bit hash of a key of texts and integers, for finding repeated keys
//! cheaply.
//!
//! The supervision views keep the latest version of each event, and first look for the events
//! whose `(unit_id, id)` repeats. Grouping every event by the two texts held a hash table of
//! every key: at 10 M risk points, 7.1 M register records took 3.5 s and spilled 700 MB under
//! the session's memory limit, for every query of the register. Grouping by this hash holds
//! eight bytes a key. Two keys with the same hash only add rows to the ranking that follows,
//! which partitions by the texts themselves, so the answer does not depend on the hash being
//! unique. `yoy_changes` groups risk points on two such hashes of their keys (see its comment in
//! [`super::views`]).

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Array, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use twox_hash::XxHash3_64;

use super::args::{all_arrays, answer, is_text, texts};

/// The SQL name.
pub const NAME: &str = "key_hash";

/// The `key_hash` scalar function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct KeyHash {
    signature: Signature,
}

impl KeyHash {
    /// The function.
    pub fn new() -> Self {
        KeyHash {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for KeyHash {
    fn default() -> Self {
        KeyHash::new()
    }
}

/// One column of a key, as read for hashing.
enum Part<'a> {
    Texts(Vec<Option<&'a str>>),
    Numbers(&'a Int64Array),
}

impl Part<'_> {
    /// Appends row `i`'s value to the key's bytes, or says it is null. A text ends with 0xFF,
    /// a byte UTF-8 never holds, so ("ab", "c") and ("a", "bc") differ; a number is its 8
    /// bytes and a marker.
    fn add(&self, i: usize, key: &mut Vec<u8>) -> Option<()> {
        match self {
            Part::Texts(t) => {
                key.extend_from_slice(t[i]?.as_bytes());
                key.push(0xFF);
            }
            Part::Numbers(n) => {
                key.extend_from_slice(&(!n.is_null(i)).then(|| n.value(i))?.to_le_bytes());
                key.push(0xFE);
            }
        }
        Some(())
    }
}

impl ScalarUDFImpl for KeyHash {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Texts of any type as they are (the store's texts are read as string views, and a cast
    /// to `Utf8` would copy every one), dictionary-encoded texts as `Utf8`; integers as
    /// `Int64`.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.is_empty() {
            return plan_err!("{NAME} takes one or more texts or integers, but none were given");
        }
        arg_types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if t.is_integer() {
                    Ok(DataType::Int64)
                } else if let DataType::Dictionary(_, values) = t
                    && is_text(values)
                {
                    Ok(DataType::Utf8)
                } else if is_text(t) {
                    Ok(t.clone())
                } else {
                    plan_err!(
                        "{NAME}: argument {} must be text or an integer, but it is {t}",
                        i + 1
                    )
                }
            })
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::UInt64)
    }

    /// Null when any part is (as an equality join on the parts would not match it). The hash
    /// is XXH3 (64 bits, seed 0) of the key's bytes ([`Part::add`]): the same key gives the
    /// same hash in every partition, batch and run. It was the standard library's SipHash, whose
    /// five hashes a risk point took 3.2 s of compute over 6.57 M risk points in `yoy_changes`
    /// at 10 M; with XXH3 the whole view took 14.7 s against 15.9 s (one run each).
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (arrays, all_scalar) = all_arrays(&args)?;
        let parts = arrays
            .iter()
            .enumerate()
            .map(|(i, a)| match a.data_type() {
                DataType::Int64 => Ok(Part::Numbers(a.as_primitive::<Int64Type>())),
                _ => Ok(Part::Texts(texts(NAME, &format!("argument {}", i + 1), a)?)),
            })
            .collect::<Result<Vec<_>>>()?;
        let rows = arrays.first().map_or(0, |a| a.len());
        let mut key = Vec::new();
        let out: UInt64Array = (0..rows)
            .map(|i| {
                key.clear();
                for part in &parts {
                    part.add(i, &mut key)?;
                }
                Some(XxHash3_64::oneshot(&key))
            })
            .collect();
        answer(Arc::new(out), all_scalar)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::UInt64Type;
    use datafusion::logical_expr::ScalarUDF;

    use super::*;

    async fn ask(sql: &str) -> Result<Vec<Option<u64>>> {
        super::super::args::first_column(ScalarUDF::from(KeyHash::new()), sql, |a, i| {
            a.as_primitive::<UInt64Type>().value(i)
        })
        .await
    }

    #[tokio::test]
    async fn equal_keys_hash_alike_whatever_the_string_type() -> Result<()> {
        let got = ask(
            "SELECT key_hash(a, b) FROM (VALUES ('u1', 'e1'), ('u1', 'e1'), ('u1', 'e2'), \
               ('ab', 'c'), ('a', 'bc'), (NULL, 'e1')) t(a, b)",
        )
        .await?;
        assert_eq!(got[0], got[1]);
        assert!(got[0].is_some() && got[0] != got[2] && got[3] != got[4]);
        assert_eq!(got[5], None);
        let view = ask("SELECT key_hash(arrow_cast('u1', 'Utf8View'), 'e1')").await?;
        assert_eq!(view, got[..1]);
        let dictionary =
            ask("SELECT key_hash(arrow_cast('u1', 'Dictionary(Int32, Utf8)'), 'e1')").await?;
        assert_eq!(dictionary, got[..1]);
        Ok(())
    }

    #[tokio::test]
    async fn keys_of_texts_and_integers_of_any_length() -> Result<()> {
        let got = ask(
            "SELECT key_hash(a, b, n) FROM (VALUES ('u1', 'e1', 1), ('u1', 'e1', 1), \
               ('u1', 'e1', 2), ('u1', 'e1', NULL)) t(a, b, n)",
        )
        .await?;
        assert_eq!(got[0], got[1]);
        assert!(got[0].is_some() && got[0] != got[2]);
        assert_eq!(got[3], None);
        assert!(ask("SELECT key_hash('u1')").await?[0].is_some());
        let small = ask("SELECT key_hash(CAST(7 AS SMALLINT))").await?;
        assert_eq!(small, ask("SELECT key_hash(7)").await?);
        let two = ask("SELECT key_hash('u1', 'e1')").await?;
        assert_ne!(two, ask("SELECT key_hash('u1', 'e1', 'x')").await?);
        Ok(())
    }

    #[tokio::test]
    async fn keys_that_are_not_text_or_integers_are_refused() {
        for sql in ["SELECT key_hash(1.5, 'a')", "SELECT key_hash()"] {
            let e = ask(sql).await;
            assert!(
                e.as_ref().is_err_and(|e| {
                    let e = e.to_string();
                    e.contains("must be text or an integer") || e.contains("none were given")
                }),
                "{sql}: {e:?}"
            );
        }
    }
}
