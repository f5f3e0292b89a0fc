//! `table_deadline(scheme, year)`: the date by which a scheme's self-check tables for a year are
//! due (the end of its deadline phase), as [`sunlight_core::Scheme::table_deadline`] says.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Date32Builder};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use sunlight_core::presets::Registry;

use super::args::{answer, arrays, text_arg, texts};

/// The `table_deadline` scalar function.
#[derive(Debug)]
pub struct TableDeadline {
    signature: Signature,
    registry: &'static Registry,
}

impl TableDeadline {
    /// The function over the schemes of `registry`.
    pub fn new(registry: &'static Registry) -> Self {
        TableDeadline {
            signature: Signature::user_defined(Volatility::Immutable),
            registry,
        }
    }
}

super::args::same_registry!(TableDeadline, NAME);

const NAME: &str = "table_deadline";

impl ScalarUDFImpl for TableDeadline {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [scheme, year] = arg_types else {
            return plan_err!(
                "{NAME} takes two arguments, (scheme, year), but {} were given",
                arg_types.len()
            );
        };
        if !(year.is_integer() || *year == DataType::Null) {
            return plan_err!("{NAME}: argument 2 (year) must be a whole number, but it is {year}");
        }
        Ok(vec![text_arg(NAME, 1, "scheme", scheme)?, DataType::Int64])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Date32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ([schemes, years], all_scalar) = arrays::<2>(NAME, &args)?;
        let schemes = texts(NAME, "scheme", &schemes)?;
        let years: Vec<Option<i64>> = match years.data_type() {
            DataType::Int64 => years.as_primitive::<Int64Type>().iter().collect(),
            DataType::Null => vec![None; years.len()],
            other => return exec_err!("{NAME}: year must be a whole number, but it is {other}"),
        };
        let mut out = Date32Builder::with_capacity(schemes.len());
        for (i, (scheme, year)) in schemes.iter().zip(years).enumerate() {
            let (Some(scheme), Some(year)) = (scheme, year) else {
                out.append_null();
                continue;
            };
            let Ok(year) = i32::try_from(year) else {
                return exec_err!("{NAME}: row {}: {year} is not a usable year", i + 1);
            };
            let date = self
                .registry
                .get(scheme)
                .and_then(|s| s.table_deadline(year));
            match date {
                Ok(d) => out.append_value(i32::try_from(d.to_days()).unwrap_or(i32::MAX)),
                Err(e) => return exec_err!("{NAME}: row {}: {e}", i + 1),
            }
        }
        answer(Arc::new(out.finish()), all_scalar)
    }
}
