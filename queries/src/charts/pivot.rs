//! From query results to a figure: `x` gives the categories (or heat-map columns), `y` the values,
//! `by` the series (or heat-map rows). Repeated (x, by) pairs are summed; order is first seen, so
//! the query's `ORDER BY` decides the order on the axis.

use std::collections::HashMap;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};

use super::{Chart, Figure, Heatmap, Kind, Series};
use crate::error::{Error, Result};

/// The most categories (or heat-map rows or columns) a figure shows.
pub const MAX_CATEGORIES: usize = 80;

struct Column {
    values: Vec<String>,
}

fn strings(batches: &[RecordBatch], name: &str) -> Result<Column> {
    let mut values = Vec::new();
    for b in batches {
        let idx = b.schema().index_of(name).map_err(|_| no_column(b, name))?;
        let arr = cast(b.column(idx), &DataType::Utf8)?;
        let arr = arr.as_string::<i32>();
        values.extend((0..arr.len()).map(|i| {
            if arr.is_null(i) {
                "(空)".to_owned()
            } else {
                arr.value(i).to_owned()
            }
        }));
    }
    Ok(Column { values })
}

fn numbers(batches: &[RecordBatch], name: &str) -> Result<Vec<f64>> {
    let mut values = Vec::new();
    for b in batches {
        let idx = b.schema().index_of(name).map_err(|_| no_column(b, name))?;
        let arr = cast(b.column(idx), &DataType::Float64).map_err(|e| {
            Error::Usage(format!(
                "column '{name}' must hold numbers to be charted: {e}"
            ))
        })?;
        let arr = arr.as_primitive::<Float64Type>();
        values.extend((0..arr.len()).map(|i| if arr.is_null(i) { 0.0 } else { arr.value(i) }));
    }
    Ok(values)
}

fn no_column(b: &RecordBatch, name: &str) -> Error {
    let names: Vec<String> = b
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    Error::Usage(format!(
        "the result has no column '{name}' (it has: {})",
        names.join(", ")
    ))
}

fn index(order: &mut Vec<String>, seen: &mut HashMap<String, usize>, key: &str) -> usize {
    *seen.entry(key.to_owned()).or_insert_with(|| {
        order.push(key.to_owned());
        order.len() - 1
    })
}

/// Builds a figure of kind `bar`, `stacked`, `line` or `heatmap` from query results.
pub fn pivot(
    kind: &str,
    batches: &[RecordBatch],
    x: &str,
    y: &str,
    by: Option<&str>,
    title: &str,
) -> Result<Figure> {
    if batches.iter().all(|b| b.num_rows() == 0) {
        return Err(Error::Usage(
            "the result is empty: there is nothing to chart".into(),
        ));
    }
    let xs = strings(batches, x)?.values;
    let ys = numbers(batches, y)?;
    let bys = match by {
        Some(b) => Some(strings(batches, b)?.values),
        None => None,
    };
    let (mut cats, mut cat_seen) = (Vec::new(), HashMap::new());
    let (mut groups, mut group_seen) = (Vec::new(), HashMap::new());
    let mut cells: HashMap<(usize, usize), f64> = HashMap::new();
    for (i, xv) in xs.iter().enumerate() {
        let c = index(&mut cats, &mut cat_seen, xv);
        let g = match &bys {
            Some(b) => index(&mut groups, &mut group_seen, &b[i]),
            None => index(&mut groups, &mut group_seen, y),
        };
        *cells.entry((c, g)).or_insert(0.0) += ys[i];
    }
    for (what, n) in [("categories", cats.len()), ("series", groups.len())] {
        if n > MAX_CATEGORIES {
            return Err(Error::Usage(format!(
                "{n} {what} are too many to chart (at most {MAX_CATEGORIES}); aggregate or filter the query first"
            )));
        }
    }
    let get = |c: usize, g: usize| cells.get(&(c, g)).copied().unwrap_or(0.0);
    if kind == "heatmap" {
        let Some(by) = by else {
            return Err(Error::Usage(
                "a heat map needs by=COLUMN for its rows".into(),
            ));
        };
        return Ok(Figure::Heatmap(Heatmap {
            title: title.to_owned(),
            x_label: x.to_owned(),
            y_label: by.to_owned(),
            values: (0..groups.len())
                .map(|g| (0..cats.len()).map(|c| get(c, g)).collect())
                .collect(),
            columns: cats,
            rows: groups,
        }));
    }
    let kind: Kind = kind.parse()?;
    Ok(Figure::Chart(Chart {
        kind,
        title: title.to_owned(),
        x_label: x.to_owned(),
        y_label: y.to_owned(),
        series: groups
            .iter()
            .enumerate()
            .map(|(g, name)| Series {
                name: name.clone(),
                values: (0..cats.len()).map(|c| get(c, g)).collect(),
            })
            .collect(),
        categories: cats,
    }))
}
