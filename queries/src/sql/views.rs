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
            //
            // One aggregation does it: every risk point is counted twice, once in its own year
            // (side 0, the new side) and once in the next (side 1, the old side), so a group of
            // (year, risk point) holds both years' rows, and a side with no row is added or
            // removed. The same answer as a full outer join of one year's deduplicated risk points
            // with the next year's, but the join form computed that deduplication six times
            // (DataFusion inlines a common table expression at every use) and this form once.
            // Only rows of a year the department filed in along with the year before are
            // aggregated (the join with `pairs` before the grouping, not after: over three years a
            // third fewer rows and half the groups), and each side's values are taken with FILTER
            // rather than CASE, which copied every text column before the aggregation. The year is
            // the risk point's (`year + side`), not the pair's, so that `WHERE year = …` on the view
            // filters the risk points before the join and the aggregation. The years filed are
            // read from `submissions` (a department that filed an empty table filed; its risk
            // points of the year before are removed), a tenth of the rows of `risk_points`, so
            // that the planner makes `pairs` the join's build side, whose hash table cannot
            // spill: at 10 M risk points, the risk points as the build side needed 2 × 490 MB,
            // more than a session's memory limit.
            //
            // The names (scheme, unit, department) are not carried through the aggregation but
            // joined after it from `names`, one row per department and year: the new year's, or
            // the old year's for a removed risk point. As six `MIN … FILTER` texts per group they
            // were most of the aggregation's state, which spilled under the 1 GiB limit at 10 M
            // (19.2 s against 16.4 s now, one run each; the report's `yoy_by_unit` peaked at
            // 1.58 GiB against 1.26 GiB). DataFusion estimates far fewer changes than there are
            // (18,760 against 1.5 M at 10 M) and built the join's table on them (774 MB, over
            // the limit); one column passes through an `unnest`, whose size it does not
            // estimate, so it keeps `names` on the build side as written.
            "WITH pairs AS ( \
               SELECT unit_id, department_id, CAST(year + side AS INT) AS year \
               FROM (SELECT DISTINCT unit_id, department_id, year FROM submissions \
                     WHERE table_kind = 'department') \
                 CROSS JOIN (VALUES (0), (1)) AS s(side) \
               GROUP BY unit_id, department_id, year + side HAVING COUNT(*) = 2), \
             names AS ( \
               SELECT unit_id, department_id, year, MIN(scheme) AS scheme, \
                 MIN(unit_name) AS unit_name, MIN(department_name) AS department_name \
               FROM submissions WHERE table_kind = 'department' \
               GROUP BY unit_id, department_id, year), \
             g AS ( \
               SELECT CAST(r.year + r.side AS INT) AS year, r.unit_id, r.department_id, \
                 r.power_name, r.step_name, \
                 r.risk_point, \
                 MIN(r.level) FILTER (WHERE r.side = 1) AS old_level, \
                 MIN(r.level_name) FILTER (WHERE r.side = 1) AS old_level_name, \
                 MIN(r.rank) FILTER (WHERE r.side = 1) AS old_rank, \
                 MIN(r.level) FILTER (WHERE r.side = 0) AS new_level, \
                 MIN(r.level_name) FILTER (WHERE r.side = 0) AS new_level_name, \
                 MIN(r.rank) FILTER (WHERE r.side = 0) AS new_rank \
               FROM pairs p \
               JOIN ( \
                 SELECT *, 0 AS side FROM risk_points WHERE table_kind = 'department' \
                 UNION ALL \
                 SELECT *, 1 AS side FROM risk_points WHERE table_kind = 'department') r \
                 ON p.unit_id = r.unit_id AND p.department_id = r.department_id \
                 AND p.year = r.year + r.side \
               GROUP BY r.year + r.side, r.unit_id, r.department_id, r.power_name, r.step_name, \
                 r.risk_point) \
             SELECT g.year, CAST(g.year - 1 AS INT) AS previous_year, n.scheme, g.unit_id, \
               n.unit_name, g.department_id, n.department_name, g.power_name AS power, \
               g.step_name AS step, g.risk_point, \
               old_level, old_level_name, old_rank, new_level, new_level_name, new_rank, \
               CASE WHEN old_level IS NULL THEN 'added' \
                    WHEN new_level IS NULL THEN 'removed' \
                    WHEN new_rank < old_rank THEN 'upgraded' \
                    WHEN new_rank > old_rank THEN 'downgraded' \
                    ELSE 'regraded' END AS change \
             FROM names n JOIN ( \
               SELECT year, unit_id, department_id, power_name, step_name, risk_point, \
                 old_level, old_level_name, old_rank, new_level, new_level_name, \
                 unnest(make_array(new_rank)) AS new_rank FROM g) g \
               ON n.unit_id = g.unit_id AND n.department_id = g.department_id \
               AND n.year = CASE WHEN g.new_level IS NULL THEN g.year - 1 ELSE g.year END \
             WHERE old_level IS NULL OR new_level IS NULL OR old_level <> new_level \
               OR old_rank <> new_rank"
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
