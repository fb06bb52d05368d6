//! langdetect's detection over langdetect's own profiles: its n-gram window, its seeded random walks and its
//! answer, step for step, so that every text gets langdetect's answer bit for bit.
//!
//! What stays with the caller: the profile files (the installed langdetect's, in its load order), langdetect's
//! constants, and the text as langdetect's `Detector.cleaning_text` leaves it with each character passed through
//! `NGram.normalize` (Python does that with langdetect's own functions, so their Unicode tables are Python's).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use rand_mt::Mt;
use serde::Deserialize;

use crate::mix::mix;
use crate::text::code_points;

/// langdetect's constants (read from its `Detector` by the caller).
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub seed: u32,
    pub trials: usize,
    pub alpha: f64,
    pub alpha_width: f64,
    pub base_freq: f64,
    pub conv_threshold: f64,
    pub iteration_limit: usize,
    pub prob_threshold: f64,
    /// Python 3.12 on sums floats with Neumaier's compensation: langdetect's `sum(prob)` then rounds otherwise.
    pub compensated_sum: bool,
}

#[derive(Deserialize)]
struct ProfileFile<'a> {
    name: String,
    #[serde(borrow)]
    freq: Counts<'a>,
    n_words: Vec<u64>,
}

/// A profile's n-gram counts as read, in file order: a map would cost a third of the profiles' load time.
struct Counts<'a>(Vec<(Gram<'a>, u64)>);

/// An n-gram as written in a profile file, borrowed from the file unless JSON escapes had to be undone.
struct Gram<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Gram<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Text<'a> {
            type Value = Gram<'a>;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("an n-gram")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Gram<'a>, E> {
                Ok(Gram(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Gram<'a>, E> {
                Ok(Gram(Cow::Owned(text.to_owned())))
            }
        }
        deserializer.deserialize_str(Text(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Counts<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Entries<'a> {
            type Value = Counts<'a>;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a map of n-gram counts")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Counts<'a>, M::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<Gram<'a>, u64>()? {
                    entries.push(entry);
                }
                Ok(Counts(entries))
            }
        }
        deserializer.deserialize_map(Entries(std::marker::PhantomData))
    }
}

/// An n-gram of one to three code points as one number: each code point plus one (never zero) in 21 bits.
fn gram_key(points: &[u32]) -> u64 {
    points.iter().rev().fold(0, |key, &point| (key << 21) | u64::from(point + 1))
}

/// A map keyed by `gram_key`s, hashed by splitmix64's finaliser (the keys are not chosen by an adversary: they
/// are the profiles' n-grams, fixed).
type GramMap<V> = HashMap<u64, V, BuildHasherDefault<MixHasher>>;

#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        mix(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8 | u64::from(byte)).rotate_left(5);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 ^= value;
    }
}

/// P(n-gram | language) for every n-gram of one to three characters of any profile, kept sparse: row `r` holds
/// `values[starts[r]..starts[r + 1]]` for the languages `columns[..]` beside them.
pub struct Profiles {
    pub languages: Vec<String>,
    rows: GramMap<u32>,
    starts: Vec<usize>,
    columns: Vec<u16>,
    values: Vec<f64>,
}

impl Profiles {
    /// Read langdetect's profile files, in the order langdetect loads them (its languages' order).
    pub fn read(paths: &[impl AsRef<Path>]) -> Result<Self, String> {
        let texts = paths
            .iter()
            .map(|path| std::fs::read(path.as_ref()).map_err(|error| format!("{}: {error}", path.as_ref().display())))
            .collect::<Result<Vec<_>, _>>()?;
        let mut files = Vec::with_capacity(paths.len());
        for (path, text) in paths.iter().zip(&texts) {
            let file: ProfileFile =
                serde_json::from_slice(text).map_err(|error| format!("{}: {error}", path.as_ref().display()))?;
            files.push((
                file.name,
                file.freq.0.into_iter().map(|(gram, count)| (gram.0, count)).collect(),
                file.n_words,
            ));
        }
        Self::from_counts(files)
    }

    /// The profiles from each language's n-gram counts and its count of n-grams of each length, as langdetect
    /// computes them: one division of the two whole numbers.
    pub fn from_counts<G: AsRef<str>>(
        profiles: impl IntoIterator<Item = (String, Vec<(G, u64)>, Vec<u64>)>,
    ) -> Result<Self, String> {
        let mut languages = Vec::new();
        let mut rows: GramMap<u32> = GramMap::default();
        let mut entries: Vec<(u32, u16, f64)> = Vec::new();
        for (column, (name, freq, n_words)) in profiles.into_iter().enumerate() {
            let column = u16::try_from(column).map_err(|_| "too many languages".to_string())?;
            for (gram, count) in freq {
                let mut points = [0u32; 3];
                let mut len = 0;
                for ch in gram.as_ref().chars() {
                    if len == 3 {
                        len = 4;
                        break;
                    }
                    points[len] = u32::from(ch);
                    len += 1;
                }
                if len == 0 || len > 3 {
                    continue; // langdetect's window never yields these
                }
                let total = *n_words.get(len - 1).ok_or_else(|| format!("profile {name}: no count of {len}-grams"))?;
                let next = rows.len() as u32;
                let row = *rows.entry(gram_key(&points[..len])).or_insert(next);
                entries.push((row, column, count as f64 / total as f64));
            }
            languages.push(name);
        }
        // row by row (a counting sort: the entries come language by language, so each row's stay in that order)
        let mut starts = vec![0; rows.len() + 1];
        for &(row, _, _) in &entries {
            starts[row as usize + 1] += 1;
        }
        for row in 0..rows.len() {
            starts[row + 1] += starts[row];
        }
        let mut next = starts.clone();
        let (mut columns, mut values) = (vec![0; entries.len()], vec![0.0; entries.len()]);
        for (row, column, value) in entries {
            let at = &mut next[row as usize];
            columns[*at] = column;
            values[*at] = value;
            *at += 1;
        }
        Ok(Profiles { languages, rows, starts, columns, values })
    }

    /// The row of the n-gram `points`, None when no profile has it.
    pub fn row(&self, points: &[u32]) -> Option<u32> {
        if points.is_empty() || points.len() > 3 {
            return None;
        }
        self.rows.get(&gram_key(points)).copied()
    }

    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// Row `row` in full: P(n-gram | language) for every language, 0 where its profile lacks the n-gram.
    pub fn dense(&self, row: u32, out: &mut [f64]) {
        out.fill(0.0);
        let span = self.starts[row as usize]..self.starts[row as usize + 1];
        for (&column, &value) in self.columns[span.clone()].iter().zip(&self.values[span]) {
            out[column as usize] = value;
        }
    }
}

/// What langdetect answers for a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// No n-gram of any profile in the text (langdetect raises "No features in text").
    NoFeatures,
    /// No language over langdetect's probability threshold (its "unknown").
    Unknown,
    /// The index of the language in the profiles' order.
    Language(usize),
}

pub struct Detector {
    pub profiles: Profiles,
    pub settings: Settings,
    /// Code points whose case the caller's Unicode tables judge otherwise than Rust's (another Unicode version):
    /// langdetect's window asks Python's `str.isupper`.
    upper: HashMap<u32, bool>,
}

impl Detector {
    pub fn new(profiles: Profiles, settings: Settings) -> Self {
        Detector { profiles, settings, upper: HashMap::new() }
    }

    /// Whether Rust's upper-case test of `point` should answer `upper` instead (e.g. a letter that Rust's newer
    /// Unicode tables know and the caller's do not); returns whether Rust's own answer differed.
    pub fn set_upper(&mut self, point: u32, upper: bool) -> bool {
        let differs = rust_upper(point) != upper;
        if differs {
            self.upper.insert(point, upper);
        } else {
            self.upper.remove(&point);
        }
        differs
    }

    fn is_upper(&self, point: u32) -> bool {
        self.upper.get(&point).copied().unwrap_or_else(|| rust_upper(point))
    }

    /// The rows of the n-grams langdetect's `Detector._extract_ngrams` takes from `text` (normalised, as UTF-8
    /// with surrogates passed), in order: a window of up to three characters that restarts after each space, the
    /// characters, pairs and triples ending at each character that a profile has, none inside a word in capitals.
    pub fn ngram_rows(&self, text: &[u8]) -> Vec<u32> {
        const SPACE: u32 = b' ' as u32;
        let mut rows = Vec::new();
        let mut window = [SPACE; 3];
        let mut len = 1;
        let mut capitals = false;
        for point in code_points(text) {
            let ch = point.value;
            let last = window[len - 1];
            if last == SPACE {
                window[0] = SPACE;
                len = 1;
                capitals = false;
                if ch == SPACE {
                    continue;
                }
            } else if len >= 3 {
                window.copy_within(1..3, 0);
                len = 2;
            }
            window[len] = ch;
            len += 1;
            if self.is_upper(ch) {
                if self.is_upper(last) {
                    capitals = true;
                }
            } else {
                capitals = false;
            }
            if capitals {
                continue;
            }
            for n in 1..=3 {
                if len < n {
                    break;
                }
                let gram = &window[len - n..len];
                if gram == [SPACE] {
                    continue;
                }
                if let Some(row) = self.profiles.row(gram) {
                    rows.push(row);
                }
            }
        }
        rows
    }

    /// langdetect's `Detector._detect_block` after extraction: `trials` random walks over the n-grams, each
    /// multiplying the language probabilities by a drawn n-gram's (plus a smoothing weight) and normalising
    /// every fifth step until one language passes the convergence threshold; the walks' results averaged.
    ///
    /// `answer_only`: the caller reads only the best language and whether it passes the threshold, so the walks
    /// stop once the remaining ones cannot change that (`decided`); the sums returned are then partial.
    pub fn probabilities(&self, rows: &[u32], answer_only: bool) -> Vec<f64> {
        let settings = &self.settings;
        let languages = self.profiles.languages.len();
        // the distinct rows in full, once each
        let mut slot_of: HashMap<u32, usize> = HashMap::new();
        let mut slots = Vec::with_capacity(rows.len());
        let mut table: Vec<f64> = Vec::new();
        for &row in rows {
            let next = slot_of.len();
            let slot = *slot_of.entry(row).or_insert_with(|| {
                table.resize((next + 1) * languages, 0.0);
                self.profiles.dense(row, &mut table[next * languages..]);
                next
            });
            slots.push(slot);
        }
        let mut random = PythonRandom::new(settings.seed);
        let mut total = vec![0.0; languages];
        let trials = settings.trials;
        for trial in 0..trials {
            let mut prob = vec![1.0 / languages as f64; languages];
            let alpha = settings.alpha + random.gauss() * settings.alpha_width;
            let weight = alpha / settings.base_freq;
            let mut step = 0;
            loop {
                let slot = slots[random.below(slots.len())];
                let row = &table[slot * languages..(slot + 1) * languages];
                for (p, &q) in prob.iter_mut().zip(row) {
                    *p *= weight + q;
                }
                if step % 5 == 0 {
                    let most = normalise(&mut prob, settings.compensated_sum);
                    if most > settings.conv_threshold || step >= settings.iteration_limit {
                        break;
                    }
                }
                step += 1;
            }
            for (sum, p) in total.iter_mut().zip(&prob) {
                *sum += p / trials as f64;
            }
            if answer_only && decided(&total, trials - trial - 1, trials, settings.prob_threshold) {
                break;
            }
        }
        total
    }

    /// langdetect's answer for `text` (see `ngram_rows`).
    pub fn detect(&self, text: &[u8]) -> Answer {
        let rows = self.ngram_rows(text);
        if rows.is_empty() {
            return Answer::NoFeatures;
        }
        let total = self.probabilities(&rows, true);
        let best = first_max(&total);
        if total[best] <= self.settings.prob_threshold {
            Answer::Unknown
        } else {
            Answer::Language(best)
        }
    }
}

fn rust_upper(point: u32) -> bool {
    char::from_u32(point).is_some_and(char::is_uppercase)
}

/// The index of the first of the largest values (langdetect sorts its languages stably).
fn first_max(values: &[f64]) -> usize {
    let mut best = 0;
    for (index, &value) in values.iter().enumerate() {
        if value > values[best] {
            best = index;
        }
    }
    best
}

/// langdetect's `_normalize_prob`: each probability over their sum, which is Python's `sum`; returns the largest.
fn normalise(prob: &mut [f64], compensated: bool) -> f64 {
    let sum = if compensated { neumaier_sum(prob) } else { prob.iter().fold(0.0, |sum, p| sum + p) };
    let mut most = 0.0;
    for p in prob.iter_mut() {
        *p /= sum;
        if most < *p {
            most = *p;
        }
    }
    most
}

/// Python 3.12's `sum` of floats: Neumaier's compensated summation, the compensation added at the end.
fn neumaier_sum(values: &[f64]) -> f64 {
    let (mut sum, mut compensation) = (0.0_f64, 0.0_f64);
    for &value in values {
        let next = sum + value;
        if sum.abs() >= value.abs() {
            compensation += (sum - next) + value;
        } else {
            compensation += (value - next) + sum;
        }
        sum = next;
    }
    if compensation != 0.0 && compensation.is_finite() {
        sum += compensation;
    }
    sum
}

/// Whether the answer (the first language with the most, if over the threshold) is fixed whatever the
/// `trials_left` walks bring: each adds at most 1/`trials` to any language, so a leader ahead of every other
/// language by more than that stays ahead, and a share over the threshold stays over.
pub fn decided(total: &[f64], trials_left: usize, trials: usize, threshold: f64) -> bool {
    // slack for the rounding of the running sums
    const SLACK: f64 = 1e-9;
    let (mut first, mut second) = (f64::NEG_INFINITY, 0.0);
    if total.len() > 1 {
        second = f64::NEG_INFINITY;
    }
    for &value in total {
        if value > first {
            second = first;
            first = value;
        } else if value > second {
            second = value;
        }
    }
    let left = trials_left as f64 / trials as f64;
    first - second > left + SLACK && first > threshold + SLACK
}

/// The draws langdetect makes from Python's `random` module, seeded: the Mersenne Twister seeded as
/// `random.seed(n)` seeds it (from the key [n]), `random.random`, `random.gauss` (two normals from two uniform
/// draws, the second kept for the next call) and `random.choice`'s `_randbelow` (the top bits of a word,
/// drawn again while too big).
pub struct PythonRandom {
    twister: Mt,
    spare: Option<f64>,
}

impl PythonRandom {
    pub fn new(seed: u32) -> Self {
        PythonRandom { twister: Mt::new_with_key([seed]), spare: None }
    }

    pub fn random(&mut self) -> f64 {
        let high = f64::from(self.twister.next_u32() >> 5);
        let low = f64::from(self.twister.next_u32() >> 6);
        (high * 67_108_864.0 + low) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `random.gauss(0.0, 1.0)`.
    pub fn gauss(&mut self) -> f64 {
        let z = match self.spare.take() {
            Some(z) => z,
            None => {
                let angle = self.random() * std::f64::consts::TAU;
                let radius = (-2.0 * (1.0 - self.random()).ln()).sqrt();
                self.spare = Some(angle.sin() * radius);
                angle.cos() * radius
            }
        };
        0.0 + z * 1.0
    }

    /// A whole number below `n` (> 0), as `random.choice` picks an index.
    pub fn below(&mut self, n: usize) -> usize {
        let bits = usize::BITS - n.leading_zeros();
        debug_assert!((1..=32).contains(&bits));
        loop {
            let pick = (self.twister.next_u32() >> (32 - bits)) as usize;
            if pick < n {
                return pick;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pythons_random_seeded_with_zero() {
        // random.seed(0); [random.getrandbits(32) for _ in range(2)], random.random(), random.gauss(0, 1) ...
        let mut twister = Mt::new_with_key([0u32]);
        assert_eq!([twister.next_u32(), twister.next_u32()], [3_626_764_237, 1_654_615_998]);
        let mut random = PythonRandom::new(0);
        assert_eq!(random.random(), 0.844_421_851_525_048_1);
    }

    #[test]
    fn decided_needs_a_lead_the_remaining_walks_cannot_close() {
        assert!(!decided(&[0.25, 0.15, 0.02], 4, 7, 0.1)); // a lead of 0.10 with 4/7 to come
        assert!(decided(&[4.0 / 7.0, 0.0, 0.0], 3, 7, 0.1));
        assert!(!decided(&[3.0 / 7.0, 0.0, 0.0], 3, 7, 0.1)); // a tie is still possible
        assert!(!decided(&[0.09, 0.0, 0.0], 0, 7, 0.1)); // the leader is under the threshold
        assert!(decided(&[0.5], 0, 7, 0.1)); // one language
    }

    #[test]
    fn sums_as_python_does() {
        let values = [1e16, 1.0, -1e16];
        assert_eq!(values.iter().fold(0.0, |sum, v| sum + v), 0.0); // Python 3.11
        assert_eq!(neumaier_sum(&values), 1.0); // Python 3.12
    }

    fn toy() -> Detector {
        let counts = |pairs: &[(&'static str, u64)]| pairs.to_vec();
        let profiles = Profiles::from_counts([
            ("aa".to_string(), counts(&[("a", 3), ("ab", 1), ("long", 9)]), vec![4, 2, 1]),
            ("bb".to_string(), counts(&[("b", 1), ("B", 1), ("ab", 1), (" a", 1)]), vec![2, 2, 1]),
        ])
        .unwrap();
        let settings = Settings {
            seed: 0,
            trials: 7,
            alpha: 0.5,
            alpha_width: 0.05,
            base_freq: 10000.0,
            conv_threshold: 0.99999,
            iteration_limit: 1000,
            prob_threshold: 0.1,
            compensated_sum: false,
        };
        Detector::new(profiles, settings)
    }

    #[test]
    fn profiles_hold_the_share_of_each_ngram_and_no_longer_ones() {
        let detector = toy();
        let profiles = &detector.profiles;
        assert_eq!(profiles.languages, ["aa", "bb"]);
        assert_eq!(profiles.row_count(), 5); // a, ab, b, B, " a"; "long" is too long
        let mut out = [0.0; 2];
        profiles.dense(profiles.row(&[97, 98]).unwrap(), &mut out);
        assert_eq!(out, [0.5, 0.5]);
        profiles.dense(profiles.row(&[97]).unwrap(), &mut out);
        assert_eq!(out, [0.75, 0.0]);
        assert_eq!(profiles.row(&[]), None);
        assert_eq!(profiles.row(&[120]), None);
    }

    #[test]
    fn window_restarts_after_spaces_and_skips_words_in_capitals() {
        let detector = toy();
        let row = |gram: &str| detector.profiles.row(&gram.chars().map(u32::from).collect::<Vec<_>>()).unwrap();
        // per character: the character, then the pair and the triple ending in it
        assert_eq!(detector.ngram_rows(b"ab"), vec![row("a"), row(" a"), row("b"), row("ab")]);
        // a space closes the word ("b " is no n-gram here) and the window starts again
        let again = [row("a"), row(" a"), row("b"), row("ab"), row("a"), row(" a")];
        assert_eq!(detector.ngram_rows(b"ab a"), again);
        // "AB": the second capital of a run and what follows it in the word are skipped
        assert!(detector.ngram_rows(b"AB").is_empty());
        assert_eq!(detector.detect(b"xyz"), Answer::NoFeatures);
        assert_eq!(detector.detect(b"aaaa a a"), Answer::Language(0));
        assert_eq!(detector.detect(b"bbb b"), Answer::Language(1));
    }

    #[test]
    fn an_upper_case_the_caller_overrides_changes_the_window() {
        let mut detector = toy();
        let capital_rams_horn = 0xA7CB; // upper case from Unicode 16 on
        let text = "a\u{A7CB}Bab".as_bytes();
        let before = detector.ngram_rows(text);
        assert!(rust_upper(capital_rams_horn));
        assert!(detector.set_upper(capital_rams_horn, false)); // as Python 3.11's str.isupper says
        let after = detector.ngram_rows(text);
        assert_eq!(after.len(), before.len() + 1); // "B" no longer follows a capital
        assert!(!detector.set_upper(capital_rams_horn, true));
        assert_eq!(detector.ngram_rows(text), before);
    }

    #[test]
    fn early_stop_gives_the_same_answer() {
        let detector = toy();
        let rows = detector.ngram_rows(b"aaab ab b a");
        let (full, partial) = (detector.probabilities(&rows, false), detector.probabilities(&rows, true));
        assert_eq!(first_max(&full), first_max(&partial));
        assert!((full.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
}
