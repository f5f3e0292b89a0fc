//! The domain views, as SQL. Each is registered on every session by [`super::register_store`].
//!
//! They read the *current* version of every table (`submissions`, `risk_points`, `measures`);
//! the history is in `submission_versions` and `risk_point_versions`.

/// Category ids → their Chinese names, as the catalogue prints them.
const CATEGORY_ZH: &str = "CASE power_category \
    WHEN 'licensing' THEN '行政许可' WHEN 'penalty' THEN '行政处罚' \
    WHEN 'approval' THEN '行政审批' WHEN 'enforcement' THEN '行政强制' \
    WHEN 'levy' THEN '行政征收' WHEN 'supervision' THEN '行政监督' \
    WHEN 'internal-management' THEN '内部管理' ELSE '其他' END";

/// `(name, SQL)` of every domain view, in the order they must be created.
pub fn definitions() -> Vec<(&'static str, String)> {
    vec![
        (
            "risk_catalog",
            // 廉政风险等级目录 (seeds 000, 003): one row per risk point of a department table, in
            // the seeds' column order after the unit and department.
            format!(
                "SELECT year, scheme, unit_id, unit_name, department_id, department_name, \
                   power_name AS power, {CATEGORY_ZH} AS category, power_item AS item, \
                   power_basis AS basis, power_limits AS limits, step_name AS step, \
                   risk_point, risk_type_name AS risk_type, level_name AS level, \
                   level AS level_id, rank, severity, measures_text AS measures, \
                   responsible, responsible_role, hash, row_no \
                 FROM risk_points WHERE table_kind = 'department'"
            ),
        ),
        (
            "level_counts",
            "SELECT year, unit_id, unit_name, department_id, department_name, scheme, table_kind, \
               level, level_name, rank, severity, COUNT(*) AS risk_points \
             FROM risk_points \
             GROUP BY year, unit_id, unit_name, department_id, department_name, scheme, table_kind, \
               level, level_name, rank, severity"
                .to_owned(),
        ),
        (
            "type_counts",
            "SELECT year, unit_id, unit_name, department_id, department_name, scheme, table_kind, \
               risk_type, risk_type_name, COUNT(*) AS risk_points \
             FROM risk_points \
             GROUP BY year, unit_id, unit_name, department_id, department_name, scheme, table_kind, \
               risk_type, risk_type_name"
                .to_owned(),
        ),
        (
            "defence_coverage",
            // 三道防线: every risk point that lacks a measure in at least one line.
            "SELECT year, scheme, unit_id, unit_name, department_id, department_name, table_kind, \
               hash, row_no, power_name AS power, step_name AS step, risk_point, level, level_name, \
               severity, measure_count, has_prevention, has_monitoring, has_disposal, \
               concat_ws('、', \
                 CASE WHEN NOT has_prevention THEN '前期预防' END, \
                 CASE WHEN NOT has_monitoring THEN '中期监控' END, \
                 CASE WHEN NOT has_disposal THEN '后期处置' END) AS missing_lines, \
               CAST(NOT has_prevention AS INT) + CAST(NOT has_monitoring AS INT) \
                 + CAST(NOT has_disposal AS INT) AS missing_count \
             FROM risk_points \
             WHERE NOT (has_prevention AND has_monitoring AND has_disposal)"
                .to_owned(),
        ),
        (
            "yoy_changes",
            // 动态管理: department-table risk points matched on unit, department, power, step and
            // risk point between consecutive years in which the department filed.
            "WITH k AS ( \
               SELECT year, unit_id, department_id, power_name, step_name, risk_point, \
                 MIN(scheme) AS scheme, MIN(unit_name) AS unit_name, \
                 MIN(department_name) AS department_name, MIN(rank) AS rank, \
                 MIN(level) AS level, MIN(level_name) AS level_name \
               FROM risk_points WHERE table_kind = 'department' \
               GROUP BY year, unit_id, department_id, power_name, step_name, risk_point), \
             filed AS (SELECT DISTINCT unit_id, department_id, year FROM k), \
             pairs AS ( \
               SELECT a.unit_id, a.department_id, a.year AS from_year, b.year AS to_year \
               FROM filed a JOIN filed b ON a.unit_id = b.unit_id \
                 AND a.department_id = b.department_id AND b.year = a.year + 1), \
             o AS ( \
               SELECT k.*, p.to_year FROM k JOIN pairs p ON k.unit_id = p.unit_id \
                 AND k.department_id = p.department_id AND k.year = p.from_year), \
             c AS ( \
               SELECT k.*, p.from_year FROM k JOIN pairs p ON k.unit_id = p.unit_id \
                 AND k.department_id = p.department_id AND k.year = p.to_year) \
             SELECT COALESCE(c.year, o.to_year) AS year, \
               COALESCE(c.from_year, o.year) AS previous_year, \
               COALESCE(c.scheme, o.scheme) AS scheme, \
               COALESCE(c.unit_id, o.unit_id) AS unit_id, \
               COALESCE(c.unit_name, o.unit_name) AS unit_name, \
               COALESCE(c.department_id, o.department_id) AS department_id, \
               COALESCE(c.department_name, o.department_name) AS department_name, \
               COALESCE(c.power_name, o.power_name) AS power, \
               COALESCE(c.step_name, o.step_name) AS step, \
               COALESCE(c.risk_point, o.risk_point) AS risk_point, \
               o.level AS old_level, o.level_name AS old_level_name, o.rank AS old_rank, \
               c.level AS new_level, c.level_name AS new_level_name, c.rank AS new_rank, \
               CASE WHEN o.risk_point IS NULL THEN 'added' \
                    WHEN c.risk_point IS NULL THEN 'removed' \
                    WHEN c.rank < o.rank THEN 'upgraded' \
                    WHEN c.rank > o.rank THEN 'downgraded' \
                    ELSE 'regraded' END AS change \
             FROM o FULL OUTER JOIN c ON o.to_year = c.year AND o.unit_id = c.unit_id \
               AND o.department_id = c.department_id AND o.power_name = c.power_name \
               AND o.step_name = c.step_name AND o.risk_point = c.risk_point \
             WHERE o.risk_point IS NULL OR c.risk_point IS NULL \
               OR o.level <> c.level OR o.rank <> c.rank"
                .to_owned(),
        ),
        (
            "late_tables",
            // Tables submitted after the scheme's table deadline, and department tables missing
            // in a year the department's unit filed for although the department filed the year
            // before.
            "SELECT year, scheme, unit_id, unit_name, department_id, department_name, table_kind, \
               person_id, period, 'late' AS status, deadline, submitted_date, \
               CAST(submitted_date AS INT) - CAST(deadline AS INT) AS days_late \
             FROM submissions WHERE submitted_date > deadline \
             UNION ALL \
             SELECT p.year + 1 AS year, p.scheme, p.unit_id, p.unit_name, p.department_id, \
               p.department_name, p.table_kind, p.person_id, p.period, 'missing' AS status, \
               table_deadline(p.scheme, p.year + 1) AS deadline, \
               CAST(NULL AS DATE) AS submitted_date, CAST(NULL AS INT) AS days_late \
             FROM submissions p \
             JOIN (SELECT unit_id, MAX(year) AS last_year FROM submissions GROUP BY unit_id) u \
               ON u.unit_id = p.unit_id AND p.year + 1 <= u.last_year \
             LEFT JOIN submissions n ON n.unit_id = p.unit_id \
               AND n.department_id = p.department_id AND n.table_kind = p.table_kind \
               AND n.period = p.period AND n.year = p.year + 1 \
             WHERE p.table_kind = 'department' AND n.hash IS NULL"
                .to_owned(),
        ),
    ]
}
