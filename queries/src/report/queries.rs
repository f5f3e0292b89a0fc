//! Every query the report runs, written once.
//!
//! The report draws its sections from these, and the benchmark runs the same list alone (the
//! report's "bare queries", `query-suite --report`) to measure what the report adds to them. The
//! benchmark's DuckDB suite (queries/benches/compare/suite.sql) holds copies of the ones DuckDB
//! can run; a test below checks that the copies have not drifted.
//!
//! The counts by level and by risk type are counted from `risk_points` itself rather than summed
//! from the `level_counts` and `type_counts` views (the same numbers): the views group by eleven
//! columns first, and DataFusion does not fold two groupings into one, so at 1 M risk points
//! each such query took 90–130 ms against 25–30 ms counted directly.

use super::sql_str;

/// One query of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    /// Its name: the name of its CSV file and of its table.
    pub name: &'static str,
    /// The title of its table (Chinese / English).
    pub title: &'static str,
    /// The SQL, for the year and unit reported on.
    pub sql: String,
}

/// The report's queries for one year (and unit, and edition), one field per query.
#[derive(Debug, Clone)]
pub struct ReportQueries {
    /// Risk points by unit and severity (高/中/低).
    pub levels_by_unit: ReportQuery,
    /// Risk points by unit, department and the scheme's own level.
    pub levels_by_department: ReportQuery,
    /// Risk points by unit and risk type.
    pub types_by_unit: ReportQuery,
    /// Risk points lacking a line of defence, by unit and line.
    pub defence_gaps_by_unit: ReportQuery,
    /// Risk points added, removed, upgraded, downgraded since the year before, by unit.
    pub yoy_by_unit: ReportQuery,
    /// Tables on time, late and missing, by unit.
    pub completion_by_unit: ReportQuery,
    /// Department tables late or missing.
    pub late_tables: ReportQuery,
    /// The fifteen powers with the most high risks.
    pub top_powers: ReportQuery,
    /// Tables by unit and review state.
    pub review_status_by_unit: ReportQuery,
    /// Department tables with review steps refused.
    pub review_problems: ReportQuery,
    /// Yellow cards: by person, or counted by unit in the public edition.
    pub yellow_cards: ReportQuery,
    /// Graduated responses due, counted by unit.
    pub warnings_due_by_unit: ReportQuery,
    /// Graduated responses due, by person (not in the public edition).
    pub warnings_due: Option<ReportQuery>,
    /// Obligations overdue or met late, counted by unit.
    pub overdue_by_unit: ReportQuery,
    /// Obligations overdue or met late, by department.
    pub overdue: ReportQuery,
    /// The unit ratings and their caps.
    pub unit_ratings: ReportQuery,
    /// One row per unit: its name, scheme, counts (the unit pages).
    pub units: ReportQuery,
    /// Risk points by unit, department and risk type (the unit pages).
    pub types_by_department: ReportQuery,
    /// Every current risk point of a department table, ordered for the catalog files. The
    /// report runs it a range of units at a time ([`ReportQueries::catalog_range`]), with the
    /// same rows in the same order.
    pub catalog: ReportQuery,
    /// The catalog's query up to its `WHERE` clause's end: `catalog` without its order.
    catalog_rows: String,
    /// The catalog's `WHERE` clause: the year, and the unit if one is reported on.
    catalog_scope: String,
}

/// The catalog's order: by unit, then department, then table and row as submitted.
const CATALOG_ORDER: &str = " ORDER BY unit_id, department_name, hash, row_no";

const SEVERITY_ZH: &str =
    "CASE severity WHEN 'high' THEN '高' WHEN 'medium' THEN '中' ELSE '低' END";
const SEVERITY_ORDER: &str = "CASE severity WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END";
const CHANGE_ZH: &str = "CASE change WHEN 'added' THEN '新增' WHEN 'removed' THEN '删除' WHEN 'upgraded' THEN '升级' \
    WHEN 'downgraded' THEN '降级' ELSE '调整' END";
const STATE_ZH: &str = "CASE state WHEN 'submitted' THEN '已报送未确定' WHEN 'confirmed' THEN '已确定' \
    WHEN 'approved' THEN '已审定' WHEN 'published' THEN '已公示' ELSE '已备案' END";
const STATE_ORDER: &str = "CASE state WHEN 'submitted' THEN 1 WHEN 'confirmed' THEN 2 \
    WHEN 'approved' THEN 3 WHEN 'published' THEN 4 ELSE 5 END";
const STANDING_ZH: &str = "CASE standing WHEN 'overdue' THEN '逾期未办' ELSE '逾期办理' END";

impl ReportQueries {
    /// The queries for year `y`, only unit `unit` if given, and the public edition (公示) if
    /// `public`.
    pub fn new(y: i32, unit: Option<&str>, public: bool) -> ReportQueries {
        let unit = unit
            .map(|u| format!(" AND unit_id = {}", sql_str(u)))
            .unwrap_or_default();
        let q = |name, title, sql| ReportQuery { name, title, sql };
        let catalog_scope = format!("year = {y}{unit}");
        // With `public`, the responsible column names the role, not the person.
        let catalog_rows = format!(
            "SELECT unit_id, unit_name, scheme, department_name, power, category, item, basis, limits, risk_point, level, measures, \
               {} AS responsible \
             FROM (SELECT *, responsible_role AS responsible_role_name FROM risk_catalog) \
             WHERE {catalog_scope}",
            if public {
                "responsible_role_name"
            } else {
                "responsible"
            }
        );
        ReportQueries {
            levels_by_unit: q(
                "levels_by_unit",
                "各单位风险点等级分布 / risk points by level and unit",
                format!(
                    "SELECT unit_name AS 单位, {SEVERITY_ZH} AS 等级, COUNT(*) AS 风险点数, {SEVERITY_ORDER} AS rank \
                     FROM risk_points WHERE year = {y}{unit} GROUP BY unit_name, severity ORDER BY unit_name, rank"
                ),
            ),
            levels_by_department: q(
                "levels_by_department",
                "各部门风险点等级分布 / risk points by level and department",
                format!(
                    "SELECT unit_name AS 单位, department_name AS 部门, level_name AS 风险等级, COUNT(*) AS 风险点数, rank \
                     FROM risk_points WHERE year = {y}{unit} AND table_kind = 'department' \
                     GROUP BY unit_name, department_name, level_name, rank ORDER BY unit_name, department_name, rank"
                ),
            ),
            types_by_unit: q(
                "types_by_unit",
                "风险类型 × 单位 / risk type by unit",
                format!(
                    "SELECT unit_name AS 单位, risk_type_name AS 风险类型, COUNT(*) AS 风险点数 FROM risk_points \
                     WHERE year = {y}{unit} GROUP BY unit_name, risk_type_name ORDER BY unit_name, risk_type_name"
                ),
            ),
            defence_gaps_by_unit: q(
                "defence_gaps_by_unit",
                "三道防线缺项 / risk points lacking a line of defence",
                format!(
                    "SELECT unit_name AS 单位, '前期预防' AS 防线, SUM(CASE WHEN has_prevention THEN 0 ELSE 1 END) AS 缺项风险点 \
                       FROM defence_coverage WHERE year = {y}{unit} GROUP BY unit_name \
                     UNION ALL SELECT unit_name, '中期监控', SUM(CASE WHEN has_monitoring THEN 0 ELSE 1 END) \
                       FROM defence_coverage WHERE year = {y}{unit} GROUP BY unit_name \
                     UNION ALL SELECT unit_name, '后期处置', SUM(CASE WHEN has_disposal THEN 0 ELSE 1 END) \
                       FROM defence_coverage WHERE year = {y}{unit} GROUP BY unit_name \
                     ORDER BY 1, 2"
                ),
            ),
            yoy_by_unit: q(
                "yoy_by_unit",
                "较上年变化 / change from the previous year",
                format!(
                    "SELECT unit_name AS 单位, {CHANGE_ZH} AS 变化, COUNT(*) AS 风险点数 FROM yoy_changes \
                     WHERE year = {y}{unit} GROUP BY unit_name, change ORDER BY unit_name, change"
                ),
            ),
            completion_by_unit: q(
                "completion_by_unit",
                "按期报送情况 / tables on time, late, missing",
                format!(
                    "SELECT unit_name AS 单位, status AS 报送情况, COUNT(*) AS 表数 FROM ( \
                       SELECT unit_name, CASE WHEN late THEN '逾期' ELSE '按时' END AS status FROM submissions WHERE year = {y}{unit} \
                       UNION ALL SELECT unit_name, '未报' FROM late_tables WHERE year = {y}{unit} AND status = 'missing') \
                     GROUP BY unit_name, status ORDER BY unit_name, status"
                ),
            ),
            late_tables: q(
                "late_tables",
                "逾期与未报的表 / late and missing tables",
                format!(
                    "SELECT unit_name AS 单位, department_name AS 部门, table_kind AS 表, status AS 情况, \
                       CAST(deadline AS VARCHAR) AS 截止日, CAST(submitted_date AS VARCHAR) AS 报送日, days_late AS 逾期天数 \
                     FROM late_tables WHERE year = {y}{unit} AND table_kind = 'department' ORDER BY unit_name, department_name"
                ),
            ),
            // Counted by power and severity, then the severities spread into columns: the three
            // `CASE`s over every risk point took longer than the grouping (10 M risk points,
            // query-suite medians of seven runs: 161 ms against 110 ms).
            top_powers: q(
                "top_powers",
                "风险最集中的权力 / powers with the most and highest risks",
                format!(
                    "SELECT power_name AS 权力, SUM(n) AS 风险点数, SUM(CASE WHEN severity = 'high' THEN n ELSE 0 END) AS 高, \
                       SUM(CASE WHEN severity = 'medium' THEN n ELSE 0 END) AS 中, SUM(CASE WHEN severity = 'low' THEN n ELSE 0 END) AS 低 \
                     FROM (SELECT power_name, severity, COUNT(*) AS n FROM risk_points WHERE year = {y}{unit} GROUP BY power_name, severity) \
                     GROUP BY power_name ORDER BY 高 DESC, 风险点数 DESC, 权力 LIMIT 15"
                ),
            ),
            review_status_by_unit: q(
                "review_status_by_unit",
                "自查表审核进度 / where the tables stand in their review",
                format!(
                    "SELECT unit_name AS 单位, {STATE_ZH} AS 审核状态, COUNT(*) AS 表数, {STATE_ORDER} AS rank \
                     FROM table_status WHERE in_store AND NOT superseded AND year = {y}{unit} \
                     GROUP BY unit_name, state ORDER BY unit_name, rank"
                ),
            ),
            review_problems: q(
                "review_problems",
                "被拒绝的审核步骤 / review steps refused",
                format!(
                    "SELECT unit_name AS 单位, department_name AS 部门, {STATE_ZH} AS 审核状态, \
                       problems_zh AS 问题 \
                     FROM table_status WHERE in_store AND NOT superseded AND year = {y}{unit} \
                       AND table_kind = 'department' AND problems > 0 \
                     ORDER BY unit_name, department_name"
                ),
            ),
            yellow_cards: if public {
                q(
                    "yellow_cards_by_unit",
                    "廉政风险黄牌警告 / yellow cards",
                    format!(
                        "SELECT unit_name AS 单位, COUNT(*) AS 黄牌数 FROM yellow_cards \
                         WHERE year = {y}{unit} GROUP BY unit_name ORDER BY unit_name"
                    ),
                )
            } else {
                q(
                    "yellow_cards",
                    "廉政风险黄牌警告 / yellow cards",
                    format!(
                        "SELECT unit_name AS 单位, department AS 部门, person AS 人员, \
                           verified_reports AS 查实举报次数, reason_zh AS 理由 \
                         FROM yellow_cards WHERE year = {y}{unit} ORDER BY unit_name, department, person"
                    ),
                )
            },
            warnings_due_by_unit: q(
                "warnings_due_by_unit",
                "应采取的预警措施 / graduated responses due",
                format!(
                    "SELECT unit_name AS 单位, response_zh AS 措施, COUNT(*) AS 人数, \
                       CASE response WHEN 'warning-education' THEN 1 WHEN 'talk-and-rectification' THEN 2 ELSE 3 END AS rank \
                     FROM warnings_due WHERE year = {y} AND period = '{y}'{unit} \
                     GROUP BY unit_name, response, response_zh ORDER BY unit_name, rank"
                ),
            ),
            warnings_due: (!public).then(|| {
                q(
                    "warnings_due",
                    "预警措施明细 / graduated responses due, by person",
                    format!(
                        "SELECT unit_name AS 单位, department AS 部门, person AS 人员, period AS 期间, \
                           response_zh AS 措施, reason_zh AS 理由 \
                         FROM warnings_due WHERE year = {y}{unit} ORDER BY unit_name, person, period"
                    ),
                )
            }),
            overdue_by_unit: q(
                "overdue_by_unit",
                "逾期事项 / obligations overdue or met late",
                format!(
                    "SELECT unit_name AS 单位, {STANDING_ZH} AS 情况, COUNT(*) AS 事项数 \
                     FROM overdue WHERE year = {y}{unit} GROUP BY unit_name, standing ORDER BY unit_name, standing DESC"
                ),
            ),
            overdue: q(
                "overdue",
                "逾期事项明细 / overdue obligations by department",
                format!(
                    "SELECT unit_name AS 单位, department_name AS 部门, what AS 事项, CAST(due AS VARCHAR) AS 期限, \
                       CAST(done AS VARCHAR) AS 办理日, {STANDING_ZH} AS 情况, days_late AS 逾期天数 \
                     FROM overdue WHERE year = {y}{unit} ORDER BY unit_name, department_name, days_late DESC, obligation"
                ),
            ),
            unit_ratings: q(
                "unit_ratings",
                "党风廉政建设责任制考核等次 / unit ratings",
                format!(
                    "SELECT unit_name AS 单位, score AS 考核得分, cases AS 违规违纪案件, yellow_cards AS 黄牌数, \
                       CASE by_score WHEN 'good' THEN '好' WHEN 'fairly-good' THEN '较好' WHEN 'average' THEN '一般' ELSE '差' END AS 按得分, \
                       rating_zh AS 评定等次, {} AS 限制说明 \
                     FROM unit_ratings WHERE year = {y}{unit} ORDER BY unit_name",
                    if public {
                        // The reasons carry the counts; the edition for 公示 says which cap applied.
                        "CASE WHEN caps = '' THEN '' ELSE replace(replace(caps, 'yellow-card', '被给予黄牌警告，不能评为“好”'), 'case', '出现违规违纪案件，不能评为“好”') END"
                    } else {
                        "caps_zh"
                    }
                ),
            ),
            // catalog_rows: the unit's rows in risk_catalog (its department tables), so whether
            // the catalog task writes files for it. Grouped by department first, then by unit,
            // instead of `COUNT(DISTINCT department_id)`: the same answer in about half the time
            // at 10 M risk points (DataFusion kept a set of department ids per unit). The names
            // come from the unit's current tables of the year (`submissions`, a tenth of the
            // rows), brought into the last grouping by a `UNION ALL`; a join would run its two
            // sides one after the other. `MIN` of the names over every risk point read and
            // compared two more texts per row: 160-165 ms against 142-145 ms at 10 M (DuckDB 129
            // and 132). Only units with risk points in the year are kept (`departments > 0`).
            units: q(
                "units",
                "units",
                format!(
                    "SELECT unit_id, MIN(unit_name) AS unit_name, MIN(scheme) AS scheme, SUM(n) AS risk_points, \
                       COUNT(department_id) AS departments, SUM(high) AS high, SUM(catalog_rows) AS catalog_rows \
                     FROM (SELECT unit_id, department_id, CAST(NULL AS VARCHAR) AS unit_name, \
                         CAST(NULL AS VARCHAR) AS scheme, COUNT(*) AS n, \
                         SUM(CASE WHEN severity = 'high' THEN 1 ELSE 0 END) AS high, \
                         SUM(CASE WHEN table_kind = 'department' THEN 1 ELSE 0 END) AS catalog_rows \
                       FROM risk_points WHERE year = {y}{unit} GROUP BY unit_id, department_id \
                       UNION ALL SELECT unit_id, NULL, MIN(unit_name), MIN(scheme), NULL, NULL, NULL \
                       FROM submissions WHERE year = {y}{unit} GROUP BY unit_id) \
                     GROUP BY unit_id HAVING COUNT(department_id) > 0 ORDER BY unit_id"
                ),
            ),
            // Not ordered: only the unit pages read it, and each unit's rows are put in order
            // (department, risk type) by the report (`ByUnit`). Sorting all 548,000 rows on the
            // two texts was half the query at 10 M risk points (about 400 ms with the
            // `ORDER BY`, 190–220 ms without; DuckDB 343 and 230 ms).
            types_by_department: q(
                "types_by_department",
                "风险类型 × 部门",
                format!(
                    "SELECT unit_name AS 单位, department_name AS 部门, risk_type_name AS 风险类型, COUNT(*) AS 风险点数 \
                     FROM risk_points WHERE year = {y}{unit} AND table_kind = 'department' \
                     GROUP BY unit_name, department_name, risk_type_name"
                ),
            ),
            catalog: q(
                "catalog",
                "廉政风险等级目录 / risk-level catalog",
                format!("{catalog_rows}{CATALOG_ORDER}"),
            ),
            catalog_rows,
            catalog_scope,
        }
    }

    /// The catalog's rows of the units from `from` (included) to `to` (left out), either end
    /// open when `None`, in the catalog's order. The report sorts the catalog a range of units
    /// at a time: at 10 M risk points the whole catalog's sort (2.16 M rows of long texts) does
    /// not fit in the 1 GiB memory limit and spills to disk, while a range of 400,000 rows sorts
    /// in memory (see the report's catalog module, `report/catalog.rs`).
    pub fn catalog_range(&self, from: Option<&str>, to: Option<&str>) -> String {
        let mut sql = self.catalog_rows.clone();
        if let Some(from) = from {
            sql.push_str(&format!(" AND unit_id >= {}", sql_str(from)));
        }
        if let Some(to) = to {
            sql.push_str(&format!(" AND unit_id < {}", sql_str(to)));
        }
        sql.push_str(CATALOG_ORDER);
        sql
    }

    /// The catalog's rows per unit (`unit_id`, `n`), in unit order: where the ranges of
    /// [`ReportQueries::catalog_range`] come from.
    pub fn catalog_counts(&self) -> String {
        format!(
            "SELECT unit_id, COUNT(*) AS n FROM risk_catalog WHERE {} GROUP BY unit_id ORDER BY unit_id",
            self.catalog_scope
        )
    }

    /// Every query the report runs, the catalog last as in the report (which runs `units` and
    /// `types_by_department` early, to draw the unit pages alongside the other sections).
    pub fn all(&self) -> Vec<&ReportQuery> {
        let mut out = vec![
            &self.levels_by_unit,
            &self.levels_by_department,
            &self.types_by_unit,
            &self.defence_gaps_by_unit,
            &self.yoy_by_unit,
            &self.completion_by_unit,
            &self.late_tables,
            &self.top_powers,
            &self.review_status_by_unit,
            &self.review_problems,
            &self.yellow_cards,
            &self.warnings_due_by_unit,
        ];
        out.extend(&self.warnings_due);
        out.extend([
            &self.overdue_by_unit,
            &self.overdue,
            &self.unit_ratings,
            &self.units,
            &self.types_by_department,
            &self.catalog,
        ]);
        out
    }
}

/// The `(name, SQL)` sections of a query suite file (`queries/benches/compare/suite.sql`): each
/// starts at a `-- name: NAME` line; other comment lines are left out and the SQL is trimmed.
pub fn suite_sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("-- name:") {
            out.push((name.trim().to_owned(), String::new()));
        } else if let Some((_, sql)) = out.last_mut()
            && !line.trim_start().starts_with("--")
        {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    for (_, sql) in &mut out {
        *sql = sql.trim().to_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The benchmark's copy of the report's queries for DuckDB.
    const SUITE: &str = include_str!("../../benches/compare/suite.sql");

    fn words(sql: &str) -> String {
        sql.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// `report_NAME` sections of the suite, `{year}` as 2013.
    fn suite_report_queries() -> Vec<(String, String)> {
        suite_sections(SUITE)
            .into_iter()
            .filter_map(|(name, sql)| {
                let name = name.strip_prefix("report_")?.to_owned();
                Some((name, words(&sql.replace("{year}", "2013"))))
            })
            .collect()
    }

    #[test]
    fn the_benchmarks_copies_are_the_reports_queries() {
        let report = ReportQueries::new(2013, None, false);
        let all = report.all();
        let copies = suite_report_queries();
        assert!(copies.len() >= 10, "suite.sql lost its report queries");
        for (name, sql) in copies {
            let Some(q) = all.iter().find(|q| q.name == name) else {
                panic!("suite.sql has report_{name}, which the report does not run");
            };
            assert_eq!(sql, words(&q.sql), "report_{name} in suite.sql");
        }
    }

    #[test]
    fn every_query_has_its_own_name_and_names_the_year_and_unit() {
        for public in [false, true] {
            let report = ReportQueries::new(2031, Some("u'1"), public);
            let all = report.all();
            let mut names: Vec<&str> = all.iter().map(|q| q.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), all.len(), "a name is used twice");
            for q in &all {
                assert!(q.sql.contains("year = 2031"), "{} ignores the year", q.name);
                assert!(
                    q.sql.contains("unit_id = 'u''1'"),
                    "{} ignores the unit",
                    q.name
                );
            }
            assert_eq!(report.warnings_due.is_none(), public);
        }
    }

    #[test]
    fn the_catalog_in_ranges_is_the_catalog_with_bounds_on_the_unit() {
        let report = ReportQueries::new(2013, Some("u'1"), false);
        let whole = report.catalog_range(None, None);
        assert_eq!(whole, report.catalog.sql);
        let part = report.catalog_range(Some("a'b"), Some("c"));
        assert_eq!(
            part,
            report.catalog.sql.replace(
                " ORDER BY",
                " AND unit_id >= 'a''b' AND unit_id < 'c' ORDER BY"
            )
        );
        assert!(
            report
                .catalog_counts()
                .contains("year = 2013 AND unit_id = 'u''1'")
        );
    }

    #[test]
    fn the_public_edition_names_no_person() {
        let report = ReportQueries::new(2013, None, true);
        for q in report.all() {
            assert!(!q.sql.contains("person AS"), "{} names people", q.name);
        }
        assert!(
            report
                .catalog
                .sql
                .contains("responsible_role_name AS responsible")
        );
        assert!(!report.unit_ratings.sql.contains("caps_zh"));
    }
}
