//! Writes distinct, valid submissions as NDJSON, for load tests of `sunlight serve`.
//!
//! ```text
//! cargo run -p sunlight-tests --example load-submissions -- COUNT [DEPARTMENTS] > bodies.ndjson
//! ```
//!
//! Each line is the canonical JSON of a finalised town-2012 department table (the good fixture
//! `tests/fixtures/good-tables/town-2012.json`): submission `n` has `#n` added to its first risk
//! point, so every line has its own hash, and belongs to department `dept-(n % DEPARTMENTS)`
//! (default 16) of unit `chengguan`.

use std::io::Write;
use std::process::ExitCode;

use sunlight_core::{SelfCheckTable, Submission, presets};

const GOOD: &str = include_str!("../fixtures/good-tables/town-2012.json");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(count), departments) = (
        args.first().and_then(|a| a.parse::<u64>().ok()),
        args.get(1)
            .and_then(|a| a.parse::<u64>().ok())
            .unwrap_or(16),
    ) else {
        eprintln!("usage: load-submissions COUNT [DEPARTMENTS]");
        return ExitCode::from(2);
    };
    let base = match SelfCheckTable::from_json(GOOD) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("load-submissions: the fixture cannot be read: {e}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for n in 0..count {
        let mut t = base.clone();
        t.department.id = format!("dept-{}", n % departments.max(1));
        if let Some(row) = t.rows.first_mut() {
            row.risk_point = format!("{} #{n}", row.risk_point);
        }
        let line = Submission::finalize(presets::registry(), t, "2012-08-20T10:00:00+08:00")
            .and_then(|s| s.to_json());
        match line {
            Ok(l) => {
                if writeln!(out, "{l}").is_err() {
                    return ExitCode::from(2);
                }
            }
            Err(e) => {
                eprintln!("load-submissions: submission {n} could not be made: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
