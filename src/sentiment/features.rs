//! Features of the linear sentiment model, hashed into a fixed number of
//! buckets (the hashing trick: no vocabulary to ship, no allocation per
//! feature).
//!
//! From the earlier stages' output:
//! * words: every jieba word and Latin word (`w`), and the same word marked
//!   as negated when a negator precedes it within the lexicon's window in its
//!   clause (`n`: 不+满意 → n:满意);
//! * Han character 1–3-grams (`c`) within Han runs, robust to segmentation;
//! * Latin word bigrams (`b`);
//! * cues: each resolved sentiment cue with its sign after negation and
//!   degree (`q`), and dense sums of positive and negative cue weight, split
//!   by whether the clause follows a contrast word;
//! * mentions: theme-polarity counts from the lexicon (`m`);
//! * shape (dense): praise and blame in one comment (`mixed`), which sides
//!   the mentions take, no evaluation at all, a question, and the sign of the
//!   last sentence, where an overall verdict usually stands;
//! * VADER valences (dense): the summed human-rated valence of the comment's
//!   English words (`models/vader_lexicon.tsv`, MIT), flipped when negated,
//!   positive and negative apart and for the last sentence. The hand-written
//!   cues cover customer-service wording; VADER's 7,000 rated words cover
//!   the general English that reviews use ("awful", "gorgeous", "meh").
//!
//! Sparse features count 1 per occurrence and are scaled by
//! 1/sqrt(count), their length capped at 2, so long and repetitive
//! comments do not saturate the model ([`sparse_scale`]).

use super::ScoringInput;
use crate::segment::Script;
use std::collections::HashMap;
use std::sync::OnceLock;

/// `word<TAB>mean valence` lines, from VADER's `vader_lexicon.txt` (words
/// only; see models/README.md).
const VADER_LEXICON: &str = include_str!("../../models/vader_lexicon.tsv");

/// VADER's scalar for a negated word: "not good" is mildly negative.
const VADER_NEGATION: f32 = -0.74;

fn vader() -> &'static HashMap<&'static str, f32> {
    static VADER: OnceLock<HashMap<&'static str, f32>> = OnceLock::new();
    VADER.get_or_init(|| {
        VADER_LEXICON
            .lines()
            .filter_map(|line| {
                let (word, valence) = line.split_once('\t')?;
                Some((word, valence.parse().ok()?))
            })
            .collect()
    })
}

/// FNV-1a over a namespace byte and the feature text: stable across
/// platforms and versions, which the shipped model depends on.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(pub(crate) u64);

impl Fnv {
    pub(crate) fn new(namespace: u8) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325).bytes(&[namespace, b':'])
    }
    pub(crate) fn bytes(mut self, bytes: &[u8]) -> Fnv {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self
    }

    /// `hash % buckets`, by a mask when `buckets` is a power of two (as in
    /// every shipped model): the same bucket without a 64-bit division per
    /// feature.
    pub(crate) fn bucket(self, buckets: u32) -> u32 {
        let n = buckets as u64;
        if n.is_power_of_two() {
            (self.0 & (n - 1)) as u32
        } else {
            (self.0 % n) as u32
        }
    }
}

/// A Latin word bigram.
pub(crate) fn bigram(first: &str, second: &str) -> Fnv {
    Fnv::new(b'b')
        .bytes(first.as_bytes())
        .bytes(b" ")
        .bytes(second.as_bytes())
}

/// The character 1-, 2- and 3-grams of every Han run within `span` of
/// `text`, run by run, unigrams first.
pub(crate) fn han_ngrams(text: &str, span: std::ops::Range<usize>, push: &mut impl FnMut(Fnv)) {
    let mut run_start: Option<usize> = None;
    for (at, c) in text[span.clone()].char_indices() {
        let at = span.start + at;
        if crate::segment::is_han(c) {
            run_start.get_or_insert(at);
        } else if let Some(start) = run_start.take() {
            run_ngrams(&text[start..at], push);
        }
    }
    if let Some(start) = run_start {
        run_ngrams(&text[start..span.end], push);
    }
}

/// The 1-, 2- and 3-grams of one run of Han characters, unigrams first: each
/// n-gram runs from the start of a character to the end of the n-th.
fn run_ngrams(run: &str, push: &mut impl FnMut(Fnv)) {
    for n in 1..=3 {
        let starts = run.char_indices().map(|(at, _)| at);
        let ends = run
            .char_indices()
            .map(|(at, c)| at + c.len_utf8())
            .skip(n - 1);
        for (start, end) in starts.zip(ends) {
            push(Fnv::new(b'c').bytes(&run.as_bytes()[start..end]));
        }
    }
}

/// A feature vector: (bucket, value) pairs, buckets possibly repeated.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Features {
    pub entries: Vec<(u32, f32)>,
    /// `entries[dense_from..]` are dense features (cue sums, shape,
    /// valences, bias), the rest hashed text: training may reweigh the
    /// hashed ones by how well they tell the classes apart, never these.
    pub dense_from: usize,
}

impl Features {
    /// A vector none of whose entries training reweighs (the theme and
    /// polarity heads' features).
    pub fn plain(entries: Vec<(u32, f32)>) -> Features {
        Features {
            entries,
            dense_from: 0,
        }
    }
}

pub fn extract(input: &ScoringInput<'_>, buckets: u32) -> Features {
    let window = input.negation_window;
    let text = input.text;
    let mut sparse: Vec<u32> = Vec::with_capacity(text.len());
    let bucket = |h: Fnv| h.bucket(buckets);

    // Token index of each negator, in order; a sweep finds the latest one
    // before each token.
    let negators: Vec<usize> = input
        .cues
        .iter()
        .filter(|c| c.kind == crate::lexicon::CueKind::Negator)
        .map(|c| input.tokens.partition_point(|t| t.span.end <= c.span.start))
        .collect();
    let mut next_negator = 0;
    let mut prev_latin: Option<&str> = None;
    // VADER valence: positive, negative, and the last sentence's sum.
    let last_sentence_start = input.clauses.last().map_or(0, |last| {
        input
            .clauses
            .iter()
            .find(|c| c.sentence == last.sentence)
            .map_or(0, |c| c.span.start)
    });
    let mut valence = [0.0f32; 3];
    for (i, t) in input.tokens.iter().enumerate() {
        while next_negator < negators.len() && negators[next_negator] < i {
            next_negator += 1;
        }
        let word = &text[t.span.clone()];
        if t.script == Script::Number {
            prev_latin = None;
            continue;
        }
        sparse.push(bucket(Fnv::new(b'w').bytes(word.as_bytes())));
        let negated = next_negator
            .checked_sub(1)
            .map(|k| negators[k])
            .is_some_and(|n| i - n <= window && same_clause(input, n, i));
        if negated {
            sparse.push(bucket(Fnv::new(b'n').bytes(word.as_bytes())));
        }
        if t.script == Script::Latin {
            if let Some(&v) = vader().get(word) {
                let v = if negated { v * VADER_NEGATION } else { v };
                valence[(v < 0.0) as usize] += v.abs();
                if t.span.start >= last_sentence_start {
                    valence[2] += v;
                }
            }
        }
        if let Some(p) = prev_latin {
            sparse.push(bucket(bigram(p, word)));
        }
        prev_latin = Some(word);
    }
    han_ngrams(text, 0..text.len(), &mut |h| sparse.push(bucket(h)));

    for cue in &input.polarities.cues {
        let sign: &[u8] = if cue.value > 0.0 { b"+" } else { b"-" };
        sparse.push(bucket(
            Fnv::new(b'q')
                .bytes(sign)
                .bytes(text[cue.span.clone()].as_bytes()),
        ));
    }
    for m in &input.polarities.mentions {
        sparse.push(bucket(Fnv::new(b'm').bytes(&[m.polarity as u8])));
    }

    let scale = 1.0 / sparse_scale(&mut sparse);
    let mut entries: Vec<(u32, f32)> = sparse.into_iter().map(|b| (b, scale)).collect();
    let dense_from = entries.len();

    // Dense cue sums, squashed so one very long comment stays in range.
    let mut sums = [0.0f32; 4]; // pos, neg, pos after contrast, neg after contrast
    for cue in &input.polarities.cues {
        let contrast = input.clauses[cue.clause].after_contrast as usize * 2;
        if cue.value > 0.0 {
            sums[contrast] += cue.value;
        } else {
            sums[contrast + 1] -= cue.value;
        }
    }
    // Dense features, each in its own bucket under the `d` namespace.
    let mut dense = |name: &[u8], value: f32| {
        entries.push((bucket(Fnv::new(b'd').bytes(name)), value));
    };
    for (i, s) in sums.iter().enumerate() {
        dense(&[i as u8], (s / 3.0).tanh());
    }
    // The shape of the comment, which decides neutral more than any word
    // does: praise and blame together with no verdict (mixed), no evaluation
    // at all (a question, a request, a factual note), and the sign of the
    // last sentence, where an overall verdict usually stands (总的来说…).
    let (praise, blame) = (sums[0] + sums[2], sums[1] + sums[3]);
    dense(b"mixed", (praise.min(blame) / 3.0).tanh());
    let judged = |p: crate::Polarity| input.polarities.mentions.iter().any(|m| m.polarity == p);
    let shape: &[u8] = match (
        judged(crate::Polarity::Positive),
        judged(crate::Polarity::Negative),
    ) {
        (true, true) => b"mentions both",
        (true, false) => b"mentions positive",
        (false, true) => b"mentions negative",
        (false, false) if input.polarities.cues.is_empty() => b"no evaluation",
        (false, false) => b"cues only",
    };
    dense(shape, 1.0);
    if input.clauses.iter().any(|c| c.question) {
        dense(b"question", 1.0);
    }
    let last_sentence = input.clauses.last().map_or(0, |c| c.sentence);
    let last: f32 = input
        .polarities
        .cues
        .iter()
        .filter(|c| input.clauses[c.clause].sentence == last_sentence)
        .map(|c| c.value)
        .sum();
    dense(b"last sentence", (last / 3.0).tanh());
    dense(b"vader+", (valence[0] / 4.0).tanh());
    dense(b"vader-", (valence[1] / 4.0).tanh());
    dense(b"vader last sentence", (valence[2] / 4.0).tanh());
    dense(b"bias", 1.0);
    Features {
        entries,
        dense_from,
    }
}

/// The divisor of every sparse feature: sqrt(entries), the length of a
/// comment that repeats no feature, so an ordinary comment's sparse part
/// has length sqrt(Σ count²) / sqrt(entries), a little above 1 where words
/// and characters repeat. That ratio grows with repetition (a sentence
/// written k times weighs sqrt(k) times as much, and its words outvote the
/// bounded dense features: a megabyte of one complaint read neutral), so
/// the length is capped at [`MAX_SPARSE_LENGTH`]. Normalising every comment
/// to length 1 instead cost round sixteen's written comments 0.850 → 0.844
/// and litotes 0.706 → 0.675 (session 19, models/README.md): the extra
/// weight of repeated words carries signal in ordinary comments, only not
/// without bound.
fn sparse_scale(sparse: &mut [u32]) -> f32 {
    sparse.sort_unstable();
    (sparse.len().max(1) as f32)
        .sqrt()
        .max(count_length(sparse) / MAX_SPARSE_LENGTH)
}

/// sqrt(Σ count²) of sorted buckets: the Euclidean length of their counts.
fn count_length(sorted: &[u32]) -> f32 {
    let squares: usize = sorted
        .chunk_by(|a, b| a == b)
        .map(|run| run.len() * run.len())
        .sum();
    (squares as f32).sqrt()
}

/// The most the sparse part of a comment may weigh, as a Euclidean length.
const MAX_SPARSE_LENGTH: f32 = 2.0;

fn same_clause(input: &ScoringInput<'_>, a: usize, b: usize) -> bool {
    let at = |i: usize| input.tokens[i].span.start;
    let clause = |pos: usize| input.clauses.partition_point(|c| c.span.end <= pos);
    clause(at(a)) == clause(at(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Pipeline;
    use std::sync::LazyLock;

    const BUCKETS: u32 = 1 << 18;

    static PIPELINE: LazyLock<Pipeline> =
        LazyLock::new(|| Pipeline::bundled().expect("bundled pipeline"));

    /// The value a comment's features give one dense feature.
    fn dense(f: &Features, name: &[u8]) -> f32 {
        let b = (Fnv::new(b'd').bytes(name).0 % BUCKETS as u64) as u32;
        f.entries
            .iter()
            .filter(|(k, _)| *k == b)
            .map(|(_, v)| v)
            .sum()
    }

    /// The Euclidean length of the sparse features `buckets` become: the
    /// length of their counts over [`sparse_scale`]'s divisor.
    fn sparse_length(buckets: &[u32]) -> f32 {
        let mut sorted = buckets.to_vec();
        let scale = sparse_scale(&mut sorted);
        count_length(&sorted) / scale
    }

    #[test]
    fn repetition_cannot_make_the_words_outweigh_the_rest() {
        // A sentence's buckets: forty features, two of them twice (a
        // repeated character), in no order.
        let once: Vec<u32> = (0..40u32)
            .map(|i| i * 7_919 % 65_536)
            .chain([7_919, 15_838])
            .collect();
        let single = sparse_length(&once);
        assert!((0.999..MAX_SPARSE_LENGTH).contains(&single), "{single}");
        let twice = sparse_length(&once.repeat(2));
        assert!(twice > single, "below the cap, repetition still counts");
        for k in [50, 5_000] {
            let length = sparse_length(&once.repeat(k));
            assert!(
                (length - MAX_SPARSE_LENGTH).abs() < 1e-3,
                "{length} at {k}×"
            );
        }
    }

    #[test]
    fn the_shape_of_a_comment_is_a_feature() {
        let p = &*PIPELINE;
        let mixed = p.features("价格便宜，但是物流太慢了", BUCKETS);
        let blame = p.features("房间很脏", BUCKETS);
        let asked = p.features("请问怎么开发票？", BUCKETS);
        let verdict = p.features("房间很脏。总的来说还是满意", BUCKETS);

        assert!(dense(&mixed, b"mixed") > 0.0, "{mixed:?}");
        assert_eq!(dense(&blame, b"mixed"), 0.0);
        assert_eq!(dense(&mixed, b"mentions both"), 1.0);
        assert_eq!(dense(&blame, b"mentions negative"), 1.0);
        assert_eq!(dense(&blame, b"mentions both"), 0.0);
        assert_eq!(dense(&asked, b"question"), 1.0);
        assert_eq!(dense(&blame, b"question"), 0.0);
        assert!(dense(&blame, b"last sentence") < 0.0);
        assert!(dense(&verdict, b"last sentence") > 0.0);
    }

    #[test]
    fn vader_valences_count_english_words_and_flip_when_negated() {
        let p = &*PIPELINE;
        let awful = p.features("The case feels cheap and awful.", BUCKETS);
        let gorgeous = p.features("Gorgeous screen, but the case feels awful.", BUCKETS);
        let not_good = p.features("The hinge is not good.", BUCKETS);
        let chinese = p.features("外壳很单薄", BUCKETS);

        assert!(dense(&awful, b"vader-") > 0.0, "{awful:?}");
        assert_eq!(dense(&awful, b"vader+"), 0.0);
        assert!(dense(&gorgeous, b"vader+") > 0.0);
        assert!(dense(&awful, b"vader last sentence") < 0.0);
        let verdict = p.features("The case feels awful. Gorgeous screen though.", BUCKETS);
        assert!(dense(&verdict, b"vader last sentence") > 0.0, "{verdict:?}");
        // "not good": good's valence, flipped and damped.
        assert!(dense(&not_good, b"vader-") > 0.0, "{not_good:?}");
        assert_eq!(dense(&not_good, b"vader+"), 0.0);
        assert_eq!(dense(&chinese, b"vader+") + dense(&chinese, b"vader-"), 0.0);
    }
}
