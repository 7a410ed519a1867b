//! SVG charts drawn with plotters. The SVG backend writes text as `<text>` elements in a generic
//! font family, so no font files are read (plotters' `ttf` feature is off; its layout estimate is
//! enough for label areas).

use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One group of horizontal bars (one category).
pub struct Group {
    /// The category, e.g. an operation.
    pub label: String,
    /// One value per series (None: not measured).
    pub values: Vec<Option<f64>>,
}

/// A vertical reference line.
pub struct Mark {
    /// Where.
    pub at: f64,
    /// What it is.
    pub label: String,
}

/// A horizontal grouped bar chart.
pub struct Bars<'a> {
    /// Title.
    pub title: &'a str,
    /// Value axis description.
    pub axis: &'a str,
    /// Series names (one bar each per group).
    pub series: &'a [&'a str],
    /// Categories.
    pub groups: &'a [Group],
    /// Logarithmic value axis.
    pub log: bool,
    /// Reference lines.
    pub marks: &'a [Mark],
}

fn color(i: usize) -> RGBColor {
    const C: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
    ];
    C[i % C.len()]
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing a chart: {e:?}")
}

/// Draws `bars` to `path`.
pub fn bars(path: &Path, bars: &Bars<'_>) -> anyhow::Result<()> {
    let n = bars.groups.len().max(1);
    let height = 90 + 26 * n as u32 * (bars.series.len() as u32).max(1) / 2 + 40 * n as u32 / 2;
    let root = SVGBackend::new(path, (1000, height.max(320))).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let values = bars
        .groups
        .iter()
        .flat_map(|g| g.values.iter().flatten().copied())
        .chain(bars.marks.iter().map(|m| m.at));
    let max = values.clone().fold(0.0f64, f64::max).max(1e-3);
    let min = values.filter(|v| *v > 0.0).fold(f64::MAX, f64::min);
    let mut builder = ChartBuilder::on(&root);
    builder
        .margin(12)
        .caption(bars.title, ("sans-serif", 20))
        .x_label_area_size(45)
        .y_label_area_size(250);
    let k = bars.series.len().max(1) as f64;
    let slot = 0.8 / k;
    let y_of = |group: usize, s: usize| {
        let base = (n - 1 - group) as f64 + 0.1;
        (
            base + slot * s as f64,
            base + slot * (s as f64 + 1.0) - 0.02,
        )
    };
    if bars.log {
        let lo = 10f64.powf((min.min(max) * 0.5).log10().floor());
        let hi = 10f64.powf((max * 1.5).log10().ceil());
        let lo_x = lo;
        let mut chart = builder
            .build_cartesian_2d((lo..hi).log_scale(), 0f64..n as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .y_labels(0)
            .disable_y_mesh()
            .x_desc(bars.axis)
            .x_label_formatter(&|v| trim(*v))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(err)?;
        for (g, grp) in bars.groups.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(lo_x, (n - 1 - g) as f64 + 0.5));
            root.draw(&Text::new(
                grp.label.clone(),
                (px - 8, py),
                ("sans-serif", 13)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
        }
        for (s, name) in bars.series.iter().enumerate() {
            let c = color(s);
            chart
                .draw_series(bars.groups.iter().enumerate().filter_map(|(g, grp)| {
                    let v = grp.values.get(s).copied().flatten()?;
                    let (y0, y1) = y_of(g, s);
                    Some(Rectangle::new([(lo, y0), (v.max(lo), y1)], c.filled()))
                }))
                .map_err(err)?
                .label(*name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
        }
        for m in bars.marks {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(m.at, 0.0), (m.at, n as f64)],
                    BLACK.stroke_width(2),
                )))
                .map_err(err)?
                .label(m.label.clone())
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 12, y)], BLACK.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(err)?;
    } else {
        let hi = max * 1.1;
        let lo_x = 0.0;
        let mut chart = builder
            .build_cartesian_2d(0f64..hi, 0f64..n as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .y_labels(0)
            .disable_y_mesh()
            .x_desc(bars.axis)
            .x_label_formatter(&|v| trim(*v))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(err)?;
        for (g, grp) in bars.groups.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(lo_x, (n - 1 - g) as f64 + 0.5));
            root.draw(&Text::new(
                grp.label.clone(),
                (px - 8, py),
                ("sans-serif", 13)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
        }
        for (s, name) in bars.series.iter().enumerate() {
            let c = color(s);
            chart
                .draw_series(bars.groups.iter().enumerate().filter_map(|(g, grp)| {
                    let v = grp.values.get(s).copied().flatten()?;
                    let (y0, y1) = y_of(g, s);
                    Some(Rectangle::new([(0.0, y0), (v, y1)], c.filled()))
                }))
                .map_err(err)?
                .label(*name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
        }
        for (i, m) in bars.marks.iter().enumerate() {
            let style = if i == 0 {
                BLACK.stroke_width(2)
            } else {
                RGBColor(200, 0, 0).stroke_width(2)
            };
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(m.at, 0.0), (m.at, n as f64)],
                    style,
                )))
                .map_err(err)?
                .label(m.label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], style));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

fn trim(v: f64) -> String {
    if v >= 100.0 || v == v.round() {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

/// One line of a line chart.
pub struct Line {
    /// Its name.
    pub label: String,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
}

/// A log-log line chart (latency against rows).
pub fn lines(
    path: &Path,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    lines: &[Line],
) -> anyhow::Result<()> {
    let root = SVGBackend::new(path, (1000, 620)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let xs = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
    let ys = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
    let x_lo = xs.clone().fold(f64::MAX, f64::min).max(1.0);
    let x_hi = xs.fold(0.0f64, f64::max).max(x_lo * 10.0);
    let y_lo = ys
        .clone()
        .filter(|v| *v > 0.0)
        .fold(f64::MAX, f64::min)
        .min(1.0);
    let y_hi = ys.fold(0.0f64, f64::max).max(y_lo * 10.0);
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .caption(title, ("sans-serif", 20))
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (x_lo / 1.5..x_hi * 1.5).log_scale(),
            (10f64.powf(y_lo.log10().floor())..10f64.powf((y_hi * 1.2).log10().ceil())).log_scale(),
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| {
            let e = v.log10();
            if (e - e.round()).abs() < 1e-6 {
                format!("10^{}", e.round())
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| trim(*v))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    for (i, line) in lines.iter().enumerate() {
        let c = if i < 8 {
            color(i)
        } else {
            let p = Palette99::pick(i * 7);
            let (r, g, b) = p.rgb();
            RGBColor(r, g, b)
        };
        let style = c.stroke_width(2);
        chart
            .draw_series(LineSeries::new(line.points.clone(), style))
            .map_err(err)?
            .label(line.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], style));
        chart
            .draw_series(line.points.iter().map(|p| Circle::new(*p, 3, c.filled())))
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 12))
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}
