//! Rules computed over tables: validation now; the supervision rules join here.

mod report;
mod validate;

pub use report::{Issue, IssueCode, Report};
pub use validate::{
    MAX_MEASURES, MAX_NAME_CHARS, MAX_ROWS, MAX_TEXT_CHARS, validate, validate_with,
};
