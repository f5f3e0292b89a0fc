//! What the scalar functions share: string coercion, reading text columns whatever their Arrow
//! string type, turning the arguments into arrays and the result back into a value, and the
//! identity (equality, hash) of a function over a registry of schemes.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs};

/// Whether a type can be read as text (after coercion to `Utf8`).
pub fn is_text(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
    ) || matches!(t, DataType::Dictionary(_, v) if is_text(v))
}

/// Coerces a text argument to `Utf8`, or explains which argument is wrong.
pub fn text_arg(func: &str, position: usize, name: &str, t: &DataType) -> Result<DataType> {
    if is_text(t) {
        Ok(DataType::Utf8)
    } else {
        plan_err!("{func}: argument {position} ({name}) must be text, but it is {t}")
    }
}

/// Keeps a text argument's type as it is (no copy of string views to `Utf8`), or explains
/// which argument is wrong.
pub fn text_arg_as_is(func: &str, position: usize, name: &str, t: &DataType) -> Result<DataType> {
    if is_text(t) {
        Ok(t.clone())
    } else {
        plan_err!("{func}: argument {position} ({name}) must be text, but it is {t}")
    }
}

/// Reads a text column (`Utf8`, `LargeUtf8`, `Utf8View` or `Null`) as optional strings.
pub fn texts<'a>(func: &str, name: &str, a: &'a ArrayRef) -> Result<Vec<Option<&'a str>>> {
    match a.data_type() {
        DataType::Utf8 => Ok(a.as_string::<i32>().iter().collect()),
        DataType::LargeUtf8 => Ok(a.as_string::<i64>().iter().collect()),
        DataType::Utf8View => Ok(a.as_string_view().iter().collect()),
        DataType::Null => Ok(vec![None; a.len()]),
        other => exec_err!("{func}: {name} must be text, but it is {other}"),
    }
}

/// The arguments of a call as arrays of one length, and whether every one was a scalar (then
/// the answer is a scalar too, see [`answer`]). `N` is how many the function takes.
pub fn arrays<const N: usize>(
    func: &str,
    args: &ScalarFunctionArgs,
) -> Result<([ArrayRef; N], bool)> {
    let (arrays, all_scalar) = all_arrays(args)?;
    let got = arrays.len();
    match <[ArrayRef; N]>::try_from(arrays) {
        Ok(a) => Ok((a, all_scalar)),
        Err(_) => exec_err!("{func} takes {N} arguments, got {got}"),
    }
}

/// The arguments of a call, however many, as arrays of one length, and whether every one was
/// a scalar (see [`arrays`] for a function with a fixed number of arguments).
pub fn all_arrays(args: &ScalarFunctionArgs) -> Result<(Vec<ArrayRef>, bool)> {
    let all_scalar = args
        .args
        .iter()
        .all(|a| matches!(a, ColumnarValue::Scalar(_)));
    Ok((ColumnarValue::values_to_arrays(&args.args)?, all_scalar))
}

/// The function's answer: a scalar when every argument was one, an array otherwise.
pub fn answer(result: ArrayRef, all_scalar: bool) -> Result<ColumnarValue> {
    if all_scalar {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
            &result, 0,
        )?))
    } else {
        Ok(ColumnarValue::Array(Arc::clone(&result)))
    }
}

/// Equality and hash of a function that holds a `registry: &'static Registry`: two are the same
/// function when they read the same registry. `$name` is the SQL name.
macro_rules! same_registry {
    ($t:ty, $name:expr) => {
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                std::ptr::eq(self.registry, other.registry)
            }
        }

        impl Eq for $t {}

        impl std::hash::Hash for $t {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                std::hash::Hash::hash(&$name, state);
            }
        }
    };
}
pub(crate) use same_registry;

/// For tests: the first column of every batch `sql` returns in a session with `udf`, as
/// optional values read by `value` (a null is `None`).
#[cfg(test)]
pub async fn first_column<T>(
    udf: datafusion::logical_expr::ScalarUDF,
    sql: &str,
    value: impl Fn(&ArrayRef, usize) -> T,
) -> Result<Vec<Option<T>>> {
    let ctx = datafusion::prelude::SessionContext::new();
    ctx.register_udf(udf);
    let batches = ctx.sql(sql).await?.collect().await?;
    Ok(batches
        .iter()
        .flat_map(|b| {
            let a = b.column(0);
            (0..a.len())
                .map(|i| (!a.is_null(i)).then(|| value(a, i)))
                .collect::<Vec<_>>()
        })
        .collect())
}
