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
            // The risk point is grouped on two 64-bit hashes (`key_hash`, XXH3) of its unit,
            // department and three texts, in two orders, not on the texts and ids: they were the
            // aggregation's state (4.65 M groups at 10 M risk points; it spilled 1.5 GB under the
            // 1 GiB limit), and so were each side's level and level name as `MIN` texts (a
            // string per group and side: with only the texts hashed, 13 s and 1 GB spilled; with
            // this form, 1.6 s and no spill, EXPLAIN ANALYZE). Two different risk points would
            // have to share both hashes to be taken for one, a chance of about 2^-128 per pair.
            // The levels are carried as a hash of (level, level name) and named again from
            // `levels`, the few distinct pairs, so a side's level and name come from one row even
            // when a department lists a risk point twice in one year at two levels (in two
            // tables: validation refuses it within one; `yoy_changes.slt` has such a case).
            // `levels` is a lookup, so it may hold pairs no change uses: it reads
            // `risk_points_all` (no version lookup, no filter) and hashes the distinct pairs, not
            // every row: at 1 M risk points each of its two reads took about 45 ms of compute
            // against 270 ms when it read `risk_points` and hashed every row (EXPLAIN ANALYZE).
            //
            // Each group keeps one of its rows (the least hash of the row's table hash and row
            // number, the new year's if it has one), and only the changes, a third of the groups,
            // fetch their texts and ids back from that row, in a join on that hash, the row's year
            // and a hash of the department (a wrong match needs both hashes to collide). That
            // join's build side is the changes without texts or ids: the ids' string views kept
            // the aggregation's output buffers alive, and it counted 825 MB against 109 MB
            // without them.
            //
            // The risk points are read and hashed twice, once per side, in a union: pairing each
            // row with both sides by a cross join hashed them once (11.5 s against 14.7 s for
            // the whole view at 10 M, one run each), but then `WHERE year = …` on the view no
            // longer reached the scan, and the report's `yoy_by_unit` took 690 ms against 624 ms
            // at 1 M.
            //
            // The names (scheme, unit, department) are joined after the aggregation from
            // `names`, one row per department and year: the new year's, or the old year's for a
            // removed risk point. DataFusion estimates far fewer changes than there are (18,760
            // against 1.5 M at 10 M) and built that join's table on them (774 MB, over the
            // limit); one column passes through an `unnest`, whose size it does not estimate, so
            // it keeps `names` on the build side as written, and `levels` likewise (a right join).
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
             levels AS ( \
               SELECT key_hash(level, level_name) AS level_key, level, level_name \
               FROM (SELECT DISTINCT level, level_name FROM risk_points_all)), \
             keyed AS ( \
               SELECT unit_id, department_id, year, key_hash(level, level_name) AS level_key, \
                 rank, key_hash(unit_id, department_id, power_name, step_name, risk_point) AS k1, \
                 key_hash(risk_point, step_name, power_name, department_id, unit_id, 1) AS k2, \
                 key_hash(unit_id, department_id) AS department_key, \
                 key_hash(hash, row_no) AS row_key \
               FROM risk_points WHERE table_kind = 'department'), \
             g AS ( \
               SELECT CAST(r.year + r.side AS INT) AS year, \
                 MIN(r.department_key) AS department_key, \
                 MIN(r.level_key) FILTER (WHERE r.side = 1) AS old_level_key, \
                 MIN(r.rank) FILTER (WHERE r.side = 1) AS old_rank, \
                 MIN(r.level_key) FILTER (WHERE r.side = 0) AS new_level_key, \
                 MIN(r.rank) FILTER (WHERE r.side = 0) AS new_rank, \
                 MIN(r.row_key) FILTER (WHERE r.side = 0) AS new_key, \
                 MIN(r.row_key) FILTER (WHERE r.side = 1) AS old_key \
               FROM pairs p \
               JOIN (SELECT *, 0 AS side FROM keyed UNION ALL SELECT *, 1 AS side FROM keyed) r \
                 ON p.unit_id = r.unit_id AND p.department_id = r.department_id \
                 AND p.year = r.year + r.side \
               GROUP BY r.year + r.side, r.k1, r.k2), \
             changes AS ( \
               SELECT c.year, t.unit_id, t.department_id, t.power_name, t.step_name, \
                 t.risk_point, c.old_level_key, c.old_rank, c.new_level_key, \
                 unnest(make_array(c.new_rank)) AS new_rank \
               FROM (SELECT year, department_key, COALESCE(new_key, old_key) AS row_key, \
                       CASE WHEN new_key IS NULL THEN year - 1 ELSE year END AS row_year, \
                       old_level_key, old_rank, new_level_key, new_rank \
                     FROM g WHERE old_level_key IS NULL OR new_level_key IS NULL \
                       OR old_level_key <> new_level_key OR old_rank <> new_rank) c \
               JOIN (SELECT unit_id, department_id, year, \
                       key_hash(unit_id, department_id) AS department_key, \
                       key_hash(hash, row_no) AS row_key, power_name, step_name, risk_point \
                     FROM risk_points WHERE table_kind = 'department') t \
                 ON t.row_key = c.row_key AND t.department_key = c.department_key \
                 AND t.year = c.row_year) \
             SELECT g.year, CAST(g.year - 1 AS INT) AS previous_year, n.scheme, g.unit_id, \
               n.unit_name, g.department_id, n.department_name, g.power_name AS power, \
               g.step_name AS step, g.risk_point, \
               ol.level AS old_level, ol.level_name AS old_level_name, old_rank, \
               nl.level AS new_level, nl.level_name AS new_level_name, new_rank, \
               CASE WHEN old_level_key IS NULL THEN 'added' \
                    WHEN new_level_key IS NULL THEN 'removed' \
                    WHEN new_rank < old_rank THEN 'upgraded' \
                    WHEN new_rank > old_rank THEN 'downgraded' \
                    ELSE 'regraded' END AS change \
             FROM levels nl RIGHT JOIN (levels ol RIGHT JOIN (names n JOIN changes g \
               ON n.unit_id = g.unit_id AND n.department_id = g.department_id \
               AND n.year = CASE WHEN g.new_level_key IS NULL THEN g.year - 1 ELSE g.year END) \
               ON ol.level_key = g.old_level_key) ON nl.level_key = g.new_level_key"
                .to_owned(),
        ),
        (
            "late_tables",
            // Tables submitted after the scheme's table deadline, and department tables missing
            // in a year the department's unit filed for although the department filed the year
            // before. "Missing" is asked with NOT EXISTS, which reads only the keys of the next
            // year's submissions. A LEFT JOIN kept to its rows with `n.hash IS NULL` read every
            // submission's hash as well: at 1 M risk points the report's late tables took 36 ms
            // against 26, and its completion by unit 35 against 22 (queries/benches/compare).
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
             WHERE p.table_kind = 'department' AND NOT EXISTS (SELECT 1 FROM submissions n \
               WHERE n.unit_id = p.unit_id AND n.department_id = p.department_id \
               AND n.table_kind = p.table_kind AND n.period = p.period AND n.year = p.year + 1)"
                .to_owned(),
        ),
    ]
}
