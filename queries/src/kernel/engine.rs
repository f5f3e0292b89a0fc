//! What a cell does: the kernel's state (the open store, the row limit, the last result) and the
//! execution of SQL and magics. Nothing here knows about sockets; the server turns [`Output`]s
//! and [`CellError`]s into messages.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray, UInt32Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::Statement;
use datafusion::sql::sqlparser::dialect::{GenericDialect, dialect_from_str};

use super::cell::{self, Part};
use super::complete::{self, Catalog, Completion, Inspection};
use super::magic::{self, ChartSpec, MAGICS, Magic};
use super::render::{self, row_count};
use crate::error::Error;
use crate::{charts, output, sql};

/// Rows shown of a result unless `%limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 50;

/// Something a cell shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Text on standard output (magics report what they did).
    Text(String),
    /// A query result.
    Table {
        /// The aligned text table.
        text: String,
        /// The escaped HTML table.
        html: String,
        /// Whether it is the cell's final value (`execute_result`) or shown on the way
        /// (`display_data`).
        last: bool,
    },
    /// A chart.
    Svg {
        /// The SVG document.
        svg: String,
        /// Its title, as the plain-text alternative.
        title: String,
    },
}

/// Why a cell stopped: shown as a Jupyter `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The kind: `DataFusionError`, `UsageError`, `StoreError`.
    pub ename: String,
    /// The message.
    pub evalue: String,
}

impl CellError {
    fn usage(message: impl Into<String>) -> Self {
        CellError {
            ename: "UsageError".to_owned(),
            evalue: message.into(),
        }
    }
}

impl From<Error> for CellError {
    fn from(e: Error) -> Self {
        let ename = match &e {
            Error::Query(_) => "DataFusionError",
            Error::Usage(_) => "UsageError",
            _ => "StoreError",
        };
        CellError {
            ename: ename.to_owned(),
            evalue: e.to_string(),
        }
    }
}

impl From<datafusion::error::DataFusionError> for CellError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        CellError {
            ename: "DataFusionError".to_owned(),
            evalue: e.to_string(),
        }
    }
}

/// The kernel's state between cells.
pub struct Engine {
    ctx: SessionContext,
    store: Option<PathBuf>,
    /// Why no store is open, when none is.
    no_store: String,
    limit: usize,
    last: Option<Vec<RecordBatch>>,
    catalog: Option<Catalog>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// A kernel with no store open yet: SQL without tables and the functions already work.
    pub fn new() -> Self {
        // A bad memory limit in the environment stops the binary at start; a library user's
        // shows when a store is opened, so this session without tables may do without it.
        let ctx = sql::context(sql::config())
            .unwrap_or_else(|_| SessionContext::new_with_config(sql::config()));
        sql::register_functions(&ctx, sunlight_core::presets::registry());
        Engine {
            ctx,
            store: None,
            no_store: "no store is open yet".to_owned(),
            limit: DEFAULT_LIMIT,
            last: None,
            catalog: None,
        }
    }

    /// The open store's folder.
    pub fn store(&self) -> Option<&Path> {
        self.store.as_deref()
    }

    /// Opens the store in `dir` (a fresh session) and says what is in it.
    pub async fn open_store(&mut self, dir: &Path) -> Result<String, CellError> {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
        if !dir.is_dir() {
            return Err(CellError {
                ename: "StoreError".to_owned(),
                evalue: format!(
                    "there is no store at {}: build one with `sunlight ingest FILES --store DIR`",
                    dir.display()
                ),
            });
        }
        let ctx = sql::session(&dir).await?;
        let counts = ctx
            .sql("SELECT COUNT(*) FROM submissions")
            .await?
            .collect()
            .await?;
        let n = counts
            .first()
            .filter(|b| b.num_rows() > 0)
            .and_then(|b| {
                datafusion::arrow::compute::cast(b.column(0), &DataType::Int64)
                    .ok()
                    .and_then(|a| {
                        a.as_any()
                            .downcast_ref::<datafusion::arrow::array::Int64Array>()
                            .map(|a| a.value(0))
                    })
            })
            .unwrap_or(0);
        self.ctx = ctx;
        self.store = Some(dir.clone());
        self.last = None;
        self.catalog = None;
        Ok(format!(
            "store {}: {n} current submission{}\n",
            dir.display(),
            if n == 1 { "" } else { "s" }
        ))
    }

    /// Notes why the default store could not be opened, for `%store` and failed queries.
    pub fn set_no_store(&mut self, why: String) {
        self.no_store = why;
    }

    /// Runs a cell, passing what it shows to `out` as it goes.
    pub async fn execute(
        &mut self,
        code: &str,
        out: &mut (dyn FnMut(Output) + Send),
    ) -> Result<(), CellError> {
        // Whatever happens, the cell may have created or dropped views.
        self.catalog = None;
        let parts = cell::parts(code);
        // The cell's value (Out[n]) is the last table it computes, even when magics such as
        // %chart follow; the tables before it are shown on the way.
        let value = parts.iter().rposition(|p| match p {
            Part::Sql(_) => true,
            Part::Magic(line) => matches!(magic::parse(line), Ok(Magic::Schemes | Magic::Tables)),
        });
        for (i, part) in parts.into_iter().enumerate() {
            let is_value = value == Some(i);
            match part {
                Part::Magic(line) => self.magic(&line, is_value, out).await?,
                Part::Sql(text) => {
                    let statements = self.parse(&text)?;
                    let m = statements.len();
                    for (j, statement) in statements.into_iter().enumerate() {
                        self.statement(statement, is_value && j + 1 == m, out)
                            .await?;
                    }
                }
            }
        }
        Ok(())
    }

    fn parse(&self, text: &str) -> Result<Vec<Statement>, CellError> {
        let name = self.ctx.state().config().options().sql_parser.dialect;
        let parsed = match dialect_from_str(name) {
            Some(d) => cell::statements(text, d.as_ref()),
            None => cell::statements(text, &GenericDialect {}),
        };
        Ok(parsed?)
    }

    async fn statement(
        &mut self,
        statement: Statement,
        last: bool,
        out: &mut (dyn FnMut(Output) + Send),
    ) -> Result<(), CellError> {
        let plan = match self.ctx.state().statement_to_plan(statement).await {
            Ok(p) => p,
            Err(e) => return Err(self.explain(e.into())),
        };
        let df = self.ctx.execute_logical_plan(plan).await?;
        let schema = Arc::new(df.schema().as_arrow().clone());
        let mut batches = df.collect().await?;
        if schema.fields().is_empty() {
            // DDL (CREATE VIEW, SET …): nothing to show.
            return Ok(());
        }
        if batches.is_empty() {
            batches.push(RecordBatch::new_empty(schema));
        }
        self.show(batches, last, out)
    }

    /// Adds a hint to "table not found" when no store is open.
    fn explain(&self, mut e: CellError) -> CellError {
        if self.store.is_none() && e.evalue.contains("not found") {
            e.evalue
                .push_str(&format!(" ({}; `%store DIR` opens one)", self.no_store));
        }
        e
    }

    fn show(
        &mut self,
        batches: Vec<RecordBatch>,
        last: bool,
        out: &mut (dyn FnMut(Output) + Send),
    ) -> Result<(), CellError> {
        let r = render::render(&batches, self.limit)?;
        out(Output::Table {
            text: r.text,
            html: r.html,
            last,
        });
        self.last = Some(batches);
        Ok(())
    }

    fn last_result(&self) -> Result<&[RecordBatch], CellError> {
        self.last
            .as_deref()
            .ok_or_else(|| CellError::usage("there is no result yet: run a query first"))
    }

    async fn magic(
        &mut self,
        line: &str,
        is_value: bool,
        out: &mut (dyn FnMut(Output) + Send),
    ) -> Result<(), CellError> {
        match magic::parse(line).map_err(CellError::usage)? {
            Magic::Store(None) => out(Output::Text(match &self.store {
                Some(dir) => format!("store {}\n", dir.display()),
                None => format!("{}; `%store DIR` opens one\n", self.no_store),
            })),
            Magic::Store(Some(dir)) => {
                let said = self.open_store(Path::new(&dir)).await?;
                out(Output::Text(said));
            }
            Magic::Limit(None) => out(Output::Text(format!(
                "results show at most {} rows\n",
                self.limit
            ))),
            Magic::Limit(Some(n)) => {
                self.limit = n;
                out(Output::Text(format!("results show at most {n} rows\n")));
            }
            Magic::Chart(spec) => {
                let svg = self.chart(&spec)?;
                out(svg);
            }
            Magic::Export { format, path } => {
                let batches = self.last_result()?;
                let rows = row_count(batches);
                output::write_file(batches, format, Path::new(&path))?;
                out(Output::Text(format!(
                    "wrote {rows} row{} to {path}\n",
                    if rows == 1 { "" } else { "s" }
                )));
            }
            Magic::Schemes => {
                let batch = schemes()?;
                self.show(vec![batch], is_value, out)?;
            }
            Magic::Tables => {
                let batch = self.tables().await?;
                self.show(vec![batch], is_value, out)?;
            }
            Magic::Echo(text) => out(Output::Text(format!("{text}\n"))),
            Magic::Help => out(Output::Text(help())),
        }
        Ok(())
    }

    fn chart(&self, spec: &ChartSpec) -> Result<Output, CellError> {
        let batches = self.last_result()?;
        let title = spec.title.clone().unwrap_or_else(|| match &spec.by {
            Some(by) => format!("{} by {} and {by}", spec.y, spec.x),
            None => format!("{} by {}", spec.y, spec.x),
        });
        let figure = charts::pivot(
            spec.kind,
            batches,
            &spec.x,
            &spec.y,
            spec.by.as_deref(),
            &title,
        )?;
        let svg = charts::svg(&figure, charts::SIZE)?;
        Ok(Output::Svg { svg, title })
    }

    async fn tables(&mut self) -> Result<RecordBatch, CellError> {
        let catalog = self.catalog().await?;
        let (mut names, mut kinds, mut columns) = (Vec::new(), Vec::new(), Vec::new());
        for r in &catalog.relations {
            names.push(r.name.clone());
            kinds.push(r.kind);
            columns.push(u32::try_from(r.schema.fields().len()).unwrap_or(u32::MAX));
        }
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("columns", DataType::UInt32, false),
        ]));
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(names)),
            Arc::new(StringArray::from(kinds)),
            Arc::new(UInt32Array::from(columns)),
        ];
        Ok(RecordBatch::try_new(schema, arrays).map_err(Error::from)?)
    }

    /// The names completion offers, read from the session when first needed after a cell.
    pub async fn catalog(&mut self) -> Result<&Catalog, CellError> {
        if self.catalog.is_none() {
            self.catalog = Some(Catalog::load(&self.ctx).await?);
        }
        self.catalog
            .as_ref()
            .ok_or_else(|| CellError::usage("the catalog could not be read"))
    }

    /// Completes the word before code point `cursor`.
    pub async fn complete(&mut self, code: &str, cursor: usize) -> Result<Completion, CellError> {
        let last: Vec<String> = self
            .last
            .as_ref()
            .and_then(|b| b.first())
            .map(|b| {
                b.schema()
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect()
            })
            .unwrap_or_default();
        let catalog = self.catalog().await?;
        Ok(complete::complete(code, cursor, catalog, &last))
    }

    /// Describes the name at code point `cursor`.
    pub async fn inspect(
        &mut self,
        code: &str,
        cursor: usize,
    ) -> Result<Option<Inspection>, CellError> {
        let catalog = self.catalog().await?;
        Ok(complete::inspect(code, cursor, catalog))
    }
}

/// `%help`.
fn help() -> String {
    let mut s = String::from(
        "A cell is SQL (DataFusion) on the open store; several statements may be separated by ';'.\n\
         Views: risk_catalog, level_counts, type_counts, defence_coverage, yoy_changes, late_tables;\n\
         functions: risk_level(scheme, factors), responsible_for(scheme, level), table_deadline(scheme, year), superseded(hash), submission_version(hash), key_hash(a, …).\n\
         Tab completes names; Shift-Tab on a table shows its columns.\n\nMagics (a line starting with %):\n",
    );
    let width = MAGICS
        .iter()
        .map(|(n, a, _)| n.len() + a.len() + 1)
        .max()
        .unwrap_or(0);
    for (name, args, what) in MAGICS {
        let head = format!("{name} {args}");
        s.push_str(&format!("  {head:width$}  {what}\n"));
    }
    s
}

/// `%schemes`: the preset schemes with their risk types and level scales.
fn schemes() -> Result<RecordBatch, CellError> {
    let mut cols: [Vec<String>; 6] = Default::default();
    for s in sunlight_core::presets::registry().iter() {
        cols[0].push(s.id.clone());
        cols[1].push(s.name.zh.clone());
        cols[2].push(match s.years.to {
            Some(to) => format!("{}–{to}", s.years.from),
            None => format!("{}–", s.years.from),
        });
        cols[3].push(
            s.risk_types
                .iter()
                .map(|t| t.name.zh.as_str())
                .collect::<Vec<_>>()
                .join("、"),
        );
        cols[4].push(
            s.levels
                .iter()
                .map(|l| l.name.zh.as_str())
                .collect::<Vec<_>>()
                .join("、"),
        );
        cols[5].push(s.source.document.clone());
    }
    let names = [
        "scheme",
        "name",
        "years",
        "risk_types",
        "levels",
        "document",
    ];
    let schema = Arc::new(Schema::new(
        names
            .iter()
            .map(|n| Field::new(*n, DataType::Utf8, false))
            .collect::<Vec<_>>(),
    ));
    let arrays: Vec<ArrayRef> = cols
        .into_iter()
        .map(|c| Arc::new(StringArray::from(c)) as ArrayRef)
        .collect();
    Ok(RecordBatch::try_new(schema, arrays).map_err(Error::from)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(engine: &mut Engine, code: &str) -> (Vec<Output>, Result<(), CellError>) {
        let mut outputs = Vec::new();
        let r = engine.execute(code, &mut |o| outputs.push(o)).await;
        (outputs, r)
    }

    #[tokio::test]
    async fn sql_without_a_store_and_the_last_result() {
        let mut e = Engine::new();
        let (o, r) = run(&mut e, "SELECT 'hello, <world>' AS greeting").await;
        assert_eq!(r, Ok(()));
        let [Output::Table { text, html, last }] = o.as_slice() else {
            panic!("one table, got {o:?}");
        };
        assert!(*last && text.contains("hello, <world>") && html.contains("hello, &lt;world&gt;"));
        let (o, r) = run(
            &mut e,
            "%limit 2\nSELECT * FROM (VALUES (1), (2), (3)) t(n)",
        )
        .await;
        assert_eq!(r, Ok(()));
        assert!(matches!(&o[0], Output::Text(t) if t.contains("at most 2")));
        assert!(matches!(&o[1], Output::Table { text, .. } if text.contains("1 more row")));
    }

    #[tokio::test]
    async fn errors_carry_the_datafusion_message_and_the_engine_goes_on() {
        let mut e = Engine::new();
        let (o, r) = run(&mut e, "SELECT * FROM no_such_table").await;
        assert!(o.is_empty());
        let err = r.expect_err("an error");
        assert_eq!(err.ename, "DataFusionError");
        assert!(err.evalue.contains("no_such_table"), "{}", err.evalue);
        assert!(
            err.evalue.contains("%store DIR"),
            "hint when no store: {}",
            err.evalue
        );
        let (_, r) = run(&mut e, "SELEC 1").await;
        assert!(r.is_err());
        let (_, r) = run(&mut e, "%chart bar x=a y=b").await;
        assert_eq!(r.expect_err("no result").ename, "UsageError");
        let (o, r) = run(&mut e, "SELECT 1 AS one").await;
        assert_eq!(r, Ok(()));
        assert_eq!(o.len(), 1);
    }

    #[tokio::test]
    async fn chart_and_export_use_the_last_result() {
        let mut e = Engine::new();
        let q = "SELECT * FROM (VALUES ('财政所', '高', 3), ('财政所', '低', 5), ('党政办', '高', 1)) t(department, level, n)";
        let (_, r) = run(&mut e, q).await;
        assert_eq!(r, Ok(()));
        let (o, r) = run(&mut e, &format!("{q}\n%chart bar x=department y=n")).await;
        assert_eq!(r, Ok(()));
        assert!(
            matches!(
                o.as_slice(),
                [Output::Table { last: true, .. }, Output::Svg { .. }]
            ),
            "the table is the cell's value, the chart a display: {o:?}"
        );
        let (o, r) = run(&mut e, "SELECT 1 AS a; SELECT 2 AS b").await;
        assert_eq!(r, Ok(()));
        assert!(matches!(
            o.as_slice(),
            [
                Output::Table { last: false, .. },
                Output::Table { last: true, .. }
            ]
        ));
        let (_, r) = run(&mut e, q).await;
        assert_eq!(r, Ok(()));
        let (o, r) = run(
            &mut e,
            "%chart stacked x=department y=n by=level title=各部门风险等级",
        )
        .await;
        assert_eq!(r, Ok(()));
        let [Output::Svg { svg, title }] = o.as_slice() else {
            panic!("one chart, got {o:?}");
        };
        assert_eq!(title, "各部门风险等级");
        assert!(svg.starts_with("<svg") && svg.contains("财政所"));
        let (_, r) = run(&mut e, "%chart heatmap x=department y=n by=nope").await;
        assert!(r.expect_err("no column").evalue.contains("nope"));
        let dir = std::env::temp_dir().join(format!("sunlight-kernel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("levels.csv");
        let (o, r) = run(&mut e, &format!("%export csv {}", path.display())).await;
        assert_eq!(r, Ok(()));
        assert!(matches!(&o[0], Output::Text(t) if t.starts_with("wrote 3 rows")));
        let csv = std::fs::read_to_string(&path).expect("written");
        assert_eq!(csv.lines().next(), Some("department,level,n"));
        assert_eq!(csv.lines().count(), 4);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[tokio::test]
    async fn schemes_tables_help_and_store_magics() {
        let mut e = Engine::new();
        let (o, r) = run(&mut e, "%schemes").await;
        assert_eq!(r, Ok(()));
        assert!(
            matches!(&o[0], Output::Table { text, .. } if text.contains("town-2012") && text.contains("思想道德"))
        );
        let (o, _) = run(&mut e, "%help").await;
        assert!(matches!(&o[0], Output::Text(t) if MAGICS.iter().all(|m| t.contains(m.0))));
        let (_, r) = run(&mut e, "%store /definitely/not/a/store").await;
        assert_eq!(r.expect_err("no store").ename, "StoreError");
        let (_, r) = run(&mut e, "CREATE VIEW v AS SELECT 1 AS x").await;
        assert_eq!(r, Ok(()));
        let (o, r) = run(&mut e, "%tables").await;
        assert_eq!(r, Ok(()));
        assert!(matches!(&o[0], Output::Table { text, .. } if text.contains("| v ")));
        let c = e.complete("SELECT * FROM ", 14).await.expect("completes");
        assert!(c.matches.is_empty());
    }
}
