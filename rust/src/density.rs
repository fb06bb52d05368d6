//! The density model's feature rows (cleaner/filters/density.py says what each column means) and its logistic
//! stage, so that the text path needs no numpy: building a page's rows with numpy cost its import (a tenth of a
//! second at every start) and a call per column per page.
//!
//! The rows are the ones numpy built, bit for bit (the fitted model reads them): element-wise operations in the
//! same order, running sums left to right as `cumsum` adds, and whole sums in numpy's pairwise order
//! (`pairwise_sum`). Only the logistic stage's dot products are summed left to right, where numpy's BLAS summed in
//! blocks of its own: its probabilities may differ from numpy's in the last bits.

/// What a block shows its neighbours when there is no block there.
pub const NO_NEIGHBOUR: [f64; 7] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
pub const NEIGHBOUR_OFFSETS: [isize; 4] = [-2, -1, 1, 2];
/// A block of this many words anchors the article; distances to one are counted up to `FAR_BLOCKS`.
pub const LONG_BLOCK_WORDS: f64 = 30.0;
pub const FAR_BLOCKS: usize = 50;
pub const CONTEXT_COLUMNS: usize = 11;
pub const STAGE2_COLUMNS: usize = 11;

/// The blocks of one page as the model reads them.
pub struct Blocks<'a> {
    /// Each block's `model_row`: its own vector, then the `NO_NEIGHBOUR.len()` values its neighbours see.
    pub rows: &'a [f64],
    pub words: &'a [f64],
    pub stop: &'a [f64],
    pub ends: &'a [f64],
    pub bullet: &'a [bool],
    /// Lines the earlier filters removed above and below each block, two per block.
    pub gaps: &'a [f64],
}

impl Blocks<'_> {
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    fn check(&self) -> Result<usize, String> {
        let n = self.len();
        if n == 0 {
            return Ok(0);
        }
        if self.stop.len() != n || self.ends.len() != n || self.bullet.len() != n || self.gaps.len() != 2 * n {
            return Err(format!("the block columns differ in length ({n} blocks)"));
        }
        if !self.rows.len().is_multiple_of(n) || self.rows.len() / n < NO_NEIGHBOUR.len() {
            return Err(format!("{} row values for {n} blocks", self.rows.len()));
        }
        Ok(self.rows.len() / n)
    }
}

/// numpy's sum of float64s (`np.add.reduce`): pairwise, in blocks of 128 unrolled eight ways.
pub fn pairwise_sum(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 8 {
        return values.iter().fold(0.0, |sum, value| sum + value);
    }
    if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&values[..8]);
        let whole = n - n % 8;
        for chunk in values[8..whole].chunks_exact(8) {
            for (sum, value) in r.iter_mut().zip(chunk) {
                *sum += value;
            }
        }
        let mut sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for value in &values[whole..] {
            sum += value;
        }
        return sum;
    }
    let half = n / 2;
    let half = half - half % 8;
    pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
}

/// `np.median` of a non-empty slice: the middle value, or the mean of the two middle ones.
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// For each i, the `weights`-weighted mean of `values` over [i - radius, i + radius] clipped to the page (0 where
/// the weights sum to 0), from running sums as numpy's `cumsum` makes them.
pub fn window_means(values: &[f64], weights: &[f64], radius: usize) -> Vec<f64> {
    let n = values.len();
    let mut weighted = Vec::with_capacity(n + 1);
    let mut total = Vec::with_capacity(n + 1);
    let (mut running_weighted, mut running_total) = (0.0, 0.0);
    weighted.push(0.0);
    total.push(0.0);
    for (value, weight) in values.iter().zip(weights) {
        running_weighted += value * weight;
        running_total += weight;
        weighted.push(running_weighted);
        total.push(running_total);
    }
    (0..n)
        .map(|i| {
            let lo = i.saturating_sub(radius);
            let hi = (i + radius + 1).min(n);
            let span = total[hi] - total[lo];
            if span != 0.0 {
                (weighted[hi] - weighted[lo]) / span
            } else {
                0.0
            }
        })
        .collect()
}

/// Where each block stands on its page, `CONTEXT_COLUMNS` values a block.
pub fn page_context(words: &[f64], stop: &[f64], ends: &[f64]) -> Vec<[f64; CONTEXT_COLUMNS]> {
    let n = words.len();
    if n == 0 {
        return Vec::new();
    }
    let log_words: Vec<f64> = words.iter().map(|w| w.ln_1p()).collect();
    let middle = median(&log_words);
    let longest = log_words.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weighted_stop: Vec<f64> = stop.iter().zip(words).map(|(s, w)| s * w).collect();
    let page_stop = pairwise_sum(&weighted_stop) / pairwise_sum(words).max(1.0);
    let ones = vec![1.0; n];
    let words5 = window_means(&log_words, &ones, 5);
    let words10 = window_means(&log_words, &ones, 10);
    let ends5 = window_means(ends, &ones, 5);
    let stop5 = window_means(stop, &ones, 5);
    // The nearest long block strictly above and strictly below each block.
    let long: Vec<usize> = (0..n).filter(|&i| words[i] >= LONG_BLOCK_WORDS).collect();
    let mut running = 0.0;
    let mut before = Vec::with_capacity(n);
    for word in words {
        before.push(running);
        running += word;
    }
    let total = running.max(1.0);
    let mut next_long = 0; // the first long block at or after i
    (0..n)
        .map(|i| {
            while next_long < long.len() && long[next_long] < i {
                next_long += 1;
            }
            let up = if next_long > 0 { (i - long[next_long - 1]).min(FAR_BLOCKS) } else { FAR_BLOCKS };
            let after = if next_long < long.len() && long[next_long] == i { next_long + 1 } else { next_long };
            let down = if after < long.len() { (long[after] - i).min(FAR_BLOCKS) } else { FAR_BLOCKS };
            let both = up < FAR_BLOCKS && down < FAR_BLOCKS;
            [
                log_words[i] - middle,
                log_words[i] - longest,
                stop[i] - page_stop,
                words5[i],
                words10[i],
                ends5[i],
                stop5[i],
                (up as f64).ln_1p(),
                (down as f64).ln_1p(),
                if both { 1.0 } else { 0.0 },
                // (the running sum before i, as `cumsum(words) - words` gives it: exact for word counts)
                before[i] / total,
            ]
        })
        .collect()
}

/// The first stage's rows, row-major: each block's own vector, the views of two blocks either side, its position,
/// the run of bulleted blocks it is in, the lines removed above and below it, its page context. Returns the
/// values and the row width.
pub fn stage1_rows(blocks: &Blocks) -> Result<(Vec<f64>, usize), String> {
    let row_width = blocks.check()?;
    let n = blocks.len();
    let view = NO_NEIGHBOUR.len();
    let own = row_width.saturating_sub(view);
    let width = own + NEIGHBOUR_OFFSETS.len() * view + 4 + CONTEXT_COLUMNS;
    if n == 0 {
        return Ok((Vec::new(), width));
    }
    let context = page_context(blocks.words, blocks.stop, blocks.ends);
    let runs = bullet_runs(blocks.bullet);
    let row = |i: usize| &blocks.rows[i * row_width..(i + 1) * row_width];
    let mut out = Vec::with_capacity(n * width);
    for i in 0..n {
        out.extend_from_slice(&row(i)[..own]);
        for offset in NEIGHBOUR_OFFSETS {
            match i.checked_add_signed(offset).filter(|&j| j < n) {
                Some(j) => out.extend_from_slice(&row(j)[own..]),
                None => out.extend_from_slice(&NO_NEIGHBOUR),
            }
        }
        out.push(i as f64 / (n.max(2) - 1) as f64);
        out.push((runs[i] as f64).ln_1p());
        out.push(blocks.gaps[2 * i].ln_1p());
        out.push(blocks.gaps[2 * i + 1].ln_1p());
        out.extend_from_slice(&context[i]);
    }
    Ok((out, width))
}

/// For each block, the length of the run of bulleted blocks it belongs to (0 without a bullet).
fn bullet_runs(bullet: &[bool]) -> Vec<usize> {
    let mut runs = vec![0; bullet.len()];
    let mut i = 0;
    while i < bullet.len() {
        if !bullet[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < bullet.len() && bullet[i] {
            i += 1;
        }
        runs[start..i].fill(i - start);
    }
    runs
}

/// The second stage's rows, row-major (`STAGE2_COLUMNS` a block): the first stage's probability `p` pooled around
/// each block, and where it stands relative to the densest run [start, end).
pub fn stage2_rows(p: &[f64], words: &[f64], ends: &[f64], start: usize, end: usize) -> Result<Vec<f64>, String> {
    let n = p.len();
    if words.len() != n || ends.len() != n {
        return Err(format!("{n} probabilities for {} blocks", words.len()));
    }
    let log_words: Vec<f64> = words.iter().map(|w| w.ln_1p()).collect();
    let weights: Vec<f64> = log_words.iter().map(|l| 1.0 + l).collect();
    let near = window_means(p, &weights, 2);
    let wide = window_means(p, &weights, 5);
    let all = pairwise_sum(words);
    let all = if all != 0.0 { all } else { 1.0 };
    let mut out = Vec::with_capacity(n * STAGE2_COLUMNS);
    let mut running = 0.0;
    for i in 0..n {
        running += words[i];
        let inside = if start <= i && i < end { 1.0 } else { 0.0 };
        let distance = if i < start {
            start - i
        } else if i >= end {
            i - end + 1
        } else {
            0
        };
        out.extend_from_slice(&[
            p[i],
            if i > 0 { p[i - 1] } else { 0.0 },
            if i + 1 < n { p[i + 1] } else { 0.0 },
            near[i],
            wide[i],
            inside,
            (distance as f64).ln_1p(),
            (running - words[i]) / all,
            log_words[i],
            ends[i],
            p[i] * inside,
        ]);
    }
    Ok(out)
}

/// A logistic model folded into one dot product: p = 1 / (1 + exp(-clip(intercept + slopes . row))).
pub struct Logistic {
    pub slopes: Vec<f64>,
    pub intercept: f64,
}

impl Logistic {
    pub fn probabilities(&self, rows: &[f64], clip: f64) -> Result<Vec<f64>, String> {
        let width = self.slopes.len();
        if width == 0 || !rows.len().is_multiple_of(width) {
            return Err(format!("the model reads {width} features, got {} values", rows.len()));
        }
        Ok(rows
            .chunks_exact(width)
            .map(|row| {
                let z = row.iter().zip(&self.slopes).fold(0.0, |sum, (x, w)| sum + x * w) + self.intercept;
                1.0 / (1.0 + (-z.clamp(-clip, clip)).exp())
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_is_exact_on_integers_and_follows_numpys_blocks() {
        let values: Vec<f64> = (1..=300).map(f64::from).collect();
        assert_eq!(pairwise_sum(&values), 45150.0);
        assert_eq!(pairwise_sum(&[]), 0.0);
        // 1e16 + 1 + 1 ... : left to right the ones are lost; in eight lanes they are lost the same way, but the
        // lanes' order shows: the first seven ones land in lanes of their own and survive.
        let mut lanes = vec![1e16];
        lanes.extend(std::iter::repeat_n(1.0, 15));
        let sequential = lanes.iter().fold(0.0, |s, v| s + v);
        assert_eq!(sequential, 1e16);
        assert_eq!(pairwise_sum(&lanes), 1e16 + 14.0);
    }

    #[test]
    fn window_means_clip_to_the_page_and_skip_empty_weights() {
        assert_eq!(window_means(&[1.0, 2.0, 3.0, 4.0], &[1.0; 4], 1), vec![1.5, 2.0, 3.0, 3.5]);
        assert_eq!(window_means(&[5.0, 7.0], &[0.0, 0.0], 1), vec![0.0, 0.0]);
    }

    #[test]
    fn page_context_measures_distances_to_long_blocks() {
        let words = [2.0, 40.0, 3.0, 4.0, 35.0];
        let context = page_context(&words, &[0.1; 5], &[0.0; 5]);
        // Block 2: the long block 1 is one above, block 4 two below; block 1 itself has none above.
        assert_eq!(context[2][7], 1f64.ln_1p());
        assert_eq!(context[2][8], 2f64.ln_1p());
        assert_eq!(context[2][9], 1.0);
        assert_eq!(context[1][7], (FAR_BLOCKS as f64).ln_1p());
        assert_eq!(context[1][9], 0.0);
        assert_eq!(context[0][10], 0.0);
        assert_eq!(context[4][10], (2.0 + 40.0 + 3.0 + 4.0) / 84.0);
    }

    #[test]
    fn stage1_rows_take_neighbour_views_and_pad_the_ends() {
        // Two blocks, each an own value then a 7-value view.
        let rows: Vec<f64> = (0..16).map(f64::from).collect();
        let blocks = Blocks {
            rows: &rows,
            words: &[3.0, 4.0],
            stop: &[0.0, 0.5],
            ends: &[1.0, 0.0],
            bullet: &[true, true],
            gaps: &[0.0, 1.0, 1.0, 0.0],
        };
        let (out, width) = stage1_rows(&blocks).unwrap();
        assert_eq!(width, 1 + 28 + 4 + CONTEXT_COLUMNS);
        assert_eq!(out.len(), 2 * width);
        assert_eq!(out[0], 0.0);
        assert_eq!(&out[1..8], &NO_NEIGHBOUR); // two above
        assert_eq!(&out[15..22], &rows[9..16]); // the next block's view
        assert_eq!(out[29], 0.0); // position
        assert_eq!(out[width + 29], 1.0);
        assert_eq!(out[30], 2f64.ln_1p()); // a run of two bullets
        assert!(stage1_rows(&Blocks { gaps: &[0.0], ..blocks }).is_err());
    }

    #[test]
    fn stage2_rows_place_blocks_against_the_run() {
        let out = stage2_rows(&[0.2, 0.9, 0.8], &[1.0, 10.0, 5.0], &[0.0, 1.0, 1.0], 1, 3).unwrap();
        assert_eq!(out.len(), 3 * STAGE2_COLUMNS);
        assert_eq!(out[5], 0.0); // block 0 is outside
        assert_eq!(out[6], 1f64.ln_1p()); // one block above the run
        assert_eq!(out[STAGE2_COLUMNS + 1], 0.2); // block 1's previous
        assert_eq!(out[2 * STAGE2_COLUMNS + 10], 0.8); // p inside
        assert!(stage2_rows(&[0.5], &[], &[], 0, 0).is_err());
    }

    #[test]
    fn logistic_clips_and_checks_its_width() {
        let model = Logistic { slopes: vec![1.0, -1.0], intercept: 0.0 };
        let p = model.probabilities(&[1.0, 1.0, 100.0, 0.0], 12.0).unwrap();
        assert_eq!(p[0], 0.5);
        assert_eq!(p[1], 1.0 / (1.0 + (-12f64).exp()));
        assert!(model.probabilities(&[1.0], 12.0).is_err());
    }
}
