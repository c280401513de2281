//! `voctag report` and `voctag query` end to end, as a user runs them.
//!
//! The numbers are checked on two tiny runs written by hand (so every count,
//! share, NPS and driver gap below is worked out in the comments), and the
//! whole pipeline is checked on the bundled sample, in one run and split
//! into nightly runs.

mod common;

use arrow::array::{ArrayRef, Float32Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use tempfile::TempDir;

struct C {
    row: u64,
    sentiment: &'static str,
    nps: &'static str,
    date: &'static str,
    channel: &'static str,
}

struct M {
    row: u64,
    theme: &'static str,
    polarity: &'static str,
    evidence: &'static str,
}

fn utf8(v: Vec<String>) -> ArrayRef {
    Arc::new(StringArray::from(v))
}

fn write(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), false))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns.into_iter().map(|c| c.1).collect())
        .expect("columns fit the schema");
    let file = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

/// A run directory with the columns of voctag's schema that the report
/// reads, plus the sample's pass-through columns (as text, as from CSV).
fn write_run(dir: &Path, comments: &[C], mentions: &[M]) {
    std::fs::create_dir_all(dir).unwrap();
    let n = comments.len();
    let s = |f: &dyn Fn(&C) -> String| utf8(comments.iter().map(f).collect());
    write(
        &dir.join("comments.parquet"),
        vec![
            ("comment_id", s(&|c| format!("id{}", c.row))),
            ("source_file", s(&|_| "exports/day.csv".to_string())),
            (
                "source_row",
                Arc::new(UInt64Array::from_iter_values(
                    comments.iter().map(|c| c.row),
                )),
            ),
            ("lang", s(&|_| "en".to_string())),
            ("sentiment", s(&|c| c.sentiment.to_string())),
            (
                "sentiment_score",
                Arc::new(Float32Array::from_iter_values(comments.iter().map(
                    |c| match c.sentiment {
                        "positive" => 0.5,
                        "negative" => -0.5,
                        _ => 0.0,
                    },
                ))),
            ),
            ("n_mentions", Arc::new(UInt32Array::from(vec![0; n]))),
            ("text", s(&|_| "…".to_string())),
            ("nps", s(&|c| c.nps.to_string())),
            ("created_at", s(&|c| c.date.to_string())),
            ("channel", s(&|c| c.channel.to_string())),
        ],
    );
    let m = |f: &dyn Fn(&M) -> String| utf8(mentions.iter().map(f).collect());
    write(
        &dir.join("mentions.parquet"),
        vec![
            ("comment_id", m(&|x| format!("id{}", x.row))),
            ("source_file", m(&|_| "exports/day.csv".to_string())),
            (
                "source_row",
                Arc::new(UInt64Array::from_iter_values(
                    mentions.iter().map(|x| x.row),
                )),
            ),
            ("theme", m(&|x| x.theme.to_string())),
            ("category", m(&|_| "service".to_string())),
            ("polarity", m(&|x| x.polarity.to_string())),
            ("evidence", m(&|x| x.evidence.to_string())),
        ],
    );
}

/// Two nightly runs, `run_date=2026-11-01` (A, 5 comments) and
/// `run_date=2026-11-02` (B, 3 comments). Both read a file of the same name,
/// so only `run_dir` tells A's row 0 from B's row 0.
///
/// | comment | sentiment | nps | month | channel | mentions |
/// |---|---|---|---|---|---|
/// | A0 | positive | 10 promoter  | Oct | web   | response_speed + |
/// | A1 | positive | 9 promoter   | Oct | phone | – |
/// | A2 | negative | 3 detractor  | Nov | phone | transfers − (twice), response_speed − |
/// | A3 | neutral  | (empty)      | Nov | web   | transfers 0 |
/// | A4 | neutral  | 6 detractor  | Nov | phone | – |
/// | B0 | negative | 0 detractor  | Nov | phone | transfers − |
/// | B1 | positive | 8 passive    | Nov | web   | response_speed +, transfers + |
/// | B2 | negative | abc (none)   | Nov | chat  | response_speed − |
fn tiny_runs(root: &Path) {
    let c = |row, sentiment, nps, date, channel| C {
        row,
        sentiment,
        nps,
        date,
        channel,
    };
    let m = |row, theme, polarity, evidence| M {
        row,
        theme,
        polarity,
        evidence,
    };
    write_run(
        &root.join("run_date=2026-11-01"),
        &[
            c(0, "positive", "10", "2026-10-05", "web"),
            c(1, "positive", "9", "2026-10-20", "phone"),
            c(2, "negative", "3", "2026-11-03", "phone"),
            c(3, "neutral", "", "2026-11-04T09:30:00Z", "web"),
            c(4, "neutral", " 6 ", "2026-11-10", "phone"),
        ],
        &[
            m(0, "response_speed", "positive", "replied within minutes"),
            m(2, "transfers", "negative", "transferred three times"),
            m(2, "transfers", "negative", "transferred three times"),
            m(2, "response_speed", "negative", "waited a week"),
            m(3, "transfers", "neutral", "they transferred me"),
        ],
    );
    write_run(
        &root.join("run_date=2026-11-02"),
        &[
            c(0, "negative", "0", "2026-11-12", "phone"),
            c(1, "positive", "8", "2026-11-15", "web"),
            c(2, "negative", "abc", "2026/11/20", "chat"),
        ],
        &[
            m(0, "transfers", "negative", "passed around like a ball"),
            m(1, "response_speed", "positive", "quick answer"),
            m(1, "transfers", "positive", "transfer was smooth"),
            m(2, "response_speed", "negative", "nobody replied"),
        ],
    );
}

fn run_voctag(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_voctag"))
        .args(args)
        .output()
        .expect("voctag runs")
}

fn report_json(args: &[&str]) -> Value {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    let out = run_voctag(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

fn close(a: &Value, b: f64) {
    let a = a.as_f64().unwrap_or_else(|| panic!("{a} is not a number"));
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

/// Equal JSON, numbers up to rounding (the regression sums in row order).
fn assert_close(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 1e-6 * (1.0 + x.abs()), "{at}: {x} != {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}: lengths differ");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_close(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, x) in x {
                assert_close(x, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

fn theme<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["theme"] == id)
        .unwrap_or_else(|| panic!("no theme {id}"))
}

fn driver<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["drivers"]["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["theme"] == id)
        .unwrap_or_else(|| panic!("no driver {id}"))
}

#[test]
fn the_numbers_of_two_tiny_runs_are_the_hand_worked_ones() {
    let dir = TempDir::new().unwrap();
    tiny_runs(dir.path());
    let root = dir.path().to_str().unwrap();
    let r = report_json(&[
        root,
        "--score-col",
        "nps",
        "--date-col",
        "created_at",
        "--by",
        "channel",
    ]);

    let o = &r["overview"];
    assert_eq!(o["comments"], 8);
    assert_eq!(o["mentions"], 9);
    // A0 A2 A3 B0 B1 B2: A1 and A4 have none. Keyed without run_dir, B's
    // rows 0 and 1 would be mistaken for A's.
    assert_eq!(o["comments_with_mentions"], 6);
    close(&o["net_sentiment"], 0.0); // 3 positive, 3 negative of 8
    assert_eq!(o["first_date"], "2026-10-05");
    assert_eq!(o["last_date"], "2026-11-20");
    assert_eq!(o["undated"], 0);

    // Scored: 10, 9, 3, 6, 0, 8; "" and "abc" are not scores.
    let s = &o["score"];
    assert_eq!(s["scored"], 6);
    assert_eq!(s["unscored"], 2);
    close(&s["value"], 100.0 * (2.0 - 3.0) / 6.0); // 2 promoters, 3 detractors
    close(&s["mean_score"], 36.0 / 6.0);
    assert_eq!(s["groups"][0]["count"], 2);
    assert_eq!(s["groups"][1]["count"], 1);
    assert_eq!(s["groups"][2]["count"], 3);

    // transfers: A2 A3 B0 B1 = 4 of 8 comments; mentions 3 −, 1 0, 1 +.
    let t = theme(&r, "transfers");
    assert_eq!(t["comments"], 4);
    close(&t["share_pct"], 50.0);
    assert_eq!(t["comments_negative"], 2);
    assert_eq!(t["mentions"]["negative"], 3);
    assert_eq!(t["mentions"]["neutral"], 1);
    assert_eq!(t["mentions"]["positive"], 1);
    close(&t["net_sentiment"], 100.0 * (1.0 - 3.0) / 5.0);
    assert_eq!(t["label_en"], "transfers");
    // The most repeated evidence first.
    assert_eq!(t["top_negative"][0]["evidence"], "transferred three times");
    assert_eq!(t["top_negative"][0]["count"], 2);
    assert_eq!(
        t["top_negative"][1]["evidence"],
        "passed around like a ball"
    );
    assert_eq!(t["top_positive"][0]["evidence"], "transfer was smooth");

    // response_speed: A0 A2 B1 B2; 2 −, 2 +.
    let rs = theme(&r, "response_speed");
    assert_eq!(rs["comments"], 4);
    close(&rs["net_sentiment"], 0.0);

    // Change, November (6 comments) against October (A0, A1).
    let c = &t["change"];
    assert_eq!(c["period"], "2026-11-01");
    assert_eq!(c["previous"], "2026-10-01");
    close(&c["share_pct"], 400.0 / 6.0);
    close(&c["share_pct_previous"], 0.0);
    close(&c["share_change"], 400.0 / 6.0);
    close(&c["net_sentiment"], -40.0);
    assert!(c["net_sentiment_previous"].is_null());
    let c = &rs["change"];
    close(&c["share_change"], 0.0); // 3 of 6 against 1 of 2
    close(
        &c["net_sentiment_change"],
        100.0 * (1.0 - 2.0) / 3.0 - 100.0,
    );

    // Drivers. Contributions y: A0 +100, A1 +100, A2 −100, A4 −100,
    // B0 −100, B1 0: overall NPS −100/6.
    let d = &r["drivers"];
    assert_eq!(d["kind"], "nps");
    assert_eq!(d["scored"], 6);
    close(&d["overall"], -100.0 / 6.0);
    // transfers, scored: A2 −100, B0 −100, B1 0 → −66.7; the rest A0 A1 A4
    // → +33.3; impact = 33.3 − (−16.7) = +50.
    let t = driver(&r, "transfers");
    assert_eq!(t["n_with"], 3);
    close(&t["metric_with"], -200.0 / 3.0);
    close(&t["metric_without"], 100.0 / 3.0);
    close(&t["gap"], -100.0);
    close(&t["impact"], 50.0);
    close(&t["improvement"], 50.0);
    assert_eq!(t["small_sample"], true);
    // response_speed, scored: A0 +100, A2 −100, B1 0 → 0; rest A1 A4 B0 →
    // −33.3; impact −16.7 (these comments lift the score).
    let rs = driver(&r, "response_speed");
    close(&rs["metric_with"], 0.0);
    close(&rs["metric_without"], -100.0 / 3.0);
    close(&rs["impact"], -100.0 / 6.0);
    // Ranked by improvement: transfers first.
    assert_eq!(d["themes"][0]["theme"], "transfers");
    // Six comments fit no regression, and say so.
    assert!(d["regression"].is_null());
    let notes = r["notes"].to_string();
    assert!(notes.contains("No driver regression"), "{notes}");
    // Every theme has fewer than 5 scored comments: nothing to rank.
    assert_eq!(r["priority"].as_array().unwrap().len(), 0);

    // Segments by channel, largest first.
    let seg = &r["segments"][0];
    assert_eq!(seg["column"], "channel");
    let rows = seg["rows"].as_array().unwrap();
    let values: Vec<_> = rows.iter().map(|x| x["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["phone", "web", "chat"]);
    // phone: A1 + A2 − A4 0 B0 −; NPS of 9, 3, 6, 0 = (1 − 3)/4.
    assert_eq!(rows[0]["comments"], 4);
    close(&rows[0]["net_sentiment"], -25.0);
    close(&rows[0]["metric"], -50.0);
    assert_eq!(rows[0]["top_negative"][0]["theme"], "transfers");
    close(&rows[0]["top_negative"][0]["share_pct"], 50.0);
    close(&rows[1]["metric"], 50.0); // web: 10 and 8
    assert!(rows[2]["metric"].is_null()); // chat: "abc" only
    assert_eq!(rows[2]["scored"], 0);

    // Trend by month.
    let p = r["trend"]["points"].as_array().unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(p[0]["comments"], 2);
    close(&p[0]["metric"], 100.0);
    assert_eq!(p[1]["comments"], 6);
    close(&p[1]["net_sentiment"], 100.0 * (1.0 - 3.0) / 6.0);
    close(&p[1]["metric"], -75.0);
}

#[test]
fn the_report_is_the_same_bytes_every_time() {
    // DataFusion aggregates in parallel; nothing in the report may depend on
    // the order its partitions finish in.
    let dir = TempDir::new().unwrap();
    tiny_runs(dir.path());
    let root = dir.path().to_str().unwrap();
    for format in ["json", "html"] {
        let args = [
            "report",
            root,
            "--score-col",
            "nps",
            "--date-col",
            "created_at",
            "--by",
            "channel",
            "--format",
            format,
        ];
        let a = run_voctag(&args);
        let b = run_voctag(&args);
        assert!(a.status.success());
        assert!(a.stdout == b.stdout, "{format} differs between two runs");
    }
}

#[test]
fn without_a_date_column_the_runs_are_the_periods() {
    let dir = TempDir::new().unwrap();
    tiny_runs(dir.path());
    let a = dir.path().join("run_date=2026-11-01");
    let b = dir.path().join("run_date=2026-11-02");
    let r = report_json(&[a.to_str().unwrap(), b.to_str().unwrap()]);
    let p = r["trend"]["points"].as_array().unwrap();
    assert_eq!(r["trend"]["by"], "run");
    assert_eq!(
        (p[0]["comments"].as_u64(), p[1]["comments"].as_u64()),
        (Some(5), Some(3))
    );
    // transfers: 2 of A's 5 comments, 2 of B's 3.
    close(
        &theme(&r, "transfers")["change"]["share_change"],
        200.0 / 3.0 - 40.0,
    );
    // Without a score, the drivers use the comments' net sentiment.
    assert_eq!(r["drivers"]["kind"], "net_sentiment");
    close(&r["drivers"]["overall"], 0.0);
    assert!(r["overview"]["score"].is_null());
}

#[test]
fn one_theme_in_focus() {
    let dir = TempDir::new().unwrap();
    tiny_runs(dir.path());
    let r = report_json(&[
        dir.path().to_str().unwrap(),
        "--theme",
        "transfers",
        "--by",
        "channel",
    ]);
    let themes = r["themes"].as_array().unwrap();
    assert_eq!(themes.len(), 1);
    assert_eq!(themes[0]["theme"], "transfers");
    let rows = r["segments"][0]["rows"].as_array().unwrap();
    // chat's only negative theme is response_speed: not in focus.
    assert!(rows[2]["top_negative"].as_array().unwrap().is_empty());
    assert_eq!(
        r["overview"]["comments"], 8,
        "the overview keeps every comment"
    );
}

#[test]
fn usage_errors_name_the_problem_and_exit_2() {
    let dir = TempDir::new().unwrap();
    tiny_runs(dir.path());
    let root = dir.path().to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["report", root, "--score-col", "rating"],
            "no column \"rating\"",
        ),
        (
            &["report", root, "--theme", "weather"],
            "--theme \"weather\"",
        ),
        (&["report", "/nonexistent/voc"], "/nonexistent/voc"),
        (
            &["query", "select nope from comments", root],
            "voctag: error: query:",
        ),
    ];
    for (args, expect) in cases {
        let out = run_voctag(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    let out = run_voctag(&["query", "select 1", root, "--format", "parquet"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Parquet output needs --out"));

    let empty = TempDir::new().unwrap();
    let out = run_voctag(&["report", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no voctag run here"));
}

#[test]
fn query_prints_a_table_and_writes_csv_and_parquet() {
    let dir = TempDir::new().unwrap();
    tiny_runs(dir.path());
    let root = dir.path().to_str().unwrap();
    let sql = "select run_date, count(*) as n from comments group by run_date order by run_date";

    let out = run_voctag(&["query", sql, root]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("| 2026-11-01 | 5 |"), "{table}");
    assert!(table.contains("2 rows"), "{table}");

    let csv = dir.path().join("q.csv");
    let out = run_voctag(&["query", sql, root, "--out", csv.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "nothing on stdout with --out");
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "run_date,n\n2026-11-01,5\n2026-11-02,3\n"
    );

    // A join on the comment key, written as Parquet.
    let pq = dir.path().join("q.parquet");
    let join = "select c.channel, count(*) as negative_mentions from mentions m \
                join comments c using (run_dir, source_file, source_row) \
                where m.polarity = 'negative' group by c.channel order by c.channel";
    let out = run_voctag(&["query", join, root, "--out", pq.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let batch = concat(&read_parquet(&pq));
    assert_eq!(
        strings(&batch, "channel"),
        [Some("chat".into()), Some("phone".into())]
    );
    let n = batch.column_by_name("negative_mentions").unwrap();
    let n = arrow::compute::cast(n, &DataType::Int64).unwrap();
    let n = n
        .as_any()
        .downcast_ref::<arrow::array::Int64Array>()
        .unwrap();
    assert_eq!(n.values().to_vec(), [1, 4]);

    // An empty result still has its CSV header.
    let out = run_voctag(&[
        "query",
        "select theme from mentions where false",
        root,
        "--format",
        "csv",
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "theme\n");
}

/// Splits the bundled sample by month into one CSV per month.
fn split_sample_by_month(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut reader = csv::Reader::from_path(testdata("comments_sample.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let date = headers.iter().position(|h| h == "created_at").unwrap();
    let mut months: std::collections::BTreeMap<String, Vec<csv::StringRecord>> = Default::default();
    for rec in reader.records() {
        let rec = rec.unwrap();
        months
            .entry(rec[date][..7].to_string())
            .or_default()
            .push(rec);
    }
    months
        .into_iter()
        .map(|(month, rows)| {
            let path = dir.join(format!("export-{month}.csv"));
            let mut w = csv::Writer::from_path(&path).unwrap();
            w.write_record(&headers).unwrap();
            for r in rows {
                w.write_record(&r).unwrap();
            }
            w.flush().unwrap();
            (month, path)
        })
        .collect()
}

#[test]
fn the_sample_in_one_run_and_in_nightly_runs_gives_the_same_report() {
    let dir = TempDir::new().unwrap();
    let one = dir.path().join("one");
    let run = voctag(
        &["run", testdata("comments_sample.csv").to_str().unwrap()],
        &one,
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let nightly = dir.path().join("voc");
    for (month, csv) in split_sample_by_month(dir.path()) {
        let out = nightly.join(format!("run_date={month}"));
        let run = voctag(&["run", csv.to_str().unwrap()], &out);
        assert_eq!(run.code(), 0, "{}", run.stderr());
    }
    let args = [
        "--score-col",
        "nps",
        "--date-col",
        "created_at",
        "--by",
        "channel",
    ];
    let a = report_json(&[&[one.to_str().unwrap()][..], &args].concat());
    let b = report_json(&[&[nightly.to_str().unwrap()][..], &args].concat());
    assert_eq!(a["overview"]["comments"], 320);
    assert_eq!(b["runs"].as_array().unwrap().len(), 4);
    for key in [
        "overview", "themes", "drivers", "priority", "segments", "trend",
    ] {
        assert_close(&a[key], &b[key], key);
    }
    // The sample has enough comments for the regression and the matrix.
    let reg = &a["drivers"]["regression"];
    assert!(reg["terms"].as_array().unwrap().len() >= 3, "{reg}");
    assert!(a["priority"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["quadrant"] == "fix_first"));
    assert_eq!(a["trend"]["points"].as_array().unwrap().len(), 4);

    // The HTML: every chart, no script, nothing fetched.
    let html_path = dir.path().join("report.html");
    let out = run_voctag(
        &[
            &[
                "report",
                nightly.to_str().unwrap(),
                "--out",
                html_path.to_str().unwrap(),
            ][..],
            &args,
        ]
        .concat(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&html_path).unwrap();
    for id in [
        "chart-themes",
        "chart-priority",
        "chart-segment-0",
        "chart-trend-metric",
        "chart-trend-comments",
        "chart-trend-themes",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "no {id}");
    }
    assert!(!html.to_lowercase().contains("<script"));
    let without_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
    assert!(html.contains("Fix first"));

    // Markdown carries the same sections.
    let out = run_voctag(
        &[
            &["report", one.to_str().unwrap(), "--format", "md"][..],
            &args,
        ]
        .concat(),
    );
    let md = String::from_utf8_lossy(&out.stdout);
    for section in [
        "## Overview",
        "## Themes",
        "## Key drivers of NPS",
        "## Priority matrix",
        "## By channel",
        "## Trend",
    ] {
        assert!(md.contains(section), "no {section}");
    }
}
