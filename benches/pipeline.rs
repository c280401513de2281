//! voctag's benches: one group per stage, start-up, the whole `analyze` on
//! one thread and on all threads, and `voctag run` end to end (CSV in,
//! Parquet out).
//!
//! ```text
//! scripts/make-bench-corpus.sh      # once: target/bench/corpus.csv (~21 MB)
//! cargo bench --bench pipeline      # all groups
//! cargo bench --bench pipeline -- segment   # one group
//! cargo test --benches              # every bench once, as a test (CI)
//! ```
//!
//! Corpus: `$VOCTAG_BENCH_CORPUS`, else `target/bench/corpus.csv` when it
//! exists and we are benchmarking (`cargo bench`), else the bundled
//! `testdata/comments_sample.csv` (320 comments). `cargo test --benches`
//! always uses the bundled sample, so CI is quick on a fresh clone.
//!
//! Every group reports both comments/s and MB/s of comment text
//! (`Throughput::ElementsAndBytes`), and every bench asserts that the work
//! happened: the tokens, cues, hits, mentions or rows it produced equal the
//! count computed once before timing, and that count is not zero.
//!
//! Each stage is timed on its own input, prepared by the earlier stages
//! outside the timed loop (stages are built once, as in jieba-rs's
//! `LazyLock<Jieba>` bench); `analyze` times them all together.

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use rayon::prelude::*;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;
use voctag::clauses::{self, Clause, CueHit};
use voctag::input::{self, Comment, InputOptions};
use voctag::normalize::{self, Normalized};
use voctag::output::{self, ParquetSink, Versions};
use voctag::pipeline::{detect_lang, Pipeline};
use voctag::polarity::{self, Polarities};
use voctag::run::{self, RunOptions};
use voctag::segment::Token;
use voctag::sentiment::ScoringInput;
use voctag::themes::{self, TermHit};

const SAMPLE: &str = "testdata/comments_sample.csv";
const BIG: &str = "target/bench/corpus.csv";

/// True under `cargo bench`; false under `cargo test --benches`, which runs
/// each bench once (criterion's test mode) and passes no `--bench`.
fn benchmarking() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test")
}

fn corpus_path() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Some(p) = std::env::var_os("VOCTAG_BENCH_CORPUS") {
        return PathBuf::from(p);
    }
    let big = root.join(BIG);
    if benchmarking() {
        if big.exists() {
            return big;
        }
        eprintln!(
            "bench: {BIG} is missing (run scripts/make-bench-corpus.sh); using the bundled sample"
        );
    }
    root.join(SAMPLE)
}

struct Corpus {
    path: PathBuf,
    comments: Vec<Comment>,
    /// The pass-through columns (id, channel…) of each chunk of
    /// `InputOptions::default().chunk_rows` comments, as `voctag run` reads them.
    passthrough: Vec<RecordBatch>,
    passthrough_schema: SchemaRef,
    /// Text bytes of all comments: the `Bytes` of every group.
    bytes: u64,
}

impl Corpus {
    fn load() -> Corpus {
        let path = corpus_path();
        let opts = InputOptions::default();
        let info = input::probe(&path, &opts).expect("the bench corpus opens");
        let mut reader = input::open(&info, 0, &opts).expect("the bench corpus opens");
        let mut comments = Vec::new();
        let mut passthrough = Vec::new();
        while let Some(chunk) = reader.next_chunk().expect("the bench corpus reads") {
            assert!(chunk.rejects.is_empty(), "the bench corpus has no bad rows");
            comments.extend(chunk.comments);
            passthrough.push(chunk.passthrough);
        }
        let bytes = comments.iter().map(|c| c.text.len() as u64).sum();
        eprintln!(
            "bench corpus: {} ({} comments, {:.1} MB of text)",
            path.display(),
            comments.len(),
            bytes as f64 / 1e6
        );
        Corpus {
            path,
            comments,
            passthrough,
            passthrough_schema: input::unify_passthrough(&[info]),
            bytes,
        }
    }

    fn throughput(&self) -> Throughput {
        Throughput::ElementsAndBytes {
            elements: self.comments.len() as u64,
            bytes: self.bytes,
        }
    }
}

static CORPUS: LazyLock<Corpus> = LazyLock::new(Corpus::load);
static PIPELINE: LazyLock<Pipeline> =
    LazyLock::new(|| Pipeline::bundled().expect("the bundled lexicons load"));

/// What each stage hands the next, for every comment, computed once.
struct Prepared<'a> {
    norm: Vec<Normalized<'a>>,
    tokens: Vec<Vec<Token>>,
    cues: Vec<Vec<CueHit>>,
    clauses: Vec<Vec<Clause>>,
    hits: Vec<Vec<TermHit>>,
    polarities: Vec<Polarities>,
}

static PREPARED: LazyLock<Prepared<'static>> = LazyLock::new(|| {
    let p = &*PIPELINE;
    let lex = p.lexicon();
    let norm: Vec<Normalized> = CORPUS
        .comments
        .iter()
        .map(|c| normalize::normalize(&c.text))
        .collect();
    let tokens: Vec<Vec<Token>> = norm
        .iter()
        .map(|n| p.segmenter().segment(&n.text))
        .collect();
    let cues: Vec<Vec<CueHit>> = norm
        .iter()
        .map(|n| clauses::scan_cues(lex, &n.text))
        .collect();
    let clauses = norm
        .iter()
        .zip(&cues)
        .map(|(n, c)| clauses::split_clauses(&n.text, c))
        .collect::<Vec<_>>();
    let hits: Vec<Vec<TermHit>> = norm
        .iter()
        .map(|n| themes::find_terms(lex, &n.text))
        .collect();
    let polarities = (0..norm.len())
        .map(|i| polarity::assign(lex, &tokens[i], &clauses[i], &cues[i], &hits[i]))
        .collect();
    Prepared {
        norm,
        tokens,
        cues,
        clauses,
        hits,
        polarities,
    }
});

fn total<T>(items: &[Vec<T>]) -> usize {
    items.iter().map(Vec::len).sum()
}

/// The settings of every group: a whole-corpus iteration takes up to a few
/// seconds, so ten flat samples, as criterion's docs advise for long benches.
fn group<'c>(
    c: &'c mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.throughput(CORPUS.throughput())
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g
}

/// One bench whose `work` runs a stage over the whole corpus and returns what
/// it counted (tokens, cues, mentions): every iteration must count `want`, so
/// the bench fails if the work stops happening.
fn bench_counted(
    c: &mut Criterion,
    group_name: &str,
    id: &str,
    want: usize,
    work: impl Fn() -> usize,
) {
    group(c, group_name).bench_function(id, |b| b.iter(|| assert_eq!(work(), want)));
}

fn stages(c: &mut Criterion) {
    let p = &*PIPELINE;
    let lex = p.lexicon();
    let texts: Vec<&str> = CORPUS.comments.iter().map(|c| c.text.as_str()).collect();
    let prep = &*PREPARED;
    let norm: Vec<&str> = prep.norm.iter().map(|n| n.text.as_str()).collect();

    let want = prep.norm.iter().map(|n| n.text.len()).sum::<usize>();
    assert!(want > 0);
    bench_counted(c, "normalize", "normalize", want, || {
        texts
            .iter()
            .map(|t| normalize::normalize(black_box(t)).text.len())
            .sum()
    });

    let want = total(&prep.tokens);
    assert!(want > 0, "the corpus has words");
    bench_counted(c, "segment", "segment", want, || {
        norm.iter()
            .map(|t| {
                let tokens = p.segmenter().segment(black_box(t));
                black_box(detect_lang(t, &tokens));
                tokens.len()
            })
            .sum()
    });

    let want = total(&prep.cues) + total(&prep.clauses);
    assert!(total(&prep.cues) > 0, "the corpus has cue words");
    bench_counted(c, "clauses", "scan_cues+split_clauses", want, || {
        norm.iter()
            .map(|t| {
                let cues = clauses::scan_cues(lex, black_box(t));
                cues.len() + clauses::split_clauses(t, &cues).len()
            })
            .sum()
    });

    let want = total(&prep.hits);
    assert!(want > 0, "the corpus mentions themes");
    bench_counted(c, "themes", "find_terms", want, || {
        norm.iter()
            .map(|t| themes::find_terms(lex, black_box(t)).len())
            .sum()
    });

    let want: usize = prep.polarities.iter().map(|p| p.mentions.len()).sum();
    assert!(want > 0, "the corpus has mentions");
    bench_counted(c, "polarity", "assign", want, || {
        (0..norm.len())
            .map(|i| {
                polarity::assign(
                    lex,
                    &prep.tokens[i],
                    &prep.clauses[i],
                    &prep.cues[i],
                    &prep.hits[i],
                )
                .mentions
                .len()
            })
            .sum()
    });

    let score_all = || -> (usize, f32) {
        let mut polar = 0;
        let mut sum = 0.0;
        for (i, text) in norm.iter().enumerate() {
            let s = p.scorer().score(&ScoringInput {
                text,
                tokens: &prep.tokens[i],
                clauses: &prep.clauses[i],
                cues: &prep.cues[i],
                polarities: &prep.polarities[i],
                negation_window: lex.negation_window,
            });
            polar += usize::from(s.label != voctag::Polarity::Neutral);
            sum += s.score;
        }
        (polar, sum)
    };
    let (want, _) = score_all();
    assert!(want > 0, "some comments are not neutral");
    bench_counted(c, "sentiment", "linear_model", want, || {
        let (n, sum) = score_all();
        black_box(sum);
        n
    });

    // The theme heads: themes the terms missed, and the terms' themes they
    // veto, on every comment.
    let heads = p
        .scorer()
        .theme_heads()
        .expect("the bundled model has theme heads");
    let head_themes = heads.head_themes(lex);
    let limits = voctag::theme_model::Limits {
        threshold: heads.header.threshold,
        veto: heads.header.veto,
    };
    let flag_all = || -> usize {
        (0..norm.len())
            .map(|i| {
                let found = prep.polarities[i].themes_found(lex.themes.len());
                let (text, tokens, clauses) = (norm[i], &prep.tokens[i], &prep.clauses[i]);
                let flags = heads.flag(
                    black_box(text),
                    tokens,
                    clauses,
                    &head_themes,
                    &found,
                    limits,
                );
                flags.added.len() + flags.vetoed.len()
            })
            .sum()
    };
    let want = flag_all();
    assert!(
        want > 0,
        "the theme heads add or veto themes on some comments"
    );
    bench_counted(c, "theme_model", "flag", want, flag_all);
}

/// Stage 7: the analyses of the whole corpus → comments.parquet and
/// mentions.parquet, with the pass-through columns, in chunks as `voctag run`
/// writes them.
fn parquet_writing(c: &mut Criterion) {
    let p = &*PIPELINE;
    let comments = &CORPUS.comments;
    let analyses: Vec<_> = comments.par_iter().map(|c| p.analyze(&c.text)).collect();
    let want: usize = analyses.iter().map(|a| a.mentions.len()).sum();
    assert!(want > 0, "the corpus has mentions");
    let versions = Versions {
        lexicon: p.lexicon().version.clone(),
        model: p.model_version().to_string(),
    };
    let source_files = vec![CORPUS.path.display().to_string()];
    let schema = output::comments_schema(&CORPUS.passthrough_schema);
    let rows = InputOptions::default().chunk_rows;
    let dir = tempfile::tempdir().expect("a temporary directory");
    group(c, "write").bench_function("parquet", |b| {
        b.iter(|| {
            let mut out_c =
                ParquetSink::create(&dir.path().join("c.parquet"), schema.clone(), &versions)
                    .expect("create");
            let mut out_m = ParquetSink::create(
                &dir.path().join("m.parquet"),
                output::mentions_schema(),
                &versions,
            )
            .expect("create");
            let mut mentions = 0;
            let chunks = comments.chunks(rows).zip(analyses.chunks(rows));
            for ((cs, an), pass) in chunks.zip(&CORPUS.passthrough) {
                let columns = input::conform(pass, &CORPUS.passthrough_schema).expect("conform");
                let (cb, mb) = output::chunk_batches(
                    cs,
                    an,
                    columns,
                    &source_files,
                    p.lexicon(),
                    &versions,
                    &schema,
                )
                .expect("batches");
                mentions += mb.num_rows();
                out_c.write(&cb).expect("write");
                out_m.write(&mb).expect("write");
            }
            assert_eq!(out_c.rows as usize, comments.len());
            out_c.finish().expect("finish");
            out_m.finish().expect("finish");
            assert_eq!(mentions, want);
        })
    });
}

/// Building the pipeline: jieba's dictionary with every lexicon term added,
/// the bundled lexicons (TOML → matchers) and the model. Elements are the
/// patterns loaded, bytes the lexicon and model sources.
fn startup(c: &mut Criterion) {
    let lex = PIPELINE.lexicon();
    let patterns = lex.term_matcher.patterns().len() + lex.cue_matcher.patterns().len();
    let mut bytes = voctag::sentiment::BUNDLED_MODEL.len() as u64;
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).expect("lexicons/ lists").flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "toml") {
                bytes += e.metadata().map_or(0, |m| m.len());
            }
        }
    }
    let mut g = c.benchmark_group("startup");
    g.throughput(Throughput::ElementsAndBytes {
        elements: patterns as u64,
        bytes,
    })
    .sample_size(10)
    .measurement_time(Duration::from_secs(5));
    g.bench_function("pipeline_bundled", |b| {
        b.iter(|| {
            let p = Pipeline::bundled().expect("the bundled lexicons load");
            assert!(p.segmenter().segment("电话被转接了三次").len() >= 3);
            p
        })
    });
}

/// Loading the bundled model file alone (sentiment weights, theme heads,
/// polarity head): the issue "sentiment model" budgets it at 200 ms, apart
/// from jieba's dictionary and the lexicons that [`startup`] includes.
/// Bytes are the model file's.
fn model_load(c: &mut Criterion) {
    let model = voctag::sentiment::BUNDLED_MODEL;
    let mut g = c.benchmark_group("startup_model");
    g.throughput(Throughput::Bytes(model.len() as u64))
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    g.bench_function("bundled", |b| {
        b.iter(|| {
            let m = voctag::sentiment::Model::bundled();
            assert!(m.version.starts_with("linear-"), "{}", m.version);
            m
        })
    });
}

/// The whole `analyze` over the corpus, on one thread and on all threads
/// (jieba-rs's `multithreaded` group has the same pair).
fn analyze(c: &mut Criterion) {
    let p = &*PIPELINE;
    let texts: Vec<&str> = CORPUS.comments.iter().map(|c| c.text.as_str()).collect();
    // The mentions, counted once on this thread: every run on a pool must
    // find the same. The corpus must exercise both kinds, the terms' and
    // the theme heads' additions (no term); the heads' veto also drops
    // terms, so the total need not exceed the terms' count.
    let (mut from_terms, mut added) = (0usize, 0usize);
    for t in &texts {
        for m in p.analyze(t).mentions {
            match m.term {
                Some(_) => from_terms += 1,
                None => added += 1,
            }
        }
    }
    let want = from_terms + added;
    assert!(
        added > 0 && from_terms > 0,
        "the corpus has mentions of both kinds"
    );
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut g = group(c, "analyze");
    for threads in [1, all] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("the pool starts");
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                let n: usize = pool.install(|| {
                    texts
                        .par_iter()
                        .map(|t| p.analyze(black_box(t)).mentions.len())
                        .sum()
                });
                assert_eq!(n, want);
            })
        });
        if all == 1 {
            break;
        }
    }
}

/// `voctag run` end to end: CSV in → Parquet out, through the chunked
/// reader → rayon → writer pipeline, start-up excluded.
fn run_end_to_end(c: &mut Criterion) {
    let p = &*PIPELINE;
    let want = CORPUS.comments.len() as u64;
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut g = group(c, "run");
    for threads in [1, all] {
        let opts = RunOptions {
            inputs: vec![CORPUS.path.clone()],
            out_dir: dir.path().join(format!("out{threads}")),
            input: InputOptions::default(),
            threads,
            progress: false,
            arguments: Vec::new(),
            startup_ms: 0.0,
        };
        g.bench_function(format!("csv_to_parquet_threads_{threads}"), |b| {
            b.iter(|| {
                let report = run::run(&opts, p).expect("the run succeeds");
                assert_eq!(report.rows_analysed, want);
                assert!(report.mentions > 0);
            })
        });
        if all == 1 {
            break;
        }
    }
}

criterion_group!(
    benches,
    startup,
    model_load,
    stages,
    parquet_writing,
    analyze,
    run_end_to_end
);
criterion_main!(benches);
