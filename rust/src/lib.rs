//! cleaner's compiled core, imported as `cleaner._core`: langdetect's detection over langdetect's own profiles
//! (`language`), the density model's rows and trees (`density`, `trees`), and dedup's word shingles (`shingles`)
//! and MinHash signatures (`minhash`). The Python side
//! (cleaner/language.py, cleaner/dedup/shingles.py and minhash.py) keeps the Unicode tables and langdetect's own
//! text cleaning, and hands the core bytes; the core hands back plain lists and little byte buffers.

pub mod density;
pub mod language;
pub mod minhash;
pub mod mix;
pub mod shingles;
pub mod text;
pub mod trees;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes};

/// langdetect's detector over the profile files given, in langdetect's load order.
#[pyclass(module = "cleaner._core", name = "Language")]
struct PyLanguage {
    detector: language::Detector,
}

#[pymethods]
impl PyLanguage {
    #[new]
    #[pyo3(signature = (paths, *, seed, trials, alpha, alpha_width, base_freq, conv_threshold, iteration_limit,
                        prob_threshold, compensated_sum))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        paths: Vec<PathBuf>,
        seed: u32,
        trials: usize,
        alpha: f64,
        alpha_width: f64,
        base_freq: f64,
        conv_threshold: f64,
        iteration_limit: usize,
        prob_threshold: f64,
        compensated_sum: bool,
    ) -> PyResult<Self> {
        if trials == 0 {
            return Err(PyValueError::new_err("trials must be at least 1"));
        }
        let profiles = language::Profiles::read(&paths).map_err(PyValueError::new_err)?;
        if profiles.languages.is_empty() {
            return Err(PyValueError::new_err("no language profiles"));
        }
        let settings = language::Settings {
            seed,
            trials,
            alpha,
            alpha_width,
            base_freq,
            conv_threshold,
            iteration_limit,
            prob_threshold,
            compensated_sum,
        };
        Ok(PyLanguage { detector: language::Detector::new(profiles, settings) })
    }

    /// The languages, in the order of the profiles (of the probabilities' columns).
    #[getter]
    fn languages(&self) -> Vec<String> {
        self.detector.profiles.languages.clone()
    }

    #[getter]
    fn row_count(&self) -> usize {
        self.detector.profiles.row_count()
    }

    /// The index of langdetect's answer for `text` (normalised, UTF-8 with surrogates passed), -1 when no
    /// language passes the threshold, None when the text has no n-gram of any profile.
    fn detect(&self, text: &[u8]) -> Option<isize> {
        match self.detector.detect(text) {
            language::Answer::NoFeatures => None,
            language::Answer::Unknown => Some(-1),
            language::Answer::Language(index) => Some(index as isize),
        }
    }

    /// The profile rows of the n-grams langdetect takes from `text`, in order.
    fn ngram_rows(&self, text: &[u8]) -> Vec<u32> {
        self.detector.ngram_rows(text)
    }

    /// The averaged probabilities of langdetect's walks over `rows` (partial when `answer_only`).
    #[pyo3(signature = (rows, *, answer_only))]
    fn probabilities(&self, rows: Vec<u32>, answer_only: bool) -> PyResult<Vec<f64>> {
        if rows.is_empty() || rows.iter().any(|&row| row as usize >= self.detector.profiles.row_count()) {
            return Err(PyValueError::new_err("rows must be a non-empty list of profile rows"));
        }
        Ok(self.detector.probabilities(&rows, answer_only))
    }

    /// The row of an n-gram (UTF-8), None when no profile has it.
    fn row(&self, gram: &[u8]) -> Option<u32> {
        let points: Vec<u32> = text::code_points(gram).map(|point| point.value).collect();
        self.detector.profiles.row(&points)
    }

    /// P(n-gram | language) of a row, for every language.
    fn profile(&self, row: u32) -> PyResult<Vec<f64>> {
        if row as usize >= self.detector.profiles.row_count() {
            return Err(PyValueError::new_err("no such row"));
        }
        let mut out = vec![0.0; self.detector.profiles.languages.len()];
        self.detector.profiles.dense(row, &mut out);
        Ok(out)
    }

    /// Make the window's upper-case test of `point` answer `upper` (Python's `str.isupper`); whether Rust's own
    /// Unicode tables said otherwise.
    fn set_upper(&mut self, point: u32, upper: bool) -> bool {
        self.detector.set_upper(point, upper)
    }

    /// Whether Rust's own Unicode tables call `point` upper case.
    #[staticmethod]
    fn rust_upper(point: u32) -> bool {
        char::from_u32(point).is_some_and(char::is_uppercase)
    }
}

/// The flags of non-ASCII code points, asked of a Python function once each. The table is shared by every call
/// and thread without a lock (relaxed atomics: two threads meeting a new character may both ask Python, and get
/// the same answer), so no borrow is held while Python runs.
struct PythonTable<'a, 'py> {
    describe: &'a Bound<'py, PyAny>,
    known: &'a [AtomicU8],
}

const UNKNOWN: u8 = 0xFF;

impl shingles::Describe for PythonTable<'_, '_> {
    type Error = PyErr;

    fn flags(&mut self, point: u32) -> PyResult<u8> {
        let slot = &self.known[point as usize];
        let known = slot.load(Ordering::Relaxed);
        if known != UNKNOWN {
            return Ok(known);
        }
        let flags: u8 = self.describe.call1((point,))?.extract()?;
        if flags == UNKNOWN {
            return Err(PyValueError::new_err("code point flags must be below 255"));
        }
        slot.store(flags, Ordering::Relaxed);
        Ok(flags)
    }
}

/// Word shingles of folded texts; `describe(code_point) -> flags` classes non-ASCII characters.
#[pyclass(module = "cleaner._core", name = "Shingler", frozen)]
struct PyShingler {
    describe: Py<PyAny>,
    known: OnceLock<Box<[AtomicU8]>>,
}

impl PyShingler {
    fn table<'a, 'py>(&'a self, describe: &'a Bound<'py, PyAny>) -> PythonTable<'a, 'py> {
        let known = self.known.get_or_init(|| (0..0x11_0000).map(|_| AtomicU8::new(UNKNOWN)).collect());
        PythonTable { describe, known }
    }
}

type ShingledBatch<'py> = (Bound<'py, PyByteArray>, Vec<usize>, Vec<usize>, Vec<usize>, Vec<Bound<'py, PyBytes>>);

#[pymethods]
impl PyShingler {
    #[new]
    fn new(describe: Py<PyAny>) -> Self {
        PyShingler { describe, known: OnceLock::new() }
    }

    /// The indices of the texts that hold a non-ASCII character that case folding or NFKC may change.
    fn needs_folding(&self, py: Python<'_>, texts: Vec<Bound<'_, PyBytes>>) -> PyResult<Vec<usize>> {
        let describe = self.describe.bind(py);
        let mut table = self.table(describe);
        let mut found = Vec::new();
        for (index, text) in texts.iter().enumerate() {
            if shingles::needs_folding(text.as_bytes(), &mut table)? {
                found.push(index);
            }
        }
        Ok(found)
    }

    /// The byte spans of a folded text's words, as (start, end) pairs.
    fn word_spans(&self, py: Python<'_>, text: &[u8]) -> PyResult<Vec<(usize, usize)>> {
        shingles::word_spans(text, &mut self.table(self.describe.bind(py)))
    }

    /// The word hashes of a folded text (uint64, native order).
    fn word_hashes<'py>(&self, py: Python<'py>, text: &[u8]) -> PyResult<Bound<'py, PyByteArray>> {
        let spans = shingles::word_spans(text, &mut self.table(self.describe.bind(py)))?;
        Ok(PyByteArray::new(py, &to_bytes(&shingles::word_hashes(text, &spans))))
    }

    /// Shingle folded texts: (hashes as uint64 bytes, text i's from offsets[i] to offsets[i + 1], distinct
    /// shingles per text, words per text, 16-byte digest per text).
    fn shingle<'py>(&self, py: Python<'py>, texts: Vec<Bound<'py, PyBytes>>, k: usize) -> PyResult<ShingledBatch<'py>> {
        let describe = self.describe.bind(py);
        let mut table = self.table(describe);
        let bits = shingles::distinct_bits(texts.len());
        let mut hashes: Vec<u64> = Vec::new();
        let (mut offsets, mut distinct, mut words, mut exact) = (vec![0], Vec::new(), Vec::new(), Vec::new());
        for text in &texts {
            let shingled = shingles::shingle(text.as_bytes(), k, &mut table)?;
            distinct.push(shingles::distinct(&shingled.hashes, bits));
            hashes.extend_from_slice(&shingled.hashes);
            offsets.push(hashes.len());
            words.push(shingled.words);
            exact.push(PyBytes::new(py, &shingled.exact));
        }
        Ok((PyByteArray::new(py, &to_bytes(&hashes)), offsets, distinct, words, exact))
    }
}

/// The hash of each run of `k` consecutive words (uint64 bytes in, uint64 bytes out).
#[pyfunction]
fn shingle_hashes<'py>(py: Python<'py>, words: &[u8], k: usize) -> PyResult<Bound<'py, PyByteArray>> {
    let words = from_bytes(words)?;
    Ok(PyByteArray::new(py, &to_bytes(&shingles::shingle_hashes(&words, k))))
}

/// MinHash signatures of `width` bins from a salt and each bin's probe sequence.
#[pyclass(module = "cleaner._core", name = "MinHasher")]
struct PyMinHasher {
    hasher: minhash::MinHasher,
}

#[pymethods]
impl PyMinHasher {
    #[new]
    fn new(width: usize, salt: u64, probes: Vec<u32>) -> PyResult<Self> {
        Ok(PyMinHasher { hasher: minhash::MinHasher::new(width, salt, probes).map_err(PyValueError::new_err)? })
    }

    /// The signatures (uint32 bytes, one row of `width` per text) of shingle hashes (uint64 bytes, each text's
    /// in its order), text i's from offsets[i] to offsets[i + 1], and where each bin's minimum stands (uint16
    /// bytes, the same shape).
    fn signatures<'py>(
        &self,
        py: Python<'py>,
        hashes: &[u8],
        offsets: Vec<usize>,
    ) -> PyResult<(Bound<'py, PyByteArray>, Bound<'py, PyByteArray>)> {
        let hashes = from_bytes(hashes)?;
        if offsets.first().is_some_and(|&start| start != 0)
            || offsets.windows(2).any(|pair| pair[0] > pair[1])
            || offsets.last().is_some_and(|&end| end != hashes.len())
        {
            return Err(PyValueError::new_err("offsets must rise from 0 to the number of hashes"));
        }
        let width = self.hasher.width;
        let rows = offsets.len().saturating_sub(1);
        let (mut table, mut positions) = (vec![0u32; rows * width], vec![0u16; rows * width]);
        for (row, pair) in offsets.windows(2).enumerate() {
            let span = row * width..(row + 1) * width;
            self.hasher.signature(&hashes[pair[0]..pair[1]], &mut table[span.clone()], &mut positions[span]);
        }
        let table: Vec<u8> = table.iter().flat_map(|value| value.to_ne_bytes()).collect();
        let positions: Vec<u8> = positions.iter().flat_map(|value| value.to_ne_bytes()).collect();
        Ok((PyByteArray::new(py, &table), PyByteArray::new(py, &positions)))
    }
}

/// The density model's tree ensemble (cleaner/filters/density.py `TreeModel`): a node table of parallel columns,
/// a leaf marked by feature -1, and each tree's root.
#[pyclass(module = "cleaner._core", name = "TreeEnsemble", frozen)]
struct PyTreeEnsemble {
    ensemble: trees::Ensemble,
}

#[pymethods]
impl PyTreeEnsemble {
    /// The node table's columns as native-endian bytes: `feature` int32 (-1 for a leaf), `threshold` and `value`
    /// float64, `left`, `right` and `roots` uint32.
    #[new]
    #[pyo3(signature = (*, feature, threshold, left, right, value, roots, width))]
    fn new(
        feature: &[u8],
        threshold: &[u8],
        left: &[u8],
        right: &[u8],
        value: &[u8],
        roots: &[u8],
        width: usize,
    ) -> PyResult<Self> {
        let (feature, threshold, value) = (i32_values(feature)?, f64_values(threshold)?, f64_values(value)?);
        let (left, right, roots) = (u32_values(left)?, u32_values(right)?, u32_values(roots)?);
        let count = feature.len();
        if [threshold.len(), left.len(), right.len(), value.len()].iter().any(|&len| len != count) {
            return Err(PyValueError::new_err("the node columns differ in length"));
        }
        let mut nodes = Vec::with_capacity(count);
        for i in 0..count {
            let feature = match feature[i] {
                -1 => trees::LEAF,
                f if f >= 0 => f as u32,
                f => return Err(PyValueError::new_err(format!("node {i} has feature {f}"))),
            };
            nodes.push(trees::Node {
                feature,
                threshold: threshold[i],
                left: left[i],
                right: right[i],
                value: value[i],
            });
        }
        let ensemble = trees::Ensemble::new(nodes, roots, width).map_err(PyValueError::new_err)?;
        Ok(PyTreeEnsemble { ensemble })
    }

    /// The probability of each row of `table` (float64 bytes, row-major, `width` columns), its score clipped to
    /// +-`clip`, as a list (as `Logistic.probabilities` gives them).
    fn probabilities(&self, table: &[u8], clip: f64) -> PyResult<Vec<f64>> {
        self.ensemble.probabilities(&f64_values(table)?, clip).map_err(PyValueError::new_err)
    }
}

/// Native-endian values of `N` bytes each, read from a byte buffer whose length must be a multiple of `N`.
fn ne_values<T, const N: usize>(bytes: &[u8], kind: &str, from: fn([u8; N]) -> T) -> PyResult<Vec<T>> {
    if !bytes.len().is_multiple_of(N) {
        return Err(PyValueError::new_err(format!("expected {kind} values")));
    }
    Ok(bytes.chunks_exact(N).map(|chunk| from(chunk.try_into().expect("N bytes"))).collect())
}

fn f64_values(table: &[u8]) -> PyResult<Vec<f64>> {
    ne_values(table, "float64", f64::from_ne_bytes)
}

fn i32_values(column: &[u8]) -> PyResult<Vec<i32>> {
    ne_values(column, "int32", i32::from_ne_bytes)
}

fn u32_values(column: &[u8]) -> PyResult<Vec<u32>> {
    ne_values(column, "uint32", u32::from_ne_bytes)
}

fn f64_bytes<'py>(py: Python<'py>, values: &[f64]) -> Bound<'py, PyBytes> {
    let bytes: Vec<u8> = values.iter().flat_map(|value| value.to_ne_bytes()).collect();
    PyBytes::new(py, &bytes)
}

/// The density model's first-stage rows of a page's blocks (`density::stage1_rows`): float64 bytes, row-major,
/// and the row width.
#[pyfunction]
#[pyo3(signature = (*, rows, words, stop, ends, bullet, gaps))]
fn density_stage1<'py>(
    py: Python<'py>,
    rows: Vec<f64>,
    words: Vec<f64>,
    stop: Vec<f64>,
    ends: Vec<f64>,
    bullet: Vec<bool>,
    gaps: Vec<f64>,
) -> PyResult<(Bound<'py, PyBytes>, usize)> {
    let blocks = density::Blocks { rows: &rows, words: &words, stop: &stop, ends: &ends, bullet: &bullet, gaps: &gaps };
    let (table, width) = density::stage1_rows(&blocks).map_err(PyValueError::new_err)?;
    Ok((f64_bytes(py, &table), width))
}

/// The density model's second-stage rows (`density::stage2_rows`): float64 bytes, row-major.
#[pyfunction]
#[pyo3(signature = (*, probabilities, words, ends, start, end))]
fn density_stage2<'py>(
    py: Python<'py>,
    probabilities: Vec<f64>,
    words: Vec<f64>,
    ends: Vec<f64>,
    start: usize,
    end: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let table = density::stage2_rows(&probabilities, &words, &ends, start, end).map_err(PyValueError::new_err)?;
    Ok(f64_bytes(py, &table))
}

/// A logistic model as one dot product (`density::Logistic`).
#[pyclass(module = "cleaner._core", name = "Logistic", frozen)]
struct PyLogistic {
    model: density::Logistic,
}

#[pymethods]
impl PyLogistic {
    #[new]
    fn new(slopes: Vec<f64>, intercept: f64) -> Self {
        PyLogistic { model: density::Logistic { slopes, intercept } }
    }

    /// The probability of each row of `table` (float64 bytes, row-major), its score clipped to +-`clip`, as a list.
    fn probabilities(&self, table: &[u8], clip: f64) -> PyResult<Vec<f64>> {
        self.model.probabilities(&f64_values(table)?, clip).map_err(PyValueError::new_err)
    }
}

fn to_bytes(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|value| value.to_ne_bytes()).collect()
}

fn from_bytes(bytes: &[u8]) -> PyResult<Vec<u64>> {
    if !bytes.len().is_multiple_of(8) {
        return Err(PyValueError::new_err("expected uint64 values"));
    }
    Ok(bytes.chunks_exact(8).map(|chunk| u64::from_ne_bytes(chunk.try_into().expect("8 bytes"))).collect())
}

#[pymodule]
fn _core(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyLanguage>()?;
    module.add_class::<PyShingler>()?;
    module.add_class::<PyMinHasher>()?;
    module.add_class::<PyTreeEnsemble>()?;
    module.add_class::<PyLogistic>()?;
    module.add_function(wrap_pyfunction!(density_stage1, module)?)?;
    module.add_function(wrap_pyfunction!(density_stage2, module)?)?;
    module.add_function(wrap_pyfunction!(shingle_hashes, module)?)?;
    Ok(())
}
