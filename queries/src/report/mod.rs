//! The annual evaluation report: `sunlight report --store DIR --year Y --out DIR`.
//!
//! Everything is computed with DataFusion over the same views analysts use, then written as a
//! self-contained `index.html` (charts inline as SVG, no network), one page per unit, each chart
//! as an SVG file (and the main page's as PNG too; the unit pages' only with
//! [`Options::unit_png`]), each table as CSV, and each unit's risk-level catalog as CSV and XLSX.
//!
//! With `public`, the report is what may be published (公示): no names of people (the catalog's
//! responsible column names the role; the supervision section counts people per unit instead of
//! listing them), and every count below `k` withheld and marked.

mod catalog;
mod html;
pub mod queries;
mod supervision;
mod table;
mod xlsx;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use datafusion::prelude::SessionContext;
use rayon::prelude::*;

pub use catalog::{
    HEADERS as CATALOG_HEADERS, PART_ROWS as CATALOG_PART_ROWS, UnitCatalog, parts as catalog_parts,
};
pub use queries::{ReportQueries, ReportQuery};
pub use table::{Cell, Table, escape};

use table::Frame;

use crate::charts::{self, Chart, Figure, Heatmap, Kind, Series};
use crate::error::{Error, Result};

/// What to report on and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The store.
    pub store: PathBuf,
    /// The year evaluated.
    pub year: i32,
    /// The output folder.
    pub out: PathBuf,
    /// Only this unit, if given.
    pub unit: Option<String>,
    /// Publishable output (公示): no names, small counts withheld.
    pub public: bool,
    /// The smallest count shown in public output.
    pub k: u64,
    /// Also write each unit page's charts as PNG files. Their SVG is always written, as a file
    /// and inline in the page; the main page's charts are always written as PNG too. Off by
    /// default: the units' PNGs took a sixth of the report's CPU time (3,200 of them at 1 M risk
    /// points, 32,000 at 10 M) for pictures that the SVG files already give.
    pub unit_png: bool,
}

/// What a report run wrote.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// The main page.
    pub index: PathBuf,
    /// Tables written (CSV).
    pub tables: usize,
    /// Charts written (each as SVG, and as PNG where [`Options::unit_png`] says).
    pub charts: usize,
    /// Units with a page.
    pub units: usize,
    /// Cells withheld in public output.
    pub suppressed: usize,
    /// Catalog rows written, all units.
    pub catalog_rows: u64,
}

impl Summary {
    /// Adds what another writer wrote (a unit page's tables, charts, page and withheld cells).
    fn add(&mut self, other: &Summary) {
        self.tables += other.tables;
        self.charts += other.charts;
        self.units += other.units;
        self.suppressed += other.suppressed;
    }
}

/// A SQL string literal.
pub(crate) fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A file-name-safe form of a unit id: ASCII letters, digits, `-` and `_` kept, the rest hex-coded.
pub(crate) fn unit_slug(id: &str) -> String {
    let mut out = String::new();
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("~{b:02x}"));
        }
    }
    if out.is_empty() {
        "unit".to_owned()
    } else {
        out.chars().take(120).collect()
    }
}

/// One section of a page: a heading, a chart, a table.
pub(crate) struct Section {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) note: String,
    pub(crate) svg: Option<String>,
    /// The table as HTML, its first rows only ([`html::table`]): a section keeps no more of
    /// its table than the page shows (at 10 M risk points the tables behind the sections hold
    /// about a million rows).
    pub(crate) table_html: Option<String>,
    pub(crate) files: Vec<(String, String)>,
}

/// The report's folders beside `index.html`: the CSV tables, the charts, the unit pages (the
/// catalogs' folder is made by [`catalog::write`]).
const FOLDERS: [&str; 3] = ["tables", "charts", "units"];

struct Writer<'a> {
    opts: &'a Options,
    summary: Summary,
    /// Whether charts are written as PNG as well as SVG.
    png: bool,
}

impl Writer<'_> {
    /// One of the report's [`FOLDERS`], made when the report starts: asking the file system
    /// for it before every file was two system calls a file, 128,000 files at 10 M risk points.
    fn dir(&self, sub: &str) -> PathBuf {
        self.opts.out.join(sub)
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        std::fs::write(path, bytes).map_err(|e| Error::io("writing the report", path, e))
    }

    /// Writes a table's CSV (after suppression in public mode) and returns its link.
    fn table(&mut self, t: &mut Table, counts: &[&str], prefix: &str) -> Result<(String, String)> {
        if self.opts.public {
            self.summary.suppressed += t.suppress(counts, self.opts.k);
        }
        let dir = self.dir("tables");
        let name = format!("{prefix}{}.csv", t.name);
        let mut csv = String::from("\u{feff}");
        t.push_csv(&mut csv, self.opts.k);
        self.write(&dir.join(&name), csv.as_bytes())?;
        self.summary.tables += 1;
        Ok((format!("tables/{name}"), format!("{} (CSV)", t.title)))
    }

    /// Draws a figure as an SVG file, and a PNG file if the writer writes them, and returns the
    /// SVG for inlining and the files' links.
    fn chart(&mut self, name: &str, figure: &Figure) -> Result<(String, Vec<(String, String)>)> {
        let size = suggested_size(figure);
        let svg = charts::svg(figure, size)?;
        let dir = self.dir("charts");
        self.write(&dir.join(format!("{name}.svg")), svg.as_bytes())?;
        let mut links = vec![(format!("charts/{name}.svg"), "SVG".into())];
        if self.png {
            let png = charts::png(figure, size)?;
            self.write(&dir.join(format!("{name}.png")), &png)?;
            links.push((format!("charts/{name}.png"), "PNG".into()));
        }
        self.summary.charts += 1;
        Ok((svg, links))
    }
}

/// A picture wide enough for its categories.
fn suggested_size(f: &Figure) -> (u32, u32) {
    let n = match f {
        Figure::Chart(c) => c.categories.len(),
        Figure::Heatmap(h) => h.columns.len(),
    };
    let rows = match f {
        Figure::Chart(_) => 0,
        Figure::Heatmap(h) => h.rows.len(),
    };
    let w = (200 + 70 * n as u32).clamp(charts::SIZE.0, 2400);
    let h = (260 + 34 * rows as u32).max(charts::SIZE.1).min(1800);
    (w, h)
}

/// A long table (x, by, count) as a figure, suppressed cells drawn as 0.
fn long_figure(
    t: &Table,
    kind: Option<Kind>,
    (x, by, y): (&str, &str, &str),
    (title, x_label, y_label): (&str, &str, &str),
) -> Option<Figure> {
    let (xi, bi, yi) = (t.col(x)?, t.col(by)?, t.col(y)?);
    let ri = t.col("rank");
    // Positions by name, and no figure as soon as either side has too many names: the whole
    // report's tables have a row per unit and level (48,000 at 10 M risk points), where a
    // search of the names so far for every row took 1.2 % of the 10 M report's CPU samples.
    let mut cats: Vec<String> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut cat_at: HashMap<String, usize> = HashMap::new();
    let mut group_at: HashMap<String, usize> = HashMap::new();
    // Each group's least rank (`i64::MAX` without one), for the series' order.
    let mut ranks: Vec<i64> = Vec::new();
    let mut cells: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let position = |names: &mut Vec<String>, at: &mut HashMap<String, usize>, v: String| {
        if let Some(&i) = at.get(&v) {
            return Some(i);
        }
        if names.len() == charts::MAX_CATEGORIES {
            return None;
        }
        names.push(v.clone());
        at.insert(v, names.len() - 1);
        Some(names.len() - 1)
    };
    for r in &t.rows {
        let c = position(&mut cats, &mut cat_at, r[xi].display(0))?;
        let g = position(&mut groups, &mut group_at, r[bi].display(0))?;
        if g == ranks.len() {
            ranks.push(i64::MAX);
        }
        if let Some(rank) = ri.and_then(|oi| r[oi].number()) {
            ranks[g] = ranks[g].min(rank);
        }
        *cells.entry((c, g)).or_insert(0.0) += r[yi].number().unwrap_or(0) as f64;
    }
    // Series in severity order (高 before 中 before 低, 一级 before 二级…) when the table says it.
    if ri.is_some() {
        let mut order: Vec<(i64, usize)> = ranks.iter().copied().zip(0..).collect();
        order.sort();
        let remap: Vec<usize> = order.iter().map(|(_, i)| *i).collect();
        let moved: BTreeMap<(usize, usize), f64> = cells
            .iter()
            .map(|(&(c, g), v)| ((c, remap.iter().position(|x| *x == g).unwrap_or(g)), *v))
            .collect();
        cells = moved;
        groups = remap.iter().map(|i| groups[*i].clone()).collect();
    }
    if cats.is_empty() {
        return None;
    }
    let get = |c: usize, g: usize| cells.get(&(c, g)).copied().unwrap_or(0.0);
    Some(match kind {
        Some(kind) => Figure::Chart(Chart {
            kind,
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            series: groups
                .iter()
                .enumerate()
                .map(|(g, n)| Series {
                    name: n.clone(),
                    values: (0..cats.len()).map(|c| get(c, g)).collect(),
                })
                .collect(),
            categories: cats,
        }),
        None => Figure::Heatmap(Heatmap {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            values: (0..groups.len())
                .map(|g| (0..cats.len()).map(|c| get(c, g)).collect())
                .collect(),
            columns: cats,
            rows: groups,
        }),
    })
}

async fn query(ctx: &SessionContext, q: &ReportQuery) -> Result<Table> {
    Ok(whole(&query_frame(ctx, q).await?, q))
}

/// All of a query's rows as its table.
fn whole(frame: &Frame, q: &ReportQuery) -> Table {
    frame.table(q.name, q.title, 0..frame.len())
}

/// A query's rows kept as columns, for tables read a unit at a time.
async fn query_frame(ctx: &SessionContext, q: &ReportQuery) -> Result<Frame> {
    let batches = ctx.sql(&q.sql).await?.collect().await?;
    Frame::from_batches(&batches)
}

/// Writes the report.
pub async fn run(opts: &Options, progress: &dyn Fn(&str)) -> Result<Summary> {
    for sub in FOLDERS {
        let d = opts.out.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| Error::io("creating the report folder", &d, e))?;
    }
    let ctx = crate::sql::session(&opts.store).await?;
    let y = opts.year;
    let q = ReportQueries::new(y, opts.unit.as_deref(), opts.public);
    let mut w = Writer {
        opts,
        summary: Summary::default(),
        png: true,
    };
    let mut sections: Vec<Section> = Vec::new();

    progress("risk points by level");
    let mut t = query(&ctx, &q.levels_by_unit).await?;
    if t.rows.is_empty() {
        return Err(Error::Usage(format!(
            "the store holds no submissions for {y}{}",
            opts.unit
                .as_deref()
                .map(|u| format!(" and unit '{u}'"))
                .unwrap_or_default()
        )));
    }
    let csv = w.table(&mut t, &["风险点数"], "")?;
    let fig = long_figure(
        &t,
        Some(Kind::Stacked),
        ("单位", "等级", "风险点数"),
        (&format!("{y} 年各单位风险点等级分布"), "单位", "风险点数"),
    );
    sections.push(section(
        &mut w,
        "levels",
        &t,
        fig,
        csv,
        "按统一的高/中/低口径汇总各方案的等级（一级、一类较高等计为高）。",
    )?);

    let by_dept = query_frame(&ctx, &q.levels_by_department).await?;
    let mut t = whole(&by_dept, &q.levels_by_department);
    // The unit pages (two charts, three tables and the page each: most of the report's own
    // work but the catalogs) are drawn on every core from here on, while the remaining sections
    // are queried; `stop` ends them early when the report stops with an error.
    let stop = Stop::default();
    let pages = {
        let units = query(&ctx, &q.units).await?;
        let types_by_dept = query_frame(&ctx, &q.types_by_department).await?;
        let (opts, stop) = (opts.clone(), Arc::clone(&stop.0));
        let titles = (q.levels_by_department.title, q.types_by_department.title);
        Background(tokio::task::spawn_blocking(move || {
            // Levels come in the query's order (unit, department, rank); risk types unordered,
            // each unit's put in order here by department and risk type.
            let by_dept = ByUnit::new(&by_dept, titles.0, &[]);
            let types_by_dept = ByUnit::new(&types_by_dept, titles.1, &[1, 2]);
            unit_pages(&opts, y, &units, by_dept, types_by_dept, &stop)
        }))
    };
    let csv = w.table(&mut t, &["风险点数"], "")?;
    sections.push(section(
        &mut w,
        "levels-by-department",
        &t,
        None,
        csv,
        "各部门廉政风险识别防控表中的风险点。",
    )?);

    // The year-over-year and supervision sections next, though they come later on the page:
    // parts of their queries keep one core busy (the rule functions, the year-over-year
    // join), and the unit pages drawn alongside fill the other. Queried after the risk points'
    // other sections, once the pages were drawn, a core stood idle a fifth of their time at
    // 1 M risk points (perf).
    progress("year-over-year change");
    let mut t = query(&ctx, &q.yoy_by_unit).await?;
    let csv = w.table(&mut t, &["风险点数"], "")?;
    let fig = long_figure(
        &t,
        Some(Kind::Bar),
        ("单位", "变化", "风险点数"),
        (
            &format!("{} → {y} 年风险点变化（动态管理）", y - 1),
            "单位",
            "风险点数",
        ),
    );
    let yoy = section(
        &mut w,
        "yoy",
        &t,
        fig,
        csv,
        "与上一年度同一部门、同一权力、同一环节、同一风险点比较：新增、删除、升级、降级。",
    )?;

    progress("supervision");
    let supervision = supervision::sections(&ctx, &mut w, &q, y).await?;

    progress("risk types");
    let mut t = query(&ctx, &q.types_by_unit).await?;
    let csv = w.table(&mut t, &["风险点数"], "")?;
    let fig = long_figure(
        &t,
        None,
        ("单位", "风险类型", "风险点数"),
        (&format!("{y} 年风险类型分布"), "单位", "风险类型"),
    );
    sections.push(section(&mut w, "types", &t, fig, csv, "")?);

    progress("lines of defence");
    let mut t = query(&ctx, &q.defence_gaps_by_unit).await?;
    let csv = w.table(&mut t, &["缺项风险点"], "")?;
    let fig = long_figure(
        &t,
        Some(Kind::Bar),
        ("单位", "防线", "缺项风险点"),
        (
            &format!("{y} 年缺少某道防线措施的风险点"),
            "单位",
            "风险点数",
        ),
    );
    sections.push(section(
        &mut w,
        "defence",
        &t,
        fig,
        csv,
        "每个风险点应在前期预防、中期监控、后期处置三道防线都有措施。",
    )?);

    sections.push(yoy);

    progress("completion against the phases");
    let mut t = query(&ctx, &q.completion_by_unit).await?;
    let csv = w.table(&mut t, &["表数"], "")?;
    let fig = long_figure(
        &t,
        Some(Kind::Stacked),
        ("单位", "报送情况", "表数"),
        (&format!("{y} 年自查表报送情况"), "单位", "表数"),
    );
    sections.push(section(
        &mut w,
        "completion",
        &t,
        fig,
        csv,
        "截止日为各方案“查找风险”阶段的结束日；未报指上一年报送而本年未报的部门表。",
    )?);

    let mut t = query(&ctx, &q.late_tables).await?;
    let csv = w.table(&mut t, &[], "")?;
    sections.push(section(&mut w, "late", &t, None, csv, "")?);

    progress("top powers");
    let mut t = query(&ctx, &q.top_powers).await?;
    let csv = w.table(&mut t, &["风险点数", "高", "中", "低"], "")?;
    let fig = wide_figure(
        &t,
        "权力",
        &["高", "中", "低"],
        &format!("{y} 年风险点最多、等级最高的权力"),
    );
    sections.push(section(&mut w, "top-powers", &t, fig, csv, "")?);

    sections.extend(supervision);

    // The catalogs (every current risk point of the year, sorted, then a CSV and a workbook per
    // unit: 1,600 of each at 1 M risk points) are written after the sections' queries, while the
    // unit pages are still drawn; the unit pages link to them by name. Not alongside the
    // sections: at 10 M risk points the catalog's sort and a section's grouping together need
    // more than the memory limit, and one of them fails.
    progress("catalogs");
    let parts = catalog::parts(&ctx, &q, catalog::PART_ROWS).await?;
    let catalogs = catalog::write(&ctx, &opts.out.join("catalog"), &parts, opts.public).await?;
    w.summary.catalog_rows = catalogs.iter().map(|c| c.rows).sum();

    progress("unit pages");
    let (unit_links, s) = pages.join().await??;
    w.summary.add(&s);
    sections.push(Section {
        id: "units".into(),
        title: "各单位 / units".into(),
        note: String::new(),
        svg: None,
        table_html: None,
        files: unit_links,
    });
    let html = html::page(
        &format!("{y} 年度廉政风险防控评估报告"),
        &sections,
        opts,
        false,
    );
    let index = opts.out.join("index.html");
    w.write(&index, html.as_bytes())?;
    w.summary.index = index;
    Ok(w.summary)
}

/// Set when the report stops, so that the unit pages drawn alongside its queries stop too (a
/// blocking task cannot be aborted).
#[derive(Default)]
struct Stop(Arc<AtomicBool>);

impl Drop for Stop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Every unit's page, drawn on every core; their links and names for the index, in the order of
/// `units`, and what they wrote.
fn unit_pages(
    opts: &Options,
    y: i32,
    units: &Table,
    by_dept: ByUnit<'_>,
    types_by_dept: ByUnit<'_>,
    stop: &AtomicBool,
) -> Result<(Vec<(String, String)>, Summary)> {
    let pages: Vec<Result<((String, String), Summary)>> = units
        .rows
        .par_iter()
        .map(|r| {
            if stop.load(Ordering::Relaxed) {
                return Err(Error::Usage("the report stopped".to_owned()));
            }
            let mut uw = Writer {
                opts,
                summary: Summary::default(),
                png: opts.unit_png,
            };
            let link = unit_page(&mut uw, r, y, &by_dept, &types_by_dept)?;
            Ok((link, uw.summary))
        })
        .collect();
    let mut links = Vec::with_capacity(pages.len());
    let mut summary = Summary::default();
    for page in pages {
        let (link, s) = page?;
        links.push(link);
        summary.add(&s);
    }
    Ok((links, summary))
}

/// A task spawned for the report, cancelled when the report stops before joining it (an error
/// elsewhere), so that it does not go on writing files.
struct Background<T>(tokio::task::JoinHandle<T>);

impl<T> Background<T> {
    /// Waits for the task; a panic in it is resumed here.
    async fn join(mut self) -> Result<T> {
        match (&mut self.0).await {
            Ok(v) => Ok(v),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Err(Error::Query(datafusion::error::DataFusionError::External(
                Box::new(e),
            ))),
        }
    }
}

impl<T> Drop for Background<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A per-department table (its first column the unit's name) with each unit's row numbers,
/// found once: filtering the whole table for every unit would be quadratic (16,000 units ×
/// 420,000 rows at 10 M risk points).
struct ByUnit<'a> {
    frame: &'a Frame,
    title: &'static str,
    rows: HashMap<&'a str, Vec<usize>>,
}

impl<'a> ByUnit<'a> {
    /// Each unit's rows in the frame's order, or, with `order`, sorted on those text columns
    /// (a unit's few dozen rows: cheaper than sorting the whole query's result on texts).
    fn new(frame: &'a Frame, title: &'static str, order: &[usize]) -> ByUnit<'a> {
        let mut rows: HashMap<&str, Vec<usize>> = HashMap::new();
        for i in 0..frame.len() {
            rows.entry(frame.text(0, i)).or_default().push(i);
        }
        if !order.is_empty() {
            for unit in rows.values_mut() {
                unit.sort_by(|&a, &b| {
                    order
                        .iter()
                        .map(|&c| frame.text(c, a).cmp(frame.text(c, b)))
                        .find(|o| o.is_ne())
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
            }
        }
        ByUnit { frame, title, rows }
    }

    /// The rows of one unit, as a table named `name`.
    fn of(&self, unit: &str, name: &str) -> Table {
        let rows = self.rows.get(unit).map(Vec::as_slice).unwrap_or_default();
        self.frame.table(name, self.title, rows.iter().copied())
    }
}

/// One unit's page (levels and risk types by department, its catalog files, a summary); returns
/// its link and name for the index.
fn unit_page(
    w: &mut Writer<'_>,
    r: &[Cell],
    y: i32,
    by_dept: &ByUnit<'_>,
    types_by_dept: &ByUnit<'_>,
) -> Result<(String, String)> {
    let opts = w.opts;
    let (id, name) = (r[0].display(0), r[1].display(0));
    let slug = unit_slug(&id);
    let mut page = Vec::new();
    let mut levels = by_dept.of(&name, &format!("levels-{slug}"));
    let csv = w.table(&mut levels, &["风险点数"], "")?;
    let fig = long_figure(
        &levels,
        Some(Kind::Stacked),
        ("部门", "风险等级", "风险点数"),
        (&format!("{name} {y} 年各部门风险等级"), "部门", "风险点数"),
    );
    page.push(section(
        w,
        &format!("levels-{slug}"),
        &levels,
        fig,
        csv,
        "",
    )?);
    let mut types = types_by_dept.of(&name, &format!("types-{slug}"));
    let csv = w.table(&mut types, &["风险点数"], "")?;
    let fig = long_figure(
        &types,
        None,
        ("部门", "风险类型", "风险点数"),
        (&format!("{name} {y} 年风险类型 × 部门"), "部门", "风险类型"),
    );
    page.push(section(w, &format!("types-{slug}"), &types, fig, csv, "")?);
    // The catalog task writes these files for every unit with rows in the catalog.
    let files: Vec<(String, String)> = if r[6].number().unwrap_or(0) > 0 {
        let (csv, xlsx) = catalog::file_names(&id);
        vec![
            (
                format!("../catalog/{csv}"),
                "廉政风险等级目录 (CSV)".to_owned(),
            ),
            (
                format!("../catalog/{xlsx}"),
                "廉政风险等级目录 (XLSX)".to_owned(),
            ),
        ]
    } else {
        Vec::new()
    };
    page.push(Section {
        id: "catalog".into(),
        title: "廉政风险等级目录 / risk-level catalog".into(),
        note: "按种子文件的列序：权力、类别、权力项目、权力依据、权力行使界限、廉政风险点、风险等级、防控措施、防控管理责任部门（或责任人）。".into(),
        svg: None,
        table_html: None,
        files,
    });
    let mut summary = Table {
        name: format!("summary-{slug}"),
        title: "概况 / summary".into(),
        columns: vec![
            "方案".into(),
            "部门数".into(),
            "风险点数".into(),
            "高等级风险点".into(),
        ],
        rows: vec![vec![r[2].clone(), r[4].clone(), r[3].clone(), r[5].clone()]],
    };
    let csv = w.table(&mut summary, &["部门数", "风险点数", "高等级风险点"], "")?;
    page.insert(0, section(w, "summary", &summary, None, csv, "")?);
    let dir = w.dir("units");
    let file = format!("{slug}.html");
    let html = html::page(
        &format!("{name} · {y} 年度廉政风险防控评估"),
        &page,
        opts,
        true,
    );
    w.write(&dir.join(&file), html.as_bytes())?;
    w.summary.units += 1;
    Ok((format!("units/{file}"), name))
}

fn section(
    w: &mut Writer<'_>,
    id: &str,
    t: &Table,
    fig: Option<Figure>,
    csv: (String, String),
    note: &str,
) -> Result<Section> {
    let mut files = vec![csv];
    let svg = match fig {
        Some(f) => {
            let (svg, links) = w.chart(id, &f)?;
            files.extend(links);
            Some(svg)
        }
        None => None,
    };
    Ok(Section {
        id: id.to_owned(),
        title: t.title.clone(),
        note: note.to_owned(),
        svg,
        table_html: Some(html::table(t, w.opts.k)),
        files,
    })
}

/// A wide table (a label column and count columns) as stacked bars.
fn wide_figure(t: &Table, x: &str, ys: &[&str], title: &str) -> Option<Figure> {
    let xi = t.col(x)?;
    if t.rows.is_empty() {
        return None;
    }
    Some(Figure::Chart(Chart {
        kind: Kind::Stacked,
        title: title.into(),
        x_label: x.into(),
        y_label: "风险点数".into(),
        categories: t.rows.iter().map(|r| r[xi].display(0)).collect(),
        series: ys
            .iter()
            .filter_map(|y| {
                let yi = t.col(y)?;
                Some(Series {
                    name: (*y).into(),
                    values: t
                        .rows
                        .iter()
                        .map(|r| r[yi].number().unwrap_or(0) as f64)
                        .collect(),
                })
            })
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::table::Cell;
    use super::*;

    /// A long table of (unit, level, rank, count) rows.
    fn long(rows: &[(&str, &str, i64, i64)]) -> Table {
        Table {
            name: "levels_by_unit".into(),
            title: "levels".into(),
            columns: ["unit", "level", "rank", "n"].map(String::from).to_vec(),
            rows: rows
                .iter()
                .map(|&(u, l, r, n)| {
                    vec![
                        Cell::Text(u.into()),
                        Cell::Text(l.into()),
                        Cell::Int(r),
                        Cell::Int(n),
                    ]
                })
                .collect(),
        }
    }

    fn figure(t: &Table) -> Option<Figure> {
        long_figure(
            t,
            Some(Kind::Stacked),
            ("unit", "level", "n"),
            ("title", "x", "y"),
        )
    }

    /// A frame of (unit, department, risk type, count) rows.
    fn frame(rows: &[(&str, &str, &str, i64)]) -> Frame {
        use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringViewArray};
        let text = |c: usize| -> ArrayRef {
            Arc::new(StringViewArray::from_iter_values(
                rows.iter().map(|r| [r.0, r.1, r.2][c]),
            ))
        };
        let batch = RecordBatch::try_from_iter([
            ("单位", text(0)),
            ("部门", text(1)),
            ("风险类型", text(2)),
            (
                "风险点数",
                Arc::new(rows.iter().map(|r| r.3).collect::<Int64Array>()) as ArrayRef,
            ),
        ])
        .expect("a batch");
        Frame::from_batches(&[batch]).expect("a frame")
    }

    #[test]
    fn each_units_rows_come_in_the_order_asked_for() {
        let f = frame(&[
            ("城关镇", "财政所", "制度机制", 1),
            ("河口乡", "办公室", "岗位职责", 2),
            ("城关镇", "办公室", "制度机制", 3),
            ("城关镇", "财政所", "岗位职责", 4),
            ("城关镇", "办公室", "岗位职责", 5),
        ]);
        let counts = |t: Table| -> Vec<Cell> { t.rows.into_iter().map(|r| r[3].clone()).collect() };
        let sorted = ByUnit::new(&f, "types", &[1, 2]);
        // By the bytes of UTF-8, as the query's ORDER BY compared them: 办 (E5 8A 9E) before
        // 财 (E8 B4 A2), 制 (E5 88 B6) before 岗 (E5 B2 97).
        assert_eq!(
            counts(sorted.of("城关镇", "t")),
            [3, 5, 1, 4].map(Cell::Int).to_vec()
        );
        assert_eq!(counts(sorted.of("河口乡", "t")), vec![Cell::Int(2)]);
        assert!(sorted.of("无此单位", "t").rows.is_empty());
        let as_queried = ByUnit::new(&f, "types", &[]);
        assert_eq!(
            counts(as_queried.of("城关镇", "t")),
            [1, 3, 4, 5].map(Cell::Int).to_vec()
        );
    }

    #[test]
    fn a_long_table_becomes_series_in_rank_order_with_sums() {
        let t = long(&[
            ("城关镇", "低", 3, 4),
            ("城关镇", "高", 1, 2),
            ("河口乡", "中", 2, 5),
            ("城关镇", "高", 1, 3),
        ]);
        let Some(Figure::Chart(c)) = figure(&t) else {
            panic!("a chart");
        };
        assert_eq!(c.categories, ["城关镇", "河口乡"]);
        let series: Vec<(&str, &[f64])> = c
            .series
            .iter()
            .map(|s| (s.name.as_str(), s.values.as_slice()))
            .collect();
        assert_eq!(
            series,
            [
                ("高", &[5.0, 0.0][..]),
                ("中", &[0.0, 5.0][..]),
                ("低", &[4.0, 0.0][..])
            ]
        );
    }

    #[test]
    fn too_many_categories_or_series_make_no_figure() {
        let names: Vec<String> = (0..=charts::MAX_CATEGORIES)
            .map(|i| i.to_string())
            .collect();
        let wide: Vec<(&str, &str, i64, i64)> =
            names.iter().map(|u| (u.as_str(), "高", 1, 1)).collect();
        assert!(figure(&long(&wide)).is_none());
        let tall: Vec<(&str, &str, i64, i64)> =
            names.iter().map(|l| ("城关镇", l.as_str(), 1, 1)).collect();
        assert!(figure(&long(&tall)).is_none());
        assert!(figure(&long(&wide[1..])).is_some());
        assert!(figure(&long(&[])).is_none());
    }
}
