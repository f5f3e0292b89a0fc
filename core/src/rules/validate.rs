//! Validation of a whole self-check table: every problem at once, each with a stable code, a
//! path and a message in Chinese and English.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::report::{Issue, IssueCode, Report};
use super::table_check::TableCheck;
use crate::date::Timestamp;
use crate::model::{PowerCategory, RiskRow, SCHEMA_VERSION, SelfCheckTable, TableKind};
use crate::presets::Registry;
use crate::scheme::{DefenceLine, Grade, GradeMemo, IssueSeverity, Period, Scheme, grade};
use crate::text::Text;

/// The most rows a table may hold.
pub const MAX_ROWS: usize = 2_000;
/// The most measures one row may hold.
pub const MAX_MEASURES: usize = 50;
/// The longest a descriptive text (risk point, basis, measure…) may be, in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// The longest a name or id may be, in characters.
pub const MAX_NAME_CHARS: usize = 200;

use IssueSeverity::{Error as E, Warning as W};

/// Validates a table against the scheme it names, looked up in `registry`.
///
/// ```
/// use sunlight_core::{SelfCheckTable, presets, validate_with};
/// let table = SelfCheckTable { scheme: "no-such-scheme".into(), ..Default::default() };
/// let report = validate_with(presets::registry(), &table);
/// assert!(!report.is_ok());
/// assert_eq!(report.issues[0].code.as_str(), "unknown-scheme");
/// ```
pub fn validate_with(registry: &Registry, table: &SelfCheckTable) -> Report {
    match registry.get(&table.scheme) {
        Ok(scheme) => validate(scheme, table),
        Err(_) => {
            let mut r = Report::default();
            if table.scheme.trim().is_empty() {
                r.push(
                    E,
                    IssueCode::MissingField,
                    "scheme",
                    None,
                    Text::new("未选择实施方案", "no scheme is chosen"),
                );
            } else {
                let known: Vec<&str> = registry.iter().map(|s| s.id.as_str()).collect();
                r.push(
                    E,
                    IssueCode::UnknownScheme,
                    "scheme",
                    None,
                    Text::new(
                        format!(
                            "没有名为“{}”的实施方案（已知：{}）",
                            clip(&table.scheme),
                            known.join("、")
                        ),
                        format!(
                            "there is no scheme called '{}' (known: {})",
                            clip(&table.scheme),
                            known.join(", ")
                        ),
                    ),
                );
            }
            r
        }
    }
}

/// Validates a table against a scheme.
pub fn validate(scheme: &Scheme, table: &SelfCheckTable) -> Report {
    TableCheck::new(scheme, table).into_report()
}

/// As [`validate`], grading with the scheme's grades kept across tables (`memo`, from the
/// registry): what a submission's check runs.
pub(crate) fn validate_memo(scheme: &Scheme, memo: &GradeMemo, table: &SelfCheckTable) -> Report {
    TableCheck::build(scheme, Some(memo), table).into_report()
}

/// Validates a table against a scheme and also gives every row's grade, computed once for both:
/// what a form shows after each change. `grades[i]` is row *i*'s grade, or `None` while its
/// factors are incomplete or invalid (and for rows past [`MAX_ROWS`]).
///
/// ```
/// use sunlight_core::{SelfCheckTable, presets, rules::validate_graded};
/// let table = SelfCheckTable::from_json(r#"{"scheme": "university-2010",
///   "rows": [{"factors": {"consequence": "crime"}}, {"factors": {}}]}"#).unwrap();
/// let (report, grades) = validate_graded(presets::get("university-2010").unwrap(), &table);
/// assert!(!report.is_ok());
/// assert_eq!(grades[0].as_ref().map(|g| g.level.as_str()), Some("level-1"));
/// assert!(grades[1].is_none());
/// ```
pub fn validate_graded(scheme: &Scheme, table: &SelfCheckTable) -> (Report, Vec<Option<Grade>>) {
    TableCheck::new(scheme, table).into_parts()
}

/// A text cut to 60 characters for quoting in a message.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().nth(60).is_some() {
        out.push('…');
    }
    out
}

/// Whether the text holds a control character (Unicode's Cc: U+0000–U+001F, U+007F–U+009F),
/// line feeds and tabs aside in a multi-line text. Read as bytes: a row's dozen texts are
/// checked after every edit.
fn has_control(value: &str, multiline: bool) -> bool {
    let b = value.as_bytes();
    // Most text has no byte below 0x20, no DEL and no C2 lead byte: one pass without branches
    // (which the compiler vectorises) says so, and only text with one is looked at closely.
    if !b.iter().fold(false, |seen, &x| {
        seen | (x < 0x20) | (x == 0x7F) | (x == 0xC2)
    }) {
        return false;
    }
    b.iter().enumerate().any(|(k, &x)| match x {
        b'\n' | b'\t' => !multiline,
        0x00..=0x1F | 0x7F => true,
        // U+0080–U+009F are C2 80 – C2 9F in UTF-8; C2 is only ever a lead byte.
        0xC2 => matches!(b.get(k + 1), Some(0x80..=0x9F)),
        _ => false,
    })
}

/// Appends the whitespace-folded, lower-cased form of `s` used to spot duplicates to `out`.
fn fold_into(out: &mut String, s: &str) {
    let start = out.len();
    if folds_as_ascii(s.as_bytes()) {
        out.push_str(s);
        out[start..].make_ascii_lowercase();
        return;
    }
    for word in s.split_whitespace() {
        if out.len() > start {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out[start..].chars().all(lowers_as_ascii) {
        // What `to_lowercase` gives, without looking each character up in Unicode's tables.
        out[start..].make_ascii_lowercase();
    } else {
        let lower = out[start..].to_lowercase();
        out.truncate(start);
        out.push_str(&lower);
    }
}

/// Whether folding `s` only lower-cases its ASCII letters: it has no whitespace but single
/// spaces between words, and no character that `to_lowercase` changes other than `A`–`Z`.
///
/// Decided on the bytes, for text as departments write it: ASCII; the CJK blocks U+3000–U+9FFF
/// except the ideographic space U+3000; general punctuation U+2000–U+203F (“”, —, …) except its
/// spaces; and U+F000–U+FFFF (full-width forms, "，") except the full-width capitals. Any other
/// character says no, and the text is folded character by character instead.
fn folds_as_ascii(b: &[u8]) -> bool {
    /// What a byte says, by itself: a character that folds as ASCII does (or a continuation of
    /// one), a space, a character to look at closer (by its next two bytes), or one that does not.
    const PLAIN: u8 = 0;
    const SPACE: u8 = 1;
    const CLOSER: u8 = 2;
    const NO: u8 = 3;
    const CLASS: [u8; 256] = {
        let mut class = [NO; 256];
        let mut x = 0;
        while x < 256 {
            class[x] = match x as u8 {
                b' ' => SPACE,
                0x09..=0x0D | 0x1C..=0x1F => NO,
                0x00..=0x7F | 0x80..=0xBF | 0xE4..=0xE9 => PLAIN,
                0xE2 | 0xE3 | 0xEF => CLOSER,
                _ => NO,
            };
            x += 1;
        }
        class
    };
    // A space at the start, or after another, would be folded away.
    let mut after_space = true;
    for (k, &x) in b.iter().enumerate() {
        match CLASS[usize::from(x)] {
            PLAIN => after_space = false,
            SPACE if after_space => return false,
            SPACE => after_space = true,
            CLOSER => {
                let (next, third) = (b.get(k + 1).copied(), b.get(k + 2).copied());
                let plain = match x {
                    // U+2000–U+203F, but not its spaces U+2000–U+200A, U+2028, U+2029, U+202F.
                    0xE2 => {
                        next == Some(0x80)
                            && !matches!(third, Some(0x80..=0x8A | 0xA8 | 0xA9 | 0xAF))
                    }
                    // U+3000–U+3FFF, but not the ideographic space U+3000.
                    0xE3 => !(next == Some(0x80) && third == Some(0x80)),
                    // U+F000–U+FFFF, but not the full-width capitals U+FF21–U+FF3A.
                    _ => !(next == Some(0xBC) && matches!(third, Some(0xA1..=0xBA))),
                };
                if !plain {
                    return false;
                }
                after_space = false;
            }
            _ => return false,
        }
    }
    // A space at the end would be folded away too.
    !after_space || b.is_empty()
}

/// Whether `to_lowercase` changes `c` only as ASCII lower-casing does: ASCII, and the blocks
/// Chinese text is written in (CJK punctuation, kana, ideographs, full-width forms other than
/// the full-width capitals), which have no case.
fn lowers_as_ascii(c: char) -> bool {
    c.is_ascii()
        || matches!(c, '\u{3000}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF00}'..='\u{FF20}' | '\u{FF3B}'..='\u{FFEF}')
}

/// What makes two rows the same risk point: the same power, step and description, each compared
/// whitespace-folded and lower-cased. The hash is computed once, when the row is checked, so that
/// looking for duplicates again after an edit hashes one number per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DuplicateKey {
    hash: u64,
    /// The three folded texts, one after the other (one allocation per row).
    folded: String,
    /// Where the first and the second text end in `folded`.
    ends: [usize; 2],
}

/// A quick 64-bit hash of the folded texts (FxHash's step over eight bytes at a time): the key
/// compares its texts too, so the hash only has to spread keys, not resist collisions.
fn words_hash(bytes: &[u8], ends: [usize; 2]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut h = step(step(0, ends[0] as u64), ends[1] as u64);
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut a = [0; 8];
        a.copy_from_slice(w);
        h = step(h, u64::from_le_bytes(a));
    }
    let mut a = [0; 8];
    a[..words.remainder().len()].copy_from_slice(words.remainder());
    step(step(h, u64::from_le_bytes(a)), bytes.len() as u64)
}

/// A hasher for [`DuplicateKey`]s, which carry their hash: it passes it through.
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is ever called by `DuplicateKey`; anything else is mixed in.
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Hash for DuplicateKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// The row's duplicate key; `None` while its risk point is empty.
pub(super) fn duplicate_key(row: &RiskRow) -> Option<DuplicateKey> {
    if row.risk_point.trim().is_empty() {
        return None;
    }
    let mut folded =
        String::with_capacity(row.power.name.len() + row.step.name.len() + row.risk_point.len());
    fold_into(&mut folded, &row.power.name);
    let first = folded.len();
    fold_into(&mut folded, &row.step.name);
    let ends = [first, folded.len()];
    fold_into(&mut folded, &row.risk_point);
    Some(DuplicateKey {
        hash: words_hash(folded.as_bytes(), ends),
        folded,
        ends,
    })
}

/// The issue of row `i`, which repeats row `first`.
pub(super) fn duplicate_issue(i: usize, first: usize) -> Issue {
    Issue {
        severity: E,
        code: IssueCode::DuplicateRiskPoint,
        path: format!("rows[{i}].risk_point"),
        row: Some(i),
        message: Text::new(
            format!(
                "{}与{}是同一权力、同一环节的同一风险点",
                row_zh(i),
                row_zh(first)
            ),
            format!(
                "{} repeats the risk point of {} (same power, step and description)",
                row_en(i),
                row_en(first)
            ),
        ),
    }
}

fn row_zh(i: usize) -> String {
    format!("第 {} 行", i + 1)
}

fn row_en(i: usize) -> String {
    format!("row {}", i + 1)
}

/// A field's label in Chinese and English, turned into text only when an issue names it.
type Label = (&'static str, &'static str);

/// Checks the parts of a table, collecting issues until they are taken.
pub(super) struct Validator<'a> {
    scheme: &'a Scheme,
    /// The scheme's grades shared across tables, when the caller keeps them.
    memo: Option<&'a GradeMemo>,
    issues: Vec<Issue>,
    /// Grades by the number of their factor combination: a table repeats few combinations, and
    /// grading writes the reason.
    graded: HashMap<u64, Arc<Grade>>,
}

impl<'a> Validator<'a> {
    pub(super) fn new(scheme: &'a Scheme, memo: Option<&'a GradeMemo>) -> Self {
        Validator {
            scheme,
            memo,
            issues: Vec::new(),
            graded: HashMap::new(),
        }
    }

    /// The issues of the header (everything but the rows).
    pub(super) fn header_issues(&mut self, t: &SelfCheckTable) -> Vec<Issue> {
        self.header(t);
        std::mem::take(&mut self.issues)
    }

    /// The issues of the table as a whole, which has `rows` rows: none, or too many.
    pub(super) fn table_issues(&mut self, rows: usize) -> Vec<Issue> {
        if rows == 0 {
            self.push(
                E,
                IssueCode::EmptyTable,
                "rows",
                None,
                "表中没有任何风险点".into(),
                "the table has no risk points".into(),
            );
        } else if rows > MAX_ROWS {
            self.push(
                E,
                IssueCode::TooManyRows,
                "rows",
                None,
                format!("表中有 {rows} 行，一张表最多 {MAX_ROWS} 行；请拆分后提交"),
                format!(
                    "the table has {rows} rows; a table may hold at most {MAX_ROWS}, so split it"
                ),
            );
        }
        std::mem::take(&mut self.issues)
    }

    /// Row `i`'s own issues (all but being a duplicate of another row) and its grade.
    /// Rows of the same factor values share one grade.
    pub(super) fn row_issues(
        &mut self,
        i: usize,
        row: &RiskRow,
    ) -> (Vec<Issue>, Option<Arc<Grade>>) {
        let grade = self.row(i, row);
        (std::mem::take(&mut self.issues), grade)
    }

    fn push(
        &mut self,
        sev: IssueSeverity,
        code: IssueCode,
        path: impl Into<String>,
        row: Option<usize>,
        zh: String,
        en: String,
    ) {
        self.issues.push(Issue {
            severity: sev,
            code,
            path: path.into(),
            row,
            message: Text::new(zh, en),
        });
    }

    /// The grade of these factor values, all valid, graded once per distinct combination.
    fn grade(
        &mut self,
        factors: &BTreeMap<String, String>,
        combination: Option<u64>,
    ) -> Option<Arc<Grade>> {
        let Some(c) = combination else {
            return grade(self.scheme, factors).ok().map(Arc::new);
        };
        let scheme = self.scheme;
        if let Some(g) = self
            .memo
            .and_then(|m| m.get(c, || grade(scheme, factors).ok().map(Arc::new)))
        {
            return g;
        }
        if let Some(g) = self.graded.get(&c) {
            return Some(Arc::clone(g));
        }
        let g = Arc::new(grade(self.scheme, factors).ok()?);
        self.graded.insert(c, Arc::clone(&g));
        Some(g)
    }

    /// Checks length and characters; returns whether the text is non-empty.
    fn text(
        &mut self,
        path: &dyn Fn() -> String,
        row: Option<usize>,
        label: Label,
        value: &str,
        max: usize,
        multiline: bool,
    ) -> bool {
        // Counting characters is needed only when the bytes could exceed the limit.
        let n = if value.len() > max {
            value.chars().count()
        } else {
            0
        };
        if n > max {
            self.push(
                E,
                IssueCode::TextTooLong,
                path(),
                row,
                format!("{}过长：{n} 个字符，最多 {max} 个", label.0),
                format!("{} is too long: {n} characters, at most {max}", label.1),
            );
        }
        if has_control(value, multiline) {
            self.push(
                E,
                IssueCode::InvalidText,
                path(),
                row,
                format!("{}含有不可见的控制字符", label.0),
                format!("{} contains invisible control characters", label.1),
            );
        }
        value.chars().any(|c| !c.is_whitespace())
    }

    fn required(
        &mut self,
        path: &dyn Fn() -> String,
        row: Option<usize>,
        label: Label,
        value: &str,
        max: usize,
        multiline: bool,
    ) -> bool {
        let present = self.text(path, row, label, value, max, multiline);
        if !present {
            let (zh, en) = match row {
                Some(i) => (
                    format!("{}：请填写{}", row_zh(i), label.0),
                    format!("{}: {} is required", row_en(i), label.1),
                ),
                None => (
                    format!("请填写{}", label.0),
                    format!("{} is required", label.1),
                ),
            };
            self.push(E, IssueCode::MissingField, path(), row, zh, en);
        }
        present
    }

    fn header(&mut self, t: &SelfCheckTable) {
        let s = self.scheme;
        if t.schema_version != SCHEMA_VERSION {
            self.push(
                E,
                IssueCode::UnsupportedSchemaVersion,
                "schema_version",
                None,
                format!(
                    "表格格式版本 {} 不受支持（应为 {SCHEMA_VERSION}）",
                    t.schema_version
                ),
                format!(
                    "envelope version {} is not supported (expected {SCHEMA_VERSION})",
                    t.schema_version
                ),
            );
        }
        if t.scheme != s.id {
            self.push(
                E,
                IssueCode::SchemeMismatch,
                "scheme",
                None,
                format!(
                    "表格注明的实施方案是“{}”，但正按“{}”校验",
                    clip(&t.scheme),
                    s.id
                ),
                format!(
                    "the table names scheme '{}' but is being checked against '{}'",
                    clip(&t.scheme),
                    s.id
                ),
            );
        }
        if t.year == 0 {
            self.push(
                E,
                IssueCode::MissingField,
                "year",
                None,
                "请填写年度".into(),
                "the year is required".into(),
            );
        } else if !s.years.contains(t.year) {
            let range = match s.years.to {
                Some(to) => format!("{}–{to}", s.years.from),
                None => format!("{}–", s.years.from),
            };
            self.push(
                E,
                IssueCode::YearOutsideScheme,
                "year",
                None,
                format!(
                    "{} 年不在实施方案“{}”的适用年度（{range}）内",
                    t.year, s.name.zh
                ),
                format!(
                    "{} is outside the years of scheme '{}' ({range})",
                    t.year, s.id
                ),
            );
        }
        match t.period.parse::<Period>() {
            Ok(p) if s.periods.contains(&p) => {}
            _ => {
                let allowed: Vec<&str> = s.periods.iter().map(|p| p.as_str()).collect();
                self.push(
                    E,
                    IssueCode::UnknownPeriod,
                    "period",
                    None,
                    format!(
                        "填报期间“{}”不适用于本方案（可选：{}）",
                        clip(&t.period),
                        allowed.join("、")
                    ),
                    format!(
                        "period '{}' is not one of this scheme's ({})",
                        clip(&t.period),
                        allowed.join(", ")
                    ),
                );
            }
        }
        for (path, label, value) in [
            ("unit.id", ("单位代码", "unit id"), &t.unit.id),
            ("unit.name", ("单位名称", "unit name"), &t.unit.name),
            (
                "department.id",
                ("部门代码", "department id"),
                &t.department.id,
            ),
            (
                "department.name",
                ("部门名称", "department name"),
                &t.department.name,
            ),
        ] {
            self.required(
                &|| path.to_owned(),
                None,
                label,
                value,
                MAX_NAME_CHARS,
                false,
            );
        }
        match (t.kind(), &t.person) {
            (None, _) => self.push(
                E,
                IssueCode::UnknownTableKind,
                "table",
                None,
                format!(
                    "表格类型“{}”无效，应为 department（部门表）或 personal（个人表）",
                    clip(&t.table)
                ),
                format!(
                    "table kind '{}' is neither 'department' nor 'personal'",
                    clip(&t.table)
                ),
            ),
            (Some(TableKind::Department), Some(_)) => self.push(
                E,
                IssueCode::UnexpectedPerson,
                "person",
                None,
                "部门廉政风险识别防控表不应填写个人信息".into(),
                "a department table must not name a person".into(),
            ),
            (Some(TableKind::Department), None) => {}
            (Some(TableKind::Personal), None) => self.push(
                E,
                IssueCode::MissingField,
                "person",
                None,
                "个人廉政风险识别防控表须填写本人姓名和岗位".into(),
                "a personal table needs the person's name and post".into(),
            ),
            (Some(TableKind::Personal), Some(p)) => {
                for (path, label, value) in [
                    ("person.id", ("人员编号", "staff id"), &p.id),
                    ("person.name", ("姓名", "name"), &p.name),
                    ("person.post", ("岗位", "post"), &p.post),
                ] {
                    self.required(
                        &|| path.to_owned(),
                        None,
                        label,
                        value,
                        MAX_NAME_CHARS,
                        false,
                    );
                }
            }
        }
        if let Some(at) = &t.submitted_at {
            match at.parse::<Timestamp>() {
                Err(e) => self.push(
                    E,
                    IssueCode::InvalidTimestamp,
                    "submitted_at",
                    None,
                    format!("提交时间“{}”格式不正确", clip(at)),
                    format!("submission time: {e}"),
                ),
                Ok(ts) => {
                    let year = i32::try_from(t.year)
                        .ok()
                        .filter(|_| s.years.contains(t.year));
                    if let Some(deadline) = year.and_then(|y| s.table_deadline(y).ok())
                        && ts.date() > deadline
                    {
                        let phase = s
                            .phase(&s.table_deadline)
                            .map(|p| p.name.clone())
                            .unwrap_or_default();
                        self.push(
                            W,
                            IssueCode::SubmittedLate,
                            "submitted_at",
                            None,
                            format!(
                                "于 {} 提交，晚于“{}”阶段截止日 {deadline}",
                                ts.date(),
                                phase.zh
                            ),
                            format!(
                                "submitted on {}, after {deadline}, the end of the '{}' phase",
                                ts.date(),
                                phase.en
                            ),
                        );
                    }
                }
            }
        }
    }

    fn row(&mut self, i: usize, row: &RiskRow) -> Option<Arc<Grade>> {
        let s = self.scheme;
        let p = |f: &str| format!("rows[{i}].{f}");
        let some = Some(i);
        self.required(
            &|| p("power.name"),
            some,
            ("权力名称", "power name"),
            &row.power.name,
            MAX_NAME_CHARS,
            false,
        );
        if self.required(
            &|| p("power.category"),
            some,
            ("权力类别", "power category"),
            &row.power.category,
            MAX_NAME_CHARS,
            false,
        ) && row.power.category.parse::<PowerCategory>().is_err()
        {
            let allowed: Vec<String> = PowerCategory::ALL
                .iter()
                .map(|c| format!("{}（{}）", c.as_str(), c.name().zh))
                .collect();
            self.push(
                E,
                IssueCode::UnknownCategory,
                p("power.category"),
                some,
                format!(
                    "{}：权力类别“{}”无效，可选：{}",
                    row_zh(i),
                    clip(&row.power.category),
                    allowed.join("、")
                ),
                format!(
                    "{}: '{}' is not a power category ({})",
                    row_en(i),
                    clip(&row.power.category),
                    PowerCategory::ALL.map(|c| c.as_str()).join(", ")
                ),
            );
        }
        for (f, label, value, max) in [
            (
                "power.item",
                ("权力项目", "power item"),
                &row.power.item,
                MAX_NAME_CHARS,
            ),
            (
                "power.basis",
                ("行使依据", "legal basis"),
                &row.power.basis,
                MAX_TEXT_CHARS,
            ),
            (
                "power.limits",
                ("行使界限", "limits"),
                &row.power.limits,
                MAX_TEXT_CHARS,
            ),
            (
                "power.department",
                ("责任部门或岗位", "responsible department or post"),
                &row.power.department,
                MAX_NAME_CHARS,
            ),
            (
                "step.name",
                ("流程环节", "flow step"),
                &row.step.name,
                MAX_NAME_CHARS,
            ),
            (
                "step.subject",
                ("办理主体", "handling subject"),
                &row.step.subject,
                MAX_NAME_CHARS,
            ),
            (
                "step.conditions",
                ("条件", "conditions"),
                &row.step.conditions,
                MAX_TEXT_CHARS,
            ),
            (
                "step.procedure",
                ("程序", "procedure"),
                &row.step.procedure,
                MAX_TEXT_CHARS,
            ),
            (
                "step.time_limit",
                ("期限", "time limit"),
                &row.step.time_limit,
                MAX_NAME_CHARS,
            ),
            (
                "step.supervision",
                ("监督方式", "supervision"),
                &row.step.supervision,
                MAX_TEXT_CHARS,
            ),
            ("post", ("岗位", "post"), &row.post, MAX_NAME_CHARS),
            (
                "level_reason",
                ("定级理由", "reason for the level"),
                &row.level_reason,
                MAX_TEXT_CHARS,
            ),
        ] {
            self.text(&|| p(f), some, label, value, max, max == MAX_TEXT_CHARS);
        }
        self.required(
            &|| p("risk_point"),
            some,
            ("廉政风险点", "risk point"),
            &row.risk_point,
            MAX_TEXT_CHARS,
            true,
        );
        self.required(
            &|| p("responsible"),
            some,
            ("责任部门或责任人", "responsible department or person"),
            &row.responsible,
            MAX_NAME_CHARS,
            false,
        );
        if self.required(
            &|| p("risk_type"),
            some,
            ("风险类型", "risk type"),
            &row.risk_type,
            MAX_NAME_CHARS,
            false,
        ) && s.risk_type(&row.risk_type).is_none()
        {
            let zh: Vec<String> = s
                .risk_types
                .iter()
                .map(|t| format!("{}（{}）", t.id, t.name.zh))
                .collect();
            let en: Vec<&str> = s.risk_types.iter().map(|t| t.id.as_str()).collect();
            self.push(
                E,
                IssueCode::UnknownRiskType,
                p("risk_type"),
                some,
                format!(
                    "{}：风险类型“{}”不属于本方案，可选：{}",
                    row_zh(i),
                    clip(&row.risk_type),
                    zh.join("、")
                ),
                format!(
                    "{}: risk type '{}' is not in scheme '{}' ({})",
                    row_en(i),
                    clip(&row.risk_type),
                    s.id,
                    en.join(", ")
                ),
            );
        }
        let graded = match self.factors(i, row) {
            Some(combination) => self.grade(&row.factors, combination),
            None => None,
        };
        let stated = row.level.as_deref().filter(|l| !l.is_empty());
        let mut effective = graded.as_ref().map(|g| g.level.clone());
        if let Some(l) = stated {
            if s.level(l).is_none() {
                let names: Vec<String> = s
                    .levels
                    .iter()
                    .map(|x| format!("{}（{}）", x.id, x.name.zh))
                    .collect();
                self.push(
                    E,
                    IssueCode::UnknownLevel,
                    p("level"),
                    some,
                    format!(
                        "{}：风险等级“{}”不属于本方案，可选：{}",
                        row_zh(i),
                        clip(l),
                        names.join("、")
                    ),
                    format!(
                        "{}: level '{}' is not in scheme '{}'",
                        row_en(i),
                        clip(l),
                        s.id
                    ),
                );
            } else {
                effective = Some(l.to_owned());
                if let Some(g) = &graded
                    && g.level != l
                {
                    let stated_name = s.level(l).map(|x| x.name.clone()).unwrap_or_default();
                    if row.level_reason.trim().is_empty() {
                        self.push(
                            E,
                            IssueCode::LevelContradictsFactors,
                            p("level"),
                            some,
                            format!("{}：填报等级“{}”与评定因素得出的“{}”不一致，请说明理由或改正", row_zh(i), stated_name.zh, g.level_name.zh),
                            format!("{}: the stated level '{}' differs from '{}', which the factors give; state a reason or correct it", row_en(i), stated_name.en, g.level_name.en),
                        );
                    } else {
                        self.push(
                            W,
                            IssueCode::LevelOverridden,
                            p("level"),
                            some,
                            format!(
                                "{}：等级由“{}”调整为“{}”，理由：{}",
                                row_zh(i),
                                g.level_name.zh,
                                stated_name.zh,
                                clip(&row.level_reason)
                            ),
                            format!(
                                "{}: level changed from '{}' to '{}', because: {}",
                                row_en(i),
                                g.level_name.en,
                                stated_name.en,
                                clip(&row.level_reason)
                            ),
                        );
                    }
                }
            }
        }
        if let (Some(recorded), Some(g)) = (row.graded_level.as_deref(), &graded)
            && recorded != g.level
        {
            self.push(
                E,
                IssueCode::GradedLevelMismatch,
                p("graded_level"),
                some,
                format!(
                    "{}：记录的评定等级“{}”与按评定因素计算的“{}”不符",
                    row_zh(i),
                    clip(recorded),
                    g.level_name.zh
                ),
                format!(
                    "{}: the recorded grade '{}' is not '{}', which the factors give",
                    row_en(i),
                    clip(recorded),
                    g.level
                ),
            );
        }
        self.measures(i, row, effective.as_deref());
        graded
    }

    /// Checks the row's factor values. When every factor has one of its options, returns the
    /// combination's number (the options' positions in mixed radix; `None` on overflow too),
    /// which names the grade without looking at the text again.
    fn factors(&mut self, i: usize, row: &RiskRow) -> Option<Option<u64>> {
        let s = self.scheme;
        let mut ok = true;
        let mut combination = Some(0_u64);
        for k in row.factors.keys() {
            if s.factor(k).is_none() {
                ok = false;
                self.push(
                    E,
                    IssueCode::UnknownFactor,
                    format!("rows[{i}].factors.{}", clip(k)),
                    Some(i),
                    format!("{}：本方案没有评定因素“{}”", row_zh(i), clip(k)),
                    format!(
                        "{}: scheme '{}' has no grading factor '{}'",
                        row_en(i),
                        s.id,
                        clip(k)
                    ),
                );
            }
        }
        for f in &s.factors {
            let path = || format!("rows[{i}].factors.{}", f.id);
            let value = row.factors.get(&f.id).map(String::as_str);
            let position = value.and_then(|v| f.options.iter().position(|o| o.id == v));
            match (value, position) {
                (_, Some(p)) => {
                    combination = combination
                        .and_then(|c| c.checked_mul(f.options.len() as u64))
                        .and_then(|c| c.checked_add(p as u64));
                }
                (None | Some(""), None) => {
                    ok = false;
                    self.push(
                        E,
                        IssueCode::MissingFactor,
                        path(),
                        Some(i),
                        format!("{}：请选择“{}”", row_zh(i), f.name.zh),
                        format!("{}: choose a value for '{}'", row_en(i), f.name.en),
                    );
                }
                (Some(v), None) => {
                    ok = false;
                    let zh: Vec<String> = f
                        .options
                        .iter()
                        .map(|o| format!("{}（{}）", o.id, o.name.zh))
                        .collect();
                    let en: Vec<&str> = f.options.iter().map(|o| o.id.as_str()).collect();
                    self.push(
                        E,
                        IssueCode::InvalidFactorValue,
                        path(),
                        Some(i),
                        format!(
                            "{}：“{}”的取值“{}”无效，可选：{}",
                            row_zh(i),
                            f.name.zh,
                            clip(v),
                            zh.join("、")
                        ),
                        format!(
                            "{}: '{}' is not a value of '{}' ({})",
                            row_en(i),
                            clip(v),
                            f.name.en,
                            en.join(", ")
                        ),
                    );
                }
            }
        }
        ok.then_some(combination)
    }

    fn measures(&mut self, i: usize, row: &RiskRow, level: Option<&str>) {
        let s = self.scheme;
        if row.measures.len() > MAX_MEASURES {
            self.push(
                E,
                IssueCode::TooManyMeasures,
                format!("rows[{i}].measures"),
                Some(i),
                format!(
                    "{}：防控措施 {} 条，最多 {MAX_MEASURES} 条",
                    row_zh(i),
                    row.measures.len()
                ),
                format!(
                    "{}: {} measures, at most {MAX_MEASURES}",
                    row_en(i),
                    row.measures.len()
                ),
            );
        }
        let mut lines = BTreeSet::new();
        for (j, m) in row.measures.iter().enumerate().take(MAX_MEASURES) {
            let p = |f: &str| format!("rows[{i}].measures[{j}].{f}");
            let line = m.line.parse::<DefenceLine>().ok();
            match line {
                Some(l) => {
                    lines.insert(l);
                }
                None => self.push(
                    E,
                    IssueCode::UnknownDefenceLine,
                    p("line"),
                    Some(i),
                    format!("{}：第 {} 条措施的防线“{}”无效，应为 prevention（前期预防）、monitoring（中期监控）或 disposal（后期处置）", row_zh(i), j + 1, clip(&m.line)),
                    format!("{}: measure {} has line '{}'; use prevention, monitoring or disposal", row_en(i), j + 1, clip(&m.line)),
                ),
            }
            if !m.kind.is_empty() {
                match s.measure(&m.kind) {
                    None => self.push(
                        E,
                        IssueCode::UnknownMeasureKind,
                        p("kind"),
                        Some(i),
                        format!(
                            "{}：第 {} 条措施的类别“{}”不在本方案的措施目录中",
                            row_zh(i),
                            j + 1,
                            clip(&m.kind)
                        ),
                        format!(
                            "{}: measure {} is of kind '{}', which scheme '{}' does not list",
                            row_en(i),
                            j + 1,
                            clip(&m.kind),
                            s.id
                        ),
                    ),
                    Some(k) if line.is_some_and(|l| l != k.line) => self.push(
                        E,
                        IssueCode::MeasureLineMismatch,
                        p("line"),
                        Some(i),
                        format!(
                            "{}：措施“{}”属于“{}”，不属于“{}”",
                            row_zh(i),
                            k.name.zh,
                            k.line.name().zh,
                            line.map(|l| l.name().zh).unwrap_or_default()
                        ),
                        format!(
                            "{}: measure '{}' belongs to {}, not {}",
                            row_en(i),
                            k.name.en,
                            k.line.name().en,
                            line.map(|l| l.name().en).unwrap_or_default()
                        ),
                    ),
                    Some(_) => {}
                }
            }
            let label = ("措施内容", "measure text");
            if !self.text(&|| p("text"), Some(i), label, &m.text, MAX_TEXT_CHARS, true)
                && m.kind.is_empty()
            {
                self.push(
                    E,
                    IssueCode::MissingField,
                    p("text"),
                    Some(i),
                    format!("{}：第 {} 条措施没有内容", row_zh(i), j + 1),
                    format!("{}: measure {} is empty", row_en(i), j + 1),
                );
            }
        }
        let Some(l) = level.and_then(|l| s.level(l)) else {
            return;
        };
        if l.severity >= s.policy.full_defence_from {
            for line in DefenceLine::ALL.into_iter().filter(|x| !lines.contains(x)) {
                self.push(
                    s.policy.full_defence_as,
                    IssueCode::MissingDefenceLine,
                    format!("rows[{i}].measures"),
                    Some(i),
                    format!(
                        "{}：{}风险须在三道防线都有措施，缺少“{}”",
                        row_zh(i),
                        l.name.zh,
                        line.name().zh
                    ),
                    format!(
                        "{}: a {} risk needs a measure in every line of defence; '{}' has none",
                        row_en(i),
                        l.name.en,
                        line.name().en
                    ),
                );
            }
        } else if row.measures.is_empty() {
            self.push(
                W,
                IssueCode::NoMeasures,
                format!("rows[{i}].measures"),
                Some(i),
                format!("{}：尚未填写防控措施", row_zh(i)),
                format!("{}: no measures yet", row_en(i)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::presets;

    #[test]
    fn validate_graded_gives_the_grade_of_every_row_and_the_same_report() {
        for scheme in presets::registry().iter() {
            let first = |k: usize| -> BTreeMap<String, String> {
                scheme
                    .factors
                    .iter()
                    .map(|f| (f.id.clone(), f.options[k % f.options.len()].id.clone()))
                    .collect()
            };
            let mut rows: Vec<RiskRow> = (0..4)
                .map(|k| RiskRow {
                    factors: first(k),
                    ..RiskRow::default()
                })
                .collect();
            rows[2].factors.clear();
            let table = SelfCheckTable {
                scheme: scheme.id.clone(),
                rows,
                ..SelfCheckTable::default()
            };
            let (report, grades) = validate_graded(scheme, &table);
            assert_eq!(report, validate(scheme, &table));
            assert_eq!(grades.len(), 4);
            for (row, g) in table.rows.iter().zip(&grades) {
                assert_eq!(g.as_ref(), grade(scheme, &row.factors).ok().as_ref());
            }
            assert!(grades[2].is_none());
            assert!(grades[0].is_some());
        }
    }

    #[test]
    fn control_characters_are_found_as_unicode_finds_them() {
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            for multiline in [false, true] {
                let expected = c.is_control() && !(multiline && (c == '\n' || c == '\t'));
                assert_eq!(has_control(&text, multiline), expected, "{c:?}");
            }
        }
    }

    /// What folding must give: whitespace runs joined by one space, then `to_lowercase`.
    fn fold_reference(s: &str) -> String {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }

    #[test]
    fn folding_by_bytes_agrees_with_unicode_for_every_character() {
        let mut folded = String::new();
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            for s in [
                format!("{c}"),
                format!("A{c}审核"),
                format!("a {c}"),
                format!("{c} 。"),
                format!("“{c}{c}”"),
            ] {
                folded.clear();
                fold_into(&mut folded, &s);
                assert_eq!(folded, fold_reference(&s), "{s:?} (U+{:04X})", c as u32);
            }
        }
        for s in [
            "",
            " ",
            "a  b",
            "a\tb",
            "审核\u{3000}把关",
            "Ｚ，ｚ",
            "a b c",
            "abc ",
        ] {
            folded.clear();
            fold_into(&mut folded, s);
            assert_eq!(folded, fold_reference(s), "{s:?}");
        }
    }

    #[test]
    fn text_as_departments_write_it_is_folded_by_bytes() {
        for s in [
            "虚报冒领、截留挪用专项资金（第 0 项）",
            "“三重一大”事项 未经集体研究—— 擅自决定…",
            "财政所 ABC 审核，审批；公示！",
        ] {
            assert!(folds_as_ascii(s.as_bytes()), "{s}");
        }
        for s in [
            " 审核",
            "审核 ",
            "审核  把关",
            "审核\u{3000}把关",
            "ＡＢＣ",
            "Straße",
        ] {
            assert!(!folds_as_ascii(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn folding_lower_cases_as_unicode_does() {
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            if lowers_as_ascii(c) {
                assert_eq!(
                    c.to_lowercase().collect::<String>(),
                    c.to_ascii_lowercase().to_string(),
                    "{c:?}"
                );
            }
        }
        for s in [
            "  审核 把关\t不严 ",
            "ABC 办理",
            "ＡＢＣ",
            "ΟΔΟΣ ΟΔΟΣ",
            "İstanbul",
            "Straße",
        ] {
            let reference = s
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            let mut folded = String::from("kept");
            fold_into(&mut folded, s);
            assert_eq!(folded, format!("kept{reference}"), "{s:?}");
        }
    }

    #[test]
    fn validate_graded_covers_empty_and_oversized_tables() {
        let scheme = presets::get("university-2010").expect("preset");
        let empty = SelfCheckTable {
            scheme: scheme.id.clone(),
            ..SelfCheckTable::default()
        };
        assert!(validate_graded(scheme, &empty).1.is_empty());
        let row = RiskRow {
            factors: BTreeMap::from([("consequence".to_owned(), "crime".to_owned())]),
            ..RiskRow::default()
        };
        let big = SelfCheckTable {
            scheme: scheme.id.clone(),
            rows: vec![row; MAX_ROWS + 1],
            ..SelfCheckTable::default()
        };
        let grades = validate_graded(scheme, &big).1;
        assert_eq!(grades.len(), MAX_ROWS + 1);
        assert!(grades[MAX_ROWS - 1].is_some());
        assert!(grades[MAX_ROWS].is_none());
    }
}
