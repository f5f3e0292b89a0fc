//! What the browser form does after each change, natively and in a loop, for profiling:
//! read the draft from JSON, validate and grade every row, write the result as JSON.
//!
//! `valgrind --tool=callgrind target/core-dev/release/examples/form_check TABLE.json 20`

use std::process::ExitCode;

use serde::Serialize;
use sunlight_core::{Grade, Issue, IssueSeverity, SelfCheckTable, presets, rules};

#[derive(Serialize)]
struct Validation<'a> {
    ok: bool,
    errors: Vec<&'a Issue>,
    warnings: Vec<&'a Issue>,
    grades: Vec<Option<Grade>>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: form_check TABLE.json [RUNS]");
        return ExitCode::from(2);
    };
    let runs: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut bytes = 0;
    for _ in 0..runs {
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
        let (report, grades) = rules::validate_graded(scheme, &table);
        let (errors, warnings) = report
            .issues
            .iter()
            .partition(|i| i.severity == IssueSeverity::Error);
        let v = Validation {
            ok: report.is_ok(),
            errors,
            warnings,
            grades,
        };
        bytes = serde_json::to_string(&v).map_or(0, |s| s.len());
    }
    println!("{bytes} bytes of result");
    ExitCode::SUCCESS
}
