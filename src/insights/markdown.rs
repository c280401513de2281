//! The report as Markdown: the same sections and numbers as the HTML, as
//! tables, without charts.

use super::html::{num, p_value, period_label, score_value, signed, theme_name, DEFINITIONS};
use super::*;
use std::fmt::Write;

/// Escapes a table cell: no line breaks, no column separators.
fn cell(s: &str) -> String {
    s.replace(['\r', '\n'], " ").replace('|', "\\|")
}

fn opt(v: Option<f64>, f: fn(f64) -> String) -> String {
    v.map_or_else(|| "–".to_string(), f)
}

pub fn render(r: &Report) -> String {
    let mut m = String::new();
    let o = &r.overview;
    let title = match &r.options.theme {
        Some(t) => format!("Customer feedback report: {t}"),
        None => "Customer feedback report".to_string(),
    };
    let _ = writeln!(m, "# {title}\n");
    let _ = write!(m, "{} comments from {} run(s)", o.comments, r.runs.len());
    if let (Some(a), Some(b)) = (&o.first_date, &o.last_date) {
        let _ = write!(m, ", {a} to {b}");
    }
    let _ = writeln!(m, ". voctag {}.\n", r.voctag_version);

    let _ = writeln!(m, "## Overview\n");
    let _ = writeln!(m, "| | |\n|---|---|");
    let _ = writeln!(m, "| comments | {} |", o.comments);
    let _ = writeln!(m, "| theme mentions | {} |", o.mentions);
    let _ = writeln!(
        m,
        "| comments with a theme | {} |",
        o.comments_with_mentions
    );
    let _ = writeln!(m, "| net sentiment | {} |", signed(o.net_sentiment));
    if let Some(s) = &o.score {
        let _ = writeln!(
            m,
            "| {} (`{}`, {} scored) | {} |",
            s.kind.label(),
            cell(&s.column),
            s.scored,
            score_value(s)
        );
        for g in &s.groups {
            let _ = writeln!(m, "| {} | {} ({:.1}%) |", g.value, g.count, g.share_pct);
        }
    }
    for (name, counts) in [("sentiment", &o.sentiment), ("language", &o.languages)] {
        let _ = writeln!(m, "\n| {name} | comments | % |\n|---|---:|---:|");
        for c in counts {
            let _ = writeln!(
                m,
                "| {} | {} | {:.1} |",
                cell(&c.value),
                c.count,
                c.share_pct
            );
        }
    }

    let _ = writeln!(m, "\n## Themes\n");
    let has_change = r.themes.iter().any(|t| t.change.is_some());
    let _ = write!(
        m,
        "| theme | comments | share % | negative | neutral | positive | net sentiment |"
    );
    if has_change {
        let _ = write!(m, " share Δ pp | net Δ |");
    }
    let _ = writeln!(
        m,
        "\n|---|---:|---:|---:|---:|---:|---:|{}",
        if has_change { "---:|---:|" } else { "" }
    );
    for t in &r.themes {
        let p = &t.mentions;
        let _ = write!(
            m,
            "| {} | {} | {:.1} | {} | {} | {} | {} |",
            cell(&theme_name(r, &t.theme)),
            t.comments,
            t.share_pct,
            p.negative,
            p.neutral,
            p.positive,
            opt(t.net_sentiment, signed)
        );
        if let Some(c) = &t.change {
            let _ = write!(
                m,
                " {} | {} |",
                signed(c.share_change),
                opt(c.net_sentiment_change, signed)
            );
        } else if has_change {
            m.push_str(" | |");
        }
        m.push('\n');
    }
    if let Some(c) = r.themes.iter().find_map(|t| t.change.as_ref()) {
        let _ = writeln!(m, "\nChange: {} against {}.", c.period, c.previous);
    }

    let _ = writeln!(m, "\n## What customers say\n");
    for t in &r.themes {
        let _ = writeln!(m, "**{}**\n", cell(&theme_name(r, &t.theme)));
        for (head, quotes) in [("negative", &t.top_negative), ("positive", &t.top_positive)] {
            for q in quotes {
                let _ = writeln!(m, "- {head}: “{}” (×{})", cell(&q.evidence), q.count);
            }
        }
        m.push('\n');
    }

    if let Some(d) = &r.drivers {
        let _ = writeln!(m, "## Key drivers of {}\n", d.metric);
        let _ = writeln!(
            m,
            "Overall {} = {} over {} scored comments.\n",
            d.metric,
            num(d.overall),
            d.scored
        );
        let _ = writeln!(m, "| theme | scored with | with | without | gap | impact on overall |\n|---|---:|---:|---:|---:|---:|");
        for t in &d.themes {
            let _ = writeln!(
                m,
                "| {}{} | {} | {} | {} | {} | {} |",
                cell(&theme_name(r, &t.theme)),
                if t.small_sample { " (few)" } else { "" },
                t.n_with,
                num(t.metric_with),
                opt(t.metric_without, num),
                opt(t.gap, signed),
                signed(t.impact)
            );
        }
        if let Some(reg) = &d.regression {
            let _ = writeln!(
                m,
                "\nRegression (OLS, n = {}, R² = {:.3}, adjusted {:.3}):\n",
                reg.n, reg.r_squared, reg.adj_r_squared
            );
            let _ = writeln!(m, "| term | comments | coefficient | std. error | 95% interval | p |\n|---|---:|---:|---:|---:|---:|");
            for c in std::iter::once(&reg.intercept).chain(&reg.terms) {
                let _ = writeln!(
                    m,
                    "| {} | {} | {} | {:.2} | {} … {} | {} |",
                    cell(&c.term),
                    c.n,
                    signed(c.estimate),
                    c.std_error,
                    num(c.ci_low),
                    num(c.ci_high),
                    p_value(c.p_value)
                );
            }
        }
    }

    if !r.priority.is_empty() {
        let _ = writeln!(m, "\n## Priority matrix\n\n| theme | share % | gain if fixed | quadrant |\n|---|---:|---:|---|");
        let mut points: Vec<&PriorityPoint> = r.priority.iter().collect();
        points.sort_by(|a, b| b.improvement.total_cmp(&a.improvement));
        for p in points {
            let _ = writeln!(
                m,
                "| {} | {:.1} | {} | {} |",
                cell(&theme_name(r, &p.theme)),
                p.frequency_pct,
                signed(p.improvement),
                p.quadrant.label()
            );
        }
    }

    for seg in &r.segments {
        let _ = writeln!(m, "\n## By {}\n", cell(&seg.column));
        let _ = writeln!(m, "| {} | comments | share % | net sentiment | metric (n) | most negative themes |\n|---|---:|---:|---:|---:|---|", cell(&seg.column));
        for row in &seg.rows {
            let top: Vec<String> = row
                .top_negative
                .iter()
                .map(|t| format!("{} {:.0}%", t.theme, t.share_pct))
                .collect();
            let _ = writeln!(
                m,
                "| {} | {} | {:.1} | {} | {} ({}) | {} |",
                cell(&row.value),
                row.comments,
                row.share_pct,
                signed(row.net_sentiment),
                opt(row.metric, num),
                row.scored,
                top.join(", ")
            );
        }
    }

    if let Some(t) = &r.trend {
        let _ = writeln!(m, "\n## Trend\n\n| period | comments | net sentiment | metric (n) |\n|---|---:|---:|---:|");
        for p in &t.points {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} ({}) |",
                cell(&period_label(r, &p.period)),
                p.comments,
                signed(p.net_sentiment),
                opt(p.metric, num),
                p.scored
            );
        }
    }

    let _ = writeln!(m, "\n## Definitions\n");
    for d in DEFINITIONS {
        let _ = writeln!(m, "- {d}");
    }
    for n in &r.notes {
        let _ = writeln!(m, "- Note: {n}");
    }
    m
}
