//! Bilingual text: every message a person reads exists in Chinese (first) and English.

use serde::{Deserialize, Serialize};

/// A piece of text in simplified Chinese and in English.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// 简体中文.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Text {
    /// Builds a text from its two languages.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in the language named by a BCP 47 tag: English for `en…`, Chinese otherwise.
    pub fn get(&self, lang: &str) -> &str {
        match lang.get(..2) {
            Some(p) if p.eq_ignore_ascii_case("en") => &self.en,
            _ => &self.zh,
        }
    }
}
