//! Rules computed over tables and archives: validation, the review workflow, and the
//! supervision rules of the seeds (graduated response, yellow card, promotion vetting,
//! decision accountability, deadlines, unit rating).

pub mod deadlines;
pub mod decision;
mod events;
pub mod rating;
mod report;
pub mod response;
mod table_check;
mod validate;
pub mod vetting;
pub mod workflow;
pub mod yellow_card;

pub use events::{BatchEvent, MAX_EVENTS, validate_events};
pub use report::{Issue, IssueCode, Report};
pub use table_check::TableCheck;
pub(crate) use validate::validate_memo;
pub use validate::{
    MAX_MEASURES, MAX_NAME_CHARS, MAX_ROWS, MAX_TEXT_CHARS, validate, validate_graded,
    validate_with,
};
