//! The analysis of one comment, stage by stage. Each stage is its own module
//! and hands the next one plain data:
//!
//! 1. [`normalize`](crate::normalize): original text → normalized text
//!    (half-width, lower case, one space) + a byte alignment back to the original;
//! 2. [`segment`](crate::segment): normalized text → tokens (jieba-rs for Han
//!    runs, Unicode words for the rest) and the comment's language;
//! 3. [`clauses`](crate::clauses): → cue hits (sentiment, negation, degree,
//!    contrast words) and clauses, split at punctuation and contrast words;
//! 4. [`themes`](crate::themes): → theme term hits from the lexicon;
//! 5. [`polarity`](crate::polarity): hits + clause cues → mentions with
//!    polarity, cue and negation, one per (theme, polarity) per clause;
//! 6. [`sentiment`](crate::sentiment): everything above → the comment's
//!    label and score, through the `Scorer`; then the mention of a term
//!    that names no service of its own (a bare wait, a queue, a canned
//!    answer: `yields` in the lexicon) gives way to the service its
//!    sentence names ([`polarity::give_way`](crate::polarity::give_way)),
//!    after scoring so that the term still counts toward the comment's tone;
//! 7. [`theme_model`](crate::theme_model): themes the terms missed, from the
//!    model file's theme heads, one mention on the clause they score highest
//!    (judged by the polarity stage's rules, like a term); then a mention
//!    nothing in the comment judged takes the comment's label
//!    (`PolarityFrom::Comment`);
//! 8. [`polarity_head`](crate::polarity_head): the model file's learnt
//!    second reading of each mention's polarity, from what the rules said,
//!    the clause and the comment's sentiment (`PolarityFrom::Model` where
//!    it overrules them);
//! 9. [`output`](crate::output) (driven by [`run`](crate::run)): analyses →
//!    Parquet, streamed chunk by chunk.
//!
//! Spans leave the pipeline as byte ranges into the original text: they are
//! mapped back through the normalizer's alignment at the end of `analyze`.
//!
//! A `Pipeline` is built once (loading jieba's dictionary, the lexicons and
//! the model) and then used from every rayon thread through `&self`.

use crate::lexicon::Lexicon;
use crate::polarity::PolarityFrom;
use crate::segment::{Script, Segmenter, Token};
use crate::sentiment::{Model, Scorer, ScoringInput};
use crate::themes::TermHit;
use crate::{
    clauses, normalize, polarity, polarity_head, theme_model, themes, Lang, Polarity, Sentiment,
};
use std::ops::Range;
use std::time::Instant;

/// One theme mention, spans in bytes of the original text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Index into `Lexicon::themes`.
    pub theme: usize,
    /// Index into `Lexicon::terms`: the entry that fired; `None` when the
    /// theme model flagged the clause (the `rule` column reads `model`).
    pub term: Option<usize>,
    pub polarity: Polarity,
    /// The matched term; the clause, for a theme the model added.
    pub span: Range<usize>,
    /// The clause the mention was judged in.
    pub evidence: Range<usize>,
    /// The word that set the polarity, if any.
    pub cue: Option<Range<usize>>,
    pub negated: bool,
    pub from: PolarityFrom,
    /// What the lexicons and rules alone said (see `lexicon_polarity`).
    rules: Polarity,
}

impl Mention {
    /// The polarity the lexicons and rules gave, before the comment's
    /// sentiment filled in for them and the polarity head read them: what
    /// golden comments check, so that retraining the model never breaks a
    /// lexicon test.
    pub fn lexicon_polarity(&self) -> Polarity {
        self.rules
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub lang: Lang,
    pub sentiment: Sentiment,
    /// Sorted by span start.
    pub mentions: Vec<Mention>,
    /// Term mentions left out because the theme heads vetoed their theme
    /// (`--theme-veto`), sorted by span start.
    pub vetoed: Vec<Mention>,
    /// Mentions dropped because the polarity head gave them the reading of
    /// another mention of the same theme and clause (one per theme,
    /// polarity and clause).
    pub merged: usize,
    pub timings: StageTimes,
}

/// Nanoseconds spent in each stage, summed over comments (and threads).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    pub normalize: u64,
    pub segment: u64,
    pub clauses: u64,
    pub themes: u64,
    pub polarity: u64,
    pub sentiment: u64,
    pub theme_model: u64,
    pub polarity_head: u64,
}

impl StageTimes {
    pub fn add(&mut self, other: &StageTimes) {
        self.normalize += other.normalize;
        self.segment += other.segment;
        self.clauses += other.clauses;
        self.themes += other.themes;
        self.polarity += other.polarity;
        self.sentiment += other.sentiment;
        self.theme_model += other.theme_model;
        self.polarity_head += other.polarity_head;
    }
}

#[derive(Debug)]
pub struct Pipeline {
    lexicon: Lexicon,
    segmenter: Segmenter,
    model: Model,
    /// For each theme head of the model: the lexicon's theme of that id
    /// (`None` when these lexicons lack it).
    head_themes: Vec<Option<usize>>,
    /// Overrides the model's own theme threshold.
    theme_threshold: Option<f32>,
    /// Overrides the model's own theme veto.
    theme_veto: Option<f32>,
    /// Judge mentions by the rules alone, even when the model has a
    /// polarity head.
    rule_polarity: bool,
}

fn head_themes(lexicon: &Lexicon, model: &Model) -> Vec<Option<usize>> {
    model
        .scorer
        .theme_heads()
        .map_or(Vec::new(), |h| h.head_themes(lexicon))
}

fn lap(clock: &mut Instant) -> u64 {
    let now = Instant::now();
    let ns = now.duration_since(*clock).as_nanos() as u64;
    *clock = now;
    ns
}

impl Pipeline {
    pub fn new(lexicon: Lexicon, model: Model) -> Pipeline {
        let segmenter = Segmenter::new(&lexicon);
        Pipeline::assemble(lexicon, segmenter, model)
    }

    fn assemble(lexicon: Lexicon, segmenter: Segmenter, model: Model) -> Pipeline {
        Pipeline {
            head_themes: head_themes(&lexicon, &model),
            lexicon,
            segmenter,
            model,
            theme_threshold: None,
            theme_veto: None,
            rule_polarity: false,
        }
    }

    /// Adds a theme the terms missed when the model's probability for it
    /// passes `threshold` instead of the model's own (1 or more: never).
    pub fn with_theme_threshold(mut self, threshold: Option<f32>) -> Pipeline {
        self.theme_threshold = threshold;
        self
    }

    /// Drops a theme the terms found when the model's probability for it
    /// is below `veto` instead of the model's own (0: never).
    pub fn with_theme_veto(mut self, veto: Option<f32>) -> Pipeline {
        self.theme_veto = veto;
        self
    }

    /// Judges mentions by the rules alone when `rules_only`, leaving the
    /// model's polarity head unused.
    pub fn with_rule_polarity(mut self, rules_only: bool) -> Pipeline {
        self.rule_polarity = rules_only;
        self
    }

    /// Puts `model` in place of the pipeline's model and returns the old
    /// one (training scores its labelled comments with what it trained).
    pub fn replace_model(&mut self, model: Model) -> Model {
        self.head_themes = head_themes(&self.lexicon, &model);
        std::mem::replace(&mut self.model, model)
    }

    /// Loads the lexicons with `load_lexicon` while jieba's default
    /// dictionary loads on a second thread: the two are most of start-up and
    /// do not depend on each other.
    pub fn load(
        load_lexicon: impl FnOnce() -> crate::Result<Lexicon>,
        model: Model,
    ) -> crate::Result<Pipeline> {
        let (jieba, lexicon) = std::thread::scope(|s| {
            let jieba = s.spawn(jieba_rs::Jieba::new);
            let lexicon = load_lexicon();
            (
                jieba
                    .join()
                    .expect("loading jieba's dictionary does not panic"),
                lexicon,
            )
        });
        let lexicon = lexicon?;
        let segmenter = Segmenter::with_dictionary(jieba, &lexicon);
        Ok(Pipeline::assemble(lexicon, segmenter, model))
    }

    /// The bundled lexicons and model.
    pub fn bundled() -> crate::Result<Pipeline> {
        Pipeline::load(Lexicon::bundled, Model::bundled())
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    pub fn scorer(&self) -> &Scorer {
        &self.model.scorer
    }

    pub fn model_version(&self) -> &str {
        &self.model.version
    }

    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// Every stage before scoring, timed into `t`. `analyze` and `features`
    /// both go through here, so the model is trained on exactly the inputs it
    /// scores.
    fn stages<'t>(&self, original: &'t str, t: &mut StageTimes) -> Stages<'t> {
        let mut clock = Instant::now();
        let norm = normalize::normalize(original);
        t.normalize = lap(&mut clock);

        let text = norm.text.as_str();
        let tokens = self.segmenter.segment(text);
        t.segment = lap(&mut clock);

        let cues = clauses::scan_cues(&self.lexicon, text);
        let clauses = clauses::split_clauses(text, &cues);
        t.clauses = lap(&mut clock);

        let hits = themes::find_terms(&self.lexicon, text);
        t.themes = lap(&mut clock);

        let polarities = polarity::assign(&self.lexicon, &tokens, &clauses, &cues, &hits);
        t.polarity = lap(&mut clock);
        Stages {
            norm,
            tokens,
            cues,
            clauses,
            hits,
            polarities,
        }
    }

    fn scoring_input<'s>(&self, s: &'s Stages<'_>) -> ScoringInput<'s> {
        ScoringInput {
            text: s.norm.text.as_str(),
            tokens: &s.tokens,
            clauses: &s.clauses,
            cues: &s.cues,
            polarities: &s.polarities,
            negation_window: self.lexicon.negation_window,
        }
    }

    /// The linear model's features of a text (used to train that model).
    pub fn features(&self, original: &str, buckets: u32) -> crate::sentiment::features::Features {
        let s = self.stages(original, &mut StageTimes::default());
        crate::sentiment::features::extract(&self.scoring_input(&s), buckets)
    }

    /// The theme heads' training units of a text: each clause, then the
    /// whole comment (all its clauses' terms), each with its byte range in
    /// `original` and its hashed terms.
    pub fn theme_units(&self, original: &str, buckets: u32) -> Vec<(Range<usize>, Vec<u32>)> {
        let s = self.stages(original, &mut StageTimes::default());
        let units = theme_model::clause_units(&s.norm.text, &s.tokens, &s.clauses, buckets);
        let whole = units.concat();
        s.clauses
            .iter()
            .map(|c| s.norm.to_original(c.span.clone()))
            .zip(units)
            .chain(std::iter::once((0..original.len(), whole)))
            .collect()
    }

    /// What the theme heads say, reading the whole comment: the themes the
    /// terms missed that they flag (one mention each, on the clause the
    /// head scores highest, judged like a term's), and the themes the terms
    /// found that they veto. Nothing at threshold 1 (terms only).
    fn consult_theme_heads(&self, s: &Stages<'_>) -> (Vec<polarity::RawMention>, Vec<usize>) {
        let Some(heads) = self.model.scorer.theme_heads() else {
            return Default::default();
        };
        let limits = theme_model::Limits {
            threshold: self.theme_threshold.unwrap_or(heads.header.threshold),
            veto: self.theme_veto.unwrap_or(heads.header.veto),
        };
        if limits.threshold >= 1.0 || s.tokens.is_empty() {
            return Default::default();
        }
        let found = s.polarities.themes_found(self.lexicon.themes.len());
        let text = s.norm.text.as_str();
        let flags = heads.flag(
            text,
            &s.tokens,
            &s.clauses,
            &self.head_themes,
            &found,
            limits,
        );
        if flags.added.is_empty() {
            return (Vec::new(), flags.vetoed);
        }
        // Judged beside the terms' hits, so that a fixed-polarity term of the
        // same clause or sentence, the contrast rule and the comment's tone
        // speak for them as for a term, and cues held by such a term stay
        // with it; only the model's own mentions are kept.
        let mut all: Vec<TermHit> = s.hits.iter().cloned().chain(flags.added).collect();
        all.sort_by_key(|h| (h.span.start, h.span.end, h.term.is_none(), h.theme));
        let added = polarity::assign(&self.lexicon, &s.tokens, &s.clauses, &s.cues, &all)
            .mentions
            .into_iter()
            .filter(|m| m.term.is_none())
            .collect();
        (added, flags.vetoed)
    }

    pub fn analyze(&self, original: &str) -> Analysis {
        self.analyze_observed(original, None)
    }

    /// [`Pipeline::analyze`], handing `observe` each mention it keeps as the
    /// polarity head reads it, before the head's reading: what the head is
    /// trained on.
    pub(crate) fn analyze_observed(
        &self,
        original: &str,
        mut observe: Option<&mut MentionObserver<'_>>,
    ) -> Analysis {
        let mut t = StageTimes::default();
        let mut s = self.stages(original, &mut t);
        let mut clock = Instant::now();
        let lang = detect_lang(&s.norm.text, &s.tokens);

        // No words, no opinion: empty, blank or emoji-only comments are
        // neutral whatever a model's bias says.
        let sentiment = if s.tokens.is_empty() {
            Sentiment {
                label: Polarity::Neutral,
                score: 0.0,
            }
        } else {
            self.model.scorer.score(&self.scoring_input(&s))
        };
        t.sentiment = lap(&mut clock);
        polarity::give_way(&self.lexicon, &s.clauses, &mut s.polarities);
        let (by_model, vetoed_themes) = self.consult_theme_heads(&s);
        let head = self
            .model
            .scorer
            .polarity_head()
            .filter(|_| !self.rule_polarity);
        let Stages {
            norm,
            tokens,
            clauses: clause_list,
            polarities,
            ..
        } = s;
        let mut overruled = false;
        let mut head_ns = 0;
        // `kept`: not vetoed.
        let mut mention = |m: &polarity::RawMention, kept: bool| {
            let (polarity, from) = unjudged_polarity(m, &sentiment);
            let clause = clause_list[m.clause].span.clone();
            let mut out = Mention {
                theme: m.theme,
                term: m.term,
                polarity,
                span: norm.to_original(m.span.clone()),
                evidence: norm.to_original(clause.clone()),
                cue: m.cue.clone().map(|c| norm.to_original(c)),
                negated: m.negated,
                from,
                rules: m.polarity,
            };
            // A vetoed mention is never written: neither read again nor
            // observed.
            let head = head.filter(|_| kept);
            let observer = observe.as_mut().filter(|_| kept);
            if head.is_none() && observer.is_none() {
                return out;
            }
            let view = polarity_head::MentionView {
                text: &norm.text,
                tokens: &tokens,
                clause,
                theme: &self.lexicon.themes[m.theme].id,
                by_model: m.term.is_none(),
                polarity,
                from,
                cue: m.cue.clone(),
                negated: m.negated,
                sentiment,
            };
            if let Some(observe) = observer {
                observe(&view, &out);
            }
            if let Some(head) = head {
                let clock = Instant::now();
                let judged = head.judge(&view);
                head_ns += clock.elapsed().as_nanos() as u64;
                if judged != polarity {
                    (out.polarity, out.from) = (judged, PolarityFrom::Model);
                    overruled = true;
                }
            }
            out
        };
        let is_vetoed = |m: &&polarity::RawMention| vetoed_themes.contains(&m.theme);
        // Most comments have no veto: then this allocates nothing.
        let vetoed: Vec<Mention> = if vetoed_themes.is_empty() {
            Vec::new()
        } else {
            let mentions = polarities.mentions.iter();
            mentions
                .filter(is_vetoed)
                .map(|m| mention(m, false))
                .collect()
        };
        let mut mentions: Vec<Mention> = polarities
            .mentions
            .iter()
            .filter(|m| !is_vetoed(m))
            .chain(&by_model)
            .map(|m| mention(m, true))
            .collect();
        if !by_model.is_empty() {
            mentions.sort_by_key(|m| (m.span.start, m.span.end, m.theme));
        }
        let before_merge = mentions.len();
        if overruled {
            one_per_theme_polarity_and_clause(&mut mentions);
        }
        t.theme_model = lap(&mut clock).saturating_sub(head_ns);
        t.polarity_head = head_ns;

        Analysis {
            lang,
            sentiment,
            merged: before_merge - mentions.len(),
            mentions,
            vetoed,
            timings: t,
        }
    }
}

/// A mention's polarity once the comment's sentiment is known. Nothing in
/// the comment judges it, so what the whole comment says is what it says
/// about the theme: "still trying to resolve it four months later"
/// complains without a complaint word (on 550 labelled comments the
/// lexicons had never seen, this gained 0.015–0.04 theme + polarity F1).
/// A theme the model added was flagged because the comment talks about it
/// the way complaints and praise do, so it follows the sign of the
/// comment's score even when the label is neutral (on 500 comments nothing
/// had been trained on, 65 of the model's 90 right themes got the right
/// polarity this way, against 59 when such mentions stayed neutral).
fn unjudged_polarity(m: &polarity::RawMention, sentiment: &Sentiment) -> (Polarity, PolarityFrom) {
    if m.from != PolarityFrom::Nothing {
        return (m.polarity, m.from);
    }
    // A score this close to 0 leans nowhere.
    const LEAN: f32 = 0.05;
    let lean = if m.term.is_none() && sentiment.label == Polarity::Neutral {
        Polarity::of(sentiment.score - sentiment.score.clamp(-LEAN, LEAN))
    } else {
        sentiment.label
    };
    match lean {
        Polarity::Neutral => (m.polarity, m.from),
        p => (p, PolarityFrom::Comment),
    }
}

/// What [`Pipeline::analyze_observed`] hands each mention it keeps to.
pub(crate) type MentionObserver<'o> = dyn FnMut(&polarity_head::MentionView<'_>, &Mention) + 'o;

/// Keeps the first of the mentions that share theme, polarity and clause:
/// the polarity head may give two mentions of one clause the same reading.
fn one_per_theme_polarity_and_clause(mentions: &mut Vec<Mention>) {
    let mut seen: Vec<(usize, Polarity, Range<usize>)> = Vec::with_capacity(mentions.len());
    mentions.retain(|m| {
        let key = (m.theme, m.polarity, m.evidence.clone());
        let first = !seen.contains(&key);
        if first {
            seen.push(key);
        }
        first
    });
}

/// What the stages before scoring produce for one comment.
struct Stages<'t> {
    norm: normalize::Normalized<'t>,
    tokens: Vec<Token>,
    cues: Vec<clauses::CueHit>,
    clauses: Vec<clauses::Clause>,
    /// The terms' hits, which the theme model's hits are judged beside.
    hits: Vec<TermHit>,
    polarities: polarity::Polarities,
}

/// `zh` or `en` when the words are all Chinese or all Latin-script English
/// (ASCII letters), `mixed` when both appear, `other` for anything else
/// (no words, or words of other scripts).
pub fn detect_lang(text: &str, tokens: &[Token]) -> Lang {
    let (mut han, mut ascii, mut foreign) = (0usize, 0usize, 0usize);
    for t in tokens {
        match t.script {
            Script::Han => han += 1,
            Script::Number => {}
            Script::Latin => {
                if text[t.span.clone()]
                    .bytes()
                    .any(|b| b.is_ascii_alphabetic())
                {
                    ascii += 1;
                } else {
                    foreign += 1;
                }
            }
        }
    }
    match (han > 0, ascii > 0) {
        (true, true) => Lang::Mixed,
        (true, false) => Lang::Zh,
        (false, true) if ascii >= foreign => Lang::En,
        _ => Lang::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    /// The bundled pipeline with mentions judged by the rules alone: these
    /// tests pin what the rules do. The polarity head's second reading is
    /// learnt, and measured by `voctag eval` (models/README.md); its
    /// mechanics are tested below and in `train.rs`.
    static PIPELINE: LazyLock<Pipeline> = LazyLock::new(|| {
        Pipeline::bundled()
            .expect("bundled lexicons load")
            .with_rule_polarity(true)
    });

    /// (theme, polarity, matched term) of every mention of `text`.
    fn mentions(text: &str) -> Vec<(String, Polarity, String)> {
        let p = &*PIPELINE;
        p.analyze(text)
            .mentions
            .iter()
            .map(|m| {
                (
                    p.lexicon().themes[m.theme].id.clone(),
                    m.polarity,
                    text[m.span.clone()].to_string(),
                )
            })
            .collect()
    }

    fn assert_mention(text: &str, theme: &str, polarity: Polarity, term: &str) {
        let got = mentions(text);
        assert!(
            got.iter()
                .any(|(t, p, s)| t == theme && *p == polarity && s == term),
            "{text:?}: expected {theme}:{} on {term:?}, got {got:?}",
            polarity.as_str()
        );
    }

    #[test]
    fn a_plain_question_praises_nothing_but_still_blames() {
        use Polarity::*;
        let cases = [
            ("请问退款可以退到信用卡吗", "billing_refund", Neutral),
            ("can i get a refund quickly?", "billing_refund", Neutral),
            ("为什么回复这么慢?", "response_speed", Negative),
            // A rhetorical marker makes praise sarcasm.
            ("难道这也叫回复及时吗?", "response_speed", Negative),
        ];
        for (text, theme, want) in cases {
            let got = mentions(text);
            assert!(
                got.iter().any(|(t, p, _)| t == theme && *p == want),
                "{text}: want {theme}:{want:?}, got {got:?}"
            );
        }
    }

    #[test]
    fn negation_and_degree_in_both_languages() {
        use Polarity::*;
        let cases = [
            ("回复很慢", "response_speed", Negative, "回复"),
            ("回复不慢", "response_speed", Positive, "回复"),
            ("回复速度不算慢", "response_speed", Positive, "回复"),
            ("对处理结果不太满意", "resolution", Negative, "处理结果"),
            ("客服态度一点也不好", "staff_attitude", Negative, "态度"),
            ("客服态度一点都不差", "staff_attitude", Positive, "态度"),
            (
                "the reply was not very helpful",
                "response_speed",
                Negative,
                "reply",
            ),
            (
                "the staff were not rude at all",
                "staff_attitude",
                Positive,
                "rude",
            ),
            (
                "they hardly ever answered the calls",
                "reachability",
                Negative,
                "answered the calls",
            ),
            ("nobody called back", "follow_up", Negative, "called back"),
            ("客服没有及时回复", "response_speed", Negative, "回复"),
            ("前台很热情", "staff_attitude", Positive, "热情"),
            ("the room was very dirty", "facilities", Negative, "room"),
            (
                "the room was slightly noisy",
                "facilities",
                Negative,
                "room",
            ),
        ];
        for (text, theme, polarity, term) in cases {
            assert_mention(text, theme, polarity, term);
        }
    }

    #[test]
    fn a_mention_nothing_judges_takes_the_comment_sentiment() {
        let comments = [
            "i am still trying to resolve it four months later.",
            "The lift was out of order for our whole stay and we were on the 9th floor.",
            "Fridge installation booked for Saturday, nobody came.",
            "我申请了退款",
            "房间在三楼",
            "回复太慢",
        ];
        let mut from_comment = 0;
        for text in comments {
            let a = PIPELINE.analyze(text);
            for m in &a.mentions {
                match m.from {
                    // No cue anywhere: the comment's sentiment decides, and says so.
                    PolarityFrom::Comment => {
                        assert_ne!(a.sentiment.label, Polarity::Neutral, "{text}");
                        assert_eq!(m.polarity, a.sentiment.label, "{text}");
                        assert_eq!(m.cue, None, "{text}");
                        assert_eq!(m.lexicon_polarity(), Polarity::Neutral);
                        from_comment += 1;
                    }
                    // A neutral comment leaves an unevaluated mention neutral.
                    PolarityFrom::Nothing => {
                        assert_eq!(a.sentiment.label, Polarity::Neutral, "{text}");
                        assert_eq!(m.polarity, Polarity::Neutral, "{text}");
                    }
                    _ => assert_eq!(m.polarity, m.lexicon_polarity()),
                }
            }
        }
        assert!(from_comment > 0, "no comment exercised the rule");
        // A cue in the comment wins over the comment's sentiment.
        assert_eq!(
            PIPELINE.analyze("回复太慢").mentions[0].from,
            PolarityFrom::Cue
        );
    }

    #[test]
    fn the_polarity_head_changes_readings_only_and_says_so() {
        // The labelled dev set's comments, through the bundled model with
        // and without its polarity head.
        let head = Pipeline::bundled().unwrap();
        let rules = &*PIPELINE;
        let dev = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/eval/dev.jsonl"
        ))
        .unwrap();
        let mut overruled = 0;
        for line in dev.lines() {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = row["text"].as_str().unwrap();
            let (a, b) = (head.analyze(text), rules.analyze(text));
            assert_eq!(a.sentiment, b.sentiment, "{text}");
            let mut by_rules = b.mentions.iter();
            for m in &a.mentions {
                // The same mention as the rules', in the same order; only
                // its polarity may differ (a second reading that equals
                // another mention of its clause is dropped as a duplicate).
                let r = by_rules
                    .find(|r| (r.theme, &r.span) == (m.theme, &m.span))
                    .unwrap_or_else(|| panic!("{text}: {m:?} is not the rules'"));
                assert_eq!(m.lexicon_polarity(), r.lexicon_polarity(), "{text}");
                assert_eq!((&m.cue, m.negated), (&r.cue, r.negated), "{text}");
                if m.polarity != r.polarity {
                    assert_eq!(m.from, PolarityFrom::Model, "{text}");
                    overruled += 1;
                } else {
                    assert_eq!(m.from, r.from, "{text}");
                }
                assert_ne!(r.from, PolarityFrom::Model, "{text}");
            }
        }
        // The head was trained on these comments: it overrules some.
        assert!(overruled > 0);
    }

    #[test]
    fn a_clause_keeps_one_mention_per_theme_and_polarity() {
        let m = |theme: usize, polarity: Polarity, evidence: Range<usize>, span: Range<usize>| {
            Mention {
                theme,
                term: Some(0),
                polarity,
                span,
                evidence,
                cue: None,
                negated: false,
                from: PolarityFrom::Model,
                rules: polarity,
            }
        };
        use Polarity::*;
        let mut mentions = vec![
            m(1, Negative, 0..10, 0..2),
            m(1, Negative, 0..10, 4..6), // same clause, theme and reading
            m(1, Positive, 0..10, 7..9), // another reading: kept
            m(1, Negative, 11..20, 12..14), // another clause: kept
            m(2, Negative, 0..10, 4..6), // another theme: kept
        ];
        one_per_theme_polarity_and_clause(&mut mentions);
        let spans: Vec<Range<usize>> = mentions.iter().map(|m| m.span.clone()).collect();
        assert_eq!(spans, [0..2, 7..9, 12..14, 4..6]);
    }

    #[test]
    fn a_bare_wait_gives_way_to_the_service_its_sentence_names() {
        // Whether the wait reads as response_speed. The theme heads may add
        // other themes (model 4c99e828's add follow_up to 结果等了一下午),
        // which this rule does not decide.
        let has = |text: &str, theme: &str| mentions(text).iter().any(|m| m.0 == theme);
        let speed = |text: &str| has(text, "response_speed");
        for text in [
            "物流太慢了，等了快十天",
            "Shipping was slow, it took three weeks",
        ] {
            assert!(has(text, "delivery") && !speed(text), "{text}");
        }
        // Alone, or in a sentence of its own, the wait is response speed.
        assert!(speed("结果等了一下午"));
        let text = "物流很快。结果等了一下午";
        assert!(has(text, "delivery") && speed(text), "{text}");
        // A term that names the reply does not give way.
        assert_mention(
            "物流太慢了，回复也慢",
            "response_speed",
            Polarity::Negative,
            "回复",
        );
    }

    #[test]
    fn contrast_gives_each_clause_its_own_polarity() {
        use Polarity::*;
        let text = "前台很好，但是客房很脏";
        assert_mention(text, "facilities", Negative, "客房");
        let text = "the app is fine but the hotline is awful";
        assert_mention(text, "self_service", Positive, "app");
        assert_mention(text, "reachability", Negative, "hotline");
    }

    #[test]
    fn implied_polarity_and_its_negation() {
        use Polarity::*;
        assert_mention("被转来转去", "transfers", Negative, "转来转去");
        assert_mention("电话一直打不通", "reachability", Negative, "打不通");
    }

    #[test]
    fn mixed_language_comments_work() {
        let a = PIPELINE.analyze("客服response太慢了");
        assert_eq!(a.lang, Lang::Mixed);
        assert!(a.mentions.iter().any(|m| m.polarity == Polarity::Negative));
    }

    #[test]
    fn generic_praise_and_empty_text_carry_no_theme() {
        for text in ["", "   ", "服务很好", "great service", "太失望了", "👍"] {
            assert!(mentions(text).is_empty(), "{text:?}: {:?}", mentions(text));
        }
        assert_eq!(PIPELINE.analyze("").sentiment.label, Polarity::Neutral);
        assert_eq!(PIPELINE.analyze("").lang, Lang::Other);
    }

    #[test]
    fn every_golden_comment_of_the_lexicons_tags_as_expected() {
        // The same check as `voctag lexicon check`, over the bundled lexicons.
        let p = &*PIPELINE;
        let failures = crate::lexicon::check::failing_goldens(p, &p.lexicon().goldens);
        let shown: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
        assert!(
            failures.is_empty(),
            "{} of {} golden comments fail:\n{}",
            failures.len(),
            p.lexicon().goldens.len(),
            shown.join("\n")
        );
    }

    #[test]
    fn a_megabyte_comment_is_analysed() {
        let text = "回复太慢了，the app keeps crashing! ".repeat(25_000);
        assert!(text.len() > 1_000_000);
        let a = PIPELINE.analyze(&text);
        assert!(a.mentions.len() > 1000);
        assert!(a.mentions.iter().all(|m| m.polarity == Polarity::Negative));
        assert_eq!(a.sentiment.label, Polarity::Negative);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn spans_slice_the_original_text(text in "(?s).{0,80}|[回复太慢不好但是客服态度app slow, not!。，ＡＢ\u{3000}İ😀]{0,60}") {
            let a = PIPELINE.analyze(&text);
            let mut last = 0;
            for m in &a.mentions {
                for span in [Some(&m.span), Some(&m.evidence), m.cue.as_ref()].into_iter().flatten() {
                    prop_assert!(span.start <= span.end && span.end <= text.len());
                    prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                }
                prop_assert!(m.span.start >= last, "mentions sorted by span");
                last = m.span.start;
                prop_assert!(m.evidence.start <= m.span.start && m.span.end <= m.evidence.end);
            }
            prop_assert!((-1.0..=1.0).contains(&a.sentiment.score));
        }
    }

    #[test]
    fn a_model_mention_nothing_judges_follows_the_comment_score() {
        let raw = |term: Option<usize>| polarity::RawMention {
            theme: 0,
            term,
            polarity: Polarity::Neutral,
            span: 0..1,
            clause: 0,
            cue: None,
            negated: false,
            from: PolarityFrom::Nothing,
        };
        let neutral_leaning = |score: f32| Sentiment {
            label: Polarity::Neutral,
            score,
        };
        // A term's mention in a neutral comment stays neutral ("I returned it").
        assert_eq!(
            unjudged_polarity(&raw(Some(0)), &neutral_leaning(-0.3)),
            (Polarity::Neutral, PolarityFrom::Nothing)
        );
        // The model's follows the score's sign, unless it is about 0.
        assert_eq!(
            unjudged_polarity(&raw(None), &neutral_leaning(-0.3)),
            (Polarity::Negative, PolarityFrom::Comment)
        );
        assert_eq!(
            unjudged_polarity(&raw(None), &neutral_leaning(0.2)),
            (Polarity::Positive, PolarityFrom::Comment)
        );
        assert_eq!(
            unjudged_polarity(&raw(None), &neutral_leaning(0.01)),
            (Polarity::Neutral, PolarityFrom::Nothing)
        );
        // A polar comment decides for both.
        let negative = Sentiment {
            label: Polarity::Negative,
            score: -0.9,
        };
        for term in [Some(0), None] {
            assert_eq!(
                unjudged_polarity(&raw(term), &negative),
                (Polarity::Negative, PolarityFrom::Comment)
            );
        }
    }

    /// The bundled model with theme heads trained here to flag one made-up
    /// complaint that no term spells, so the test does not hang on what the
    /// shipped heads happen to learn.
    fn with_jingle_heads() -> Pipeline {
        use crate::sentiment::{Model, Scorer, BUNDLED_MODEL};
        use crate::theme_model::{self, ClauseExample, ThemeTraining};
        let p = &*PIPELINE;
        let themes: Vec<String> = p.lexicon().themes.iter().map(|t| t.id.clone()).collect();
        let reachability = themes.iter().position(|t| t == "reachability").unwrap();
        let example = |text: &str, positive: &[usize]| {
            let tokens = p.segmenter().segment(text);
            ClauseExample {
                terms: theme_model::clause_terms(text, &tokens, 0..text.len(), 1 << 12),
                positive: positive.to_vec(),
                background: false,
            }
        };
        let mut examples = Vec::new();
        for _ in 0..20 {
            examples.push(example("the jingle played for an hour", &[reachability]));
            examples.push(example("the room was lovely", &[]));
            examples.push(example("前台很热情", &[]));
        }
        let heads = theme_model::train(
            &examples,
            &ThemeTraining {
                header: theme_model::tests::settings(themes),
                seed: 1,
            },
            1,
        );
        let bundled = Model::from_bytes(std::path::Path::new("<test>"), BUNDLED_MODEL).unwrap();
        let Scorer::Linear(mut linear) = bundled.scorer else {
            panic!("the bundled model is linear");
        };
        linear.themes = Some(heads);
        let model = Model::from_bytes(std::path::Path::new("<test>"), &linear.to_bytes()).unwrap();
        Pipeline::load(Lexicon::bundled, model).unwrap()
    }

    #[test]
    fn the_theme_model_adds_a_theme_the_terms_missed_on_its_best_clause() {
        let p = with_jingle_heads();
        let text = "前台很热情，但是 the jingle played for an hour";
        let a = p.analyze(text);
        let found: Vec<(&str, Option<usize>, &str, &str)> = a
            .mentions
            .iter()
            .map(|m| {
                (
                    p.lexicon().themes[m.theme].id.as_str(),
                    m.term,
                    &text[m.span.clone()],
                    &text[m.evidence.clone()],
                )
            })
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "staff_attitude");
        assert!(found[0].1.is_some());
        // The model's mention: no term, the clause (which opens with its
        // contrast word) as span and evidence.
        let clause = "但是 the jingle played for an hour";
        assert_eq!(found[1], ("reachability", None, clause, clause));
        // Terms only, at threshold 1.
        let terms_only = with_jingle_heads().with_theme_threshold(Some(1.0));
        assert_eq!(terms_only.analyze(text).mentions.len(), 1);
        // Judged beside the terms: a fixed-polarity term of the same clause
        // speaks for the model's mention as it would for a term's.
        let beside = "the jingle played for an hour and then i was passed around";
        let a = p.analyze(beside);
        let added: Vec<_> = a.mentions.iter().filter(|m| m.term.is_none()).collect();
        assert_eq!(added.len(), 1, "{:?}", a.mentions);
        assert_eq!(
            (added[0].polarity, added[0].from),
            (Polarity::Negative, PolarityFrom::Context),
            "{:?}",
            a.mentions
        );
        // A theme the terms found is left to them.
        let both = "电话一直打不通, the jingle played for an hour";
        let a = p.analyze(both);
        assert!(
            a.mentions.iter().all(|m| m.term.is_some()),
            "{:?}",
            a.mentions
        );
        assert!(a
            .mentions
            .iter()
            .any(|m| p.lexicon().themes[m.theme].id == "reachability"));
    }

    #[test]
    fn the_theme_model_vetoes_a_term_whose_theme_it_rules_out() {
        // The jingle heads saw 前台很热情 only as a comment with no theme,
        // so their staff_attitude head puts it far below one half.
        let text = "前台很热情，但是 the jingle played for an hour";
        let themes = |a: &Analysis, p: &Pipeline| -> Vec<String> {
            let ids = a.mentions.iter();
            ids.map(|m| p.lexicon().themes[m.theme].id.clone())
                .collect()
        };
        let p = with_jingle_heads().with_theme_veto(Some(0.5));
        let a = p.analyze(text);
        assert_eq!(themes(&a, &p), ["reachability"], "{:?}", a.mentions);
        let vetoed: Vec<_> = a.vetoed.iter().map(|m| &text[m.span.clone()]).collect();
        assert_eq!(vetoed, ["热情"]);
        // `lexicon check` counts the vetoed term as found, and warns.
        let golden = crate::lexicon::Golden {
            file: "mine.toml".into(),
            line: 3,
            text: "前台很热情".into(),
            expect: vec![("staff_attitude".into(), Polarity::Positive)],
        };
        let problems = crate::lexicon::check::failing_goldens(&p, &[golden]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let warning = problems[0].to_string();
        assert!(
            warning
                .starts_with("mine.toml:3: warning: the model's theme heads veto staff_attitude"),
            "{warning}"
        );
        // At the heads' own veto (0 here) the term keeps its theme, and
        // terms only means no heads at all: no veto either.
        for keeps in [
            with_jingle_heads(),
            with_jingle_heads()
                .with_theme_veto(Some(0.5))
                .with_theme_threshold(Some(1.0)),
        ] {
            let a = keeps.analyze(text);
            assert!(themes(&a, &keeps).contains(&"staff_attitude".to_string()));
            assert!(a.vetoed.is_empty());
        }
    }
}
