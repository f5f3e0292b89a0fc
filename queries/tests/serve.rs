//! `sunlight serve` end to end, through the real binary on loopback: answers for good and bad
//! submissions, a corpus of bad requests with their statuses and messages, tokens, SIGKILL under
//! concurrent load and a restart, SIGTERM under load, and the store's lock while serving.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sunlight_core::{SelfCheckTable, Submission, presets::registry};

const BIN: &str = env!("CARGO_BIN_EXE_sunlight");
const GOOD: &str = include_str!("../../tests/fixtures/good-tables/town-2012.json");
const TOKEN_FINANCE: &str = "finance-token-0123456789abcdef";
const TOKEN_TOWN: &str = "whole-town-token-fedcba9876543210";
const TOKEN_OTHER: &str = "other-dept-token-00112233445566";

/// A distinct valid town-2012 submission: `n` goes into a risk point's text, so every `n` has
/// its own hash; `dept` is the department id.
fn submission(n: u64, dept: &str) -> (String, String) {
    let mut t = SelfCheckTable::from_json(GOOD).unwrap();
    t.department.id = dept.to_owned();
    t.rows[0].risk_point = format!("{} #{n}", t.rows[0].risk_point);
    let s = Submission::finalize(registry(), t, "2012-08-20T10:00:00+08:00").unwrap();
    (s.to_json().unwrap(), s.hash().to_owned())
}

/// The server, running.
struct Server {
    child: Child,
    addr: String,
    output: Arc<Mutex<String>>,
}

impl Server {
    fn start(store: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--store", store.to_str().unwrap()])
            .args(["--addr", "127.0.0.1:0"])
            .args(if extra.contains(&"--fold-ms") {
                &[][..]
            } else {
                &["--fold-ms", "100"][..]
            })
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        output.lock().unwrap().push_str(&first);
        let mut err = child.stderr.take().unwrap();
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stdout.read_to_string(&mut rest);
            sink.lock().unwrap().push_str(&rest);
        });
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = err.read_to_string(&mut rest);
            sink.lock().unwrap().push_str(&rest);
        });
        let addr = first
            .trim()
            .strip_prefix("sunlight serve: listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
            .to_owned();
        Server {
            child,
            addr,
            output,
        }
    }

    /// SIGTERM, and the exit status.
    fn stop(mut self) -> (std::process::ExitStatus, String) {
        let st = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        let status = self.child.wait().unwrap();
        // Let the reader threads drain the pipes.
        std::thread::sleep(Duration::from_millis(50));
        let out = self.output.lock().unwrap().clone();
        (status, out)
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits until everything acknowledged is in the Parquet files.
    fn wait_folded(&self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let (status, h) = request(&self.addr, "GET", "/healthz", &[], b"");
            assert_eq!(status, 200, "{h}");
            if h["unfolded"] == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the journal was never folded: {h}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One HTTP/1.1 request on a new connection; the status and the body parsed as JSON (or the
/// body as a JSON string when it is not JSON).
fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Value) {
    let (status, _, body) = raw(addr, method, path, headers, body, Some(body.len()));
    let v = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    (status, v)
}

/// A request whose `Content-Length` may differ from the body sent; the status, the response's
/// head and its body.
fn raw(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    length: Option<usize>,
) -> (u16, String, Vec<u8>) {
    try_raw(addr, method, path, headers, body, length).unwrap()
}

fn try_raw(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    length: Option<usize>,
) -> std::io::Result<(u16, String, Vec<u8>)> {
    let mut s = TcpStream::connect(addr)?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(n) = length {
        head.push_str(&format!("Content-Length: {n}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let bad = || {
        std::io::Error::other(format!(
            "no HTTP response: {:?}",
            String::from_utf8_lossy(&out)
        ))
    };
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(bad)?;
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    Ok((status, head, out[split + 4..].to_vec()))
}

/// Posts a submission with an optional token; `None` when the connection failed.
fn try_post(addr: &str, json: &str, token: Option<&str>) -> Option<(u16, Value)> {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(b) = &bearer {
        headers.push(("Authorization", b));
    }
    let (status, _, body) = try_raw(
        addr,
        "POST",
        "/api/v1/submissions",
        &headers,
        json.as_bytes(),
        Some(json.len()),
    )
    .ok()?;
    Some((status, serde_json::from_slice(&body).ok()?))
}

fn post(addr: &str, json: &str, token: Option<&str>) -> (u16, Value) {
    try_post(addr, json, token).unwrap()
}

/// Every submission hash in the store with how often it is there.
fn hashes_in(store: &Path) -> HashMap<String, u64> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = sunlight_queries::sql::session(store).await.unwrap();
        let batches = ctx
            .sql("SELECT hash, COUNT(*) AS n FROM submissions_all GROUP BY hash")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let mut out = HashMap::new();
        for b in &batches {
            for i in 0..b.num_rows() {
                let h = datafusion::arrow::util::display::array_value_to_string(b.column(0), i)
                    .unwrap();
                let n = datafusion::arrow::util::display::array_value_to_string(b.column(1), i)
                    .unwrap();
                out.insert(h, n.parse().unwrap());
            }
        }
        out
    })
}

fn journal_files(store: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(store.join("journal")) {
        Ok(d) => d.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn stores_once_answers_resubmissions_and_refuses_invalid_tables_like_the_form() {
    let dir = common::scratch("serve-basic");
    let store = dir.join("store");
    let server = Server::start(&store, &[]);
    let (json, hash) = submission(1, "finance-office");

    let (status, body) = post(&server.addr, &json, None);
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["hash"], hash.as_str());
    assert_eq!(body["status"], "stored");
    let (status, body) = post(&server.addr, &json, None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "already-stored");
    assert_eq!(body["hash"], hash.as_str());

    // Invalid tables: the 422 lists the core's issues, the same the form shows beside the fields.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/bad-tables");
    let mut refused = 0;
    for name in [
        "31-level-contradicts-factors.json",
        "35-high-risk-without-disposal.json",
        "48-many-mistakes-at-once.json",
    ] {
        // A fixture: { description, expect: [codes], table }.
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(fixtures.join(name)).unwrap()).unwrap();
        let draft = &fixture["table"];
        // A clerk's draft, sent as if finalised: stamp it, hash it over what it says.
        let mut t = SelfCheckTable::from_json(&draft.to_string()).unwrap();
        t.submitted_at = Some("2012-08-20T10:00:00+08:00".into());
        t.hash = Some(sunlight_core::hash_of(&t).unwrap());
        let text = serde_json::to_string(&t).unwrap();
        let expected = match Submission::from_json(registry(), &text) {
            Err(sunlight_core::Error::Invalid(report)) => report,
            other => panic!("{name}: expected an invalid table, got {other:?}"),
        };
        let (status, body) = post(&server.addr, &text, None);
        assert_eq!(status, 422, "{name}: {body}");
        let errors = body["errors"].as_array().unwrap();
        let want: Vec<_> = expected.errors().collect();
        assert_eq!(errors.len(), want.len(), "{name}: {body}");
        for (got, want) in errors.iter().zip(want) {
            assert_eq!(got["code"], want.code.as_str());
            assert_eq!(got["path"], want.path.as_str());
            assert_eq!(got["message"]["zh"], want.message.zh.as_str());
            assert_eq!(got["message"]["en"], want.message.en.as_str());
        }
        assert_eq!(body["code"], want_first_code(&expected));
        for code in fixture["expect"].as_array().unwrap() {
            assert!(
                errors.iter().any(|e| e["code"] == *code),
                "{name}: {code} not in {body}"
            );
        }
        assert!(body["message"]["zh"].as_str().unwrap().contains("处错误"));
        refused += 1;
    }
    assert_eq!(refused, 3);

    server.wait_folded();
    // Readers take no lock: SQL works while the server holds the store.
    assert_eq!(hashes_in(&store).get(&hash), Some(&1));
    // A second writer does not: ingest refuses, saying why.
    let input = dir.join("one.json");
    std::fs::write(&input, submission(2, "finance-office").0).unwrap();
    let out = Command::new(BIN)
        .args(["ingest", input.to_str().unwrap(), "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("sunlight serve"), "{msg}");

    let (status, out) = server.stop();
    assert!(status.success(), "{out}");
    assert!(
        journal_files(&store).is_empty(),
        "{:?}",
        journal_files(&store)
    );
    let hashes = hashes_in(&store);
    assert_eq!(hashes.len(), 1, "{hashes:?}");
    assert_eq!(hashes.get(&hash), Some(&1));

    // The server stopped, so ingest may write again; the served submission is a duplicate.
    let out = Command::new(BIN)
        .args(["ingest", input.to_str().unwrap(), "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(hashes_in(&store).len(), 2);
}

fn want_first_code(r: &sunlight_core::Report) -> &'static str {
    r.errors().next().unwrap().code.as_str()
}

#[test]
fn bad_requests_get_their_status_and_a_clear_message() {
    let dir = common::scratch("serve-bad");
    let store = dir.join("store");
    let tokens = dir.join("tokens.txt");
    std::fs::write(
        &tokens,
        format!(
            "# token unit department\n{TOKEN_FINANCE} chengguan finance-office\n{TOKEN_TOWN}\tchengguan\t*\n{TOKEN_OTHER} chengguan party-office\n"
        ),
    )
    .unwrap();
    let server = Server::start(
        &store,
        &["--tokens", tokens.to_str().unwrap(), "--max-body", "65536"],
    );
    let a = server.addr.clone();
    let (json, hash) = submission(7, "finance-office");
    let api = "/api/v1/submissions";
    let ct = ("Content-Type", "application/json");
    let auth = format!("Bearer {TOKEN_FINANCE}");
    let ok_auth = ("Authorization", auth.as_str());

    // Each case: status, code, and a word each message must contain.
    let check =
        |what: &str, (status, body): (u16, Value), want: u16, code: &str, zh: &str, en: &str| {
            assert_eq!(status, want, "{what}: {body}");
            assert_eq!(body["ok"], false, "{what}: {body}");
            assert_eq!(body["code"], code, "{what}: {body}");
            let (z, e) = (
                body["message"]["zh"].as_str().unwrap(),
                body["message"]["en"].as_str().unwrap(),
            );
            assert!(z.contains(zh), "{what}: {z}");
            assert!(e.contains(en), "{what}: {e}");
        };

    check(
        "no token",
        request(&a, "POST", api, &[ct], json.as_bytes()),
        401,
        "unauthorized",
        "令牌",
        "token",
    );
    let (_, head, _) = raw(&a, "POST", api, &[ct], json.as_bytes(), Some(json.len()));
    assert!(
        head.to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{head}"
    );
    check(
        "wrong token",
        request(
            &a,
            "POST",
            api,
            &[
                ct,
                ("Authorization", "Bearer finance-token-0123456789abcdeX"),
            ],
            json.as_bytes(),
        ),
        401,
        "unauthorized",
        "令牌",
        "token",
    );
    check(
        "not bearer",
        request(
            &a,
            "POST",
            api,
            &[ct, ("Authorization", &format!("Basic {TOKEN_FINANCE}"))],
            json.as_bytes(),
        ),
        401,
        "unauthorized",
        "令牌",
        "token",
    );
    check(
        "another department's token",
        post(&a, &json, Some(TOKEN_OTHER)),
        403,
        "forbidden",
        "本部门",
        "own unit and department",
    );
    let (other_unit, _) = {
        let mut t = SelfCheckTable::from_json(GOOD).unwrap();
        t.unit.id = "jxau".into();
        let s = Submission::finalize(registry(), t, "2012-08-20T10:00:00+08:00").unwrap();
        (s.to_json().unwrap(), ())
    };
    check(
        "another unit's table",
        post(&a, &other_unit, Some(TOKEN_TOWN)),
        403,
        "forbidden",
        "本部门",
        "own unit",
    );
    check(
        "wrong content type",
        request(
            &a,
            "POST",
            api,
            &[("Content-Type", "text/plain"), ok_auth],
            json.as_bytes(),
        ),
        415,
        "unsupported-media-type",
        "application/json",
        "application/json",
    );
    check(
        "no content type",
        request(&a, "POST", api, &[ok_auth], json.as_bytes()),
        415,
        "unsupported-media-type",
        "application/json",
        "application/json",
    );
    // Oversized: refused from the declared length, before the body is read.
    // (Nothing of the body is sent: a client waiting for `100 Continue` would not send it.)
    let (status, _, body) = raw(&a, "POST", api, &[ct, ok_auth], b"", Some(10_000_000));
    let body: Value = serde_json::from_slice(&body).unwrap();
    check(
        "oversized",
        (status, body),
        413,
        "too-large",
        "过大",
        "at most 65536 bytes",
    );
    let (status, _, body) = raw(&a, "POST", api, &[ct], b"", Some(70_000));
    let body: Value = serde_json::from_slice(&body).unwrap();
    check(
        "oversized, before the token is looked at",
        (status, body),
        413,
        "too-large",
        "65536",
        "65536",
    );
    check(
        "empty body",
        request(&a, "POST", api, &[ct, ok_auth], b""),
        400,
        "empty-body",
        "没有内容",
        "no body",
    );
    check(
        "malformed",
        request(&a, "POST", api, &[ct, ok_auth], b"{\"scheme\": town-2012}"),
        400,
        "malformed-json",
        "不是有效",
        "not a submission",
    );
    check(
        "truncated",
        request(
            &a,
            "POST",
            api,
            &[ct, ok_auth],
            &json.as_bytes()[..json.len() / 2],
        ),
        400,
        "truncated",
        "不是有效",
        "EOF",
    );
    check(
        "not UTF-8",
        request(
            &a,
            "POST",
            api,
            &[ct, ok_auth],
            b"{\"scheme\":\"\xff\xfe\"}",
        ),
        400,
        "invalid-utf8",
        "UTF-8",
        "UTF-8",
    );
    check(
        "not an object",
        request(&a, "POST", api, &[ct, ok_auth], b"[1,2,3]"),
        422,
        "wrong-shape",
        "不是有效",
        "invalid type",
    );
    let tampered = json.replacen("#7", "#8", 1);
    check(
        "changed after hashing",
        post(&a, &tampered, Some(TOKEN_FINANCE)),
        422,
        "hash-mismatch",
        "哈希",
        "does not match",
    );

    // The good one, then its replay.
    let (status, body) = post(&a, &json, Some(TOKEN_FINANCE));
    assert_eq!(
        (status, body["hash"].as_str()),
        (201, Some(hash.as_str())),
        "{body}"
    );
    let (status, body) = post(&a, &json, Some(TOKEN_TOWN));
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("already-stored")),
        "{body}"
    );

    // Not the API's methods, not a page, not a way out of the package folder.
    let (status, _) = request(&a, "GET", api, &[], b"");
    assert_eq!(status, 405);
    let (status, _) = request(&a, "GET", "/no/such/page", &[], b"");
    assert_eq!(status, 404);
    let (status, _) = request(&a, "GET", "/static/sunlight/..%2F..%2FCargo.toml", &[], b"");
    assert_eq!(status, 404);
    let (status, page) = request(&a, "GET", "/portal/%3Cscript%3E", &[], b"");
    assert_eq!(status, 404);
    assert!(!page.as_str().unwrap().contains("<script>"), "{page}");
    let (status, page) = request(
        &a,
        "GET",
        "/portal/town-2012?table=personal&lang=en",
        &[],
        b"",
    );
    assert_eq!(status, 200);
    let page = page.as_str().unwrap();
    assert!(
        page.contains("table=\"personal\" lang=\"en\" unit=\"chengguan\""),
        "{page}"
    );
    assert!(page.contains("endpoint=\"/api/v1/submissions\""), "{page}");
    // HTTP nonsense is answered, never crashes the server.
    let mut s = TcpStream::connect(&a).unwrap();
    s.write_all(b"NOT HTTP AT ALL\r\n\r\n").unwrap();
    let mut junk = Vec::new();
    let _ = s.read_to_end(&mut junk);
    let (status, h) = request(&a, "GET", "/healthz", &[], b"");
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["stored"], 1);
    assert_eq!(h["already_stored"], 1);

    let (status, out) = server.stop();
    assert!(status.success(), "{out}");
    for t in [TOKEN_FINANCE, TOKEN_TOWN, TOKEN_OTHER] {
        assert!(!out.contains(t), "a token was printed: {out}");
    }
    assert_eq!(hashes_in(&store).get(&hash), Some(&1));
    assert_eq!(hashes_in(&store).len(), 1);
}

/// Clients posting distinct submissions as fast as they can, counting acknowledgements; each
/// returns the hashes the server acknowledged (201 or 200).
fn load(
    addr: &str,
    clients: u64,
    per_client: u64,
    base: u64,
    acked: &Arc<AtomicUsize>,
    stop: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<Vec<String>>> {
    (0..clients)
        .map(|c| {
            let addr = addr.to_owned();
            let acked = Arc::clone(acked);
            let stop = Arc::clone(stop);
            let subs: Vec<(String, String)> = (0..per_client)
                .map(|i| submission(base + c * per_client + i, &format!("dept-{c}")))
                .collect();
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                for (json, hash) in subs {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    match try_post(&addr, &json, None) {
                        Some((201 | 200, body)) => {
                            assert_eq!(body["hash"], hash.as_str());
                            mine.push(hash);
                            acked.fetch_add(1, Ordering::SeqCst);
                        }
                        // The server went away: what was not acknowledged is not promised.
                        _ => break,
                    }
                }
                mine
            })
        })
        .collect()
}

#[test]
fn sigkill_under_load_loses_nothing_acknowledged_and_stores_nothing_twice() {
    let dir = common::scratch("serve-kill");
    let store = dir.join("store");
    let server = Server::start(&store, &[]);
    let acked = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(&server.addr, 8, 150, 0, &acked, &stop);
    // Kill it once a good part of the load is acknowledged (some of it folded, some not).
    wait_for(&acked, 400, &clients);
    server.kill();
    stop.store(true, Ordering::SeqCst);
    let acknowledged: Vec<String> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert!(acknowledged.len() >= 400);

    // Restarted: the journal is folded before the first request, resubmissions are recognised.
    let server = Server::start(&store, &[]);
    let hashes = hashes_in(&store);
    for h in &acknowledged {
        assert_eq!(
            hashes.get(h),
            Some(&1),
            "acknowledged {h} is not in the store exactly once"
        );
    }
    assert!(
        hashes.values().all(|&n| n == 1),
        "a submission is stored twice"
    );
    // Only the restarted server's own (new) journal file is left.
    assert_eq!(
        journal_files(&store).len(),
        1,
        "{:?}",
        journal_files(&store)
    );
    // And a fresh load on the restarted server, replaying some of the old ones too.
    let acked2 = Arc::new(AtomicUsize::new(0));
    let again = load(&server.addr, 4, 50, 0, &acked2, &stop_never());
    let again: Vec<String> = again.into_iter().flat_map(|c| c.join().unwrap()).collect();
    assert_eq!(again.len(), 200);
    let (status, out) = server.stop();
    assert!(status.success(), "{out}");
    let hashes = hashes_in(&store);
    for h in acknowledged.iter().chain(&again) {
        assert_eq!(hashes.get(h), Some(&1), "{h}");
    }
    assert!(
        hashes.values().all(|&n| n == 1),
        "a submission is stored twice"
    );
    let all: HashSet<&String> = acknowledged.iter().chain(&again).collect();
    assert!(hashes.len() >= all.len());
}

/// Waits until `n` acknowledgements are in, or every client has finished.
fn wait_for(acked: &AtomicUsize, n: usize, clients: &[std::thread::JoinHandle<Vec<String>>]) {
    while acked.load(Ordering::SeqCst) < n && !clients.iter().all(|c| c.is_finished()) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn stop_never() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

#[test]
fn sigterm_under_load_answers_what_is_in_flight_and_folds_everything() {
    let dir = common::scratch("serve-term");
    let store = dir.join("store");
    // A long fold interval: what is acknowledged sits in the journal until shutdown folds it.
    let server = Server::start(&store, &["--fold-ms", "600000"]);
    let acked = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(&server.addr, 6, 100, 10_000, &acked, &stop);
    wait_for(&acked, 200, &clients);
    let (status, out) = server.stop();
    stop.store(true, Ordering::SeqCst);
    assert!(status.success(), "{out}");
    let acknowledged: Vec<String> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert!(
        journal_files(&store).is_empty(),
        "{:?}",
        journal_files(&store)
    );
    let hashes = hashes_in(&store);
    for h in &acknowledged {
        assert_eq!(hashes.get(h), Some(&1), "{h}");
    }
    assert!(hashes.values().all(|&n| n == 1));
}
