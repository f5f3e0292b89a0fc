//! A table under edit: the check of every row is kept, so that after a change to one row only
//! that row is checked again, and the one rule across rows (no risk point twice) is redone from
//! the kept keys. The issues and grades are always those [`super::validate_graded`] gives for the
//! table as it now stands; the form uses this to stay quick on long tables.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use super::report::{Issue, Report};
use super::validate::{
    DuplicateKey, KeyHasher, MAX_ROWS, Validator, duplicate_issue, duplicate_key,
};
use crate::model::{RiskRow, SelfCheckTable};
use crate::scheme::{Grade, GradeMemo, IssueSeverity, Scheme};

/// The validation of a table, kept row by row so that an edit is checked in time proportional
/// to what changed.
///
/// ```
/// use sunlight_core::{SelfCheckTable, presets, rules::{TableCheck, validate_graded}};
/// let scheme = presets::get("university-2010").unwrap();
/// let mut table = SelfCheckTable::from_json(r#"{"scheme": "university-2010",
///   "rows": [{"factors": {"consequence": "crime"}}, {"factors": {}}]}"#).unwrap();
/// let mut check = TableCheck::new(scheme, &table);
/// assert!(check.grade(1).is_none());
///
/// table.rows[1].factors.insert("consequence".into(), "discipline".into());
/// assert_eq!(check.set_row(1, &table.rows[1]), Some(vec![1]));
/// assert_eq!(check.grade(1).map(|g| g.level.as_str()), Some("level-2"));
/// assert_eq!(check.clone().into_parts(), validate_graded(scheme, &table));
/// ```
#[derive(Debug, Clone)]
pub struct TableCheck<'a> {
    scheme: &'a Scheme,
    /// The scheme's grades kept across tables, when the caller has them.
    memo: Option<&'a GradeMemo>,
    /// The issues of the header, then those of the table as a whole (no rows, too many).
    head: Vec<Issue>,
    rows: Vec<RowCheck>,
}

/// What is kept of one row.
#[derive(Debug, Clone, Default)]
struct RowCheck {
    /// The row's own issues, in the order validation finds them.
    own: Vec<Issue>,
    /// Shared with the other rows of the same factor values.
    grade: Option<Arc<Grade>>,
    /// `None` while the risk point is empty, and for rows past [`MAX_ROWS`].
    key: Option<DuplicateKey>,
    /// The earlier row this one repeats, and the issue that says so.
    duplicate: Option<(usize, Issue)>,
}

impl<'a> TableCheck<'a> {
    /// Checks the whole table against `scheme`.
    pub fn new(scheme: &'a Scheme, table: &SelfCheckTable) -> Self {
        TableCheck::build(scheme, None, table)
    }

    /// As [`TableCheck::new`], grading with `memo` when given.
    pub(crate) fn build(
        scheme: &'a Scheme,
        memo: Option<&'a GradeMemo>,
        table: &SelfCheckTable,
    ) -> Self {
        let mut v = Validator::new(scheme, memo);
        let mut head = v.header_issues(table);
        head.extend(v.table_issues(table.rows.len()));
        let rows = table
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                if i >= MAX_ROWS {
                    return RowCheck::default();
                }
                let (own, grade) = v.row_issues(i, row);
                RowCheck {
                    own,
                    grade,
                    key: duplicate_key(row),
                    duplicate: None,
                }
            })
            .collect();
        let mut check = TableCheck {
            scheme,
            memo,
            head,
            rows,
        };
        check.find_duplicates();
        check
    }

    /// The scheme the table is checked against.
    pub fn scheme(&self) -> &'a Scheme {
        self.scheme
    }

    /// How many rows the table has.
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// Checks the header of `table` again (its rows are not looked at: the rows checked so far
    /// stay). Returns whether the header's issues changed.
    pub fn set_header(&mut self, table: &SelfCheckTable) -> bool {
        let mut v = Validator::new(self.scheme, self.memo);
        let mut head = v.header_issues(table);
        head.extend(v.table_issues(self.rows.len()));
        let changed = head != self.head;
        self.head = head;
        changed
    }

    /// Puts `row` in place of row `i` and checks it. Returns the rows whose issues or grade
    /// changed, in order: row `i`, if its own did, and every row that became or stopped being a
    /// repetition of an earlier one. `None` when the table has no row `i`.
    pub fn set_row(&mut self, i: usize, row: &RiskRow) -> Option<Vec<usize>> {
        let scheme = self.scheme;
        let slot = self.rows.get_mut(i)?;
        if i >= MAX_ROWS {
            return Some(Vec::new());
        }
        let (own, grade) = Validator::new(scheme, self.memo).row_issues(i, row);
        let key = duplicate_key(row);
        let own_changed = slot.own != own || slot.grade != grade;
        let key_changed = slot.key != key;
        slot.own = own;
        slot.grade = grade;
        slot.key = key;
        let mut changed = if key_changed {
            self.find_duplicates()
        } else {
            Vec::new()
        };
        if own_changed && !changed.contains(&i) {
            changed.push(i);
            changed.sort_unstable();
        }
        Some(changed)
    }

    /// Marks every row that repeats an earlier one; returns the rows whose mark changed.
    fn find_duplicates(&mut self) -> Vec<usize> {
        let repeats: Vec<Option<usize>> = {
            let mut first: HashMap<&DuplicateKey, usize, BuildHasherDefault<KeyHasher>> =
                HashMap::with_capacity_and_hasher(self.rows.len(), BuildHasherDefault::default());
            self.rows
                .iter()
                .enumerate()
                .map(|(i, r)| match first.entry(r.key.as_ref()?) {
                    Entry::Occupied(e) => Some(*e.get()),
                    Entry::Vacant(e) => {
                        e.insert(i);
                        None
                    }
                })
                .collect()
        };
        let mut changed = Vec::new();
        for (i, (r, now)) in self.rows.iter_mut().zip(repeats).enumerate() {
            if r.duplicate.as_ref().map(|(first, _)| *first) != now {
                r.duplicate = now.map(|first| (first, duplicate_issue(i, first)));
                changed.push(i);
            }
        }
        changed
    }

    /// The issues of the header and of the table as a whole.
    pub fn head_issues(&self) -> &[Issue] {
        &self.head
    }

    /// Row `i`'s issues, in report order; none for a row the table does not have.
    pub fn row_issues(&self, i: usize) -> impl Iterator<Item = &Issue> {
        self.rows.get(i).into_iter().flat_map(|r| {
            r.own
                .iter()
                .chain(r.duplicate.as_ref().map(|(_, issue)| issue))
        })
    }

    /// Row `i`'s grade, or `None` while its factors are incomplete or invalid (and for rows past
    /// [`MAX_ROWS`] or beyond the table).
    pub fn grade(&self, i: usize) -> Option<&Grade> {
        self.rows.get(i).and_then(|r| r.grade.as_deref())
    }

    /// Every row's grade, in order. Rows of the same factor values give the same reference, so a
    /// caller writing grades out can write each distinct one once.
    pub fn grades(&self) -> impl Iterator<Item = Option<&Grade>> {
        self.rows.iter().map(|r| r.grade.as_deref())
    }

    /// Every issue, in the order of [`super::validate`]'s report.
    pub fn issues(&self) -> impl Iterator<Item = &Issue> {
        self.head
            .iter()
            .chain((0..self.rows.len()).flat_map(|i| self.row_issues(i)))
    }

    /// True when nothing blocks the submission (warnings may remain).
    pub fn is_ok(&self) -> bool {
        !self.issues().any(|i| i.severity == IssueSeverity::Error)
    }

    /// The report alone, as [`super::validate`] gives it (the grades are not copied out).
    pub fn into_report(self) -> Report {
        self.split().0
    }

    /// The report and the grades, as [`super::validate_graded`] gives them.
    pub fn into_parts(self) -> (Report, Vec<Option<Grade>>) {
        let (report, grades) = self.split();
        (
            report,
            grades
                .into_iter()
                .map(|g| g.map(Arc::unwrap_or_clone))
                .collect(),
        )
    }

    /// The report, and each row's grade as it is shared.
    fn split(self) -> (Report, Vec<Option<Arc<Grade>>>) {
        let mut issues = self.head;
        let mut grades = Vec::with_capacity(self.rows.len());
        for r in self.rows {
            issues.extend(r.own);
            issues.extend(r.duplicate.map(|(_, issue)| issue));
            grades.push(r.grade);
        }
        (Report { issues }, grades)
    }
}
