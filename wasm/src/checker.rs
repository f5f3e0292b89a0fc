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
///
/// The checker keeps its own copy of the table, so that adding or removing a row
/// ([`insertRow`](Self::insert_row), [`removeRow`](Self::remove_row)) checks the whole table
/// again without reading it from JavaScript again.
#[wasm_bindgen]
pub struct TableChecker {
    kept: Option<Kept>,
}

/// The table last checked, as it now stands after the edits, and its check.
struct Kept {
    table: SelfCheckTable,
    check: TableCheck<'static>,
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
        TableChecker { kept: None }
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
            Ok(s) => {
                let check = TableCheck::new(s, &table);
                validation(&self.kept.insert(Kept { table, check }).check)
            }
            Err(_) => {
                // Nothing can be kept for an unknown scheme: the report says it is unknown.
                self.kept = None;
                crate::validate_unknown_scheme(&table)
            }
        }
    }

    /// A row was added at position `row` (`row` may be the number of rows: added at the end);
    /// `value` is the new row. The rows after it move down one. Validates and grades the whole
    /// table again from the checker's own copy and returns `{ ok, errors, warnings, grades }` as
    /// [`check`](Self::check) does. Throws before a table was checked, for a position past the
    /// end, and for a value that is not a row.
    #[wasm_bindgen(js_name = insertRow, unchecked_return_type = "ValidationResult")]
    pub fn insert_row(
        &mut self,
        row: usize,
        #[wasm_bindgen(unchecked_param_type = "RiskRow")] value: JsValue,
    ) -> Result<JsValue, Error> {
        let (kept, value) = self.kept_with_row(value)?;
        if row > kept.table.rows.len() {
            return Err(into_error(format!(
                "cannot add a row at {row}: the table has {} rows",
                kept.table.rows.len()
            )));
        }
        kept.table.rows.insert(row, value);
        kept.recheck()
    }

    /// Row `row` was removed; the rows after it move up one. Validates and grades the whole
    /// table again from the checker's own copy and returns `{ ok, errors, warnings, grades }` as
    /// [`check`](Self::check) does. Throws before a table was checked and for a row the table
    /// does not have.
    #[wasm_bindgen(js_name = removeRow, unchecked_return_type = "ValidationResult")]
    pub fn remove_row(&mut self, row: usize) -> Result<JsValue, Error> {
        let kept = self.kept()?;
        if row >= kept.table.rows.len() {
            return Err(into_error(format!(
                "there is no row {row} to remove: the table has {} rows",
                kept.table.rows.len()
            )));
        }
        kept.table.rows.remove(row);
        kept.recheck()
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
        let (kept, value) = self.kept_with_row(value)?;
        let rows = kept.check.set_row(row, &value).ok_or_else(|| {
            into_error(format!(
                "there is no row {row}: the table has {} rows (use insertRow to add one)",
                kept.check.row_count()
            ))
        })?;
        kept.table.rows[row] = value;
        to_js(&ValidationUpdate::of(&kept.check, &rows))
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
        let kept = self.kept()?;
        let mut header: SelfCheckTable = from_js(header, "self-check table")?;
        if header.scheme != kept.check.scheme().id {
            return Err(into_error(format!(
                "the table now names scheme '{}', not '{}': check the whole table",
                header.scheme,
                kept.check.scheme().id
            )));
        }
        kept.check.set_header(&header);
        // The header replaces the kept one; the kept rows stay.
        header.rows = std::mem::take(&mut kept.table.rows);
        kept.table = header;
        to_js(&ValidationUpdate::of(&kept.check, &[]))
    }
}

impl TableChecker {
    fn kept(&mut self) -> Result<&mut Kept, Error> {
        self.kept
            .as_mut()
            .ok_or_else(|| into_error("no table to update: check a table of a known scheme first"))
    }

    /// The kept table, and `value` read as a row.
    fn kept_with_row(&mut self, value: JsValue) -> Result<(&mut Kept, RiskRow), Error> {
        let kept = self.kept()?;
        Ok((kept, from_js(value, "risk row")?))
    }
}

impl Kept {
    /// Validates and grades the kept table again, whole.
    fn recheck(&mut self) -> Result<JsValue, Error> {
        self.check = TableCheck::new(self.check.scheme(), &self.table);
        validation(&self.check)
    }
}
