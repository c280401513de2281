//! Lexicons: the theme terms (`themes/*.toml`) and sentiment cues
//! (`cues.toml`) that the tagger matches, loaded once and then shared by `&`.
//!
//! The bundled lexicons are compiled into the binary (see `build.rs`); a
//! user's own directory extends them: a theme file with a known id adds terms,
//! exclusions and golden comments to that theme, a new id adds a theme, and a
//! `cues*.toml` file adds cue words. The format is in `lexicons/FORMAT.md`.

pub mod check;
pub mod matcher;
pub mod pattern;
mod source;

use crate::error::{Error, Result};
use crate::Polarity;
use matcher::Matcher;
use pattern::Pattern;
pub use pattern::NUMBER_FORMS;
use sha2::{Digest, Sha256};
use source::{CuesSource, Located, Reader, ThemeSource};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled_lexicons.rs"));
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThemeInfo {
    pub id: String,
    pub category: String,
    pub label_en: String,
    pub label_zh: String,
    /// Themes that a mention from one of this theme's `yields` terms gives
    /// way to when its sentence has a mention of them (indices into
    /// `Lexicon::themes`).
    pub yield_to: Vec<usize>,
}

/// A theme term: what a match of its pattern means.
#[derive(Debug, Clone)]
pub struct Term {
    pub theme: usize,
    pub polarity: Option<Polarity>,
    /// `theme_id/term` as written, shown in the output's `rule` column.
    pub rule: String,
    /// The term names no aspect of its own (a wait, "等了三天"; a queue; a
    /// canned answer, 只会说): its mention gives way to a mention of one of
    /// its theme's `yield_to` themes in the same sentence, which says what
    /// the wait (or queue, or answer) was about.
    pub yields: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CueKind {
    /// A sentiment word with its signed weight (negative < 0 < positive).
    Sentiment(f32),
    Negator,
    /// Scales the next sentiment cue.
    Degree(f32),
    Contrast,
    /// Marks a question as rhetorical (难道, 凭什么, "how hard is it").
    Rhetorical,
    /// Matches like a cue and means nothing: hides cues inside other words.
    Block,
}

#[derive(Debug, Clone)]
pub struct Golden {
    pub file: String,
    pub line: usize,
    pub text: String,
    pub expect: Vec<(String, Polarity)>,
}

#[derive(Debug)]
pub struct Lexicon {
    pub themes: Vec<ThemeInfo>,
    /// How many literal strings the terms and exclusions stand for once
    /// their `{a|b}` groups are spelled out.
    pub term_forms: usize,
    /// Indexed like the patterns of `term_matcher`; `None` is an exclusion.
    pub terms: Vec<Option<Term>>,
    pub term_matcher: Matcher,
    /// Indexed like the patterns of `cue_matcher`.
    pub cue_kinds: Vec<CueKind>,
    pub cue_matcher: Matcher,
    pub negation_window: usize,
    pub goldens: Vec<Golden>,
    /// Content hash of every source file, in load order.
    pub version: String,
}

pub const STRONG_DEGREE: f32 = 1.5;
pub const WEAK_DEGREE: f32 = 0.6;
const DEFAULT_NEGATION_WINDOW: usize = 3;

/// Where a pattern was defined, for error messages.
#[derive(Clone)]
struct Origin {
    file: String,
    line: usize,
}

/// One theme term or exclusion as loaded: what it means and where it was written.
struct Entry {
    /// `None` is an exclusion.
    term: Option<Term>,
    pattern: Pattern,
    written: String,
    origin: Origin,
}

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The lexicon cannot be loaded as written, or a golden comment fails:
    /// `voctag run` refuses it (or would tag differently from what it says).
    Error,
    /// Loads and runs, but is probably not what was meant.
    Warning,
}

/// One problem of a lexicon file: where, what, and the offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based; 0 when the problem is about the file or directory as a whole.
    pub line: usize,
    pub severity: Severity,
    pub message: String,
    pub value: String,
}

impl std::fmt::Display for Problem {
    /// `file:line: error: message: value`, the shape compilers use, so that
    /// editors can jump to it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {severity}: {}", self.message)?;
        if !self.value.is_empty() {
            write!(f, ": {}", self.value)?;
        }
        Ok(())
    }
}

impl Problem {
    fn into_error(self) -> Error {
        let reason = if self.value.is_empty() {
            self.message
        } else {
            format!("{}: {}", self.message, self.value)
        };
        Error::Lexicon {
            path: self.file,
            line: self.line,
            reason,
        }
    }
}

/// The categories of THEMES.md. A new theme may use another one (a company's
/// own code frame), but a typo there is more likely, so it is a warning.
pub const KNOWN_CATEGORIES: &[&str] =
    &["service", "process", "product", "logistics", "environment"];

/// Collects lexicon files, then builds the matchers once.
///
/// Reading never stops at the first problem: every problem of every file is
/// recorded (see [`LexiconBuilder::problems`]) and the bad entry skipped.
/// The strict entry points (`add_source`, `with_dir`, `build`) turn the first
/// error into an [`Error::Lexicon`]; `voctag lexicon check` reads leniently
/// and lists them all.
#[derive(Default)]
pub struct LexiconBuilder {
    themes: Vec<ThemeInfo>,
    /// Per theme: the file and line that defined it.
    theme_origins: Vec<Origin>,
    /// Per theme: term entries written for it, valid or not.
    declared_terms: Vec<usize>,
    /// Per theme: golden comments written in its files.
    golden_counts: Vec<usize>,
    /// Per theme: the `yield_to` entries of its files, resolved in `finish`
    /// (a theme may name one defined in a later file).
    yield_to: Vec<Vec<(Located<String>, String)>>,
    /// Terms and exclusions in the order they were read.
    terms: Vec<Entry>,
    /// Hash of every form of every entry → the entry (see [`form_hash`]).
    forms: HashMap<u64, usize>,
    cues: BTreeMap<String, (CueKind, bool, Origin)>,
    negation_window: Option<usize>,
    goldens: Vec<Golden>,
    /// Line of each expectation of `goldens`, for unknown-theme messages.
    golden_expect_lines: Vec<Vec<usize>>,
    problems: Vec<Problem>,
    hasher: Sha256,
}

impl LexiconBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The lexicons compiled into the binary.
    pub fn with_bundled(mut self) -> Result<Self> {
        for (name, content) in bundled::BUNDLED_LEXICONS {
            self.add_source(&format!("<bundled>/{name}"), content)?;
        }
        Ok(self)
    }

    /// Every `*.toml` below `dir`, in sorted path order; stops at the first error.
    pub fn with_dir(mut self, dir: &Path) -> Result<Self> {
        let before = self.problems.len();
        self.read_dir(dir)?;
        first_error(&self.problems[before..])?;
        Ok(self)
    }

    /// Every `*.toml` below `dir`, in sorted path order, recording every
    /// problem. Fails only when `dir` itself cannot be listed.
    pub fn read_dir(&mut self, dir: &Path) -> Result<()> {
        let mut files = Vec::new();
        walk_toml(dir, &mut files).map_err(|e| Error::io(dir, e))?;
        if files.is_empty() {
            self.problems.push(Problem {
                file: dir.display().to_string(),
                line: 0,
                severity: Severity::Error,
                message: "no .toml lexicon files found in this directory".into(),
                value: String::new(),
            });
        }
        files.sort();
        for path in files {
            match std::fs::read_to_string(&path) {
                Ok(content) => self.read_source(&path.display().to_string(), &content),
                Err(e) => self.problems.push(Problem {
                    file: path.display().to_string(),
                    line: 0,
                    severity: Severity::Error,
                    message: "cannot read the file".into(),
                    value: e.to_string(),
                }),
            }
        }
        Ok(())
    }

    /// Adds one file; fails on its first error.
    pub fn add_source(&mut self, name: &str, content: &str) -> Result<()> {
        let before = self.problems.len();
        self.read_source(name, content);
        first_error(&self.problems[before..])
    }

    /// Adds one file, recording its problems and skipping the bad entries.
    pub fn read_source(&mut self, name: &str, content: &str) {
        self.hasher
            .update(name.rsplit('/').next().unwrap_or(name).as_bytes());
        self.hasher.update([0]);
        self.hasher.update(content.as_bytes());
        self.hasher.update([0]);
        let file_name = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let mut reader = Reader::new(name, content);
        if file_name.starts_with("cues") {
            if let Some(cues) = reader.cues() {
                self.add_cues(&mut reader, name, cues);
            }
        } else if let Some(theme) = reader.theme() {
            self.add_theme(&mut reader, name, theme);
        }
        self.problems.append(&mut reader.problems);
    }

    /// Every problem recorded so far, in the order found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    fn add_theme(&mut self, r: &mut Reader, name: &str, file: ThemeSource) {
        let id = file.id;
        if !is_theme_id(&id.value) {
            r.error(id.line, "theme id must be snake_case ascii", id.value);
            return;
        }
        let theme = match self.themes.iter().position(|t| t.id == id.value) {
            Some(i) => {
                let known = self.themes[i].clone();
                let defined = &self.theme_origins[i];
                for (field, value, existing) in [
                    ("category", &file.category, &known.category),
                    ("label_en", &file.label_en, &known.label_en),
                    ("label_zh", &file.label_zh, &known.label_zh),
                ] {
                    if let Some(v) = value {
                        if &v.value != existing {
                            r.error(
                                v.line,
                                format!(
                                    "{field} conflicts with {existing:?} of theme {} ({}:{})",
                                    id.value, defined.file, defined.line
                                ),
                                v.value.clone(),
                            );
                        }
                    }
                }
                i
            }
            None => {
                let (Some(category), Some(label_en), Some(label_zh)) =
                    (file.category, file.label_en, file.label_zh)
                else {
                    r.error(
                        id.line,
                        "new theme needs category, label_en and label_zh",
                        id.value,
                    );
                    return;
                };
                if !is_theme_id(&category.value) {
                    r.error(
                        category.line,
                        "bad category (snake_case ascii, e.g. service)",
                        category.value.clone(),
                    );
                } else if !KNOWN_CATEGORIES.contains(&category.value.as_str()) {
                    r.warn(
                        category.line,
                        format!(
                            "category is not one of {} (fine for your own code frame; check the spelling)",
                            KNOWN_CATEGORIES.join(", ")
                        ),
                        category.value.clone(),
                    );
                }
                for label in [&label_en, &label_zh] {
                    if label.value.trim().is_empty() {
                        r.error(label.line, "empty label", "");
                    }
                }
                self.themes.push(ThemeInfo {
                    id: id.value.clone(),
                    category: category.value,
                    label_en: label_en.value,
                    label_zh: label_zh.value,
                    yield_to: Vec::new(),
                });
                self.theme_origins.push(Origin {
                    file: name.to_string(),
                    line: id.line,
                });
                self.declared_terms.push(0);
                self.golden_counts.push(0);
                self.yield_to.push(Vec::new());
                self.themes.len() - 1
            }
        };
        self.declared_terms[theme] += file.declared_terms;
        self.golden_counts[theme] += file.golden.len();
        let yield_to = file.yield_to.into_iter().map(|y| (y, name.to_string()));
        self.yield_to[theme].extend(yield_to);
        for entry in file.terms {
            let term = Term {
                theme,
                polarity: entry.polarity,
                rule: format!("{}/{}", id.value, entry.term.value.trim()),
                yields: entry.yields,
            };
            self.insert_term(r, name, entry.term, Some(term));
        }
        for raw in file.exclude {
            self.insert_term(r, name, raw, None);
        }
        for golden in file.golden {
            let (expect, lines) = golden.expect.into_iter().map(|e| (e.value, e.line)).unzip();
            self.goldens.push(Golden {
                file: name.to_string(),
                line: golden.text.line,
                text: golden.text.value,
                expect,
            });
            self.golden_expect_lines.push(lines);
        }
    }

    /// Records a term or exclusion; its forms are walked once, for the
    /// warnings and for duplicates and conflicts with earlier entries, each
    /// reported once per entry. A form repeated within one entry (`{a|a}`)
    /// is no conflict.
    fn insert_term(
        &mut self,
        r: &mut Reader,
        name: &str,
        raw: Located<String>,
        term: Option<Term>,
    ) {
        let pattern = match Pattern::parse(&raw.value) {
            Ok(p) => p,
            Err(message) => {
                r.error(raw.line, message, raw.value);
                return;
            }
        };
        let what = if term.is_some() { "term" } else { "exclusion" };
        if pattern.text.is_empty() {
            r.error(raw.line, format!("empty {what}"), raw.value);
            return;
        }
        let index = self.terms.len();
        let (mut star_after_han, mut one_han_char) = (false, false);
        let mut clash: Option<(usize, String)> = None;
        let forms = &mut self.forms;
        let entries = &self.terms;
        pattern.for_each_form(&mut |form| {
            star_after_han |= form
                .chars()
                .next_back()
                .is_some_and(|c| !matcher::is_word_char(c));
            one_han_char |= form.chars().count() == 1 && form.chars().all(crate::segment::is_han);
            match forms.entry(form_hash(form)) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(index);
                }
                std::collections::hash_map::Entry::Occupied(o) => {
                    let first = *o.get();
                    // A hash is not proof: confirm on the earlier entry's forms.
                    if first != index && clash.is_none() && has_form(&entries[first].pattern, form)
                    {
                        clash = Some((first, form.to_string()));
                    }
                }
            }
        });
        if pattern.prefix && star_after_han {
            r.warn(
                raw.line,
                "a trailing * only matters after a Latin letter or digit (Chinese terms already match inside words)",
                raw.value.clone(),
            );
        }
        if term.is_some() && one_han_char {
            r.warn(
                raw.line,
                "a one-character Chinese term fires inside many unrelated words",
                raw.value.clone(),
            );
        }
        if let Some((first, form)) = clash {
            let first = &self.terms[first];
            let at = format!("{}:{}", first.origin.file, first.origin.line);
            let theme_of = |t: &Term| self.themes[t.theme].id.clone();
            let message = match (&first.term, &term) {
                (Some(a), Some(b)) if a.theme != b.theme => format!(
                    "conflicting term: already a term of {} ({at}), here a term of {}",
                    theme_of(a),
                    theme_of(b)
                ),
                (Some(a), Some(b)) if a.polarity != b.polarity => format!(
                    "conflicting polarity: already a term of {} with polarity {} ({at}), here {}",
                    theme_of(a),
                    polarity_name(a.polarity),
                    polarity_name(b.polarity)
                ),
                (Some(a), Some(_)) => {
                    format!("duplicate term: already a term of {} ({at})", theme_of(a))
                }
                (Some(a), None) => format!(
                    "conflicting exclusion: already a term of {} ({at}); an exclusion would hide it",
                    theme_of(a)
                ),
                (None, Some(_)) => format!(
                    "conflicting term: already an exclusion ({at}), which hides it everywhere"
                ),
                (None, None) => format!("duplicate exclusion: already excluded ({at})"),
            };
            let value = if first.written.trim() == raw.value.trim() {
                raw.value.clone()
            } else if pattern.has_groups() || first.pattern.has_groups() {
                format!("{} (both stand for \"{form}\")", raw.value)
            } else {
                format!("{} (same as {} once normalized)", raw.value, first.written)
            };
            // Kept all the same, as its other forms are fine: the build fails
            // on the error, and `lexicon check` still runs the goldens with it.
            r.error(raw.line, message, value);
        }
        self.terms.push(Entry {
            term,
            pattern,
            written: raw.value,
            origin: Origin {
                file: name.to_string(),
                line: raw.line,
            },
        });
    }

    fn add_cues(&mut self, r: &mut Reader, name: &str, file: CuesSource) {
        if let Some(w) = file.negation_window {
            self.negation_window = Some(w);
        }
        for (kind, words) in file.groups {
            for raw in words {
                let pattern = match Pattern::parse(&raw.value) {
                    Ok(p) if !p.has_groups() => p,
                    _ => {
                        r.error(raw.line, "a cue has no {a|b} groups", raw.value);
                        continue;
                    }
                };
                if pattern.text.is_empty() {
                    r.error(raw.line, "empty cue", raw.value);
                    continue;
                }
                if let Some((_, _, first)) = self.cues.get(&pattern.text) {
                    r.error(
                        raw.line,
                        format!(
                            "duplicate cue: already defined at {}:{}",
                            first.file, first.line
                        ),
                        raw.value,
                    );
                    continue;
                }
                let origin = Origin {
                    file: name.to_string(),
                    line: raw.line,
                };
                self.cues
                    .insert(pattern.text, (kind, pattern.prefix, origin));
            }
        }
    }

    /// Checks what only the whole set of files can tell (themes without
    /// terms, golden comments naming unknown themes), then builds. The
    /// lexicon is `None` only when no theme could be loaded at all.
    pub fn finish(mut self) -> (Option<Lexicon>, Vec<Problem>) {
        for (i, theme) in self.themes.iter().enumerate() {
            let origin = &self.theme_origins[i];
            if self.declared_terms[i] == 0 {
                self.problems.push(Problem {
                    file: origin.file.clone(),
                    line: origin.line,
                    severity: Severity::Error,
                    message: "theme has no terms".into(),
                    value: theme.id.clone(),
                });
            } else if self.golden_counts[i] == 0 {
                self.problems.push(Problem {
                    file: origin.file.clone(),
                    line: origin.line,
                    severity: Severity::Warning,
                    message: "theme has no golden comments: nothing tests its terms".into(),
                    value: theme.id.clone(),
                });
            }
        }
        self.resolve_yield_to();
        let mut kept = Vec::with_capacity(self.goldens.len());
        for (golden, lines) in std::mem::take(&mut self.goldens)
            .into_iter()
            .zip(&self.golden_expect_lines)
        {
            let mut ok = true;
            for ((theme, _), line) in golden.expect.iter().zip(lines) {
                if !self.themes.iter().any(|t| &t.id == theme) {
                    ok = false;
                    self.problems.push(Problem {
                        file: golden.file.clone(),
                        line: *line,
                        severity: Severity::Error,
                        message: "golden comment expects an unknown theme".into(),
                        value: theme.clone(),
                    });
                }
            }
            if ok {
                kept.push(golden);
            }
        }
        // By place, so a file reads top to bottom (the sort is stable).
        self.problems
            .sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
        if self.themes.is_empty() {
            self.problems.push(Problem {
                file: "<lexicons>".into(),
                line: 0,
                severity: Severity::Error,
                message: "no themes loaded".into(),
                value: String::new(),
            });
            return (None, self.problems);
        }
        let term_forms = self.forms.len();
        let mut term_patterns = Vec::with_capacity(self.terms.len());
        let mut terms = Vec::with_capacity(self.terms.len());
        for entry in self.terms {
            term_patterns.push(entry.pattern);
            terms.push(entry.term);
        }
        let mut cue_patterns = Vec::with_capacity(self.cues.len());
        let mut cue_kinds = Vec::with_capacity(self.cues.len());
        for (text, (kind, prefix, _)) in self.cues {
            cue_patterns.push(Pattern::literal(text, prefix));
            cue_kinds.push(kind);
        }
        let digest = self.hasher.finalize();
        // Compiling the term automaton is the largest part of start-up; the
        // cue automaton compiles beside it.
        let (term_matcher, cue_matcher) = std::thread::scope(|s| {
            let cues = s.spawn(|| Matcher::new(cue_patterns));
            let terms = Matcher::new(term_patterns);
            (
                terms,
                cues.join()
                    .expect("compiling the cue matcher does not panic"),
            )
        });
        let lexicon = Lexicon {
            themes: self.themes,
            term_forms,
            terms,
            term_matcher,
            cue_kinds,
            cue_matcher,
            negation_window: self.negation_window.unwrap_or(DEFAULT_NEGATION_WINDOW),
            goldens: kept,
            version: format!("lex-{}", hex(&digest[..8])),
        };
        (Some(lexicon), self.problems)
    }

    /// Turns each theme's `yield_to` ids into theme indices, recording the
    /// ones that name no theme or the theme itself, and `yields` terms
    /// whose theme gives way to nothing.
    fn resolve_yield_to(&mut self) {
        for theme in 0..self.themes.len() {
            let mut resolved = Vec::new();
            for (target, file) in std::mem::take(&mut self.yield_to[theme]) {
                let found = self.themes.iter().position(|t| t.id == target.value);
                let message = match found {
                    Some(i) if i == theme => "yield_to names the theme itself",
                    Some(i) => {
                        if !resolved.contains(&i) {
                            resolved.push(i);
                        }
                        continue;
                    }
                    None => "yield_to names an unknown theme",
                };
                self.problems.push(Problem {
                    file,
                    line: target.line,
                    severity: Severity::Error,
                    message: message.into(),
                    value: target.value,
                });
            }
            // Only a theme that gives way to nothing needs its terms searched.
            let first_yielding = || {
                self.terms.iter().find(|e| {
                    e.term
                        .as_ref()
                        .is_some_and(|t| t.theme == theme && t.yields)
                })
            };
            if let Some(Entry { origin, .. }) = resolved.is_empty().then(first_yielding).flatten() {
                self.problems.push(Problem {
                    file: origin.file.clone(),
                    line: origin.line,
                    severity: Severity::Error,
                    message: "a yields term, but its theme has no yield_to themes to give way to"
                        .into(),
                    value: self.themes[theme].id.clone(),
                });
            }
            self.themes[theme].yield_to = resolved;
        }
    }

    /// Builds the lexicon; fails on the first error recorded at any point.
    pub fn build(self) -> Result<Lexicon> {
        let (lexicon, problems) = self.finish();
        first_error(&problems)?;
        Ok(lexicon.expect("finish builds a lexicon whenever it records no error"))
    }
}

/// A form's hash, for finding duplicates among hundreds of thousands of
/// forms without storing them. SipHash with fixed keys: the same on every run.
fn form_hash(form: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    #[allow(deprecated)] // SipHasher: fixed keys are what is wanted here
    let mut h = std::hash::SipHasher::new();
    form.hash(&mut h);
    h.finish()
}

fn has_form(pattern: &Pattern, wanted: &str) -> bool {
    let mut found = false;
    pattern.for_each_form(&mut |form| found |= form == wanted);
    found
}

fn first_error(problems: &[Problem]) -> Result<()> {
    match problems.iter().find(|p| p.severity == Severity::Error) {
        Some(p) => Err(p.clone().into_error()),
        None => Ok(()),
    }
}

fn polarity_name(p: Option<Polarity>) -> &'static str {
    p.map_or("from the clause", Polarity::as_str)
}

impl Lexicon {
    pub fn bundled() -> Result<Lexicon> {
        LexiconBuilder::new().with_bundled()?.build()
    }

    /// Bundled lexicons extended by `dirs`, or only `dirs` when `bundled` is false.
    pub fn load(dirs: &[std::path::PathBuf], bundled: bool) -> Result<Lexicon> {
        let mut builder = LexiconBuilder::new();
        if bundled {
            builder = builder.with_bundled()?;
        }
        for dir in dirs {
            builder = builder.with_dir(dir)?;
        }
        builder.build()
    }

    pub fn theme_index(&self, id: &str) -> Option<usize> {
        self.themes.iter().position(|t| t.id == id)
    }

    /// Chinese terms and cues of word length (2 to [`MAX_DICTIONARY_WORD`]
    /// characters), for the segmenter's dictionary. Longer terms are phrases
    /// (每次都是不同的客服), and so is every form of a term written with
    /// `{a|b}` groups, whatever its length (转接了{n}次 → 转接了三次): the
    /// matcher finds them in the text anyway, as one token they would hide
    /// their words (转接) from negation and the sentiment features, and the
    /// tens of thousands of them would double jieba's start-up.
    pub fn han_words(&self) -> impl Iterator<Item = &str> {
        self.term_matcher
            .patterns()
            .iter()
            .filter(|pattern| !pattern.has_groups())
            .chain(self.cue_matcher.patterns())
            .map(|p| p.text.as_str())
            .filter(|w| {
                (2..=MAX_DICTIONARY_WORD).contains(&w.chars().count())
                    && w.chars().all(crate::segment::is_han)
            })
    }
}

/// The longest lexicon term, in characters, that joins jieba's dictionary.
pub const MAX_DICTIONARY_WORD: usize = 5;

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_theme_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn walk_toml(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk_toml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const THEME: &str = r#"
id = "transfers"
category = "service"
label_en = "transfers"
label_zh = "多次转接"
terms = [
  { term = "转接" },
  { term = "转来转去", polarity = "negative" },
]
exclude = ["转接头"]
"#;

    /// THEME with more term entries after 转接, each written as in TOML.
    fn theme_with_terms(entries: &[&str]) -> String {
        let mut extra = String::from("{ term = \"转接\" },");
        for e in entries {
            extra.push_str("\n  ");
            extra.push_str(e);
        }
        THEME.replace("{ term = \"转接\" },", &extra)
    }

    fn build(text: &str) -> Lexicon {
        let mut b = LexiconBuilder::new();
        b.add_source("t.toml", text).unwrap();
        b.build().unwrap()
    }

    #[test]
    fn the_bundled_lexicons_load() {
        let lex = Lexicon::bundled().expect("bundled lexicons are valid");
        assert!(lex.themes.len() >= 18, "{} themes", lex.themes.len());
        assert!(lex.version.starts_with("lex-"));
    }

    #[test]
    fn unknown_fields_are_named_with_their_line() {
        let mut b = LexiconBuilder::new();
        let bad = THEME.replace("polarity = \"negative\"", "polarty = \"negative\"");
        let err = b.add_source("t.toml", &bad).unwrap_err().to_string();
        assert!(err.contains("t.toml: line 8"), "{err}");
        assert!(err.contains("polarty"), "{err}");
    }

    #[test]
    fn a_term_in_two_themes_is_an_error() {
        let mut b = LexiconBuilder::new();
        b.add_source("a.toml", THEME).unwrap();
        let other = THEME.replace("\"transfers\"", "\"resolution\"");
        let err = b.add_source("b.toml", &other).unwrap_err().to_string();
        assert!(
            err.contains("conflicting term: already a term of transfers (a.toml:7)"),
            "{err}"
        );
    }

    fn problems_of(files: &[(&str, &str)]) -> Vec<String> {
        let mut b = LexiconBuilder::new();
        for (name, content) in files {
            b.read_source(name, content);
        }
        let (_, problems) = b.finish();
        problems.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn every_problem_of_a_file_is_recorded_with_its_own_line() {
        let bad = THEME
            .replace(
                "{ term = \"转接\" }",
                "{ term = \"转接\", polarty = \"negative\" }",
            )
            .replace("label_zh", "lable_zh = \"x\"\nlabel_zh")
            + "extra = 1\n";
        let bad = bad.replace(
            "{ term = \"转来转去\", polarity = \"negative\" },",
            "{ term = \"转来转去\", polarity = \"negative\" },\n  { term = \"转来转去\", polarity = \"positive\" },\n  { term = \"踢皮球\", polarity = \"bad\" },",
        );
        let got = problems_of(&[("t.toml", &bad)]);
        let want = [
            "t.toml:5: error: unknown field (expected id, category, label_en, label_zh, terms, exclude, yield_to, golden): lable_zh",
            "t.toml:8: error: unknown field in a term entry (expected term, polarity, yields): polarty",
            "t.toml:10: error: conflicting polarity: already a term of transfers with polarity negative (t.toml:9), here positive: 转来转去",
            "t.toml:11: error: bad polarity (expected negative, neutral or positive): bad",
            "t.toml:14: error: unknown field (expected id, category, label_en, label_zh, terms, exclude, yield_to, golden): extra",
        ];
        for w in want {
            assert!(got.iter().any(|g| g == w), "missing {w:?} in {got:#?}");
        }
        assert!(
            got.iter().any(|g| g.contains("no golden comments")),
            "{got:#?}"
        );
        assert_eq!(got.len(), want.len() + 1, "{got:#?}");
    }

    #[test]
    fn the_same_term_twice_and_a_term_that_is_excluded_are_errors() {
        let text = "id = \"transfers\"\ncategory = \"service\"\nlabel_en = \"t\"\nlabel_zh = \"t\"\n\
            terms = [\n  { term = \"Transfer\" },\n  { term = \"transfer\" },\n  { term = \"转接\" },\n]\n\
            exclude = [\"转接\"]\n";
        let got = problems_of(&[("t.toml", text)]);
        assert!(got.contains(&"t.toml:7: error: duplicate term: already a term of transfers (t.toml:6): transfer (same as Transfer once normalized)".to_string()), "{got:#?}");
        assert!(got.contains(&"t.toml:10: error: conflicting exclusion: already a term of transfers (t.toml:8); an exclusion would hide it: 转接".to_string()), "{got:#?}");
    }

    #[test]
    fn a_theme_without_terms_and_a_bad_category_are_errors() {
        let got = problems_of(&[(
            "new.toml",
            "id = \"points\"\ncategory = \"Loyalty Program\"\nlabel_en = \"p\"\nlabel_zh = \"积分\"\n",
        )]);
        assert_eq!(
            got,
            [
                "new.toml:1: error: theme has no terms: points",
                "new.toml:2: error: bad category (snake_case ascii, e.g. service): Loyalty Program",
            ]
        );
    }

    #[test]
    fn only_word_length_chinese_terms_join_the_segmenter_dictionary() {
        let lex = build(&theme_with_terms(&[
            r#"{ term = "每次都是不同的客服" },"#,
            r#"{ term = "hold" },"#,
            r#"{ term = "转了{两|三}次" },"#,
        ]));
        let words: Vec<&str> = lex.han_words().collect();
        assert!(
            words.contains(&"转接") && words.contains(&"转来转去"),
            "{words:?}"
        );
        assert!(
            !words.contains(&"每次都是不同的客服"),
            "a phrase: {words:?}"
        );
        assert!(!words.contains(&"hold"), "not Chinese: {words:?}");
        assert!(!words.contains(&"转了三次"), "a form of a group: {words:?}");
        // The matcher still finds the phrase on the text.
        let hits = lex.term_matcher.find("他说每次都是不同的客服");
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn warnings_do_not_stop_a_build() {
        let text = THEME
            .replace("\"service\"", "\"loyalty\"")
            .replace("\"转接\"", "\"转\"");
        let mut b = LexiconBuilder::new();
        b.add_source("t.toml", &text).unwrap();
        let warnings: Vec<String> = b.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(warnings.len(), 2, "{warnings:#?}");
        assert!(warnings[0].starts_with("t.toml:3: warning: category is not one of"));
        assert!(warnings[1].starts_with("t.toml:7: warning: a one-character Chinese term"));
        assert!(b.build().is_ok());
    }

    #[test]
    fn grouped_terms_are_counted_by_form_and_match_every_form() {
        let lex = build(&theme_with_terms(&[
            r#"{ term = "took {over|} {two|3} {day|days}" },"#,
        ]));
        let patterns = lex.terms.len();
        assert_eq!(lex.term_forms, patterns - 1 + 8);
        let hits = lex
            .term_matcher
            .find("it took 3 days, then took over two days");
        assert_eq!(hits.len(), 2);
        let rule = |h: &matcher::Hit| lex.terms[h.pattern].as_ref().unwrap().rule.clone();
        assert_eq!(rule(&hits[0]), rule(&hits[1]));
        assert!(rule(&hits[0]).ends_with("took {over|} {two|3} {day|days}"));
    }

    #[test]
    fn a_grouped_term_that_shares_a_form_with_another_is_named_with_the_form() {
        let problems = problems_of(&[(
            "t.toml",
            &theme_with_terms(&[
                r#"{ term = "{又|再}转接" },"#,
                r#"{ term = "又转接" },"#,
                r#"{ term = "{a|b" },"#,
                r#"{ term = "{重复|重复}描述" },"#,
            ]),
        )]);
        assert!(
            problems.iter().any(|p| p.contains("duplicate term")
                && p.contains("又转接 (both stand for \"又转接\")")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("unclosed {")),
            "{problems:?}"
        );
        // A form repeated inside one term is no conflict.
        assert!(
            !problems.iter().any(|p| p.contains("重复描述")),
            "{problems:?}"
        );
    }

    #[test]
    fn yield_to_resolves_across_files_and_bad_targets_are_errors() {
        let waits = "id = \"response_speed\"\ncategory = \"service\"\nlabel_en = \"r\"\nlabel_zh = \"r\"\n\
            yield_to = [\"transfers\"]\nterms = [{ term = \"等了\", yields = true }, { term = \"回复\" }]\n";
        // `transfers` is defined in a later file: resolved at the end.
        let mut b = LexiconBuilder::new();
        b.add_source("a.toml", waits).unwrap();
        b.add_source("b.toml", THEME).unwrap();
        let lex = b.build().unwrap();
        let transfers = lex.themes.iter().position(|t| t.id == "transfers").unwrap();
        assert_eq!(lex.themes[0].yield_to, [transfers]);
        let yields: Vec<bool> = lex.terms.iter().flatten().map(|t| t.yields).collect();
        assert_eq!(yields, [true, false, false, false]);

        let errors = |files: &[(&str, &str)]| -> Vec<String> {
            let all = problems_of(files);
            all.into_iter()
                .filter(|p| p.contains(": error: "))
                .collect()
        };
        let got = errors(&[(
            "a.toml",
            &waits
                .replace("[\"transfers\"]", "[\"transfer\", \"response_speed\"]")
                .replace("yields = true", "yields = \"yes\""),
        )]);
        assert_eq!(
            got,
            [
                "a.toml:5: error: yield_to names an unknown theme: transfer",
                "a.toml:5: error: yield_to names the theme itself: response_speed",
                "a.toml:6: error: yields must be true or false: the string \"yes\"",
            ]
        );
        let got = errors(&[("a.toml", &waits.replace("yield_to = [\"transfers\"]\n", ""))]);
        assert_eq!(
            got,
            ["a.toml:5: error: a yields term, but its theme has no yield_to themes to give way to: response_speed"]
        );
    }

    #[test]
    fn an_extension_file_adds_terms_to_a_known_theme() {
        let mut b = LexiconBuilder::new();
        b.add_source("a.toml", THEME).unwrap();
        b.add_source(
            "mine.toml",
            "id = \"transfers\"\nterms = [{ term = \"transferred\" }]\n",
        )
        .unwrap();
        let lex = b.build().unwrap();
        assert_eq!(lex.themes.len(), 1);
        assert_eq!(lex.terms.iter().flatten().count(), 3);
    }

    #[test]
    fn the_version_changes_with_the_content() {
        let build = |text: &str| {
            let mut b = LexiconBuilder::new();
            b.add_source("a.toml", text).unwrap();
            b.build().unwrap().version
        };
        assert_ne!(build(THEME), build(&THEME.replace("转接头", "转接器")));
        assert_eq!(build(THEME), build(THEME));
    }
}
