//! Query results as a notebook shows them: an aligned text table and an HTML table, both capped
//! at the row limit with a note of how many rows were left out.
//!
//! Every cell, column name and note that goes into HTML is escaped here: values come from
//! submissions, which any department can fill with any text.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::arrow::util::pretty::pretty_format_batches_with_options;

use crate::error::Result;

/// How a missing value is shown.
const NULL: &str = "NULL";

/// A result drawn for a notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The aligned text table (`text/plain`).
    pub text: String,
    /// The HTML table (`text/html`).
    pub html: String,
}

/// Escapes text for HTML element content and attribute values (the report's escaping, shared).
pub use crate::report::escape as escape_html;

/// The number of rows in `batches`.
pub fn row_count(batches: &[RecordBatch]) -> usize {
    batches.iter().map(RecordBatch::num_rows).sum()
}

/// The first `limit` rows of `batches`.
fn head(batches: &[RecordBatch], limit: usize) -> Vec<RecordBatch> {
    let mut left = limit;
    let mut out = Vec::new();
    for b in batches {
        if left == 0 {
            break;
        }
        let take = b.num_rows().min(left);
        out.push(b.slice(0, take));
        left -= take;
    }
    out
}

fn options() -> FormatOptions<'static> {
    FormatOptions::default().with_null(NULL)
}

fn note(total: usize, shown: usize) -> Option<String> {
    (total > shown).then(|| {
        let more = total - shown;
        format!(
            "… {more} more row{} not shown ({total} in all); `%limit N` shows more, `%export` writes all",
            if more == 1 { "" } else { "s" }
        )
    })
}

fn is_numeric(t: &DataType) -> bool {
    t.is_numeric()
}

/// Renders `batches` (all with `schema`'s columns) showing at most `limit` rows.
pub fn render(batches: &[RecordBatch], limit: usize) -> Result<Rendered> {
    let total = row_count(batches);
    let shown_batches = head(batches, limit);
    let shown = row_count(&shown_batches);
    let opts = options();
    let mut text = pretty_format_batches_with_options(&shown_batches, &opts)?.to_string();
    let mut html = String::from("<table class=\"sunlight-result\">\n<thead>\n<tr>");
    let Some(schema) = batches.first().map(RecordBatch::schema) else {
        return Ok(Rendered {
            text: "(no rows)".to_owned(),
            html: "<p>(no rows)</p>".to_owned(),
        });
    };
    let numeric: Vec<bool> = schema
        .fields()
        .iter()
        .map(|f| is_numeric(f.data_type()))
        .collect();
    for f in schema.fields() {
        html.push_str("<th>");
        html.push_str(&escape_html(f.name()));
        html.push_str("</th>");
    }
    html.push_str("</tr>\n</thead>\n<tbody>\n");
    for b in &shown_batches {
        let formatters = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        for row in 0..b.num_rows() {
            html.push_str("<tr>");
            for (i, f) in formatters.iter().enumerate() {
                let cell = f.value(row).try_to_string()?;
                if numeric.get(i).copied().unwrap_or(false) {
                    html.push_str("<td style=\"text-align: right\">");
                } else {
                    html.push_str("<td>");
                }
                html.push_str(&escape_html(&cell));
                html.push_str("</td>");
            }
            html.push_str("</tr>\n");
        }
    }
    html.push_str("</tbody>\n</table>\n");
    if total == 0 {
        text.push_str("\n(no rows)");
        html.push_str("<p>(no rows)</p>\n");
    }
    if let Some(n) = note(total, shown) {
        text.push('\n');
        text.push_str(&n);
        html.push_str("<p>");
        html.push_str(&escape_html(&n));
        html.push_str("</p>\n");
    }
    Ok(Rendered { text, html })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};

    use super::*;

    fn batch(names: &[&str]) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("department_name", DataType::Utf8, true),
            Field::new("n", DataType::Int64, false),
        ]));
        let counts: Vec<i64> = (0..names.len() as i64).collect();
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(names.to_vec())),
                Arc::new(Int64Array::from(counts)),
            ],
        )
        .expect("a batch")
    }

    #[test]
    fn every_cell_and_header_is_escaped() {
        let evil = "<script>alert('x')</script> & \"q\"";
        let b = batch(&[evil, "财政所"]);
        let r = render(&[b], 10).expect("renders");
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(
            r.html
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
        );
        assert!(r.html.contains("<td>财政所</td>"));
        assert!(r.text.contains(evil), "text/plain keeps the raw text");
    }

    #[test]
    fn rows_past_the_limit_are_counted_not_shown() {
        let names: Vec<String> = (0..25).map(|i| format!("部门{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let (a, b) = (batch(&refs[..10]), batch(&refs[10..]));
        let r = render(&[a, b], 12).expect("renders");
        assert_eq!(r.html.matches("<tr>").count(), 13, "header and 12 rows");
        assert!(r.html.contains("部门11") && !r.html.contains("部门12<"));
        assert!(r.text.contains("13 more rows not shown (25 in all)"));
        assert!(r.html.contains("13 more rows not shown (25 in all)"));
        let all = render(&[batch(&refs[..3])], 12).expect("renders");
        assert!(!all.text.contains("more row"));
    }

    #[test]
    fn numbers_are_right_aligned_and_nulls_named() {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Utf8, true)]));
        let b = RecordBatch::try_new(
            schema,
            vec![Arc::new(StringArray::from(vec![None::<&str>]))],
        )
        .expect("a batch");
        let r = render(&[b], 5).expect("renders");
        assert!(r.html.contains("<td>NULL</td>"));
        let n = render(&[batch(&["a"])], 5).expect("renders");
        assert!(n.html.contains("<td style=\"text-align: right\">0</td>"));
    }

    #[test]
    fn an_empty_result_says_so() {
        let r = render(&[batch(&[])], 5).expect("renders");
        assert!(r.text.contains("(no rows)") && r.html.contains("<th>department_name</th>"));
        assert_eq!(render(&[], 5).expect("renders").text, "(no rows)");
    }
}
