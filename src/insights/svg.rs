//! Charts as inline SVG text: stacked bars, signed bars, lines and a
//! scatter. No scripts, no external fonts or images: the page that holds
//! them opens offline, and each chart has a fixed `width` and `height` with a
//! `viewBox`, so it scales down on a narrow screen.

use std::fmt::Write;

pub const NEGATIVE: &str = "#c8423b";
pub const NEUTRAL: &str = "#b9b9b9";
pub const POSITIVE: &str = "#3a8f4b";
const PALETTE: [&str; 6] = [
    "#3366aa", "#e08a1e", "#7a4fa3", "#1f9e89", "#c44e8a", "#6b6b6b",
];
const AXIS: &str = "#555";
const GRID: &str = "#e3e3e3";

/// Escapes text for an XML attribute or element.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn open(id: &str, title: &str, w: f64, h: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"{}\" role=\"img\" \
         width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\"><title>{}</title>",
        esc(id),
        esc(title)
    )
}

fn text(s: &mut String, x: f64, y: f64, anchor: &str, size: f64, fill: &str, t: &str) {
    let _ = write!(
        s,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" font-size=\"{size}\" fill=\"{fill}\">{}</text>",
        esc(t)
    );
}

fn line(s: &mut String, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, dash: bool) {
    let _ = write!(
        s,
        "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{stroke}\"{}/>",
        if dash {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        }
    );
}

fn rect(s: &mut String, x: f64, y: f64, w: f64, h: f64, fill: &str, tip: &str) {
    let _ = write!(
        s,
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{fill}\"><title>{}</title></rect>",
        w.max(0.0),
        esc(tip)
    );
}

/// At most `max` characters, with `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).chain(['…']).collect()
    }
}

/// Round axis ticks covering `[lo, hi]`.
fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= target as f64)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let mut out = Vec::new();
    let mut v = first;
    while v <= hi + step * 1e-9 {
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    out
}

fn fmt_tick(v: f64) -> String {
    if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Horizontal stacked bars of negative / neutral / positive counts.
pub fn polarity_bars(id: &str, title: &str, rows: &[(String, [u64; 3])]) -> String {
    let (label_w, bar_w, row_h, top) = (190.0, 470.0, 22.0, 30.0);
    let w = label_w + bar_w + 60.0;
    let h = top + row_h * rows.len() as f64 + 34.0;
    let max = rows
        .iter()
        .map(|(_, c)| c.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = open(id, title, w, h);
    for (i, (label, counts)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        text(&mut s, label_w - 8.0, y + 15.0, "end", 12.0, "#222", label);
        let mut x = label_w;
        for (k, (&n, color)) in counts.iter().zip([NEGATIVE, NEUTRAL, POSITIVE]).enumerate() {
            let bw = bar_w * n as f64 / max;
            let name = ["negative", "neutral", "positive"][k];
            rect(
                &mut s,
                x,
                y + 3.0,
                bw,
                row_h - 6.0,
                color,
                &format!("{label}: {n} {name}"),
            );
            x += bw;
        }
        let total: u64 = counts.iter().sum();
        text(
            &mut s,
            x + 6.0,
            y + 15.0,
            "start",
            11.0,
            AXIS,
            &total.to_string(),
        );
    }
    legend(
        &mut s,
        label_w,
        h - 12.0,
        &[
            ("negative", NEGATIVE),
            ("neutral", NEUTRAL),
            ("positive", POSITIVE),
        ],
    );
    s.push_str("</svg>");
    s
}

fn legend(s: &mut String, x0: f64, y: f64, items: &[(&str, &str)]) {
    let mut x = x0;
    for (name, color) in items {
        rect(s, x, y - 9.0, 10.0, 10.0, color, name);
        text(s, x + 14.0, y, "start", 11.0, "#333", name);
        x += 22.0 + 7.0 * name.chars().count() as f64;
    }
}

/// Horizontal bars of a signed value (a metric per segment), with the
/// overall value as a dashed reference line.
pub fn value_bars(id: &str, title: &str, rows: &[(String, f64)], reference: Option<f64>) -> String {
    let (label_w, bar_w, row_h, top) = (170.0, 430.0, 22.0, 16.0);
    let w = label_w + bar_w + 70.0;
    let h = top + row_h * rows.len() as f64 + 30.0;
    let values = rows.iter().map(|r| r.1).chain(reference);
    let lo = values.clone().fold(0.0f64, f64::min);
    let hi = values.fold(0.0f64, f64::max);
    let (lo, hi) = if hi - lo < 1e-9 {
        (lo, lo + 1.0)
    } else {
        (lo, hi)
    };
    // Room for the value printed past the end of the longest bars.
    let pad = 0.12 * (hi - lo);
    let (lo, hi) = (
        if lo < 0.0 { lo - pad } else { lo },
        if hi > 0.0 { hi + pad } else { hi },
    );
    let scale = |v: f64| label_w + bar_w * (v - lo) / (hi - lo);
    let mut s = open(id, title, w, h);
    let bottom = top + row_h * rows.len() as f64;
    for t in ticks(lo, hi, 5) {
        if t < lo - 1e-9 || t > hi + 1e-9 {
            continue;
        }
        line(&mut s, scale(t), top, scale(t), bottom, GRID, false);
        text(
            &mut s,
            scale(t),
            bottom + 14.0,
            "middle",
            10.0,
            AXIS,
            &fmt_tick(t),
        );
    }
    let zero = scale(0.0);
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        text(&mut s, label_w - 8.0, y + 15.0, "end", 12.0, "#222", label);
        let (x, bw) = if *v >= 0.0 {
            (zero, scale(*v) - zero)
        } else {
            (scale(*v), zero - scale(*v))
        };
        let color = if *v >= 0.0 { PALETTE[0] } else { NEGATIVE };
        rect(
            &mut s,
            x,
            y + 3.0,
            bw,
            row_h - 6.0,
            color,
            &format!("{label}: {v:.1}"),
        );
        let tx = scale(*v) + if *v >= 0.0 { 5.0 } else { -5.0 };
        let anchor = if *v >= 0.0 { "start" } else { "end" };
        text(&mut s, tx, y + 15.0, anchor, 11.0, AXIS, &format!("{v:.1}"));
    }
    line(&mut s, zero, top, zero, bottom, AXIS, false);
    if let Some(r) = reference {
        line(&mut s, scale(r), top - 4.0, scale(r), bottom, "#222", true);
        text(
            &mut s,
            scale(r),
            top - 6.0,
            "middle",
            10.0,
            "#222",
            &format!("all {r:.1}"),
        );
    }
    s.push_str("</svg>");
    s
}

/// Lines over periods; a missing value breaks its line.
pub fn lines(
    id: &str,
    title: &str,
    x_labels: &[String],
    series: &[(String, Vec<Option<f64>>)],
    y_title: &str,
) -> String {
    let (left, right, top, plot_h) = (56.0, 210.0, 24.0, 200.0);
    let plot_w = 480.0;
    let w = left + plot_w + right;
    let h = top + plot_h + 56.0;
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.1.iter().flatten().copied())
        .collect();
    let lo = values
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let hi = values
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
        .max(lo + 1.0);
    let ts = ticks(lo, hi, 5);
    let (lo, hi) = (ts[0].min(lo), ts[ts.len() - 1].max(hi));
    let n = x_labels.len().max(1);
    let x_at = |i: usize| {
        if n == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y_at = |v: f64| top + plot_h * (1.0 - (v - lo) / (hi - lo));
    let mut s = open(id, title, w, h);
    for t in &ts {
        line(&mut s, left, y_at(*t), left + plot_w, y_at(*t), GRID, false);
        text(
            &mut s,
            left - 6.0,
            y_at(*t) + 4.0,
            "end",
            10.0,
            AXIS,
            &fmt_tick(*t),
        );
    }
    line(
        &mut s,
        left,
        top + plot_h,
        left + plot_w,
        top + plot_h,
        AXIS,
        false,
    );
    let every = n.div_ceil(8);
    for (i, label) in x_labels.iter().enumerate() {
        if i % every == 0 || i == n - 1 {
            text(
                &mut s,
                x_at(i),
                top + plot_h + 16.0,
                "middle",
                10.0,
                AXIS,
                label,
            );
        }
    }
    text(&mut s, 12.0, top - 10.0, "start", 11.0, AXIS, y_title);
    for (k, (name, vals)) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in vals.iter().enumerate() {
            match v {
                Some(v) => {
                    let cmd = if pen_down { 'L' } else { 'M' };
                    let _ = write!(path, "{cmd}{:.1} {:.1} ", x_at(i), y_at(*v));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let _ = write!(
            s,
            "<path d=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>",
            path.trim_end()
        );
        for (i, v) in vals.iter().enumerate() {
            if let Some(v) = v {
                let _ = write!(
                    s,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{color}\"><title>{}: {} {:.1}</title></circle>",
                    x_at(i),
                    y_at(*v),
                    esc(name),
                    esc(&x_labels[i]),
                    v
                );
            }
        }
        let ly = top + 8.0 + 18.0 * k as f64;
        line(
            &mut s,
            left + plot_w + 14.0,
            ly,
            left + plot_w + 30.0,
            ly,
            color,
            false,
        );
        text(
            &mut s,
            left + plot_w + 35.0,
            ly + 4.0,
            "start",
            11.0,
            "#222",
            &truncate(name, 26),
        );
    }
    s.push_str("</svg>");
    s
}

/// One point of the priority scatter.
pub struct Point {
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub highlight: bool,
}

/// Impact (y) against frequency (x), split into four named quadrants at
/// `x_split` and `y = 0`.
pub fn scatter(
    id: &str,
    title: &str,
    points: &[Point],
    x_split: f64,
    axis: (&str, &str),
    quadrants: [&str; 4],
) -> String {
    let (left, top, plot_w, plot_h) = (60.0, 20.0, 560.0, 320.0);
    let w = left + plot_w + 150.0;
    let h = top + plot_h + 50.0;
    let xmax = points.iter().map(|p| p.x).fold(x_split, f64::max).max(1.0) * 1.1;
    let ymax = points
        .iter()
        .map(|p| p.y.abs())
        .fold(0.0, f64::max)
        .max(0.5)
        * 1.15;
    let x_at = |v: f64| left + plot_w * v / xmax;
    let y_at = |v: f64| top + plot_h * (1.0 - (v + ymax) / (2.0 * ymax));
    let mut s = open(id, title, w, h);
    // Quadrant backgrounds: the top right is the one to act on.
    rect(
        &mut s,
        x_at(x_split),
        top,
        left + plot_w - x_at(x_split),
        plot_h / 2.0,
        "#fbe9e7",
        quadrants[0],
    );
    for t in ticks(-ymax, ymax, 6) {
        if t.abs() > ymax {
            continue;
        }
        line(&mut s, left, y_at(t), left + plot_w, y_at(t), GRID, false);
        text(
            &mut s,
            left - 6.0,
            y_at(t) + 4.0,
            "end",
            10.0,
            AXIS,
            &fmt_tick(t),
        );
    }
    for t in ticks(0.0, xmax, 6) {
        if t > xmax {
            continue;
        }
        text(
            &mut s,
            x_at(t),
            top + plot_h + 14.0,
            "middle",
            10.0,
            AXIS,
            &fmt_tick(t),
        );
    }
    line(
        &mut s,
        left,
        y_at(0.0),
        left + plot_w,
        y_at(0.0),
        AXIS,
        false,
    );
    line(
        &mut s,
        x_at(x_split),
        top,
        x_at(x_split),
        top + plot_h,
        AXIS,
        true,
    );
    line(&mut s, left, top, left, top + plot_h, AXIS, false);
    let qy = [
        top + 14.0,
        top + 14.0,
        top + plot_h - 6.0,
        top + plot_h - 6.0,
    ];
    let qx = [
        left + plot_w - 6.0,
        left + 6.0,
        left + plot_w - 6.0,
        left + 6.0,
    ];
    let anchor = ["end", "start", "end", "start"];
    for k in 0..4 {
        let weight = if k == 0 { NEGATIVE } else { "#888" };
        text(&mut s, qx[k], qy[k], anchor[k], 13.0, weight, quadrants[k]);
    }
    // Labels right of their point, moved down or up a line at a time until
    // they overlap no label placed before them.
    let mut placed: Vec<(f64, f64, f64)> = Vec::new();
    for p in points {
        let (cx, cy) = (x_at(p.x), y_at(p.y));
        let color = if p.highlight { NEGATIVE } else { PALETTE[0] };
        let _ = write!(
            s,
            "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"5\" fill=\"{color}\"><title>{}: {:.1}% of comments, {:+.2}</title></circle>",
            esc(&p.label),
            p.x,
            p.y
        );
        let width = 6.2 * p.label.chars().count() as f64;
        let overlaps = |y: f64, placed: &[(f64, f64, f64)]| {
            placed.iter().any(|&(x0, y0, w0)| {
                cx + 7.0 < x0 + w0 && x0 < cx + 7.0 + width && (y - y0).abs() < 12.0
            })
        };
        let ly = [0.0, 12.0, -12.0, 24.0, -24.0, 36.0, -36.0]
            .iter()
            .map(|d| cy - 5.0 + d)
            .find(|&y| !overlaps(y, &placed))
            .unwrap_or(cy - 5.0);
        placed.push((cx + 7.0, ly, width));
        text(&mut s, cx + 7.0, ly, "start", 11.0, "#222", &p.label);
    }
    text(
        &mut s,
        left + plot_w / 2.0,
        h - 10.0,
        "middle",
        11.0,
        AXIS,
        axis.0,
    );
    let _ = write!(
        s,
        "<text x=\"14\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{AXIS}\" transform=\"rotate(-90 14 {:.1})\">{}</text>",
        top + plot_h / 2.0,
        top + plot_h / 2.0,
        esc(axis.1)
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        let svg = polarity_bars("t", "a<b", &[("x & \"y\"".into(), [1, 2, 3])]);
        assert!(svg.contains("x &amp; &quot;y&quot;"));
        assert!(svg.contains("<title>a&lt;b</title>"));
        assert!(!svg.contains("x & "));
    }

    #[test]
    fn bars_are_proportional_to_counts() {
        let svg = polarity_bars(
            "t",
            "t",
            &[("a".into(), [10, 0, 0]), ("b".into(), [0, 0, 5])],
        );
        // The longest bar spans the full 470 px, the half-count one 235 px.
        assert!(svg.contains("width=\"470.0\""), "{svg}");
        assert!(svg.contains("width=\"235.0\""), "{svg}");
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 10.0, 5), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        // From the round value at or below the start, in round steps, up to
        // the end.
        let t = ticks(-37.0, 52.0, 5);
        assert_eq!(t, [-40.0, -20.0, 0.0, 20.0, 40.0]);
    }

    #[test]
    fn a_missing_value_breaks_the_line() {
        let svg = lines(
            "l",
            "l",
            &["a".into(), "b".into(), "c".into()],
            &[("s".into(), vec![Some(1.0), None, Some(2.0)])],
            "y",
        );
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('L').count(), 0, "{d}");
    }
}
