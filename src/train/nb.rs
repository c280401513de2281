//! Naive-Bayes weighting of the hashed text features (Wang and Manning's
//! NBSVM, 2012, for three classes): each bucket is scaled by how well it
//! tells one class from the others, its largest |log-count ratio|, before
//! the regression trains; the scales are folded into the weights after, so
//! the shipped model reads the usual unscaled features and needs no table
//! of scales at run time.
//!
//! A scale above 1 is a weaker L2 penalty and a larger step for that
//! bucket: words that lean hard one way ("refund denied", 太差) learn fast,
//! words every class uses (the, 的) are held back. Dense features keep
//! scale 1, and so does every bucket a dense feature lands in.

use super::Example;
use crate::sentiment::linear::CLASSES;

/// Add-α smoothing of the per-class counts.
const ALPHA: f64 = 1.0;

/// The scale of every bucket: `1 − weight + weight × r̂`, where `r̂` is the
/// bucket's largest |log-count ratio| over the classes, divided by its mean
/// over all feature occurrences (so the average scale stays 1 and the step
/// size and L2 keep their meaning). `weight` 0 gives all ones.
pub(super) fn scales(examples: &[Example], buckets: u32, weight: f32) -> Vec<f32> {
    let n = buckets as usize;
    // counts[class][bucket]: weighted number of examples of the class that
    // have the bucket (each example counts a bucket once).
    let mut counts = vec![vec![0.0f64; n]; CLASSES.len()];
    let mut occurrences = vec![0.0f64; n];
    let mut dense = vec![false; n];
    let mut seen = Vec::new();
    for ex in examples {
        let (sparse, rest) = ex.features.entries.split_at(ex.features.dense_from);
        for &(b, _) in rest {
            dense[b as usize] = true;
        }
        seen.clear();
        seen.extend(sparse.iter().map(|&(b, _)| b));
        seen.sort_unstable();
        seen.dedup();
        for &b in &seen {
            counts[ex.class][b as usize] += ex.weight as f64;
        }
        for &(b, _) in sparse {
            occurrences[b as usize] += 1.0;
        }
    }
    let totals: Vec<f64> = counts
        .iter()
        .map(|c| c.iter().sum::<f64>() + ALPHA * n as f64)
        .collect();
    let all_total: f64 = totals.iter().sum();
    let ratio: Vec<f64> = (0..n)
        .map(|b| {
            let all: f64 = counts.iter().map(|c| c[b] + ALPHA).sum();
            (0..CLASSES.len())
                .map(|k| {
                    let inside = counts[k][b] + ALPHA;
                    let outside = all - inside;
                    let r = (inside / totals[k]).ln() - (outside / (all_total - totals[k])).ln();
                    r.abs()
                })
                .fold(0.0, f64::max)
        })
        .collect();
    let (sum, count) = ratio
        .iter()
        .zip(&occurrences)
        .fold((0.0, 0.0), |(s, c), (r, o)| (s + r * o, c + o));
    let mean = if count > 0.0 { sum / count } else { 1.0 };
    let w = weight as f64;
    (0..n)
        .map(|b| {
            if dense[b] || mean == 0.0 {
                1.0
            } else {
                (1.0 - w + w * ratio[b] / mean) as f32
            }
        })
        .collect()
}

/// Multiplies every hashed feature of `examples` by its bucket's scale.
pub(super) fn apply(examples: &mut [Example], scales: &[f32]) {
    for ex in examples {
        let dense_from = ex.features.dense_from;
        for (b, v) in &mut ex.features.entries[..dense_from] {
            *v *= scales[*b as usize];
        }
    }
}

/// Folds the scales into weights trained on scaled features, so unscaled
/// features give the same scores.
pub(super) fn fold(weights: &mut [f32], scales: &[f32]) {
    for class in weights.chunks_mut(scales.len()) {
        for (w, s) in class.iter_mut().zip(scales) {
            *w *= s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentiment::features::Features;
    use crate::sentiment::linear::probabilities;

    const BUCKETS: u32 = 8;

    /// An example of `class` with hashed buckets `sparse` (value 1) and one
    /// dense feature in bucket 7.
    fn example(class: usize, sparse: &[u32]) -> Example {
        let mut entries: Vec<(u32, f32)> = sparse.iter().map(|&b| (b, 1.0)).collect();
        let dense_from = entries.len();
        entries.push((7, 0.5));
        Example {
            features: Features {
                entries,
                dense_from,
            },
            class,
            weight: 1.0,
            lang: String::new(),
        }
    }

    /// Bucket 1 only in negative comments, 2 only in positive ones, 3 in
    /// all three classes alike; 7 is dense.
    fn examples() -> Vec<Example> {
        let mut out = Vec::new();
        for _ in 0..5 {
            out.push(example(0, &[1, 3]));
            out.push(example(1, &[3]));
            out.push(example(2, &[2, 3]));
        }
        out
    }

    #[test]
    fn telling_buckets_weigh_more_than_common_ones_and_dense_ones_stay() {
        let s = scales(&examples(), BUCKETS, 1.0);
        assert!(s[1] > 1.0 && s[2] > 1.0, "{s:?}");
        assert!(s[3] < s[1] && s[3] < 1.0, "{s:?}");
        assert_eq!(s[7], 1.0, "a dense bucket is never scaled");
        // Half the weight is halfway between no weighting and full.
        let half = scales(&examples(), BUCKETS, 0.5);
        assert!((half[1] - (1.0 + s[1]) / 2.0).abs() < 1e-6, "{half:?}");
        assert!(scales(&examples(), BUCKETS, 0.0).iter().all(|&x| x == 1.0));
    }

    #[test]
    fn folded_weights_score_unscaled_features_as_trained() {
        let s = scales(&examples(), BUCKETS, 1.0);
        let mut scaled = examples();
        apply(&mut scaled, &s);
        assert_ne!(scaled[0].features, examples()[0].features);
        assert_eq!(scaled[0].features.entries[2], (7, 0.5));
        // Any weights trained on the scaled features …
        let trained: Vec<f32> = (0..3 * BUCKETS).map(|i| (i as f32 * 0.37).sin()).collect();
        let mut shipped = trained.clone();
        fold(&mut shipped, &s);
        // … give the raw features the same probabilities once folded.
        for (raw, seen) in examples().iter().zip(&scaled) {
            let a = probabilities(&shipped, BUCKETS, &raw.features);
            let b = probabilities(&trained, BUCKETS, &seen.features);
            for k in 0..3 {
                assert!((a[k] - b[k]).abs() < 1e-6, "{a:?} {b:?}");
            }
        }
    }
}
