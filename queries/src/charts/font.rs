//! The CJK font every chart is laid out and drawn with.
//!
//! plotters measures text with the registered font even for SVG, and draws PNG text with it, so a
//! font with Chinese glyphs must be registered once before any chart. Debian's `fonts-noto-cjk`
//! (installed by `scripts/setup.sh`) provides it; `SUNLIGHT_CJK_FONT` names another file.

use std::path::PathBuf;
use std::sync::OnceLock;

use super::chart_error;
use crate::error::Result;

/// The environment variable that names a font file to use instead of the system's CJK font.
pub const FONT_ENV: &str = "SUNLIGHT_CJK_FONT";

const CANDIDATES: [&str; 5] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
];

/// The font file charts use: `$SUNLIGHT_CJK_FONT`, or the first CJK font found on the system.
pub fn font_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(FONT_ENV) {
        return Some(PathBuf::from(p));
    }
    CANDIDATES.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Characters every chart font must have: a font without them would draw empty boxes.
pub const PROBE: &str = "阳光廉政风险等级部门高中低一二三级";

/// Whether the font file (or the first font of a collection) has a glyph for every character of `text`.
pub fn covers(bytes: &[u8], text: &str) -> bool {
    use ab_glyph::Font as _;
    match ab_glyph::FontRef::try_from_slice(bytes) {
        Ok(font) => text.chars().all(|c| font.glyph_id(c).0 != 0),
        Err(_) => false,
    }
}

/// Registers the font once per process (the bytes are kept for the process's life, as plotters requires).
pub(super) fn ensure() -> Result<()> {
    face().map(|_| ())
}

/// The registered font, for drawing its glyphs directly (see `raster`); registers it first.
pub(super) fn face() -> Result<&'static ab_glyph::FontRef<'static>> {
    static DONE: OnceLock<Result<ab_glyph::FontRef<'static>, String>> = OnceLock::new();
    DONE.get_or_init(|| {
        let path = font_path().ok_or_else(|| {
            format!("no font with Chinese glyphs was found; install Debian's fonts-noto-cjk (scripts/setup.sh does) or set {FONT_ENV} to a .ttf/.otf/.ttc file")
        })?;
        let bytes = std::fs::read(&path).map_err(|e| format!("reading the font {}: {e}", path.display()))?;
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        if !covers(bytes, PROBE) {
            return Err(format!("{} has no Chinese glyphs: charts would show empty boxes; use a CJK font", path.display()));
        }
        let unusable = || format!("{} is not a usable font file", path.display());
        plotters::style::register_font(super::draw::FONT, plotters::style::FontStyle::Normal, bytes)
            .map_err(|_| unusable())?;
        ab_glyph::FontRef::try_from_slice(bytes).map_err(|_| unusable())
    })
    .as_ref()
    .map_err(|e| chart_error(e.clone()))
}
