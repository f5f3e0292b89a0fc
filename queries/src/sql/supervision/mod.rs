//! The supervision views: what the discipline inspection office does with what it learns
//! (seeds 002, 003, 004), over the event tables of the store.
//!
//! Every rule is computed by the core, through one scalar function per rule (the same functions
//! the browser calls through `sunlight-wasm`); the SQL here only gathers each rule's inputs —
//! a person's archive events, a table's review steps, a unit's register — and lays out the answers.
//! No rule is written again in SQL.
//!
//! | view | what | function |
//! |---|---|---|
//! | `archive_events`, `office_records` | current events (a later batch of the unit may correct an event by repeating its id) | |
//! | `review_events` | every review step, in the order recorded | |
//! | `table_status` | each table's review state (确定 → 审定 → 公示 → 备案), refused steps and why | `review_status` |
//! | `yellow_cards` | 廉政风险黄牌警告 by unit, person and year (seed 004) | `yellow_card` |
//! | `warnings_due` | graduated responses due (seed 003), per year and per quarter | `recommend_response` |
//! | `vetting` | the candidates of the register, vetted on their date (seed 002 第十二至十四条) | `vet_candidate` |
//! | `overdue` | obligations overdue or met late, per unit, department and year, as of the store's latest date | `overdue_obligations` |
//! | `unit_ratings` | the unit rating with every cap explained (seed 004) | `rate_unit` |

mod function;
mod overdue_obligations;
mod rate_unit;
mod recommend_response;
mod review_status;
mod vet_candidate;
mod yellow_card;

use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::ScalarUDF;
use sunlight_core::presets::Registry;

pub use function::{Arg, Kind, RuleUdf, SupervisionRule};
pub use overdue_obligations::OverdueObligations;
pub use rate_unit::RateUnit;
pub use recommend_response::RecommendResponse;
pub use review_status::ReviewStatus;
pub use vet_candidate::VetCandidate;
pub use yellow_card::YellowCard;

/// Registers the supervision functions on a session.
pub fn register_functions(ctx: &SessionContext, registry: &'static Registry) {
    ctx.register_udf(ScalarUDF::from(RuleUdf::new(ReviewStatus)));
    ctx.register_udf(ScalarUDF::from(RuleUdf::new(YellowCard::new(registry))));
    ctx.register_udf(ScalarUDF::from(RuleUdf::new(RecommendResponse::new(
        registry,
    ))));
    ctx.register_udf(ScalarUDF::from(RuleUdf::new(VetCandidate)));
    ctx.register_udf(ScalarUDF::from(RuleUdf::new(OverdueObligations::new(
        registry,
    ))));
    ctx.register_udf(ScalarUDF::from(RuleUdf::new(RateUnit::new(registry))));
}

/// The latest version of each event of a unit: a later batch may correct an event by repeating
/// its id. The replaced versions are found once per session ([`super::replaced`]); the rest are
/// kept by a right join on them, whose hash table is built on its left side, the replaced
/// versions (few): "no later version exists" over every event built it on every kept event
/// (7 M register records, 2 GB, at 10 M risk points: over the memory limit).
///
/// The replaced versions' columns have names of their own: with `hash` on both sides, DataFusion
/// 55 moved `r.hash IS NULL` onto the events' own `hash` once the view was filtered, and
/// `WHERE record_type = 'assessment'` found nothing.
fn current(table: &str) -> String {
    format!(
        "SELECT t.* FROM {table}_replaced r RIGHT JOIN {table}_all t \
           ON r.replaced_hash = t.hash AND r.replaced_no = t.event_no \
         WHERE r.replaced_hash IS NULL"
    )
}

/// The event tables that have a view of their current versions, and a `{table}_replaced`.
pub const EVENT_TABLES: [&str; 2] = ["archive_events", "office_records"];

/// Each person's unit name and department (the latest in text order, over the whole archive),
/// and (`PERSON_YEARS`) each year of their archive with that year's events: what `yellow_card`
/// is handed. It looks at no event of another year, so a year's list gives the answer the whole
/// archive gives, and each call reads a third as many events over three years. `warnings_due`
/// hands `recommend_response` the events of the period only, for the same reason.
///
/// The joins with these name the smaller side first (a unit's scheme, then the person, then the
/// person's years or periods with their lists): a hash join builds its table on the left side,
/// and DataFusion swaps the sides only when its estimates say the left is larger. (First written
/// so when the replaced versions' size was unknown to it; kept, as the order it should build in
/// either way.)
///
/// Lists are aggregated as records `struct(key…, value)` without `ORDER BY`, and the rule
/// functions sort them by their keys (see [`Kind::TextList`]): DataFusion's ordered `array_agg`
/// was 20 to 40 times slower and held gigabytes at 1 M risk points.
///
/// Their texts are cast to plain `Utf8` first. Parquet's texts are read as `Utf8View`, whose
/// rows point into shared buffers, and `array_agg` keeps every batch it was handed: at 10 M risk
/// points it counted (and held) those buffers over and over, asked for 600 MB more at once for
/// the review steps of every table, and failed under the memory limit. Plain texts are copied
/// row by row, and only what the lists hold is kept.
const PEOPLE: &str = "people AS ( \
       SELECT unit_id, MAX(unit_name) AS unit_name, person, MAX(department) AS department \
       FROM archive_events GROUP BY unit_id, person)";

/// See [`PEOPLE`].
const PERSON_YEARS: &str = "person_years AS ( \
       SELECT unit_id, person, CAST(date_part('year', date) AS INT) AS year, \
         array_agg(struct(date, submitted_at, event_no, arrow_cast(event, 'Utf8'))) AS events \
       FROM archive_events GROUP BY 1, 2, 3)";

/// Each person's whole archive, every event in date order: what `vet_candidate` is handed, as the
/// browser hands it a person's archive.
const ARCHIVES: &str = "archives AS ( \
       SELECT unit_id, MAX(unit_name) AS unit_name, person, MAX(department) AS department, \
         array_agg(struct(date, submitted_at, event_no, arrow_cast(event, 'Utf8'))) AS events \
       FROM archive_events GROUP BY unit_id, person)";

/// `(name, SQL)` of every supervision view, in the order they must be created.
pub fn definitions() -> Vec<(&'static str, String)> {
    vec![
        (EVENT_TABLES[0], current(EVENT_TABLES[0])),
        (EVENT_TABLES[1], current(EVENT_TABLES[1])),
        (
            "review_events",
            "SELECT * FROM review_events_all".to_owned(),
        ),
        (
            "unit_schemes",
            // The scheme a unit files its tables under gives its supervision settings.
            "SELECT unit_id, MIN(scheme) AS scheme FROM submissions GROUP BY unit_id".to_owned(),
        ),
        (
            "table_status",
            // Every stored version of every table, and every table a review step names that is
            // not in the store (`in_store` false).
            "WITH r AS ( \
               SELECT table_hash, MIN(unit_id) AS unit_id, \
                 array_agg(struct(submitted_at, arrow_cast(hash, 'Utf8'), event_no, \
                   arrow_cast(event, 'Utf8'))) AS events \
               FROM review_events GROUP BY table_hash), \
             t AS ( \
               SELECT COALESCE(s.hash, r.table_hash) AS hash, s.hash IS NOT NULL AS in_store, \
                 s.superseded, s.year, s.scheme, COALESCE(s.unit_id, r.unit_id) AS unit_id, \
                 s.unit_name, s.department_id, s.department_name, s.table_kind, s.person_id, \
                 review_status(COALESCE(s.hash, r.table_hash), r.events) AS st \
               FROM submission_versions s FULL OUTER JOIN r ON r.table_hash = s.hash) \
             SELECT hash, in_store, superseded, year, scheme, unit_id, unit_name, department_id, \
               department_name, table_kind, person_id, st['state'] AS state, \
               st['next_step'] AS next_step, st['last_at'] AS last_at, st['scope'] AS scope, \
               st['problem_count'] AS problems, st['problem_codes'] AS problem_codes, \
               st['problems_zh'] AS problems_zh \
             FROM t"
                .to_owned(),
        ),
        (
            "yellow_cards",
            format!(
                "WITH {PEOPLE}, {PERSON_YEARS}, \
                 c AS ( \
                   SELECT y.unit_id, a.unit_name, a.department, y.person, y.year, \
                     yellow_card(u.scheme, y.person, y.events, y.year) AS card \
                   FROM unit_schemes u RIGHT JOIN people a ON u.unit_id = a.unit_id \
                   JOIN person_years y ON y.unit_id = a.unit_id AND y.person = a.person) \
                 SELECT unit_id, unit_name, department, person, year, \
                   card['verified_reports'] AS verified_reports, card['events'] AS events, \
                   card['reason_zh'] AS reason_zh, card['reason_en'] AS reason_en \
                 FROM c WHERE card IS NOT NULL"
            ),
        ),
        (
            "warnings_due",
            // Seed 003: the risk-evaluation group meets each quarter; the annual evaluation looks
            // at the whole year. Only responses other than 'none' are due, and a period without
            // events has none, so only periods with events are asked about, each with its own.
            // The texts are copied out as plain `Utf8`: the few rows kept of each batch would
            // otherwise point into (and be counted with) the whole batch's buffers, and at 10 M
            // risk points sorting them asked for 182 MB per batch, over the memory limit.
            format!(
                "WITH {PEOPLE}, \
                 w AS (SELECT column1 AS period_kind, column2 AS first_month, \
                         column3 AS last_month, column4 AS last_day \
                       FROM (VALUES ('year', 1, 12, 31), ('Q1', 1, 3, 31), ('Q2', 4, 6, 30), \
                                    ('Q3', 7, 9, 30), ('Q4', 10, 12, 31))), \
                 pe AS ( \
                   SELECT e.unit_id, e.person, CAST(date_part('year', e.date) AS INT) AS year, \
                     w.period_kind, w.first_month, w.last_month, w.last_day, \
                     array_agg(struct(e.date, e.submitted_at, e.event_no, \
                       arrow_cast(e.event, 'Utf8'))) AS events \
                   FROM w JOIN archive_events e \
                     ON CAST(date_part('month', e.date) AS INT) BETWEEN w.first_month AND w.last_month \
                   GROUP BY 1, 2, 3, 4, 5, 6, 7), \
                 p AS ( \
                   SELECT y.unit_id, a.unit_name, a.department, y.person, y.year, \
                     CASE WHEN y.period_kind = 'year' THEN CAST(y.year AS VARCHAR) \
                          ELSE CAST(y.year AS VARCHAR) || '-' || y.period_kind END AS period, \
                     make_date(y.year, y.first_month, 1) AS period_start, \
                     make_date(y.year, y.last_month, y.last_day) AS period_end, \
                     y.events, u.scheme \
                   FROM unit_schemes u RIGHT JOIN people a ON u.unit_id = a.unit_id \
                   JOIN pe y ON y.unit_id = a.unit_id AND y.person = a.person), \
                 r AS ( \
                   SELECT p.*, recommend_response(scheme, person, events, period_start, \
                     period_end) AS rec FROM p) \
                 SELECT arrow_cast(unit_id, 'Utf8') AS unit_id, \
                   arrow_cast(unit_name, 'Utf8') AS unit_name, \
                   arrow_cast(department, 'Utf8') AS department, \
                   arrow_cast(person, 'Utf8') AS person, year, \
                   arrow_cast(period, 'Utf8') AS period, period_start, \
                   period_end, rec['response'] AS response, rec['response_zh'] AS response_zh, \
                   rec['complaints'] AS complaints, rec['severity'] AS severity, \
                   rec['low_satisfaction'] AS low_satisfaction, rec['reason_zh'] AS reason_zh, \
                   rec['reason_en'] AS reason_en \
                 FROM r WHERE rec['response'] <> 'none'"
            ),
        ),
        (
            "vetting",
            format!(
                "WITH {ARCHIVES}, \
                 v AS ( \
                   SELECT o.unit_id, o.unit_name, o.id AS candidate, o.person, o.post, \
                     o.date AS vetting_date, vet_candidate(o.person, a.events, o.date) AS v \
                   FROM office_records o \
                   LEFT JOIN archives a ON a.unit_id = o.unit_id AND a.person = o.person \
                   WHERE o.record_type = 'candidate') \
                 SELECT unit_id, unit_name, candidate, person, post, vetting_date, \
                   v['outcome'] AS outcome, v['deciding'] AS deciding, v['articles'] AS articles, \
                   v['talk_on_promotion'] AS talk_on_promotion, v['findings_zh'] AS findings_zh, \
                   v['events'] AS events \
                 FROM v"
            ),
        ),
        (
            "overdue",
            // Per unit, department (every department that filed a department table) and year the
            // unit filed for; what was met when: the first version of the department's table,
            // and the register's `completed` records. As of the latest date in the store.
            //
            // Every obligation's id ends in its year (`table-2013`, `disclosure-q1-2013`…), so
            // each (department, year) is handed only what was met for that year: a third of the
            // items over three years, and at 10 M risk points (7 M register records) the lists
            // of every year held gigabytes. An id without a year matches no obligation anyway.
            //
            // The texts are copied out of the string views before the rows are repeated per
            // obligation: a view row after the joins keeps the buffers of every name of its input
            // batch alive, and a sort of the result counted them all for each batch (one batch
            // asked for 512 MB at 10 M risk points, and the query failed under the limit).
            "WITH depts AS ( \
               SELECT unit_id, department_id, MAX(unit_name) AS unit_name, \
                 MAX(department_name) AS department_name \
               FROM submission_versions WHERE table_kind = 'department' \
               GROUP BY unit_id, department_id), \
             years AS (SELECT DISTINCT unit_id, year FROM submission_versions), \
             met AS ( \
               SELECT unit_id, department_id, year, \
                 'table-' || CAST(year AS VARCHAR) AS obligation, MIN(submitted_date) AS date \
               FROM submission_versions WHERE table_kind = 'department' \
               GROUP BY unit_id, department_id, year \
               UNION ALL \
               SELECT unit_id, department AS department_id, \
                 TRY_CAST(right(obligation, 4) AS INT) AS year, obligation, date \
               FROM office_records WHERE record_type = 'completed'), \
             done AS ( \
               SELECT unit_id, department_id, year, \
                 array_agg(struct(arrow_cast(obligation, 'Utf8'), date, \
                   arrow_cast(obligation, 'Utf8'))) AS ids, \
                 array_agg(struct(arrow_cast(obligation, 'Utf8'), date, date)) AS dates \
               FROM met WHERE year IS NOT NULL GROUP BY unit_id, department_id, year), \
             as_of AS ( \
               SELECT MAX(d) AS as_of FROM ( \
                 SELECT MAX(submitted_date) AS d FROM submissions_all \
                 UNION ALL SELECT MAX(date) FROM archive_events_all \
                 UNION ALL SELECT MAX(date) FROM office_records_all \
                 UNION ALL SELECT MAX(CAST(taken_at AS DATE)) FROM review_events_all)), \
             j AS ( \
               SELECT arrow_cast(d.unit_id, 'Utf8') AS unit_id, \
                 arrow_cast(d.unit_name, 'Utf8') AS unit_name, \
                 arrow_cast(d.department_id, 'Utf8') AS department_id, \
                 arrow_cast(d.department_name, 'Utf8') AS department_name, y.year, \
                 arrow_cast(u.scheme, 'Utf8') AS scheme, a.as_of, m.ids, m.dates \
               FROM as_of a CROSS JOIN depts d JOIN years y ON y.unit_id = d.unit_id \
               JOIN unit_schemes u ON u.unit_id = d.unit_id \
               LEFT JOIN done m ON m.unit_id = d.unit_id AND m.department_id = d.department_id \
                 AND m.year = y.year), \
             o AS ( \
               SELECT unit_id, unit_name, department_id, department_name, year, scheme, as_of, \
                 unnest(overdue_obligations(scheme, year, ids, dates, as_of)) AS o \
               FROM j) \
             SELECT unit_id, unit_name, department_id, department_name, year, scheme, as_of, \
               o['obligation'] AS obligation, o['what_zh'] AS what, o['due'] AS due, \
               o['done'] AS done, o['standing'] AS standing, o['days_late'] AS days_late, \
               o['source'] AS source \
             FROM o"
                .to_owned(),
        ),
        (
            "unit_ratings",
            // Inputs as seed 004 gives them: the assessment score in the register, the unit's
            // 违规违纪案件 (case-filed events) and yellow cards of the year.
            "WITH a AS ( \
               SELECT unit_id, unit_name, year, score FROM ( \
                 SELECT *, ROW_NUMBER() OVER (PARTITION BY unit_id, year \
                   ORDER BY submitted_at DESC, hash DESC, event_no DESC) AS n \
                 FROM office_records WHERE record_type = 'assessment') WHERE n = 1), \
             c AS ( \
               SELECT unit_id, CAST(date_part('year', date) AS INT) AS year, COUNT(*) AS cases \
               FROM archive_events WHERE kind = 'case-filed' GROUP BY 1, 2), \
             y AS (SELECT unit_id, year, COUNT(*) AS cards FROM yellow_cards GROUP BY 1, 2), \
             r AS ( \
               SELECT a.unit_id, a.unit_name, a.year, a.score, COALESCE(c.cases, 0) AS cases, \
                 COALESCE(y.cards, 0) AS yellow_cards, \
                 rate_unit(u.scheme, a.unit_id, a.year, a.score, COALESCE(c.cases, 0), \
                   COALESCE(y.cards, 0)) AS r \
               FROM a LEFT JOIN c ON c.unit_id = a.unit_id AND c.year = a.year \
               LEFT JOIN y ON y.unit_id = a.unit_id AND y.year = a.year \
               LEFT JOIN unit_schemes u ON u.unit_id = a.unit_id) \
             SELECT unit_id, unit_name, year, score, cases, yellow_cards, \
               r['by_score'] AS by_score, r['rating'] AS rating, r['rating_zh'] AS rating_zh, \
               r['caps'] AS caps, r['caps_zh'] AS caps_zh \
             FROM r"
                .to_owned(),
        ),
    ]
}
