//! `POST /api/v1/submissions` and `GET /healthz`.
//!
//! Every answer is JSON (`application/json; charset=utf-8`):
//!
//! | status | when | body |
//! |---|---|---|
//! | 201 | new, and on disk | `{ok: true, status: "stored", hash, message, warnings}` |
//! | 200 | the same hash was stored before; nothing new written | `{ok: true, status: "already-stored", hash, message}` |
//! | 400 | no body, not UTF-8, not JSON | `{ok: false, code, message, errors: []}` |
//! | 401 | `--tokens` given and no valid `Authorization: Bearer` token | as 400 |
//! | 403 | the token is for another unit or department | as 400 |
//! | 413 | larger than `--max-body` | as 400 |
//! | 415 | `Content-Type` is not `application/json` | as 400 |
//! | 422 | JSON, but not a submission the core accepts | `{ok: false, code, message, errors: [issue…]}` |
//! | 503 | the journal cannot be written, or the server is stopping | as 400 |
//!
//! `message` is `{zh, en}`. The issues in `errors` are the core's own (`severity`, `code`,
//! `path`, `row`, `message: {zh, en}`), the same the browser form shows beside each field; the
//! codes of 400 and 422 are those `sunlight ingest` reports for the same input.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::App;
use super::durable::{Message, Outcome, SOURCE};
use crate::ingest::check_bytes;

/// A JSON answer.
pub(super) fn answer(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        body.to_string(),
    )
        .into_response()
}

/// A refusal without issues: a stable code and a message in both languages.
fn refuse(status: StatusCode, code: &str, zh: &str, en: &str) -> Response {
    answer(
        status,
        &json!({"ok": false, "code": code, "message": {"zh": zh, "en": en}, "errors": []}),
    )
}

/// The token after `Bearer `, if the header has one.
fn bearer(headers: &HeaderMap) -> Option<&[u8]> {
    let v = headers.get(header::AUTHORIZATION)?.as_bytes();
    let scheme = v.get(..7)?;
    scheme
        .eq_ignore_ascii_case(b"bearer ")
        .then(|| v[7..].trim_ascii())
}

/// Whether the content type is JSON (`application/json`, any parameters, a UTF-8 charset if
/// one is named).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(v) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = v.split(';');
    let essence = parts.next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return false;
    }
    parts.all(|p| match p.split_once('=') {
        Some((k, v)) if k.trim().eq_ignore_ascii_case("charset") => {
            let v = v.trim().trim_matches('"');
            v.eq_ignore_ascii_case("utf-8") || v.eq_ignore_ascii_case("utf8")
        }
        _ => true,
    })
}

enum ReadError {
    TooLarge,
    Unreadable(String),
}

async fn read_limited(body: Body, limit: usize) -> Result<Vec<u8>, ReadError> {
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ReadError::Unreadable(e.to_string()))?;
        if buf.len() + chunk.len() > limit {
            return Err(ReadError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// Reads what is left of a refused request's body (up to `limit` bytes) and drops it: a
/// connection closed with unread data is reset by the kernel, and the client may lose the
/// answer with it.
async fn drain(body: Body, limit: usize) {
    let mut stream = body.into_data_stream();
    let mut n = 0usize;
    while let Some(Ok(chunk)) = stream.next().await {
        n += chunk.len();
        if n > limit {
            break;
        }
    }
}

fn too_large(limit: usize) -> Response {
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        &format!("提交内容过大，上限为 {limit} 字节"),
        &format!("the submission is too large; at most {limit} bytes are accepted"),
    )
}

/// Just the owner of a table, read before the whole table is checked.
#[derive(Deserialize)]
struct Owner {
    unit: Id,
    department: Id,
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

fn forbidden() -> Response {
    refuse(
        StatusCode::FORBIDDEN,
        "forbidden",
        "此令牌只能提交本单位本部门的表格",
        "this token may only submit tables of its own unit and department",
    )
}

fn unavailable(why: &str) -> Response {
    answer(
        StatusCode::SERVICE_UNAVAILABLE,
        &json!({"ok": false, "code": "unavailable",
            "message": {"zh": format!("服务器暂时无法保存提交内容：{why}"),
                        "en": format!("the server cannot store submissions now: {why}")},
            "errors": []}),
    )
}

/// Codes for input that is not JSON at all: 400. Everything else the core refuses is 422.
const NOT_JSON: [&str; 3] = ["malformed-json", "truncated", "invalid-utf8"];

/// `POST /api/v1/submissions`.
pub(super) async fn submit(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.max_body as u64) {
        // Not read at all: a client that waits for `100 Continue` never sends it.
        return too_large(app.max_body);
    }
    let grant = match &app.tokens {
        None => None,
        Some(tokens) => match bearer(&headers).and_then(|t| tokens.check(t)) {
            Some(g) => Some(g.clone()),
            None => {
                drain(body, app.max_body).await;
                let mut r = refuse(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "缺少有效的提交令牌（Authorization: Bearer …）",
                    "a valid submission token is required (Authorization: Bearer …)",
                );
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"sunlight\""),
                );
                return r;
            }
        },
    };
    if !is_json(&headers) {
        drain(body, app.max_body).await;
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "请以 Content-Type: application/json（UTF-8）发送提交内容",
            "send the submission as Content-Type: application/json (UTF-8)",
        );
    }
    let bytes = match read_limited(body, app.max_body).await {
        Ok(b) => b,
        Err(ReadError::TooLarge) => return too_large(app.max_body),
        Err(ReadError::Unreadable(e)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "unreadable-body",
                &format!("无法读取请求内容：{e}"),
                &format!("the request body could not be read: {e}"),
            );
        }
    };
    if bytes.trim_ascii().is_empty() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "empty-body",
            "请求没有内容；请发送提交表格的 JSON",
            "the request has no body; send the submission's JSON",
        );
    }
    // Refuse another department's table before spending time on checking it.
    if let Some(g) = &grant
        && let Ok(owner) = serde_json::from_slice::<Owner>(&bytes)
        && !g.covers(&owner.unit.id, &owner.department.id)
    {
        return forbidden();
    }
    let registry = app.registry;
    let checked = tokio::task::spawn_blocking(move || check_bytes(registry, &bytes, SOURCE, 1))
        .await
        .map_err(|e| e.to_string());
    let sub = match checked {
        Err(e) => return unavailable(&e),
        Ok(Ok(sub)) => sub,
        Ok(Err(refused)) => {
            let r = &refused.rejection;
            if NOT_JSON.contains(&r.code.as_str()) {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    &r.code,
                    if r.message_zh.is_empty() {
                        &r.message
                    } else {
                        &r.message_zh
                    },
                    &r.message,
                );
            }
            let body = match &refused.report {
                Some(report) => {
                    let errors: Vec<_> = report.errors().collect();
                    json!({"ok": false, "code": r.code,
                        "message": {"zh": format!("表格有 {} 处错误，未保存", errors.len()),
                                    "en": format!("the table has {} error(s) and was not stored", errors.len())},
                        "errors": errors})
                }
                None => json!({"ok": false, "code": r.code,
                    "message": {"zh": if r.message_zh.is_empty() { &r.message } else { &r.message_zh },
                                "en": r.message},
                    "errors": []}),
            };
            return answer(StatusCode::UNPROCESSABLE_ENTITY, &body);
        }
    };
    if let Some(g) = &grant {
        let t = sub.table();
        if !g.covers(&t.unit.id, &t.department.id) {
            return forbidden();
        }
    }
    let hash = sub.hash().to_owned();
    let warnings: Vec<_> = sub.warnings().warnings().cloned().collect();
    let (tx, rx) = oneshot::channel();
    if app
        .requests
        .send(Message::Submit(Box::new(sub), tx))
        .await
        .is_err()
    {
        return unavailable("the server is stopping");
    }
    match rx.await {
        Ok(Outcome::Stored) => answer(
            StatusCode::CREATED,
            &json!({"ok": true, "status": "stored", "hash": hash,
                "message": {"zh": "已接收并保存", "en": "received and stored"},
                "warnings": warnings}),
        ),
        Ok(Outcome::AlreadyStored) => answer(
            StatusCode::OK,
            &json!({"ok": true, "status": "already-stored", "hash": hash,
                "message": {"zh": "此表格此前已提交并保存，未重复保存",
                            "en": "this table was submitted and stored before; nothing new was stored"}}),
        ),
        Ok(Outcome::Failed(why)) => unavailable(&why),
        Err(_) => unavailable("the server is stopping"),
    }
}

/// `GET /healthz`: 200 while submissions can be stored, 503 when the journal cannot be written.
pub(super) async fn healthz(State(app): State<Arc<App>>) -> Response {
    let c = &app.counters;
    let broken = c.broken.load(Ordering::SeqCst);
    answer(
        if broken {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::OK
        },
        &json!({
            "ok": !broken,
            "stored": c.stored.load(Ordering::SeqCst),
            "already_stored": c.duplicates.load(Ordering::SeqCst),
            "unfolded": c.unfolded.load(Ordering::SeqCst),
            "in_store": c.in_store.load(Ordering::SeqCst),
            "fold_failed": c.fold_failed.load(Ordering::SeqCst),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn json_content_types() {
        for (v, ok) in [
            ("application/json", true),
            ("Application/JSON; charset=UTF-8", true),
            ("application/json;charset=\"utf-8\"", true),
            ("application/json; charset=latin1", false),
            ("text/plain", false),
            ("application/jsonx", false),
        ] {
            assert_eq!(is_json(&headers(&[(header::CONTENT_TYPE, v)])), ok, "{v}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn bearer_tokens() {
        let h = headers(&[(header::AUTHORIZATION, "Bearer  abc ")]);
        assert_eq!(bearer(&h), Some(&b"abc"[..]));
        let h = headers(&[(header::AUTHORIZATION, "bearer xyz")]);
        assert_eq!(bearer(&h), Some(&b"xyz"[..]));
        let h = headers(&[(header::AUTHORIZATION, "Basic abc")]);
        assert_eq!(bearer(&h), None);
        let h = headers(&[(header::AUTHORIZATION, "Bear")]);
        assert_eq!(bearer(&h), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
