//! The shipped schemes, one per seed document, and the registry that finds a scheme by id.
//!
//! Each preset is a JSON file in this folder, embedded at build time and checked by the same
//! code that checks a unit's own scheme file ([`Scheme::from_json`]).

use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::scheme::{GradeMemo, Scheme};

/// The preset files: (id, JSON text).
pub const PRESET_FILES: [(&str, &str); 4] = [
    ("town-2012", include_str!("town-2012.json")),
    ("ministry-2012", include_str!("ministry-2012.json")),
    ("education-bureau", include_str!("education-bureau.json")),
    ("university-2010", include_str!("university-2010.json")),
];

/// A set of schemes, found by id.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    schemes: Vec<Scheme>,
    /// Each scheme's grades as they are worked out, in the order of `schemes`.
    grades: Vec<GradeMemo>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry::default()
    }

    /// A registry holding the four presets.
    pub fn with_presets() -> Result<Self> {
        let mut r = Registry::new();
        for (_, text) in PRESET_FILES {
            r.add(Scheme::from_json(text)?)?;
        }
        Ok(r)
    }

    /// Adds a (checked) scheme; its id must be new.
    pub fn add(&mut self, scheme: Scheme) -> Result<()> {
        scheme.check()?;
        if self.schemes.iter().any(|s| s.id == scheme.id) {
            return Err(Error::DuplicateScheme(scheme.id));
        }
        self.grades.push(GradeMemo::new(&scheme));
        self.schemes.push(scheme);
        Ok(())
    }

    /// Reads a scheme file and adds it.
    pub fn add_json(&mut self, text: &str) -> Result<&Scheme> {
        let scheme = Scheme::from_json(text)?;
        self.add(scheme)?;
        // Just pushed.
        self.schemes
            .last()
            .ok_or_else(|| Error::UnknownScheme(String::new()))
    }

    /// The scheme with this id.
    pub fn get(&self, id: &str) -> Result<&Scheme> {
        self.schemes
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| Error::UnknownScheme(id.to_owned()))
    }

    /// The scheme with this id and the grades of its combinations worked out so far.
    pub(crate) fn get_graded(&self, id: &str) -> Result<(&Scheme, &GradeMemo)> {
        self.schemes
            .iter()
            .zip(&self.grades)
            .find(|(s, _)| s.id == id)
            .ok_or_else(|| Error::UnknownScheme(id.to_owned()))
    }

    /// All schemes, presets first, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &Scheme> {
        self.schemes.iter()
    }
}

/// The presets, parsed once.
///
/// # Panics
/// Never in a released build: the preset files are part of the crate and a unit test parses
/// every one; a broken preset is a build defect, not an input error.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| match Registry::with_presets() {
        Ok(r) => r,
        Err(e) => panic!("a shipped preset is broken: {e}"),
    })
}

/// A preset by id.
pub fn get(id: &str) -> Result<&'static Scheme> {
    registry().get(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_checks() {
        for (id, text) in PRESET_FILES {
            let s = Scheme::from_json(text).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(s.id, id);
        }
        assert_eq!(registry().iter().count(), 4);
    }
}
