//! The Arrow schemas of the store's tables, and the builders that turn checked submissions into
//! record batches of them.
//!
//! - `submissions`: one row per submitted table (its envelope, never its rows);
//! - `risk_points`: one row per risk point, with everything about its table, its power and flow
//!   step, its grade (stated level, graded level, severity, rank, the role answering for it) and
//!   a summary of its measures, so the domain views need no join;
//! - `measures`: one row per measure, joined to its risk point by `hash` and `row_no`;
//! - `archive_events`, `review_events`, `office_records`: one row per event of every event batch
//!   (干部廉政档案; 确定、审定、公示、备案; the office's register), with its batch's `hash` and the
//!   event's canonical JSON in `event`, which is what the supervision functions hand to the core.
//!
//! Names and levels are resolved against the scheme here, once, at ingest: the views then read
//! plain columns. Each table is declared once (`store_table!`, below): its schema, its builders and
//! how they finish come from the same list of columns.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{
    Array, ArrayBuilder, ArrayRef, BooleanBuilder, Date32Builder, Int32Builder, Int64Builder,
    RecordBatch, StringBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use sunlight_core::canonical::push_json_object;
use sunlight_core::model::{ArchiveEvent, OfficeRecord};
use sunlight_core::rules::BatchEvent;
use sunlight_core::rules::workflow::ReviewEvent;
use sunlight_core::{BatchSubmission, DefenceLine, IssueCode, Submission, presets::Registry};

use crate::error::Result;

/// The Arrow type, nullability, builder and finishing of each kind of column.
macro_rules! column {
    (type text) => {
        DataType::Utf8
    };
    (type text_null) => {
        DataType::Utf8
    };
    (type int) => {
        DataType::Int32
    };
    (type int_null) => {
        DataType::Int32
    };
    (type long) => {
        DataType::Int64
    };
    (type bool) => {
        DataType::Boolean
    };
    (type bool_null) => {
        DataType::Boolean
    };
    (type date) => {
        DataType::Date32
    };
    (type date_null) => {
        DataType::Date32
    };
    (type ts) => {
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    };
    (null text_null) => {
        true
    };
    (null int_null) => {
        true
    };
    (null bool_null) => {
        true
    };
    (null date_null) => {
        true
    };
    (null $k:ident) => {
        false
    };
    (builder text) => {
        StringBuilder
    };
    (builder text_null) => {
        StringBuilder
    };
    (builder int) => {
        Int32Builder
    };
    (builder int_null) => {
        Int32Builder
    };
    (builder long) => {
        Int64Builder
    };
    (builder bool) => {
        BooleanBuilder
    };
    (builder bool_null) => {
        BooleanBuilder
    };
    (builder date) => {
        Date32Builder
    };
    (builder date_null) => {
        Date32Builder
    };
    (builder ts) => {
        TimestampMicrosecondBuilder
    };
    (finish ts, $b:expr) => {{
        let a = $b.finish();
        $b = TimestampMicrosecondBuilder::with_capacity(room(a.len()));
        Arc::new(a.with_timezone("UTC")) as ArrayRef
    }};
    (finish text, $b:expr) => {
        column!(finish_text, $b)
    };
    (finish text_null, $b:expr) => {
        column!(finish_text, $b)
    };
    (finish_text, $b:expr) => {{
        let a = $b.finish();
        $b = StringBuilder::with_capacity(room(a.len()), room(a.value_data().len()));
        Arc::new(a) as ArrayRef
    }};
    (finish $k:ident, $b:expr) => {{
        let a = $b.finish();
        $b = <column!(builder $k)>::with_capacity(room(a.len()));
        Arc::new(a) as ArrayRef
    }};
}

/// Room for the next batch of a column that held `n` (rows or bytes) in the last one: the
/// batches are about the same size, and builders that start empty grew by copying themselves
/// over and over (with the page faults of every new block), a fifth of the writer thread's time.
fn room(n: usize) -> usize {
    n + n / 8
}

/// Declares a store table once: its schema (a `static`), a struct with one builder per column,
/// and `finish`, which turns the builders into a record batch of that schema.
macro_rules! store_table {
    ($(#[$doc:meta])* $schema:ident, $cols:ident { $($col:ident : $kind:ident),+ $(,)? }) => {
        $(#[$doc])*
        pub static $schema: LazyLock<SchemaRef> = LazyLock::new(|| {
            Arc::new(Schema::new(vec![
                $(Field::new(stringify!($col), column!(type $kind), column!(null $kind))),+
            ]))
        });

        #[derive(Default)]
        struct $cols {
            $($col: column!(builder $kind)),+
        }

        impl $cols {
            fn finish(&mut self) -> Result<RecordBatch> {
                let columns: Vec<ArrayRef> = vec![$(column!(finish $kind, self.$col)),+];
                Ok(RecordBatch::try_new($schema.clone(), columns)?)
            }
        }
    };
}

store_table! {
    /// The `submissions` table: one row per submitted self-check table.
    SUBMISSIONS, SubmissionCols {
        hash: text, hash_key: long, scheme: text, schema_version: long, year: int, period: text,
        table_kind: text, unit_id: text, unit_name: text, department_id: text,
        department_name: text, person_id: text_null, person_name: text_null,
        person_post: text_null, person_key_post: bool_null, submitted_at: ts,
        submitted_date: date, deadline: date_null, late: bool, risk_points: int, warnings: int,
        warning_codes: text, table_key: text, source: text, ingested_at: ts,
    }
}

store_table! {
    /// The `risk_points` table: one row per risk point of every submitted table.
    RISK_POINTS, RiskCols {
        hash: text, hash_key: long, row_no: int, scheme: text, year: int, period: text,
        table_kind: text, unit_id: text, unit_name: text, department_id: text,
        department_name: text, person_id: text_null, post: text, submitted_at: ts,
        table_key: text, power_name: text,
        power_category: text, power_item: text, power_basis: text, power_limits: text,
        power_department: text, step_name: text, step_subject: text, step_conditions: text,
        step_procedure: text, step_time_limit: text, step_supervision: text, risk_point: text,
        risk_type: text, risk_type_name: text, factors: text, level: text, level_name: text,
        graded_level: text, level_reason: text, severity: text, rank: int,
        responsible_role: text, responsible: text, measures_text: text, measure_count: int,
        has_prevention: bool, has_monitoring: bool, has_disposal: bool,
    }
}

store_table! {
    /// The `measures` table: one row per measure of every risk point.
    MEASURES, MeasureCols {
        hash: text, hash_key: long, row_no: int, measure_no: int, scheme: text, year: int,
        unit_id: text, department_id: text, line: text, line_name: text, kind: text,
        kind_name: text_null, text: text,
    }
}

store_table! {
    /// The `archive_events` table: one row per event of every archive batch (干部廉政档案).
    /// `channel` is where the information came from (问卷调查、群众评议、网上举报…); `event` is the
    /// event's canonical JSON.
    ARCHIVE_EVENTS, ArchiveCols {
        hash: text, event_no: int, unit_id: text, unit_name: text, submitted_at: ts,
        source: text, ingested_at: ts, id: text, person: text, department: text,
        key_post: bool, date: date, channel: text, kind: text, severity: text_null,
        complaints: int, until: date_null, refers_to: text, note: text, event: text,
    }
}

store_table! {
    /// The `review_events` table: one row per review step (确定、审定、公示、备案) of every review
    /// batch; `table_hash` names the table, `event` is the step's canonical JSON.
    REVIEW_EVENTS, ReviewCols {
        hash: text, event_no: int, unit_id: text, unit_name: text, submitted_at: ts,
        source: text, ingested_at: ts, table_hash: text, step: text, taken_by: text,
        taken_at: ts, scope: text, event: text,
    }
}

store_table! {
    /// The `office_records` table: one row per entry of the office's register (candidates to
    /// vet, assessment scores, obligations met); `record_type` says which, `event` is its JSON.
    OFFICE_RECORDS, OfficeCols {
        hash: text, event_no: int, unit_id: text, unit_name: text, submitted_at: ts,
        source: text, ingested_at: ts, id: text, record_type: text, person: text_null,
        post: text_null, department: text_null, obligation: text_null, date: date_null,
        year: int_null, score: int_null, event: text,
    }
}

/// Appends the columns every event table starts with: the batch's hash, the event's number in
/// it, the unit, when the batch was submitted, the file and the ingest time.
macro_rules! push_envelope {
    ($c:expr, $sub:expr, $i:expr, $unit:expr, $at:expr, $source:expr, $ingested:expr) => {
        $c.hash.append_value($sub.hash());
        $c.event_no.append_value(i32_of($i + 1));
        $c.unit_id.append_value(&$unit.id);
        $c.unit_name.append_value(&$unit.name);
        $c.submitted_at.append_value($at);
        $c.source.append_value($source);
        $c.ingested_at.append_value($ingested);
    };
}

/// The schema of a store table by name, in the order of [`super::TABLES`].
pub fn of(table: &str) -> Option<SchemaRef> {
    Some(match table {
        "submissions" => SUBMISSIONS.clone(),
        "risk_points" => RISK_POINTS.clone(),
        "measures" => MEASURES.clone(),
        "archive_events" => ARCHIVE_EVENTS.clone(),
        "review_events" => REVIEW_EVENTS.clone(),
        "office_records" => OFFICE_RECORDS.clone(),
        _ => return None,
    })
}

/// The key that says which submissions are versions of the same table: a newer one (later
/// `submitted_at`) supersedes an older one with the same key.
pub fn table_key(sub: &Submission) -> String {
    let t = sub.table();
    let person = t.person.as_ref().map_or("", |p| p.id.as_str());
    // Components are joined with a character that validation forbids in ids and names.
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        t.scheme, t.unit.id, t.department.id, t.year, t.period, t.table, person
    )
}

/// A submission's hash as a number, stored beside it (`hash_key`) in `submissions`,
/// `risk_points` and `measures`: the first 16 hex digits after `sha256:`, or for any other text
/// (the core checks every hash, so none is stored) its FNV-1a hash.
///
/// Every query of the current rows asks whether each row's submission is superseded. Asked of
/// the 71-byte hash, reading the hash column was most of that question's cost (at 10 M risk
/// points, `report_top_powers` spent 40 of its 110 ms reading it); a number reads in a tenth of
/// the time. Two hashes may share a key (1 in 2^64 a pair): the session checks, when it opens,
/// that no current submission shares a key with a superseded one, and asks of the hash if one
/// does (see `crate::sql`).
pub fn hash_key(hash: &str) -> i64 {
    let digits = hash.strip_prefix("sha256:").and_then(|h| h.get(..16));
    if let Some(key) = digits.and_then(|d| u64::from_str_radix(d, 16).ok()) {
        return key.cast_signed();
    }
    let fnv = hash.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    fnv.cast_signed()
}

fn date32(d: sunlight_core::Date) -> i32 {
    // Days since 1970 fit an i32 for every year a Date can hold in practice; clamp otherwise.
    i32::try_from(d.to_days()).unwrap_or(i32::MAX)
}

/// Builders for one record batch of each table.
pub struct BatchBuilder {
    ingested_at: i64,
    rows: usize,
    events: usize,
    sub: SubmissionCols,
    risk: RiskCols,
    mea: MeasureCols,
    arch: ArchiveCols,
    rev: ReviewCols,
    off: OfficeCols,
}

fn i32_of(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn year32(y: i64) -> i32 {
    i32::try_from(y).unwrap_or(i32::MAX)
}

impl BatchBuilder {
    /// Empty builders; `ingested_at` is the ingest's start, microseconds since 1970 (UTC).
    pub fn new(ingested_at: i64) -> Self {
        BatchBuilder {
            ingested_at,
            rows: 0,
            events: 0,
            sub: SubmissionCols::default(),
            risk: RiskCols::default(),
            mea: MeasureCols::default(),
            arch: ArchiveCols::default(),
            rev: ReviewCols::default(),
            off: OfficeCols::default(),
        }
    }

    /// Risk points held so far.
    pub fn risk_rows(&self) -> usize {
        self.rows
    }

    /// Submissions held so far.
    pub fn submissions(&self) -> usize {
        self.sub.hash.len()
    }

    /// Events (of every batch kind) held so far.
    pub fn event_rows(&self) -> usize {
        self.events
    }

    /// Appends one checked submission, read from `source`.
    pub fn push(&mut self, registry: &Registry, sub: &Submission, source: &str) -> Result<()> {
        let t = sub.table();
        let scheme = registry.get(&t.scheme)?;
        let hash = sub.hash();
        let hkey = hash_key(hash);
        let key = table_key(sub);
        let at = sub.submitted_at().unix_seconds().saturating_mul(1_000_000);
        let year = year32(t.year);
        let deadline = scheme.table_deadline(year).ok();
        let person = t.person.as_ref();

        let c = &mut self.sub;
        c.hash.append_value(hash);
        c.hash_key.append_value(hkey);
        c.scheme.append_value(&t.scheme);
        c.schema_version.append_value(t.schema_version);
        c.year.append_value(year);
        c.period.append_value(&t.period);
        c.table_kind.append_value(&t.table);
        c.unit_id.append_value(&t.unit.id);
        c.unit_name.append_value(&t.unit.name);
        c.department_id.append_value(&t.department.id);
        c.department_name.append_value(&t.department.name);
        c.person_id.append_option(person.map(|p| &p.id));
        c.person_name.append_option(person.map(|p| &p.name));
        c.person_post.append_option(person.map(|p| &p.post));
        c.person_key_post.append_option(person.map(|p| p.key_post));
        c.submitted_at.append_value(at);
        c.submitted_date
            .append_value(date32(sub.submitted_at().date()));
        c.deadline.append_option(deadline.map(date32));
        c.late.append_value(
            sub.warnings()
                .warnings()
                .any(|w| w.code == IssueCode::SubmittedLate),
        );
        c.risk_points.append_value(i32_of(t.rows.len()));
        c.warnings
            .append_value(i32_of(sub.warnings().warnings().count()));
        let codes: Vec<&str> = sub.warnings().codes().iter().map(|c| c.as_str()).collect();
        c.warning_codes.append_value(codes.join(","));
        c.table_key.append_value(&key);
        c.source.append_value(source);
        c.ingested_at.append_value(self.ingested_at);

        let mut measures_text = String::new();
        let mut factors = String::new();
        for (i, row) in t.rows.iter().enumerate() {
            let row_no = i32_of(i + 1);
            let r = &mut self.risk;
            r.hash.append_value(hash);
            r.hash_key.append_value(hkey);
            r.row_no.append_value(row_no);
            r.scheme.append_value(&t.scheme);
            r.year.append_value(year);
            r.period.append_value(&t.period);
            r.table_kind.append_value(&t.table);
            r.unit_id.append_value(&t.unit.id);
            r.unit_name.append_value(&t.unit.name);
            r.department_id.append_value(&t.department.id);
            r.department_name.append_value(&t.department.name);
            r.person_id.append_option(person.map(|p| &p.id));
            r.post.append_value(&row.post);
            r.submitted_at.append_value(at);
            r.table_key.append_value(&key);
            r.power_name.append_value(&row.power.name);
            r.power_category.append_value(&row.power.category);
            r.power_item.append_value(&row.power.item);
            r.power_basis.append_value(&row.power.basis);
            r.power_limits.append_value(&row.power.limits);
            r.power_department.append_value(&row.power.department);
            r.step_name.append_value(&row.step.name);
            r.step_subject.append_value(&row.step.subject);
            r.step_conditions.append_value(&row.step.conditions);
            r.step_procedure.append_value(&row.step.procedure);
            r.step_time_limit.append_value(&row.step.time_limit);
            r.step_supervision.append_value(&row.step.supervision);
            r.risk_point.append_value(&row.risk_point);
            r.risk_type.append_value(&row.risk_type);
            r.risk_type_name.append_value(
                scheme
                    .risk_type(&row.risk_type)
                    .map_or("", |rt| rt.name.zh.as_str()),
            );
            // `{"factor":"option",…}` as the submission's canonical JSON has it, without a
            // serializer and a string per row.
            factors.clear();
            push_json_object(&mut factors, &row.factors);
            r.factors.append_value(&factors);
            // A submission always carries both levels, and validation checked they exist.
            let level_id = row.level.as_deref().unwrap_or_default();
            let level = scheme.level(level_id);
            r.level.append_value(level_id);
            r.level_name
                .append_value(level.map_or("", |l| l.name.zh.as_str()));
            r.graded_level
                .append_value(row.graded_level.as_deref().unwrap_or_default());
            r.level_reason.append_value(&row.level_reason);
            r.severity
                .append_value(level.map_or("", |l| l.severity.as_str()));
            r.rank.append_value(level.map_or(0, |l| i32::from(l.rank)));
            r.responsible_role.append_value(
                scheme
                    .responsible_for(level_id)
                    .map_or("", |role| role.id.as_str()),
            );
            r.responsible.append_value(&row.responsible);
            measures_text.clear();
            let mut lines = [false; 3];
            for (j, m) in row.measures.iter().enumerate() {
                if !measures_text.is_empty() {
                    measures_text.push('；');
                }
                measures_text.push_str(&m.text);
                let line: Option<DefenceLine> = m.line.parse().ok();
                if let Some(l) = line {
                    lines[l as usize] = true;
                }
                let me = &mut self.mea;
                me.hash.append_value(hash);
                me.hash_key.append_value(hkey);
                me.row_no.append_value(row_no);
                me.measure_no.append_value(i32_of(j + 1));
                me.scheme.append_value(&t.scheme);
                me.year.append_value(year);
                me.unit_id.append_value(&t.unit.id);
                me.department_id.append_value(&t.department.id);
                me.line.append_value(&m.line);
                me.line_name
                    .append_value(line.map_or("", DefenceLine::name_zh));
                me.kind.append_value(&m.kind);
                me.kind_name.append_option(
                    (!m.kind.is_empty())
                        .then(|| scheme.measure(&m.kind).map(|k| k.name.zh.as_str()))
                        .flatten(),
                );
                me.text.append_value(&m.text);
            }
            r.measures_text.append_value(&measures_text);
            r.measure_count.append_value(i32_of(row.measures.len()));
            r.has_prevention
                .append_value(lines[DefenceLine::Prevention as usize]);
            r.has_monitoring
                .append_value(lines[DefenceLine::Monitoring as usize]);
            r.has_disposal
                .append_value(lines[DefenceLine::Disposal as usize]);
            self.rows += 1;
        }
        Ok(())
    }

    /// Appends one checked batch of archive events, read from `source`.
    pub fn push_archive(
        &mut self,
        sub: &BatchSubmission<ArchiveEvent>,
        source: &str,
    ) -> Result<()> {
        let (at, unit) = envelope(sub)?;
        for (i, e) in sub.batch().events.iter().enumerate() {
            let c = &mut self.arch;
            push_envelope!(c, sub, i, unit, at, source, self.ingested_at);
            c.id.append_value(&e.id);
            c.person.append_value(&e.person);
            c.department.append_value(&e.department);
            c.key_post.append_value(e.key_post);
            c.date.append_value(date32(e.date));
            c.channel.append_value(as_id(&e.source)?);
            c.kind.append_value(e.kind.as_str());
            c.severity
                .append_option(e.severity.map(|s| as_id(&s)).transpose()?);
            c.complaints
                .append_value(i32::try_from(e.complaints).unwrap_or(i32::MAX));
            c.until.append_option(e.until.map(date32));
            c.refers_to.append_value(&e.refers_to);
            c.note.append_value(&e.note);
            c.event.append_value(json(e)?);
        }
        self.events += sub.batch().events.len();
        Ok(())
    }

    /// Appends one checked batch of review steps, read from `source`.
    pub fn push_reviews(&mut self, sub: &BatchSubmission<ReviewEvent>, source: &str) -> Result<()> {
        let (at, unit) = envelope(sub)?;
        for (i, e) in sub.batch().events.iter().enumerate() {
            let c = &mut self.rev;
            push_envelope!(c, sub, i, unit, at, source, self.ingested_at);
            c.table_hash.append_value(&e.table);
            c.step.append_value(e.step.as_str());
            c.taken_by.append_value(&e.by);
            // Validation checked that every step's time parses.
            let taken: sunlight_core::Timestamp = e.at.parse()?;
            c.taken_at
                .append_value(taken.unix_seconds().saturating_mul(1_000_000));
            c.scope.append_value(&e.scope);
            c.event.append_value(json(e)?);
        }
        self.events += sub.batch().events.len();
        Ok(())
    }

    /// Appends one checked batch of the office's register, read from `source`.
    pub fn push_records(
        &mut self,
        sub: &BatchSubmission<OfficeRecord>,
        source: &str,
    ) -> Result<()> {
        let (at, unit) = envelope(sub)?;
        for (i, e) in sub.batch().events.iter().enumerate() {
            let c = &mut self.off;
            push_envelope!(c, sub, i, unit, at, source, self.ingested_at);
            c.id.append_value(e.id());
            c.record_type.append_value(e.type_str());
            let (person, post, department, obligation, date, year, score) = match e {
                OfficeRecord::Candidate {
                    person, post, date, ..
                } => (
                    Some(person),
                    Some(post),
                    None,
                    None,
                    Some(*date),
                    None,
                    None,
                ),
                OfficeRecord::Assessment { year, score, .. } => (
                    None,
                    None,
                    None,
                    None,
                    None,
                    Some(*year),
                    Some(i32::from(*score)),
                ),
                OfficeRecord::Completed {
                    department,
                    obligation,
                    date,
                    ..
                } => (
                    None,
                    None,
                    Some(department),
                    Some(obligation),
                    Some(*date),
                    None,
                    None,
                ),
            };
            c.person.append_option(person);
            c.post.append_option(post);
            c.department.append_option(department);
            c.obligation.append_option(obligation);
            c.date.append_option(date.map(date32));
            c.year.append_option(year);
            c.score.append_option(score);
            c.event.append_value(json(e)?);
        }
        self.events += sub.batch().events.len();
        Ok(())
    }

    /// Finishes one batch of each table, in the order of [`super::TABLES`], and empties the
    /// builders.
    pub fn finish(&mut self) -> Result<[RecordBatch; 6]> {
        self.rows = 0;
        self.events = 0;
        Ok([
            self.sub.finish()?,
            self.risk.finish()?,
            self.mea.finish()?,
            self.arch.finish()?,
            self.rev.finish()?,
            self.off.finish()?,
        ])
    }
}

/// When a batch was submitted (microseconds, UTC) and its unit.
fn envelope<T: BatchEvent>(sub: &BatchSubmission<T>) -> Result<(i64, &sunlight_core::UnitRef)> {
    let at = sub.submitted_at()?.unix_seconds().saturating_mul(1_000_000);
    Ok((at, &sub.batch().unit))
}

/// The canonical JSON of one event: what the supervision functions read back.
fn json<T: serde::Serialize>(e: &T) -> Result<String> {
    Ok(sunlight_core::canonical::to_canonical_string_of(e, None)?)
}

/// The id a serde enum value has in files (`online-report`, `minor`…).
fn as_id<T: serde::Serialize>(v: &T) -> Result<String> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(crate::Error::Usage(
            "an event value has no name to store".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashs_key_is_its_first_sixteen_hex_digits() {
        let rest = "0".repeat(48);
        assert_eq!(hash_key(&format!("sha256:00000000000000ff{rest}")), 255);
        assert_eq!(hash_key(&format!("sha256:ffffffffffffffff{rest}")), -1);
        assert_eq!(
            hash_key(&format!("sha256:0123456789abcdef{rest}")),
            0x0123_4567_89ab_cdef
        );
        // Any other text (the core lets none through): a hash of all of it.
        assert_eq!(hash_key("sha256:not hex"), hash_key("sha256:not hex"));
        assert_ne!(hash_key("sha256:not hex"), hash_key("sha256:not hey"));
        assert_ne!(hash_key(""), hash_key("sha256:"));
    }
}
