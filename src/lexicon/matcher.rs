//! Dictionary matching over normalized text, shared by theme terms and cues.
//!
//! One Aho-Corasick automaton finds every occurrence of every pattern; then
//! two rules pick the matches that count:
//! * a pattern whose first (last) character is a Latin letter or digit must
//!   start (end) on a word boundary, so `reply` does not fire inside
//!   `replying`; a pattern written with a trailing `*` may end inside a word;
//! * where valid matches overlap, the leftmost wins, then the longest, so a
//!   specific phrase (`客服机器人`) beats a general one (`客服`) and an
//!   exclusion hides whatever it covers.
//!
//! Digits are folded to `0` on both sides before matching, so a pattern's
//! digits stand for any digits of the same count.
//!
//! Chinese patterns match as substrings: Chinese has no spaces, and the
//! exclusion lists handle terms that hide inside unrelated words.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::ops::Range;

/// One pattern as written in a lexicon, normalized.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    /// A trailing `*` in the lexicon: the match may end inside a word.
    pub prefix: bool,
}

impl Pattern {
    /// Parses a lexicon term: normalizes it and strips a trailing `*`.
    pub fn parse(raw: &str) -> Pattern {
        let normalized = crate::normalize::normalize(raw.trim()).text;
        let trimmed = normalized.trim();
        match trimmed.strip_suffix('*') {
            Some(stem) => Pattern {
                text: stem.trim_end().to_string(),
                prefix: true,
            },
            None => Pattern {
                text: trimmed.to_string(),
                prefix: false,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub span: Range<usize>,
    /// Index of the pattern in the order given to [`Matcher::new`].
    pub pattern: usize,
}

pub struct Matcher {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
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
    c.is_ascii_alphanumeric()
        || c == '\''
        || (c.is_alphanumeric() && !crate::segment::is_han(c) && !c.is_ascii())
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
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(patterns.iter().map(|p| fold_digits(&p.text).into_owned()))
            .expect("lexicon patterns are short strings; the automaton always builds");
        Matcher {
            automaton,
            patterns,
        }
    }

    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// All counted matches in `text`, sorted by start, non-overlapping.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let folded = fold_digits(text);
        let mut candidates: Vec<Hit> = self
            .automaton
            .find_overlapping_iter(folded.as_ref())
            .filter(|m| self.on_boundaries(text, m.start(), m.end(), m.pattern().as_usize()))
            .map(|m| Hit {
                span: m.start()..m.end(),
                pattern: m.pattern().as_usize(),
            })
            .collect();
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

    fn on_boundaries(&self, text: &str, start: usize, end: usize, pattern: usize) -> bool {
        let pat = &self.patterns[pattern];
        let first = pat.text.chars().next();
        let last = pat.text.chars().next_back();
        if first.is_some_and(is_word_char) {
            if let Some(before) = text[..start].chars().next_back() {
                if is_word_char(before) && before != '\'' {
                    return false;
                }
            }
        }
        if !pat.prefix && last.is_some_and(is_word_char) {
            if let Some(after) = text[end..].chars().next() {
                if is_word_char(after) {
                    return false;
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(words: &[&str]) -> Matcher {
        Matcher::new(words.iter().map(|w| Pattern::parse(w)).collect())
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
}
