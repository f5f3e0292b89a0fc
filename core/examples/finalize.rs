//! Finalises a draft self-check table into its canonical submission.
//!
//! `cargo run -p sunlight-core --example finalize -- DRAFT.json 2012-08-20T10:00:00+08:00`
//! prints the canonical JSON on standard output and the hash, with any warnings, on standard error.

use std::process::ExitCode;

use sunlight_core::{Error, SelfCheckTable, Submission, presets};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(at)) = (args.get(1), args.get(2)) else {
        eprintln!(
            "usage: finalize DRAFT.json SUBMITTED_AT (RFC 3339, e.g. 2012-08-20T10:00:00+08:00)"
        );
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = SelfCheckTable::from_json(&text)
        .and_then(|t| Submission::finalize(presets::registry(), t, at));
    match result.and_then(|s| Ok((s.to_json()?, s))) {
        Ok((json, sub)) => {
            println!("{json}");
            eprintln!("{}", sub.hash());
            for w in sub.warnings().warnings() {
                eprintln!("warning {} at {}: {}", w.code, w.path, w.message.en);
            }
            ExitCode::SUCCESS
        }
        Err(Error::Invalid(report)) => {
            for i in &report.issues {
                eprintln!(
                    "{:?} {} at {}: {} / {}",
                    i.severity, i.code, i.path, i.message.zh, i.message.en
                );
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::FAILURE
        }
    }
}
