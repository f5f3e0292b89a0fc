//! The report's supervision section (seeds 002, 003, 004): where the year's tables stand in
//! their review, yellow cards, graduated responses due, obligations overdue, and the unit
//! ratings with their caps — all read from the supervision views, which call the core.
//!
//! In the public edition (公示) nothing names or counts a person: yellow cards and responses
//! are counted per unit (small counts withheld like every other count), and the lists of
//! people are left out.

use datafusion::prelude::SessionContext;

use super::queries::ReportQueries;
use super::{Section, Writer, query, section};
use crate::charts::Kind;
use crate::error::Result;

/// The supervision sections for year `y`, from the report's queries `q`.
pub(super) async fn sections(
    ctx: &SessionContext,
    w: &mut Writer<'_>,
    q: &ReportQueries,
    y: i32,
) -> Result<Vec<Section>> {
    let mut out = Vec::new();

    let mut t = query(ctx, &q.review_status_by_unit).await?;
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

    let mut t = query(ctx, &q.review_problems).await?;
    let csv = w.table(&mut t, &[], "")?;
    out.push(section(
        w,
        "review-problems",
        &t,
        None,
        csv,
        "顺序不对或重复的步骤不计入状态。",
    )?);

    let mut t = query(ctx, &q.yellow_cards).await?;
    let csv = w.table(&mut t, &["黄牌数"], "")?;
    out.push(section(
        w,
        "yellow-cards",
        &t,
        None,
        csv,
        "种子 004：重点岗位群众举报两次以上且查实存在问题的，给予廉政风险黄牌警告，岗位负责人实行重点监管。",
    )?);

    let mut t = query(ctx, &q.warnings_due_by_unit).await?;
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
    if let Some(detail) = &q.warnings_due {
        let mut t = query(ctx, detail).await?;
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

    let mut t = query(ctx, &q.overdue_by_unit).await?;
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
    let mut t = query(ctx, &q.overdue).await?;
    let csv = w.table(&mut t, &[], "")?;
    out.push(section(w, "overdue-detail", &t, None, csv, "")?);

    let mut t = query(ctx, &q.unit_ratings).await?;
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
