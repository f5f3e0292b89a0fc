//! Submission tokens: who may submit tables for which unit and department.
//!
//! The tokens file (`sunlight serve --tokens FILE`) has one token per line, three fields
//! separated by spaces or tabs; `#` starts a comment line, blank lines are ignored:
//!
//! ```text
//! # token                              unit        department
//! 7f3c9a51e2d84b06a1c55e0f9b2d4e88     chengguan   finance-office
//! 0b4e6d2a9c1f47e38d5a2b7c6e9f1a03     chengguan   *
//! ```
//!
//! A token may submit tables whose `unit.id` is its unit and whose `department.id` is its
//! department (`*`: any department of the unit). Tokens must be at least 16 characters of
//! visible ASCII and each may appear once. Clients send `Authorization: Bearer TOKEN`.
//!
//! Tokens are compared in constant time: the presented token and every known token are hashed
//! with SHA-256 and every digest is compared in full, so neither the time taken nor an early
//! exit says how much of a guess was right or which entry matched. Tokens are never logged or
//! shown in an answer.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The shortest token accepted in the file.
pub const MIN_TOKEN_LEN: usize = 16;

/// Who a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The unit id.
    pub unit: String,
    /// The department id, or `None` for every department of the unit.
    pub department: Option<String>,
}

impl Grant {
    /// Whether this grant covers a table of `unit` and `department`.
    pub fn covers(&self, unit: &str, department: &str) -> bool {
        self.unit == unit && self.department.as_deref().is_none_or(|d| d == department)
    }
}

struct Entry {
    digest: [u8; 32],
    grant: Grant,
}

/// The tokens read from a tokens file.
pub struct Tokens {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for Tokens {
    // Never print a token, not even its digest.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} entries)", self.entries.len())
    }
}

fn digest(token: &[u8]) -> [u8; 32] {
    Sha256::digest(token).into()
}

/// Compares two digests without stopping at the first difference.
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

impl Tokens {
    /// Reads a tokens file (format above). Errors name the line, never the token.
    pub fn read(path: &Path) -> Result<Tokens> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io("reading the tokens file", path, e))?;
        Tokens::parse(&text).map_err(|(line, message)| Error::Tokens {
            path: path.to_owned(),
            line,
            message,
        })
    }

    /// Parses the text of a tokens file; an error gives the 1-based line and what is wrong.
    pub fn parse(text: &str) -> std::result::Result<Tokens, (usize, String)> {
        let mut entries: Vec<Entry> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [token, unit, department] = fields[..] else {
                return Err((
                    n,
                    format!(
                        "expected three fields (token, unit, department), found {}",
                        fields.len()
                    ),
                ));
            };
            if token.len() < MIN_TOKEN_LEN || !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err((
                    n,
                    format!("a token must be at least {MIN_TOKEN_LEN} characters of visible ASCII"),
                ));
            }
            let d = digest(token.as_bytes());
            if entries.iter().any(|e| same(&e.digest, &d)) {
                return Err((n, "this token is already listed on an earlier line".into()));
            }
            entries.push(Entry {
                digest: d,
                grant: Grant {
                    unit: unit.to_owned(),
                    department: (department != "*").then(|| department.to_owned()),
                },
            });
        }
        if entries.is_empty() {
            return Err((0, "it lists no tokens".into()));
        }
        Ok(Tokens { entries })
    }

    /// The grant of a presented token, if it is one of ours. Every entry is compared, always.
    pub fn check(&self, presented: &[u8]) -> Option<&Grant> {
        let d = digest(presented);
        let mut found = None;
        for e in &self.entries {
            if same(&e.digest, &d) {
                found = Some(&e.grant);
            }
        }
        found
    }

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none (never true for tokens read from a file).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# comment\n\nAAAAAAAAAAAAAAAA1 chengguan finance-office\nBBBBBBBBBBBBBBBB2\tchengguan\t*\n";

    #[test]
    fn grants_by_token() -> std::result::Result<(), String> {
        let t = Tokens::parse(FILE).map_err(|e| e.1)?;
        assert_eq!(t.len(), 2);
        let g = t.check(b"AAAAAAAAAAAAAAAA1").ok_or("first token")?;
        assert!(g.covers("chengguan", "finance-office"));
        assert!(!g.covers("chengguan", "party-office"));
        assert!(!g.covers("jxau", "finance-office"));
        let g = t.check(b"BBBBBBBBBBBBBBBB2").ok_or("second token")?;
        assert!(g.covers("chengguan", "party-office"));
        assert!(!g.covers("mca", "party-office"));
        assert!(t.check(b"AAAAAAAAAAAAAAAA").is_none());
        assert!(t.check(b"").is_none());
        Ok(())
    }

    #[test]
    fn bad_files_name_the_line_not_the_token() {
        for (text, line, needle) in [
            ("short chengguan x\n", 1, "at least 16"),
            ("# c\nAAAAAAAAAAAAAAAA1 chengguan\n", 2, "three fields"),
            (
                "AAAAAAAAAAAAAAAA1 a b\nAAAAAAAAAAAAAAAA1 c d\n",
                2,
                "already listed",
            ),
            ("# nothing\n", 0, "no tokens"),
        ] {
            let Err((l, m)) = Tokens::parse(text) else {
                panic!("{text:?} was accepted");
            };
            assert_eq!(l, line, "{text:?}");
            assert!(m.contains(needle), "{m}");
            assert!(!m.contains("AAAA"), "{m}");
        }
    }
}
