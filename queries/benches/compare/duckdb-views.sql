-- Sunlight's session (queries/src/sql/mod.rs) and domain views (queries/src/sql/views.rs) in
-- DuckDB's SQL, over the store's Parquet files as the manifest lists them. duckdb_suite.py fills
-- in {submissions_files}, {risk_points_files}, {measures_files}. Small tables, as in Sunlight:
--   multi_versions, superseded_hashes  made at session open, as Sunlight does (the same queries);
--   superseded_keys                    their hash_key, when the manifest says every file has one:
--                                      then risk_points and measures filter on it, as Sunlight's
--                                      views do (duckdb_suite.py fills in {current_filter});
--   deadlines(scheme, year, deadline)  what the core's table_deadline(scheme, year) returns for
--                                      every scheme and year in the store plus one, computed by
--                                      `sunlight sql` (DuckDB cannot call the core).
-- The views are the same SQL as views.rs but for yoy_changes: DuckDB gets the join form that
-- views.rs had before (a full outer join of one year's deduplicated risk points with the next
-- year's), which DuckDB runs 2.5 times faster than the single-aggregation form Sunlight now uses
-- (it materialises the common table expression; DataFusion inlines it at each of its six uses).
-- Both give the same rows. And late_tables: DuckDB keeps the LEFT JOIN whose unmatched rows
-- (`n.hash IS NULL`) are the missing tables, where views.rs asks NOT EXISTS, which DataFusion
-- runs in 26 ms against 36 (it reads no hash) and DuckDB in 59 against 38 (1 M risk points,
-- report_late_tables). Keep the views in step: the bench smoke stage compares the answers.
-- Differences in spelling only: DuckDB subtracts dates directly (DataFusion casts them to days).

-- name: submissions_all
CREATE VIEW submissions_all AS SELECT * FROM read_parquet({submissions_files});
-- name: risk_points_all
CREATE VIEW risk_points_all AS SELECT * FROM read_parquet({risk_points_files});
-- name: measures_all
CREATE VIEW measures_all AS SELECT * FROM read_parquet({measures_files});
-- name: multi_versions
CREATE TEMP TABLE multi_versions AS SELECT hash,
  CAST(ROW_NUMBER() OVER (PARTITION BY table_key ORDER BY submitted_at, hash) AS INT) AS version,
  ROW_NUMBER() OVER (PARTITION BY table_key ORDER BY submitted_at DESC, hash DESC) > 1 AS superseded
FROM submissions_all
WHERE table_key IN (SELECT table_key FROM submissions_all GROUP BY table_key HAVING COUNT(*) > 1);
-- name: submission_versions
CREATE VIEW submission_versions AS SELECT s.*,
  CAST(COALESCE(v.version, 1) AS INT) AS version, COALESCE(v.superseded, false) AS superseded
FROM submissions_all s LEFT JOIN multi_versions v ON s.hash = v.hash;
-- name: superseded_hashes
CREATE TEMP TABLE superseded_hashes AS SELECT hash FROM multi_versions WHERE superseded;
-- name: submissions
CREATE VIEW submissions AS SELECT * FROM submission_versions WHERE NOT superseded;
-- name: risk_points
CREATE VIEW risk_points AS SELECT * FROM risk_points_all {current_filter};
-- name: measures
CREATE VIEW measures AS SELECT * FROM measures_all {current_filter};

-- name: risk_catalog
CREATE VIEW risk_catalog AS
SELECT year, scheme, unit_id, unit_name, department_id, department_name,
  power_name AS power, CASE power_category
    WHEN 'licensing' THEN '行政许可' WHEN 'penalty' THEN '行政处罚'
    WHEN 'approval' THEN '行政审批' WHEN 'enforcement' THEN '行政强制'
    WHEN 'levy' THEN '行政征收' WHEN 'supervision' THEN '行政监督'
    WHEN 'internal-management' THEN '内部管理' ELSE '其他' END AS category, power_item AS item,
  power_basis AS basis, power_limits AS limits, step_name AS step,
  risk_point, risk_type_name AS risk_type, level_name AS level,
  level AS level_id, rank, severity, measures_text AS measures,
  responsible, responsible_role, hash, row_no
FROM risk_points WHERE table_kind = 'department';

-- name: level_counts
CREATE VIEW level_counts AS
SELECT year, unit_id, unit_name, department_id, department_name, scheme, table_kind,
  level, level_name, rank, severity, COUNT(*) AS risk_points
FROM risk_points
GROUP BY year, unit_id, unit_name, department_id, department_name, scheme, table_kind,
  level, level_name, rank, severity;

-- name: type_counts
CREATE VIEW type_counts AS
SELECT year, unit_id, unit_name, department_id, department_name, scheme, table_kind,
  risk_type, risk_type_name, COUNT(*) AS risk_points
FROM risk_points
GROUP BY year, unit_id, unit_name, department_id, department_name, scheme, table_kind,
  risk_type, risk_type_name;

-- name: defence_coverage
CREATE VIEW defence_coverage AS
SELECT year, scheme, unit_id, unit_name, department_id, department_name, table_kind,
  hash, row_no, power_name AS power, step_name AS step, risk_point, level, level_name,
  severity, measure_count, has_prevention, has_monitoring, has_disposal,
  concat_ws('、',
    CASE WHEN NOT has_prevention THEN '前期预防' END,
    CASE WHEN NOT has_monitoring THEN '中期监控' END,
    CASE WHEN NOT has_disposal THEN '后期处置' END) AS missing_lines,
  CAST(NOT has_prevention AS INT) + CAST(NOT has_monitoring AS INT)
    + CAST(NOT has_disposal AS INT) AS missing_count
FROM risk_points
WHERE NOT (has_prevention AND has_monitoring AND has_disposal);

-- name: yoy_changes
CREATE VIEW yoy_changes AS
WITH k AS (
  SELECT year, unit_id, department_id, power_name, step_name, risk_point,
    MIN(scheme) AS scheme, MIN(unit_name) AS unit_name,
    MIN(department_name) AS department_name, MIN(rank) AS rank,
    MIN(level) AS level, MIN(level_name) AS level_name
  FROM risk_points WHERE table_kind = 'department'
  GROUP BY year, unit_id, department_id, power_name, step_name, risk_point),
filed AS (SELECT DISTINCT unit_id, department_id, year FROM k),
pairs AS (
  SELECT a.unit_id, a.department_id, a.year AS from_year, b.year AS to_year
  FROM filed a JOIN filed b ON a.unit_id = b.unit_id
    AND a.department_id = b.department_id AND b.year = a.year + 1),
o AS (
  SELECT k.*, p.to_year FROM k JOIN pairs p ON k.unit_id = p.unit_id
    AND k.department_id = p.department_id AND k.year = p.from_year),
c AS (
  SELECT k.*, p.from_year FROM k JOIN pairs p ON k.unit_id = p.unit_id
    AND k.department_id = p.department_id AND k.year = p.to_year)
SELECT COALESCE(c.year, o.to_year) AS year,
  COALESCE(c.from_year, o.year) AS previous_year,
  COALESCE(c.scheme, o.scheme) AS scheme,
  COALESCE(c.unit_id, o.unit_id) AS unit_id,
  COALESCE(c.unit_name, o.unit_name) AS unit_name,
  COALESCE(c.department_id, o.department_id) AS department_id,
  COALESCE(c.department_name, o.department_name) AS department_name,
  COALESCE(c.power_name, o.power_name) AS power,
  COALESCE(c.step_name, o.step_name) AS step,
  COALESCE(c.risk_point, o.risk_point) AS risk_point,
  o.level AS old_level, o.level_name AS old_level_name, o.rank AS old_rank,
  c.level AS new_level, c.level_name AS new_level_name, c.rank AS new_rank,
  CASE WHEN o.risk_point IS NULL THEN 'added'
       WHEN c.risk_point IS NULL THEN 'removed'
       WHEN c.rank < o.rank THEN 'upgraded'
       WHEN c.rank > o.rank THEN 'downgraded'
       ELSE 'regraded' END AS change
FROM o FULL OUTER JOIN c ON o.to_year = c.year AND o.unit_id = c.unit_id
  AND o.department_id = c.department_id AND o.power_name = c.power_name
  AND o.step_name = c.step_name AND o.risk_point = c.risk_point
WHERE o.risk_point IS NULL OR c.risk_point IS NULL
  OR o.level <> c.level OR o.rank <> c.rank;

-- name: late_tables
CREATE VIEW late_tables AS
SELECT year, scheme, unit_id, unit_name, department_id, department_name, table_kind,
  person_id, period, 'late' AS status, deadline, submitted_date,
  CAST(submitted_date - deadline AS INT) AS days_late
FROM submissions WHERE submitted_date > deadline
UNION ALL
SELECT p.year + 1 AS year, p.scheme, p.unit_id, p.unit_name, p.department_id,
  p.department_name, p.table_kind, p.person_id, p.period, 'missing' AS status,
  d.deadline AS deadline,
  CAST(NULL AS DATE) AS submitted_date, CAST(NULL AS INT) AS days_late
FROM submissions p
JOIN (SELECT unit_id, MAX(year) AS last_year FROM submissions GROUP BY unit_id) u
  ON u.unit_id = p.unit_id AND p.year + 1 <= u.last_year
LEFT JOIN submissions n ON n.unit_id = p.unit_id
  AND n.department_id = p.department_id AND n.table_kind = p.table_kind
  AND n.period = p.period AND n.year = p.year + 1
LEFT JOIN deadlines d ON d.scheme = p.scheme AND d.year = p.year + 1
WHERE p.table_kind = 'department' AND n.hash IS NULL;
