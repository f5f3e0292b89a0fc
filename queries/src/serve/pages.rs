//! The demo portal: an index page, one page per preset scheme embedding the
//! `<sunlight-self-check>` element, the element's package, and the latest annual report.
//!
//! ```text
//! /                          the portal's index
//! /portal/SCHEME             the form for SCHEME (?table=personal, ?lang=en)
//! /static/sunlight/FILE      the built web component package (scripts/build-wasm.sh)
//! /report/FILE               the annual report written by `sunlight report`, if any
//! ```
//!
//! Every text put into a page is escaped; files are served only from inside their folder.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::App;
use crate::report::escape;

/// The unit each preset's portal page submits for: the same as the demo data and the element's
/// own demo page.
pub const UNITS: [(&str, &str, &str); 4] = [
    ("town-2012", "chengguan", "城关镇"),
    ("university-2010", "jxau", "江西农业大学"),
    ("ministry-2012", "mca", "民政部"),
    ("education-bureau", "edu-bureau", "教育局"),
];

const STYLE: &str = "body{margin:0;font-family:\"Noto Sans CJK SC\",sans-serif;background:#f3f1ec;color:#222}\
header{background:#7a1f1f;color:#fff;padding:10px 24px;font-size:18px}header a{color:#fff}\
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}nav{margin:8px 0 16px;display:flex;gap:16px;flex-wrap:wrap}\
sunlight-self-check{--sunlight-accent:#7a1f1f;background:#fff;padding:16px;border:1px solid #ddd;display:block}\
.note{background:#fff3cd;border:1px solid #e0c36a;padding:8px 12px}code{background:#eee;padding:0 4px}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}";

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <link rel=\"icon\" href=\"data:,\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n\
         <body>\n<header><a href=\"/\">阳光 Sunlight</a> · 廉政风险自查（演示门户 demo portal）</header>\n\
         <main>\n{body}</main>\n</body>\n</html>\n",
        escape(title)
    );
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        page,
    )
        .into_response()
}

fn not_found(what: &str) -> Response {
    html(
        StatusCode::NOT_FOUND,
        "404",
        &format!(
            "<h1>找不到 Not found</h1>\n<p>{}</p>\n<p><a href=\"/\">返回门户 Back to the portal</a></p>\n",
            escape(what)
        ),
    )
}

fn report_index(app: &App) -> Option<PathBuf> {
    let dir = app.report.as_ref()?;
    let index = dir.join("index.html");
    index.is_file().then_some(index)
}

/// `GET /`: the portal's index.
pub(super) async fn index(State(app): State<Arc<App>>) -> Response {
    let mut body = String::from(
        "<h1>廉政风险自查表 Integrity-risk self-check tables</h1>\n\
         <p>选择实施方案，填写并提交本部门的自查表。Choose a scheme, fill in and submit your department's table.</p>\n\
         <table>\n<tr><th>实施方案 Scheme</th><th>单位 Unit</th><th>表格 Tables</th></tr>\n",
    );
    for scheme in app.registry.iter() {
        let (unit, unit_name) = unit_of(&scheme.id);
        let id = escape(&scheme.id);
        body.push_str(&format!(
            "<tr><td>{} <br><small>{} · <code>{id}</code></small></td><td>{} <code>{}</code></td>\
             <td><a href=\"/portal/{id}\">部门表</a> · <a href=\"/portal/{id}?table=personal\">个人表</a> · \
             <a href=\"/portal/{id}?lang=en\">department (English)</a> · <a href=\"/portal/{id}?table=personal&amp;lang=en\">personal (English)</a></td></tr>\n",
            escape(&scheme.name.zh),
            escape(&scheme.name.en),
            escape(unit_name),
            escape(unit),
        ));
    }
    body.push_str("</table>\n");
    if report_index(&app).is_some() {
        body.push_str(
            "<h2>年度评估报告 Annual evaluation report</h2>\n<p><a href=\"/report/\">最新的年度评估报告 The latest annual report</a></p>\n",
        );
    }
    if !app.package.join("sunlight-self-check.js").is_file() {
        body.push_str(&package_missing(&app.package));
    }
    body.push_str(
        "<h2>接口 API</h2>\n<p><code>POST /api/v1/submissions</code> (application/json) · <code>GET /healthz</code></p>\n",
    );
    html(StatusCode::OK, "阳光 Sunlight · 演示门户", &body)
}

fn package_missing(dir: &Path) -> String {
    format!(
        "<p class=\"note\">表单组件尚未构建：请运行 <code>bash scripts/build-wasm.sh</code>。\
         The form's package is not built at {}: run <code>bash scripts/build-wasm.sh</code>.</p>\n",
        escape(&dir.display().to_string())
    )
}

fn unit_of(scheme: &str) -> (&'static str, &'static str) {
    UNITS
        .iter()
        .find(|(s, _, _)| *s == scheme)
        .map_or(("demo-unit", "演示单位"), |(_, u, n)| (*u, *n))
}

/// The query of a portal page.
#[derive(Debug, Deserialize)]
pub(super) struct PortalQuery {
    table: Option<String>,
    lang: Option<String>,
}

/// `GET /portal/SCHEME`: the form.
pub(super) async fn portal(
    State(app): State<Arc<App>>,
    UrlPath(scheme_id): UrlPath<String>,
    Query(q): Query<PortalQuery>,
) -> Response {
    let Ok(scheme) = app.registry.get(&scheme_id) else {
        return not_found(&format!(
            "没有名为“{scheme_id}”的实施方案 No scheme called '{scheme_id}'"
        ));
    };
    let table = match q.table.as_deref() {
        Some("personal") => "personal",
        _ => "department",
    };
    let lang = match q.lang.as_deref() {
        Some("en") => "en",
        _ => "zh-CN",
    };
    let (unit, unit_name) = unit_of(&scheme.id);
    let id = escape(&scheme.id);
    let mut body = format!(
        "<h1>{} <small>{}</small></h1>\n<nav><a href=\"/portal/{id}?lang={lang}\">部门表 department</a>\
         <a href=\"/portal/{id}?table=personal&amp;lang={lang}\">个人表 personal</a>\
         <a href=\"/portal/{id}?table={table}&amp;lang=zh-CN\">中文</a><a href=\"/portal/{id}?table={table}&amp;lang=en\">English</a></nav>\n",
        escape(&scheme.name.zh),
        escape(&scheme.name.en),
    );
    if !app.package.join("sunlight-self-check.js").is_file() {
        body.push_str(&package_missing(&app.package));
    }
    body.push_str(&format!(
        "<sunlight-self-check scheme=\"{id}\" table=\"{table}\" lang=\"{lang}\" unit=\"{}\" unit-name=\"{}\" endpoint=\"/api/v1/submissions\"></sunlight-self-check>\n\
         <script type=\"module\" src=\"/static/sunlight/sunlight-self-check.js\"></script>\n",
        escape(unit),
        escape(unit_name),
    ));
    html(
        StatusCode::OK,
        &format!("{} · 自查表", scheme.name.zh),
        &body,
    )
}

/// A path inside a served folder, or `None` when it would leave it (`..`, absolute, hidden).
fn inside(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    let mut out = root.to_owned();
    for c in rel.components() {
        match c {
            Component::Normal(p) if !p.to_string_lossy().starts_with('.') => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "csv" => "text/csv; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ts" | "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

async fn file_in(root: &Path, rel: &str) -> Response {
    let Some(mut path) = inside(root, rel) else {
        return not_found(rel);
    };
    if rel.is_empty() || rel.ends_with('/') {
        path.push("index.html");
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(content_type(&path)),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => not_found(rel),
    }
}

/// `GET /static/sunlight/FILE`.
pub(super) async fn package(
    State(app): State<Arc<App>>,
    UrlPath(rel): UrlPath<String>,
) -> Response {
    file_in(&app.package, &rel).await
}

/// `GET /report/FILE`.
pub(super) async fn report(State(app): State<Arc<App>>, UrlPath(rel): UrlPath<String>) -> Response {
    report_file(&app, &rel).await
}

/// `GET /report/`: the report's index page.
pub(super) async fn report_home(State(app): State<Arc<App>>) -> Response {
    report_file(&app, "").await
}

async fn report_file(app: &App, rel: &str) -> Response {
    match &app.report {
        Some(dir) if report_index(app).is_some() => file_in(dir, rel).await,
        _ => not_found("尚未生成年度评估报告 No annual report has been written"),
    }
}

/// `GET /report`: to the folder, so the report's relative links work.
pub(super) async fn report_root() -> Redirect {
    Redirect::permanent("/report/")
}

/// Anything else.
pub(super) async fn fallback() -> Response {
    not_found("没有这个页面 There is no such page")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        let root = Path::new("/srv/pkg");
        assert_eq!(
            inside(root, "a/b.js"),
            Some(PathBuf::from("/srv/pkg/a/b.js"))
        );
        assert_eq!(inside(root, "../etc/passwd"), None);
        assert_eq!(inside(root, "a/../../x"), None);
        assert_eq!(inside(root, "/etc/passwd"), None);
        assert_eq!(inside(root, ".lock"), None);
        assert_eq!(inside(root, ""), Some(PathBuf::from("/srv/pkg")));
    }
}
