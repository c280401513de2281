//! Reading one lexicon file: TOML text → typed entries, each with the line it
//! was written on, and every problem of the file rather than only the first.
//!
//! The file is parsed into toml's spanned document tree (`DeTable`) and
//! walked by hand instead of deserialized with `deny_unknown_fields`: serde
//! stops at the first unknown key or bad value, and `voctag lexicon check`
//! must list them all, each with its line. What a bad entry would have been
//! is skipped; the rest of the file is still read.

use super::{CueKind, Problem, Severity, STRONG_DEGREE, WEAK_DEGREE};
use crate::Polarity;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A value and the 1-based line it starts on.
#[derive(Debug, Clone)]
pub(crate) struct Located<T> {
    pub value: T,
    pub line: usize,
}

pub(crate) struct ThemeSource {
    pub id: Located<String>,
    pub category: Option<Located<String>>,
    pub label_en: Option<Located<String>>,
    pub label_zh: Option<Located<String>>,
    /// How many entries `terms` holds, valid or not.
    pub declared_terms: usize,
    pub terms: Vec<TermSource>,
    pub exclude: Vec<Located<String>>,
    /// Themes a `yields` term of this theme gives way to (see FORMAT.md).
    pub yield_to: Vec<Located<String>>,
    pub golden: Vec<GoldenSource>,
}

pub(crate) struct TermSource {
    pub term: Located<String>,
    pub polarity: Option<Polarity>,
    pub yields: bool,
}

pub(crate) struct GoldenSource {
    pub text: Located<String>,
    pub expect: Vec<Located<(String, Polarity)>>,
}

pub(crate) struct CuesSource {
    pub negation_window: Option<usize>,
    pub groups: Vec<(CueKind, Vec<Located<String>>)>,
}

/// Walks one file's document tree, recording problems as it goes.
pub(crate) struct Reader<'a> {
    file: &'a str,
    content: &'a str,
    pub problems: Vec<Problem>,
}

type Value<'i> = Spanned<DeValue<'i>>;

impl<'a> Reader<'a> {
    pub fn new(file: &'a str, content: &'a str) -> Self {
        Reader {
            file,
            content,
            problems: Vec::new(),
        }
    }

    pub fn line(&self, span: &Range<usize>) -> usize {
        line_at(self.content, span.start)
    }

    pub fn error(&mut self, line: usize, message: impl Into<String>, value: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.to_string(),
            line,
            severity: Severity::Error,
            message: message.into(),
            value: value.into(),
        });
    }

    pub fn warn(&mut self, line: usize, message: impl Into<String>, value: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.to_string(),
            line,
            severity: Severity::Warning,
            message: message.into(),
            value: value.into(),
        });
    }

    /// The document, or `None` (with every syntax error recorded).
    fn document(&mut self) -> Option<DeTable<'a>> {
        let (doc, errors) = DeTable::parse_recoverable(self.content);
        if errors.is_empty() {
            return Some(doc.into_inner());
        }
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            let line = self.line(&span);
            let snippet = snippet(self.content, &span);
            self.error(
                line,
                format!("invalid TOML ({})", e.message().trim()),
                snippet,
            );
        }
        None
    }

    /// Records an "unknown field" error for every key of `table` not in `known`.
    fn known_keys(&mut self, table: &DeTable, known: &[&str], within: &str) {
        for (key, _) in table.iter() {
            if !known.contains(&key.get_ref().as_ref()) {
                let line = self.line(&key.span());
                self.error(
                    line,
                    format!("unknown field {within}(expected {})", known.join(", ")),
                    key.get_ref().to_string(),
                );
            }
        }
    }

    fn string(&mut self, value: &Value, what: &str) -> Option<Located<String>> {
        let line = self.line(&value.span());
        match value.get_ref() {
            DeValue::String(s) => Some(Located {
                value: s.to_string(),
                line,
            }),
            other => {
                let got = describe(other);
                self.error(line, format!("{what} must be a string"), got);
                None
            }
        }
    }

    fn array<'v>(&mut self, value: &'v Value<'a>, what: &str) -> &'v [Value<'a>] {
        match value.get_ref() {
            DeValue::Array(items) => items,
            other => {
                let line = self.line(&value.span());
                let got = describe(other);
                self.error(line, format!("{what} must be an array"), got);
                &[]
            }
        }
    }

    fn strings(&mut self, value: &Value<'a>, what: &str) -> Vec<Located<String>> {
        let items = self.array(value, what);
        items
            .iter()
            .filter_map(|v| self.string(v, &format!("an entry of {what}")))
            .collect()
    }

    fn table<'v>(&mut self, value: &'v Value<'a>, what: &str) -> Option<&'v DeTable<'a>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                let line = self.line(&value.span());
                let got = describe(other);
                self.error(line, format!("{what} must be a table"), got);
                None
            }
        }
    }

    /// A theme file, or `None` when it cannot be read at all (bad TOML, no id).
    pub fn theme(&mut self) -> Option<ThemeSource> {
        let doc = self.document()?;
        const KNOWN: &[&str] = &[
            "id", "category", "label_en", "label_zh", "terms", "exclude", "yield_to", "golden",
        ];
        self.known_keys(&doc, KNOWN, "");
        let id = match doc.get("id") {
            Some(v) => self.string(v, "id")?,
            None => {
                self.error(1, "missing field id (the theme's snake_case id)", "");
                return None;
            }
        };
        let mut text = |key: &str| doc.get(key).and_then(|v| self.string(v, key));
        let (category, label_en, label_zh) = (text("category"), text("label_en"), text("label_zh"));
        let mut theme = ThemeSource {
            id,
            category,
            label_en,
            label_zh,
            declared_terms: 0,
            terms: Vec::new(),
            exclude: Vec::new(),
            yield_to: Vec::new(),
            golden: Vec::new(),
        };
        if let Some(terms) = doc.get("terms") {
            let entries = self.array(terms, "terms");
            theme.declared_terms = entries.len();
            for entry in entries {
                if let Some(term) = self.term(entry) {
                    theme.terms.push(term);
                }
            }
        }
        if let Some(exclude) = doc.get("exclude") {
            theme.exclude = self.strings(exclude, "exclude");
        }
        if let Some(yield_to) = doc.get("yield_to") {
            theme.yield_to = self.strings(yield_to, "yield_to");
        }
        if let Some(golden) = doc.get("golden") {
            for entry in self.array(golden, "golden") {
                if let Some(g) = self.golden(entry) {
                    theme.golden.push(g);
                }
            }
        }
        Some(theme)
    }

    fn term(&mut self, entry: &Value<'a>) -> Option<TermSource> {
        let table = self.table(entry, "a term entry ({ term = \"…\" })")?;
        self.known_keys(table, &["term", "polarity", "yields"], "in a term entry ");
        let Some(term) = table.get("term") else {
            let line = self.line(&entry.span());
            self.error(
                line,
                "term entry without term",
                snippet(self.content, &entry.span()),
            );
            return None;
        };
        let term = self.string(term, "term")?;
        let polarity = match table.get("polarity") {
            None => None,
            Some(v) => {
                let p = self.string(v, "polarity")?;
                match Polarity::parse(&p.value) {
                    Some(parsed) => Some(parsed),
                    None => {
                        self.error(
                            p.line,
                            "bad polarity (expected negative, neutral or positive)",
                            p.value,
                        );
                        return None;
                    }
                }
            }
        };
        let yields = match table.get("yields") {
            None => false,
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => *b,
                other => {
                    let line = self.line(&v.span());
                    let got = describe(other);
                    self.error(line, "yields must be true or false", got);
                    return None;
                }
            },
        };
        Some(TermSource {
            term,
            polarity,
            yields,
        })
    }

    fn golden(&mut self, entry: &Value<'a>) -> Option<GoldenSource> {
        let table = self.table(entry, "a [[golden]] entry")?;
        self.known_keys(table, &["text", "expect"], "in [[golden]] ");
        let line = self.line(&entry.span());
        let text = match table.get("text") {
            Some(v) => self.string(v, "golden text")?,
            None => {
                self.error(line, "golden comment without text", "");
                return None;
            }
        };
        let Some(expect) = table.get("expect") else {
            self.error(
                text.line,
                "golden comment without expect (use [] for no theme)",
                text.value,
            );
            return None;
        };
        let mut pairs = Vec::new();
        let mut ok = true;
        for item in self.strings(expect, "expect") {
            let parsed = item
                .value
                .split_once(':')
                .and_then(|(t, p)| Polarity::parse(p).map(|p| (t.trim().to_string(), p)));
            match parsed {
                Some(pair) => pairs.push(Located {
                    value: pair,
                    line: item.line,
                }),
                None => {
                    ok = false;
                    self.error(
                        item.line,
                        "golden expectation is not theme:negative|neutral|positive",
                        item.value,
                    );
                }
            }
        }
        ok.then_some(GoldenSource {
            text,
            expect: pairs,
        })
    }

    /// A `cues*.toml` file, or `None` when it is not valid TOML.
    pub fn cues(&mut self) -> Option<CuesSource> {
        let doc = self.document()?;
        const SECTIONS: &[(&str, &[&str])] = &[
            ("positive", &["w1", "w2", "w3"]),
            ("negative", &["w1", "w2", "w3"]),
            ("negation", &["window", "terms"]),
            ("degree", &["strong", "weak"]),
            ("contrast", &["terms"]),
            ("rhetorical", &["terms"]),
            ("block", &["terms"]),
        ];
        let names: Vec<&str> = SECTIONS.iter().map(|(s, _)| *s).collect();
        self.known_keys(&doc, &names, "");
        let mut out = CuesSource {
            negation_window: None,
            groups: Vec::new(),
        };
        for (section, keys) in SECTIONS {
            let Some(value) = doc.get(*section) else {
                continue;
            };
            let Some(table) = self.table(value, &format!("[{section}]")) else {
                continue;
            };
            self.known_keys(table, keys, &format!("in [{section}] "));
            for key in *keys {
                let Some(value) = table.get(*key) else {
                    continue;
                };
                if *key == "window" {
                    let line = self.line(&value.span());
                    match value.get_ref() {
                        DeValue::Integer(i) => match usize::from_str_radix(i.as_str(), i.radix()) {
                            Ok(w) => out.negation_window = Some(w),
                            Err(_) => self.error(
                                line,
                                "negation window must be a small non-negative integer",
                                i.as_str().to_string(),
                            ),
                        },
                        other => {
                            self.error(line, "negation window must be an integer", describe(other))
                        }
                    }
                    continue;
                }
                let kind = match (*section, *key) {
                    ("positive", w) | ("negative", w) => {
                        let weight = match w {
                            "w1" => 1.0,
                            "w2" => 2.0,
                            _ => 3.0,
                        };
                        let sign = if *section == "positive" { 1.0 } else { -1.0 };
                        CueKind::Sentiment(sign * weight)
                    }
                    ("negation", _) => CueKind::Negator,
                    ("degree", "strong") => CueKind::Degree(STRONG_DEGREE),
                    ("degree", _) => CueKind::Degree(WEAK_DEGREE),
                    ("contrast", _) => CueKind::Contrast,
                    ("rhetorical", _) => CueKind::Rhetorical,
                    _ => CueKind::Block,
                };
                let words = self.strings(value, &format!("{section}.{key}"));
                out.groups.push((kind, words));
            }
        }
        Some(out)
    }
}

/// 1-based line of byte offset `at`.
pub(crate) fn line_at(content: &str, at: usize) -> usize {
    let at = at.min(content.len());
    content.as_bytes()[..at]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The source text at `span`, on one line and at most 40 characters.
fn snippet(content: &str, span: &Range<usize>) -> String {
    let start = span.start.min(content.len());
    let end = span.end.clamp(start, content.len());
    let mut text = content.get(start..end).unwrap_or("").trim();
    if text.is_empty() {
        text = content
            .get(start..)
            .unwrap_or("")
            .lines()
            .next()
            .unwrap_or("")
            .trim();
    }
    let line = text.lines().next().unwrap_or("");
    line.chars().take(40).collect()
}

fn describe(value: &DeValue) -> String {
    match value {
        DeValue::String(s) => format!("the string {s:?}"),
        DeValue::Integer(i) => format!("the integer {}", i.as_str()),
        DeValue::Float(f) => format!("the number {f}"),
        DeValue::Boolean(b) => format!("the boolean {b}"),
        DeValue::Datetime(d) => format!("the datetime {d}"),
        DeValue::Array(_) => "an array".into(),
        DeValue::Table(_) => "a table".into(),
    }
}
