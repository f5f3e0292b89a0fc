//! `key_hash(a, b)`: a 64-bit hash of two texts, for finding repeated keys cheaply.
//!
//! The supervision views keep the latest version of each event, and first look for the events
//! whose `(unit_id, id)` repeats. Grouping every event by the two texts held a hash table of
//! every key: at 10 M risk points, 7.1 M register records took 3.5 s and spilled 700 MB under
//! the session's memory limit, for every query of the register. Grouping by this hash holds
//! eight bytes a key. Two keys with the same hash only add rows to the ranking that follows,
//! which partitions by the texts themselves, so the answer does not depend on the hash being
//! unique.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::UInt64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::args::{answer, arrays, text_arg_as_is, texts};

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

/// The hash of one key. `DefaultHasher::new()` starts from the same state every time, so the
/// same texts give the same hash in every partition and batch; `str`'s `Hash` ends each text
/// with a marker, so ("ab", "c") and ("a", "bc") differ.
fn hash(a: &str, b: &str) -> u64 {
    let mut h = DefaultHasher::new();
    a.hash(&mut h);
    b.hash(&mut h);
    h.finish()
}

impl ScalarUDFImpl for KeyHash {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Any text type as it is: the store's texts are read as string views, and a cast to
    /// `Utf8` would copy every one.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [a, b] = arg_types else {
            return plan_err!(
                "{NAME} takes two arguments, (a, b), but {} were given",
                arg_types.len()
            );
        };
        Ok(vec![
            text_arg_as_is(NAME, 1, "a", a)?,
            text_arg_as_is(NAME, 2, "b", b)?,
        ])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::UInt64)
    }

    /// Null when either text is (as an equality join on the texts would not match it).
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ([a, b], all_scalar) = arrays::<2>(NAME, &args)?;
        let out: UInt64Array = texts(NAME, "a", &a)?
            .into_iter()
            .zip(texts(NAME, "b", &b)?)
            .map(|(a, b)| Some(hash(a?, b?)))
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
        Ok(())
    }

    #[tokio::test]
    async fn keys_that_are_not_text_are_refused() {
        let e = ask("SELECT key_hash(1, 'a')").await;
        assert!(
            e.as_ref()
                .is_err_and(|e| e.to_string().contains("must be text")),
            "{e:?}"
        );
    }
}
