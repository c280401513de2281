//! Themes by model: one logistic regression per theme over the words and
//! character n-grams of a comment and of each of its clauses, trained on the
//! hand-labelled comments and shipped in the model file beside the
//! sentiment weights.
//!
//! Why: the lexicons find what their terms spell, and customers describe
//! the same experience in endless other words ("spent my whole lunch break
//! listening to the same jingle", 来来回回跑了四趟). On 530 comments that
//! neither the lexicons nor this model had seen, adding what the model
//! flags to what the terms find took theme F1 from 0.631 to 0.691
//! (models/README.md, "Theme heads").
//!
//! At run time the heads read the whole comment (every clause's terms).
//! A theme the terms missed whose probability passes the threshold becomes
//! a mention on the clause the same head scores highest: its `rule` is
//! `model`, its span and evidence are the clause, and its polarity is
//! judged like any term's (the clause's cues, then further out). A theme
//! the terms found is theirs, unless its head is all but sure the comment
//! is not about it (probability below the veto, 0.08 in the shipped
//! model; 0.03 in session 18, 0.01 before): then the term is read in
//! another sense (自助 in 巴西烤肉自助 is a buffet, not a self-service
//! channel; "the grieving process" of a film review is no customer's
//! procedure) and its mentions are dropped. On four labelled rounds, each
//! scored by a model trained without it, the veto dropped 105 wrong themes
//! and 27 right ones (models/README.md, "Theme heads"). The sentiment
//! model never sees these mentions, so the two parts of the file train
//! independently.

use crate::clauses::Clause;
use crate::lexicon::Lexicon;
use crate::segment::{Script, Token};
use crate::sentiment::features::{bigram, han_ngrams, Features, Fnv};
use crate::themes::TermHit;
use serde::{Deserialize, Serialize};
use std::ops::Range;

mod train;
pub use train::{train, ClauseExample, ThemeTraining};

/// The `rule` of a mention the model added.
pub const RULE: &str = "model";

pub const FEATURE_SET: &str =
    "t3: clause words, numbers as <num>, bigrams after latin words and numbers, latin word char 3-grams, han char 1-3-grams; tf-idf, bias";

/// What every number becomes in the heads' terms: "3 days", "48 hours"
/// and 等了5天 say how long or how often, whichever the figure.
const NUMBER: &str = "<num>";

/// The theme part of a model file's header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ThemeHeader {
    pub feature_set: String,
    /// Theme ids, in the order of the heads.
    pub themes: Vec<String>,
    pub buckets: u32,
    /// A theme the terms missed is added when the whole comment scores
    /// above this probability (its best clause then holds the mention).
    pub threshold: f32,
    /// A theme the terms found is dropped when the whole comment scores
    /// below this probability (0: never). Absent from files written before
    /// the veto, which keep every term's theme.
    #[serde(default)]
    pub veto: f32,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// Labelled comments and the clauses cut from them.
    pub comments: usize,
    pub clauses: usize,
    /// The lexicons' golden comments, trained on like labelled comments.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub goldens: usize,
    /// Background comments (texts known to carry no theme; negative for
    /// every head), counted apart from the labelled ones.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub background: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The probabilities at which [`ThemeHeads::flag`] adds and drops themes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A theme the terms missed is added above this.
    pub threshold: f32,
    /// A theme the terms found is dropped below this.
    pub veto: f32,
}

/// What [`ThemeHeads::flag`] says of one comment.
#[derive(Debug, Default)]
pub struct Flags {
    /// Themes the terms missed, each a hit on one clause; sorted by span.
    pub added: Vec<TermHit>,
    /// Themes the terms found that the comment is not about, in head order.
    pub vetoed: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct ThemeHeads {
    pub header: ThemeHeader,
    /// `weights[bucket * heads + head]`: one feature's heads sit together.
    pub weights: Vec<f32>,
    /// Per bucket, from the training clauses.
    pub idf: Vec<f32>,
}

/// The hashed terms of one clause (`span`, in bytes of `text`), repeated
/// as often as they occur: its words, every number as one word `<num>`,
/// the bigrams that start from a Latin word or a number ("<num> days",
/// "<num> 天"), character 3-grams of Latin words (with the word's edges, so
/// `refund`, `refunds` and `refunded` share most of theirs) and Han
/// character 1–3-grams. [`ThemeHeads::weigh`] weighs them.
pub fn clause_terms(text: &str, tokens: &[Token], span: Range<usize>, buckets: u32) -> Vec<u32> {
    let mut sparse: Vec<u32> = Vec::new();
    push_clause_terms(text, tokens, span, buckets, &mut sparse);
    sparse
}

/// [`clause_terms`], appended to `sparse`.
fn push_clause_terms(
    text: &str,
    tokens: &[Token],
    span: Range<usize>,
    buckets: u32,
    sparse: &mut Vec<u32>,
) {
    let bucket = |h: Fnv| h.bucket(buckets);
    let first = tokens.partition_point(|t| t.span.start < span.start);
    // The word a bigram starts from: a Latin word or a number.
    let mut prev: Option<&str> = None;
    for t in tokens[first..]
        .iter()
        .take_while(|t| t.span.end <= span.end)
    {
        let word = match t.script {
            Script::Number => NUMBER,
            _ => &text[t.span.clone()],
        };
        sparse.push(bucket(Fnv::new(b'w').bytes(word.as_bytes())));
        if t.script == Script::Latin {
            push_char_trigrams(word, &mut |h| sparse.push(bucket(h)));
        }
        if let Some(p) = prev {
            sparse.push(bucket(bigram(p, word)));
        }
        prev = matches!(t.script, Script::Latin | Script::Number).then_some(word);
    }
    han_ngrams(text, span, &mut |h| sparse.push(bucket(h)));
}

/// The character 3-grams of ` word `, hashed.
fn push_char_trigrams(word: &str, push: &mut impl FnMut(Fnv)) {
    if word.is_ascii() {
        let bytes = word.as_bytes();
        let at = |i: usize| {
            if i == 0 || i > bytes.len() {
                b' '
            } else {
                bytes[i - 1]
            }
        };
        for i in 0..bytes.len() {
            push(Fnv::new(b'e').bytes(&[at(i), at(i + 1), at(i + 2)]));
        }
    } else {
        let edged: Vec<char> = std::iter::once(' ')
            .chain(word.chars())
            .chain(std::iter::once(' '))
            .collect();
        for w in edged.windows(3) {
            let mut h = Fnv::new(b'e');
            for c in w {
                h = h.bytes(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
            push(h);
        }
    }
}

/// The bucket of the bias feature.
fn bias(buckets: u32) -> u32 {
    Fnv::new(b'x').bucket(buckets)
}

/// TF-IDF of a clause's terms: (1 + ln count) × idf per bucket, the vector
/// scaled to unit length, plus the bias. Weighing by idf lets rare, telling
/// words (忙音, jingle) outweigh the words every clause has.
fn tf_idf(mut terms: Vec<u32>, idf: &[f32]) -> Features {
    terms.sort_unstable();
    let mut entries: Vec<(u32, f32)> = Vec::with_capacity(terms.len() + 1);
    tf_idf_sorted(&terms, idf, &mut entries);
    Features::plain(entries)
}

/// [`tf_idf`] of `terms` already sorted, into `entries` (cleared first).
fn tf_idf_sorted(terms: &[u32], idf: &[f32], entries: &mut Vec<(u32, f32)>) {
    entries.clear();
    for &b in terms.iter() {
        match entries.last_mut() {
            Some((last, count)) if *last == b => *count += 1.0,
            _ => entries.push((b, 1.0)),
        }
    }
    let mut norm = 0.0f32;
    for (b, v) in entries.iter_mut() {
        let tf = if *v == 1.0 { 1.0 } else { 1.0 + v.ln() };
        *v = tf * idf[*b as usize];
        norm += *v * *v;
    }
    let scale = 1.0 / norm.sqrt().max(1e-6);
    entries.iter_mut().for_each(|(_, v)| *v *= scale);
    entries.push((bias(idf.len() as u32), 1.0));
}

/// Smoothed inverse document frequency of every bucket over `clauses`, as
/// scikit-learn computes it: ln((1 + n) / (1 + df)) + 1.
pub fn idf<'a>(clauses: impl ExactSizeIterator<Item = &'a [u32]>, buckets: u32) -> Vec<f32> {
    let n = clauses.len() as f32;
    let mut df = vec![0u32; buckets as usize];
    let mut seen: Vec<u32> = Vec::new();
    for terms in clauses {
        seen.clear();
        seen.extend_from_slice(terms);
        seen.sort_unstable();
        seen.dedup();
        for &b in &seen {
            df[b as usize] += 1;
        }
    }
    df.iter()
        .map(|&d| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)
        .collect()
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl ThemeHeads {
    pub fn from_parts(header: ThemeHeader, body: &[u8]) -> Result<ThemeHeads, String> {
        if header.feature_set != FEATURE_SET {
            return Err(format!(
                "its theme heads were trained on features \"{}\", this voctag computes \"{FEATURE_SET}\": retrain it with `voctag train`",
                header.feature_set
            ));
        }
        if header.buckets == 0 || header.themes.is_empty() {
            return Err("theme heads with zero buckets or no themes".into());
        }
        if !(0.0..=1.0).contains(&header.threshold) {
            return Err(format!(
                "theme threshold {} is not a probability between 0 and 1",
                header.threshold
            ));
        }
        if !(0.0..=1.0).contains(&header.veto) {
            return Err(format!(
                "theme veto {} is not a probability between 0 and 1",
                header.veto
            ));
        }
        let mut ids: Vec<&String> = header.themes.iter().collect();
        ids.sort();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("theme heads name {:?} twice", w[0]));
        }
        let want = (header.themes.len() + 1) * header.buckets as usize * 4;
        if body.len() != want {
            return Err(format!(
                "theme weights are {} bytes, the header's {} themes (and idf) × {} buckets need {want}: the file is truncated or corrupt",
                body.len(),
                header.themes.len(),
                header.buckets
            ));
        }
        let mut weights = crate::sentiment::linear::read_f32s(body)
            .ok_or("theme weights hold NaN or infinity")?;
        let idf = weights.split_off(header.themes.len() * header.buckets as usize);
        // ln((1 + n) / (1 + df)) + 1 is at least 1 for every bucket.
        if idf.iter().any(|&v| v < 1.0) {
            return Err("theme idf values below 1: the file is corrupt".into());
        }
        Ok(ThemeHeads {
            header,
            weights,
            idf,
        })
    }

    /// The weights, then the idf, as the model file stores them.
    pub fn to_bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.weights
            .iter()
            .chain(&self.idf)
            .flat_map(|w| w.to_le_bytes())
    }

    /// The features of a unit's [`clause_terms`], weighed as in training.
    pub fn weigh(&self, terms: Vec<u32>) -> Features {
        tf_idf(terms, &self.idf)
    }

    /// For each head: the theme of that id in `lexicon`, if it has one.
    pub fn head_themes(&self, lexicon: &Lexicon) -> Vec<Option<usize>> {
        self.header
            .themes
            .iter()
            .map(|id| lexicon.themes.iter().position(|t| &t.id == id))
            .collect()
    }

    /// What the heads say of a comment (normalized `text`, its tokens and
    /// clauses), reading the whole of it: the themes the terms found
    /// (`found`, by theme; `head_themes` maps heads to themes) whose
    /// probability is below `veto`, and the themes they did not find whose
    /// probability passes `threshold`, each as a hit on the clause its
    /// head scores highest, sorted by span.
    pub fn flag(
        &self,
        text: &str,
        tokens: &[Token],
        clauses: &[Clause],
        head_themes: &[Option<usize>],
        found: &[bool],
        limits: Limits,
    ) -> Flags {
        SCRATCH.with(|scratch| {
            let scratch = &mut *scratch.borrow_mut();
            scratch.hash_clauses(text, tokens, clauses, self.header.buckets);
            let mut flagged = vec![0.0f32; self.heads()];
            let whole = 0..scratch.terms.len();
            self.probabilities_of(scratch.weigh(whole, &self.idf), &mut flagged);
            let mut flags = Flags::default();
            let mut wanted: Vec<(usize, usize)> = Vec::new();
            for (head, (&p, theme)) in flagged.iter().zip(head_themes).enumerate() {
                let Some(theme) = *theme else { continue };
                if found[theme] && p < limits.veto {
                    flags.vetoed.push(theme);
                } else if !found[theme] && p > limits.threshold {
                    wanted.push((head, theme));
                }
            }
            if wanted.is_empty() {
                return flags;
            }
            // Per wanted head, the first clause of the highest probability.
            let mut best: Vec<Option<(usize, f32)>> = vec![None; wanted.len()];
            for ci in 0..clauses.len() {
                let entries = scratch.weigh(scratch.clause(ci), &self.idf);
                for (best, &(head, _)) in best.iter_mut().zip(&wanted) {
                    let p = self.probability_of(entries, head);
                    match *best {
                        Some((_, top)) if top >= p => {}
                        _ => *best = Some((ci, p)),
                    }
                }
            }
            flags.added = wanted
                .iter()
                .zip(&best)
                .filter_map(|(&(_, theme), best)| {
                    let (ci, _) = (*best)?;
                    Some(TermHit {
                        span: clauses[ci].span.clone(),
                        theme,
                        term: None,
                    })
                })
                .collect();
            flags.added.sort_by_key(|h| (h.span.start, h.theme));
            flags
        })
    }

    /// P(theme) of one head.
    pub fn probability(&self, f: &Features, head: usize) -> f32 {
        self.probability_of(&f.entries, head)
    }

    fn probability_of(&self, entries: &[(u32, f32)], head: usize) -> f32 {
        let k = self.heads();
        let z: f32 = entries
            .iter()
            .map(|&(bucket, v)| self.weights[bucket as usize * k + head] * v)
            .sum();
        sigmoid(z)
    }

    /// Reads the first and last weight of each entry's row, and nothing
    /// else: the rows lie scattered over megabytes, and the sums below wait
    /// on each row in turn, while this loop's loads all overlap. perf put
    /// most of the comment's scoring on those waits.
    fn touch_rows(&self, entries: &[(u32, f32)]) {
        let k = self.heads();
        let mut touched = 0.0f32;
        for &(bucket, _) in entries {
            let row = bucket as usize * k;
            touched += self.weights[row] + self.weights[row + k - 1];
        }
        std::hint::black_box(touched);
    }

    pub fn heads(&self) -> usize {
        self.header.themes.len()
    }

    /// P(theme) of each head for one clause's features, into `out`.
    pub fn probabilities(&self, f: &Features, out: &mut [f32]) {
        self.probabilities_of(&f.entries, out)
    }

    fn probabilities_of(&self, entries: &[(u32, f32)], out: &mut [f32]) {
        let k = self.heads();
        let out = &mut out[..k];
        self.touch_rows(entries);
        out.iter_mut().for_each(|z| *z = 0.0);
        for &(bucket, v) in entries {
            let row = &self.weights[bucket as usize * k..][..k];
            for (z, w) in out.iter_mut().zip(row) {
                *z += w * v;
            }
        }
        out.iter_mut().for_each(|z| *z = sigmoid(*z));
    }
}

/// The buffers [`ThemeHeads::flag`] fills for each comment, kept per
/// thread so that a comment allocates none of them.
#[derive(Default)]
struct Scratch {
    /// Every clause's hashed terms, clause after clause: the whole
    /// comment's terms are all of them, so nothing is hashed twice.
    terms: Vec<u32>,
    /// Where each clause's terms end in `terms`.
    ends: Vec<usize>,
    /// The terms being weighed, sorted in place.
    sorted: Vec<u32>,
    /// The other half of [`radix_sort`]'s passes.
    radix: Vec<u32>,
    /// Their features.
    entries: Vec<(u32, f32)>,
}

impl Scratch {
    /// The [`clause_terms`] of each clause into `terms` and `ends`.
    fn hash_clauses(&mut self, text: &str, tokens: &[Token], clauses: &[Clause], buckets: u32) {
        self.terms.clear();
        self.ends.clear();
        for c in clauses {
            push_clause_terms(text, tokens, c.span.clone(), buckets, &mut self.terms);
            self.ends.push(self.terms.len());
        }
    }

    /// Where clause `i`'s terms are in `terms`.
    fn clause(&self, i: usize) -> Range<usize> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        start..self.ends[i]
    }

    /// The TF-IDF features of `terms[range]`, as [`ThemeHeads::weigh`]
    /// gives them.
    fn weigh(&mut self, range: Range<usize>, idf: &[f32]) -> &[(u32, f32)] {
        self.sorted.clear();
        self.sorted.extend_from_slice(&self.terms[range]);
        sort_terms(&mut self.sorted, &mut self.radix);
        tf_idf_sorted(&self.sorted, idf, &mut self.entries);
        &self.entries
    }
}

/// Sorts bucket numbers: a comment's few hundred by [`radix_sort`], which
/// perf showed beating the comparison sort there; a clause's few dozen by
/// that sort. Numbers sort to one order either way.
fn sort_terms(terms: &mut [u32], tmp: &mut Vec<u32>) {
    if terms.len() > 64 {
        radix_sort(terms, tmp);
    } else {
        terms.sort_unstable();
    }
}

/// Least-significant-digit radix sort, a byte per pass, as many passes as
/// the largest number has bytes (two for 65,536 buckets); `tmp` holds every
/// other pass.
fn radix_sort(terms: &mut [u32], tmp: &mut Vec<u32>) {
    let max = terms.iter().copied().max().unwrap_or(0);
    tmp.clear();
    tmp.resize(terms.len(), 0);
    let mut in_terms = true;
    let mut shift = 0;
    while shift < u32::BITS && max >> shift != 0 {
        let (from, to) = if in_terms {
            (&*terms, &mut tmp[..])
        } else {
            (&tmp[..], &mut *terms)
        };
        let digit = |t: u32| ((t >> shift) & 0xff) as usize;
        let mut starts = [0usize; 256];
        for &t in from {
            starts[digit(t)] += 1;
        }
        let mut sum = 0;
        for s in starts.iter_mut() {
            (*s, sum) = (sum, sum + *s);
        }
        for &t in from {
            let d = digit(t);
            to[starts[d]] = t;
            starts[d] += 1;
        }
        in_terms = !in_terms;
        shift += 8;
    }
    if !in_terms {
        terms.copy_from_slice(tmp);
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// [`clause_terms`] of each clause.
pub fn clause_units(
    text: &str,
    tokens: &[Token],
    clauses: &[Clause],
    buckets: u32,
) -> Vec<Vec<u32>> {
    clauses
        .iter()
        .map(|c| clause_terms(text, tokens, c.span.clone(), buckets))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn tokens(text: &str) -> Vec<Token> {
        // Loading the bundled lexicon takes seconds in a debug build: once.
        static SEGMENTER: std::sync::OnceLock<crate::segment::Segmenter> =
            std::sync::OnceLock::new();
        SEGMENTER
            .get_or_init(|| {
                crate::segment::Segmenter::new(&crate::lexicon::Lexicon::bundled().unwrap())
            })
            .segment(text)
    }

    #[test]
    fn scratch_weighs_clauses_and_comment_as_weigh_does() {
        let text = "等了三天没人回复也没人打电话来, the agent was rude and kept me on hold for an hour, 退款还没到账";
        let toks = tokens(text);
        let (a, b) = (text.find(',').unwrap(), text.rfind(',').unwrap());
        let clauses: Vec<Clause> = [0..a, a + 1..b, b + 1..text.len()]
            .into_iter()
            .enumerate()
            .map(|(sentence, span)| Clause {
                span,
                after_contrast: false,
                sentence,
                question: false,
            })
            .collect();
        let idf: Vec<f32> = (0..1u32 << 12).map(|b| 1.0 + (b % 7) as f32).collect();
        let heads = ThemeHeads {
            header: settings(vec!["x".into()]),
            weights: vec![0.0; 1 << 12],
            idf: idf.clone(),
        };
        let mut scratch = Scratch::default();
        scratch.hash_clauses(text, &toks, &clauses, 1 << 12);
        let mut whole = Vec::new();
        for (i, c) in clauses.iter().enumerate() {
            let terms = clause_terms(text, &toks, c.span.clone(), 1 << 12);
            whole.extend_from_slice(&terms);
            let want = heads.weigh(terms).entries;
            assert_eq!(scratch.weigh(scratch.clause(i), &idf), want.as_slice());
        }
        assert!(whole.len() > 64, "the comment takes the radix sort");
        let all = 0..scratch.terms.len();
        assert_eq!(
            scratch.weigh(all, &idf),
            heads.weigh(whole).entries.as_slice()
        );
    }

    #[test]
    fn clause_terms_stay_inside_the_clause() {
        let text = "回复太慢, the bot is useless";
        let toks = tokens(text);
        let split = text.find(',').unwrap();
        let left = clause_terms(text, &toks, 0..split, 1 << 16);
        let right = clause_terms(text, &toks, split + 2..text.len(), 1 << 16);
        let whole = clause_terms(text, &toks, 0..text.len(), 1 << 16);
        // 回复太慢: 2 words (回复, 太慢) and 4 + 3 + 2 character n-grams.
        assert_eq!(left.len(), 2 + 9);
        // the bot is useless: 4 words, 3 bigrams, and the 3-grams of
        // " the ", " bot ", " is ", " useless ": 3 + 3 + 2 + 7.
        assert_eq!(right.len(), 4 + 3 + 15);
        // No bigram joins a Han word to a Latin one.
        assert_eq!(whole.len(), left.len() + right.len());
    }

    #[test]
    fn every_number_is_one_term_and_starts_a_bigram() {
        let terms = |text: &str| {
            let toks = tokens(text);
            let mut t = clause_terms(text, &toks, 0..text.len(), 1 << 16);
            t.sort_unstable();
            t
        };
        // The figure does not matter, the unit after it does.
        assert_eq!(terms("waited 3 days"), terms("waited 40 days"));
        assert_ne!(terms("waited 3 days"), terms("waited 3 hours"));
        assert_eq!(terms("等了3天"), terms("等了15天"));
        let num_tian = bigram(NUMBER, "天").bucket(1 << 16);
        assert!(terms("等了3天").contains(&num_tian));
        // waited, <num>, days; waited <num>, <num> days; 3-grams of
        // " waited " and " days ": 6 + 4.
        let three_days = terms("waited 3 days");
        assert_eq!(three_days.len(), 3 + 2 + 10);
        let number = Fnv::new(b'w').bytes(NUMBER.as_bytes()).bucket(1 << 16);
        let num_days = bigram(NUMBER, "days").bucket(1 << 16);
        assert!(three_days.contains(&number) && three_days.contains(&num_days));
    }

    #[test]
    fn ascii_and_other_words_hash_their_trigrams_alike() {
        let hashes = |w: &str| {
            let mut out = Vec::new();
            push_char_trigrams(w, &mut |h| out.push(h.0));
            out
        };
        // "café" takes the general path; its first three 3-grams are ASCII.
        assert_eq!(hashes("caf")[..2], hashes("café")[..2]);
        assert_eq!(hashes("ab").len(), 2);
        assert_eq!(hashes("café").len(), 4);
    }

    #[test]
    fn radix_sort_sorts_like_sort_unstable() {
        let mut tmp = Vec::new();
        let mut x: u64 = 7;
        for (len, max) in [
            (0, 1),
            (1, 9),
            (65, 255),
            (300, 65_535),
            (200, 1 << 18),
            (100, u32::MAX),
        ] {
            let mut terms: Vec<u32> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    ((x >> 33) as u32) % max.max(1)
                })
                .collect();
            let mut want = terms.clone();
            want.sort_unstable();
            radix_sort(&mut terms, &mut tmp);
            assert_eq!(terms, want, "{len} numbers below {max}");
        }
    }

    #[test]
    fn tf_idf_is_unit_length_and_rare_terms_weigh_more() {
        // Bucket 1 is in every clause, bucket 2 in one of four.
        let clauses: [&[u32]; 4] = [&[1, 2], &[1], &[1], &[1, 3]];
        let idf = idf(clauses.into_iter(), 8);
        assert!(idf[2] > idf[1]);
        let f = tf_idf(vec![1, 2, 1], &idf);
        let (sparse, bias) = f.entries.split_at(f.entries.len() - 1);
        let norm: f32 = sparse.iter().map(|(_, v)| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5, "{norm}");
        assert_eq!(bias[0].1, 1.0);
        let weight = |b: u32| sparse.iter().find(|e| e.0 == b).unwrap().1;
        // Twice as often, but in every clause: still below the rare one.
        assert!(weight(2) > weight(1), "{sparse:?}");
    }

    /// Small settings for tests: 2^12 buckets, 5 epochs.
    pub(crate) fn settings(themes: Vec<String>) -> ThemeHeader {
        ThemeHeader {
            feature_set: String::new(),
            themes,
            buckets: 1 << 12,
            threshold: 0.5,
            veto: 0.0,
            epochs: 5,
            learning_rate: 0.5,
            l2: 0.0,
            comments: 0,
            clauses: 0,
            goldens: 0,
            background: 0,
        }
    }
}
