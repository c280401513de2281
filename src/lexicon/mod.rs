//! Lexicons: the theme terms (`themes/*.toml`) and sentiment cues
//! (`cues.toml`) that the tagger matches, loaded once and then shared by `&`.
//!
//! The bundled lexicons are compiled into the binary (see `build.rs`); a
//! user's own directory extends them: a theme file with a known id adds terms,
//! exclusions and golden comments to that theme, a new id adds a theme, and a
//! `cues*.toml` file adds cue words. The format is in `lexicons/FORMAT.md`.

pub mod matcher;

use crate::error::{Error, Result};
use crate::Polarity;
use matcher::{Matcher, Pattern};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
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
}

/// A theme term: what a match of its pattern means.
#[derive(Debug, Clone)]
pub struct Term {
    pub theme: usize,
    pub polarity: Option<Polarity>,
    /// `theme_id/term` as written, shown in the output's `rule` column.
    pub rule: String,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    id: String,
    category: Option<String>,
    label_en: Option<String>,
    label_zh: Option<String>,
    #[serde(default)]
    terms: Vec<TermEntry>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    golden: Vec<GoldenEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermEntry {
    term: String,
    polarity: Option<Polarity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoldenEntry {
    text: String,
    expect: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct CuesFile {
    positive: Weighted,
    negative: Weighted,
    negation: Negation,
    degree: Degree,
    contrast: TermList,
    rhetorical: TermList,
    block: TermList,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct Weighted {
    w1: Vec<String>,
    w2: Vec<String>,
    w3: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct Negation {
    window: Option<usize>,
    terms: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct Degree {
    strong: Vec<String>,
    weak: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct TermList {
    terms: Vec<String>,
}

/// Where a pattern was defined, for error messages.
#[derive(Clone)]
struct Origin {
    file: String,
    line: usize,
}

/// Collects lexicon files, then builds the matchers once.
#[derive(Default)]
pub struct LexiconBuilder {
    themes: Vec<ThemeInfo>,
    theme_files: Vec<String>,
    /// normalized pattern text → (term or exclusion, prefix, origin)
    terms: BTreeMap<String, (Option<Term>, bool, Origin)>,
    cues: BTreeMap<String, (CueKind, bool, Origin)>,
    negation_window: Option<usize>,
    goldens: Vec<Golden>,
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

    /// Every `*.toml` below `dir`, in sorted path order.
    pub fn with_dir(mut self, dir: &Path) -> Result<Self> {
        let mut files = Vec::new();
        walk_toml(dir, &mut files).map_err(|e| Error::io(dir, e))?;
        if files.is_empty() {
            return Err(Error::Lexicon {
                path: dir.display().to_string(),
                line: 0,
                reason: "no .toml lexicon files found in this directory".into(),
            });
        }
        files.sort();
        for path in files {
            let content = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            self.add_source(&path.display().to_string(), &content)?;
        }
        Ok(self)
    }

    pub fn add_source(&mut self, name: &str, content: &str) -> Result<()> {
        self.hasher
            .update(name.rsplit('/').next().unwrap_or(name).as_bytes());
        self.hasher.update([0]);
        self.hasher.update(content.as_bytes());
        self.hasher.update([0]);
        let file_name = name.rsplit(['/', '\\']).next().unwrap_or(name);
        if file_name.starts_with("cues") {
            self.add_cues(name, content)
        } else {
            self.add_theme_file(name, content)
        }
    }

    fn add_theme_file(&mut self, name: &str, content: &str) -> Result<()> {
        let file: ThemeFile = toml::from_str(content).map_err(|e| toml_error(name, content, e))?;
        let err = |needle: &str, reason: String| Error::Lexicon {
            path: name.to_string(),
            line: line_of(content, needle),
            reason,
        };
        if !is_theme_id(&file.id) {
            return Err(err(
                &file.id,
                format!("theme id {:?} must be snake_case ascii", file.id),
            ));
        }
        let theme = match self.themes.iter().position(|t| t.id == file.id) {
            Some(i) => {
                let known = &self.themes[i];
                for (field, value, existing) in [
                    ("category", &file.category, &known.category),
                    ("label_en", &file.label_en, &known.label_en),
                    ("label_zh", &file.label_zh, &known.label_zh),
                ] {
                    if let Some(v) = value {
                        if v != existing {
                            return Err(err(
                                v,
                                format!(
                                    "{field} {v:?} conflicts with {existing:?} of theme {} in {}",
                                    file.id, self.theme_files[i]
                                ),
                            ));
                        }
                    }
                }
                i
            }
            None => {
                let (Some(category), Some(label_en), Some(label_zh)) =
                    (file.category, file.label_en, file.label_zh)
                else {
                    return Err(err(
                        "id",
                        format!(
                            "new theme {:?} needs category, label_en and label_zh",
                            file.id
                        ),
                    ));
                };
                self.themes.push(ThemeInfo {
                    id: file.id.clone(),
                    category,
                    label_en,
                    label_zh,
                });
                self.theme_files.push(name.to_string());
                self.themes.len() - 1
            }
        };
        if file.terms.is_empty()
            && self
                .terms
                .values()
                .all(|(t, _, _)| t.as_ref().is_none_or(|t| t.theme != theme))
        {
            return Err(err("id", format!("theme {:?} has no terms", file.id)));
        }
        for entry in file.terms {
            let pattern = Pattern::parse(&entry.term);
            let origin = Origin {
                file: name.to_string(),
                line: line_of(content, &format!("\"{}\"", entry.term)),
            };
            let term = Term {
                theme,
                polarity: entry.polarity,
                rule: format!("{}/{}", file.id, entry.term.trim()),
            };
            self.insert_term(pattern, Some(term), origin)?;
        }
        for raw in file.exclude {
            let origin = Origin {
                file: name.to_string(),
                line: line_of(content, &format!("\"{raw}\"")),
            };
            self.insert_term(Pattern::parse(&raw), None, origin)?;
        }
        for golden in file.golden {
            let line = line_of(content, &golden.text);
            let mut expect = Vec::new();
            for item in &golden.expect {
                let parsed = item
                    .split_once(':')
                    .and_then(|(t, p)| Polarity::parse(p).map(|p| (t.trim().to_string(), p)));
                match parsed {
                    Some(pair) => expect.push(pair),
                    None => {
                        return Err(Error::Lexicon {
                            path: name.to_string(),
                            line,
                            reason: format!(
                                "golden expectation {item:?} is not theme:negative|neutral|positive"
                            ),
                        })
                    }
                }
            }
            self.goldens.push(Golden {
                file: name.to_string(),
                line,
                text: golden.text,
                expect,
            });
        }
        Ok(())
    }

    fn insert_term(&mut self, pattern: Pattern, term: Option<Term>, origin: Origin) -> Result<()> {
        if pattern.text.is_empty() {
            return Err(Error::Lexicon {
                path: origin.file,
                line: origin.line,
                reason: "empty term".into(),
            });
        }
        if let Some((existing, _, first)) = self.terms.get(&pattern.text) {
            let describe = |t: &Option<Term>| match t {
                Some(t) => format!("a term of {}", self.themes[t.theme].id),
                None => "an exclusion".to_string(),
            };
            return Err(Error::Lexicon {
                path: origin.file,
                line: origin.line,
                reason: format!(
                    "{:?} is {} here and already {} ({}:{})",
                    pattern.text,
                    describe(&term),
                    describe(existing),
                    first.file,
                    first.line
                ),
            });
        }
        self.terms
            .insert(pattern.text, (term, pattern.prefix, origin));
        Ok(())
    }

    fn add_cues(&mut self, name: &str, content: &str) -> Result<()> {
        let file: CuesFile = toml::from_str(content).map_err(|e| toml_error(name, content, e))?;
        if let Some(w) = file.negation.window {
            self.negation_window = Some(w);
        }
        let groups: [(&[String], CueKind); 12] = [
            (&file.positive.w1, CueKind::Sentiment(1.0)),
            (&file.positive.w2, CueKind::Sentiment(2.0)),
            (&file.positive.w3, CueKind::Sentiment(3.0)),
            (&file.negative.w1, CueKind::Sentiment(-1.0)),
            (&file.negative.w2, CueKind::Sentiment(-2.0)),
            (&file.negative.w3, CueKind::Sentiment(-3.0)),
            (&file.negation.terms, CueKind::Negator),
            (&file.degree.strong, CueKind::Degree(STRONG_DEGREE)),
            (&file.degree.weak, CueKind::Degree(WEAK_DEGREE)),
            (&file.contrast.terms, CueKind::Contrast),
            (&file.rhetorical.terms, CueKind::Rhetorical),
            (&file.block.terms, CueKind::Block),
        ];
        for (words, kind) in groups {
            for raw in words {
                let pattern = Pattern::parse(raw);
                let line = line_of(content, &format!("\"{raw}\""));
                if pattern.text.is_empty() {
                    return Err(Error::Lexicon {
                        path: name.to_string(),
                        line,
                        reason: "empty cue".into(),
                    });
                }
                if let Some((_, _, first)) = self.cues.get(&pattern.text) {
                    return Err(Error::Lexicon {
                        path: name.to_string(),
                        line,
                        reason: format!(
                            "cue {:?} is already defined at {}:{}",
                            pattern.text, first.file, first.line
                        ),
                    });
                }
                let origin = Origin {
                    file: name.to_string(),
                    line,
                };
                self.cues
                    .insert(pattern.text, (kind, pattern.prefix, origin));
            }
        }
        Ok(())
    }

    pub fn build(self) -> Result<Lexicon> {
        if self.themes.is_empty() {
            return Err(Error::Lexicon {
                path: "<lexicons>".into(),
                line: 0,
                reason: "no themes loaded".into(),
            });
        }
        for golden in &self.goldens {
            for (theme, _) in &golden.expect {
                if !self.themes.iter().any(|t| &t.id == theme) {
                    return Err(Error::Lexicon {
                        path: golden.file.clone(),
                        line: golden.line,
                        reason: format!("golden comment expects unknown theme {theme:?}"),
                    });
                }
            }
        }
        let mut term_patterns = Vec::with_capacity(self.terms.len());
        let mut terms = Vec::with_capacity(self.terms.len());
        for (text, (term, prefix, _)) in self.terms {
            term_patterns.push(Pattern { text, prefix });
            terms.push(term);
        }
        let mut cue_patterns = Vec::with_capacity(self.cues.len());
        let mut cue_kinds = Vec::with_capacity(self.cues.len());
        for (text, (kind, prefix, _)) in self.cues {
            cue_patterns.push(Pattern { text, prefix });
            cue_kinds.push(kind);
        }
        let digest = self.hasher.finalize();
        Ok(Lexicon {
            themes: self.themes,
            terms,
            term_matcher: Matcher::new(term_patterns),
            cue_kinds,
            cue_matcher: Matcher::new(cue_patterns),
            negation_window: self.negation_window.unwrap_or(DEFAULT_NEGATION_WINDOW),
            goldens: self.goldens,
            version: format!("lex-{}", hex(&digest[..8])),
        })
    }
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

    /// Chinese words of every term and cue, for the segmenter's dictionary.
    pub fn han_words(&self) -> impl Iterator<Item = &str> {
        self.term_matcher
            .patterns()
            .iter()
            .chain(self.cue_matcher.patterns())
            .map(|p| p.text.as_str())
            .filter(|w| w.chars().count() >= 2 && w.chars().all(crate::segment::is_han))
    }
}

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

/// 1-based line of the first occurrence of `needle`, or 0 when absent.
fn line_of(content: &str, needle: &str) -> usize {
    content
        .find(needle)
        .map(|at| content[..at].matches('\n').count() + 1)
        .unwrap_or(0)
}

fn toml_error(name: &str, content: &str, e: toml::de::Error) -> Error {
    let line = e
        .span()
        .map(|s| content[..s.start.min(content.len())].matches('\n').count() + 1)
        .unwrap_or(0);
    Error::Lexicon {
        path: name.to_string(),
        line,
        reason: e.message().to_string(),
    }
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
            err.contains("already a term of transfers (a.toml:7)"),
            "{err}"
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
