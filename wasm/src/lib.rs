//! # sunlight-wasm
//!
//! Sunlight's domain core in the browser: a thin `#[wasm_bindgen]` facade over
//! [`sunlight_core`], and (in `js/`) the `<sunlight-self-check>` web component built on it.
//!
//! The facade only converts arguments and maps errors; every rule lives in the core, so the form
//! in the browser and the ingest on the server give the same levels, the same messages and the
//! same hash.
//!
//! Two kinds of failure cross the boundary, as in the core:
//! - a table with mistakes is an expected result: [`validate_table`] and [`finalize_table`]
//!   return `{ ok: false, errors, warnings }` as a value;
//! - a bug or unusable input (not an object, a member of the wrong type, an unknown scheme or
//!   table kind, text that is not JSON) throws a JavaScript `Error` whose message says what was
//!   wrong and where.
//!
//! Values cross as plain JSON-shaped objects whose members keep the file format's snake_case
//! names (`risk_point`, `level_name`), so what the form holds is what a submission contains.

mod checker;
mod convert;
mod supervision;
mod types;

// Talc rather than the default dlmalloc: reading a table is mostly allocating small strings.
// Not with threads (atomics), which this package is not built for.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub use checker::TableChecker;

pub use supervision::{
    decision_accountability, obligations, rate_unit, recommend_response, review_status,
    vet_candidate, yellow_card_for,
};

use std::collections::BTreeMap;

use js_sys::Error;
use serde::Serialize;
use sunlight_core::rules::TableCheck;
use sunlight_core::{Issue, Registry, Report, SelfCheckTable, Submission, TableKind, presets};
use wasm_bindgen::prelude::*;

use convert::{from_js, into_error, to_js};

fn registry() -> &'static Registry {
    presets::registry()
}

fn scheme(id: &str) -> Result<&'static sunlight_core::Scheme, Error> {
    registry().get(id).map_err(into_error)
}

/// Every scheme this build knows (the four seed presets), in full: id, names, levels, grading
/// factors, risk types, the measure catalogue, roles, periods and phases.
#[wasm_bindgen(js_name = listSchemes, unchecked_return_type = "Scheme[]")]
pub fn list_schemes() -> Result<JsValue, Error> {
    let all: Vec<&sunlight_core::Scheme> = registry().iter().collect();
    to_js(&all)
}

/// One scheme by id; throws for an unknown id.
#[wasm_bindgen(js_name = getScheme, unchecked_return_type = "Scheme")]
pub fn get_scheme(id: &str) -> Result<JsValue, Error> {
    to_js(scheme(id)?)
}

/// The form for a table kind (`"department"` or `"personal"`) under a scheme: header fields, row
/// fields, measure lines and their catalogues, levels with their responsible roles, limits.
/// Throws for an unknown scheme or table kind.
#[wasm_bindgen(js_name = formDefinition, unchecked_return_type = "FormDefinition")]
pub fn form_definition(
    #[wasm_bindgen(js_name = schemeId)] scheme_id: &str,
    table: &str,
) -> Result<JsValue, Error> {
    let s = scheme(scheme_id)?;
    let kind: TableKind = table.parse().map_err(|()| {
        into_error(format!(
            "table kind '{table}' is neither 'department' nor 'personal'"
        ))
    })?;
    to_js(&sunlight_core::form::form_definition(s, kind))
}

/// Grades one risk point: `factors` maps every grading factor of the scheme to one of its option
/// ids. Returns the level, its name and severity, the responsible role and the reasons. Throws
/// for an unknown scheme, a factor left out, or a factor or value the scheme does not define.
#[wasm_bindgen(js_name = gradeRiskPoint, unchecked_return_type = "Grade")]
pub fn grade_risk_point(
    #[wasm_bindgen(js_name = schemeId)] scheme_id: &str,
    #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] factors: JsValue,
) -> Result<JsValue, Error> {
    let s = scheme(scheme_id)?;
    let factors: BTreeMap<String, String> = from_js(factors, "grading factors")?;
    to_js(&sunlight_core::grade(s, &factors).map_err(into_error)?)
}

fn split(report: &Report) -> (Vec<&Issue>, Vec<&Issue>) {
    checker::split(report.issues.iter())
}

/// Validates a whole table (a draft) against the scheme it names and grades every row.
///
/// Returns `{ ok, errors, warnings, grades }`: `ok` is true when no error blocks submission;
/// each issue has a stable `code`, a `path` such as `rows[2].factors.discretion`, the `row` and a
/// `message` in Chinese and English; `grades[i]` is row *i*'s grade, or `null` while its factors
/// are incomplete or invalid. A table full of mistakes is returned, never thrown; only a value
/// that is not a table at all (not an object, unknown members, members of the wrong type) throws.
#[wasm_bindgen(js_name = validateTable, unchecked_return_type = "ValidationResult")]
pub fn validate_table(
    #[wasm_bindgen(unchecked_param_type = "SelfCheckTable")] table: JsValue,
) -> Result<JsValue, Error> {
    let table: SelfCheckTable = from_js(table, "self-check table")?;
    match registry().get(&table.scheme) {
        Ok(s) => checker::validation(&TableCheck::new(s, &table)),
        Err(_) => validate_unknown_scheme(&table),
    }
}

/// The result of validating a table whose scheme is unknown: the report says so, and nothing
/// can be graded.
fn validate_unknown_scheme(table: &SelfCheckTable) -> Result<JsValue, Error> {
    #[derive(Serialize)]
    struct Ungraded<'a> {
        ok: bool,
        errors: Vec<&'a Issue>,
        warnings: Vec<&'a Issue>,
        grades: Vec<()>,
    }
    let report = sunlight_core::validate_with(registry(), table);
    let (errors, warnings) = split(&report);
    to_js(&Ungraded {
        ok: report.is_ok(),
        errors,
        warnings,
        grades: vec![(); table.rows.len()],
    })
}

/// The result of [`finalize_table`].
#[derive(Serialize)]
#[serde(untagged)]
enum Finalized<'a> {
    Done {
        ok: bool,
        json: String,
        hash: &'a str,
        warnings: Vec<&'a Issue>,
    },
    Invalid {
        ok: bool,
        errors: Vec<&'a Issue>,
        warnings: Vec<&'a Issue>,
    },
}

/// Turns a draft into the canonical submission, stamped `submitted_at` (RFC 3339 with offset,
/// e.g. `2012-08-20T10:00:00+08:00`): every row graded, validated, hashed.
///
/// Returns `{ ok: true, json, hash, warnings }` with the canonical JSON text (the exact bytes to
/// send) and its `sha256:` content hash, or `{ ok: false, errors, warnings }` when the table
/// still has errors. Throws for a value that is not a table, or a table naming an unknown scheme.
#[wasm_bindgen(js_name = finalizeTable, unchecked_return_type = "FinalizeResult")]
pub fn finalize_table(
    #[wasm_bindgen(unchecked_param_type = "SelfCheckTable")] table: JsValue,
    #[wasm_bindgen(js_name = submittedAt)] submitted_at: &str,
) -> Result<JsValue, Error> {
    let table: SelfCheckTable = from_js(table, "self-check table")?;
    scheme(&table.scheme)?;
    match Submission::finalize(registry(), table, submitted_at) {
        Ok(sub) => {
            let json = sub.to_json().map_err(into_error)?;
            let (_, warnings) = split(sub.warnings());
            to_js(&Finalized::Done {
                ok: true,
                json,
                hash: sub.hash(),
                warnings,
            })
        }
        Err(sunlight_core::Error::Invalid(report)) => {
            let (errors, warnings) = split(&report);
            to_js(&Finalized::Invalid {
                ok: false,
                errors,
                warnings,
            })
        }
        Err(e) => Err(into_error(e)),
    }
}

/// The result of [`verify_submission`].
#[derive(Serialize)]
#[serde(untagged)]
enum Verified<'a> {
    Accepted {
        ok: bool,
        hash: &'a str,
        warnings: Vec<&'a Issue>,
    },
    Rejected {
        ok: bool,
        problem: &'static str,
        message: String,
        errors: Vec<&'a Issue>,
    },
}

/// Checks a submission as ingest does (never trust the client): its shape, validity against its
/// scheme, that every row records its level and grade and the grade is what the factors give,
/// and that the hash matches the content.
///
/// Returns `{ ok: true, hash, warnings }`, or `{ ok: false, problem, message, errors }` where
/// `problem` is `"invalid"` (the errors say why) or `"hash-mismatch"`. Throws for text that is
/// not JSON of the table's shape.
#[wasm_bindgen(js_name = verifySubmission, unchecked_return_type = "VerifyResult")]
pub fn verify_submission(json: &str) -> Result<JsValue, Error> {
    let table = SelfCheckTable::from_json(json).map_err(into_error)?;
    match Submission::from_table(registry(), table) {
        Ok(sub) => {
            let (_, warnings) = split(sub.warnings());
            to_js(&Verified::Accepted {
                ok: true,
                hash: sub.hash(),
                warnings,
            })
        }
        Err(e @ sunlight_core::Error::HashMismatch { .. }) => to_js(&Verified::Rejected {
            ok: false,
            problem: "hash-mismatch",
            message: e.to_string(),
            errors: Vec::new(),
        }),
        Err(sunlight_core::Error::Invalid(report)) => {
            let message = sunlight_core::Error::Invalid(report.clone()).to_string();
            let (errors, _) = split(&report);
            to_js(&Verified::Rejected {
                ok: false,
                problem: "invalid",
                message,
                errors,
            })
        }
        Err(e) => Err(into_error(e)),
    }
}
