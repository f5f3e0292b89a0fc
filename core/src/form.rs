//! The form a self-check table is filled in with: which fields, in which order, with which
//! labels, choices and limits, for one scheme and one table kind.
//!
//! A form (the browser's web component, a portal's own page) renders this definition instead of
//! knowing the schemes itself, so a unit's own scheme file gets a working form without code. The
//! labels, required flags and limits are the ones [`crate::validate`] applies: the tests below
//! check, for every preset and both table kinds, that a blank field marked required is reported
//! at the field's path, that a field one character too long is reported there too, and that every
//! offered choice is accepted.
//!
//! ```
//! use sunlight_core::{form::form_definition, presets, TableKind};
//! let form = form_definition(presets::get("town-2012").unwrap(), TableKind::Department);
//! let factors: Vec<&str> = form.row.iter().filter(|f| f.path.starts_with("factors.")).map(|f| f.path.as_str()).collect();
//! assert_eq!(factors, ["factors.importance", "factors.discretion", "factors.probability", "factors.harm"]);
//! assert!(form.header.iter().all(|f| !f.path.starts_with("person.")));
//! ```

use serde::Serialize;

use crate::model::{PowerCategory, TableKind};
use crate::rules::{MAX_MEASURES, MAX_NAME_CHARS, MAX_ROWS, MAX_TEXT_CHARS};
use crate::scheme::{DefenceLine, Scheme};
use crate::text::Text;

/// Everything a form needs to let a clerk fill one kind of table for one scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormDefinition {
    /// The scheme id.
    pub scheme: String,
    /// The scheme's title.
    pub scheme_name: Text,
    /// The table kind id, `department` or `personal`.
    pub table: TableKind,
    /// The table's title, e.g. 部门廉政风险识别防控表.
    pub title: Text,
    /// Fields of the table's header; each `path` is relative to the table, e.g. `unit.name`.
    pub header: Vec<Field>,
    /// Fields of one risk-point row; each `path` is relative to the row, e.g. `power.name` or
    /// `factors.discretion` (the table path is `rows[i].` followed by it).
    pub row: Vec<Field>,
    /// The three lines of defence a row's measures are entered under, in order, each with the
    /// scheme's catalogue for that line. A measure's own fields are [`FormDefinition::measure`].
    pub measure_lines: Vec<MeasureLine>,
    /// Fields of one measure; each `path` is relative to the measure (`kind`, `text`); the table
    /// path is `rows[i].measures[j].` followed by it. The line is set by the section it is in.
    pub measure: Vec<Field>,
    /// The levels, most severe first, with the role that answers for each (分级管理).
    pub levels: Vec<LevelInfo>,
    /// The most rows a table may hold.
    pub max_rows: usize,
    /// The most measures a row may hold.
    pub max_measures: usize,
}

/// One input of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Where the value goes, relative to the table, the row or the measure (see [`FormDefinition`]).
    pub path: String,
    /// The label, as validation messages name the field.
    pub label: Text,
    /// The kind of input.
    pub input: InputKind,
    /// Whether validation reports the field when it is left empty.
    pub required: bool,
    /// The longest text allowed, in characters, for text inputs.
    pub max_chars: Option<usize>,
    /// The values to choose from, for [`InputKind::Select`], in the order to show them.
    pub choices: Vec<Choice>,
    /// Whether the field belongs with the main fields or with the details a form may fold away.
    pub group: FieldGroup,
    /// A hint for the person filling it in; empty when there is none.
    pub help: Text,
}

/// The kind of input a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// One line of text.
    Text,
    /// Several lines of text.
    Textarea,
    /// One of [`Field::choices`], by id; empty for none.
    Select,
    /// A whole number.
    Integer,
    /// Yes or no.
    Checkbox,
}

/// Where a field sits in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldGroup {
    /// Always shown.
    Main,
    /// The power catalogue's further columns (项目, 依据, 界限, 责任部门).
    PowerDetail,
    /// The flow chart's further columns (办理主体, 条件, 程序, 期限, 监督方式).
    StepDetail,
}

/// One value of a select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The id stored in the table.
    pub id: String,
    /// The name shown.
    pub name: Text,
}

/// A line of defence (防线) and the catalogue measures filed under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureLine {
    /// The line.
    pub line: DefenceLine,
    /// Its name, e.g. 前期预防.
    pub name: Text,
    /// The scheme's measures in this line, for the measure's `kind` select.
    pub kinds: Vec<Choice>,
}

/// A level of the scheme's scale, as a form shows it next to a graded row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelInfo {
    /// The level id.
    pub id: String,
    /// Its name.
    pub name: Text,
    /// 1 for the most severe.
    pub rank: u8,
    /// Its normalised severity, for styling.
    pub severity: crate::scheme::Severity,
    /// The id of the role that answers for it.
    pub responsible: String,
    /// The role's name.
    pub responsible_name: Text,
}

fn field(path: &str, zh: &str, en: &str, input: InputKind, required: bool) -> Field {
    let max_chars = match input {
        InputKind::Text => Some(MAX_NAME_CHARS),
        InputKind::Textarea => Some(MAX_TEXT_CHARS),
        InputKind::Select | InputKind::Integer | InputKind::Checkbox => None,
    };
    Field {
        path: path.to_owned(),
        label: Text::new(zh, en),
        input,
        required,
        max_chars,
        choices: Vec::new(),
        group: FieldGroup::Main,
        help: Text::default(),
    }
}

impl Field {
    fn in_group(mut self, group: FieldGroup) -> Self {
        self.group = group;
        self
    }

    fn with_choices(mut self, choices: Vec<Choice>) -> Self {
        self.choices = choices;
        self
    }

    fn with_help(mut self, help: Text) -> Self {
        self.help = help;
        self
    }
}

/// The form for one kind of table under one scheme.
pub fn form_definition(scheme: &Scheme, table: TableKind) -> FormDefinition {
    use InputKind::{Checkbox, Integer, Select, Text as Line, Textarea};

    let mut header = vec![
        field("year", "年度", "year", Integer, true),
        field("period", "填报期间", "period", Select, true).with_choices(
            scheme
                .periods
                .iter()
                .map(|p| Choice {
                    id: p.as_str().to_owned(),
                    name: p.name(),
                })
                .collect(),
        ),
        field("unit.id", "单位代码", "unit id", Line, true),
        field("unit.name", "单位名称", "unit name", Line, true),
        field("department.id", "部门代码", "department id", Line, true),
        field("department.name", "部门名称", "department name", Line, true),
    ];
    match table {
        TableKind::Department => {}
        TableKind::Personal => header.extend([
            field("person.id", "人员编号", "staff id", Line, true),
            field("person.name", "姓名", "name", Line, true),
            field("person.post", "岗位", "post", Line, true),
            field("person.key_post", "重点岗位", "key post", Checkbox, false).with_help(Text::new(
                "重点岗位两次以上被举报且查实的，给予廉政风险黄牌警告",
                "a key post verified to be reported twice or more gets a yellow card",
            )),
        ]),
    }

    let categories = PowerCategory::ALL
        .iter()
        .map(|c| Choice {
            id: c.as_str().to_owned(),
            name: c.name(),
        })
        .collect();
    let risk_types = scheme
        .risk_types
        .iter()
        .map(|t| Choice {
            id: t.id.clone(),
            name: t.name.clone(),
        })
        .collect();
    let mut row = vec![
        field("power.name", "权力名称", "power name", Line, true),
        field("power.category", "权力类别", "power category", Select, true)
            .with_choices(categories),
        field("power.item", "权力项目", "power item", Line, false)
            .in_group(FieldGroup::PowerDetail),
        field("power.basis", "行使依据", "legal basis", Textarea, false)
            .in_group(FieldGroup::PowerDetail),
        field("power.limits", "行使界限", "limits", Textarea, false)
            .in_group(FieldGroup::PowerDetail),
        field(
            "power.department",
            "责任部门或岗位",
            "responsible department or post",
            Line,
            false,
        )
        .in_group(FieldGroup::PowerDetail),
        field("step.name", "流程环节", "flow step", Line, false).with_help(Text::new(
            "风险所在的权力运行环节；涉及整项权力时留空",
            "the step of the power's flow the risk lies in; empty for the power as a whole",
        )),
        field("step.subject", "办理主体", "handling subject", Line, false)
            .in_group(FieldGroup::StepDetail),
        field("step.conditions", "条件", "conditions", Textarea, false)
            .in_group(FieldGroup::StepDetail),
        field("step.procedure", "程序", "procedure", Textarea, false)
            .in_group(FieldGroup::StepDetail),
        field("step.time_limit", "期限", "time limit", Line, false)
            .in_group(FieldGroup::StepDetail),
        field(
            "step.supervision",
            "监督方式",
            "supervision",
            Textarea,
            false,
        )
        .in_group(FieldGroup::StepDetail),
        field("post", "岗位", "post", Line, false),
        field("risk_point", "廉政风险点", "risk point", Textarea, true),
        field("risk_type", "风险类型", "risk type", Select, true).with_choices(risk_types),
    ];
    for f in &scheme.factors {
        row.push(
            field(
                &format!("factors.{}", f.id),
                &f.name.zh,
                &f.name.en,
                Select,
                true,
            )
            .with_choices(
                f.options
                    .iter()
                    .map(|o| Choice {
                        id: o.id.clone(),
                        name: o.name.clone(),
                    })
                    .collect(),
            )
            .with_help(f.description.clone()),
        );
    }
    row.extend([
        field("level", "填报等级", "stated level", Select, false)
            .with_choices(
                scheme
                    .levels
                    .iter()
                    .map(|l| Choice {
                        id: l.id.clone(),
                        name: l.name.clone(),
                    })
                    .collect(),
            )
            .with_help(Text::new(
                "留空即采用按评定因素得出的等级；与之不同时须说明理由",
                "leave empty to use the level the factors give; if you differ, state why",
            )),
        field(
            "level_reason",
            "定级理由",
            "reason for the level",
            Textarea,
            false,
        ),
        field(
            "responsible",
            "责任部门或责任人",
            "responsible department or person",
            Line,
            true,
        ),
    ]);

    let measure_lines = DefenceLine::ALL
        .into_iter()
        .map(|line| MeasureLine {
            line,
            name: line.name(),
            kinds: scheme
                .measures
                .iter()
                .filter(|m| m.line == line)
                .map(|m| Choice {
                    id: m.id.clone(),
                    name: m.name.clone(),
                })
                .collect(),
        })
        .collect();
    // The kind's choices depend on the line, so they live in `measure_lines`.
    let measure = vec![
        field("kind", "措施类别", "kind of measure", Select, false).with_help(Text::new(
            "本方案措施目录中的一项；本单位自定的措施留空",
            "one of the scheme's catalogue; empty for a measure of the unit's own",
        )),
        field("text", "措施内容", "measure text", Textarea, false).with_help(Text::new(
            "具体做法；未选措施类别时必填",
            "what exactly is done; required when no kind is chosen",
        )),
    ];

    let levels = scheme
        .levels
        .iter()
        .map(|l| {
            let role = scheme.role(&l.responsible);
            LevelInfo {
                id: l.id.clone(),
                name: l.name.clone(),
                rank: l.rank,
                severity: l.severity,
                responsible: l.responsible.clone(),
                responsible_name: role.map(|r| r.name.clone()).unwrap_or_default(),
            }
        })
        .collect();

    FormDefinition {
        scheme: scheme.id.clone(),
        scheme_name: scheme.name.clone(),
        table,
        title: table.name(),
        header,
        row,
        measure_lines,
        measure,
        levels,
        max_rows: MAX_ROWS,
        max_measures: MAX_MEASURES,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Measure, PersonRef, RiskRow, SelfCheckTable};
    use crate::presets;
    use crate::rules::{IssueCode, validate};

    /// Writes `value` at a header, row or measure path of the table.
    fn set(table: &mut SelfCheckTable, path: &str, value: &str) {
        let mut v = serde_json::to_value(&*table).expect("table serialises");
        let mut at = &mut v;
        let parts: Vec<&str> = path.split('.').collect();
        for (n, part) in parts.iter().enumerate() {
            let (name, index) = match part.split_once('[') {
                Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (*part, None),
            };
            at = &mut at[name];
            if let Some(i) = index {
                at = &mut at[i];
            }
            if n + 1 == parts.len() {
                *at = match at {
                    serde_json::Value::Number(_) => {
                        serde_json::Value::from(value.parse::<i64>().unwrap_or(0))
                    }
                    serde_json::Value::Bool(_) => serde_json::Value::Bool(value == "true"),
                    _ => serde_json::Value::from(value),
                };
            }
        }
        *table = serde_json::from_value(v).expect("still a table");
    }

    /// A table with every form field filled with its first choice or a short text.
    fn filled(scheme: &Scheme, kind: TableKind) -> (SelfCheckTable, FormDefinition) {
        let form = form_definition(scheme, kind);
        let mut t = SelfCheckTable {
            scheme: scheme.id.clone(),
            table: kind.as_str().to_owned(),
            person: (kind == TableKind::Personal).then(PersonRef::default),
            rows: vec![RiskRow::default()],
            ..SelfCheckTable::default()
        };
        t.rows[0].measures = DefenceLine::ALL
            .iter()
            .map(|l| Measure {
                line: l.as_str().to_owned(),
                kind: String::new(),
                text: "措施".into(),
            })
            .collect();
        for f in &form.header {
            let value = match f.input {
                InputKind::Integer => i64::from(scheme.years.from).to_string(),
                InputKind::Select => f.choices[0].id.clone(),
                InputKind::Checkbox => "false".into(),
                InputKind::Text | InputKind::Textarea => "甲".into(),
            };
            set(&mut t, &f.path, &value);
        }
        for f in &form.row {
            let path = format!("rows[0].{}", f.path);
            if f.path.starts_with("factors.") {
                t.rows[0].factors.insert(
                    f.path["factors.".len()..].to_owned(),
                    f.choices[0].id.clone(),
                );
            } else if f.path == "level" || f.path == "level_reason" {
                // Optional and tied to each other; left to the grade.
            } else if f.input == InputKind::Select {
                set(&mut t, &path, &f.choices[0].id);
            } else {
                set(&mut t, &path, "乙");
            }
        }
        (t, form)
    }

    fn all_forms() -> Vec<(&'static Scheme, TableKind)> {
        presets::registry()
            .iter()
            .flat_map(|s| TableKind::ALL.into_iter().map(move |k| (s, k)))
            .collect()
    }

    #[test]
    fn a_filled_form_validates() {
        for (scheme, kind) in all_forms() {
            let (t, _) = filled(scheme, kind);
            let report = validate(scheme, &t);
            assert!(report.is_ok(), "{} {kind}: {:?}", scheme.id, report.issues);
        }
    }

    #[test]
    fn every_required_field_is_reported_at_its_path_when_blank() {
        for (scheme, kind) in all_forms() {
            let (base, form) = filled(scheme, kind);
            for (prefix, f) in form
                .header
                .iter()
                .map(|f| ("", f))
                .chain(form.row.iter().map(|f| ("rows[0].", f)))
            {
                let path = format!("{prefix}{}", f.path);
                let mut t = base.clone();
                if let Some(factor) = f.path.strip_prefix("factors.") {
                    t.rows[0].factors.remove(factor);
                } else if f.input == InputKind::Integer {
                    set(&mut t, &path, "0");
                } else if f.input != InputKind::Checkbox {
                    set(&mut t, &path, "");
                }
                let report = validate(scheme, &t);
                let flagged = report.errors().any(|i| i.path == path);
                assert_eq!(
                    flagged, f.required,
                    "{} {kind}: blank {path} reported {flagged}, form says required {}: {:?}",
                    scheme.id, f.required, report.issues
                );
            }
        }
    }

    #[test]
    fn blank_row_errors_all_point_at_form_fields() {
        for (scheme, kind) in all_forms() {
            let (mut t, form) = filled(scheme, kind);
            t.rows[0] = RiskRow::default();
            let report = validate(scheme, &t);
            let known: Vec<String> = form
                .row
                .iter()
                .map(|f| format!("rows[0].{}", f.path))
                .collect();
            for issue in report.errors() {
                assert!(
                    known.contains(&issue.path),
                    "{} {kind}: error at {} has no field: {:?}",
                    scheme.id,
                    issue.path,
                    issue
                );
            }
        }
    }

    #[test]
    fn limits_match_validation() {
        for (scheme, kind) in all_forms() {
            let (base, form) = filled(scheme, kind);
            for (prefix, f) in form
                .header
                .iter()
                .map(|f| ("", f))
                .chain(form.row.iter().map(|f| ("rows[0].", f)))
            {
                let (Some(max), InputKind::Text | InputKind::Textarea) = (f.max_chars, f.input)
                else {
                    continue;
                };
                let path = format!("{prefix}{}", f.path);
                let mut t = base.clone();
                set(&mut t, &path, &"长".repeat(max + 1));
                let report = validate(scheme, &t);
                assert!(
                    report
                        .errors()
                        .any(|i| i.path == path && i.code == IssueCode::TextTooLong),
                    "{} {kind}: {path} over {max} chars not reported",
                    scheme.id
                );
                let mut t = base.clone();
                set(&mut t, &path, &"长".repeat(max));
                assert!(
                    validate(scheme, &t).errors().all(|i| i.path != path),
                    "{} {kind}: {path} at {max} chars reported",
                    scheme.id
                );
            }
        }
    }

    #[test]
    fn every_choice_is_accepted() {
        for (scheme, kind) in all_forms() {
            let (base, form) = filled(scheme, kind);
            for f in form.header.iter().chain(&form.row) {
                for c in &f.choices {
                    let mut t = base.clone();
                    let path = if form.header.contains(f) {
                        f.path.clone()
                    } else {
                        format!("rows[0].{}", f.path)
                    };
                    if let Some(factor) = f.path.strip_prefix("factors.") {
                        t.rows[0].factors.insert(factor.to_owned(), c.id.clone());
                    } else if f.path == "level" {
                        t.rows[0].level = Some(c.id.clone());
                        t.rows[0].level_reason = "经班子集体研究调整".into();
                    } else {
                        set(&mut t, &path, &c.id);
                    }
                    let report = validate(scheme, &t);
                    assert!(
                        report.errors().all(|i| i.path != path),
                        "{} {kind}: choice {} of {path} rejected: {:?}",
                        scheme.id,
                        c.id,
                        report.issues
                    );
                }
            }
            for line in &form.measure_lines {
                for k in &line.kinds {
                    let mut t = base.clone();
                    t.rows[0].measures.push(Measure {
                        line: line.line.as_str().to_owned(),
                        kind: k.id.clone(),
                        text: String::new(),
                    });
                    let report = validate(scheme, &t);
                    assert!(
                        report.is_ok(),
                        "{} {kind}: measure {} under {:?}: {:?}",
                        scheme.id,
                        k.id,
                        line.line,
                        report.issues
                    );
                }
            }
        }
    }

    #[test]
    fn levels_carry_their_responsible_role() {
        let town = presets::get("town-2012").expect("preset");
        let form = form_definition(town, TableKind::Department);
        let high = &form.levels[0];
        assert_eq!((high.id.as_str(), high.rank), ("high", 1));
        assert_eq!(high.responsible_name.zh, "单位主要领导");
        assert!(
            form.levels
                .iter()
                .all(|l| !l.responsible_name.zh.is_empty())
        );
    }
}
