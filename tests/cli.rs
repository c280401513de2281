//! The binary end to end on real files: exit codes, rejects, the
//! rows-in = rows-out + rejects identity, error messages, and the promise
//! that a failed run leaves no complete-looking output.

mod common;

use common::*;
use std::fs;
use tempfile::TempDir;

fn sample_rows() -> usize {
    let mut r = csv::Reader::from_path(testdata("comments_sample.csv")).unwrap();
    r.records().count()
}

#[test]
fn the_sample_runs_clean_and_every_span_slices_its_text() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let run = voctag(
        &["run", testdata("comments_sample.csv").to_str().unwrap()],
        &out,
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stdout().is_empty(),
        "stdout must stay empty without --report json"
    );

    let comments = concat(&read_parquet(&out.join("comments.parquet")));
    assert_eq!(comments.num_rows(), sample_rows());
    let report = run.report();
    assert_eq!(report["rows_read"], sample_rows() as u64);
    assert_eq!(report["rows_rejected"], 0);

    let texts = strings(&comments, "text");
    let rows = u64s(&comments, "source_row");
    let mentions = concat(&read_parquet(&out.join("mentions.parquet")));
    assert!(
        mentions.num_rows() > 200,
        "only {} mentions",
        mentions.num_rows()
    );
    assert_eq!(report["mentions"], mentions.num_rows() as u64);
    let m_rows = u64s(&mentions, "source_row");
    let starts = u64s(&mentions, "span_start");
    let ends = u64s(&mentions, "span_end");
    let evidence = strings(&mentions, "evidence");
    let themes = strings(&mentions, "theme");
    for i in 0..mentions.num_rows() {
        let text = texts[rows.iter().position(|&r| r == m_rows[i]).unwrap()]
            .as_deref()
            .unwrap();
        let span = starts[i] as usize..ends[i] as usize;
        let term = text
            .get(span.clone())
            .expect("span on char boundaries, in bounds");
        assert!(!term.is_empty());
        assert!(
            evidence[i].as_deref().unwrap().contains(term),
            "evidence holds the term"
        );
    }
    // Mentions are ordered by input row, then span.
    let keys: Vec<(u64, u64)> = m_rows.iter().copied().zip(starts.iter().copied()).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    // Every theme of the taxonomy shows up on the sample.
    let distinct: std::collections::BTreeSet<_> = themes.into_iter().flatten().collect();
    assert_eq!(distinct.len(), 18, "{distinct:?}");
    // Pass-through columns arrive unchanged.
    let channel = strings(&comments, "channel");
    assert!(channel.iter().all(|c| c.is_some()));
}

/// `voctag run` on the bundled sample with `extra` options, into
/// `dir/out`: its mentions and its report, once it exited 0 and the
/// report's `mentions` counts the rows written.
fn run_sample(
    dir: &TempDir,
    out: &str,
    extra: &[&str],
) -> (arrow::array::RecordBatch, serde_json::Value) {
    let sample = testdata("comments_sample.csv");
    let out = dir.path().join(out);
    let mut args = vec!["run", sample.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = voctag(&args, &out);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let mentions = concat(&read_parquet(&out.join("mentions.parquet")));
    let report = run.report();
    assert_eq!(report["mentions"], mentions.num_rows() as u64);
    (mentions, report)
}

#[test]
fn vetoed_mentions_are_counted_and_come_back_at_veto_zero() {
    let dir = TempDir::new().unwrap();
    let run = |out: &str, extra: &[&str]| {
        let (mentions, report) = run_sample(&dir, out, extra);
        let vetoed = report["mentions_vetoed"].as_u64().unwrap();
        (mentions.num_rows() as u64, vetoed)
    };
    let (kept, vetoed) = run("default", &[]);
    assert!(vetoed > 0, "the bundled model vetoes none of the sample");
    // With no veto every term's mention is written, and exactly those.
    assert_eq!(run("no_veto", &["--theme-veto", "0"]), (kept + vetoed, 0));
}

#[test]
fn overruled_polarities_are_marked_counted_and_gone_with_rule_polarity() {
    let dir = TempDir::new().unwrap();
    let run = |out: &str, extra: &[&str]| {
        let (mentions, report) = run_sample(&dir, out, extra);
        let from = strings(&mentions, "polarity_from");
        let by_model = from
            .iter()
            .filter(|f| f.as_deref() == Some("model"))
            .count() as u64;
        // `rule_polarity` keeps the rules' own answer (neutral where they
        // judged nothing and the comment's sentiment spoke): it differs from
        // `polarity` where the head overruled a judgement of theirs, and
        // only there or where the comment spoke.
        let polarity = strings(&mentions, "polarity");
        let rules = strings(&mentions, "rule_polarity");
        let neutral = Some("neutral".to_string());
        for ((p, r), f) in polarity.iter().zip(&rules).zip(&from) {
            match f.as_deref() {
                Some("model") => assert!(p != r || *r == neutral, "{p:?} {r:?}"),
                Some("comment") => assert_eq!(*r, neutral),
                _ => assert_eq!(p, r, "{f:?}"),
            }
        }
        let count = |key: &str| report[key].as_u64().unwrap();
        assert_eq!(count("mentions_overruled"), by_model);
        let merged = count("mentions_merged");
        (mentions.num_rows() as u64, by_model, merged)
    };
    let (rows, overruled, merged) = run("default", &[]);
    assert!(
        overruled > 0,
        "the bundled head overrules none of the sample"
    );
    // The rules alone: nothing overruled, and the merged mentions are back.
    assert_eq!(run("rules", &["--rule-polarity"]), (rows + merged, 0, 0));
}

const BAD_CSV: &[u8] = b"id,text,channel\n\
1,fine,web\n\
2,too,many,fields\n\
3,\xff\xfe broken bytes,app\n\
4,,phone\n\
5,   ,phone\n\
1,duplicate id is kept,web\n\
6,\"nul \x00 and \x07 bell \xf0\x9f\x98\xa1\",chat\n\
,no id,web\n\
7,\"unterminated quote, swallows the rest\n\
8,never seen as a row,web\n";

#[test]
fn bad_rows_are_rejected_with_reasons_and_nothing_is_lost() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("bad.csv");
    fs::write(&input, BAD_CSV).unwrap();
    let out = dir.path().join("out");
    let run = voctag(&["run", input.to_str().unwrap()], &out);
    assert_eq!(run.code(), 1, "{}", run.stderr());

    let report = run.report();
    let read = report["rows_read"].as_u64().unwrap();
    let analysed = report["rows_analysed"].as_u64().unwrap();
    let rejected = report["rows_rejected"].as_u64().unwrap();
    assert_eq!(read, analysed + rejected);
    assert_eq!(report["duplicate_ids"], 1);

    let comments = concat(&read_parquet(&out.join("comments.parquet")));
    assert_eq!(comments.num_rows() as u64, analysed);
    let ids: Vec<_> = strings(&comments, "comment_id")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(ids, ["1", "4", "5", "1", "6"]);
    let sentiment = strings(&comments, "sentiment");
    assert_eq!(
        sentiment[1].as_deref(),
        Some("neutral"),
        "empty text is neutral"
    );
    assert_eq!(
        sentiment[2].as_deref(),
        Some("neutral"),
        "blank text is neutral"
    );

    let rejects = concat(&read_parquet(&out.join("rejects.parquet")));
    assert_eq!(rejects.num_rows() as u64, rejected);
    let reasons: Vec<String> = strings(&rejects, "reason").into_iter().flatten().collect();
    let rows = u64s(&rejects, "source_row");
    assert_eq!(rows, [1, 2, 7, 8]);
    assert!(
        reasons[0].contains("4 fields where the header has 3"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("invalid UTF-8"), "{reasons:?}");
    assert!(reasons[2].contains("empty id"), "{reasons:?}");
    assert!(
        reasons[3].contains("unterminated quoted field"),
        "{reasons:?}"
    );
    let files = strings(&rejects, "source_file");
    assert!(files
        .iter()
        .all(|f| f.as_deref() == Some(input.to_str().unwrap())));
    assert!(strings(&rejects, "raw")[0]
        .as_deref()
        .unwrap()
        .contains("too"));
}

#[test]
fn a_missing_column_stops_before_any_work_and_lists_the_columns() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("export.csv");
    fs::write(&input, "ticket,comment\n1,slow\n").unwrap();
    let out = dir.path().join("out");
    let run = voctag(&["run", input.to_str().unwrap()], &out);
    assert_eq!(run.code(), 2);
    let err = run.stderr();
    assert!(err.contains("export.csv"), "{err}");
    assert!(err.contains("no id column \"id\""), "{err}");
    assert!(
        err.contains("columns found: \"ticket\", \"comment\""),
        "{err}"
    );
    assert!(
        !out.exists(),
        "no output directory for a run that did nothing"
    );

    let run = voctag(
        &[
            "run",
            input.to_str().unwrap(),
            "--id-col",
            "ticket",
            "--text-col",
            "comment",
        ],
        &out,
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
}

#[test]
fn fatal_errors_exit_2_and_name_the_cause() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let missing = dir.path().join("nope.csv");
    let run = voctag(&["run", missing.to_str().unwrap()], &out);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("nope.csv"), "{}", run.stderr());

    let input = dir.path().join("ok.csv");
    fs::write(&input, "id,text\n1,hi\n").unwrap();
    let blocker = dir.path().join("a_file");
    fs::write(&blocker, "").unwrap();
    let run = voctag(&["run", input.to_str().unwrap()], &blocker.join("sub"));
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("output"), "{}", run.stderr());

    let lex = dir.path().join("lex");
    fs::create_dir(&lex).unwrap();
    fs::write(
        lex.join("mine.toml"),
        "id = \"transfers\"\nterms = [{ term = \"x\", polarty = \"negative\" }]\n",
    )
    .unwrap();
    let run = voctag(
        &[
            "run",
            input.to_str().unwrap(),
            "--lexicons",
            lex.to_str().unwrap(),
        ],
        &out,
    );
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("mine.toml: line 2"),
        "{}",
        run.stderr()
    );
    assert!(!out.join("comments.parquet").exists());

    let model = dir.path().join("model.bin");
    fs::write(&model, b"\x00\x01 garbage").unwrap();
    let run = voctag(
        &[
            "run",
            input.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
        ],
        &out,
    );
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("model.bin: not a voctag model file"),
        "{}",
        run.stderr()
    );
    let run = voctag(
        &[
            "run",
            input.to_str().unwrap(),
            "--model",
            "models/lexical.toml",
        ],
        &out,
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.report()["model_version"]
        .as_str()
        .unwrap()
        .starts_with("lexical-"));

    let run = voctag(&["run", input.to_str().unwrap(), "--threads", "lots"], &out);
    assert_eq!(run.code(), 2, "usage errors exit 2");
}

#[test]
fn a_run_that_fails_midway_leaves_no_complete_looking_output() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let good = dir.path().join("good.csv");
    fs::write(&good, "id,text\n1,回复太慢\n").unwrap();
    assert_eq!(voctag(&["run", good.to_str().unwrap()], &out).code(), 0);
    assert!(out.join("comments.parquet").exists());

    // A Parquet file whose footer is fine but whose data pages are garbage:
    // it passes the probe and fails while being read.
    let broken = dir.path().join("broken.parquet");
    write_parquet(
        &broken,
        &(0..5000)
            .map(|i| {
                (
                    i.to_string(),
                    format!("评论 {i} 回复太慢了 the app keeps crashing"),
                )
            })
            .collect::<Vec<_>>(),
    );
    let mut bytes = fs::read(&broken).unwrap();
    for b in &mut bytes[200..2000] {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    fs::write(&broken, bytes).unwrap();
    // Both paths: one thread reads, analyses and writes in turn; more use a
    // reader and a writer thread.
    for threads in ["1", "2"] {
        let run = voctag(
            &[
                "run",
                good.to_str().unwrap(),
                broken.to_str().unwrap(),
                "--chunk-rows",
                "100",
                "--threads",
                threads,
            ],
            &out,
        );
        assert_eq!(run.code(), 2, "--threads {threads}: {}", run.stderr());
        assert!(run.stderr().contains("broken.parquet"), "{}", run.stderr());
        let left: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            left.is_empty(),
            "--threads {threads}: left behind: {left:?}"
        );
    }
}

#[test]
fn report_json_goes_to_stdout_and_nothing_else_does() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let run = voctag(
        &[
            "run",
            testdata("comments_sample.csv").to_str().unwrap(),
            "--report",
            "json",
        ],
        &out,
    );
    assert_eq!(run.code(), 0);
    let printed: serde_json::Value =
        serde_json::from_str(run.stdout().trim()).expect("one JSON object");
    assert_eq!(printed["rows_read"], run.report()["rows_read"]);
    assert!(printed["lexicon_version"]
        .as_str()
        .unwrap()
        .starts_with("lex-"));
    assert!(printed["timings_ms"]["segment"].as_f64().unwrap() > 0.0);
}

#[test]
fn threads_do_not_change_a_single_byte() {
    let dir = TempDir::new().unwrap();
    let input = testdata("comments_sample.csv");
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    let args = |t: &'static str| {
        vec![
            "run",
            input.to_str().unwrap(),
            "--threads",
            t,
            "--chunk-rows",
            "37",
        ]
    };
    assert_eq!(voctag(&args("1"), &one).code(), 0);
    assert_eq!(voctag(&args("2"), &two).code(), 0);
    for name in ["comments.parquet", "mentions.parquet", "rejects.parquet"] {
        assert_eq!(
            fs::read(one.join(name)).unwrap(),
            fs::read(two.join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn eval_scores_the_pipeline_and_a_run_directory_alike() {
    let dir = TempDir::new().unwrap();
    let gold = dir.path().join("gold.jsonl");
    fs::write(
        &gold,
        concat!(
            r#"{"id":"a","lang":"zh","text":"电话一直打不通","sentiment":"negative","themes":[{"theme":"reachability","polarity":"negative","evidence":"电话一直打不通"}]}"#,
            "\n",
            r#"{"id":"b","lang":"en","text":"great service","sentiment":"positive","themes":[]}"#,
            "\n"
        ),
    )
    .unwrap();
    let eval = |extra: &[&str]| {
        let mut args = vec!["eval", gold.to_str().unwrap(), "--json"];
        args.extend_from_slice(extra);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_voctag"))
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let direct = eval(&[]);
    assert_eq!(direct["overall"]["theme"]["tp"], 1);
    assert_eq!(direct["overall"]["theme"]["fp"], 0);
    assert_eq!(direct["overall"]["comments"], 2);

    let out = dir.path().join("out");
    assert_eq!(voctag(&["run", gold.to_str().unwrap()], &out).code(), 0);
    let from_run = eval(&["--pred", out.to_str().unwrap()]);
    assert_eq!(from_run["overall"], direct["overall"]);
}

#[test]
fn bad_jsonl_lines_are_rejected_and_the_rest_analysed() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("tickets.jsonl");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(br#"{"id": 1, "text": "phone never answered", "channel": "phone"}"#);
    bytes.extend_from_slice(b"\n[1, 2, 3]\n{not json\n\n");
    bytes.extend_from_slice(b"{\"id\": 2, \"text\": \"bad \xff byte\"}\n");
    bytes
        .extend_from_slice(br#"{"id": 3, "text": "lone \ud800 surrogate, refund still not here"}"#);
    bytes.extend_from_slice(b"\n");
    bytes.extend_from_slice(br#"{"id": 4, "text": 42}"#);
    bytes.extend_from_slice(b"\n");
    fs::write(&input, bytes).unwrap();
    let out = dir.path().join("out");
    let run = voctag(&["run", input.to_str().unwrap()], &out);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let report = run.report();
    assert_eq!(report["rows_read"], 6, "the blank line is not a row");
    assert_eq!(report["rows_analysed"], 2);
    assert_eq!(report["rows_rejected"], 4);
    let rejects = concat(&read_parquet(&out.join("rejects.parquet")));
    let reasons: Vec<String> = strings(&rejects, "reason").into_iter().flatten().collect();
    assert!(
        reasons[0].contains("not a JSON object but an array"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("invalid JSON"), "{reasons:?}");
    assert!(reasons[2].contains("invalid UTF-8"), "{reasons:?}");
    assert!(reasons[3].contains("not a string"), "{reasons:?}");
    assert_eq!(
        u64s(&rejects, "line"),
        [2, 3, 5, 7],
        "1-based lines of the bad rows"
    );
    let comments = concat(&read_parquet(&out.join("comments.parquet")));
    let texts: Vec<String> = strings(&comments, "text").into_iter().flatten().collect();
    assert_eq!(texts[1], "lone \u{fffd} surrogate, refund still not here");
    assert_eq!(strings(&comments, "channel"), [Some("phone".into()), None]);
}
