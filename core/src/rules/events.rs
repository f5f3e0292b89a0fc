//! Validation of an archive event batch: every problem at once, like tables.

use std::collections::HashMap;

use super::report::{IssueCode, Report};
use crate::date::Timestamp;
use crate::model::{EVENT_BATCH_KIND, EventBatch, EventKind, SCHEMA_VERSION};
use crate::scheme::IssueSeverity::Error as E;
use crate::text::Text;

/// The most events one batch may hold.
pub const MAX_EVENTS: usize = 10_000;

/// Validates an event batch.
pub fn validate_events(batch: &EventBatch) -> Report {
    let mut r = Report::default();
    let mut push = |code: IssueCode, path: String, zh: String, en: String| {
        r.push(E, code, path, None, Text::new(zh, en))
    };
    if batch.schema_version != SCHEMA_VERSION {
        push(
            IssueCode::UnsupportedSchemaVersion,
            "schema_version".into(),
            format!("格式版本 {} 不受支持", batch.schema_version),
            format!("envelope version {} is not supported", batch.schema_version),
        );
    }
    if batch.kind != EVENT_BATCH_KIND {
        push(
            IssueCode::UnknownBatchKind,
            "kind".into(),
            format!("批次类型应为“{EVENT_BATCH_KIND}”"),
            format!("the batch kind must be '{EVENT_BATCH_KIND}'"),
        );
    }
    for (path, value, zh, en) in [
        ("unit.id", &batch.unit.id, "单位代码", "unit id"),
        ("unit.name", &batch.unit.name, "单位名称", "unit name"),
    ] {
        if value.trim().is_empty() {
            push(
                IssueCode::MissingField,
                path.into(),
                format!("请填写{zh}"),
                format!("{en} is required"),
            );
        } else if value.chars().count() > super::MAX_NAME_CHARS
            || value.chars().any(char::is_control)
        {
            push(
                IssueCode::InvalidText,
                path.into(),
                format!("{zh}过长或含控制字符"),
                format!("{en} is too long or holds control characters"),
            );
        }
    }
    if let Some(at) = &batch.submitted_at
        && at.parse::<Timestamp>().is_err()
    {
        push(
            IssueCode::InvalidTimestamp,
            "submitted_at".into(),
            format!("提交时间“{at}”格式不正确"),
            format!("'{at}' is not an RFC 3339 timestamp"),
        );
    }
    if batch.events.is_empty() {
        push(
            IssueCode::EmptyTable,
            "events".into(),
            "批次中没有事件".into(),
            "the batch holds no events".into(),
        );
    }
    if batch.events.len() > MAX_EVENTS {
        push(
            IssueCode::TooManyEvents,
            "events".into(),
            format!("一个批次最多 {MAX_EVENTS} 个事件"),
            format!("a batch may hold at most {MAX_EVENTS} events"),
        );
    }
    let kinds: HashMap<&str, EventKind> = batch
        .events
        .iter()
        .map(|e| (e.id.as_str(), e.kind))
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, e) in batch.events.iter().enumerate().take(MAX_EVENTS) {
        let p = |f: &str| format!("events[{i}].{f}");
        let n = i + 1;
        for (f, v, zh, en) in [
            ("id", &e.id, "事件编号", "event id"),
            ("person", &e.person, "人员编号", "person id"),
        ] {
            if v.trim().is_empty() {
                push(
                    IssueCode::MissingField,
                    p(f),
                    format!("第 {n} 个事件：请填写{zh}"),
                    format!("event {n}: {en} is required"),
                );
            } else if v.chars().count() > super::MAX_NAME_CHARS || v.chars().any(char::is_control) {
                push(
                    IssueCode::InvalidText,
                    p(f),
                    format!("第 {n} 个事件：{zh}过长或含控制字符"),
                    format!("event {n}: {en} is too long or holds control characters"),
                );
            }
        }
        if e.note.chars().count() > super::MAX_TEXT_CHARS {
            push(
                IssueCode::TextTooLong,
                p("note"),
                format!("第 {n} 个事件：说明过长"),
                format!("event {n}: the note is too long"),
            );
        }
        if !e.id.is_empty() {
            if let Some(first) = seen.get(e.id.as_str()) {
                push(
                    IssueCode::DuplicateEventId,
                    p("id"),
                    format!("第 {n} 个事件与第 {} 个事件编号相同", first + 1),
                    format!("event {n} has the same id as event {}", first + 1),
                );
            } else {
                seen.insert(&e.id, i);
            }
        }
        if let Some(target) = e.kind.resolves() {
            if e.refers_to.trim().is_empty() {
                push(
                    IssueCode::MissingField,
                    p("refers_to"),
                    format!("第 {n} 个事件（{}）须写明所针对的事件编号", e.kind.as_str()),
                    format!(
                        "event {n} ({}) must name the event it resolves in refers_to",
                        e.kind.as_str()
                    ),
                );
            } else if e.refers_to == e.id
                || kinds
                    .get(e.refers_to.as_str())
                    .is_some_and(|k| *k != target)
            {
                push(
                    IssueCode::BadReference,
                    p("refers_to"),
                    format!("第 {n} 个事件所针对的事件不是“{}”", target.as_str()),
                    format!("event {n} must refer to a '{}' event", target.as_str()),
                );
            }
        }
        let needs_severity = matches!(
            e.kind,
            EventKind::ReportVerified | EventKind::LightFinding | EventKind::Sanction
        );
        if needs_severity && e.severity.is_none() {
            push(
                IssueCode::MissingField,
                p("severity"),
                format!("第 {n} 个事件须写明情节轻重（minor/heavier/serious）"),
                format!("event {n} must state its severity (minor, heavier or serious)"),
            );
        }
        if e.kind == EventKind::Sanction && e.until.is_none() {
            push(
                IssueCode::MissingField,
                p("until"),
                format!("第 {n} 个事件（处分）须写明影响期满、可以提拔的日期"),
                format!(
                    "event {n} (sanction) must give the date from which promotion is allowed again"
                ),
            );
        }
        if e.kind == EventKind::ReportReceived && e.complaints == 0 {
            push(
                IssueCode::MissingField,
                p("complaints"),
                format!("第 {n} 个事件：反映人次至少为 1"),
                format!("event {n}: complaints must be at least 1"),
            );
        }
    }
    r
}
