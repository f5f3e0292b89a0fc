//! Finding submission files and reading them as submissions, one per JSON file or per NDJSON line.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The largest submission accepted, in bytes: a full table (2,000 rows of long texts) fits well
/// within it; anything bigger is refused before it is parsed.
pub const MAX_SUBMISSION_BYTES: usize = 64 * 1024 * 1024;

/// How a file holds its submissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// One submission per file (`.json`).
    Json,
    /// One submission per line (`.ndjson`, `.jsonl`, and anything else named explicitly).
    Ndjson,
}

/// A file to read.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Its path.
    pub path: PathBuf,
    /// How it holds submissions.
    pub kind: FileKind,
    /// Its size in bytes, for progress.
    pub len: u64,
}

fn kind_of(path: &Path) -> Option<FileKind> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("json") => Some(FileKind::Json),
        Some(e) if e.eq_ignore_ascii_case("ndjson") || e.eq_ignore_ascii_case("jsonl") => {
            Some(FileKind::Ndjson)
        }
        _ => None,
    }
}

/// Expands the paths given on the command line: files as they are, folders recursively to their
/// `.json`, `.ndjson` and `.jsonl` files, in name order so every run reads in the same order.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<InputFile>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::io("reading", p, e))?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(InputFile {
                path: p.clone(),
                kind: kind_of(p).unwrap_or(FileKind::Ndjson),
                len: meta.len(),
            });
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<InputFile>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io("listing the folder", dir, e))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .map_err(|e| Error::io("listing the folder", dir, e))?;
    entries.sort();
    for p in entries {
        let meta = std::fs::metadata(&p).map_err(|e| Error::io("reading", &p, e))?;
        if meta.is_dir() {
            walk(&p, out)?;
        } else if let Some(kind) = kind_of(&p) {
            out.push(InputFile {
                path: p,
                kind,
                len: meta.len(),
            });
        }
    }
    Ok(())
}

/// One piece of input: a whole JSON file or one NDJSON line.
#[derive(Debug)]
pub struct Piece {
    /// Index of the file in the input list.
    pub file: usize,
    /// 1-based line where the piece starts.
    pub line: u64,
    /// The bytes, or why they could not be had.
    pub bytes: std::result::Result<Vec<u8>, PieceError>,
}

/// Why a piece has no bytes.
#[derive(Debug, Clone)]
pub enum PieceError {
    /// Larger than [`MAX_SUBMISSION_BYTES`].
    TooLarge(u64),
    /// The file could not be read.
    Unreadable(String),
}

/// Reads pieces from the input files in order, a bounded amount at a time.
pub struct PieceReader {
    files: Vec<InputFile>,
    next_file: usize,
    current: Option<(usize, BufReader<File>, u64)>,
    /// Bytes consumed so far over all files, for progress.
    pub bytes_read: u64,
}

impl PieceReader {
    /// A reader over `files`.
    pub fn new(files: Vec<InputFile>) -> Self {
        PieceReader {
            files,
            next_file: 0,
            current: None,
            bytes_read: 0,
        }
    }

    /// Up to `max_pieces` pieces or about `max_bytes` bytes, whichever comes first; empty at the end.
    pub fn next_chunk(&mut self, max_pieces: usize, max_bytes: usize) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut bytes = 0usize;
        while out.len() < max_pieces && bytes < max_bytes {
            if self.current.is_none() {
                let Some(f) = self.files.get(self.next_file) else {
                    break;
                };
                let idx = self.next_file;
                self.next_file += 1;
                match File::open(&f.path) {
                    Err(e) => {
                        out.push(Piece {
                            file: idx,
                            line: 0,
                            bytes: Err(PieceError::Unreadable(e.to_string())),
                        });
                        continue;
                    }
                    Ok(file) => {
                        let reader = BufReader::with_capacity(1 << 20, file);
                        if f.kind == FileKind::Json {
                            out.push(self.whole(idx, reader));
                            continue;
                        }
                        self.current = Some((idx, reader, 0));
                    }
                }
            }
            let Some((idx, reader, line)) = self.current.as_mut() else {
                continue;
            };
            *line += 1;
            let (piece, consumed, eof) = read_line(*idx, *line, reader);
            self.bytes_read += consumed;
            if let Some(p) = piece {
                if let Ok(b) = &p.bytes {
                    bytes += b.len();
                }
                out.push(p);
            }
            if eof {
                self.current = None;
            }
        }
        out
    }

    fn whole(&mut self, idx: usize, reader: BufReader<File>) -> Piece {
        let mut buf = Vec::new();
        let limit = MAX_SUBMISSION_BYTES as u64 + 1;
        let res = reader.take(limit).read_to_end(&mut buf);
        let len = self.files.get(idx).map_or(0, |f| f.len);
        self.bytes_read += len;
        let bytes = match res {
            Err(e) => Err(PieceError::Unreadable(e.to_string())),
            Ok(_) if buf.len() > MAX_SUBMISSION_BYTES => Err(PieceError::TooLarge(len)),
            Ok(_) => Ok(buf),
        };
        Piece {
            file: idx,
            line: 1,
            bytes,
        }
    }
}

/// Reads one line without holding more than [`MAX_SUBMISSION_BYTES`] of it. Blank lines give no
/// piece. Returns the piece, the bytes consumed and whether the file ended.
fn read_line(file: usize, line: u64, reader: &mut BufReader<File>) -> (Option<Piece>, u64, bool) {
    let mut buf = Vec::new();
    let mut consumed = 0u64;
    let mut too_large = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) => {
                let p = Piece {
                    file,
                    line,
                    bytes: Err(PieceError::Unreadable(e.to_string())),
                };
                return (Some(p), consumed, true);
            }
        };
        if available.is_empty() {
            let eof = true;
            if too_large {
                return (
                    Some(Piece {
                        file,
                        line,
                        bytes: Err(PieceError::TooLarge(consumed)),
                    }),
                    consumed,
                    eof,
                );
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                return (None, consumed, eof);
            }
            return (
                Some(Piece {
                    file,
                    line,
                    bytes: Ok(buf),
                }),
                consumed,
                eof,
            );
        }
        let (take, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if !too_large {
            let content = if done {
                &available[..take - 1]
            } else {
                &available[..take]
            };
            if buf.len() + content.len() > MAX_SUBMISSION_BYTES {
                too_large = true;
                buf = Vec::new();
            } else {
                buf.extend_from_slice(content);
            }
        }
        reader.consume(take);
        consumed += take as u64;
        if done {
            let piece = if too_large {
                Some(Piece {
                    file,
                    line,
                    bytes: Err(PieceError::TooLarge(consumed)),
                })
            } else if buf.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                Some(Piece {
                    file,
                    line,
                    bytes: Ok(buf),
                })
            };
            return (piece, consumed, false);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn pieces(name: &str, content: &[u8]) -> Vec<(u64, std::result::Result<Vec<u8>, String>)> {
        let dir = std::env::temp_dir().join(format!("sunlight-read-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let files = collect(std::slice::from_ref(&path)).unwrap();
        let mut r = PieceReader::new(files);
        let mut out = Vec::new();
        loop {
            let chunk = r.next_chunk(2, 1 << 20);
            if chunk.is_empty() {
                break;
            }
            out.extend(
                chunk
                    .into_iter()
                    .map(|p| (p.line, p.bytes.map_err(|e| format!("{e:?}")))),
            );
        }
        assert_eq!(r.bytes_read, content.len() as u64);
        std::fs::remove_dir_all(&dir).unwrap();
        out
    }

    #[test]
    fn ndjson_lines_keep_their_numbers_and_skip_blank_lines() {
        let got = pieces("a.ndjson", b"{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":3}");
        let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 4, 5]);
        assert_eq!(got[0].1.as_ref().unwrap(), b"{\"a\":1}\r");
        assert_eq!(got[2].1.as_ref().unwrap(), b"{\"c\":3}");
    }

    #[test]
    fn a_json_file_is_one_piece() {
        let got = pieces("a.json", b"{\n  \"a\": 1\n}\n");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, 1);
    }

    #[test]
    fn an_oversized_line_is_refused_without_being_held() {
        let mut content = vec![b'x'; MAX_SUBMISSION_BYTES + 10];
        content.extend_from_slice(b"\n{\"ok\":true}\n");
        let got = pieces("big.ndjson", &content);
        assert_eq!(got.len(), 2);
        assert!(got[0].1.as_ref().unwrap_err().contains("TooLarge"));
        assert_eq!(got[1].0, 2);
        assert_eq!(got[1].1.as_ref().unwrap(), b"{\"ok\":true}");
    }
}
