//! End to end: demo data → ingest → `sunlight report`, with the report's numbers checked against
//! the same numbers computed here from the submission files; hostile names only ever escaped; the
//! public edition without people's names and without small counts.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sunlight_core::{SelfCheckTable, Submission, Timestamp, presets};

const YEAR: i64 = 2013;

fn sunlight(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(args)
        .output()
        .expect("the sunlight binary runs");
    assert!(
        out.status.success() || (args[0] == "ingest" && out.status.code() == Some(1)),
        "sunlight {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn fresh(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("report-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Demo data ingested into a store; returns (data folder, store folder).
fn demo(dir: &Path) -> (PathBuf, PathBuf) {
    let data = dir.join("data");
    let store = dir.join("store");
    sunlight(&[
        "demo-data",
        "--out",
        s(&data),
        "--units",
        "2",
        "--years",
        "2012..2013",
        "--seed",
        "7",
    ]);
    sunlight(&[
        "ingest",
        s(&data.join("submissions")),
        s(&data.join("events")),
        "--store",
        s(&store),
        "--quiet",
    ]);
    (data, store)
}

/// Every submission in the files, keeping only the latest version of each table (as the store does).
fn current_submissions(folder: &Path) -> Vec<Value> {
    let files = walk(folder);
    let mut latest: HashMap<String, (i64, String, Value)> = HashMap::new();
    for f in files {
        for line in fs::read_to_string(&f)
            .expect("text")
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let v: Value = serde_json::from_str(line).expect("demo files are valid JSON");
            let person = v["person"]["id"].as_str().unwrap_or("").to_owned();
            let key = format!(
                "{}|{}|{}|{}|{}|{}|{}",
                v["scheme"],
                v["year"],
                v["period"],
                v["table"],
                v["unit"]["id"],
                v["department"]["id"],
                person
            );
            let at: Timestamp = v["submitted_at"]
                .as_str()
                .expect("time")
                .parse()
                .expect("valid time");
            let hash = v["hash"].as_str().expect("hash").to_owned();
            let newer = latest
                .get(&key)
                .is_none_or(|(t, h, _)| (at.unix_seconds(), &hash) > (*t, h));
            if newer {
                latest.insert(key, (at.unix_seconds(), hash, v));
            }
        }
    }
    latest.into_values().map(|(_, _, v)| v).collect()
}

/// `sunlight report` for [`YEAR`] from `store` into `out`, with extra arguments.
fn report(store: &Path, out: &Path, extra: &[&str]) {
    let year = YEAR.to_string();
    let mut args = vec![
        "report",
        "--store",
        s(store),
        "--year",
        &year,
        "--out",
        s(out),
    ];
    args.extend_from_slice(extra);
    sunlight(&args);
}

/// The text of every part of an XLSX workbook (a zip of XML files), one after another.
fn xlsx_text(p: &Path) -> String {
    let file = fs::File::open(p).expect("workbook");
    let mut zip = zip::ZipArchive::new(file).expect("a zip");
    let mut text = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("a part");
        std::io::Read::read_to_string(&mut part, &mut text).expect("UTF-8 XML");
    }
    assert!(
        text.contains("<worksheet"),
        "{} holds no worksheet",
        p.display()
    );
    text
}

/// A part of a workbook's zip as text; empty if it has no such part.
fn xlsx_part(zip: &mut zip::ZipArchive<fs::File>, name: &str) -> String {
    let mut text = String::new();
    if let Ok(mut part) = zip.by_name(name) {
        std::io::Read::read_to_string(&mut part, &mut text).expect("UTF-8 XML");
    }
    text
}

/// XML character data as text: the five entities, and Excel's `_xHHHH_` escapes.
fn xml_text(s: &str) -> String {
    let s = s
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    let mut out = String::new();
    let mut rest = s.as_str();
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let code = rest
            .get(at + 2..at + 6)
            .filter(|_| rest.get(at + 6..at + 7) == Some("_"));
        match code
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32)
        {
            Some(c) => {
                out.push(c);
                rest = &rest[at + 7..];
            }
            None => {
                out.push_str("_x");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of the first `<t>` element in `xml`, or "" if none.
fn first_t(xml: &str) -> String {
    let Some(open) = xml.find("<t") else {
        return String::new();
    };
    let body = &xml[open..];
    let (Some(start), Some(end)) = (body.find('>'), body.find("</t>")) else {
        return String::new();
    };
    xml_text(&body[start + 1..end])
}

/// Every row of every sheet of a workbook written by the report, as texts: a reader of the
/// little XLSX the report writes (shared strings by number, inline strings, cells in order).
fn xlsx_rows(p: &Path) -> Vec<Vec<String>> {
    let file = fs::File::open(p).expect("workbook");
    let mut zip = zip::ZipArchive::new(file).expect("a zip");
    let sst = xlsx_part(&mut zip, "xl/sharedStrings.xml");
    let shared: Vec<String> = sst.split("<si>").skip(1).map(first_t).collect();
    let mut rows = Vec::new();
    for n in 1.. {
        let sheet = xlsx_part(&mut zip, &format!("xl/worksheets/sheet{n}.xml"));
        if sheet.is_empty() {
            break;
        }
        for row in sheet.split("<row ").skip(1) {
            let mut cells = Vec::new();
            for cell in row.split("<c").skip(1) {
                if cell.starts_with(r#" t="s">"#) {
                    let v = &cell[cell.find("<v>").expect("a value") + 3
                        ..cell.find("</v>").expect("a value")];
                    let i: usize = v.parse().expect("a string's number");
                    cells.push(shared.get(i).cloned().expect("a shared string"));
                } else {
                    cells.push(first_t(cell));
                }
            }
            rows.push(cells);
        }
    }
    rows
}

/// The records of a CSV file as the report writes it (RFC 4180: quoted fields, `""` for a
/// quote, CRLF), its byte-order mark dropped, read by the `csv` crate.
fn csv_records(path: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            r.iter().map(str::to_owned).collect()
        })
        .collect()
}

/// Each unit's catalog workbook holds the rows of its CSV, every text the same (the CSV's
/// `'` before a formula-like text aside); returns the rows compared.
fn catalog_workbooks_match_their_csv(catalog: &Path) -> usize {
    let mut compared = 0;
    for p in walk(catalog) {
        if p.extension().is_none_or(|x| x != "csv") {
            continue;
        }
        let book = xlsx_rows(&p.with_extension("xlsx"));
        let records: Vec<Vec<String>> = csv_records(&p)
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|f| match f.strip_prefix('\'') {
                        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_owned(),
                        _ => f,
                    })
                    .collect()
            })
            .collect();
        assert_eq!(book, records, "{} and its workbook", p.display());
        compared += records.len();
    }
    compared
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files
}

fn csv(path: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

#[test]
fn report_numbers_match_an_independent_count() {
    let dir = fresh("numbers");
    let (data, store) = demo(&dir);
    let out = dir.join("report");
    report(&store, &out, &[]);

    let registry = presets::registry();
    let mut by_unit: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut by_dept: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    // Risk points by power: all, high, medium, low.
    let mut by_power: BTreeMap<String, [i64; 4]> = BTreeMap::new();
    // Department-table risk points by unit id, and the departments counted.
    let mut catalog_of: BTreeMap<String, (i64, BTreeMap<String, i64>)> = BTreeMap::new();
    for v in current_submissions(&data.join("submissions"))
        .iter()
        .filter(|v| v["year"].as_i64() == Some(YEAR))
    {
        let scheme = registry
            .get(v["scheme"].as_str().expect("scheme"))
            .expect("preset");
        let unit = v["unit"]["name"].as_str().expect("unit").to_owned();
        for row in v["rows"].as_array().expect("rows") {
            let level = scheme
                .level(row["level"].as_str().expect("level"))
                .expect("known level");
            let sev = match level.severity {
                sunlight_core::Severity::High => "高",
                sunlight_core::Severity::Medium => "中",
                sunlight_core::Severity::Low => "低",
            };
            *by_unit.entry((unit.clone(), sev.to_owned())).or_default() += 1;
            let power = row["power"]["name"].as_str().expect("power").to_owned();
            let counts = by_power.entry(power).or_default();
            counts[0] += 1;
            counts[match level.severity {
                sunlight_core::Severity::High => 1,
                sunlight_core::Severity::Medium => 2,
                sunlight_core::Severity::Low => 3,
            }] += 1;
            if v["table"] == "department" {
                let dept = v["department"]["name"].as_str().expect("dept").to_owned();
                let id = v["unit"]["id"].as_str().expect("unit id").to_owned();
                let c = catalog_of.entry(id).or_default();
                c.0 += 1;
                *c.1.entry(dept.clone()).or_default() += 1;
                *by_dept
                    .entry((unit.clone(), dept, level.name.zh.clone()))
                    .or_default() += 1;
            }
        }
    }
    assert!(!by_unit.is_empty(), "the demo data has {YEAR} submissions");

    let rows = csv(&out.join("tables/levels_by_unit.csv"));
    assert_eq!(rows[0][..3], ["单位", "等级", "风险点数"]);
    let report: BTreeMap<(String, String), i64> = rows[1..]
        .iter()
        .map(|r| ((r[0].clone(), r[1].clone()), r[2].parse().expect("a count")))
        .collect();
    assert_eq!(report, by_unit, "levels by unit");

    let rows = csv(&out.join("tables/levels_by_department.csv"));
    let report: BTreeMap<(String, String, String), i64> = rows[1..]
        .iter()
        .map(|r| {
            (
                (r[0].clone(), r[1].clone(), r[2].clone()),
                r[3].parse().expect("a count"),
            )
        })
        .collect();
    assert_eq!(report, by_dept, "levels by department");

    // The fifteen powers with the most high risks, then the most risks, then by name.
    let mut powers: Vec<(String, [i64; 4])> = by_power.into_iter().collect();
    powers.sort_by(|(a, x), (b, y)| y[1].cmp(&x[1]).then(y[0].cmp(&x[0])).then(a.cmp(b)));
    powers.truncate(15);
    let rows = csv(&out.join("tables/top_powers.csv"));
    assert_eq!(rows[0], ["权力", "风险点数", "高", "中", "低"]);
    let report: Vec<(String, [i64; 4])> = rows[1..]
        .iter()
        .map(|r| {
            let n = |i: usize| r[i].parse::<i64>().expect("a count");
            (r[0].clone(), [n(1), n(2), n(3), n(4)])
        })
        .collect();
    assert_eq!(report, powers, "top powers");

    // Every unit has a page and a catalog with one row per department-table risk point.
    let html = fs::read_to_string(out.join("index.html")).expect("index");
    assert!(html.contains("<svg") && html.contains("年度廉政风险防控评估报告"));
    for ((unit, _, _), _) in by_dept.iter().take(1) {
        assert!(html.contains(unit.as_str()));
    }
    let catalog_rows: usize = fs::read_dir(out.join("catalog"))
        .expect("catalog")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "csv"))
        .map(|e| csv(&e.path()).len() - 1)
        .sum();
    assert_eq!(
        catalog_rows as i64,
        by_dept.values().sum::<i64>(),
        "catalog rows = department-table risk points"
    );
    // Each unit's file holds its own rows (the units are written on several threads).
    assert!(catalog_of.len() > 1, "the demo data has several units");
    for (id, (rows, depts)) in &catalog_of {
        let file = out.join(format!("catalog/catalog-{id}.csv"));
        let lines = csv(&file);
        assert_eq!(lines.len() as i64 - 1, *rows, "rows of {}", file.display());
        let mut seen: BTreeMap<String, i64> = BTreeMap::new();
        for l in &lines[1..] {
            *seen.entry(l[0].clone()).or_default() += 1;
        }
        assert_eq!(&seen, depts, "departments of {}", file.display());
    }
    assert_eq!(
        catalog_workbooks_match_their_csv(&out.join("catalog")) as i64,
        by_dept.values().sum::<i64>() + catalog_of.len() as i64,
        "every catalog row and header compared"
    );
    for png in ["levels.png", "types.png", "completion.png"] {
        let bytes = fs::read(out.join("charts").join(png)).expect("chart");
        assert!(bytes.starts_with(b"\x89PNG"), "{png} is a PNG");
    }

    // The unit pages' charts are SVG files (and inline), and PNG files too only when asked for.
    let unit_charts = |out: &Path, ext: &str| -> Vec<PathBuf> {
        walk(&out.join("charts"))
            .into_iter()
            .filter(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                name.is_some_and(|n| {
                    (n.starts_with("levels-") || n.starts_with("types-")) && n.ends_with(ext)
                })
            })
            .collect()
    };
    let unit_pages = |out: &Path| -> String {
        walk(&out.join("units"))
            .iter()
            .map(|p| fs::read_to_string(p).expect("unit page"))
            .collect()
    };
    let svgs = unit_charts(&out, ".svg").len();
    assert!(svgs > 1, "the unit pages' charts as SVG");
    assert!(
        unit_charts(&out, ".png").is_empty(),
        "no unit PNG by default"
    );
    let pages = unit_pages(&out);
    assert!(pages.contains(".svg\"") && !pages.contains(".png\""));
    let with_png = dir.join("report-unit-png");
    crate::report(&store, &with_png, &["--unit-png"]);
    let pngs = unit_charts(&with_png, ".png");
    assert_eq!(pngs.len(), svgs, "a PNG beside each unit chart's SVG");
    for p in &pngs {
        let bytes = fs::read(p).expect("unit chart");
        assert!(bytes.starts_with(b"\x89PNG"), "{} is a PNG", p.display());
    }
    assert!(
        unit_pages(&with_png).contains(".png\""),
        "the unit pages link their PNGs"
    );
}

#[test]
fn hostile_names_appear_only_escaped() {
    let dir = fresh("hostile");
    let base = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/good-tables/town-2012.json"
    ))
    .expect("fixture");
    let evil = [
        "<script>alert('x')</script>",
        "\"双引号\" & 'single' <b>",
        "\u{202e}右到左\u{200f}标记",
        "🙂表情😀部门",
        &"很长的名称".repeat(40),
    ];
    let mut lines = String::new();
    for (i, name) in evil.iter().enumerate() {
        let mut t = SelfCheckTable::from_json(&base).expect("fixture");
        t.year = YEAR;
        t.unit.id = format!("evil-{i}");
        t.unit.name = (*name).chars().take(200).collect();
        t.department.name = (*name).chars().take(200).collect();
        t.rows[0].risk_point = format!("{name}<img src=x onerror=alert(1)>");
        t.rows[0].power.name = format!("<iframe>{i}");
        let sub = Submission::finalize(presets::registry(), t, "2013-08-01T09:00:00+08:00")
            .expect("valid");
        lines.push_str(&sub.to_json().expect("json"));
        lines.push('\n');
    }
    let file = dir.join("evil.ndjson");
    fs::write(&file, lines).expect("write");
    let store = dir.join("store");
    sunlight(&["ingest", s(&file), "--store", s(&store), "--quiet"]);
    let out = dir.join("report");
    report(&store, &out, &[]);
    let mut checked = 0;
    for p in walk(&out) {
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        if ext != "html" && ext != "svg" {
            continue;
        }
        let text = fs::read_to_string(&p).expect("text");
        for raw in ["<script", "<img", "<iframe", "<b>", "onerror=alert(1)>"] {
            assert!(!text.contains(raw), "{} contains raw {raw}", p.display());
        }
        checked += 1;
    }
    assert!(checked > 5, "html and svg files were checked");
    let index = fs::read_to_string(out.join("index.html")).expect("index");
    assert!(
        index.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "the name is there, escaped"
    );
    assert!(index.contains("&quot;双引号&quot; &amp; &#39;single&#39; &lt;b&gt;"));
    assert!(index.contains("🙂表情😀部门") && index.contains("右到左"));
    let svg = fs::read_to_string(out.join("charts/levels.svg")).expect("svg");
    assert!(
        svg.contains("&lt;script&gt;"),
        "chart labels are escaped too"
    );
    // The workbooks give the hostile texts back as they were.
    assert!(catalog_workbooks_match_their_csv(&out.join("catalog")) > evil.len());
}

#[test]
fn the_public_edition_names_nobody_and_withholds_small_counts() {
    let dir = fresh("public");
    let (data, store) = demo(&dir);
    let out = dir.join("public");
    let k = 3;
    report(&store, &out, &["--public", "--k", &k.to_string()]);
    // People's names, and their ids (which the supervision views key on).
    let names: Vec<String> = current_submissions(&data.join("submissions"))
        .iter()
        .flat_map(|v| {
            [
                v["person"]["name"].as_str().map(str::to_owned),
                v["person"]["id"].as_str().map(str::to_owned),
            ]
        })
        .flatten()
        .collect();
    assert!(
        !names.is_empty(),
        "the demo data has personal tables with names"
    );
    let counts = [
        "风险点数",
        "缺项风险点",
        "表数",
        "高",
        "中",
        "低",
        "部门数",
        "高等级风险点",
        "黄牌数",
        "人数",
        "事项数",
        "违规违纪案件",
    ];
    let (mut files, mut withheld) = (0, 0);
    for p in walk(&out) {
        files += 1;
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        if ext == "png" {
            continue;
        }
        let text = if ext == "xlsx" {
            xlsx_text(&p)
        } else {
            fs::read_to_string(&p).expect("text")
        };
        for n in &names {
            assert!(!text.contains(n.as_str()), "{} names {n}", p.display());
        }
        if ext == "csv" && p.parent().is_some_and(|d| d.ends_with("tables")) {
            let rows = csv(&p);
            for (c, header) in rows[0].iter().enumerate() {
                if !counts.contains(&header.as_str()) {
                    continue;
                }
                for r in &rows[1..] {
                    let cell = &r[c];
                    if cell == &format!("<{k}") {
                        withheld += 1;
                        continue;
                    }
                    let n: i64 = cell
                        .parse()
                        .unwrap_or_else(|_| panic!("{}: '{cell}' in {header}", p.display()));
                    assert!(
                        n == 0 || n >= k,
                        "{}: {header} = {n} is under k = {k}",
                        p.display()
                    );
                }
            }
        }
    }
    assert!(
        files > 20 && withheld > 0,
        "{files} files, {withheld} withheld cells: the check had something to find"
    );
}

/// The supervision section reads the supervision views: as many rows in its CSV tables as the
/// views hold for the year, and every section present on the page.
#[test]
fn the_supervision_section_reports_the_views() {
    let dir = fresh("supervision");
    let (_, store) = demo(&dir);
    let out = dir.join("report");
    report(&store, &out, &[]);
    let count = |sql: &str| -> usize {
        let o = sunlight(&["sql", "--store", s(&store), "--format", "csv", sql]);
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        text.lines()
            .nth(1)
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("{sql}: {text}"))
    };
    for (file, sql) in [
        (
            "unit_ratings",
            format!("SELECT COUNT(*) AS n FROM unit_ratings WHERE year = {YEAR}"),
        ),
        (
            "yellow_cards",
            format!("SELECT COUNT(*) AS n FROM yellow_cards WHERE year = {YEAR}"),
        ),
        (
            "overdue",
            format!("SELECT COUNT(*) AS n FROM overdue WHERE year = {YEAR}"),
        ),
        (
            "warnings_due",
            format!("SELECT COUNT(*) AS n FROM warnings_due WHERE year = {YEAR}"),
        ),
    ] {
        let rows = csv(&out.join("tables").join(format!("{file}.csv"))).len() - 1;
        assert_eq!(rows, count(&sql), "{file}");
    }
    assert!(
        count(&format!(
            "SELECT COUNT(*) AS n FROM unit_ratings WHERE year = {YEAR}"
        )) > 0,
        "the demo data has assessment scores"
    );
    let index = fs::read_to_string(out.join("index.html")).expect("index");
    for title in [
        "自查表审核进度",
        "廉政风险黄牌警告",
        "应采取的预警措施",
        "逾期事项",
        "党风廉政建设责任制考核等次",
    ] {
        assert!(index.contains(title), "{title} missing");
    }
}

#[test]
fn the_catalog_in_ranges_of_units_is_the_whole_catalog_in_order() {
    use sunlight_queries::report::{ReportQueries, catalog_parts};
    let dir = fresh("catalog-parts");
    let (_, store) = demo(&dir);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let ctx = rt
        .block_on(sunlight_queries::sql::session(&store))
        .expect("the store opens");
    for public in [false, true] {
        let q = ReportQueries::new(YEAR as i32, None, public);
        let whole = common::query(&store, &q.catalog.sql);
        assert!(
            whole.len() > 500,
            "the demo's catalog has {} rows",
            whole.len()
        );
        // Ranges of at most 100 rows (a unit with more alone): one query per unit here.
        let parts = rt
            .block_on(catalog_parts(&ctx, &q, 100))
            .expect("the catalog's ranges");
        assert!(parts.len() >= 8, "{} parts", parts.len());
        let joined: Vec<Vec<String>> = parts
            .iter()
            .flat_map(|p| common::query(&store, p))
            .collect();
        assert_eq!(joined, whole, "public: {public}");
        // The report's size: one range, the whole catalog.
        let parts = rt
            .block_on(catalog_parts(&ctx, &q, u64::MAX))
            .expect("the catalog's ranges");
        assert_eq!(parts, vec![q.catalog.sql.clone()]);
    }
}
