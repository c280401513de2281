//! `RunReport`: what a run read, analysed, rejected and wrote, how long each
//! stage took, and which lexicon and model it used. Written as `run.json`,
//! printed as JSON on stdout with `--report json`, or as text on stderr.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, Default)]
pub struct FileReport {
    pub path: String,
    pub format: Option<crate::input::InputFormat>,
    pub encoding: Option<crate::input::Encoding>,
    pub rows_read: u64,
    pub rows_analysed: u64,
    pub rows_rejected: u64,
}

/// Milliseconds. Stage times are summed over threads, so with several
/// threads they add up to more than `wall`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Timings {
    pub startup: f64,
    pub read: f64,
    pub normalize: f64,
    pub segment: f64,
    pub clauses: f64,
    pub themes: f64,
    pub polarity: f64,
    pub sentiment: f64,
    /// The theme heads (themes the terms missed; about 0 with a model that
    /// has none, or at `--theme-threshold 1`) and turning every comment's
    /// hits into its mentions.
    pub theme_model: f64,
    /// The polarity head's second reading of every mention (0 with a
    /// model that has none, or with `--rule-polarity`).
    pub polarity_head: f64,
    pub write: f64,
    pub wall: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectSample {
    pub source_file: String,
    pub source_row: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct RunReport {
    pub voctag_version: String,
    pub schema_version: String,
    pub lexicon_version: String,
    pub model_version: String,
    pub arguments: Vec<String>,
    pub threads: usize,
    pub files: Vec<FileReport>,
    pub rows_read: u64,
    pub rows_analysed: u64,
    pub rows_rejected: u64,
    /// Analysed rows whose id was already seen earlier in the run.
    pub duplicate_ids: u64,
    pub mentions: u64,
    /// Term mentions left out because the model's theme heads were all but
    /// sure their comment is not about the theme (`--theme-veto`).
    pub mentions_vetoed: u64,
    /// Mentions written whose polarity the model's polarity head changed
    /// (`polarity_from` = `model`).
    pub mentions_overruled: u64,
    /// Mentions dropped because the polarity head gave them the reading of
    /// another mention of their theme and clause.
    pub mentions_merged: u64,
    pub outputs: Vec<String>,
    pub first_rejects: Vec<RejectSample>,
    pub timings_ms: Timings,
}

impl RunReport {
    /// 0 when every row was analysed, 1 when some were rejected.
    pub fn exit_code(&self) -> u8 {
        if self.rows_rejected > 0 {
            1
        } else {
            0
        }
    }

    pub fn to_text(&self) -> String {
        let mut s = format!(
            "voctag {}: {} rows read, {} analysed, {} rejected, {} mentions ({} vetoed, {} overruled, {} merged), {} duplicate ids ({:.1} s, {} threads)\n",
            self.voctag_version,
            self.rows_read,
            self.rows_analysed,
            self.rows_rejected,
            self.mentions,
            self.mentions_vetoed,
            self.mentions_overruled,
            self.mentions_merged,
            self.duplicate_ids,
            self.timings_ms.wall / 1000.0,
            self.threads
        );
        for f in &self.files {
            s.push_str(&format!(
                "  {}: {} read, {} analysed, {} rejected\n",
                f.path, f.rows_read, f.rows_analysed, f.rows_rejected
            ));
        }
        for r in &self.first_rejects {
            s.push_str(&format!(
                "  rejected {} row {}: {}\n",
                r.source_file, r.source_row, r.reason
            ));
        }
        if self.rows_rejected > self.first_rejects.len() as u64 {
            s.push_str("  (all rejects are in rejects.parquet)\n");
        }
        for o in &self.outputs {
            s.push_str(&format!("  wrote {o}\n"));
        }
        s
    }
}
