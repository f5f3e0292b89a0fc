//! Completion and inspection: table, view, column and function names from the session, SQL
//! keywords, magics and chart options.
//!
//! Positions are counted in Unicode code points, as the messaging protocol (5.2 on) counts them.

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::datasource::TableType;
use datafusion::prelude::SessionContext;

use super::magic::{CHART_KINDS, MAGICS};
use super::render::escape_html;
use crate::error::Result;

/// SQL keywords worth offering (the parser knows hundreds; these are the ones analysts type).
pub const KEYWORDS: [&str; 66] = [
    "ALL",
    "AND",
    "AS",
    "ASC",
    "AVG",
    "BETWEEN",
    "BY",
    "CASE",
    "CAST",
    "COALESCE",
    "COUNT",
    "CREATE",
    "CROSS",
    "CURRENT_DATE",
    "DESC",
    "DESCRIBE",
    "DISTINCT",
    "DROP",
    "ELSE",
    "END",
    "EXCEPT",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FILTER",
    "FIRST",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "ILIKE",
    "IN",
    "INNER",
    "INTERSECT",
    "INTERVAL",
    "IS",
    "JOIN",
    "LAST",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MAX",
    "MIN",
    "NOT",
    "NULL",
    "NULLS",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PARTITION",
    "REPLACE",
    "RIGHT",
    "ROWS",
    "SELECT",
    "SHOW",
    "SUM",
    "TABLE",
    "THEN",
    "TRUE",
    "UNION",
    "VIEW",
    "WHEN",
    "WHERE",
];

/// A table or view of the session.
#[derive(Debug, Clone)]
pub struct Relation {
    /// Its name.
    pub name: String,
    /// Table or view.
    pub kind: &'static str,
    /// Its columns.
    pub schema: SchemaRef,
}

/// What completion and inspection can name: read from a session once, dropped when a cell ran.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Tables and views of the default schema, by name.
    pub relations: Vec<Relation>,
    /// Scalar, aggregate and window function names.
    pub functions: Vec<String>,
}

impl Catalog {
    /// Reads the default schema's tables and views and the registered functions.
    pub async fn load(ctx: &SessionContext) -> Result<Catalog> {
        let state = ctx.state();
        let options = state.config().options();
        let (catalog, schema) = (
            options.catalog.default_catalog.clone(),
            options.catalog.default_schema.clone(),
        );
        let mut relations = Vec::new();
        if let Some(schema) = ctx.catalog(&catalog).and_then(|c| c.schema(&schema)) {
            let mut names = schema.table_names();
            names.sort();
            for name in names {
                if let Some(t) = schema.table(&name).await? {
                    let kind = match t.table_type() {
                        TableType::View => "view",
                        TableType::Base | TableType::Temporary => "table",
                    };
                    relations.push(Relation {
                        name,
                        kind,
                        schema: t.schema(),
                    });
                }
            }
        }
        let mut functions: Vec<String> = state
            .scalar_functions()
            .keys()
            .chain(state.aggregate_functions().keys())
            .chain(state.window_functions().keys())
            .cloned()
            .collect();
        functions.sort();
        functions.dedup();
        Ok(Catalog {
            relations,
            functions,
        })
    }

    fn relation(&self, name: &str) -> Option<&Relation> {
        self.relations.iter().find(|r| r.name == name).or_else(|| {
            self.relations
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(name))
        })
    }

    fn columns(&self) -> impl Iterator<Item = &str> {
        self.relations
            .iter()
            .flat_map(|r| r.schema.fields().iter().map(|f| f.name().as_str()))
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The byte offset of code point `pos` (clamped to the end).
fn byte_at(code: &str, pos: usize) -> usize {
    code.char_indices().nth(pos).map_or(code.len(), |(i, _)| i)
}

/// The word ending at byte `end`: its start byte.
fn word_start(code: &str, end: usize) -> usize {
    code[..end]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(end, |(i, _)| i)
}

/// The start of the line holding byte `at`.
fn line_start(code: &str, at: usize) -> usize {
    code[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Candidates that start with `prefix`, ignoring ASCII case, sorted and without repeats.
fn matching<'a>(prefix: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let p = prefix.to_lowercase();
    let mut out: Vec<String> = candidates
        .filter(|c| c.to_lowercase().starts_with(&p))
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Completion replies: the matches and the code-point range they replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// Replacements, sorted.
    pub matches: Vec<String>,
    /// First code point replaced.
    pub start: usize,
    /// One past the last code point replaced.
    pub end: usize,
}

/// Completes the word before code point `cursor`.
pub fn complete(
    code: &str,
    cursor: usize,
    catalog: &Catalog,
    last_columns: &[String],
) -> Completion {
    let end = byte_at(code, cursor);
    let start = word_start(code, end);
    let prefix = &code[start..end];
    let line = &code[line_start(code, start)..end];
    let before = &code[..start];
    let points = |b: usize| code[..b].chars().count();
    let reply = |matches: Vec<String>, from: usize| Completion {
        matches,
        start: points(from),
        end: points(end),
    };
    // A magic name: `%` then letters, at the start of a line.
    if line.trim_start().starts_with('%') {
        let head = line.trim_start();
        if !head.contains(char::is_whitespace) {
            let from = start - usize::from(before.ends_with('%'));
            let typed = &code[from..end];
            return reply(matching(typed, MAGICS.iter().map(|m| m.0)), from);
        }
        if head.starts_with("%chart") {
            if before.ends_with("x=") || before.ends_with("y=") || before.ends_with("by=") {
                return reply(
                    matching(prefix, last_columns.iter().map(String::as_str)),
                    start,
                );
            }
            let words: Vec<&str> = head.split_whitespace().collect();
            if words.len() == 2 && !prefix.is_empty() && words[1] == prefix {
                return reply(matching(prefix, CHART_KINDS.into_iter()), start);
            }
            let options = ["x=", "y=", "by=", "title="];
            return reply(matching(prefix, options.into_iter()), start);
        }
        if head.starts_with("%export") && head.split_whitespace().count() <= 2 {
            return reply(
                matching(prefix, ["csv", "parquet", "json"].into_iter()),
                start,
            );
        }
        return reply(Vec::new(), start);
    }
    // `table.col`: the columns of that table.
    if let Some(q) = before.strip_suffix('.') {
        let qs = word_start(q, q.len());
        if let Some(r) = catalog.relation(&q[qs..]) {
            let names = r.schema.fields().iter().map(|f| f.name().as_str());
            return reply(matching(prefix, names), start);
        }
    }
    if prefix.is_empty() {
        return reply(Vec::new(), start);
    }
    let lower = prefix.chars().all(|c| !c.is_uppercase());
    let keywords: Vec<String> = KEYWORDS
        .iter()
        .map(|k| {
            if lower {
                k.to_lowercase()
            } else {
                (*k).to_owned()
            }
        })
        .collect();
    let mut matches = matching(
        prefix,
        keywords
            .iter()
            .map(String::as_str)
            .chain(catalog.relations.iter().map(|r| r.name.as_str()))
            .chain(catalog.columns())
            .chain(catalog.functions.iter().map(String::as_str)),
    );
    // A keyword that is also a function (count, max) appears once, in the typed case.
    matches.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    reply(matches, start)
}

/// What inspection shows: plain text and HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// `text/plain`.
    pub text: String,
    /// `text/html`.
    pub html: String,
}

/// Describes the name at code point `cursor`: a table's or view's schema, the tables holding a
/// column, a magic's usage.
pub fn inspect(code: &str, cursor: usize, catalog: &Catalog) -> Option<Inspection> {
    let at = byte_at(code, cursor);
    let start = word_start(code, at);
    let end = at
        + code[at..]
            .find(|c: char| !is_word(c))
            .unwrap_or(code.len() - at);
    let word = &code[start..end];
    if code[..start].ends_with('%') {
        let (name, args, what) = MAGICS.iter().find(|m| &m.0[1..] == word)?;
        let text = format!("{name} {args}\n    {what}");
        let html = format!("<pre>{}</pre>", escape_html(&text));
        return Some(Inspection { text, html });
    }
    if word.is_empty() {
        return None;
    }
    if let Some(r) = catalog.relation(word) {
        let mut text = format!(
            "{} {} ({} columns)\n",
            r.kind,
            r.name,
            r.schema.fields().len()
        );
        let mut html = format!(
            "<p><b>{}</b> {} ({} columns)</p>\n<table>\n<thead><tr><th>column</th><th>type</th><th>nullable</th></tr></thead>\n<tbody>\n",
            escape_html(&r.name),
            r.kind,
            r.schema.fields().len()
        );
        let width = r
            .schema
            .fields()
            .iter()
            .map(|f| f.name().chars().count())
            .max()
            .unwrap_or(0);
        for f in r.schema.fields() {
            let nullable = if f.is_nullable() { "NULL" } else { "NOT NULL" };
            text.push_str(&format!(
                "  {:width$}  {}  {nullable}\n",
                f.name(),
                f.data_type()
            ));
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{nullable}</td></tr>\n",
                escape_html(f.name()),
                escape_html(&f.data_type().to_string())
            ));
        }
        html.push_str("</tbody>\n</table>\n");
        return Some(Inspection { text, html });
    }
    let holders: Vec<String> = catalog
        .relations
        .iter()
        .filter_map(|r| {
            r.schema
                .field_with_name(word)
                .ok()
                .map(|f| format!("{}.{} {}", r.name, f.name(), f.data_type()))
        })
        .collect();
    if !holders.is_empty() {
        let text = format!("column {word} in:\n  {}\n", holders.join("\n  "));
        let html = format!("<pre>{}</pre>", escape_html(&text));
        return Some(Inspection { text, html });
    }
    if catalog
        .functions
        .iter()
        .any(|f| f.eq_ignore_ascii_case(word))
    {
        let text = format!("function {word}");
        let html = format!("<pre>{}</pre>", escape_html(&text));
        return Some(Inspection { text, html });
    }
    None
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    fn catalog() -> Catalog {
        let schema = |cols: &[&str]| {
            Arc::new(Schema::new(
                cols.iter()
                    .map(|c| Field::new(*c, DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            ))
        };
        Catalog {
            relations: vec![
                Relation {
                    name: "level_counts".into(),
                    kind: "view",
                    schema: schema(&["year", "department_name", "level_name", "risk_points"]),
                },
                Relation {
                    name: "risk_points".into(),
                    kind: "view",
                    schema: schema(&["hash", "risk_point", "risk_type_name"]),
                },
            ],
            functions: vec!["count".into(), "risk_level".into()],
        }
    }

    fn names(c: &Completion) -> Vec<&str> {
        c.matches.iter().map(String::as_str).collect()
    }

    #[test]
    fn completes_tables_columns_keywords_and_magics() {
        let c = catalog();
        let code = "SELECT * FROM level_c";
        let r = complete(code, code.chars().count(), &c, &[]);
        assert_eq!(names(&r), ["level_counts"]);
        assert_eq!((r.start, r.end), (14, 21));
        let r = complete("SEL", 3, &c, &[]);
        assert_eq!(names(&r), ["SELECT"]);
        let r = complete("sel", 3, &c, &[]);
        assert_eq!(names(&r), ["select"]);
        let r = complete("SELECT risk_p", 13, &c, &[]);
        assert_eq!(names(&r), ["risk_point", "risk_points"]);
        let r = complete("%sch", 4, &c, &[]);
        assert_eq!(names(&r), ["%schemes"]);
        assert_eq!(r.start, 0);
        let r = complete("SELECT 1\n%l", 11, &c, &[]);
        assert_eq!(names(&r), ["%limit"]);
        let r = complete("SELECT level_counts.de", 22, &c, &[]);
        assert_eq!(names(&r), ["department_name"]);
        let r = complete("SELECT COU", 10, &c, &[]);
        assert_eq!(names(&r), ["COUNT"], "keyword and function count once");
    }

    #[test]
    fn completes_chart_options_from_the_last_result() {
        let c = catalog();
        let last = vec!["department_name".to_owned(), "n".to_owned()];
        let r = complete("%chart heatmap x=dep", 20, &c, &last);
        assert_eq!(names(&r), ["department_name"]);
        let r = complete("%chart he", 9, &c, &last);
        assert_eq!(names(&r), ["heatmap"]);
        let r = complete("%chart bar b", 12, &c, &last);
        assert_eq!(names(&r), ["by="]);
    }

    #[test]
    fn counts_code_points_not_bytes() {
        let c = catalog();
        let code = "SELECT '部门' AS d, level_c";
        let r = complete(code, code.chars().count(), &c, &[]);
        assert_eq!(names(&r), ["level_counts"]);
        assert_eq!(r.end, code.chars().count());
        assert_eq!(r.start, code.chars().count() - "level_c".len());
        // A cursor past the end is clamped, not a panic.
        let r = complete(code, 10_000, &c, &[]);
        assert_eq!(names(&r), ["level_counts"]);
    }

    #[test]
    fn inspects_a_schema_a_column_and_a_magic() {
        let c = catalog();
        let i = inspect("SELECT * FROM level_counts", 26, &c).expect("found");
        assert!(i.text.starts_with("view level_counts (4 columns)"));
        assert!(i.text.contains("department_name") && i.html.contains("<td>risk_points</td>"));
        let i = inspect("risk_type_name", 3, &c).expect("found");
        assert!(i.text.contains("risk_points.risk_type_name"));
        let i = inspect("%chart", 6, &c).expect("found");
        assert!(i.text.contains("heatmap"));
        assert!(inspect("nothing_here", 5, &c).is_none());
        assert!(inspect("", 0, &c).is_none());
    }
}
