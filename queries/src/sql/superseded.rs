//! `superseded(hash)`: whether a submission is a superseded version of its table (a later
//! version of the same table was submitted). The current views (`risk_points`, `measures`) keep
//! the rows for which it is false.
//!
//! The superseded hashes are found when the session opens (they are few: a table resubmitted),
//! so this is a lookup in a set held by the function. It replaces an anti-join with a table of
//! those hashes, which DataFusion ran by partition: every query of a year's risk points first
//! repartitioned all of them by hash. At 10 M risk points that held 1.1 GB of batches, and
//! `report_units` took 3.0 s and 1.7 GiB; with the lookup it reads the risk points once.

use std::sync::Arc;

use datafusion::arrow::array::BooleanArray;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{HashSet, Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::args::{answer, arrays, text_arg_as_is, texts};

/// The SQL name.
pub const NAME: &str = "superseded";

/// The `superseded` scalar function over one store's superseded hashes.
#[derive(Debug)]
pub struct Superseded {
    signature: Signature,
    hashes: Arc<HashSet<String>>,
}

impl Superseded {
    /// The function that is true for exactly these hashes.
    pub fn new(hashes: impl IntoIterator<Item = String>) -> Self {
        Superseded {
            signature: Signature::user_defined(Volatility::Immutable),
            hashes: Arc::new(hashes.into_iter().collect()),
        }
    }
}

// Two are the same function when they hold the same set (a session re-registers it with a new
// set whenever the store's manifest changes).
impl PartialEq for Superseded {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.hashes, &other.hashes)
    }
}

impl Eq for Superseded {}

impl std::hash::Hash for Superseded {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        NAME.hash(state);
        self.hashes.len().hash(state);
    }
}

impl ScalarUDFImpl for Superseded {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Any text type as it is: the store's hashes are read as string views, and a cast to
    /// `Utf8` would copy every one.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [hash] = arg_types else {
            return plan_err!(
                "{NAME} takes one argument, (hash), but {} were given",
                arg_types.len()
            );
        };
        Ok(vec![text_arg_as_is(NAME, 1, "hash", hash)?])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ([hashes], all_scalar) = arrays::<1>(NAME, &args)?;
        let out: BooleanArray = texts(NAME, "hash", &hashes)?
            .into_iter()
            .map(|h| h.map(|h| self.hashes.contains(h)))
            .collect();
        answer(Arc::new(out), all_scalar)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::AsArray;
    use datafusion::logical_expr::ScalarUDF;

    use super::*;

    async fn ask(sql: &str) -> Result<Vec<Option<bool>>> {
        let udf = ScalarUDF::from(Superseded::new(["old".to_owned()]));
        super::super::args::first_column(udf, sql, |a, i| a.as_boolean().value(i)).await
    }

    #[tokio::test]
    async fn only_the_superseded_hashes_are_true_whatever_the_string_type() -> Result<()> {
        assert_eq!(
            ask("SELECT superseded(h) FROM (VALUES ('old'), ('new'), (NULL)) t(h)").await?,
            [Some(true), Some(false), None]
        );
        assert_eq!(
            ask("SELECT superseded(arrow_cast('old', 'Utf8View'))").await?,
            [Some(true)]
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_hash_that_is_not_text_is_refused() {
        let e = ask("SELECT superseded(1)").await;
        assert!(
            e.as_ref()
                .is_err_and(|e| e.to_string().contains("must be text")),
            "{e:?}"
        );
    }
}
