//! `voctag lexicon check`: validate a user's lexicon directory the way
//! `voctag run --lexicons DIR` will load it, and list every problem.
//!
//! The directory is read on top of the bundled lexicons (unless
//! `--no-bundled-lexicons`), leniently: each problem is recorded with its
//! file, line and value and the bad entry skipped, so one pass shows them
//! all. Then every golden comment of the directory is run through the
//! pipeline built from what loaded, and each one that does not tag as its
//! `expect` says is an error too.
//!
//! Errors are what makes `voctag run` refuse the lexicons (bad TOML, unknown
//! fields, bad values, duplicate or conflicting terms, themes without terms)
//! or what shows they tag differently from what their author wrote (a failing
//! golden comment). Warnings load and run but are probably not meant: a
//! category outside THEMES.md's five, a one-character Chinese term, a
//! trailing `*` on a Chinese term, a new theme with no golden comment.

use super::{Golden, LexiconBuilder, Problem, Severity};
use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use crate::sentiment::Model;
use crate::Polarity;
use std::path::PathBuf;

/// What `voctag lexicon check` found.
#[derive(Debug)]
pub struct CheckReport {
    /// Sorted by file and line.
    pub problems: Vec<Problem>,
    /// Themes, theme terms and exclusions of the combined lexicon (bundled
    /// and the directories), as `voctag run` would load it.
    pub themes: usize,
    pub terms: usize,
    pub exclusions: usize,
    /// The literal strings terms and exclusions stand for, groups spelled out.
    pub forms: usize,
    /// Golden comments of the directories that were run.
    pub goldens: usize,
    pub bundled: bool,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == severity)
            .count()
    }

    /// 0 when there is no error (warnings allowed), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.errors() > 0)
    }

    /// The closing line for stderr.
    pub fn summary(&self) -> String {
        let scope = if self.bundled {
            "bundled + yours"
        } else {
            "yours only"
        };
        let totals = format!(
            "{} themes, {} terms, {} golden comments ({scope}); {} forms with groups spelled out",
            self.themes, self.terms, self.goldens, self.forms
        );
        match (self.errors(), self.warnings()) {
            (0, 0) => format!("lexicons ok: {totals}"),
            (0, w) => format!("lexicons ok with {w} warning(s): {totals}"),
            (e, w) => format!("lexicon check failed: {e} error(s), {w} warning(s); {totals}"),
        }
    }
}

/// Checks `dirs` (in order, on top of the bundled lexicons when `bundled`),
/// their golden comments run through a pipeline with `model`.
/// Fails only when a directory cannot be listed at all (a usage error);
/// everything wrong inside the files is a [`Problem`] of the report.
pub fn check(dirs: &[PathBuf], bundled: bool, model: Model) -> Result<CheckReport> {
    if dirs.is_empty() {
        return Err(Error::Usage("lexicon check needs a directory".into()));
    }
    for dir in dirs {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "{}: not a directory (give the directory you pass to --lexicons)",
                dir.display()
            )));
        }
    }
    let mut builder = LexiconBuilder::new();
    if bundled {
        builder = builder.with_bundled()?;
    }
    for dir in dirs {
        builder.read_dir(dir)?;
    }
    let (lexicon, mut problems) = builder.finish();
    if bundled {
        problems.extend(copies_of_bundled(dirs));
    }
    let mut report = CheckReport {
        problems: Vec::new(),
        themes: 0,
        terms: 0,
        exclusions: 0,
        forms: 0,
        goldens: 0,
        bundled,
    };
    if let Some(lexicon) = lexicon {
        report.themes = lexicon.themes.len();
        report.terms = lexicon.terms.iter().flatten().count();
        report.exclusions = lexicon.terms.len() - report.terms;
        report.forms = lexicon.term_forms;
        // The bundled golden comments are `cargo test`'s business; a
        // directory's own are checked here. (Those naming an unknown theme
        // were dropped, with an error, by `finish`.)
        let own: Vec<Golden> = lexicon
            .goldens
            .iter()
            .filter(|g| !g.file.starts_with("<bundled>/"))
            .cloned()
            .collect();
        report.goldens = own.len();
        // The model's sentiment does not change a golden's verdict, but
        // its theme heads may veto a term there, which `run` would do too.
        let pipeline = Pipeline::new(lexicon, model);
        problems.extend(failing_goldens(&pipeline, &own));
    }
    problems.sort_by(|a, b| {
        (a.file.as_str(), a.line, a.severity).cmp(&(b.file.as_str(), b.line, b.severity))
    });
    report.problems = problems;
    Ok(report)
}

/// A warning for each file that is a verbatim copy of a bundled one: checked
/// on top of the bundled lexicons, every term of it is a duplicate, and the
/// fix is `--no-bundled-lexicons`, not editing hundreds of lines.
fn copies_of_bundled(dirs: &[PathBuf]) -> Vec<Problem> {
    let mut files = Vec::new();
    for dir in dirs {
        // Unreadable directories were reported by `read_dir` already.
        let _ = super::walk_toml(dir, &mut files);
    }
    files.sort();
    let mut problems = Vec::new();
    for path in files {
        let Ok(content) = std::fs::read_to_string(&path) else {
            continue;
        };
        if let Some((name, _)) = super::bundled::BUNDLED_LEXICONS
            .iter()
            .find(|(_, bundled)| *bundled == content)
        {
            problems.push(Problem {
                file: path.display().to_string(),
                line: 0,
                severity: Severity::Warning,
                message: format!(
                    "same as the bundled {name}, so all its entries are duplicates; to check a full copy of the lexicons, pass --no-bundled-lexicons"
                ),
                value: String::new(),
            });
        }
    }
    problems
}

/// One error for each golden comment whose mentions differ from its `expect`.
/// Golden comments test the lexicons and rules, so what the theme model
/// adds (`rule` = `model`) is left out, and what it vetoes counts: a veto
/// is a warning instead, since `run` would drop those mentions.
pub fn failing_goldens(pipeline: &Pipeline, goldens: &[Golden]) -> Vec<Problem> {
    let lexicon = pipeline.lexicon();
    let mut problems = Vec::new();
    for golden in goldens {
        let analysis = pipeline.analyze(&golden.text);
        if !analysis.vetoed.is_empty() {
            let themes: Vec<&str> = analysis
                .vetoed
                .iter()
                .map(|m| lexicon.themes[m.theme].id.as_str())
                .collect();
            problems.push(Problem {
                file: golden.file.clone(),
                line: golden.line,
                severity: Severity::Warning,
                message: format!(
                    "the model's theme heads veto {} here, so `run` drops it on comments like this one: retrain the model with these lexicons (`voctag train`, which learns from the golden comments) or run with --theme-veto 0",
                    themes.join(", ")
                ),
                value: golden.text.clone(),
            });
        }
        let mut got: Vec<(String, Polarity, String)> = analysis
            .mentions
            .iter()
            .chain(&analysis.vetoed)
            .filter(|m| m.term.is_some())
            .map(|m| {
                let rule = m
                    .term
                    .and_then(|t| lexicon.terms[t].as_ref())
                    .map_or(String::new(), |t| t.rule.clone());
                (
                    lexicon.themes[m.theme].id.clone(),
                    m.lexicon_polarity(),
                    rule,
                )
            })
            .collect();
        got.sort();
        got.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        let mut want = golden.expect.clone();
        want.sort();
        want.dedup();
        let got_pairs: Vec<(String, Polarity)> =
            got.iter().map(|(t, p, _)| (t.clone(), *p)).collect();
        if got_pairs != want {
            let show = |items: Vec<String>| format!("[{}]", items.join(", "));
            let expected = show(
                want.iter()
                    .map(|(t, p)| format!("{t}:{}", p.as_str()))
                    .collect(),
            );
            let got = show(
                got.iter()
                    .map(|(t, p, rule)| format!("{t}:{} ({rule})", p.as_str()))
                    .collect(),
            );
            problems.push(Problem {
                file: golden.file.clone(),
                line: golden.line,
                severity: Severity::Error,
                message: format!("golden comment fails: expected {expected}, got {got}"),
                value: golden.text.clone(),
            });
        }
    }
    problems
}
