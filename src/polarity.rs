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
//! With no cue in its clause, a term takes the polarity of a term with its
//! own polarity in the clause (安装师傅很有耐心: 耐心 holds the cue), then
//! looks further, in this order: the nearest cue of its sentence (same side of any contrast word), a term with
//! its own polarity in that sentence, the opposite of the sentence before
//! when its own sentence opens with a contrast word ("friendly, but it took
//! forty minutes"), and the comment's tone: the sign of all its cues and
//! fixed-polarity terms together. Where all of that says nothing (no cue in
//! the comment, or praise and blame that cancel), a mention is left
//! unevaluated here, and the pipeline then gives it the comment's
//! sentiment ("i am still trying to resolve it four months later" states a
//! complaint with no complaint word), see [`PolarityFrom::Comment`].
//!
//! One mention per (theme, polarity) per clause: the first hit stands for it,
//! and a theme with a judged mention in a clause has no neutral one there.
//!
//! Every lookup is a binary search or a single pass over sorted spans, so a
//! megabyte comment costs linear time.

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
    /// `None`: flagged by the theme model, not matched by a term.
    pub term: Option<usize>,
    pub polarity: Polarity,
    pub span: Range<usize>,
    pub clause: usize,
    pub cue: Option<Range<usize>>,
    pub negated: bool,
    pub from: PolarityFrom,
}

/// What set a mention's polarity: the `polarity_from` column, so an analyst
/// can see why a tag reads as it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolarityFrom {
    /// A sentiment cue of its clause or sentence (the `cue` column).
    Cue,
    /// The term's own polarity (转来转去, "on hold forever"), maybe negated.
    Term,
    /// A negated term with no cue: the service did not happen (没有回访).
    Negation,
    /// Another judged term, the sentence before a contrast word, or the tone
    /// of the comment's cues.
    Context,
    /// Nothing in the comment judges it (no cue, or cues that cancel), so
    /// the pipeline gave it the comment's sentiment.
    Comment,
    /// Nothing judges it: neutral (我申请了退款). The pipeline turns it into
    /// `Comment` when the comment's sentiment is not neutral.
    Nothing,
    /// The model's polarity head overruled the rules (the `cue` and
    /// `negated` columns still show what they saw, `rule_polarity` what
    /// they said).
    Model,
}

impl PolarityFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            PolarityFrom::Cue => "cue",
            PolarityFrom::Term => "term",
            PolarityFrom::Negation => "negation",
            PolarityFrom::Context => "context",
            PolarityFrom::Comment => "comment",
            PolarityFrom::Nothing => "nothing",
            PolarityFrom::Model => "model",
        }
    }
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
    /// Themes of mentions that gave way to another theme
    /// (see `give_way`): found, so that the theme model does not add them back.
    pub yielded: Vec<usize>,
}

impl Polarities {
    /// Per theme (of `themes`): whether a mention of it was found.
    pub fn themes_found(&self, themes: usize) -> Vec<bool> {
        let mut found = vec![false; themes];
        for m in &self.mentions {
            found[m.theme] = true;
        }
        for &theme in &self.yielded {
            found[theme] = true;
        }
        found
    }
}

/// Index of the token at or after byte `at`.
fn token_index(tokens: &[Token], at: usize) -> usize {
    tokens.partition_point(|t| t.span.end <= at)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// `outer` strictly contains `inner`: 不专业 (a negative cue) around 专业 (a
/// positive term) is more specific than the term.
fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end && outer.len() > inner.len()
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
    let window = lexicon.negation_window;
    let fixed = |h: &TermHit| {
        h.term
            .and_then(|t| lexicon.terms[t].as_ref())
            .and_then(|t| t.polarity)
    };
    let clause_of = clause_index(clauses, hits.iter().map(|h| &h.span));

    // Cues inside a term with its own polarity belong to that term, unless
    // they strictly contain it. Both lists are sorted, so one sweep does.
    let fixed_spans: Vec<&Range<usize>> = hits
        .iter()
        .filter(|h| fixed(h).is_some())
        .map(|h| &h.span)
        .collect();
    let mut f = 0;
    let free: Vec<&CueHit> = cues
        .iter()
        .filter(|c| {
            while f < fixed_spans.len() && fixed_spans[f].end <= c.span.start {
                f += 1;
            }
            !fixed_spans[f..]
                .iter()
                .take_while(|s| s.start < c.span.end)
                .any(|s| overlaps(s, &c.span) && !contains(&c.span, s))
        })
        .collect();

    // Pass 1: the cues of every clause, resolved; clause_cues[i] and
    // resolved_of[i] are ranges, since both lists follow the clause order.
    let mut resolved: Vec<ResolvedCue> = Vec::new();
    let mut clause_cues: Vec<Range<usize>> = Vec::with_capacity(clauses.len());
    let mut resolved_of: Vec<Range<usize>> = Vec::with_capacity(clauses.len());
    for (ci, clause) in clauses.iter().enumerate() {
        let from = free.partition_point(|c| c.span.start < clause.span.start);
        let to = from + free[from..].partition_point(|c| c.span.end <= clause.span.end);
        let first = resolved.len();
        resolve_cues(&free[from..to], tokens, window, ci, &mut resolved);
        if clause.question {
            question(&free[from..to], ci, first, &mut resolved);
        }
        clause_cues.push(from..to);
        resolved_of.push(first..resolved.len());
    }

    // What a mention falls back on when its own clause says nothing.
    let sentences = clauses.last().map_or(0, |c| c.sentence + 1);
    let mut sentence_cues: Vec<Option<Range<usize>>> = vec![None; sentences];
    for (ci, clause) in clauses.iter().enumerate() {
        let r = sentence_cues[clause.sentence].get_or_insert(resolved_of[ci].clone());
        r.end = resolved_of[ci].end;
    }
    // The first term with its own polarity in each clause and sentence, as
    // it reads there (negated or not): 安装师傅很有耐心 praises the
    // installer through 耐心, whose cue the term holds.
    let mut sentence_fixed: Vec<Option<Polarity>> = vec![None; sentences];
    let mut clause_fixed: Vec<Option<Polarity>> = vec![None; clauses.len()];
    for (hit, ci) in hits.iter().zip(&clause_of) {
        if let (Some(p), Some(ci)) = (fixed(hit), ci) {
            let negated = is_negated(&free[clause_cues[*ci].clone()], tokens, window, &hit.span);
            let p = if negated { p.flip() } else { p };
            if p != Polarity::Neutral {
                clause_fixed[*ci].get_or_insert(p);
                sentence_fixed[clauses[*ci].sentence].get_or_insert(p);
            }
        }
    }
    // A sentence that opens with a contrast word and says nothing itself
    // reads against the one before it: "the staff were friendly, but it took
    // forty minutes to get our keys" is a complaint about the wait.
    let mut opens_with_contrast = vec![false; sentences];
    for clause in clauses.iter().rev() {
        opens_with_contrast[clause.sentence] = clause.after_contrast;
    }
    let contrasted = |sentence: usize| -> Option<Polarity> {
        if !opens_with_contrast[sentence] || sentence == 0 {
            return None;
        }
        let sum: f32 = sentence_cues[sentence - 1]
            .clone()
            .map_or(0.0, |r| resolved[r].iter().map(|c| c.value).sum());
        // A term with its own polarity holds its cue (friendly, 热情).
        match Polarity::of(sum) {
            Polarity::Neutral => sentence_fixed[sentence - 1].map(Polarity::flip),
            p => Some(p.flip()),
        }
        .filter(|p| *p != Polarity::Neutral)
    };
    // The comment's tone: the sign of its cues and fixed-polarity terms
    // together (each term counts like a clear cue).
    let fixed_sum: f32 = hits
        .iter()
        .filter_map(fixed)
        .map(|p| match p {
            Polarity::Positive => 2.0,
            Polarity::Negative => -2.0,
            Polarity::Neutral => 0.0,
        })
        .sum();
    let tone = match Polarity::of(resolved.iter().map(|c| c.value).sum::<f32>() + fixed_sum) {
        Polarity::Neutral => None,
        p => Some(p),
    };

    // Pass 2: each hit, judged in its clause, else further out.
    let mut mentions: Vec<RawMention> = Vec::with_capacity(hits.len());
    for (hit, ci) in hits.iter().zip(clause_of) {
        let Some(ci) = ci else {
            continue; // a term across a clause break: punctuation inside a term
        };
        let own = &resolved[resolved_of[ci].clone()];
        let negated = is_negated(&free[clause_cues[ci].clone()], tokens, window, &hit.span);
        let judged = |c: &ResolvedCue| {
            let p = Polarity::of(c.value);
            (p, Some(c.span.clone()), c.negated, PolarityFrom::Cue)
        };
        let nearest_own = nearest(own, &hit.span);
        let (polarity, cue, negated, from) = match fixed(hit) {
            Some(p) => match nearest_own.filter(|c| contains(&c.span, &hit.span)) {
                Some(c) => judged(c),
                None => (
                    if negated { p.flip() } else { p },
                    None,
                    negated,
                    PolarityFrom::Term,
                ),
            },
            None => {
                let sentence = clauses[ci].sentence;
                let range = sentence_cues[sentence]
                    .clone()
                    .expect("the clause's own sentence");
                let in_sentence = &resolved[range];
                match (nearest_own, nearest(in_sentence, &hit.span)) {
                    (Some(c), _) => judged(c),
                    (None, _) if negated => {
                        (Polarity::Negative, None, true, PolarityFrom::Negation)
                    }
                    (None, _) if clause_fixed[ci].is_some() => (
                        clause_fixed[ci].expect("just checked"),
                        None,
                        false,
                        PolarityFrom::Context,
                    ),
                    (None, Some(c)) => judged(c),
                    (None, None) => {
                        match sentence_fixed[sentence]
                            .or_else(|| contrasted(sentence))
                            .or(tone)
                        {
                            Some(p) => (p, None, false, PolarityFrom::Context),
                            None => (Polarity::Neutral, None, false, PolarityFrom::Nothing),
                        }
                    }
                }
            }
        };
        mentions.push(RawMention {
            theme: hit.theme,
            term: hit.term,
            polarity,
            span: hit.span.clone(),
            clause: ci,
            cue,
            negated,
            from,
        });
    }

    // One mention per (theme, polarity) per clause, the first standing for it;
    // and a theme judged in a clause is not also "neutral" in it: 驱动装不上 is
    // one negative installation mention, not a negative and a neutral one.
    let mut seen = std::collections::HashSet::new();
    mentions.retain(|m| seen.insert((m.clause, m.theme, m.polarity)));
    let judged: std::collections::HashSet<(usize, usize)> = mentions
        .iter()
        .filter(|m| m.polarity != Polarity::Neutral)
        .map(|m| (m.clause, m.theme))
        .collect();
    mentions.retain(|m| m.polarity != Polarity::Neutral || !judged.contains(&(m.clause, m.theme)));
    mentions.sort_by_key(|m| (m.span.start, m.span.end));
    Polarities {
        mentions,
        cues: resolved,
        yielded: Vec::new(),
    }
}

/// Drops the mentions of `yields` terms whose sentence has a mention of a
/// theme their own theme gives way to, and records their themes in
/// `yielded`. A wait names no service of its own: in 快递太慢了，等了九天
/// the nine days are the delivery's, and labellers tag them so; with
/// nothing else named (等了三天才回复) the wait stays response speed. (On
/// rounds five to nine of the labelled data, each scored by the model
/// trained without it, the rule removed 18 wrong response_speed tags for 2
/// right ones.) Called once the comment is scored: the wait still speaks
/// for the comment's tone, only its tag moves.
pub fn give_way(lexicon: &Lexicon, clauses: &[Clause], polarities: &mut Polarities) {
    let mentions = &mut polarities.mentions;
    let yields = |m: &RawMention| {
        m.term
            .and_then(|t| lexicon.terms[t].as_ref())
            .is_some_and(|t| t.yields)
    };
    if !mentions.iter().any(yields) {
        return;
    }
    let named: std::collections::HashSet<(usize, usize)> = mentions
        .iter()
        .filter(|m| !yields(m))
        .map(|m| (clauses[m.clause].sentence, m.theme))
        .collect();
    let yielded = &mut polarities.yielded;
    mentions.retain(|m| {
        let sentence = clauses[m.clause].sentence;
        let mut owners = lexicon.themes[m.theme].yield_to.iter();
        let gives_way = yields(m) && owners.any(|&o| named.contains(&(sentence, o)));
        if gives_way {
            yielded.push(m.theme);
        }
        !gives_way
    });
}

/// For spans sorted by start, the clause holding each one, in one sweep.
fn clause_index<'s>(
    clauses: &[Clause],
    spans: impl Iterator<Item = &'s Range<usize>>,
) -> Vec<Option<usize>> {
    let mut ci = 0;
    spans
        .map(|s| {
            while ci < clauses.len() && clauses[ci].span.end <= s.start {
                ci += 1;
            }
            clauses
                .get(ci)
                .filter(|c| c.span.start <= s.start && s.end <= c.span.end)
                .map(|_| ci)
        })
        .collect()
}

/// A question with a rhetorical marker (难道…吗, 凭什么, "how hard is it")
/// blames: its praise words are sarcasm, and with no sentiment word the
/// marker itself is the (negative) cue. A plain question evaluates nothing
/// with its praise words (请问可以用信用卡交吗, "can I pay in the app?"), so
/// they are dropped; a blame word still blames (为什么这么慢?).
fn question(clause_cues: &[&CueHit], clause: usize, first: usize, out: &mut Vec<ResolvedCue>) {
    let Some(marker) = clause_cues.iter().find(|c| c.kind == CueKind::Rhetorical) else {
        let asked = out.split_off(first);
        out.extend(asked.into_iter().filter(|c| c.value <= 0.0));
        return;
    };
    if out.len() == first {
        out.push(ResolvedCue {
            span: marker.span.clone(),
            value: -2.0,
            negated: false,
            clause,
        });
    }
    for c in &mut out[first..] {
        c.value = -c.value.abs();
    }
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
/// window and with no sentiment cue between it and the target. Negators
/// inside the target belong to it (打不通) and do not count.
fn is_negated(
    clause_cues: &[&CueHit],
    tokens: &[Token],
    window: usize,
    target: &Range<usize>,
) -> bool {
    let target_token = token_index(tokens, target.start);
    let before = clause_cues.partition_point(|c| c.span.start < target.start);
    let mut count = 0;
    for cue in clause_cues[..before].iter().rev() {
        match cue.kind {
            _ if overlaps(&cue.span, target) => {}
            CueKind::Sentiment(_) => break,
            CueKind::Negator => {
                let gap = target_token.saturating_sub(token_index(tokens, cue.span.start));
                if gap > window {
                    break;
                }
                count += 1;
            }
            _ => {}
        }
    }
    count % 2 == 1
}

/// The resolved cue nearest to `span` in `cues` (sorted, disjoint); on a tie
/// the later one, since the predicate usually follows its subject (回复很慢,
/// "the room was dirty"). Only the cues on either side of `span` can win.
fn nearest<'c>(cues: &'c [ResolvedCue], span: &Range<usize>) -> Option<&'c ResolvedCue> {
    let at = cues.partition_point(|c| c.span.end <= span.start);
    let before = at.checked_sub(1).map(|i| &cues[i]);
    let after = cues.get(at);
    match (before, after) {
        (Some(b), Some(a)) => {
            if distance(&a.span, span) <= distance(&b.span, span) {
                Some(a)
            } else {
                Some(b)
            }
        }
        (b, a) => a.or(b),
    }
}
