//! Checks a submission file with the native core, as ingest does, and prints its verified hash.
//!
//! ```text
//! cargo run -p sunlight-tests --example verify-submission -- FILE [--json]
//! ```
//!
//! Exit status 0 and the hash on standard output when the submission is accepted; 1 and the
//! reason on standard error when it is not; 2 when the file cannot be read. With `--json` the
//! verdict is printed as one JSON object instead (`{"ok":true,"hash":…}` or
//! `{"ok":false,"message":…,"errors":[…]}`), which is what the browser test's server answers.

use std::process::ExitCode;

use sunlight_core::{Error, Submission, presets};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json_out = args.iter().any(|a| a == "--json");
    let Some(path) = args.iter().find(|a| *a != "--json") else {
        eprintln!("usage: verify-submission FILE [--json]");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("verify-submission: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    match Submission::from_json(presets::registry(), &text) {
        Ok(sub) => {
            if json_out {
                let warnings: Vec<_> = sub.warnings().warnings().collect();
                println!(
                    "{}",
                    serde_json::json!({"ok": true, "hash": sub.hash(), "warnings": warnings})
                );
            } else {
                println!("{}", sub.hash());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let errors: Vec<_> = match &e {
                Error::Invalid(report) => report.errors().cloned().collect(),
                _ => Vec::new(),
            };
            if json_out {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "message": e.to_string(), "errors": errors})
                );
            } else {
                eprintln!("verify-submission: {path} is not accepted: {e}");
                for issue in &errors {
                    eprintln!("  {}: {}", issue.path, issue.message.en);
                }
            }
            ExitCode::FAILURE
        }
    }
}
