//! Charts drawn with plotters: the same picture as SVG (for HTML reports and notebooks) and as PNG
//! (for files), Chinese labels included.
//!
//! A chart is data, not a drawing call: [`Chart`] holds categories and series (bars, stacked bars,
//! lines) or a matrix ([`Heatmap`]); [`svg`] and [`png`] draw it. [`pivot()`] builds one from query
//! results. Colours are the Okabe–Ito palette, which stays distinct for colour-blind readers.
//! All text is drawn through plotters' SVG backend, which escapes it; labels are also cut to a
//! readable length and cleaned of control characters before drawing.

mod deflate;
mod draw;
mod encode;
mod font;
mod indexed;
mod pivot;
mod raster;
mod svg;

use plotters::style::RGBColor;

pub use font::{FONT_ENV, PROBE, covers, font_path};
pub use pivot::{MAX_CATEGORIES, pivot};

use crate::error::{Error, Result};

/// How categories and series are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Grouped bars, one per series in each category.
    Bar,
    /// Stacked bars: the series of a category piled up.
    Stacked,
    /// A line per series across the categories (e.g. years).
    Line,
}

impl std::str::FromStr for Kind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "bar" => Ok(Kind::Bar),
            "stacked" => Ok(Kind::Stacked),
            "line" => Ok(Kind::Line),
            other => Err(Error::Usage(format!(
                "unknown chart kind '{other}': use bar, stacked, line or heatmap"
            ))),
        }
    }
}

/// One series: a name (legend entry) and a value per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// One value per category; missing values are 0.
    pub values: Vec<f64>,
}

/// A chart over categories: bars, stacked bars or lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// How to draw it.
    pub kind: Kind,
    /// Title above the plot.
    pub title: String,
    /// Label of the category axis.
    pub x_label: String,
    /// Label of the value axis.
    pub y_label: String,
    /// Category labels, in order.
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<Series>,
}

/// A heat map: a value for each (row, column) cell, shaded from light to dark.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// Title above the plot.
    pub title: String,
    /// Label of the column axis.
    pub x_label: String,
    /// Label of the row axis.
    pub y_label: String,
    /// Column labels.
    pub columns: Vec<String>,
    /// Row labels.
    pub rows: Vec<String>,
    /// `values[row][column]`.
    pub values: Vec<Vec<f64>>,
}

/// Anything that can be drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    /// Bars, stacked bars or lines.
    Chart(Chart),
    /// A heat map.
    Heatmap(Heatmap),
}

/// The Okabe–Ito palette (without black), safe for the common forms of colour blindness.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(240, 228, 66),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
];

/// Default picture size in pixels.
pub const SIZE: (u32, u32) = (960, 540);

/// Longest label drawn, in characters; longer ones are cut with an ellipsis.
pub const MAX_LABEL: usize = 24;

/// Draws a figure as an SVG document.
pub fn svg(figure: &Figure, size: (u32, u32)) -> Result<String> {
    font::ensure()?;
    let mut out = String::new();
    draw::figure(svg::Svg::new(&mut out, size), figure)?;
    Ok(out)
}

/// Draws a figure as a PNG image.
pub fn png(figure: &Figure, size: (u32, u32)) -> Result<Vec<u8>> {
    raster::png(figure, size)
}

/// Encodes 8-bit RGB pixels (`w` × `h`, rows top to bottom) as a PNG, as [`png`] does for the
/// pictures it draws.
pub fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>> {
    encode::png(rgb, w, h, &mut encode::Scratch::new())
}

/// A label fit for drawing: control characters removed, cut to [`MAX_LABEL`] characters.
pub fn label(s: &str) -> String {
    let clean: String = s.chars().filter(|c| !c.is_control()).collect();
    let mut out: String = clean.chars().take(MAX_LABEL).collect();
    if clean.chars().nth(MAX_LABEL).is_some() {
        out.push('…');
    }
    out
}

pub(crate) fn chart_error(message: impl Into<String>) -> Error {
    Error::Usage(format!("cannot draw the chart: {}", message.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Figure {
        Figure::Chart(Chart {
            kind: Kind::Stacked,
            title: "各部门风险等级分布".into(),
            x_label: "部门".into(),
            y_label: "风险点数".into(),
            categories: vec!["党政办".into(), "财政所".into(), "社会事务办".into()],
            series: vec![
                Series {
                    name: "高".into(),
                    values: vec![3.0, 5.0, 1.0],
                },
                Series {
                    name: "中".into(),
                    values: vec![4.0, 2.0, 6.0],
                },
                Series {
                    name: "低".into(),
                    values: vec![8.0, 1.0, 2.0],
                },
            ],
        })
    }

    #[test]
    fn svg_carries_the_chinese_labels_as_text() {
        let s = svg(&levels(), SIZE).expect("draws");
        assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
        for t in [
            "各部门风险等级分布",
            "党政办",
            "财政所",
            "社会事务办",
            "风险点数",
            "高",
            "中",
            "低",
        ] {
            assert!(s.contains(t), "{t} missing");
        }
        // Okabe–Ito colours for the three series.
        for c in ["#E69F00", "#56B4E9", "#009E73"] {
            assert!(s.contains(c), "{c} missing");
        }
    }

    #[test]
    fn hostile_text_is_escaped_in_svg() {
        let evil = [
            "<script>alert(1)</script>",
            "\"quoted\" & 'single'",
            "\u{202e}rtl\u{200f}",
            "🙂 emoji",
            "\u{7}bell",
        ];
        let fig = Figure::Chart(Chart {
            kind: Kind::Bar,
            title: evil[0].into(),
            x_label: evil[1].into(),
            y_label: evil[2].into(),
            categories: evil.iter().map(|s| s.to_string()).collect(),
            series: vec![Series {
                name: evil[0].into(),
                values: vec![1.0; 5],
            }],
        });
        let s = svg(&fig, SIZE).expect("draws");
        assert!(!s.contains("<script"), "raw markup leaked");
        assert!(s.contains("&lt;script&gt;"), "escaped form expected");
        assert!(!s.contains("\u{7}"), "control characters are dropped");
        assert!(s.contains("&quot;quoted&quot; &amp; &apos;single&apos;"));
        let heat = Figure::Heatmap(Heatmap {
            title: evil[0].into(),
            x_label: String::new(),
            y_label: evil[1].into(),
            columns: vec![evil[0].into()],
            rows: vec![evil[3].into()],
            values: vec![vec![1.0]],
        });
        let h = svg(&heat, SIZE).expect("draws");
        assert!(!h.contains("<script") && h.contains("&lt;script&gt;"));
    }

    #[test]
    fn long_labels_are_cut() {
        assert_eq!(label(&"风".repeat(100)).chars().count(), MAX_LABEL + 1);
        assert_eq!(label("短"), "短");
    }

    #[test]
    fn png_is_an_image_of_the_right_size_with_ink() {
        let bytes = png(&levels(), (640, 360)).expect("draws");
        let img = image::load_from_memory(&bytes).expect("a PNG").to_rgb8();
        assert_eq!(img.dimensions(), (640, 360));
        let ink = img.pixels().filter(|p| p.0 != [255, 255, 255]).count();
        assert!(
            ink > 5_000,
            "the chart should draw something, found {ink} non-white pixels"
        );
    }

    #[test]
    fn the_chart_font_has_chinese_glyphs() {
        let path = font_path().expect("a CJK font is installed by scripts/setup.sh");
        let bytes = std::fs::read(&path).expect("readable");
        assert!(
            covers(&bytes, PROBE),
            "{} lacks Chinese glyphs",
            path.display()
        );
        assert!(
            !covers(&bytes, "\u{10fffd}"),
            "a private-use character is not covered, so the check can fail"
        );
    }
}
