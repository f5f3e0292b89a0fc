//! Validation of event batches (archive events, review steps, the office's register): every
//! problem at once, like tables. The envelope is checked the same way for every kind; each kind
//! of event checks its own fields ([`BatchEvent`]).

use std::collections::HashMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::report::{IssueCode, Report};
use super::workflow::{REVIEW_EVENTS_KIND, ReviewEvent, event_problem};
use crate::date::Timestamp;
use crate::model::{
    ArchiveEvent, Batch, EVENT_BATCH_KIND, EventKind, OFFICE_RECORDS_KIND, OfficeRecord,
    SCHEMA_VERSION,
};
use crate::scheme::IssueSeverity::Error as E;
use crate::text::Text;

/// What an event kind must say to travel in a [`Batch`].
pub trait BatchEvent: Serialize + DeserializeOwned + Clone + PartialEq + std::fmt::Debug {
    /// The batch's `kind`.
    const KIND: &'static str;
    /// What a batch of these is called in messages, e.g. "archive event batch".
    const WHAT: &'static str;
    /// Checks the events themselves, adding every problem to `report`.
    fn check(events: &[Self], report: &mut Report);
}

fn err(r: &mut Report, code: IssueCode, path: String, zh: String, en: String) {
    r.push(E, code, path, None, Text::new(zh, en));
}

/// Checks a required short text (an id, a name): present, not too long, no control characters.
fn short_text(r: &mut Report, path: String, n: usize, value: &str, zh: &str, en: &str) {
    if value.trim().is_empty() {
        err(
            r,
            IssueCode::MissingField,
            path,
            format!("第 {n} 个事件：请填写{zh}"),
            format!("event {n}: {en} is required"),
        );
    } else if value.chars().count() > super::MAX_NAME_CHARS || value.chars().any(char::is_control) {
        err(
            r,
            IssueCode::InvalidText,
            path,
            format!("第 {n} 个事件：{zh}过长或含控制字符"),
            format!("event {n}: {en} is too long or holds control characters"),
        );
    }
}

/// Ids must be unique within a batch.
fn unique_ids<'a>(r: &mut Report, ids: impl Iterator<Item = &'a str>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, id) in ids.enumerate() {
        if id.is_empty() {
            continue;
        }
        if let Some(first) = seen.get(id) {
            err(
                r,
                IssueCode::DuplicateEventId,
                format!("events[{i}].id"),
                format!("第 {} 个事件与第 {} 个事件编号相同", i + 1, first + 1),
                format!("event {} has the same id as event {}", i + 1, first + 1),
            );
        } else {
            seen.insert(id, i);
        }
    }
}

/// The most events one batch may hold.
pub const MAX_EVENTS: usize = 10_000;

/// Validates a batch of events of any kind: the envelope, then the events.
pub fn validate_events<T: BatchEvent>(batch: &Batch<T>) -> Report {
    let mut r = Report::default();
    if batch.schema_version != SCHEMA_VERSION {
        err(
            &mut r,
            IssueCode::UnsupportedSchemaVersion,
            "schema_version".into(),
            format!("格式版本 {} 不受支持", batch.schema_version),
            format!("envelope version {} is not supported", batch.schema_version),
        );
    }
    if batch.kind != T::KIND {
        err(
            &mut r,
            IssueCode::UnknownBatchKind,
            "kind".into(),
            format!("批次类型应为“{}”", T::KIND),
            format!("the batch kind must be '{}'", T::KIND),
        );
    }
    for (path, value, zh, en) in [
        ("unit.id", &batch.unit.id, "单位代码", "unit id"),
        ("unit.name", &batch.unit.name, "单位名称", "unit name"),
    ] {
        if value.trim().is_empty() {
            err(
                &mut r,
                IssueCode::MissingField,
                path.into(),
                format!("请填写{zh}"),
                format!("{en} is required"),
            );
        } else if value.chars().count() > super::MAX_NAME_CHARS
            || value.chars().any(char::is_control)
        {
            err(
                &mut r,
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
        err(
            &mut r,
            IssueCode::InvalidTimestamp,
            "submitted_at".into(),
            format!("提交时间“{at}”格式不正确"),
            format!("'{at}' is not an RFC 3339 timestamp"),
        );
    }
    if batch.events.is_empty() {
        err(
            &mut r,
            IssueCode::EmptyTable,
            "events".into(),
            "批次中没有事件".into(),
            "the batch holds no events".into(),
        );
    }
    if batch.events.len() > MAX_EVENTS {
        err(
            &mut r,
            IssueCode::TooManyEvents,
            "events".into(),
            format!("一个批次最多 {MAX_EVENTS} 个事件"),
            format!("a batch may hold at most {MAX_EVENTS} events"),
        );
    }
    T::check(&batch.events[..batch.events.len().min(MAX_EVENTS)], &mut r);
    r
}

impl BatchEvent for ArchiveEvent {
    const KIND: &'static str = EVENT_BATCH_KIND;
    const WHAT: &'static str = "archive event batch";

    fn check(events: &[Self], r: &mut Report) {
        let kinds: HashMap<&str, EventKind> =
            events.iter().map(|e| (e.id.as_str(), e.kind)).collect();
        unique_ids(r, events.iter().map(|e| e.id.as_str()));
        for (i, e) in events.iter().enumerate() {
            let p = |f: &str| format!("events[{i}].{f}");
            let n = i + 1;
            short_text(r, p("id"), n, &e.id, "事件编号", "event id");
            short_text(r, p("person"), n, &e.person, "人员编号", "person id");
            if e.note.chars().count() > super::MAX_TEXT_CHARS {
                err(
                    r,
                    IssueCode::TextTooLong,
                    p("note"),
                    format!("第 {n} 个事件：说明过长"),
                    format!("event {n}: the note is too long"),
                );
            }
            if let Some(target) = e.kind.resolves() {
                if e.refers_to.trim().is_empty() {
                    err(
                        r,
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
                    err(
                        r,
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
                err(
                    r,
                    IssueCode::MissingField,
                    p("severity"),
                    format!("第 {n} 个事件须写明情节轻重（minor/heavier/serious）"),
                    format!("event {n} must state its severity (minor, heavier or serious)"),
                );
            }
            if e.kind == EventKind::Sanction && e.until.is_none() {
                err(
                    r,
                    IssueCode::MissingField,
                    p("until"),
                    format!("第 {n} 个事件（处分）须写明影响期满、可以提拔的日期"),
                    format!(
                        "event {n} (sanction) must give the date from which promotion is allowed again"
                    ),
                );
            }
            if e.kind == EventKind::ReportReceived && e.complaints == 0 {
                err(
                    r,
                    IssueCode::MissingField,
                    p("complaints"),
                    format!("第 {n} 个事件：反映人次至少为 1"),
                    format!("event {n}: complaints must be at least 1"),
                );
            }
        }
    }
}

impl BatchEvent for ReviewEvent {
    const KIND: &'static str = REVIEW_EVENTS_KIND;
    const WHAT: &'static str = "review event batch";

    fn check(events: &[Self], r: &mut Report) {
        for (i, e) in events.iter().enumerate() {
            let n = i + 1;
            let p = |f: &str| format!("events[{i}].{f}");
            short_text(r, p("table"), n, &e.table, "表格哈希", "the table's hash");
            if !e.table.trim().is_empty() && !e.table.starts_with("sha256:") {
                err(
                    r,
                    IssueCode::BadReference,
                    p("table"),
                    format!("第 {n} 个事件须以表格的哈希（sha256:…）指明表格"),
                    format!("event {n} must name its table by its hash (sha256:…)"),
                );
            }
            short_text(r, p("by"), n, &e.by, "办理人或机构", "who took the step");
            if let Some((code, message)) = event_problem(e) {
                let (code, field) = match code {
                    "missing-scope" => (IssueCode::MissingField, "scope"),
                    "invalid-time" => (IssueCode::InvalidTimestamp, "at"),
                    // missing-actor was reported by the text check above.
                    _ => continue,
                };
                err(
                    r,
                    code,
                    p(field),
                    format!("第 {n} 个事件：{}", message.zh),
                    format!("event {n}: {}", message.en),
                );
            }
        }
    }
}

impl BatchEvent for OfficeRecord {
    const KIND: &'static str = OFFICE_RECORDS_KIND;
    const WHAT: &'static str = "office record batch";

    fn check(events: &[Self], r: &mut Report) {
        unique_ids(r, events.iter().map(OfficeRecord::id));
        for (i, e) in events.iter().enumerate() {
            let n = i + 1;
            let p = |f: &str| format!("events[{i}].{f}");
            short_text(r, p("id"), n, e.id(), "记录编号", "record id");
            match e {
                OfficeRecord::Candidate { person, .. } => {
                    short_text(r, p("person"), n, person, "人员编号", "person id");
                }
                OfficeRecord::Assessment { year, score, .. } => {
                    if *score > 100 {
                        err(
                            r,
                            IssueCode::OutOfRange,
                            p("score"),
                            format!("第 {n} 个事件：考核得分 {score} 超过 100"),
                            format!("event {n}: the score {score} is above 100"),
                        );
                    }
                    if !(1900..=2200).contains(year) {
                        err(
                            r,
                            IssueCode::OutOfRange,
                            p("year"),
                            format!("第 {n} 个事件：年度 {year} 不可用"),
                            format!("event {n}: {year} is not a usable year"),
                        );
                    }
                }
                OfficeRecord::Completed {
                    department,
                    obligation,
                    ..
                } => {
                    short_text(
                        r,
                        p("department"),
                        n,
                        department,
                        "部门代码",
                        "department id",
                    );
                    short_text(
                        r,
                        p("obligation"),
                        n,
                        obligation,
                        "事项编号",
                        "obligation id",
                    );
                }
            }
        }
    }
}
