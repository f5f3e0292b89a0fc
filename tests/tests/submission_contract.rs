//! The submission contract seen from outside Rust: the published JSON Schema accepts real
//! submissions and refuses broken ones, and another language (Python) computes the same hash.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use sunlight_core::{SelfCheckTable, Submission, presets};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn submissions() -> Vec<Submission> {
    let mut out = Vec::new();
    for name in [
        "town-2012.json",
        "ministry-2012.json",
        "university-2010-personal.json",
    ] {
        let t = SelfCheckTable::from_json(&read(&format!("tests/fixtures/good-tables/{name}")))
            .expect("fixture");
        let at = t.submitted_at.clone().expect("time");
        out.push(Submission::finalize(presets::registry(), t, &at).expect("valid"));
    }
    out.push(
        Submission::from_json(presets::registry(), &read("docs/example-submission.json"))
            .expect("the documented example is valid"),
    );
    out
}

#[test]
fn the_json_schema_accepts_real_submissions_and_refuses_broken_ones() {
    let schema: Value =
        serde_json::from_str(&read("docs/submission.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for sub in submissions() {
        let v: Value = serde_json::from_str(&sub.to_json().expect("json")).expect("json");
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", sub.hash());
        let mut broken = v.clone();
        broken["rows"][0]["measures"][0]["line"] = Value::from("during");
        assert!(!validator.is_valid(&broken));
        let mut broken = v.clone();
        broken["colour"] = Value::from("red");
        assert!(!validator.is_valid(&broken));
        let mut broken = v;
        broken["hash"] = Value::from("md5:abc");
        assert!(!validator.is_valid(&broken));
    }
}

#[test]
fn python_computes_the_same_hash_as_the_core() {
    let script = r#"
import hashlib, json, sys
for line in sys.stdin:
    v = json.loads(line)
    v.pop("hash")
    s = json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    print("sha256:" + hashlib.sha256(s.encode("utf-8")).hexdigest())
"#;
    let subs = submissions();
    let input: String = subs
        .iter()
        .map(|s| s.to_json().expect("json") + "\n")
        .collect();
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 is part of the test machine");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).expect("write");
    }
    let out = child.wait_with_output().expect("python ran");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hashes: Vec<String> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(String::from)
        .collect();
    let ours: Vec<String> = subs.iter().map(|s| s.hash().to_owned()).collect();
    assert_eq!(hashes, ours);
    assert_eq!(
        ours.last().map(String::as_str),
        Some("sha256:764a7bf6058fe1d826d0e83a7f1a0293199a3b39c806d327bc8af030f3af3b2b"),
        "docs/submission.md quotes this hash"
    );
}
