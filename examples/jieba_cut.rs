//! The segmentation floor: raw jieba-rs `cut` over the `text` column of a
//! CSV, on a rayon pool of `--threads N` threads. `scripts/compare.sh` runs it
//! next to `voctag run` on the same file and thread count: voctag segments
//! with jieba-rs too, so it cannot be much faster than this.
//!
//! ```text
//! cargo run --release --example jieba_cut -- target/bench/corpus.csv --threads 2
//! ```
//!
//! Prints one JSON object on stdout. `secs` times only the cutting (the texts
//! are read into memory first, and jieba's dictionary is loaded before the
//! clock starts), so it is the strictest floor: no reading, no writing.
//! `total_secs` also counts reading the CSV and loading the dictionary.

use jieba_rs::Jieba;
use rayon::prelude::*;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut threads = 0usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--threads N")
            }
            _ => path = Some(a),
        }
    }
    let path = path.expect("usage: jieba_cut FILE.csv [--threads N]");
    let start = Instant::now();
    let mut reader = csv::Reader::from_path(&path).expect("the CSV opens");
    let text_col = reader
        .headers()
        .expect("the CSV has a header")
        .iter()
        .position(|h| h == "text")
        .expect("the CSV has a text column");
    let texts: Vec<String> = reader
        .records()
        .map(|r| r.expect("a valid CSV row")[text_col].to_string())
        .collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("the pool starts");
    let jieba = Jieba::new();
    let clock = Instant::now();
    let tokens: usize = pool.install(|| texts.par_iter().map(|t| jieba.cut(t, true).len()).sum());
    let secs = clock.elapsed().as_secs_f64();
    let total_secs = start.elapsed().as_secs_f64();
    assert!(tokens > texts.len(), "jieba cut every text");
    println!(
        "{{\"threads\":{},\"comments\":{},\"text_bytes\":{},\"tokens\":{},\"secs\":{:.4},\"total_secs\":{:.4},\"comments_per_s\":{:.1},\"mb_per_s\":{:.3}}}",
        pool.current_num_threads(),
        texts.len(),
        bytes,
        tokens,
        secs,
        total_secs,
        texts.len() as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
}
