//! `superseded(hash)` and `submission_version(hash)`: whether a submission is a superseded
//! version of its table (a later version of the same table was submitted), and which version of
//! its table it is (1 for the first). The current views (`submissions`, `risk_points`,
//! `measures`) keep the rows for which `superseded` is false; `submission_versions` and
//! `risk_point_versions` show both.
//!
//! The tables with several versions are found when the session opens (they are few: a table
//! resubmitted), so both are a lookup in a map held by the functions. They replace joins with a
//! table of those versions, which DataFusion ran by partition: every query of a year's risk
//! points first repartitioned all of them by hash. At 10 M risk points that held 1.1 GB of
//! batches, and `report_units` took 3.0 s and 1.7 GiB; with the lookup it reads the risk points
//! once. `submissions`, read three or four times by `late_tables`, was still such a join until
//! session 13: each use repartitioned its 1.17 M rows by hash.
//!
//! The rows of one submission lie together in the store, so a hash equal to the row before's is
//! not looked up again: equal string views (Parquet's dictionary pages give the repeats of a value
//! one view) are equal without reading the bytes. Any other hash is first told by its [`Tag`]
//! (its length and last eight bytes) whether it can be listed at all, which for nearly every
//! row it cannot. Until session 23 most of a row group's hashes were written plain, one copy a
//! row (the writer's dictionary overflowed after about a third of them, see
//! [`crate::store::large_dictionary_texts`]), so one table's rows did not share a view, and
//! comparing each row's 71 bytes with the row before's was a tenth of `report_top_powers` at
//! 10 M; stores written before then still read so.
//!
//! Even so, reading the hash column was most of the current-version filter, and the filter up
//! to two fifths of a year's grouping (`report_top_powers` at 10 M: 110 ms with it, 50–60 ms
//! without). Stores begun since session 24 keep a number beside each hash (`hash_key`, see
//! [`crate::store::schema::hash_key`]), and the current views ask [`KEY_NAME`] of it instead
//! when the session finds that exactly the superseded submissions have their keys.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int32Array};
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{HashMap, HashSet, Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::args::{answer, arrays, text_arg_as_is};

/// The SQL name of the superseded test.
pub const NAME: &str = "superseded";

/// The SQL name of the version number.
pub const VERSION: &str = "submission_version";

/// Each submission of a table with several versions: its hash, its version (1 for the first)
/// and whether it is superseded. A hash not listed is version 1 and current.
pub type Versions = Arc<HashMap<String, (i32, bool)>>;

/// A text's length and last eight bytes (zero-padded when shorter): two texts with different
/// tags differ. A hash's last bytes are as good as random, so the tags of the few listed hashes
/// rule out nearly every other one without comparing it.
type Tag = (usize, u64);

fn tag(text: &str) -> Tag {
    let bytes = text.as_bytes();
    let tail = bytes
        .get(bytes.len().saturating_sub(8)..)
        .unwrap_or_default();
    let mut word = [0; 8];
    word[..tail.len()].copy_from_slice(tail);
    (bytes.len(), u64::from_le_bytes(word))
}

/// Looks up every hash of `hashes` (any text type) with `find`, which answers `absent` for any
/// hash whose tag is not in `listed`; for string views, once per run of equal hashes.
fn lookup<T: Copy>(
    func: &str,
    hashes: &ArrayRef,
    listed: &HashSet<Tag>,
    absent: T,
    find: impl Fn(&str) -> T,
) -> Result<Vec<Option<T>>> {
    let answer = |h: &str| {
        if listed.contains(&tag(h)) {
            find(h)
        } else {
            absent
        }
    };
    match hashes.data_type() {
        DataType::Utf8View => {
            let a = hashes.as_string_view();
            let views = a.views();
            let mut out = Vec::with_capacity(a.len());
            // Equal views are equal strings: the same inline bytes, or the same bytes of the
            // same buffer.
            let mut last: Option<(u128, &str, T)> = None;
            for (i, &view) in views.iter().enumerate() {
                if a.is_null(i) {
                    out.push(None);
                    continue;
                }
                let found = match last {
                    Some((v, _, t)) if v == view => t,
                    _ => {
                        let h = a.value(i);
                        let t = match last {
                            // Only a hash that may be listed is worth comparing with the last.
                            _ if !listed.contains(&tag(h)) => absent,
                            Some((_, before, t)) if before == h => t,
                            _ => find(h),
                        };
                        last = Some((view, h, t));
                        t
                    }
                };
                out.push(Some(found));
            }
            Ok(out)
        }
        DataType::Utf8 => Ok(hashes
            .as_string::<i32>()
            .iter()
            .map(|h| h.map(answer))
            .collect()),
        DataType::LargeUtf8 => Ok(hashes
            .as_string::<i64>()
            .iter()
            .map(|h| h.map(answer))
            .collect()),
        DataType::Null => Ok(vec![None; hashes.len()]),
        other => exec_err!("{func}: hash must be text, but it is {other}"),
    }
}

/// The one argument, a hash of any text type, kept as it is: the store's hashes are read as
/// string views, and a cast to `Utf8` would copy every one.
fn coerce_hash(func: &str, arg_types: &[DataType]) -> Result<Vec<DataType>> {
    let [hash] = arg_types else {
        return plan_err!(
            "{func} takes one argument, (hash), but {} were given",
            arg_types.len()
        );
    };
    Ok(vec![text_arg_as_is(func, 1, "hash", hash)?])
}

/// What a [`VersionLookup`] answers of a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Asked {
    /// `superseded(hash)`: true when a later version of the table was submitted.
    Superseded,
    /// `submission_version(hash)`: 1 for the first version of the table, 2 for the next…
    Version,
}

/// `superseded` or `submission_version` over one store's versions: the same lookup, two answers.
#[derive(Debug)]
pub struct VersionLookup {
    asked: Asked,
    signature: Signature,
    versions: Versions,
    /// The tags of the hashes whose answer is not the default: the superseded ones for
    /// `superseded`, every listed one for `submission_version`.
    listed: HashSet<Tag>,
}

impl VersionLookup {
    /// `superseded(hash)`: true for exactly the superseded submissions of `versions`.
    pub fn superseded(versions: Versions) -> Self {
        VersionLookup::new(Asked::Superseded, versions)
    }

    /// `submission_version(hash)`: each submission's version from `versions` (1 when not listed).
    pub fn version(versions: Versions) -> Self {
        VersionLookup::new(Asked::Version, versions)
    }

    fn new(asked: Asked, versions: Versions) -> Self {
        let listed = versions
            .iter()
            .filter(|(_, (_, superseded))| asked == Asked::Version || *superseded)
            .map(|(hash, _)| tag(hash))
            .collect();
        VersionLookup {
            asked,
            signature: Signature::user_defined(Volatility::Immutable),
            versions,
            listed,
        }
    }
}

// Two are the same function when they answer the same question from the same versions (a
// session re-registers them with new ones whenever the store's manifest changes).
impl PartialEq for VersionLookup {
    fn eq(&self, other: &Self) -> bool {
        self.asked == other.asked && Arc::ptr_eq(&self.versions, &other.versions)
    }
}

impl Eq for VersionLookup {}

impl std::hash::Hash for VersionLookup {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.asked.hash(state);
        self.versions.len().hash(state);
    }
}

impl ScalarUDFImpl for VersionLookup {
    fn name(&self) -> &str {
        match self.asked {
            Asked::Superseded => NAME,
            Asked::Version => VERSION,
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_hash(self.name(), arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.asked {
            Asked::Superseded => DataType::Boolean,
            Asked::Version => DataType::Int32,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = self.name();
        let ([hashes], all_scalar) = arrays::<1>(name, &args)?;
        let found: ArrayRef = match self.asked {
            Asked::Superseded => Arc::new(BooleanArray::from(lookup(
                name,
                &hashes,
                &self.listed,
                false,
                |h| {
                    self.versions
                        .get(h)
                        .is_some_and(|(_, superseded)| *superseded)
                },
            )?)),
            Asked::Version => Arc::new(Int32Array::from(lookup(
                name,
                &hashes,
                &self.listed,
                1,
                |h| self.versions.get(h).map_or(1, |(version, _)| *version),
            )?)),
        };
        answer(found, all_scalar)
    }
}

/// The SQL name of the superseded test asked of a submission's `hash_key`.
pub const KEY_NAME: &str = "superseded_key";

/// `superseded_key(hash_key)`: whether a row's submission is superseded, asked of its
/// [`crate::store::schema::hash_key`] instead of its hash. The current views use it when every
/// file has the keys and no current submission shares a key with a superseded one (the session
/// checks when it opens): reading a number costs a tenth of reading the 71-byte hash.
#[derive(Debug)]
pub struct KeyLookup {
    signature: Signature,
    keys: Arc<HashSet<i64>>,
}

impl KeyLookup {
    /// True for exactly the rows whose key is one of `keys` (the superseded submissions').
    pub fn new(keys: HashSet<i64>) -> Self {
        KeyLookup {
            signature: Signature::exact(vec![DataType::Int64], Volatility::Immutable),
            keys: Arc::new(keys),
        }
    }
}

impl PartialEq for KeyLookup {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.keys, &other.keys)
    }
}

impl Eq for KeyLookup {}

impl std::hash::Hash for KeyLookup {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.keys.len().hash(state);
    }
}

impl ScalarUDFImpl for KeyLookup {
    fn name(&self) -> &str {
        KEY_NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ([keys], all_scalar) = arrays::<1>(KEY_NAME, &args)?;
        let Some(keys) = keys.as_primitive_opt::<Int64Type>() else {
            return exec_err!("{KEY_NAME}: the key must be a whole number (BIGINT)");
        };
        // A submission's rows lie together: a key equal to the row before's has its answer.
        let mut last: Option<(i64, bool)> = None;
        let mut superseded = |k: i64| match last {
            Some((before, answer)) if before == k => answer,
            _ => {
                let answer = self.keys.contains(&k);
                last = Some((k, answer));
                answer
            }
        };
        // The answers' bits are packed as they are found, and a null key gives a null answer
        // through the keys' own null mask: collecting an `Option<bool>` a row went through a
        // builder's checks per row, with every current-version query asking of every row.
        let values = keys.values();
        let bits = BooleanBuffer::collect_bool(values.len(), |i| {
            keys.is_valid(i) && superseded(values[i])
        });
        let found = BooleanArray::new(bits, keys.nulls().cloned());
        answer(Arc::new(found), all_scalar)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::Int32Type;
    use datafusion::logical_expr::ScalarUDF;

    use super::*;

    fn versions() -> Versions {
        Arc::new(HashMap::from_iter([
            ("old".to_owned(), (1, true)),
            ("new".to_owned(), (2, false)),
        ]))
    }

    async fn ask(sql: &str) -> Result<Vec<Option<bool>>> {
        let udf = ScalarUDF::from(VersionLookup::superseded(versions()));
        super::super::args::first_column(udf, sql, |a, i| a.as_boolean().value(i)).await
    }

    async fn version(sql: &str) -> Result<Vec<Option<i32>>> {
        let udf = ScalarUDF::from(VersionLookup::version(versions()));
        super::super::args::first_column(udf, sql, |a, i| a.as_primitive::<Int32Type>().value(i))
            .await
    }

    #[tokio::test]
    async fn only_the_superseded_hashes_are_true_whatever_the_string_type() -> Result<()> {
        assert_eq!(
            ask("SELECT superseded(h) FROM (VALUES ('old'), ('new'), ('other'), (NULL)) t(h)")
                .await?,
            [Some(true), Some(false), Some(false), None]
        );
        assert_eq!(
            ask("SELECT superseded(arrow_cast('old', 'Utf8View'))").await?,
            [Some(true)]
        );
        assert_eq!(
            ask("SELECT superseded(arrow_cast('old', 'LargeUtf8'))").await?,
            [Some(true)]
        );
        Ok(())
    }

    #[tokio::test]
    async fn only_the_superseded_keys_are_true() -> Result<()> {
        let udf = ScalarUDF::from(KeyLookup::new(HashSet::from_iter([2, -7])));
        let asked = |sql: &'static str| {
            super::super::args::first_column(udf.clone(), sql, |a, i| a.as_boolean().value(i))
        };
        // Runs of one key (a submission's rows), a key of the set after another, a null.
        assert_eq!(
            asked(
                "SELECT superseded_key(k) FROM (VALUES (1), (1), (2), (2), (-7), (NULL), (3)) \
                 t(k)"
            )
            .await?,
            [
                Some(false),
                Some(false),
                Some(true),
                Some(true),
                Some(true),
                None,
                Some(false)
            ]
        );
        let refused = asked("SELECT superseded_key('2')").await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("superseded_key")),
            "{refused:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_hash_not_listed_is_version_1() -> Result<()> {
        assert_eq!(
            version(
                "SELECT submission_version(arrow_cast(h, 'Utf8View')) \
                 FROM (VALUES ('old'), ('new'), ('other'), (NULL)) t(h)"
            )
            .await?,
            [Some(1), Some(2), Some(1), None]
        );
        Ok(())
    }

    #[test]
    fn runs_of_one_hash_are_looked_up_once() -> Result<()> {
        // Long strings in one buffer: the repeats share a view; "old" written once more at
        // another offset has another view, equal bytes and the same answer.
        let long = |s: &str| format!("{s}-0123456789abcdef");
        let mut b = datafusion::arrow::array::StringViewBuilder::new();
        let old = b.append_block(datafusion::arrow::buffer::Buffer::from(
            format!("{}{}", long("old"), long("new")).into_bytes(),
        ));
        let n = long("old").len() as u32;
        for (offset, times) in [(0, 3), (n, 2), (0, 1)] {
            for _ in 0..times {
                b.try_append_view(old, offset, n)?;
            }
        }
        b.append_value(long("old"));
        b.append_null();
        let a: ArrayRef = Arc::new(b.finish());
        let versions: Versions = Arc::new(HashMap::from_iter([
            (long("old"), (1, true)),
            (long("new"), (2, false)),
        ]));
        let calls = std::cell::Cell::new(0);
        let listed = versions.keys().map(|h| tag(h)).collect();
        let found = lookup(NAME, &a, &listed, false, |h| {
            calls.set(calls.get() + 1);
            versions.get(h).is_some_and(|v| v.1)
        })?;
        assert_eq!(
            found,
            [
                Some(true),
                Some(true),
                Some(true),
                Some(false),
                Some(false),
                Some(true),
                Some(true),
                None
            ]
        );
        assert_eq!(calls.get(), 3, "one lookup per run of equal hashes");
        Ok(())
    }

    #[test]
    fn a_hash_whose_tag_is_not_listed_is_never_looked_up() -> Result<()> {
        // Hashes as the store has them: one length, one prefix, distinct ends.
        let hash = |n: u32| format!("sha256:{:064x}", u64::from(n) * 0x9e37_79b9);
        let versions: Versions = Arc::new(HashMap::from_iter([
            (hash(7), (1, true)),
            (hash(8), (2, false)),
        ]));
        let superseded = VersionLookup::superseded(Arc::clone(&versions));
        let version = VersionLookup::version(versions);
        assert_eq!(superseded.listed, HashSet::from_iter([tag(&hash(7))]));
        assert_eq!(version.listed.len(), 2);
        let mut b = datafusion::arrow::array::StringViewBuilder::new();
        for n in [1, 7, 7, 2, 8, 3, 7] {
            b.append_value(hash(n));
        }
        let a: ArrayRef = Arc::new(b.finish());
        let calls = std::cell::Cell::new(Vec::new());
        let found = lookup(NAME, &a, &superseded.listed, false, |h| {
            let mut seen = calls.take();
            seen.push(h.to_owned());
            calls.set(seen);
            true
        })?;
        // `find` answers true for anything it is asked: only hash 7 may be asked, once per run.
        assert_eq!(
            found,
            [false, true, true, false, false, false, true].map(Some)
        );
        assert_eq!(calls.take(), [hash(7), hash(7)]);
        Ok(())
    }

    #[test]
    fn tags_tell_apart_lengths_and_ends() {
        assert_eq!(tag(""), (0, 0));
        assert_eq!(tag("ab"), tag("ab"));
        assert_ne!(tag("ab"), tag("ab\0"));
        assert_ne!(tag("x-0123456789"), tag("y-0123456788"));
        assert_eq!(tag("x-0123456789"), tag("y-0123456789"));
    }

    #[tokio::test]
    async fn a_hash_that_is_not_text_is_refused() {
        for e in [
            ask("SELECT superseded(1)").await.map(|_| ()),
            version("SELECT submission_version(1)").await.map(|_| ()),
        ] {
            assert!(
                e.as_ref()
                    .is_err_and(|e| e.to_string().contains("must be text")),
                "{e:?}"
            );
        }
    }
}
