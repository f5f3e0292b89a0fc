//! The writer's lock: one ingest at a time per store.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// An exclusive lock on a store, released when dropped (or when the process dies: the operating
/// system releases it, so a killed ingest never leaves the store locked).
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

impl StoreLock {
    /// Takes the lock of the store in `dir`. When another process holds it: waits if `wait`,
    /// otherwise fails with [`Error::Locked`] naming the holder.
    pub fn acquire(dir: &Path, wait: bool) -> Result<StoreLock> {
        let path = dir.join(".lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io("opening the store lock", &path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // Best effort: the holder wrote its pid; an empty text still gives a clear message.
                let _ = file.read_to_string(&mut holder);
                let holder = if holder.trim().is_empty() {
                    "held by another process".to_owned()
                } else {
                    holder.trim().to_owned()
                };
                if !wait {
                    return Err(Error::Locked {
                        path: dir.to_owned(),
                        holder,
                    });
                }
                eprintln!("waiting for another ingest to finish ({holder})…");
                file.lock()
                    .map_err(|e| Error::io("waiting for the store lock", &path, e))?;
            }
            Err(TryLockError::Error(e)) => {
                return Err(Error::io("taking the store lock", &path, e));
            }
        }
        let who = format!("process {}", std::process::id());
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(who.as_bytes()))
            .map_err(|e| Error::io("writing the store lock", &path, e))?;
        Ok(StoreLock { _file: file })
    }
}
