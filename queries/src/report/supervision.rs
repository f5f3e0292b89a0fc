//! The report's supervision section (seeds 002, 003, 004): where the year's tables stand in
//! their review, yellow cards, graduated responses due, obligations overdue, and the unit
//! ratings with their caps — all read from the supervision views, which call the core.
//!
//! In the public edition (公示) nothing names or counts a person: yellow cards and responses
//! are counted per unit (small counts withheld like every other count), and the lists of
//! people are left out.

use datafusion::prelude::SessionContext;

use super::{Section, Writer, query, section};
use crate::charts::Kind;
use crate::error::Result;

const STATE_ZH: &str = "CASE state WHEN 'submitted' THEN '已报送未确定' WHEN 'confirmed' THEN '已确定' \
    WHEN 'approved' THEN '已审定' WHEN 'published' THEN '已公示' ELSE '已备案' END";
const STATE_ORDER: &str = "CASE state WHEN 'submitted' THEN 1 WHEN 'confirmed' THEN 2 \
    WHEN 'approved' THEN 3 WHEN 'published' THEN 4 ELSE 5 END";
const STANDING_ZH: &str = "CASE standing WHEN 'overdue' THEN '逾期未办' ELSE '逾期办理' END";

/// The supervision sections for year `y`; `unit` is the report's `AND unit_id = …` filter.
pub(super) async fn sections(
    ctx: &SessionContext,
    w: &mut Writer<'_>,
    y: i32,
    unit: &str,
) -> Result<Vec<Section>> {
    let public = w.opts.public;
    let mut out = Vec::new();

    let mut t = query(
        ctx,
        "review_status_by_unit",
        "自查表审核进度 / where the tables stand in their review",
        &format!(
            "SELECT unit_name AS 单位, {STATE_ZH} AS 审核状态, COUNT(*) AS 表数, {STATE_ORDER} AS rank \
             FROM table_status WHERE in_store AND NOT superseded AND year = {y}{unit} \
             GROUP BY unit_name, state ORDER BY unit_name, rank"
        ),
    )
    .await?;
    let csv = w.table(&mut t, &["表数"], "")?;
    let fig = super::long_figure(
        &t,
        Some(Kind::Stacked),
        ("单位", "审核状态", "表数"),
        (&format!("{y} 年自查表审核进度"), "单位", "表数"),
    );
    out.push(section(
        w,
        "review",
        &t,
        fig,
        csv,
        "确定（班子成员确定）→ 审定（党委审定）→ 公示 → 备案；由审核步骤事件按记录顺序推出。",
    )?);

    let mut t = query(
        ctx,
        "review_problems",
        "被拒绝的审核步骤 / review steps refused",
        &format!(
            "SELECT unit_name AS 单位, department_name AS 部门, {STATE_ZH} AS 审核状态, \
               problems_zh AS 问题 \
             FROM table_status WHERE in_store AND NOT superseded AND year = {y}{unit} \
               AND table_kind = 'department' AND problems > 0 \
             ORDER BY unit_name, department_name"
        ),
    )
    .await?;
    let csv = w.table(&mut t, &[], "")?;
    out.push(section(
        w,
        "review-problems",
        &t,
        None,
        csv,
        "顺序不对或重复的步骤不计入状态。",
    )?);

    let mut t = if public {
        query(
            ctx,
            "yellow_cards_by_unit",
            "廉政风险黄牌警告 / yellow cards",
            &format!(
                "SELECT unit_name AS 单位, COUNT(*) AS 黄牌数 FROM yellow_cards \
                 WHERE year = {y}{unit} GROUP BY unit_name ORDER BY unit_name"
            ),
        )
        .await?
    } else {
        query(
            ctx,
            "yellow_cards",
            "廉政风险黄牌警告 / yellow cards",
            &format!(
                "SELECT unit_name AS 单位, department AS 部门, person AS 人员, \
                   verified_reports AS 查实举报次数, reason_zh AS 理由 \
                 FROM yellow_cards WHERE year = {y}{unit} ORDER BY unit_name, department, person"
            ),
        )
        .await?
    };
    let csv = w.table(&mut t, &["黄牌数"], "")?;
    out.push(section(
        w,
        "yellow-cards",
        &t,
        None,
        csv,
        "种子 004：重点岗位群众举报两次以上且查实存在问题的，给予廉政风险黄牌警告，岗位负责人实行重点监管。",
    )?);

    let mut t = query(
        ctx,
        "warnings_due_by_unit",
        "应采取的预警措施 / graduated responses due",
        &format!(
            "SELECT unit_name AS 单位, response_zh AS 措施, COUNT(*) AS 人数, \
               CASE response WHEN 'warning-education' THEN 1 WHEN 'talk-and-rectification' THEN 2 ELSE 3 END AS rank \
             FROM warnings_due WHERE year = {y} AND period = '{y}'{unit} \
             GROUP BY unit_name, response, response_zh ORDER BY unit_name, rank"
        ),
    )
    .await?;
    let csv = w.table(&mut t, &["人数"], "")?;
    let fig = super::long_figure(
        &t,
        Some(Kind::Stacked),
        ("单位", "措施", "人数"),
        (&format!("{y} 年应采取的预警措施"), "单位", "人数"),
    );
    out.push(section(
        w,
        "warnings",
        &t,
        fig,
        csv,
        "种子 003：问题较轻的警示教育或风险提示；意见较大或情节较重的廉政谈话并责令整改；意见集中或情节严重的组织处置。按全年计。",
    )?);
    if !public {
        let mut t = query(
            ctx,
            "warnings_due",
            "预警措施明细 / graduated responses due, by person",
            &format!(
                "SELECT unit_name AS 单位, department AS 部门, person AS 人员, period AS 期间, \
                   response_zh AS 措施, reason_zh AS 理由 \
                 FROM warnings_due WHERE year = {y}{unit} ORDER BY unit_name, person, period"
            ),
        )
        .await?;
        let csv = w.table(&mut t, &[], "")?;
        out.push(section(
            w,
            "warnings-detail",
            &t,
            None,
            csv,
            "按季度与全年。",
        )?);
    }

    let mut t = query(
        ctx,
        "overdue_by_unit",
        "逾期事项 / obligations overdue or met late",
        &format!(
            "SELECT unit_name AS 单位, {STANDING_ZH} AS 情况, COUNT(*) AS 事项数 \
             FROM overdue WHERE year = {y}{unit} GROUP BY unit_name, standing ORDER BY unit_name, standing DESC"
        ),
    )
    .await?;
    let csv = w.table(&mut t, &["事项数"], "")?;
    let fig = super::long_figure(
        &t,
        Some(Kind::Bar),
        ("单位", "情况", "事项数"),
        (&format!("{y} 年逾期事项"), "单位", "事项数"),
    );
    out.push(section(
        w,
        "overdue",
        &t,
        fig,
        csv,
        "报送自查表、各阶段、述职述廉（每年至少 2 次）、常规性工作次季度首月 15 日前公开、每季度议事规则检查、每半年党（政）务公开检查；截至库中最新日期。",
    )?);
    let mut t = query(
        ctx,
        "overdue",
        "逾期事项明细 / overdue obligations by department",
        &format!(
            "SELECT unit_name AS 单位, department_name AS 部门, what AS 事项, CAST(due AS VARCHAR) AS 期限, \
               CAST(done AS VARCHAR) AS 办理日, {STANDING_ZH} AS 情况, days_late AS 逾期天数 \
             FROM overdue WHERE year = {y}{unit} ORDER BY unit_name, department_name, days_late DESC, obligation"
        ),
    )
    .await?;
    let csv = w.table(&mut t, &[], "")?;
    out.push(section(w, "overdue-detail", &t, None, csv, "")?);

    let mut t = query(
        ctx,
        "unit_ratings",
        "党风廉政建设责任制考核等次 / unit ratings",
        &format!(
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
    )
    .await?;
    let csv = w.table(&mut t, &["违规违纪案件", "黄牌数"], "")?;
    out.push(section(
        w,
        "ratings",
        &t,
        None,
        csv,
        "种子 004：凡单位出现违规违纪案件或被给予廉政风险黄牌警告的，在党风廉政建设责任制考核中不能评为“好”等次。得分档次为方案设定。",
    )?);
    Ok(out)
}
