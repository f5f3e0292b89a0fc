//! What the browser form does when it checks a whole table, natively and in a loop, for
//! profiling: read the draft from JSON, validate and grade every row, write the result as JSON
//! the way the wasm facade does (each distinct grade written once).
//!
//! With `edit`, what it does after each edit instead: one row read, checked and written out.
//!
//! ```sh
//! cargo build -p sunlight-core --release --example form_check
//! valgrind --tool=callgrind target/release/examples/form_check TABLE.json 20 [edit]
//! ```

use std::process::ExitCode;

use std::collections::HashMap;

use serde::Serialize;
use sunlight_core::model::RiskRow;
use sunlight_core::rules::TableCheck;
use sunlight_core::{Grade, Issue, IssueSeverity, SelfCheckTable, presets};

#[derive(Serialize)]
struct Validation<'a> {
    ok: bool,
    errors: Vec<&'a Issue>,
    warnings: Vec<&'a Issue>,
    grades: Vec<&'a Grade>,
}

/// `{ ok, errors, warnings, grades }` with each distinct grade once, as the facade writes it
/// (it then points every row at its grade on the JavaScript side).
fn result_json(check: &TableCheck<'_>) -> serde_json::Result<String> {
    let (errors, warnings): (Vec<&Issue>, Vec<&Issue>) = check
        .issues()
        .partition(|i| i.severity == IssueSeverity::Error);
    let mut seen: HashMap<*const Grade, usize> = HashMap::new();
    let mut distinct: Vec<&Grade> = Vec::new();
    let index: Vec<Option<usize>> = check
        .grades()
        .map(|g| {
            g.map(|g| {
                *seen.entry(std::ptr::from_ref(g)).or_insert_with(|| {
                    distinct.push(g);
                    distinct.len() - 1
                })
            })
        })
        .collect();
    std::hint::black_box(index);
    serde_json::to_string(&Validation {
        ok: errors.is_empty(),
        errors,
        warnings,
        grades: distinct,
    })
}

#[derive(Serialize)]
struct RowUpdate<'a> {
    row: usize,
    errors: Vec<&'a Issue>,
    warnings: Vec<&'a Issue>,
    grade: Option<&'a Grade>,
}

/// An edit as the form makes it after a full check: row 0's JSON read, the row checked, the
/// changed rows written out (the facade's `checkRow`).
fn edit(check: &mut TableCheck<'_>, row_json: &str) -> serde_json::Result<usize> {
    let row: RiskRow = serde_json::from_str(row_json)?;
    let changed = check.set_row(0, &row).unwrap_or_default();
    let rows: Vec<RowUpdate> = changed
        .iter()
        .map(|&i| {
            let (errors, warnings) = check
                .row_issues(i)
                .partition(|x| x.severity == IssueSeverity::Error);
            RowUpdate {
                row: i,
                errors,
                warnings,
                grade: check.grade(i),
            }
        })
        .collect();
    Ok(serde_json::to_string(&rows)?.len())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: form_check TABLE.json [RUNS] [edit]");
        return ExitCode::from(2);
    };
    let runs: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1);
    let edits = args.get(3).is_some_and(|a| a == "edit");
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let table = match SelfCheckTable::from_json(&text) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Ok(scheme) = presets::registry().get(&table.scheme) else {
        eprintln!("{path}: unknown scheme");
        return ExitCode::FAILURE;
    };
    let mut bytes = 0;
    if edits {
        // Row 0 with its last factor flipped between two options, so every edit changes it.
        let mut check = TableCheck::new(scheme, &table);
        let mut rows = [table.rows[0].clone(), table.rows[0].clone()];
        if let Some(f) = scheme.factors.last() {
            for (r, o) in rows.iter_mut().zip(&f.options) {
                r.factors.insert(f.id.clone(), o.id.clone());
            }
        }
        let texts: Vec<String> = rows
            .iter()
            .filter_map(|r| serde_json::to_string(r).ok())
            .collect();
        for k in 0..runs {
            bytes = edit(&mut check, &texts[k % texts.len()]).unwrap_or(0);
        }
    } else {
        for _ in 0..runs {
            let table = SelfCheckTable::from_json(&text).unwrap_or_default();
            let check = TableCheck::new(scheme, &table);
            bytes = result_json(&check).map_or(0, |s| s.len());
        }
    }
    println!("{bytes} bytes of result");
    ExitCode::SUCCESS
}
