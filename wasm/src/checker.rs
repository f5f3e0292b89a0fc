//! A table under edit: the form checks the whole table once, then after each edit only the row
//! (or the header) that changed, with the core's [`TableCheck`]. The result of an edit names only
//! what changed, so what crosses the boundary stays small however long the table is.

use std::collections::HashMap;

use js_sys::{Array, Error, Reflect};
use serde::Serialize;
use sunlight_core::model::RiskRow;
use sunlight_core::rules::TableCheck;
use sunlight_core::{Grade, Issue, IssueSeverity, SelfCheckTable};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::convert::{from_js, into_error, to_js};
use crate::registry;

/// The result of `validateTable` and [`TableChecker::check`], as written: `grades` holds each
/// distinct grade once; [`validation`] then makes it every row's.
#[derive(Serialize)]
struct Validation<'a> {
    ok: bool,
    errors: Vec<&'a Issue>,
    warnings: Vec<&'a Issue>,
    grades: Vec<&'a Grade>,
}

/// The whole table's result, `{ ok, errors, warnings, grades }`, as a JavaScript value.
///
/// Rows of the same factor values have the same grade (the check gives the same reference):
/// it is written as JSON and read by the engine once, and those rows' entries of `grades` are
/// one and the same object. Most of the result is grades, and a table repeats few combinations.
pub(crate) fn validation(check: &TableCheck<'_>) -> Result<JsValue, Error> {
    let mut seen: HashMap<*const Grade, u32> = HashMap::new();
    let mut distinct: Vec<&Grade> = Vec::new();
    let mut index: Vec<Option<u32>> = Vec::with_capacity(check.row_count());
    for g in check.grades() {
        index.push(g.map(|g| {
            *seen.entry(std::ptr::from_ref(g)).or_insert_with(|| {
                distinct.push(g);
                u32::try_from(distinct.len() - 1).unwrap_or(u32::MAX)
            })
        }));
    }
    let (errors, warnings) = split(check.issues());
    let value = to_js(&Validation {
        ok: errors.is_empty(),
        errors,
        warnings,
        grades: distinct,
    })?;
    let key = JsValue::from_str("grades");
    let shared: Array = Reflect::get(&value, &key)
        .map_err(|_| into_error("cannot pass the result to JavaScript: no grades"))?
        .unchecked_into();
    let grades = Array::new_with_length(u32::try_from(index.len()).unwrap_or(u32::MAX));
    for (i, k) in (0..).zip(&index) {
        if let Some(k) = k {
            grades.set(i, shared.get(*k));
        } else {
            grades.set(i, JsValue::NULL);
        }
    }
    Reflect::set(&value, &key, &grades)
        .map_err(|_| into_error("cannot pass the result to JavaScript: grades"))?;
    Ok(value)
}

/// Errors and warnings, each in report order.
pub(crate) fn split<'a>(
    issues: impl Iterator<Item = &'a Issue>,
) -> (Vec<&'a Issue>, Vec<&'a Issue>) {
    issues.partition(|i| i.severity == IssueSeverity::Error)
}

/// Issues of one part of the table.
#[derive(Serialize)]
struct Issues<'a> {
    errors: Vec<&'a Issue>,
    warnings: Vec<&'a Issue>,
}

/// One row's issues and grade, in full.
#[derive(Serialize)]
struct RowValidation<'a> {
    row: usize,
    errors: Vec<&'a Issue>,
    warnings: Vec<&'a Issue>,
    grade: Option<&'a Grade>,
}

/// The result of an edit: what changed since the last result.
#[derive(Serialize)]
struct ValidationUpdate<'a> {
    ok: bool,
    head: Issues<'a>,
    rows: Vec<RowValidation<'a>>,
}

impl<'a> ValidationUpdate<'a> {
    fn of(check: &'a TableCheck<'_>, rows: &[usize]) -> Self {
        let (errors, warnings) = split(check.head_issues().iter());
        ValidationUpdate {
            ok: check.is_ok(),
            head: Issues { errors, warnings },
            rows: rows
                .iter()
                .map(|&i| {
                    let (errors, warnings) = split(check.row_issues(i));
                    RowValidation {
                        row: i,
                        errors,
                        warnings,
                        grade: check.grade(i),
                    }
                })
                .collect(),
        }
    }
}

/// A table under edit in a form: [`check`](Self::check) validates and grades the whole table
/// and keeps every row's result; after an edit, [`checkRow`](Self::check_row) or
/// [`checkHeader`](Self::check_header) checks only that part again (and which rows repeat one
/// another) and returns only what changed. The issues and grades are always those
/// `validateTable` gives for the whole table as it now stands.
#[wasm_bindgen]
pub struct TableChecker {
    check: Option<TableCheck<'static>>,
}

impl Default for TableChecker {
    fn default() -> Self {
        TableChecker::new()
    }
}

#[wasm_bindgen]
impl TableChecker {
    /// A checker that has seen no table yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> TableChecker {
        TableChecker { check: None }
    }

    /// Validates and grades the whole table, as `validateTable` does, and keeps the result for
    /// later edits. Returns `{ ok, errors, warnings, grades }`; throws as `validateTable` does.
    #[wasm_bindgen(unchecked_return_type = "ValidationResult")]
    pub fn check(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "SelfCheckTable")] table: JsValue,
    ) -> Result<JsValue, Error> {
        let table: SelfCheckTable = from_js(table, "self-check table")?;
        match registry().get(&table.scheme) {
            Ok(s) => validation(self.check.insert(TableCheck::new(s, &table))),
            Err(_) => {
                // Nothing can be kept for an unknown scheme: the report says it is unknown.
                self.check = None;
                crate::validate_unknown_scheme(&table)
            }
        }
    }

    /// Row `row` of the table last checked was edited; `value` is the whole row as it now is.
    ///
    /// Returns `{ ok, head, rows }`: `ok` for the whole table, `head` the issues of the header
    /// and of the table as a whole (`{ errors, warnings }`, in full), and `rows` every row whose
    /// issues or grade changed (this one, and any that became or stopped being a repetition of
    /// another), each `{ row, errors, warnings, grade }` in full. Throws before a table was
    /// checked, for a row the table does not have, and for a value that is not a row.
    #[wasm_bindgen(js_name = checkRow, unchecked_return_type = "ValidationUpdate")]
    pub fn check_row(
        &mut self,
        row: usize,
        #[wasm_bindgen(unchecked_param_type = "RiskRow")] value: JsValue,
    ) -> Result<JsValue, Error> {
        let check = self.kept()?;
        let value: RiskRow = from_js(value, "risk row")?;
        let rows = check.set_row(row, &value).ok_or_else(|| {
            into_error(format!(
                "there is no row {row}: the table has {} rows (check the whole table after adding or removing rows)",
                check.row_count()
            ))
        })?;
        to_js(&ValidationUpdate::of(check, &rows))
    }

    /// The header of the table last checked was edited; `header` is the table as it now is,
    /// best without its rows, which are not looked at (they stay as last checked). Returns
    /// `{ ok, head, rows }` as [`checkRow`](Self::check_row) does, with no rows. Throws before a
    /// table was checked, when the header names another scheme (check the whole table then),
    /// and for a value that is not a table.
    #[wasm_bindgen(js_name = checkHeader, unchecked_return_type = "ValidationUpdate")]
    pub fn check_header(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "SelfCheckTable")] header: JsValue,
    ) -> Result<JsValue, Error> {
        let check = self.kept()?;
        let header: SelfCheckTable = from_js(header, "self-check table")?;
        if header.scheme != check.scheme().id {
            return Err(into_error(format!(
                "the table now names scheme '{}', not '{}': check the whole table",
                header.scheme,
                check.scheme().id
            )));
        }
        check.set_header(&header);
        to_js(&ValidationUpdate::of(check, &[]))
    }
}

impl TableChecker {
    fn kept(&mut self) -> Result<&mut TableCheck<'static>, Error> {
        self.check
            .as_mut()
            .ok_or_else(|| into_error("no table to update: check a table of a known scheme first"))
    }
}
