//! The Arrow schemas of the store's three tables, and the builders that turn checked
//! submissions into record batches of them.
//!
//! - `submissions`: one row per submitted table (its envelope, never its rows);
//! - `risk_points`: one row per risk point, with everything about its table, its power and flow
//!   step, its grade (stated level, graded level, severity, rank, the role answering for it) and
//!   a summary of its measures, so the domain views need no join;
//! - `measures`: one row per measure, joined to its risk point by `hash` and `row_no`.
//!
//! Names and levels are resolved against the scheme here, once, at ingest: the views then read
//! plain columns.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{
    ArrayBuilder, ArrayRef, BooleanBuilder, Date32Builder, Int32Builder, Int64Builder, RecordBatch,
    StringBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use sunlight_core::{DefenceLine, IssueCode, Submission, presets::Registry};

use crate::error::Result;

fn ts() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn s(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}

fn s_null(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn i32f(name: &str) -> Field {
    Field::new(name, DataType::Int32, false)
}

fn b(name: &str) -> Field {
    Field::new(name, DataType::Boolean, false)
}

/// The `submissions` table: one row per submitted self-check table.
pub static SUBMISSIONS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        s("hash"),
        s("scheme"),
        Field::new("schema_version", DataType::Int64, false),
        i32f("year"),
        s("period"),
        s("table_kind"),
        s("unit_id"),
        s("unit_name"),
        s("department_id"),
        s("department_name"),
        s_null("person_id"),
        s_null("person_name"),
        s_null("person_post"),
        Field::new("person_key_post", DataType::Boolean, true),
        Field::new("submitted_at", ts(), false),
        Field::new("submitted_date", DataType::Date32, false),
        Field::new("deadline", DataType::Date32, true),
        b("late"),
        i32f("risk_points"),
        i32f("warnings"),
        s("warning_codes"),
        s("table_key"),
        s("source"),
        Field::new("ingested_at", ts(), false),
    ]))
});

/// The `risk_points` table: one row per risk point of every submitted table.
pub static RISK_POINTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        s("hash"),
        i32f("row_no"),
        s("scheme"),
        i32f("year"),
        s("period"),
        s("table_kind"),
        s("unit_id"),
        s("unit_name"),
        s("department_id"),
        s("department_name"),
        s_null("person_id"),
        s("post"),
        Field::new("submitted_at", ts(), false),
        s("table_key"),
        s("power_name"),
        s("power_category"),
        s("power_item"),
        s("power_basis"),
        s("power_limits"),
        s("power_department"),
        s("step_name"),
        s("step_subject"),
        s("step_conditions"),
        s("step_procedure"),
        s("step_time_limit"),
        s("step_supervision"),
        s("risk_point"),
        s("risk_type"),
        s("risk_type_name"),
        s("factors"),
        s("level"),
        s("level_name"),
        s("graded_level"),
        s("level_reason"),
        s("severity"),
        i32f("rank"),
        s("responsible_role"),
        s("responsible"),
        s("measures_text"),
        i32f("measure_count"),
        b("has_prevention"),
        b("has_monitoring"),
        b("has_disposal"),
    ]))
});

/// The `measures` table: one row per measure of every risk point.
pub static MEASURES: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        s("hash"),
        i32f("row_no"),
        i32f("measure_no"),
        s("scheme"),
        i32f("year"),
        s("unit_id"),
        s("department_id"),
        s("line"),
        s("line_name"),
        s("kind"),
        s_null("kind_name"),
        s("text"),
    ]))
});

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

fn date32(d: sunlight_core::Date) -> i32 {
    // Days since 1970 fit an i32 for every year a Date can hold in practice; clamp otherwise.
    i32::try_from(d.to_days()).unwrap_or(i32::MAX)
}

/// Builders for one record batch of each table.
pub struct BatchBuilder {
    ingested_at: i64,
    rows: usize,
    sub: SubmissionCols,
    risk: RiskCols,
    mea: MeasureCols,
}

#[derive(Default)]
struct SubmissionCols {
    hash: StringBuilder,
    scheme: StringBuilder,
    schema_version: Int64Builder,
    year: Int32Builder,
    period: StringBuilder,
    table_kind: StringBuilder,
    unit_id: StringBuilder,
    unit_name: StringBuilder,
    department_id: StringBuilder,
    department_name: StringBuilder,
    person_id: StringBuilder,
    person_name: StringBuilder,
    person_post: StringBuilder,
    person_key_post: BooleanBuilder,
    submitted_at: TimestampMicrosecondBuilder,
    submitted_date: Date32Builder,
    deadline: Date32Builder,
    late: BooleanBuilder,
    risk_points: Int32Builder,
    warnings: Int32Builder,
    warning_codes: StringBuilder,
    table_key: StringBuilder,
    source: StringBuilder,
    ingested_at: TimestampMicrosecondBuilder,
}

#[derive(Default)]
struct RiskCols {
    hash: StringBuilder,
    row_no: Int32Builder,
    scheme: StringBuilder,
    year: Int32Builder,
    period: StringBuilder,
    table_kind: StringBuilder,
    unit_id: StringBuilder,
    unit_name: StringBuilder,
    department_id: StringBuilder,
    department_name: StringBuilder,
    person_id: StringBuilder,
    post: StringBuilder,
    submitted_at: TimestampMicrosecondBuilder,
    table_key: StringBuilder,
    power_name: StringBuilder,
    power_category: StringBuilder,
    power_item: StringBuilder,
    power_basis: StringBuilder,
    power_limits: StringBuilder,
    power_department: StringBuilder,
    step_name: StringBuilder,
    step_subject: StringBuilder,
    step_conditions: StringBuilder,
    step_procedure: StringBuilder,
    step_time_limit: StringBuilder,
    step_supervision: StringBuilder,
    risk_point: StringBuilder,
    risk_type: StringBuilder,
    risk_type_name: StringBuilder,
    factors: StringBuilder,
    level: StringBuilder,
    level_name: StringBuilder,
    graded_level: StringBuilder,
    level_reason: StringBuilder,
    severity: StringBuilder,
    rank: Int32Builder,
    responsible_role: StringBuilder,
    responsible: StringBuilder,
    measures_text: StringBuilder,
    measure_count: Int32Builder,
    has_prevention: BooleanBuilder,
    has_monitoring: BooleanBuilder,
    has_disposal: BooleanBuilder,
}

#[derive(Default)]
struct MeasureCols {
    hash: StringBuilder,
    row_no: Int32Builder,
    measure_no: Int32Builder,
    scheme: StringBuilder,
    year: Int32Builder,
    unit_id: StringBuilder,
    department_id: StringBuilder,
    line: StringBuilder,
    line_name: StringBuilder,
    kind: StringBuilder,
    kind_name: StringBuilder,
    text: StringBuilder,
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
            sub: SubmissionCols::default(),
            risk: RiskCols::default(),
            mea: MeasureCols::default(),
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

    /// Appends one checked submission, read from `source`.
    pub fn push(&mut self, registry: &Registry, sub: &Submission, source: &str) -> Result<()> {
        let t = sub.table();
        let scheme = registry.get(&t.scheme)?;
        let hash = sub.hash();
        let key = table_key(sub);
        let at = sub.submitted_at().unix_seconds().saturating_mul(1_000_000);
        let year = year32(t.year);
        let deadline = scheme.table_deadline(year).ok();
        let person = t.person.as_ref();

        let c = &mut self.sub;
        c.hash.append_value(hash);
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
        for (i, row) in t.rows.iter().enumerate() {
            let row_no = i32_of(i + 1);
            let r = &mut self.risk;
            r.hash.append_value(hash);
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
            let factors = serde_json::to_string(&row.factors).map_err(|e| {
                crate::Error::Usage(format!("cannot write the factors of row {row_no}: {e}"))
            })?;
            r.factors.append_value(factors);
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
                me.row_no.append_value(row_no);
                me.measure_no.append_value(i32_of(j + 1));
                me.scheme.append_value(&t.scheme);
                me.year.append_value(year);
                me.unit_id.append_value(&t.unit.id);
                me.department_id.append_value(&t.department.id);
                me.line.append_value(&m.line);
                me.line_name
                    .append_value(line.map_or(String::new(), |l| l.name().zh));
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

    /// Finishes the three batches (submissions, risk points, measures) and empties the builders.
    pub fn finish(&mut self) -> Result<[RecordBatch; 3]> {
        let c = &mut self.sub;
        let sub_cols: Vec<ArrayRef> = vec![
            Arc::new(c.hash.finish()),
            Arc::new(c.scheme.finish()),
            Arc::new(c.schema_version.finish()),
            Arc::new(c.year.finish()),
            Arc::new(c.period.finish()),
            Arc::new(c.table_kind.finish()),
            Arc::new(c.unit_id.finish()),
            Arc::new(c.unit_name.finish()),
            Arc::new(c.department_id.finish()),
            Arc::new(c.department_name.finish()),
            Arc::new(c.person_id.finish()),
            Arc::new(c.person_name.finish()),
            Arc::new(c.person_post.finish()),
            Arc::new(c.person_key_post.finish()),
            Arc::new(c.submitted_at.finish().with_timezone("UTC")),
            Arc::new(c.submitted_date.finish()),
            Arc::new(c.deadline.finish()),
            Arc::new(c.late.finish()),
            Arc::new(c.risk_points.finish()),
            Arc::new(c.warnings.finish()),
            Arc::new(c.warning_codes.finish()),
            Arc::new(c.table_key.finish()),
            Arc::new(c.source.finish()),
            Arc::new(c.ingested_at.finish().with_timezone("UTC")),
        ];
        let r = &mut self.risk;
        let risk_cols: Vec<ArrayRef> = vec![
            Arc::new(r.hash.finish()),
            Arc::new(r.row_no.finish()),
            Arc::new(r.scheme.finish()),
            Arc::new(r.year.finish()),
            Arc::new(r.period.finish()),
            Arc::new(r.table_kind.finish()),
            Arc::new(r.unit_id.finish()),
            Arc::new(r.unit_name.finish()),
            Arc::new(r.department_id.finish()),
            Arc::new(r.department_name.finish()),
            Arc::new(r.person_id.finish()),
            Arc::new(r.post.finish()),
            Arc::new(r.submitted_at.finish().with_timezone("UTC")),
            Arc::new(r.table_key.finish()),
            Arc::new(r.power_name.finish()),
            Arc::new(r.power_category.finish()),
            Arc::new(r.power_item.finish()),
            Arc::new(r.power_basis.finish()),
            Arc::new(r.power_limits.finish()),
            Arc::new(r.power_department.finish()),
            Arc::new(r.step_name.finish()),
            Arc::new(r.step_subject.finish()),
            Arc::new(r.step_conditions.finish()),
            Arc::new(r.step_procedure.finish()),
            Arc::new(r.step_time_limit.finish()),
            Arc::new(r.step_supervision.finish()),
            Arc::new(r.risk_point.finish()),
            Arc::new(r.risk_type.finish()),
            Arc::new(r.risk_type_name.finish()),
            Arc::new(r.factors.finish()),
            Arc::new(r.level.finish()),
            Arc::new(r.level_name.finish()),
            Arc::new(r.graded_level.finish()),
            Arc::new(r.level_reason.finish()),
            Arc::new(r.severity.finish()),
            Arc::new(r.rank.finish()),
            Arc::new(r.responsible_role.finish()),
            Arc::new(r.responsible.finish()),
            Arc::new(r.measures_text.finish()),
            Arc::new(r.measure_count.finish()),
            Arc::new(r.has_prevention.finish()),
            Arc::new(r.has_monitoring.finish()),
            Arc::new(r.has_disposal.finish()),
        ];
        let m = &mut self.mea;
        let mea_cols: Vec<ArrayRef> = vec![
            Arc::new(m.hash.finish()),
            Arc::new(m.row_no.finish()),
            Arc::new(m.measure_no.finish()),
            Arc::new(m.scheme.finish()),
            Arc::new(m.year.finish()),
            Arc::new(m.unit_id.finish()),
            Arc::new(m.department_id.finish()),
            Arc::new(m.line.finish()),
            Arc::new(m.line_name.finish()),
            Arc::new(m.kind.finish()),
            Arc::new(m.kind_name.finish()),
            Arc::new(m.text.finish()),
        ];
        self.rows = 0;
        Ok([
            RecordBatch::try_new(SUBMISSIONS.clone(), sub_cols)?,
            RecordBatch::try_new(RISK_POINTS.clone(), risk_cols)?,
            RecordBatch::try_new(MEASURES.clone(), mea_cols)?,
        ])
    }
}
