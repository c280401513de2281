//! Stage 3, clauses: find the cue words (sentiment words, negators, degree
//! and contrast words) once, then split the text into clauses at sentence
//! and clause punctuation (zh and en) and before contrast words (但是, 不过,
//! but, however…). A mention's polarity is decided inside its clause, so
//! "前台很好，但是客房很脏" gives a positive and a negative mention.
//!
//! Clause spans index the normalized text.

use crate::lexicon::{CueKind, Lexicon};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub struct CueHit {
    pub span: Range<usize>,
    pub kind: CueKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub span: Range<usize>,
    /// The clause starts with a contrast word ("but the room was dirty").
    pub after_contrast: bool,
    /// Clauses with the same number belong to one sentence and are on the same
    /// side of any contrast word: a mention whose own clause says nothing may
    /// take its polarity from them ("installed in an hour, very professional").
    pub sentence: usize,
    /// The clause ends with a question mark or a question particle (吗).
    pub question: bool,
}

/// Every cue in `text`, sorted, without the blockers.
pub fn scan_cues(lexicon: &Lexicon, text: &str) -> Vec<CueHit> {
    lexicon
        .cue_matcher
        .find(text)
        .into_iter()
        .map(|h| CueHit {
            span: h.span,
            kind: lexicon.cue_kinds[h.pattern],
        })
        .filter(|h| h.kind != CueKind::Block)
        .collect()
}

/// Punctuation that ends a sentence, not only a clause.
fn ends_sentence(c: char) -> bool {
    matches!(c, '。' | '!' | '?' | ';' | '…' | '\n' | '｡' | '.')
}

fn is_break(text: &str, at: usize, c: char) -> bool {
    match c {
        '。' | '!' | '?' | ';' | ',' | '、' | '…' | '~' | '\n' | '｡' | '︰' => true,
        // A full stop ends a clause unless it sits inside a number (3.5).
        '.' => {
            let before = text[..at].chars().next_back();
            let after = text[at + 1..].chars().next();
            !(before.is_some_and(|b| b.is_ascii_digit())
                && after.is_some_and(|a| a.is_ascii_digit()))
        }
        _ => false,
    }
}

/// A Chinese question often ends in 吗 or 么 with no question mark (请问电费
/// 可以用信用卡交吗, 能退款么); 呢 is left out, since it also ends statements
/// (还没到呢), and so is 么 as the end of 什么, 怎么, 这么, 那么, 多么, 要么
/// (没什么, 不知道说什么).
fn ends_with_question_particle(clause: &str) -> bool {
    let mut back = clause.chars().rev();
    match back.next() {
        Some('吗') => true,
        Some('么') => !matches!(back.next(), Some('什' | '怎' | '这' | '那' | '多' | '要')),
        _ => false,
    }
}

/// Splits at punctuation and before each contrast cue. Clauses are trimmed
/// and never empty; their spans are sorted and disjoint.
pub fn split_clauses(text: &str, cues: &[CueHit]) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut start = 0;
    let mut after_contrast = false;
    let mut sentence = 0;
    // End of the contrast word that opened the current clause: a break right
    // after it ("however, …") carries the contrast over to the next piece.
    let mut contrast_end = 0;
    let mut contrasts = cues
        .iter()
        .filter(|c| c.kind == CueKind::Contrast)
        .map(|c| c.span.clone())
        .peekable();
    let push =
        |from: usize, to: usize, after_contrast: bool, sentence: usize, out: &mut Vec<Clause>| {
            let piece = &text[from..to];
            let trimmed = piece.trim_start_matches(' ');
            let lead = piece.len() - trimmed.len();
            let trimmed = trimmed.trim_end_matches(' ');
            if !trimmed.is_empty() {
                out.push(Clause {
                    span: from + lead..from + lead + trimmed.len(),
                    after_contrast,
                    sentence,
                    question: text[to..].starts_with('?') || ends_with_question_particle(trimmed),
                });
            }
        };
    for (at, c) in text.char_indices() {
        while contrasts.peek().is_some_and(|s| s.start < at) {
            contrasts.next();
        }
        if let Some(span) = contrasts.next_if(|s| s.start == at) {
            push(start, at, after_contrast, sentence, &mut clauses);
            sentence += 1;
            start = at;
            after_contrast = true;
            contrast_end = span.end;
        }
        if is_break(text, at, c) {
            let only_contrast = after_contrast && text[contrast_end..at].trim().is_empty();
            if !only_contrast {
                push(start, at, after_contrast, sentence, &mut clauses);
                after_contrast = false;
            }
            if ends_sentence(c) {
                sentence += 1;
            }
            start = at + c.len_utf8();
        }
    }
    push(start, text.len(), after_contrast, sentence, &mut clauses);
    clauses
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static LEXICON: LazyLock<Lexicon> =
        LazyLock::new(|| Lexicon::bundled().expect("bundled lexicons load"));

    fn clauses(text: &str) -> Vec<(&str, bool)> {
        let cues = scan_cues(&LEXICON, text);
        split_clauses(text, &cues)
            .into_iter()
            .map(|c| (&text[c.span], c.after_contrast))
            .collect()
    }

    #[test]
    fn splits_at_punctuation_and_contrast_words() {
        let cases: &[(&str, &[(&str, bool)])] = &[
            (
                "前台很好,但是客房很脏",
                &[("前台很好", false), ("但是客房很脏", true)],
            ),
            (
                "前台很好但客房很脏",
                &[("前台很好", false), ("但客房很脏", true)],
            ),
            (
                "东西不错,不过物流太慢了!",
                &[("东西不错", false), ("不过物流太慢了", true)],
            ),
            (
                "回复慢。态度差;没解决",
                &[("回复慢", false), ("态度差", false), ("没解决", false)],
            ),
            (
                "the room was clean but the desk was rude.",
                &[
                    ("the room was clean", false),
                    ("but the desk was rude", true),
                ],
            ),
            (
                "it costs 3.5 dollars. however, fine",
                &[("it costs 3.5 dollars", false), ("fine", true)],
            ),
            (
                "fast, cheap; ok? yes!",
                &[
                    ("fast", false),
                    ("cheap", false),
                    ("ok", false),
                    ("yes", false),
                ],
            ),
            ("", &[]),
            (" , 。", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(&clauses(text), want, "text {text:?}");
        }
    }

    #[test]
    fn sentences_group_clauses_until_a_full_stop_or_contrast() {
        let text = "装得很快,师傅很专业。但是价格贵,难道不能便宜点吗?";
        let cues = scan_cues(&LEXICON, text);
        let got: Vec<(usize, bool)> = split_clauses(text, &cues)
            .iter()
            .map(|c| (c.sentence, c.question))
            .collect();
        assert_eq!(got, vec![(0, false), (0, false), (2, false), (2, true)]);
    }

    #[test]
    fn contrast_inside_another_word_does_not_split() {
        // 不但, 忙不过来 and 转不过去 hold 但 and 不过 without meaning "but".
        assert_eq!(clauses("不但便宜而且快"), vec![("不但便宜而且快", false)]);
        assert_eq!(clauses("客服忙不过来"), vec![("客服忙不过来", false)]);
        assert_eq!(clauses("人工转不过去"), vec![("人工转不过去", false)]);
    }

    #[test]
    fn a_question_particle_without_a_mark_is_a_question() {
        let questions = |text: &str| -> Vec<bool> {
            let cues = scan_cues(&LEXICON, text);
            split_clauses(text, &cues)
                .iter()
                .map(|c| c.question)
                .collect()
        };
        assert_eq!(questions("请问可以用信用卡交吗"), vec![true]);
        assert_eq!(questions("能退款么,急用"), vec![true, false]);
        assert_eq!(questions("还没到呢"), vec![false]);
        assert_eq!(questions("还好,没什么"), vec![false, false]);
        assert_eq!(questions("不知道说什么"), vec![false]);
        assert_eq!(questions("退款到了"), vec![false]);
    }
}
