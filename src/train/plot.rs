//! The loss curve, drawn: in the terminal as characters, and as an SVG file. E_total falls
//! over orders of magnitude, so its axis is logarithmic; the iteration axis is linear. Both
//! drawings read the run's curve points and compute nothing else.

use crate::train::CurvePoint;
use std::fmt::Write as _;

/// The range of log10(E_total) the axis shows: whole decades around the data.
fn decades(curve: &[CurvePoint]) -> Option<(i32, i32)> {
    let logs = curve
        .iter()
        .filter(|p| p.e_total > 0.0 && p.e_total.is_finite())
        .map(|p| p.e_total.log10());
    let (lo, hi) = logs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
        (lo.min(y), hi.max(y))
    });
    if !lo.is_finite() {
        return None;
    }
    let (lo, hi) = (lo.floor() as i32, hi.ceil() as i32);
    Some((lo, if hi == lo { lo + 1 } else { hi }))
}

/// At most this many decades are labelled on the SVG's error axis: a diverging run spans
/// hundreds, which labelled one by one are a blur of text a pixel apart.
const MAX_DECADE_LABELS: i32 = 10;

/// The decades from `lo` to `hi` that get a label and a grid line: all of them when they fit,
/// else every k-th, with k the first of 2, 5, 10, 20, 50, … that leaves at most
/// [`MAX_DECADE_LABELS`], and 1 (10⁰) among them when it is in range.
fn labelled_decades(lo: i32, hi: i32) -> impl Iterator<Item = i32> {
    // Every k-th of n consecutive decades is at most ⌈n / k⌉ of them.
    let needed = (hi - lo + MAX_DECADE_LABELS) / MAX_DECADE_LABELS;
    let every = [1, 10, 100, 1000]
        .into_iter()
        .flat_map(|p| [p, 2 * p, 5 * p])
        .find(|&k| k >= needed)
        .unwrap_or(needed);
    (lo..=hi).filter(move |d| d.rem_euclid(every) == 0)
}

/// A power of ten as an axis label: `1e-3`, `1`, `10`.
fn decade_label(d: i32) -> String {
    match d {
        0 => "1".to_string(),
        1 => "10".to_string(),
        _ => format!("1e{d}"),
    }
}

/// The curve as text, `width` × `height` characters of plot area plus the axes' labels.
pub fn terminal(curve: &[CurvePoint], width: usize, height: usize, caption: &str) -> String {
    let (width, height) = (width.max(10), height.max(4));
    let Some((lo, hi)) = decades(curve) else {
        return "(no positive E_total to plot)\n".to_string();
    };
    let last = curve.iter().map(|p| p.iteration).max().unwrap_or(0).max(1);
    let mut grid = vec![vec![' '; width]; height];
    let row_of = |e: f64| {
        let y = e.max(f64::MIN_POSITIVE).log10().clamp(lo as f64, hi as f64);
        (((hi as f64 - y) / (hi - lo) as f64) * (height - 1) as f64).round() as usize
    };
    let col_of = |i: usize| ((i as f64 / last as f64) * (width - 1) as f64).round() as usize;
    let mut prev: Option<(usize, usize)> = None;
    for p in curve.iter().filter(|p| p.e_total.is_finite()) {
        let (c, r) = (col_of(p.iteration), row_of(p.e_total));
        // Join each point to the one before it, so that a steep fall reads as a line.
        let (from, to) = match prev {
            Some((pc, pr)) if pc + 1 >= c => (pr.min(r), pr.max(r)),
            _ => (r, r),
        };
        for row in grid.iter_mut().take(to + 1).skip(from) {
            row[c] = '*';
        }
        prev = Some((c, r));
    }
    // Decade labels on the rows nearest to them.
    let mut labels = vec![String::new(); height];
    for d in lo..=hi {
        let r = row_of(10f64.powi(d));
        if labels[r].is_empty() {
            labels[r] = decade_label(d);
        }
    }
    let label_width = labels.iter().map(String::len).max().unwrap_or(0);
    let mut text = String::new();
    let _ = writeln!(text, "{:>w$}  {caption}", "", w = label_width);
    for (row, label) in grid.iter().zip(&labels) {
        let line: String = row.iter().collect();
        let _ = writeln!(text, "{label:>label_width$} |{}", line.trim_end());
    }
    let _ = writeln!(text, "{:>label_width$} +{}", "", "-".repeat(width));
    let right = last.to_string();
    let _ = writeln!(
        text,
        "{:>label_width$}  0{:^mid$}{right}",
        "",
        "iteration",
        mid = width.saturating_sub(1 + right.len())
    );
    text
}

/// A round step for about `count` ticks up to `max`: 1, 2 or 5 times a power of ten.
fn tick_step(max: usize, count: usize) -> usize {
    let raw = (max as f64 / count as f64).max(1.0);
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power);
    step as usize
}

/// The curve as an SVG document with labelled axes, titled `title`.
pub fn svg(curve: &[CurvePoint], title: &str) -> String {
    const W: f64 = 720.0;
    const H: f64 = 440.0;
    const LEFT: f64 = 80.0;
    const RIGHT: f64 = 24.0;
    const TOP: f64 = 44.0;
    const BOTTOM: f64 = 60.0;
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let (lo, hi) = decades(curve).unwrap_or((-1, 0));
    let last = curve.iter().map(|p| p.iteration).max().unwrap_or(0).max(1);
    let x_of = |i: usize| LEFT + pw * i as f64 / last as f64;
    let y_of = |e: f64| {
        let y = e.max(f64::MIN_POSITIVE).log10().clamp(lo as f64, hi as f64);
        TOP + ph * (hi as f64 - y) / (hi - lo) as f64
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="13">"#
    );
    let _ = writeln!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="26" text-anchor="middle" font-size="15">{}</text>"#,
        W / 2.0,
        escape(title)
    );
    // Horizontal grid lines and labels at every decade, or every k-th when they are many.
    for d in labelled_decades(lo, hi) {
        let y = y_of(10f64.powi(d));
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT + pw,
            LEFT - 8.0,
            y + 4.0,
            decade_label(d)
        );
    }
    // Ticks on the iteration axis.
    let step = tick_step(last, 5);
    for i in (0..=last).step_by(step) {
        let x = x_of(i);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#333"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{i}</text>"##,
            TOP + ph,
            TOP + ph + 5.0,
            TOP + ph + 20.0
        );
    }
    let _ = writeln!(
        s,
        r##"<path d="M{LEFT},{TOP} V{:.1} H{:.1}" fill="none" stroke="#333"/>"##,
        TOP + ph,
        LEFT + pw
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">iteration</text>"#,
        LEFT + pw / 2.0,
        H - 14.0
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(22 {:.1}) rotate(-90)" text-anchor="middle">E_total after the iteration (log scale)</text>"#,
        TOP + ph / 2.0
    );
    let points: Vec<String> = curve
        .iter()
        .filter(|p| p.e_total.is_finite())
        .map(|p| format!("{:.2},{:.2}", x_of(p.iteration), y_of(p.e_total)))
        .collect();
    let _ = writeln!(
        s,
        r##"<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{}"/>"##,
        points.join(" ")
    );
    s.push_str("</svg>\n");
    s
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPTION: &str = "E_total after each iteration (log scale)";

    fn falling() -> Vec<CurvePoint> {
        (0..=100)
            .map(|i| CurvePoint {
                iteration: i * 100,
                e_total: 0.3 * (-(i as f64) / 10.0).exp(),
            })
            .collect()
    }

    #[test]
    fn terminal_curve_falls_from_top_left_to_bottom_right() {
        let text = terminal(&falling(), 40, 10, CAPTION);
        let rows: Vec<&str> = text.lines().skip(1).take(10).collect();
        let plot = |row: &str| row.split_once('|').unwrap().1.to_string();
        // The first column's point is above the last column's.
        let first = rows.iter().position(|r| plot(r).starts_with('*')).unwrap();
        let last = rows.iter().position(|r| plot(r).len() == 40).unwrap();
        assert!(first < 3 && last > 6, "{text}");
        assert!(text.contains("1e-5") && text.contains("1e-1"), "{text}");
        assert!(text.contains("10000"), "{text}");
    }

    #[test]
    fn svg_has_the_curve_and_labelled_axes() {
        let svg = svg(&falling(), "a <test>");
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(">iteration</text>"));
        assert!(svg.contains("E_total after the iteration (log scale)"));
        assert!(svg.contains("a &lt;test&gt;"));
        let points = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(points.split(' ').count(), 101);
        assert_eq!(tick_step(10_000, 5), 2000);
        assert_eq!(tick_step(3, 5), 1);
    }

    /// The error axis's labels, top to bottom: the texts anchored at their end.
    fn axis_labels(svg: &str) -> Vec<String> {
        svg.split(r#"text-anchor="end">"#)
            .skip(1)
            .map(|rest| rest.split('<').next().unwrap().to_string())
            .collect()
    }

    #[test]
    fn a_diverging_curve_gets_a_label_every_few_decades_not_every_one() {
        // E_total from 1e-300 to 1e300: 601 decades on 336 pixels.
        let curve: Vec<CurvePoint> = (0..=60)
            .map(|i| CurvePoint {
                iteration: i,
                e_total: 10f64.powi(10 * i as i32 - 300),
            })
            .collect();
        let svg = svg(&curve, "diverging");
        let labels = axis_labels(&svg);
        assert!((5..=10).contains(&labels.len()), "{labels:?}");
        // Evenly spaced whole decades, 1 among them, and one grid line per label.
        let exponents: Vec<i32> = labels
            .iter()
            .map(|l| match l.as_str() {
                "1" => 0,
                "10" => 1,
                _ => l.strip_prefix("1e").unwrap().parse().unwrap(),
            })
            .collect();
        let steps: Vec<i32> = exponents.windows(2).map(|w| w[0] - w[1]).collect();
        assert!(steps.windows(2).all(|w| w[0] == w[1]), "{labels:?}");
        assert!(exponents.contains(&0), "{labels:?}");
        assert_eq!(svg.matches(r##"stroke="#ddd""##).count(), labels.len());
        // A few decades keep a label each.
        assert_eq!(
            axis_labels(&super::svg(&falling(), "")),
            ["1e-5", "1e-4", "1e-3", "1e-2", "1e-1", "1"]
        );
    }
}
