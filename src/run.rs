//! `voctag run`: probe every input, then stream it through the pipeline in
//! chunks and write the three Parquet files and `run.json`.
//!
//! With `--threads N` > 1, three threads overlap the work: a reader produces
//! chunks, the calling thread analyses each chunk on a rayon pool of N
//! threads (`par_iter` keeps the order), and a writer encodes the previous
//! chunk. Channels hold at most two chunks each, so memory is bounded by the
//! chunk size, not by the input. With `--threads 1` one thread reads,
//! analyses and writes each chunk in turn (ripgrep likewise picks `search`
//! or `search_parallel` by its thread count): a reader and a writer thread
//! would let a "1-thread" run use a second core. Chunk boundaries depend
//! only on the input, and both paths write the same chunks, so the Parquet
//! bytes do not depend on `--threads`.
//!
//! Everything is written into a temporary directory inside the output
//! directory and renamed into place at the very end, `run.json` last; a run
//! that fails removes its temporary files and leaves no complete-looking
//! output. Outputs of an earlier run in the same directory are removed before
//! the new run writes anything, so they cannot be mistaken for its results.

use crate::error::{Error, Result};
use crate::input::{self, FileChunk, FileInfo, InputOptions};
use crate::output::{self, ParquetSink, Versions};
use crate::pipeline::{Analysis, Pipeline, StageTimes};
use crate::report::{FileReport, RejectSample, RunReport, Timings};
use rayon::prelude::*;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::time::Instant;

pub const OUTPUT_FILES: [&str; 4] = [
    "comments.parquet",
    "mentions.parquet",
    "rejects.parquet",
    "run.json",
];

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub inputs: Vec<PathBuf>,
    pub out_dir: PathBuf,
    pub input: InputOptions,
    /// 0 = all cores.
    pub threads: usize,
    pub progress: bool,
    /// The command line, recorded in `run.json`.
    pub arguments: Vec<String>,
    /// Time spent building the pipeline, recorded in `run.json`.
    pub startup_ms: f64,
}

struct Analysed {
    chunk: FileChunk,
    analyses: Vec<Analysis>,
}

/// Probes every input; fails before any work when one cannot be used.
pub fn probe_all(opts: &RunOptions) -> Result<Vec<FileInfo>> {
    if opts.inputs.is_empty() {
        return Err(Error::Usage("no input files given".into()));
    }
    opts.inputs
        .iter()
        .map(|p| input::probe(p, &opts.input))
        .collect()
}

pub fn run(opts: &RunOptions, pipeline: &Pipeline) -> Result<RunReport> {
    let wall = Instant::now();
    let infos = probe_all(opts)?;
    let tmp = prepare_out_dir(&opts.out_dir)?;
    let result = run_into(opts, pipeline, &infos, &tmp, wall);
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

fn prepare_out_dir(out: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(out)
        .map_err(|e| Error::output(out, format!("cannot create the directory: {e}")))?;
    for name in OUTPUT_FILES {
        let stale = out.join(name);
        if stale.exists() {
            std::fs::remove_file(&stale).map_err(|e| {
                Error::output(
                    &stale,
                    format!("cannot remove the previous run's file: {e}"),
                )
            })?;
        }
    }
    let tmp = out.join(format!(".voctag-tmp-{}", std::process::id()));
    if tmp.exists() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    std::fs::create_dir(&tmp).map_err(|e| Error::output(out, format!("not writable: {e}")))?;
    Ok(tmp)
}

fn id_hash(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

fn run_into(
    opts: &RunOptions,
    pipeline: &Pipeline,
    infos: &[FileInfo],
    tmp: &Path,
    wall: Instant,
) -> Result<RunReport> {
    let lexicon = pipeline.lexicon();
    let versions = Versions {
        lexicon: lexicon.version.clone(),
        model: pipeline.model_version().to_string(),
    };
    let passthrough = input::unify_passthrough(infos);
    let comments_schema = output::comments_schema(&passthrough);
    let source_files: Vec<String> = infos.iter().map(|i| i.path.display().to_string()).collect();
    let mut comments_out = ParquetSink::create(
        &tmp.join(OUTPUT_FILES[0]),
        comments_schema.clone(),
        &versions,
    )?;
    let mut mentions_out = ParquetSink::create(
        &tmp.join(OUTPUT_FILES[1]),
        output::mentions_schema(),
        &versions,
    )?;
    let mut rejects_out = ParquetSink::create(
        &tmp.join(OUTPUT_FILES[2]),
        output::rejects_schema(),
        &versions,
    )?;

    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };

    let total_bytes: u64 = infos.iter().map(|i| i.size).sum();
    let bar = progress_bar(opts.progress, total_bytes);

    let mut tally = Tally {
        files: infos
            .iter()
            .map(|i| FileReport {
                path: i.path.display().to_string(),
                format: Some(i.format),
                encoding: i.encoding,
                ..Default::default()
            })
            .collect(),
        stage: StageTimes::default(),
        vetoed: 0,
        overruled: 0,
        merged: 0,
        read_ns: 0,
        ids: DuplicateIds::new(tmp),
        first_rejects: Vec::new(),
        base: 0,
        current_file: 0,
    };
    let mut writer = ChunkWriter {
        comments_out: &mut comments_out,
        mentions_out: &mut mentions_out,
        rejects_out: &mut rejects_out,
        passthrough: &passthrough,
        comments_schema: &comments_schema,
        source_files: &source_files,
        pipeline,
        versions: &versions,
        write_ns: 0,
        mentions: 0,
    };

    let streamed = if threads == 1 {
        run_sequential(infos, opts, pipeline, &mut tally, &mut writer, &bar)
    } else {
        run_parallel(
            infos,
            opts,
            pipeline,
            threads,
            &mut tally,
            &mut writer,
            &bar,
        )
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    streamed?;
    let (write_ns, mentions) = (writer.write_ns, writer.mentions);
    let Tally {
        files,
        stage,
        vetoed,
        overruled,
        merged,
        read_ns,
        ids,
        first_rejects,
        ..
    } = tally;

    comments_out.finish()?;
    mentions_out.finish()?;
    rejects_out.finish()?;

    let duplicate_ids = ids.count()?;
    let mut report = RunReport {
        voctag_version: env!("CARGO_PKG_VERSION").into(),
        schema_version: output::SCHEMA_VERSION.into(),
        lexicon_version: versions.lexicon.clone(),
        model_version: versions.model.clone(),
        arguments: opts.arguments.clone(),
        threads,
        rows_read: files.iter().map(|f| f.rows_read).sum(),
        rows_analysed: files.iter().map(|f| f.rows_analysed).sum(),
        rows_rejected: files.iter().map(|f| f.rows_rejected).sum(),
        files,
        duplicate_ids,
        mentions,
        mentions_vetoed: vetoed,
        mentions_overruled: overruled,
        mentions_merged: merged,
        outputs: OUTPUT_FILES
            .iter()
            .map(|n| opts.out_dir.join(n).display().to_string())
            .collect(),
        first_rejects,
        timings_ms: Timings {
            startup: opts.startup_ms,
            read: ms(read_ns),
            normalize: ms(stage.normalize),
            segment: ms(stage.segment),
            clauses: ms(stage.clauses),
            themes: ms(stage.themes),
            polarity: ms(stage.polarity),
            sentiment: ms(stage.sentiment),
            theme_model: ms(stage.theme_model),
            polarity_head: ms(stage.polarity_head),
            write: ms(write_ns),
            wall: 0.0,
        },
    };
    report.timings_ms.wall = wall.elapsed().as_secs_f64() * 1000.0;
    let json = serde_json::to_vec_pretty(&report).expect("the report serializes");
    let run_json = tmp.join(OUTPUT_FILES[3]);
    std::fs::write(&run_json, json).map_err(|e| Error::io(&run_json, e))?;
    for name in OUTPUT_FILES {
        let to = opts.out_dir.join(name);
        std::fs::rename(tmp.join(name), &to)
            .map_err(|e| Error::output(&to, format!("cannot move into place: {e}")))?;
    }
    let _ = std::fs::remove_dir(tmp);
    Ok(report)
}

/// What the analysing thread counts as chunks go by.
struct Tally {
    files: Vec<FileReport>,
    stage: StageTimes,
    /// Term mentions the theme heads vetoed.
    vetoed: u64,
    /// Mentions whose polarity the polarity head changed, and mentions it
    /// merged into another of their theme and clause.
    overruled: u64,
    merged: u64,
    read_ns: u64,
    ids: DuplicateIds,
    first_rejects: Vec<RejectSample>,
    /// Bytes of the files before the current one, for the progress bar.
    base: u64,
    current_file: usize,
}

impl Tally {
    fn add(
        &mut self,
        chunk: &FileChunk,
        analyses: &[Analysis],
        infos: &[FileInfo],
        source_files: &[String],
        bar: &Option<indicatif::ProgressBar>,
    ) -> Result<()> {
        for a in analyses {
            self.stage.add(&a.timings);
            self.vetoed += a.vetoed.len() as u64;
            self.overruled += a
                .mentions
                .iter()
                .filter(|m| m.from == crate::polarity::PolarityFrom::Model)
                .count() as u64;
            self.merged += a.merged as u64;
        }
        let file = chunk
            .comments
            .first()
            .map(|c| c.file)
            .or_else(|| chunk.rejects.first().map(|r| r.file))
            .unwrap_or(self.current_file);
        if file != self.current_file {
            self.base += infos[self.current_file..file]
                .iter()
                .map(|i| i.size)
                .sum::<u64>();
            self.current_file = file;
        }
        count_chunk(
            chunk,
            &mut self.files,
            &mut self.ids,
            &mut self.first_rejects,
            source_files,
        )?;
        if let Some(bar) = bar {
            bar.set_position(self.base + chunk.progress);
        }
        Ok(())
    }
}

/// Counts duplicate ids (rows whose id hash was seen before) in bounded
/// memory: hashes are kept in memory up to [`DuplicateIds::CAP`], then sorted
/// and spilled to a file in the run's temporary directory; at the end the
/// sorted runs are merged. (A Vec of every hash grew by 8 bytes a row, 77 MB
/// on a 2 GB export, against the promise that memory does not grow with the
/// input.) At [`DuplicateIds::MAX_RUNS`] runs they are merged into one, so
/// the number of open files stays bounded too.
struct DuplicateIds {
    dir: PathBuf,
    hashes: Vec<u64>,
    runs: Vec<PathBuf>,
    cap: usize,
    spilled: usize,
}

impl DuplicateIds {
    /// 8 MB of hashes.
    const CAP: usize = 1 << 20;
    const MAX_RUNS: usize = 64;

    fn new(dir: &Path) -> DuplicateIds {
        DuplicateIds::with_cap(dir, Self::CAP)
    }

    fn with_cap(dir: &Path, cap: usize) -> DuplicateIds {
        DuplicateIds {
            dir: dir.to_path_buf(),
            hashes: Vec::new(),
            runs: Vec::new(),
            cap: cap.max(1),
            spilled: 0,
        }
    }

    fn push(&mut self, hash: u64) -> Result<()> {
        self.hashes.push(hash);
        if self.hashes.len() >= self.cap {
            self.spill()?;
        }
        Ok(())
    }

    fn new_run(&mut self) -> Result<(PathBuf, RunWriter)> {
        let path = self.dir.join(format!("ids-{}.bin", self.spilled));
        self.spilled += 1;
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok((path, std::io::BufWriter::new(file)))
    }

    fn spill(&mut self) -> Result<()> {
        use std::io::Write;
        self.hashes.sort_unstable();
        let (path, mut out) = self.new_run()?;
        for h in &self.hashes {
            out.write_all(&h.to_le_bytes())
                .map_err(|e| Error::io(&path, e))?;
        }
        out.flush().map_err(|e| Error::io(&path, e))?;
        self.runs.push(path);
        self.hashes.clear();
        if self.runs.len() >= Self::MAX_RUNS {
            let (path, mut out) = self.new_run()?;
            merge_runs(&self.runs, |v| {
                out.write_all(&v.to_le_bytes())
                    .map_err(|e| Error::io(&path, e))
            })?;
            out.flush().map_err(|e| Error::io(&path, e))?;
            for run in self.runs.drain(..) {
                let _ = std::fs::remove_file(run);
            }
            self.runs.push(path);
        }
        Ok(())
    }

    /// Rows whose hash equals an earlier row's; removes the spilled runs.
    fn count(mut self) -> Result<u64> {
        if self.runs.is_empty() {
            self.hashes.sort_unstable();
            return Ok(self.hashes.windows(2).filter(|w| w[0] == w[1]).count() as u64);
        }
        if !self.hashes.is_empty() {
            self.spill()?;
        }
        let (mut duplicates, mut last) = (0u64, None);
        let result = merge_runs(&self.runs, |v| {
            if last == Some(v) {
                duplicates += 1;
            }
            last = Some(v);
            Ok(())
        });
        for run in &self.runs {
            let _ = std::fs::remove_file(run);
        }
        result.map(|()| duplicates)
    }
}

type RunWriter = std::io::BufWriter<std::fs::File>;

/// Merges sorted runs of little-endian u64s, handing each value in order to
/// `sink`.
fn merge_runs(runs: &[PathBuf], mut sink: impl FnMut(u64) -> Result<()>) -> Result<()> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    use std::io::{BufReader, Read};
    let next = |r: &mut BufReader<std::fs::File>, path: &Path| -> Result<Option<u64>> {
        let mut b = [0u8; 8];
        match r.read_exact(&mut b) {
            Ok(()) => Ok(Some(u64::from_le_bytes(b))),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(Error::io(path, e)),
        }
    };
    let mut readers = Vec::with_capacity(runs.len());
    let mut heap = BinaryHeap::new();
    for (i, path) in runs.iter().enumerate() {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut r = BufReader::with_capacity(16 * 1024, file);
        if let Some(v) = next(&mut r, path)? {
            heap.push(Reverse((v, i)));
        }
        readers.push(r);
    }
    while let Some(Reverse((v, i))) = heap.pop() {
        sink(v)?;
        if let Some(n) = next(&mut readers[i], &runs[i])? {
            heap.push(Reverse((n, i)));
        }
    }
    Ok(())
}

/// Encodes analysed chunks into the three Parquet files.
struct ChunkWriter<'a> {
    comments_out: &'a mut ParquetSink,
    mentions_out: &'a mut ParquetSink,
    rejects_out: &'a mut ParquetSink,
    passthrough: &'a arrow::datatypes::SchemaRef,
    comments_schema: &'a arrow::datatypes::SchemaRef,
    source_files: &'a [String],
    pipeline: &'a Pipeline,
    versions: &'a Versions,
    write_ns: u64,
    mentions: u64,
}

impl ChunkWriter<'_> {
    fn write(&mut self, Analysed { chunk, analyses }: Analysed) -> Result<()> {
        let clock = Instant::now();
        let columns = input::conform(&chunk.passthrough, self.passthrough)?;
        let (c, m) = output::chunk_batches(
            &chunk.comments,
            &analyses,
            columns,
            self.source_files,
            self.pipeline.lexicon(),
            self.versions,
            self.comments_schema,
        )?;
        self.mentions += m.num_rows() as u64;
        self.comments_out.write(&c)?;
        self.mentions_out.write(&m)?;
        if !chunk.rejects.is_empty() {
            self.rejects_out
                .write(&output::rejects_batch(&chunk.rejects, self.source_files)?)?;
        }
        self.write_ns += clock.elapsed().as_nanos() as u64;
        Ok(())
    }
}

/// `--threads 1`: read, analyse and write each chunk in turn on this thread.
fn run_sequential(
    infos: &[FileInfo],
    opts: &RunOptions,
    pipeline: &Pipeline,
    tally: &mut Tally,
    writer: &mut ChunkWriter,
    bar: &Option<indicatif::ProgressBar>,
) -> Result<()> {
    for (i, info) in infos.iter().enumerate() {
        let mut reader = input::open(info, i, &opts.input)?;
        loop {
            let clock = Instant::now();
            let Some(chunk) = reader.next_chunk()? else {
                break;
            };
            tally.read_ns += clock.elapsed().as_nanos() as u64;
            let analyses: Vec<Analysis> = chunk
                .comments
                .iter()
                .map(|c| pipeline.analyze(&c.text))
                .collect();
            tally.add(&chunk, &analyses, infos, writer.source_files, bar)?;
            writer.write(Analysed { chunk, analyses })?;
        }
    }
    Ok(())
}

/// `--threads N`, N > 1: a reader thread, rayon on N threads, a writer thread.
fn run_parallel(
    infos: &[FileInfo],
    opts: &RunOptions,
    pipeline: &Pipeline,
    threads: usize,
    tally: &mut Tally,
    writer: &mut ChunkWriter,
    bar: &Option<indicatif::ProgressBar>,
) -> Result<()> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?;
    let source_files = writer.source_files;
    let (read_tx, read_rx) = sync_channel::<Result<(FileChunk, u64)>>(2);
    let (write_tx, write_rx) = sync_channel::<Analysed>(2);

    let (reader_result, writer_result, analyse_result) = std::thread::scope(|scope| {
        let reader = scope.spawn(|| read_all(infos, &opts.input, read_tx));
        let writer = scope.spawn(move || -> Result<()> {
            for analysed in write_rx {
                writer.write(analysed)?;
            }
            Ok(())
        });
        let analyse = (|| -> Result<()> {
            for msg in read_rx {
                let (chunk, read_time) = msg?;
                tally.read_ns += read_time;
                let analyses: Vec<Analysis> = pool.install(|| {
                    chunk
                        .comments
                        .par_iter()
                        .map(|c| pipeline.analyze(&c.text))
                        .collect()
                });
                tally.add(&chunk, &analyses, infos, source_files, bar)?;
                if write_tx.send(Analysed { chunk, analyses }).is_err() {
                    break; // the writer failed; its error is reported below
                }
            }
            Ok(())
        })();
        drop(write_tx);
        let reader_result = reader.join().expect("the reader thread does not panic");
        let writer_result = writer.join().expect("the writer thread does not panic");
        (reader_result, writer_result, analyse)
    });
    analyse_result?;
    reader_result?;
    writer_result
}

fn count_chunk(
    chunk: &FileChunk,
    files: &mut [FileReport],
    ids: &mut DuplicateIds,
    first_rejects: &mut Vec<RejectSample>,
    source_files: &[String],
) -> Result<()> {
    for c in &chunk.comments {
        let f = &mut files[c.file];
        f.rows_read += 1;
        f.rows_analysed += 1;
        ids.push(id_hash(&c.id))?;
    }
    for r in &chunk.rejects {
        let f = &mut files[r.file];
        f.rows_read += 1;
        f.rows_rejected += 1;
        if first_rejects.len() < 20 {
            first_rejects.push(RejectSample {
                source_file: source_files[r.file].clone(),
                source_row: r.row,
                reason: r.reason.clone(),
            });
        }
    }
    Ok(())
}

fn read_all(
    infos: &[FileInfo],
    opts: &InputOptions,
    tx: SyncSender<Result<(FileChunk, u64)>>,
) -> Result<()> {
    for (i, info) in infos.iter().enumerate() {
        let mut reader = match input::open(info, i, opts) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.send(Err(e));
                return Ok(());
            }
        };
        loop {
            let clock = Instant::now();
            match reader.next_chunk() {
                Ok(Some(chunk)) => {
                    let ns = clock.elapsed().as_nanos() as u64;
                    if tx.send(Ok((chunk, ns))).is_err() {
                        return Ok(());
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

fn progress_bar(enabled: bool, total: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
        )
        .expect("the template is valid")
        .progress_chars("=> "),
    );
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_ids_are_counted_alike_in_memory_and_spilled() {
        let dir = tempfile::tempdir().unwrap();
        // 0..500 once, 0..100 a second time, 7 four more times: 104 duplicates.
        let hashes: Vec<u64> = (0..500u64)
            .chain(0..100)
            .chain([7, 7, 7, 7])
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        // cap 1 and 3 also go past MAX_RUNS and merge runs on the way.
        for cap in [1, 3, 64, 1 << 20] {
            let mut ids = DuplicateIds::with_cap(dir.path(), cap);
            for &h in &hashes {
                ids.push(h).unwrap();
            }
            assert_eq!(ids.count().unwrap(), 104, "cap {cap}");
            let left = std::fs::read_dir(dir.path()).unwrap().count();
            assert_eq!(left, 0, "cap {cap}: spilled runs are removed");
        }
    }
}
