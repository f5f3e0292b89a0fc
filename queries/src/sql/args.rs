//! Shared argument handling for the scalar functions: string coercion and reading text columns
//! whatever their Arrow string type.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err, plan_err};

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

/// Reads a column that coercion made `Utf8` (or `Null`) as optional strings.
pub fn texts<'a>(func: &str, name: &str, a: &'a ArrayRef) -> Result<Vec<Option<&'a str>>> {
    match a.data_type() {
        DataType::Utf8 => Ok(a.as_string::<i32>().iter().collect()),
        DataType::LargeUtf8 => Ok(a.as_string::<i64>().iter().collect()),
        DataType::Utf8View => Ok(a.as_string_view().iter().collect()),
        DataType::Null => Ok(vec![None; a.len()]),
        other => exec_err!("{func}: {name} must be text, but it is {other}"),
    }
}
