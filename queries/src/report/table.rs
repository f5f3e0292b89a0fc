//! A small in-memory table for the report: typed cells, suppression for publication, CSV and HTML.

use std::borrow::Cow;
use std::fmt::Write as _;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};

use crate::error::Result;

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text (names, levels, descriptions).
    Text(String),
    /// A whole number.
    Int(i64),
    /// A count below the publication threshold, withheld.
    Suppressed,
}

impl Cell {
    /// The cell as text; a suppressed cell shows as `<k`.
    pub fn display(&self, k: u64) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Suppressed => format!("<{k}"),
        }
    }

    /// The number, if the cell holds one.
    pub fn number(&self) -> Option<i64> {
        match self {
            Cell::Int(n) => Some(*n),
            Cell::Text(_) | Cell::Suppressed => None,
        }
    }
}

/// Row `i` of a column cast to Int64 or Utf8 by [`Table::from_batches`]; null is empty text.
fn cell(c: &ArrayRef, i: usize) -> Cell {
    if c.is_null(i) {
        Cell::Text(String::new())
    } else if let Some(a) = c.as_primitive_opt::<Int64Type>() {
        Cell::Int(a.value(i))
    } else if let Some(a) = c.as_string_opt::<i32>() {
        Cell::Text(a.value(i).to_owned())
    } else {
        Cell::Text(String::new())
    }
}

/// A titled table with named columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File stem, e.g. `levels_by_unit`.
    pub name: String,
    /// Title for people.
    pub title: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Builds a table from query results: integer columns become numbers, the rest text.
    pub fn from_batches(name: &str, title: &str, batches: &[RecordBatch]) -> Result<Table> {
        let mut columns = Vec::new();
        let mut rows: Vec<Vec<Cell>> =
            Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
        for b in batches {
            if columns.is_empty() {
                columns = b
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect();
            }
            // Integer columns as Int64, the rest as plain strings; cells are made row by row,
            // so the table is never held twice.
            let cols: Vec<ArrayRef> = b
                .columns()
                .iter()
                .map(|c| {
                    let to = if c.data_type().is_integer() {
                        DataType::Int64
                    } else {
                        DataType::Utf8
                    };
                    cast(c, &to)
                })
                .collect::<std::result::Result<_, _>>()?;
            for i in 0..b.num_rows() {
                rows.push(cols.iter().map(|c| cell(c, i)).collect());
            }
        }
        Ok(Table {
            name: name.to_owned(),
            title: title.to_owned(),
            columns,
            rows,
        })
    }

    /// The index of a column.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Withholds every count in `count_columns` that is above 0 and below `k` (公示: small cells
    /// could identify people). Returns how many cells were withheld.
    pub fn suppress(&mut self, count_columns: &[&str], k: u64) -> usize {
        let idx: Vec<usize> = count_columns.iter().filter_map(|c| self.col(c)).collect();
        let mut n = 0;
        for row in &mut self.rows {
            for &i in &idx {
                if let Cell::Int(v) = row[i]
                    && v > 0
                    && (v as u64) < k
                {
                    row[i] = Cell::Suppressed;
                    n += 1;
                }
            }
        }
        n
    }

    /// The table as CSV (RFC 4180). Text that a spreadsheet would run as a formula is prefixed
    /// with an apostrophe, so a department name such as `=HYPERLINK(…)` stays text.
    pub fn to_csv(&self, k: u64) -> String {
        let mut out = String::new();
        push_csv_line(&mut out, self.columns.iter().map(String::as_str));
        for r in &self.rows {
            let cells: Vec<String> = r.iter().map(|c| c.display(k)).collect();
            push_csv_line(&mut out, cells.iter().map(String::as_str));
        }
        out
    }

    /// The table as an HTML `<table>`, every cell escaped.
    pub fn to_html(&self, k: u64, max_rows: usize) -> String {
        let mut out = String::from("<table>\n<thead><tr>");
        for c in &self.columns {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(c));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for r in self.rows.iter().take(max_rows) {
            out.push_str("<tr>");
            for c in r {
                match c {
                    Cell::Int(n) => {
                        let _ = write!(out, "<td class=\"num\">{n}</td>");
                    }
                    Cell::Suppressed => {
                        let _ = write!(
                            out,
                            "<td class=\"num suppressed\" title=\"少于 {k}，不予公开 / fewer than {k}, withheld\">&lt;{k}</td>"
                        );
                    }
                    Cell::Text(s) => {
                        let _ = write!(out, "<td>{}</td>", escape(s));
                    }
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        if self.rows.len() > max_rows {
            let _ = writeln!(
                out,
                "<p class=\"note\">另有 {} 行见 CSV 文件 / {} more rows in the CSV file</p>",
                self.rows.len() - max_rows,
                self.rows.len() - max_rows
            );
        }
        out
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// One CSV field: quoted when needed, formulas defused.
pub(crate) fn csv_cell(s: &str) -> Cow<'_, str> {
    let guard = s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err();
    let quote = s.contains([',', '"', '\n', '\r']);
    let lead = if guard { "'" } else { "" };
    match quote {
        true => Cow::Owned(format!("\"{lead}{}\"", s.replace('"', "\"\""))),
        false if guard => Cow::Owned(format!("'{s}")),
        false => Cow::Borrowed(s),
    }
}

/// Appends one CSV line of `cells` (each through [`csv_cell`]), ended by CRLF.
pub(crate) fn push_csv_line<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_cell(c));
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Table {
        Table {
            name: "t".into(),
            title: "t".into(),
            columns: vec!["unit".into(), "n".into(), "year".into()],
            rows: vec![
                vec![
                    Cell::Text("<b>&\"x\"".into()),
                    Cell::Int(2),
                    Cell::Int(2012),
                ],
                vec![Cell::Text("=cmd()".into()), Cell::Int(0), Cell::Int(2012)],
                vec![Cell::Text("a,b".into()), Cell::Int(7), Cell::Int(2012)],
            ],
        }
    }

    #[test]
    fn suppression_withholds_small_positive_counts_only() {
        let mut x = t();
        assert_eq!(x.suppress(&["n"], 3), 1);
        assert_eq!(x.rows[0][1], Cell::Suppressed);
        assert_eq!(x.rows[1][1], Cell::Int(0), "zero reveals nobody");
        assert_eq!(x.rows[2][1], Cell::Int(7));
        assert_eq!(x.rows[0][2], Cell::Int(2012), "years are not counts");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let csv = t().to_csv(3);
        assert!(csv.contains("\"<b>&\"\"x\"\"\""), "{csv}");
        assert!(csv.contains("'=cmd()"), "{csv}");
        assert!(csv.contains("\"a,b\""), "{csv}");
    }

    #[test]
    fn a_csv_line_quotes_defuses_and_borrows_plain_fields() {
        let mut out = String::new();
        push_csv_line(&mut out, ["党政办", "=1+1,\"x\"", "-5", "-x", "a\nb", ""]);
        assert_eq!(out, "党政办,\"'=1+1,\"\"x\"\"\",-5,'-x,\"a\nb\",\r\n");
        assert!(matches!(csv_cell("财政所"), Cow::Borrowed(_)));
    }

    #[test]
    fn html_escapes_every_cell() {
        let html = t().to_html(3, 10);
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;b&gt;&amp;&quot;x&quot;"));
    }
}
