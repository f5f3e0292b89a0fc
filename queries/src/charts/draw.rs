//! Drawing a [`Figure`] on any plotters backend (SVG or bitmap).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Chart, Figure, Heatmap, Kind, PALETTE, chart_error, label};
use crate::error::Result;

/// The family charts register their CJK font under and draw all text with.
pub(super) const FONT: &str = "sans-serif";

fn err<E: std::fmt::Display>(e: E) -> crate::Error {
    chart_error(e.to_string())
}

pub(super) fn figure<DB: DrawingBackend>(backend: DB, figure: &Figure) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    match figure {
        Figure::Chart(c) => chart(&root, c)?,
        Figure::Heatmap(h) => heatmap(&root, h)?,
    }
    root.present().map_err(err)
}

/// A "nice" upper bound for a value axis: 1, 2 or 5 times a power of ten, at least `max`.
fn nice_max(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let exp = max.log10().floor();
    let base = 10f64.powf(exp);
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * base)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * base)
}

fn category_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: impl Fn(usize) -> (i32, i32),
    labels: &[String],
    rotate: bool,
) -> Result<()> {
    // One style for every label: plotters copies its font (a parsed face, kilobytes) with each
    // style made or changed, which was the largest part of drawing a chart as SVG.
    let style = TextStyle::from((FONT, 14).into_font()).color(&BLACK);
    let style = if rotate {
        style
            .transform(FontTransform::Rotate90)
            .pos(Pos::new(HPos::Left, VPos::Center))
    } else {
        style.pos(Pos::new(HPos::Center, VPos::Top))
    };
    for (i, l) in labels.iter().enumerate() {
        let (x, y) = at(i);
        root.draw_text(&label(l), &style, (x, y + 6)).map_err(err)?;
    }
    Ok(())
}

fn chart<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Chart) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let n = c.categories.len().max(1);
    let value = |s: usize, i: usize| {
        c.series
            .get(s)
            .and_then(|s| s.values.get(i))
            .copied()
            .filter(|v| v.is_finite())
            .unwrap_or(0.0)
    };
    let max = match c.kind {
        Kind::Stacked => (0..n)
            .map(|i| {
                (0..c.series.len())
                    .map(|s| value(s, i).max(0.0))
                    .sum::<f64>()
            })
            .fold(0.0, f64::max),
        Kind::Bar | Kind::Line => (0..n)
            .flat_map(|i| (0..c.series.len()).map(move |s| (s, i)))
            .map(|(s, i)| value(s, i))
            .fold(0.0, f64::max),
    };
    let integral = c
        .series
        .iter()
        .all(|s| s.values.iter().all(|v| v.fract() == 0.0));
    let longest = c
        .categories
        .iter()
        .map(|l| label(l).chars().count())
        .max()
        .unwrap_or(0);
    let (w, _) = root.dim_in_pixel();
    let rotate = longest * 15 > (w as usize).saturating_sub(120) / n;
    let x_area = if rotate {
        40 + 15 * longest.min(super::MAX_LABEL + 1) as u32
    } else {
        60
    };
    let mut ch = ChartBuilder::on(root)
        .caption(label_title(&c.title), (FONT, 24))
        .margin(16)
        .x_label_area_size(x_area)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..n as f64, 0f64..nice_max(max))
        .map_err(err)?;
    // Grid lines at the labelled values only: plotters' default adds up to ten light lines
    // between two labels, about a hundred a chart, which greyed the plot area and made most of
    // an SVG's bytes (10 KB of a unit chart's 18 KB; 32,000 such charts at 10 M risk points,
    // each also inlined in its unit's page). Transparent lines are not drawn at all.
    ch.configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .x_labels(0)
        .y_desc(label(&c.y_label))
        .y_label_formatter(&|v| {
            if integral {
                format!("{v:.0}")
            } else {
                format!("{v:.2}")
            }
        })
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(err)?;
    let groups = c.series.len().max(1) as f64;
    for (s, series) in c.series.iter().enumerate() {
        let colour = PALETTE[s % PALETTE.len()];
        let name = label(&series.name);
        match c.kind {
            Kind::Bar => {
                let width = 0.8 / groups;
                ch.draw_series((0..n).map(|i| {
                    let x0 = i as f64 + 0.1 + width * s as f64;
                    Rectangle::new([(x0, 0.0), (x0 + width, value(s, i))], colour.filled())
                }))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 12, y + 6)], colour.filled())
                });
            }
            Kind::Stacked => {
                ch.draw_series((0..n).map(|i| {
                    let base: f64 = (0..s).map(|k| value(k, i).max(0.0)).sum();
                    Rectangle::new(
                        [
                            (i as f64 + 0.15, base),
                            (i as f64 + 0.85, base + value(s, i).max(0.0)),
                        ],
                        colour.filled(),
                    )
                }))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 12, y + 6)], colour.filled())
                });
            }
            Kind::Line => {
                let style = ShapeStyle::from(colour).stroke_width(3);
                ch.draw_series(LineSeries::new(
                    (0..n).map(|i| (i as f64 + 0.5, value(s, i))),
                    style,
                ))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], style));
                ch.draw_series(
                    (0..n).map(|i| Circle::new((i as f64 + 0.5, value(s, i)), 4, colour.filled())),
                )
                .map_err(err)?;
            }
        }
    }
    if !c.series.is_empty() {
        // Opaque colours: a translucent legend is blended pixel by pixel in every PNG, and the
        // grid lines it would let through only clutter it. The grey is black at 40 % on white.
        ch.configure_series_labels()
            .background_style(WHITE)
            .border_style(RGBColor(153, 153, 153))
            .label_font((FONT, 14))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(err)?;
    }
    let base = ch.backend_coord(&(0.0, 0.0)).1;
    let xs: Vec<i32> = (0..n)
        .map(|i| ch.backend_coord(&(i as f64 + 0.5, 0.0)).0)
        .collect();
    category_labels(root, |i| (xs[i], base), &c.categories, rotate)?;
    if !c.x_label.is_empty() {
        let (w, h) = root.dim_in_pixel();
        let style =
            TextStyle::from((FONT, 16).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
        root.draw_text(&label(&c.x_label), &style, (w as i32 / 2, h as i32 - 4))
            .map_err(err)?;
    }
    Ok(())
}

fn label_title(t: &str) -> String {
    let clean: String = t.chars().filter(|c| !c.is_control()).collect();
    let mut out: String = clean.chars().take(60).collect();
    if clean.chars().nth(60).is_some() {
        out.push('…');
    }
    out
}

/// Light (high-value: dark) sequential blue, readable in grey and by colour-blind readers.
fn shade(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(mix(247, 8), mix(251, 48), mix(255, 107))
}

fn heatmap<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, h: &Heatmap) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let cols = h.columns.len().max(1);
    let rows = h.rows.len().max(1);
    let value = |r: usize, c: usize| {
        h.values
            .get(r)
            .and_then(|row| row.get(c))
            .copied()
            .filter(|v| v.is_finite())
            .unwrap_or(0.0)
    };
    let max = (0..rows)
        .flat_map(|r| (0..cols).map(move |c| (r, c)))
        .map(|(r, c)| value(r, c))
        .fold(0.0, f64::max);
    let longest_col = h
        .columns
        .iter()
        .map(|l| label(l).chars().count())
        .max()
        .unwrap_or(0);
    let longest_row = h
        .rows
        .iter()
        .map(|l| label(l).chars().count())
        .max()
        .unwrap_or(0);
    let (w, _) = root.dim_in_pixel();
    let rotate = longest_col * 15 > (w as usize).saturating_sub(40 + 15 * longest_row) / cols;
    let x_area = if rotate {
        40 + 15 * longest_col.min(super::MAX_LABEL + 1) as u32
    } else {
        60
    };
    let y_area = 30 + 15 * longest_row.min(super::MAX_LABEL + 1) as u32;
    let mut ch = ChartBuilder::on(root)
        .caption(label_title(&h.title), (FONT, 24))
        .margin(16)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(0f64..cols as f64, 0f64..rows as f64)
        .map_err(err)?;
    ch.configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .draw()
        .map_err(err)?;
    ch.draw_series(
        (0..rows)
            .flat_map(|r| (0..cols).map(move |c| (r, c)))
            .map(|(r, c)| {
                let y = (rows - 1 - r) as f64;
                let t = if max > 0.0 { value(r, c) / max } else { 0.0 };
                Rectangle::new(
                    [(c as f64, y), (c as f64 + 1.0, y + 1.0)],
                    shade(t).filled(),
                )
            }),
    )
    .map_err(err)?;
    let integral = h.values.iter().all(|r| r.iter().all(|v| v.fract() == 0.0));
    // The cells' two styles made once (see `category_labels`).
    let cell = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
    let (on_dark, on_light) = (cell.color(&WHITE), cell.color(&BLACK));
    for r in 0..rows {
        for c in 0..cols {
            let v = value(r, c);
            let t = if max > 0.0 { v / max } else { 0.0 };
            let style = if t > 0.55 { &on_dark } else { &on_light };
            let text = if integral {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            };
            let (x, y) = ch.backend_coord(&(c as f64 + 0.5, (rows - 1 - r) as f64 + 0.5));
            root.draw_text(&text, style, (x, y)).map_err(err)?;
        }
    }
    let base = ch.backend_coord(&(0.0, 0.0)).1;
    let xs: Vec<i32> = (0..cols)
        .map(|c| ch.backend_coord(&(c as f64 + 0.5, 0.0)).0)
        .collect();
    category_labels(root, |i| (xs[i], base), &h.columns, rotate)?;
    let left = ch.backend_coord(&(0.0, 0.0)).0;
    let style = TextStyle::from((FONT, 14).into_font())
        .color(&BLACK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    for (r, l) in h.rows.iter().enumerate() {
        let y = ch.backend_coord(&(0.0, (rows - 1 - r) as f64 + 0.5)).1;
        root.draw_text(&label(l), &style, (left - 8, y))
            .map_err(err)?;
    }
    let (w, hh) = root.dim_in_pixel();
    if !h.x_label.is_empty() {
        let s = TextStyle::from((FONT, 16).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
        root.draw_text(&label(&h.x_label), &s, (w as i32 / 2, hh as i32 - 4))
            .map_err(err)?;
    }
    if !h.y_label.is_empty() {
        let s = TextStyle::from((FONT, 16).into_font()).pos(Pos::new(HPos::Left, VPos::Top));
        root.draw_text(&label(&h.y_label), &s, (8, 8))
            .map_err(err)?;
    }
    Ok(())
}
