//! Dictionary matching over normalized text, shared by theme terms and cues.
//!
//! One Aho-Corasick automaton finds every occurrence of every pattern's head
//! (the whole pattern when it has no `{a|b}` groups; see
//! [`super::pattern`]), the pieces after a head are checked where it is
//! found, and two rules pick the matches that count:
//! * a pattern whose first (last) character is a Latin letter or digit must
//!   start (end) on a word boundary, so `reply` does not fire inside
//!   `replying`; a pattern written with a trailing `*` may end inside a word;
//! * where valid matches overlap, the leftmost wins, then the longest, so a
//!   specific phrase (`客服机器人`) beats a general one (`客服`) and an
//!   exclusion hides whatever it covers.
//!
//! The result is the same as matching every form of every pattern as a
//! literal string, which is how the rules above read; a property test checks
//! that.
//!
//! Digits are folded to `0` on both sides before matching, so a pattern's
//! digits stand for any digits of the same count.
//!
//! Chinese patterns match as substrings: Chinese has no spaces, and the
//! exclusion lists handle terms that hide inside unrelated words.

pub use super::pattern::Pattern;
use super::pattern::Piece;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub span: Range<usize>,
    /// Index of the pattern in the order given to [`Matcher::new`].
    pub pattern: usize,
}

pub struct Matcher {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
    /// The patterns each head of the automaton starts: head `h`'s are
    /// `continuations[head_starts[h]..head_starts[h + 1]]`. One flat list
    /// rather than a `Vec` per head: a head found costs one fewer pointer
    /// to chase, and the find loop is bound by such loads.
    head_starts: Vec<u32>,
    continuations: Vec<Continuation>,
    /// Per pattern: the pieces after any of its heads, digits folded.
    rests: Rests,
}

/// The pieces after the heads of every pattern, each as its alternatives
/// (a literal is one), in flat lists: checking a pattern's rest walks
/// memory that sits together instead of a `Vec` per piece.
#[derive(Default)]
struct Rests {
    /// Per pattern: its pieces, a range of `pieces`.
    patterns: Vec<Range<u32>>,
    /// Per piece: its alternatives, a range of `alternatives`.
    pieces: Vec<Range<u32>>,
    alternatives: Vec<Alternative>,
}

impl Rests {
    fn push(&mut self, rest: &[Piece]) {
        let first = self.pieces.len() as u32;
        for piece in rest {
            let start = self.alternatives.len() as u32;
            match piece {
                Piece::Literal(s) => self.alternatives.push(Alternative::new(s)),
                Piece::Group(alternatives) => self
                    .alternatives
                    .extend(alternatives.iter().map(|a| Alternative::new(a))),
            }
            self.pieces.push(start..self.alternatives.len() as u32);
        }
        self.patterns.push(first..self.pieces.len() as u32);
    }

    /// The alternatives of piece `i`.
    fn piece(&self, i: u32) -> &[Alternative] {
        let r = &self.pieces[i as usize];
        &self.alternatives[r.start as usize..r.end as usize]
    }
}

/// One way to spell a piece after a head, its spaces read once when the
/// matcher is built rather than at every head found.
struct Alternative {
    /// The text between the piece's leading and trailing spaces.
    word: Box<[u8]>,
    /// Its first two bytes (one, when it has one), kept here so that most
    /// alternatives that do not fit are ruled out without loading `word`.
    lead: [u8; 2],
    /// The piece starts with a space.
    space_first: bool,
    /// The piece ends with a space (a piece of spaces only both starts and
    /// ends with one; an empty alternative does neither).
    space_last: bool,
}

impl Alternative {
    fn new(piece: &str) -> Alternative {
        let word: Box<[u8]> = fold_digits(piece.trim_matches(' ')).as_bytes().into();
        let byte = |i: usize| word.get(i).copied().unwrap_or(0);
        Alternative {
            lead: [byte(0), byte(1)],
            word,
            space_first: piece.starts_with(' '),
            space_last: piece.ends_with(' '),
        }
    }
}

/// A pattern that one head starts.
struct Continuation {
    pattern: usize,
    /// A space must follow the head.
    space_after: bool,
    /// The pattern has pieces after the head (`rests[pattern]` is not
    /// empty); most are single words that end with their head.
    more: bool,
    /// The pattern's [`Pattern::prefix`], copied here so that checking a
    /// match's end does not load the pattern.
    prefix: bool,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("patterns", &self.patterns.len())
            .finish()
    }
}

/// A character that continues a Latin word: letters of alphabetic scripts
/// other than Han, digits, and the apostrophe inside `don't`.
pub fn is_word_char(c: char) -> bool {
    // Han before the Unicode tables: most non-ASCII text here is Chinese, and
    // the range check settles it without a table lookup.
    c.is_ascii_alphanumeric()
        || c == '\''
        || (!c.is_ascii() && !crate::segment::is_han(c) && c.is_alphanumeric())
}

/// Every ASCII digit as `0`, so that a pattern with `0` matches any digit
/// there ("took 00 days" matches "took 14 days"). Same length, so spans in
/// the folded text are spans in the original.
fn fold_digits(text: &str) -> std::borrow::Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        let folded: String = text
            .chars()
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect();
        std::borrow::Cow::Owned(folded)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

impl Matcher {
    pub fn new(patterns: Vec<Pattern>) -> Matcher {
        let mut head_index: std::collections::HashMap<String, usize> = Default::default();
        let mut head_texts: Vec<String> = Vec::new();
        let mut heads: Vec<Vec<Continuation>> = Vec::new();
        let mut rests = Rests::default();
        for (i, pattern) in patterns.iter().enumerate() {
            let (pattern_heads, rest) = pattern.heads();
            rests.push(rest);
            for (head, space_after) in pattern_heads {
                let head = fold_digits(&head).into_owned();
                let at = *head_index.entry(head).or_insert_with_key(|head| {
                    head_texts.push(head.clone());
                    heads.push(Vec::new());
                    heads.len() - 1
                });
                heads[at].push(Continuation {
                    pattern: i,
                    space_after,
                    more: !rest.is_empty(),
                    prefix: pattern.prefix,
                });
            }
        }
        let mut head_starts = Vec::with_capacity(heads.len() + 1);
        head_starts.push(0);
        let mut continuations = Vec::new();
        for head in heads {
            continuations.extend(head);
            head_starts.push(continuations.len() as u32);
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&head_texts)
            .expect("lexicon patterns are short strings; the automaton always builds");
        Matcher {
            automaton,
            patterns,
            head_starts,
            continuations,
            rests,
        }
    }

    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// All counted matches in `text`, sorted by start, non-overlapping.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let folded = fold_digits(text);
        let folded = folded.as_bytes();
        let mut candidates: Vec<Hit> = Vec::new();
        let mut ends: Vec<usize> = Vec::new();
        for m in self.automaton.find_overlapping_iter(folded) {
            // Most heads found are short words inside longer ones (`a` in
            // `can`, `he` in `the`); whether one may start here is the same
            // for every pattern of the head, so it is asked once, first.
            if !starts_on_boundary(text, m.start()) {
                continue;
            }
            let head = m.pattern().as_usize();
            let of_head = self.head_starts[head] as usize..self.head_starts[head + 1] as usize;
            for c in &self.continuations[of_head] {
                let on_boundary = |&end: &usize| ends_on_boundary(text, m.start(), end, c.prefix);
                let longest = if c.more {
                    ends.clear();
                    let rest = self.rests.patterns[c.pattern].clone();
                    continue_after(&self.rests, rest, folded, m.end(), c.space_after, &mut ends);
                    // Of the forms that start here, only the longest can be chosen.
                    ends.iter().copied().filter(on_boundary).max()
                } else {
                    Some(m.end()).filter(on_boundary)
                };
                if let Some(end) = longest {
                    candidates.push(Hit {
                        span: m.start()..end,
                        pattern: c.pattern,
                    });
                }
            }
        }
        // Leftmost first, then longest; ties by pattern order keep it deterministic.
        candidates.sort_by(|a, b| {
            a.span
                .start
                .cmp(&b.span.start)
                .then(b.span.end.cmp(&a.span.end))
                .then(a.pattern.cmp(&b.pattern))
        });
        let mut chosen: Vec<Hit> = Vec::new();
        for hit in candidates {
            if chosen
                .last()
                .is_none_or(|last| hit.span.start >= last.span.end)
            {
                chosen.push(hit);
            }
        }
        chosen
    }
}

/// Whether a match from `start` may end at `end`: not inside a word, when
/// it ends with a word character, unless its pattern is a `prefix` (see
/// [`starts_on_boundary`] for its start).
fn ends_on_boundary(text: &str, start: usize, end: usize, prefix: bool) -> bool {
    let last = text[start..end].chars().next_back();
    if !prefix && last.is_some_and(is_word_char) {
        if let Some(after) = text[end..].chars().next() {
            if is_word_char(after) {
                return false;
            }
        }
    }
    true
}

/// Whether a match may start at `start`: not inside a word, when it starts
/// with a word character. The matched text's first and last characters
/// stand for the form's: they are equal but for digits, and a digit is a
/// word character either way.
fn starts_on_boundary(text: &str, start: usize) -> bool {
    let first = text[start..].chars().next();
    if first.is_some_and(is_word_char) {
        if let Some(before) = text[..start].chars().next_back() {
            if is_word_char(before) && before != '\'' {
                return false;
            }
        }
    }
    true
}

/// Every end at which `rest` matches `text` from `at`, spaces closing up as
/// in a form: `space_before` is a space owed before the next word, paid
/// only if a word follows (so `took {over|} 3` matches "took 3" and
/// "took over 3", and `foo {bar|}` matches "foo." as "foo").
fn continue_after(
    rests: &Rests,
    rest: Range<u32>,
    text: &[u8],
    at: usize,
    space_before: bool,
    ends: &mut Vec<usize>,
) {
    if rest.is_empty() {
        ends.push(at);
        return;
    }
    let more = rest.start + 1..rest.end;
    for alternative in rests.piece(rest.start) {
        if let Some((next, space)) = step(alternative, text, at, space_before) {
            continue_after(rests, more.clone(), text, next, space, ends);
        }
    }
}

/// Matches one piece at `at`: where it ends, and whether a space is owed
/// after it. A piece of spaces only owes one; an empty alternative passes
/// on what was owed before it.
fn step(piece: &Alternative, text: &[u8], at: usize, space_before: bool) -> Option<(usize, bool)> {
    let word = &*piece.word;
    if word.is_empty() {
        return Some((at, space_before || piece.space_last));
    }
    let mut at = at;
    if space_before || piece.space_first {
        if text.get(at) != Some(&b' ') {
            return None;
        }
        at += 1;
    }
    // Most alternatives fail on their first two bytes ({n} has sixty):
    // checking those first skips loading and comparing the rest.
    let lead_fits = text.get(at) == Some(&piece.lead[0])
        && (word.len() == 1 || text.get(at + 1) == Some(&piece.lead[1]));
    let fits = lead_fits && text[at..].starts_with(word);
    fits.then(|| (at + word.len(), piece.space_last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn matcher(words: &[&str]) -> Matcher {
        Matcher::new(words.iter().map(|w| Pattern::parse(w).unwrap()).collect())
    }

    fn found<'t>(m: &Matcher, text: &'t str) -> Vec<&'t str> {
        m.find(text).iter().map(|h| &text[h.span.clone()]).collect()
    }

    #[test]
    fn english_terms_need_word_boundaries() {
        let m = matcher(&["reply", "hold"]);
        assert_eq!(
            found(&m, "no reply, replying, on hold."),
            vec!["reply", "hold"]
        );
        assert_eq!(found(&m, "客服reply太慢"), vec!["reply"]);
    }

    #[test]
    fn trailing_star_matches_word_prefixes() {
        let m = matcher(&["transfer*"]);
        assert_eq!(
            found(&m, "transferred, transfers"),
            vec!["transfer", "transfer"]
        );
    }

    #[test]
    fn longest_match_wins_and_exclusions_cover_terms() {
        let m = matcher(&["客服", "客服机器人", "态度", "学习态度"]);
        let text = "客服机器人的学习态度";
        let hits = m.find(text);
        assert_eq!(found(&m, text), vec!["客服机器人", "学习态度"]);
        assert_eq!(hits[0].pattern, 1);
    }

    #[test]
    fn digits_match_any_digits_of_the_same_count() {
        let m = matcher(&["took 00 days", "等了0天"]);
        assert_eq!(
            found(&m, "it took 14 days, 等了3天, took 5 days"),
            vec!["took 14 days", "等了3天"]
        );
    }

    #[test]
    fn chinese_matches_substrings() {
        let m = matcher(&["退款"]);
        assert_eq!(found(&m, "申请退款三天"), vec!["退款"]);
    }

    #[test]
    fn multi_word_terms_and_apostrophes() {
        let m = matcher(&["on hold", "don't", "n't"]);
        assert_eq!(
            found(&m, "i don't like being on hold"),
            vec!["don't", "on hold"]
        );
    }

    #[test]
    fn groups_match_every_form_and_spaces_close_up() {
        let m = matcher(&["took {over|about|} {n} {day|days}", "foo {bar|}"]);
        assert_eq!(
            found(&m, "it took 3 days, took over two days, tookover 3 days"),
            vec!["took 3 days", "took over two days"]
        );
        assert_eq!(found(&m, "foo. foo bar, foobar"), vec!["foo", "foo bar"]);
    }

    #[test]
    fn a_pattern_of_groups_only_matches_its_forms() {
        let m = matcher(&["{又转接|再转接}", "转接"]);
        assert_eq!(found(&m, "又转接了,转接"), vec!["又转接", "转接"]);
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ab 转0]{1,3}",
            proptest::collection::vec("[ab 转0]{0,2}", 1..4)
                .prop_map(|alternatives| format!("{{{}}}", alternatives.join("|"))),
        ]
    }

    proptest! {
        /// The matcher finds what matching every form as a literal would.
        #[test]
        fn a_grouped_pattern_matches_like_its_forms(
            pieces in proptest::collection::vec(piece(), 1..4),
            text in "[ab 转0.]{0,12}",
        ) {
            let pattern = Pattern::parse(&pieces.concat()).expect("generated groups are well formed");
            let mut forms = pattern.forms();
            forms.sort();
            forms.dedup();
            forms.retain(|f| !f.is_empty());
            prop_assume!(!forms.is_empty());
            let grouped = Matcher::new(vec![pattern]);
            let literal = Matcher::new(forms.into_iter().map(|f| Pattern::literal(f, false)).collect());
            let spans = |m: &Matcher| m.find(&text).into_iter().map(|h| h.span).collect::<Vec<_>>();
            prop_assert_eq!(spans(&grouped), spans(&literal));
        }
    }
}
