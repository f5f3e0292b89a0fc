-- The annual-evaluation query suite, run as it is by Sunlight (DataFusion) and by DuckDB over the
-- same Parquet store: first every domain view in full, then the queries `sunlight report` runs
-- (copied from queries/src/report/queries.rs, where a test checks the copies; {year} is the year
-- evaluated). One exception: Sunlight runs report_catalog as the report does, its rows counted
-- per unit and then sorted a range of units at a time (report/catalog.rs, `parts`), all timed
-- as one query; the text here is the whole catalog as one query, which DuckDB runs, and
-- compare.sh --check compares the two answers.
-- In Sunlight the views are the session's own (queries/src/sql/views.rs); for DuckDB,
-- duckdb-views.sql defines the same views over the same files.

-- name: view_risk_catalog
SELECT * FROM risk_catalog
-- name: view_level_counts
SELECT * FROM level_counts
-- name: view_type_counts
SELECT * FROM type_counts
-- name: view_defence_coverage
SELECT * FROM defence_coverage
-- name: view_yoy_changes
SELECT * FROM yoy_changes
-- name: view_late_tables
SELECT * FROM late_tables

-- name: report_levels_by_unit
SELECT unit_name AS 单位, CASE severity WHEN 'high' THEN '高' WHEN 'medium' THEN '中' ELSE '低' END AS 等级,
  COUNT(*) AS 风险点数, CASE severity WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END AS rank
FROM risk_points WHERE year = {year} GROUP BY unit_name, severity ORDER BY unit_name, rank
-- name: report_levels_by_department
SELECT unit_name AS 单位, department_name AS 部门, level_name AS 风险等级, COUNT(*) AS 风险点数, rank
FROM risk_points WHERE year = {year} AND table_kind = 'department'
GROUP BY unit_name, department_name, level_name, rank ORDER BY unit_name, department_name, rank
-- name: report_types_by_unit
SELECT unit_name AS 单位, risk_type_name AS 风险类型, COUNT(*) AS 风险点数 FROM risk_points
WHERE year = {year} GROUP BY unit_name, risk_type_name ORDER BY unit_name, risk_type_name
-- name: report_defence_gaps_by_unit
SELECT unit_name AS 单位, '前期预防' AS 防线, SUM(CASE WHEN has_prevention THEN 0 ELSE 1 END) AS 缺项风险点
  FROM defence_coverage WHERE year = {year} GROUP BY unit_name
UNION ALL SELECT unit_name, '中期监控', SUM(CASE WHEN has_monitoring THEN 0 ELSE 1 END)
  FROM defence_coverage WHERE year = {year} GROUP BY unit_name
UNION ALL SELECT unit_name, '后期处置', SUM(CASE WHEN has_disposal THEN 0 ELSE 1 END)
  FROM defence_coverage WHERE year = {year} GROUP BY unit_name
ORDER BY 1, 2
-- name: report_yoy_by_unit
SELECT unit_name AS 单位, CASE change WHEN 'added' THEN '新增' WHEN 'removed' THEN '删除' WHEN 'upgraded' THEN '升级'
  WHEN 'downgraded' THEN '降级' ELSE '调整' END AS 变化, COUNT(*) AS 风险点数 FROM yoy_changes
WHERE year = {year} GROUP BY unit_name, change ORDER BY unit_name, change
-- name: report_completion_by_unit
SELECT unit_name AS 单位, status AS 报送情况, COUNT(*) AS 表数 FROM (
  SELECT unit_name, CASE WHEN late THEN '逾期' ELSE '按时' END AS status FROM submissions WHERE year = {year}
  UNION ALL SELECT unit_name, '未报' FROM late_tables WHERE year = {year} AND status = 'missing')
GROUP BY unit_name, status ORDER BY unit_name, status
-- name: report_late_tables
SELECT unit_name AS 单位, department_name AS 部门, table_kind AS 表, status AS 情况,
  CAST(deadline AS VARCHAR) AS 截止日, CAST(submitted_date AS VARCHAR) AS 报送日, days_late AS 逾期天数
FROM late_tables WHERE year = {year} AND table_kind = 'department' ORDER BY unit_name, department_name
-- name: report_top_powers
SELECT power_name AS 权力, SUM(n) AS 风险点数, SUM(CASE WHEN severity = 'high' THEN n ELSE 0 END) AS 高,
  SUM(CASE WHEN severity = 'medium' THEN n ELSE 0 END) AS 中, SUM(CASE WHEN severity = 'low' THEN n ELSE 0 END) AS 低
FROM (SELECT power_name, severity, COUNT(*) AS n FROM risk_points WHERE year = {year} GROUP BY power_name, severity)
GROUP BY power_name ORDER BY 高 DESC, 风险点数 DESC, 权力 LIMIT 15
-- name: report_catalog
SELECT unit_id, unit_name, scheme, department_name, power, category, item, basis, limits, risk_point, level, measures,
  responsible AS responsible
FROM (SELECT *, responsible_role AS responsible_role_name FROM risk_catalog)
WHERE year = {year} ORDER BY unit_id, department_name, hash, row_no
-- name: report_units
SELECT unit_id, MIN(unit_name) AS unit_name, MIN(scheme) AS scheme, SUM(n) AS risk_points,
  COUNT(department_id) AS departments, SUM(high) AS high, SUM(catalog_rows) AS catalog_rows
FROM (SELECT unit_id, department_id, CAST(NULL AS VARCHAR) AS unit_name,
    CAST(NULL AS VARCHAR) AS scheme, COUNT(*) AS n,
    SUM(CASE WHEN severity = 'high' THEN 1 ELSE 0 END) AS high,
    SUM(CASE WHEN table_kind = 'department' THEN 1 ELSE 0 END) AS catalog_rows
  FROM risk_points WHERE year = {year} GROUP BY unit_id, department_id
  UNION ALL SELECT unit_id, NULL, MIN(unit_name), MIN(scheme), NULL, NULL, NULL
  FROM submissions WHERE year = {year} GROUP BY unit_id)
GROUP BY unit_id HAVING COUNT(department_id) > 0 ORDER BY unit_id
-- name: report_types_by_department
SELECT unit_name AS 单位, department_name AS 部门, risk_type_name AS 风险类型, COUNT(*) AS 风险点数
FROM risk_points WHERE year = {year} AND table_kind = 'department'
GROUP BY unit_name, department_name, risk_type_name
