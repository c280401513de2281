//! Stage 5, polarity: give each theme hit the polarity of what its clause
//! says about it, and turn hits into mentions.
//!
//! Inside one clause:
//! 1. each sentiment cue gets a value: its weight, scaled by a degree word
//!    right before it (很, very; 有点, slightly) and flipped by an odd number
//!    of negators before it within the negation window (不慢, not very
//!    helpful, 不太满意). A negator reaches forward to the first sentiment cue
//!    after it and no further;
//! 2. a term that carries a polarity (转来转去, "on hold forever") keeps it,
//!    flipped when negated (没有踢皮球); negators and cues inside such a term
//!    belong to it and act on nothing else, but a longer cue around it
//!    decides (不专业 around 专业);
//! 3. any other term takes the nearest cue of its clause (a cue inside the
//!    term, such as 慢 in 发货慢, is nearest of all);
//! 4. with no cue, a negated term is negative, since the service did not
//!    happen (没有回访, "nobody called back", "hardly ever answered"), and an
//!    unevaluated one is neutral (我申请了退款).
//!
//! One mention per (theme, polarity) per clause: the first hit stands for it,
//! and a theme with a judged mention in a clause has no neutral one there.

use crate::clauses::{Clause, CueHit};
use crate::lexicon::{CueKind, Lexicon};
use crate::segment::Token;
use crate::themes::TermHit;
use crate::Polarity;
use std::ops::Range;

/// A mention with spans in the normalized text.
#[derive(Debug, Clone, PartialEq)]
pub struct RawMention {
    pub theme: usize,
    pub term: usize,
    pub polarity: Polarity,
    pub span: Range<usize>,
    pub clause: usize,
    pub cue: Option<Range<usize>>,
    pub negated: bool,
}

/// A sentiment cue after degree and negation.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedCue {
    pub span: Range<usize>,
    pub value: f32,
    pub negated: bool,
    pub clause: usize,
}

/// What the polarity stage hands on: mentions and the resolved cues, which
/// the sentiment scorer also reads.
#[derive(Debug, Default)]
pub struct Polarities {
    pub mentions: Vec<RawMention>,
    pub cues: Vec<ResolvedCue>,
}

/// Index of the token at or after byte `at`.
fn token_index(tokens: &[Token], at: usize) -> usize {
    tokens.partition_point(|t| t.span.end <= at)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

fn distance(a: &Range<usize>, b: &Range<usize>) -> usize {
    if overlaps(a, b) {
        0
    } else if a.end <= b.start {
        b.start - a.end
    } else {
        a.start - b.end
    }
}

pub fn assign(
    lexicon: &Lexicon,
    tokens: &[Token],
    clauses: &[Clause],
    cues: &[CueHit],
    hits: &[TermHit],
) -> Polarities {
    let mut out = Polarities::default();
    let window = lexicon.negation_window;
    // Cues inside a term with its own polarity belong to that term.
    let fixed_spans: Vec<&Range<usize>> = hits
        .iter()
        .filter(|h| {
            lexicon.terms[h.term]
                .as_ref()
                .is_some_and(|t| t.polarity.is_some())
        })
        .map(|h| &h.span)
        .collect();
    // A cue that strictly contains such a term is more specific and stays:
    // 不专业 (a negative cue) around 专业 (a positive term).
    let contains = |outer: &Range<usize>, inner: &Range<usize>| {
        outer.start <= inner.start && inner.end <= outer.end && outer.len() > inner.len()
    };
    let free = |c: &&CueHit| {
        !fixed_spans
            .iter()
            .any(|s| overlaps(s, &c.span) && !contains(&c.span, s))
    };

    let mut cue_at = 0;
    let mut hit_at = 0;
    for (ci, clause) in clauses.iter().enumerate() {
        let in_clause = |s: &Range<usize>| s.start >= clause.span.start && s.end <= clause.span.end;
        while cue_at < cues.len() && cues[cue_at].span.end <= clause.span.start {
            cue_at += 1;
        }
        let clause_cues: Vec<&CueHit> = cues[cue_at..]
            .iter()
            .take_while(|c| c.span.start < clause.span.end)
            .filter(|c| in_clause(&c.span))
            .filter(free)
            .collect();
        let first_resolved = out.cues.len();
        resolve_cues(&clause_cues, tokens, window, ci, &mut out.cues);
        let resolved = &out.cues[first_resolved..];

        while hit_at < hits.len() && hits[hit_at].span.end <= clause.span.start {
            hit_at += 1;
        }
        let first_mention = out.mentions.len();
        for hit in hits[hit_at..]
            .iter()
            .take_while(|h| h.span.start < clause.span.end)
            .filter(|h| in_clause(&h.span))
        {
            let term = lexicon.terms[hit.term]
                .as_ref()
                .expect("find_terms drops exclusions");
            let negated = is_negated(&clause_cues, tokens, window, &hit.span);
            let covering = resolved.iter().find(|c| contains(&c.span, &hit.span));
            let (polarity, cue, negated) = match (term.polarity, covering) {
                (Some(_), Some(c)) => (Polarity::of(c.value), Some(c.span.clone()), c.negated),
                (Some(p), None) => (if negated { p.flip() } else { p }, None, negated),
                (None, _) => match nearest(resolved, &hit.span) {
                    Some(c) => (Polarity::of(c.value), Some(c.span.clone()), c.negated),
                    None if negated => (Polarity::Negative, None, true),
                    None => (Polarity::Neutral, None, false),
                },
            };
            let duplicate = out.mentions[first_mention..]
                .iter()
                .any(|m| m.theme == term.theme && m.polarity == polarity);
            if !duplicate {
                out.mentions.push(RawMention {
                    theme: term.theme,
                    term: hit.term,
                    polarity,
                    span: hit.span.clone(),
                    clause: ci,
                    cue,
                    negated,
                });
            }
        }
        // A theme judged in this clause is not also "neutral" in it: 驱动装不上
        // is one negative installation mention, not a negative and a neutral one.
        let clause_mentions = &out.mentions[first_mention..];
        let judged: Vec<usize> = clause_mentions
            .iter()
            .filter(|m| m.polarity != Polarity::Neutral)
            .map(|m| m.theme)
            .collect();
        let mut i = first_mention;
        while i < out.mentions.len() {
            let m = &out.mentions[i];
            if m.polarity == Polarity::Neutral && judged.contains(&m.theme) {
                out.mentions.remove(i);
            } else {
                i += 1;
            }
        }
    }
    out.mentions.sort_by_key(|m| (m.span.start, m.span.end));
    out
}

fn resolve_cues(
    clause_cues: &[&CueHit],
    tokens: &[Token],
    window: usize,
    clause: usize,
    out: &mut Vec<ResolvedCue>,
) {
    for (i, cue) in clause_cues.iter().enumerate() {
        let CueKind::Sentiment(weight) = cue.kind else {
            continue;
        };
        let mut value = weight;
        if let Some(prev) = i.checked_sub(1).map(|p| clause_cues[p]) {
            if let CueKind::Degree(factor) = prev.kind {
                let gap =
                    token_index(tokens, cue.span.start) - token_index(tokens, prev.span.start);
                if gap <= 1 {
                    value *= factor;
                }
            }
        }
        let negated = is_negated(&clause_cues[..i], tokens, window, &cue.span);
        if negated {
            // "不慢" is fine, not fast: a negated cue is weaker than its opposite.
            value = -value * 0.8;
        }
        out.push(ResolvedCue {
            span: cue.span.clone(),
            value,
            negated,
            clause,
        });
    }
}

/// An odd number of negators before `target` in the clause, each within the
/// window and with no sentiment cue between it and the target.
fn is_negated(
    clause_cues: &[&CueHit],
    tokens: &[Token],
    window: usize,
    target: &Range<usize>,
) -> bool {
    let target_token = token_index(tokens, target.start);
    let mut count = 0;
    for cue in clause_cues.iter().rev() {
        if cue.span.start >= target.start {
            continue;
        }
        match cue.kind {
            CueKind::Sentiment(_) if cue.span.end <= target.start => break,
            CueKind::Negator if cue.span.end <= target.start || overlaps(&cue.span, target) => {
                if overlaps(&cue.span, target) {
                    continue;
                }
                let gap = target_token.saturating_sub(token_index(tokens, cue.span.start));
                if gap <= window {
                    count += 1;
                } else {
                    break;
                }
            }
            _ => {}
        }
    }
    count % 2 == 1
}

/// The resolved cue nearest to `span`; on a tie the later one, since the
/// predicate usually follows its subject (回复很慢, "the room was dirty").
fn nearest<'c>(cues: &'c [ResolvedCue], span: &Range<usize>) -> Option<&'c ResolvedCue> {
    cues.iter()
        .filter(|c| c.value != 0.0)
        .min_by_key(|c| (distance(&c.span, span), std::cmp::Reverse(c.span.start)))
}
