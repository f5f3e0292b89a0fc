//! The review workflow of a filed table (seeds 000, 001, 004).
//!
//! A table, once submitted, is confirmed by the unit's leadership (班子成员确定, seed 004 line 21),
//! approved by the party committee (审定, seed 000 line 47 "经镇党委审核把关"; seed 003 "经局党委审定"),
//! published within a scope (公示, seed 000 line 47 "在一定范围内公示") and filed (备案, seed 000
//! "实行廉政风险等级目录备案制度"; seed 003 "报教育局监察室备案"). Each step is an event naming the
//! table by its hash; the table's state is derived from its events, in order.

use serde::{Deserialize, Serialize};

use crate::date::Timestamp;
use crate::text::Text;

/// A step of the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewStep {
    /// 班子成员确定: confirmed by the unit's leadership.
    Confirm,
    /// 审定: approved by the party committee.
    Approve,
    /// 公示: published within a scope.
    Publish,
    /// 备案: filed with the discipline inspection office.
    File,
}

impl ReviewStep {
    /// The steps in their required order.
    pub const ORDER: [ReviewStep; 4] = [
        ReviewStep::Confirm,
        ReviewStep::Approve,
        ReviewStep::Publish,
        ReviewStep::File,
    ];

    /// The id used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStep::Confirm => "confirm",
            ReviewStep::Approve => "approve",
            ReviewStep::Publish => "publish",
            ReviewStep::File => "file",
        }
    }

    /// The step's name.
    pub fn name(self) -> Text {
        match self {
            ReviewStep::Confirm => Text::new("班子成员确定", "confirmed by the leadership"),
            ReviewStep::Approve => Text::new("党委审定", "approved by the party committee"),
            ReviewStep::Publish => Text::new("公示", "published"),
            ReviewStep::File => Text::new("备案", "filed"),
        }
    }

    /// The state a table is in once this step is done.
    pub fn resulting_state(self) -> TableState {
        match self {
            ReviewStep::Confirm => TableState::Confirmed,
            ReviewStep::Approve => TableState::Approved,
            ReviewStep::Publish => TableState::Published,
            ReviewStep::File => TableState::Filed,
        }
    }
}

/// Where a table stands in the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableState {
    /// Submitted, not yet confirmed.
    Submitted,
    /// 已确定.
    Confirmed,
    /// 已审定.
    Approved,
    /// 已公示.
    Published,
    /// 已备案: the end of the review.
    Filed,
}

impl TableState {
    /// The id used in files and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            TableState::Submitted => "submitted",
            TableState::Confirmed => "confirmed",
            TableState::Approved => "approved",
            TableState::Published => "published",
            TableState::Filed => "filed",
        }
    }

    /// The step that may come next, if any.
    pub fn next_step(self) -> Option<ReviewStep> {
        match self {
            TableState::Submitted => Some(ReviewStep::Confirm),
            TableState::Confirmed => Some(ReviewStep::Approve),
            TableState::Approved => Some(ReviewStep::Publish),
            TableState::Published => Some(ReviewStep::File),
            TableState::Filed => None,
        }
    }
}

/// One review step taken on a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewEvent {
    /// The hash of the table (`sha256:…`).
    pub table: String,
    /// The step.
    pub step: ReviewStep,
    /// Who took it (a name, or the body, e.g. 镇党委).
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// For `publish`: the scope of publication (公示范围), e.g. 机关内部 or 社会公开.
    #[serde(default)]
    pub scope: String,
}

/// A batch of review steps: a submission kind of its own, hashed and checked like tables.
pub type ReviewBatch = crate::model::Batch<ReviewEvent>;

/// The `kind` of a [`ReviewBatch`].
pub const REVIEW_EVENTS_KIND: &str = "review-events";

/// What is wrong with a review event on its own, whatever came before it: no actor
/// (`missing-actor`), a publication without scope (`missing-scope`) or a time that is not RFC 3339
/// (`invalid-time`). Ingest refuses such events; [`status`] reports them.
pub fn event_problem(e: &ReviewEvent) -> Option<(&'static str, Text)> {
    if e.by.trim().is_empty() {
        return Some((
            "missing-actor",
            Text::new("未写明由谁办理", "the event does not say who took the step"),
        ));
    }
    if e.step == ReviewStep::Publish && e.scope.trim().is_empty() {
        return Some((
            "missing-scope",
            Text::new("公示须写明公示范围", "a publication must state its scope"),
        ));
    }
    if let Err(err) = e.at.parse::<Timestamp>() {
        return Some((
            "invalid-time",
            Text::new(format!("时间“{}”格式不正确", e.at), err.to_string()),
        ));
    }
    None
}

/// Why an event could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowProblem {
    /// The 0-based index of the event in the list given.
    pub event: usize,
    /// A stable code: `wrong-table`, `out-of-order`, `repeated-step`, `earlier-than-previous`,
    /// `invalid-time`, `missing-actor`, `missing-scope`.
    pub code: String,
    /// What is wrong.
    pub message: Text,
}

/// The derived review status of one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableStatus {
    /// The table's hash.
    pub table: String,
    /// Its state after the events that could be applied.
    pub state: TableState,
    /// The step that is due next, if the review is not finished.
    pub next: Option<ReviewStep>,
    /// When the last accepted step was taken.
    pub last_at: Option<String>,
    /// The publication scope, once published.
    pub scope: Option<String>,
    /// Events that were refused, with the reason.
    pub problems: Vec<WorkflowProblem>,
}

/// Applies one step to a state, or says why it cannot be taken.
pub fn apply(state: TableState, step: ReviewStep) -> Result<TableState, Text> {
    match state.next_step() {
        Some(next) if next == step => Ok(step.resulting_state()),
        Some(next) if step < next => Err(Text::new(
            format!("“{}”已经完成，不能重复", step.name().zh),
            format!("'{}' has already been done", step.name().en),
        )),
        Some(next) => Err(Text::new(
            format!("须先完成“{}”，才能“{}”", next.name().zh, step.name().zh),
            format!("'{}' must come before '{}'", next.name().en, step.name().en),
        )),
        None => Err(Text::new(
            "表格已备案，审核流程已结束",
            "the table is already filed; its review is over",
        )),
    }
}

/// Derives a table's status from its events, taken in the order given (the order they were
/// recorded). Events that cannot be applied are refused and reported; the rest still count.
///
/// ```
/// use sunlight_core::rules::workflow::{status, ReviewEvent, ReviewStep, TableState};
/// let ev = |step, at: &str| ReviewEvent { table: "sha256:ab".into(), step, by: "镇党委".into(), at: at.into(), scope: "机关内部".into() };
/// let s = status("sha256:ab", &[ev(ReviewStep::Confirm, "2012-09-01T09:00:00+08:00"), ev(ReviewStep::Publish, "2012-09-02T09:00:00+08:00")]);
/// assert_eq!(s.state, TableState::Confirmed);
/// assert_eq!(s.problems[0].code, "out-of-order");
/// ```
pub fn status(table: &str, events: &[ReviewEvent]) -> TableStatus {
    let mut st = TableStatus {
        table: table.to_owned(),
        state: TableState::Submitted,
        next: None,
        last_at: None,
        scope: None,
        problems: Vec::new(),
    };
    let mut last: Option<Timestamp> = None;
    for (i, e) in events.iter().enumerate() {
        let problem = |code: &str, message: Text| WorkflowProblem {
            event: i,
            code: code.to_owned(),
            message,
        };
        if e.table != table {
            st.problems.push(problem(
                "wrong-table",
                Text::new("该事件属于另一张表", "the event names another table"),
            ));
            continue;
        }
        if let Some((code, message)) = event_problem(e) {
            st.problems.push(problem(code, message));
            continue;
        }
        let Ok(at) = e.at.parse::<Timestamp>() else {
            continue;
        };
        if last
            .as_ref()
            .is_some_and(|l| at.unix_seconds() < l.unix_seconds())
        {
            st.problems.push(problem(
                "earlier-than-previous",
                Text::new(
                    "该步骤的时间早于上一步骤",
                    "the step is dated before the previous step",
                ),
            ));
            continue;
        }
        match apply(st.state, e.step) {
            Ok(next) => {
                st.state = next;
                st.last_at = Some(e.at.clone());
                if e.step == ReviewStep::Publish {
                    st.scope = Some(e.scope.clone());
                }
                last = Some(at);
            }
            Err(message) => {
                let code = if st.state.next_step().is_some_and(|n| e.step > n) {
                    "out-of-order"
                } else {
                    "repeated-step"
                };
                st.problems.push(problem(code, message));
            }
        }
    }
    st.next = st.state.next_step();
    st
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(step: ReviewStep, at: &str) -> ReviewEvent {
        ReviewEvent {
            table: "sha256:t".into(),
            step,
            by: "镇党委".into(),
            at: at.into(),
            scope: "社会公开".into(),
        }
    }

    /// Seeds 000 (line 47: 审核把关后…公示) and 004 (line 21: 经单位班子成员确定): the full review in order.
    #[test]
    fn the_four_steps_in_order_file_the_table() {
        let s = status(
            "sha256:t",
            &[
                ev(ReviewStep::Confirm, "2012-09-01T09:00:00+08:00"),
                ev(ReviewStep::Approve, "2012-09-03T09:00:00+08:00"),
                ev(ReviewStep::Publish, "2012-09-03T09:00:00+08:00"),
                ev(ReviewStep::File, "2012-09-20T09:00:00+08:00"),
            ],
        );
        assert_eq!(
            (s.state, s.next, s.problems.len()),
            (TableState::Filed, None, 0)
        );
        assert_eq!(s.scope.as_deref(), Some("社会公开"));
    }

    #[test]
    fn each_kind_of_bad_event_is_refused_with_its_code() {
        let mut wrong = ev(ReviewStep::Confirm, "2012-09-01T09:00:00+08:00");
        wrong.table = "sha256:other".into();
        let mut nobody = ev(ReviewStep::Confirm, "2012-09-01T09:00:00+08:00");
        nobody.by = " ".into();
        let mut unscoped = ev(ReviewStep::Publish, "2012-09-05T09:00:00+08:00");
        unscoped.scope = String::new();
        let cases = vec![
            (
                vec![ev(ReviewStep::Approve, "2012-09-01T09:00:00+08:00")],
                "out-of-order",
                TableState::Submitted,
            ),
            (
                vec![
                    ev(ReviewStep::Confirm, "2012-09-01T09:00:00+08:00"),
                    ev(ReviewStep::Confirm, "2012-09-02T09:00:00+08:00"),
                ],
                "repeated-step",
                TableState::Confirmed,
            ),
            (
                vec![
                    ev(ReviewStep::Confirm, "2012-09-02T09:00:00+08:00"),
                    ev(ReviewStep::Approve, "2012-09-01T09:00:00+08:00"),
                ],
                "earlier-than-previous",
                TableState::Confirmed,
            ),
            (
                vec![ev(ReviewStep::Confirm, "2012-09-31T09:00:00+08:00")],
                "invalid-time",
                TableState::Submitted,
            ),
            (vec![wrong], "wrong-table", TableState::Submitted),
            (vec![nobody], "missing-actor", TableState::Submitted),
            (
                vec![
                    ev(ReviewStep::Confirm, "2012-09-01T09:00:00+08:00"),
                    ev(ReviewStep::Approve, "2012-09-02T09:00:00+08:00"),
                    unscoped,
                ],
                "missing-scope",
                TableState::Approved,
            ),
        ];
        for (events, code, state) in cases {
            let s = status("sha256:t", &events);
            assert_eq!(
                s.problems
                    .iter()
                    .map(|p| p.code.as_str())
                    .collect::<Vec<_>>(),
                [code]
            );
            assert_eq!(s.state, state, "{code}");
        }
    }

    #[test]
    fn nothing_follows_filing() {
        assert!(apply(TableState::Filed, ReviewStep::File).is_err());
        assert_eq!(
            apply(TableState::Published, ReviewStep::File),
            Ok(TableState::Filed)
        );
    }
}
