//! An ensemble of binary decision trees over numeric features: the density model's first stage when it is fit as
//! gradient-boosted trees (bench/fit_density.py, LightGBM). The fitter flattens the trees into one node table;
//! a row's score is the sum of the leaves its values reach, its probability the logistic of that score.
//!
//! Rows are scored the QuickScorer way (Lucchese et al., SIGIR 2015) rather than by walking each tree: a tree's
//! leaves are numbered left to right, and every split a row's value sends right rules out the leaves of that
//! split's left subtree (a bit mask per split). Going feature by feature through the splits sorted by threshold,
//! a row touches only the splits it fails, with no unpredictable branch per node; the leftmost leaf left in each
//! tree's mask is the leaf the walk would reach. `score` walks the trees, and the tests hold the two equal.

/// One node: an internal node sends a row left when `row[feature] <= threshold` (LightGBM's numeric split),
/// else right; a leaf (`feature == LEAF`) holds its value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Node {
    pub feature: u32,
    pub threshold: f64,
    pub left: u32,
    pub right: u32,
    pub value: f64,
}

pub const LEAF: u32 = u32::MAX;

/// A split as QuickScorer reads it: a row whose value exceeds `threshold` is sent right, so the leaves of the
/// split's left subtree are cleared from `tree`'s mask.
#[derive(Debug)]
struct Split {
    threshold: f64,
    tree: u32,
    mask: u64,
}

/// Leaves a tree may have for its mask to hold them.
pub const MAX_LEAVES: usize = 64;

#[derive(Debug)]
pub struct Ensemble {
    nodes: Vec<Node>,
    roots: Vec<u32>,
    pub width: usize,
    /// For each feature, the splits on it by rising threshold.
    splits: Vec<Vec<Split>>,
    /// For each tree, its leaves' values from left to right.
    leaves: Vec<Vec<f64>>,
}

impl Ensemble {
    /// Checks the table: every child lies after its parent (so every walk ends), inside the table, and every
    /// split reads a feature of the row.
    pub fn new(nodes: Vec<Node>, roots: Vec<u32>, width: usize) -> Result<Self, String> {
        for (index, node) in nodes.iter().enumerate() {
            if node.feature == LEAF {
                if !node.value.is_finite() {
                    return Err(format!("leaf {index} has no finite value"));
                }
                continue;
            }
            if node.feature as usize >= width {
                return Err(format!("node {index} splits on feature {} of {width}", node.feature));
            }
            if !node.threshold.is_finite() && node.threshold != f64::INFINITY {
                return Err(format!("node {index} has no threshold"));
            }
            for child in [node.left, node.right] {
                if child as usize <= index || child as usize >= nodes.len() {
                    return Err(format!("node {index} has child {child} outside ({index}, {})", nodes.len()));
                }
            }
        }
        if let Some(root) = roots.iter().find(|&&root| root as usize >= nodes.len()) {
            return Err(format!("root {root} outside the {} nodes", nodes.len()));
        }
        let mut ensemble = Ensemble { nodes, roots, width, splits: Vec::new(), leaves: Vec::new() };
        ensemble.index_splits()?;
        Ok(ensemble)
    }

    /// Number each tree's leaves from left to right and give every split the mask of its left subtree's leaves.
    fn index_splits(&mut self) -> Result<(), String> {
        let mut splits: Vec<Vec<Split>> = (0..self.width).map(|_| Vec::new()).collect();
        for (tree, &root) in self.roots.iter().enumerate() {
            let mut leaves = Vec::new();
            // (node, whether its children are done): an explicit stack, left subtree first.
            let mut stack = vec![(root, false)];
            let mut first_leaf = Vec::new();
            while let Some((index, done)) = stack.pop() {
                let node = self.nodes[index as usize];
                if node.feature == LEAF {
                    leaves.push(node.value);
                    continue;
                }
                if !done {
                    // Visit the left subtree, then come back here to close it, then the right subtree.
                    first_leaf.push(leaves.len());
                    stack.push((node.right, false));
                    stack.push((index, true));
                    stack.push((node.left, false));
                    continue;
                }
                let start = first_leaf.pop().expect("opened above");
                let count = leaves.len() - start;
                if leaves.len() > MAX_LEAVES {
                    return Err(format!("tree {tree} has more than {MAX_LEAVES} leaves"));
                }
                let left = if count == MAX_LEAVES { u64::MAX } else { ((1u64 << count) - 1) << start };
                splits[node.feature as usize].push(Split { threshold: node.threshold, tree: tree as u32, mask: !left });
            }
            // (A split closes before its right subtree is read: the leaves after the last one are counted here.)
            if leaves.len() > MAX_LEAVES {
                return Err(format!("tree {tree} has more than {MAX_LEAVES} leaves"));
            }
            self.leaves.push(leaves);
        }
        for feature in &mut splits {
            feature.sort_by(|a, b| a.threshold.total_cmp(&b.threshold));
        }
        self.splits = splits;
        Ok(())
    }

    /// The summed leaf values of one row (a NaN value goes right, as no split is `<=` it).
    pub fn score(&self, row: &[f64]) -> f64 {
        self.roots.iter().map(|&root| self.leaf(root, row)).sum()
    }

    /// The probability of each row of a row-major table of `width` columns, its score clipped to +-`clip`.
    /// Every value must be finite (a NaN would be sent left here and right by `score`).
    pub fn probabilities(&self, table: &[f64], clip: f64) -> Result<Vec<f64>, String> {
        if self.width == 0 || !table.len().is_multiple_of(self.width) {
            return Err(format!("{} values are not rows of {} features", table.len(), self.width));
        }
        if let Some(position) = table.iter().position(|value| !value.is_finite()) {
            return Err(format!("feature {} of row {} is not finite", position % self.width, position / self.width));
        }
        let mut masks = vec![u64::MAX; self.roots.len()];
        let mut probabilities = Vec::with_capacity(table.len() / self.width);
        for row in table.chunks_exact(self.width) {
            masks.fill(u64::MAX);
            for (value, splits) in row.iter().zip(&self.splits) {
                for split in splits.iter().take_while(|split| split.threshold < *value) {
                    masks[split.tree as usize] &= split.mask;
                }
            }
            // The leftmost leaf left in each tree, summed in tree order as `score` sums them.
            let total: f64 =
                masks.iter().zip(&self.leaves).map(|(mask, leaves)| leaves[mask.trailing_zeros() as usize]).sum();
            probabilities.push(1.0 / (1.0 + (-total.clamp(-clip, clip)).exp()));
        }
        Ok(probabilities)
    }

    fn leaf(&self, root: u32, row: &[f64]) -> f64 {
        let mut node = &self.nodes[root as usize];
        while node.feature != LEAF {
            let next = if row[node.feature as usize] <= node.threshold { node.left } else { node.right };
            node = &self.nodes[next as usize];
        }
        node.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(value: f64) -> Node {
        Node { feature: LEAF, threshold: 0.0, left: 0, right: 0, value }
    }

    fn split(feature: u32, threshold: f64, left: u32, right: u32) -> Node {
        Node { feature, threshold, left, right, value: 0.0 }
    }

    /// Two trees: x0 <= 1 ? (x1 <= 0 ? -1 : 2) : 3, and a stump of 0.5.
    fn two_trees() -> Ensemble {
        let nodes = vec![split(0, 1.0, 1, 4), split(1, 0.0, 2, 3), leaf(-1.0), leaf(2.0), leaf(3.0), leaf(0.5)];
        Ensemble::new(nodes, vec![0, 5], 2).unwrap()
    }

    #[test]
    fn sums_the_leaves_each_row_reaches() {
        let trees = two_trees();
        assert_eq!(trees.score(&[1.0, 0.0]), -0.5); // <= goes left, on both splits
        assert_eq!(trees.score(&[0.0, 0.1]), 2.5);
        assert_eq!(trees.score(&[1.5, -9.0]), 3.5);
        assert_eq!(trees.score(&[f64::NAN, 0.0]), 3.5);
    }

    #[test]
    fn probabilities_are_the_logistic_of_the_clipped_score() {
        let trees = two_trees();
        let p = trees.probabilities(&[1.0, 0.0, 1.5, -9.0], 3.0).unwrap();
        assert!((p[0] - 1.0 / (1.0 + 0.5f64.exp())).abs() < 1e-15);
        assert!((p[1] - 1.0 / (1.0 + (-3.0f64).exp())).abs() < 1e-15);
        assert!(trees.probabilities(&[1.0, 0.0, 1.5], 3.0).is_err());
    }

    /// A random tree of `leaves` leaves over `width` features, its thresholds drawn from `cuts` (so rows drawn
    /// from the same values land on thresholds exactly), appended to `nodes` in preorder.
    fn random_tree(nodes: &mut Vec<Node>, leaves: usize, width: u32, cuts: &[f64], seed: &mut u64) -> u32 {
        let mut next = || {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            *seed >> 33
        };
        let index = nodes.len() as u32;
        if leaves == 1 {
            nodes.push(leaf(next() as f64 / 1e9 - 2.0));
            return index;
        }
        let on_left = 1 + (next() as usize) % (leaves - 1);
        let (feature, cut) = ((next() % width as u64) as u32, cuts[(next() as usize) % cuts.len()]);
        nodes.push(split(feature, cut, 0, 0));
        let left = random_tree(nodes, on_left, width, cuts, seed);
        let right = random_tree(nodes, leaves - on_left, width, cuts, seed);
        (nodes[index as usize].left, nodes[index as usize].right) = (left, right);
        index
    }

    #[test]
    fn scoring_by_masks_reaches_the_leaves_the_walk_reaches() {
        let cuts = [-1.5, -0.25, 0.0, 0.5, 1.0, 2.75];
        let mut seed = 7u64;
        for trial in 0..40 {
            let (mut nodes, mut roots) = (Vec::new(), Vec::new());
            for tree in 0..(1 + trial % 9) {
                let leaves = 1 + (tree * 7 + trial) % MAX_LEAVES;
                roots.push(random_tree(&mut nodes, leaves, 5, &cuts, &mut seed));
            }
            let trees = Ensemble::new(nodes, roots, 5).unwrap();
            let rows: Vec<f64> = (0..5 * 50).map(|i| cuts[(i * 31 + trial) % cuts.len()] + [0.0, 0.1][i % 2]).collect();
            let clip = 1e9;
            let fast = trees.probabilities(&rows, clip).unwrap();
            for (row, p) in rows.chunks_exact(5).zip(fast) {
                assert_eq!(p, 1.0 / (1.0 + (-trees.score(row)).exp()), "trial {trial}");
            }
        }
    }

    #[test]
    fn refuses_values_that_are_not_finite_and_trees_too_big_for_a_mask() {
        assert!(two_trees().probabilities(&[f64::NAN, 0.0], 3.0).is_err());
        let mut nodes = Vec::new();
        let mut seed = 1;
        let root = random_tree(&mut nodes, MAX_LEAVES + 1, 2, &[0.0, 1.0], &mut seed);
        assert!(Ensemble::new(nodes, vec![root], 2).is_err());
    }

    #[test]
    fn refuses_tables_that_could_loop_or_read_past_a_row() {
        assert!(Ensemble::new(vec![split(0, 0.0, 0, 1), leaf(1.0)], vec![0], 1).is_err());
        assert!(Ensemble::new(vec![split(2, 0.0, 1, 2), leaf(1.0), leaf(2.0)], vec![0], 2).is_err());
        assert!(Ensemble::new(vec![split(0, 0.0, 1, 3), leaf(1.0), leaf(2.0)], vec![0], 1).is_err());
        assert!(Ensemble::new(vec![leaf(1.0)], vec![1], 1).is_err());
        assert!(Ensemble::new(vec![leaf(f64::NAN)], vec![0], 1).is_err());
    }
}
