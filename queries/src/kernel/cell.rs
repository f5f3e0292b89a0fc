//! A cell's text: magic lines and SQL, and whether it is complete (for consoles).
//!
//! A cell is read line by line: a line starting with `%` is a magic, runs of other lines are SQL,
//! run in order. SQL may hold several statements separated by `;`.

use datafusion::sql::parser::{DFParserBuilder, Statement};
use datafusion::sql::sqlparser::dialect::{Dialect, GenericDialect};

/// One piece of a cell, in the order it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A magic line (with its `%`).
    Magic(String),
    /// SQL text (one or more statements).
    Sql(String),
}

/// Whether a line is a magic.
pub fn is_magic(line: &str) -> bool {
    line.trim_start().starts_with('%')
}

/// Splits a cell into magics and SQL; SQL that is only blank lines is dropped.
pub fn parts(code: &str) -> Vec<Part> {
    let mut out = Vec::new();
    let mut sql = String::new();
    let flush = |sql: &mut String, out: &mut Vec<Part>| {
        if !sql.trim().is_empty() {
            out.push(Part::Sql(std::mem::take(sql)));
        }
        sql.clear();
    };
    for line in code.lines() {
        if is_magic(line) {
            flush(&mut sql, &mut out);
            out.push(Part::Magic(line.trim().to_owned()));
        } else {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    flush(&mut sql, &mut out);
    out
}

/// Parses SQL into statements with `dialect`.
pub fn statements(sql: &str, dialect: &dyn Dialect) -> datafusion::error::Result<Vec<Statement>> {
    Ok(DFParserBuilder::new(sql)
        .with_dialect(dialect)
        .build()?
        .parse_statements()?
        .into_iter()
        .collect())
}

/// A console's question: can this code run as it is?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// Ready to run.
    Complete,
    /// More input is expected: an open string, comment or parenthesis, a clause cut short.
    Incomplete,
    /// It will not parse however it goes on; running it shows the error.
    Invalid,
}

/// Whether `code` is complete, judged by DataFusion's SQL parser.
pub fn completeness(code: &str) -> Completeness {
    let mut worst = Completeness::Complete;
    for part in parts(code) {
        let Part::Sql(sql) = part else { continue };
        match statements(&sql, &GenericDialect {}) {
            Ok(_) => {}
            Err(e) => {
                let m = e.to_string();
                // The parser reports running out of input as finding EOF; the tokenizer reports
                // open strings and comments as unterminated.
                let more = m.contains("found: EOF")
                    || m.contains("Unterminated")
                    || m.contains("Unexpected EOF");
                if more {
                    if worst == Completeness::Complete {
                        worst = Completeness::Incomplete;
                    }
                } else {
                    return Completeness::Invalid;
                }
            }
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magics_and_sql_keep_their_order() {
        let p = parts("%limit 5\nSELECT 1;\nSELECT 2\n%chart bar x=a y=b\n\n");
        assert_eq!(
            p,
            vec![
                Part::Magic("%limit 5".into()),
                Part::Sql("SELECT 1;\nSELECT 2\n".into()),
                Part::Magic("%chart bar x=a y=b".into()),
            ]
        );
        assert!(parts("  \n\n").is_empty());
    }

    #[test]
    fn several_statements_split_outside_strings() {
        let s = statements("SELECT 'a;b'; SELECT 2;", &GenericDialect {}).expect("parses");
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn completeness_follows_the_parser() {
        for c in [
            "SELECT 1",
            "SELECT 'a;b' AS x;",
            "%limit 5",
            "",
            "SELECT 1;\nSELECT 2",
        ] {
            assert_eq!(completeness(c), Completeness::Complete, "{c}");
        }
        for c in [
            "SELECT (1 + ",
            "SELECT 'open",
            "SELECT * FROM level_counts WHERE",
            "/* a comment",
        ] {
            assert_eq!(completeness(c), Completeness::Incomplete, "{c}");
        }
        for c in ["SELECT 1 1 1 FROM FROM", ")"] {
            assert_eq!(completeness(c), Completeness::Invalid, "{c}");
        }
    }
}
