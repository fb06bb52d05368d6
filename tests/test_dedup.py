"""Dedup's units: shingling, MinHash estimates, verification, clusters and the streaming `Deduplicator`.

Texts are invented prose from a seeded generator (`prose`); expectations come from exact set arithmetic on the
shingles computed here, never from the program's own output.
"""

from __future__ import annotations

import random
import subprocess
import sys
import unicodedata
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.dedup import Deduplicator, DedupOptions, MinHasher, normalise, shingle
from cleaner.dedup.cluster import Place, Rank, Stars
from cleaner.dedup.lsh import (
    BY_LEAD,
    BY_WHOLE,
    LEAD_BANDS,
    NO_KEY,
    Banding,
    BandTable,
    DocumentKeys,
    candidate_probability,
    lead_banding,
)
from cleaner.dedup.minhash import LEAD_BINS, LEAD_WORDS
from cleaner.dedup.shingles import (
    KIND_BITS,
    NON_WORD,
    UNSTABLE,
    _describe,
    prepare,
    shingle_hashes,
    shingle_many,
    word_hashes,
)
from cleaner.dedup.verify import Thresholds, containment_of, estimate, is_duplicate

_SYLLABLES = ["ka", "lo", "mir", "ten", "sa", "vu", "dre", "on", "pil", "ast", "er", "uno", "bri", "gal", "tho", "wen"]
VOCABULARY = sorted({"".join(random.Random(i).choices(_SYLLABLES, k=1 + i % 3)) + str(i % 7) for i in range(4000)})


def prose(seed: int, words: int = 300) -> str:
    """Invented sentences: a Zipf-like draw from a fixed vocabulary, so two texts share few 5-word runs."""
    rng = random.Random(seed)
    weights = [1.0 / (rank + 10) for rank in range(len(VOCABULARY))]
    drawn = rng.choices(VOCABULARY, weights=weights, k=words)
    sentences, start = [], 0
    while start < words:
        length = rng.randint(8, 20)
        sentence = " ".join(drawn[start : start + length])
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
        start += length
    return " ".join(sentences)


def paragraphs(seed: int, count: int = 6, words: int = 60) -> list[str]:
    return [prose(seed * 100 + index, words) for index in range(count)]


def shingle_set(text: str, k: int = 5) -> set[int]:
    return set(shingle_hashes(word_hashes(prepare(text)), k).tolist())


def exact_jaccard(a: str, b: str) -> float:
    sa, sb = shingle_set(a), shingle_set(b)
    return len(sa & sb) / len(sa | sb)


# --- shingles ----------------------------------------------------------------------------------------------------


def test_normalise_folds_case_punctuation_and_spacing() -> None:
    assert normalise("  Hello,   WORLD!\n\n— said «she»_ ") == "hello world said she"
    assert normalise("ＦＵＬＬ ÜBER") == normalise("full über") == "full über"  # NFKC, lower case
    assert normalise("...!?") == ""


# Characters the batch path must notice: upper case beyond ASCII, compatibility forms, letters with combining
# marks NFKC composes, Hangul jamo that compose into a syllable, final sigma, dotted capital I.
_TRICKY = (
    "aZ …\u00a0¨½™ éÉ ÜBER ΣΑΣ ς İstanbul ＦＵＬＬ ﬁ e\u0301 \u1100\u1161\u11a8 \u0915\u093c ’“” 東京 ก 𝐀 𠀀 𐐀 \u00a0—"
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(_TRICKY), max_size=30), min_size=1, max_size=6))
def test_the_batch_path_shingles_as_the_reference_does(batch: list[str]) -> None:
    sketched = shingle_many(batch, 2)
    for index, text in enumerate(batch):
        mine = sketched.hashes[sketched.offsets[index] : sketched.offsets[index + 1]]
        assert set(mine.tolist()) == shingle_set(text, 2)
        assert sketched.words[index] == len(normalise(text).split())
        if normalise(normalise(text)) == normalise(text):  # (NFKC after lower-casing may reorder marks)
            assert sketched.exact[index] == shingle_many([normalise(text)], 2).exact[0]


def test_every_character_nfkc_may_compose_is_marked_unstable() -> None:
    """The second character of every canonical pair NFKC composes is marked, and so is each character NFKC
    replaces unless it and its replacement only separate words: a text without marked characters has the same
    words as its NFKC form."""
    for cp in range(0x30000):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                second = int(parts[1], 16)
                assert _describe(second) & UNSTABLE, hex(second)
        replaced = unicodedata.normalize("NFKC", chr(cp))
        if replaced != chr(cp) and not (_describe(cp) & UNSTABLE):
            # a character NFKC replaces is left alone only when neither it nor its replacement holds a word
            assert _describe(cp) & KIND_BITS == NON_WORD and normalise(replaced) == "", hex(cp)


def test_unspaced_scripts_are_shingled_per_character() -> None:
    assert normalise("東京都、晴れ") == "東 京 都 晴 れ"
    assert len(normalise("กรุงเทพ").split()) > 1


def test_same_words_same_shingles_whatever_the_punctuation() -> None:
    text = prose(1)
    noisy = text.upper().replace(" ", "  ,  ").replace(".", " -- ")
    assert shingle(text, 5).exact == shingle(noisy, 5).exact
    assert np.array_equal(np.sort(shingle(text, 5).hashes), np.sort(shingle(noisy, 5).hashes))


def test_shingle_counts() -> None:
    shingled = shingle("one two three four five six seven", 5)
    assert shingled.words == 7 and shingled.hashes.size == 3 and shingled.distinct == 3
    short = shingle("just three words", 5)
    assert short.words == 3 and short.hashes.size == 1
    assert shingle("", 5).hashes.size == 0 and shingle("", 5).words == 0
    repeated = shingle(" ".join(["a b c d e"] * 4), 5)
    assert repeated.distinct == 5  # the five rotations of the cycle


def test_word_hashes_tell_words_apart() -> None:
    words = [w for w in VOCABULARY] + ["a", "aa", "ab", "ba", "é", "e"]
    hashes = word_hashes(prepare(" ".join(words)))
    assert hashes.size == len(words)
    assert len(set(hashes.tolist())) == len(set(words))
    assert word_hashes(b"x y x").tolist()[0] == word_hashes(b"x y x").tolist()[2]


def test_signatures_are_the_same_in_another_process() -> None:
    """No Python hash() of str: a fresh interpreter with another hash seed computes the same signature."""
    text = prose(7)
    code = (
        "import sys; from cleaner.dedup import Deduplicator; "
        "print(Deduplicator().sketch(sys.stdin.read()).signature.tobytes().hex())"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout.strip()
    assert other == Deduplicator().sketch(text).signature.tobytes().hex()


# --- minhash and verification ------------------------------------------------------------------------------------


def test_minhash_estimates_jaccard_within_tolerance() -> None:
    hasher = MinHasher(128, seed=1)
    errors = []
    rng = random.Random(3)
    for seed in range(40):
        base = prose(seed, 400).split()
        keep = rng.uniform(0.3, 1.0)
        other = [word if rng.random() < keep else rng.choice(VOCABULARY) for word in base]
        a, b = " ".join(base), " ".join(other)
        sa, sb = hasher.sketch(shingle(a, 5), 5), hasher.sketch(shingle(b, 5), 5)
        errors.append(estimate(sa, sb).jaccard - exact_jaccard(a, b))
    errors_arr = np.array(errors)
    # standard error of a 128-permutation estimate is at most 0.044; no bias
    assert np.abs(errors_arr).max() < 0.16
    assert abs(errors_arr.mean()) < 0.03
    assert np.sqrt((errors_arr**2).mean()) < 0.06


def test_containment_catches_a_trimmed_copy() -> None:
    story = paragraphs(11, count=8)
    original = "\n\n".join(story)
    trimmed = "LONDON — " + "\n\n".join(story[:4])
    dedup = Deduplicator()
    a, b = dedup.sketch(original), dedup.sketch(trimmed)
    verdict = estimate(a, b)
    assert exact_jaccard(original, trimmed) < 0.6
    assert verdict.jaccard < 0.6
    assert verdict.containment > 0.85
    assert is_duplicate(verdict, a, b, Thresholds())
    assert not is_duplicate(verdict, a, b, Thresholds(jaccard=0.9, min_words=10_000))  # containment off


def test_containment_needs_min_words() -> None:
    big = prose(5, 400)
    snippet = " ".join(big.split()[:20])
    dedup = Deduplicator()
    a, b = dedup.sketch(big), dedup.sketch(snippet)
    verdict = estimate(a, b)
    assert not is_duplicate(verdict, a, b, Thresholds(min_words=30))
    assert is_duplicate(verdict, a, b, Thresholds(min_words=10)) == (verdict.containment >= Thresholds().containment)


def test_containment_formula() -> None:
    # |A| = 100, |B| = 50, B inside A: J = 50/100
    assert containment_of(0.5, 100, 50) == pytest.approx(1.0)
    assert containment_of(0.0, 100, 50) == 0.0
    assert containment_of(1.0, 80, 80) == pytest.approx(1.0)


def test_different_stories_on_the_same_event_are_not_merged() -> None:
    """Same names, places, figures and one shared quote; different reporting."""
    facts = "Minister Aldara Venn said in Port Kessel on Tuesday that 1,240 homes were flooded."
    quote = '"We will rebuild every street of this town, and we will start this week," Venn told reporters.'
    first = " ".join([facts, prose(21, 120), quote, prose(22, 150)])
    second = " ".join([prose(31, 90), facts, prose(32, 110), quote])
    dedup = Deduplicator()
    assert dedup.add("first", first) is None
    assert dedup.add("second", second) is None
    assert exact_jaccard(first, second) < 0.15


def test_exact_copies_first() -> None:
    text = prose(9)
    dedup = Deduplicator()
    dedup.add("a", text)
    match = dedup.add("b", text.upper() + "!!!")
    assert match is not None and match.exact and match.similarity == 1.0 and match.id == "a"


def test_lsh_probability_and_keys() -> None:
    assert candidate_probability(0.5, 42, 3) > 0.99
    assert candidate_probability(0.05, 42, 3) < 0.01
    banding = Banding(128, 42)
    signature = MinHasher().signature(shingle(prose(1), 5).hashes)
    keys = banding.keys(signature)
    assert keys.shape == (42,) and keys.dtype == np.int64 and (keys >= 0).all() and (keys < 2**47).all()
    changed = signature.copy()
    changed[0] ^= 1  # the first band changes, the others do not
    other = banding.keys(changed)
    assert other[0] != keys[0] and np.array_equal(other[1:], keys[1:])
    with pytest.raises(ValueError):
        Banding(128, 0)


def test_band_table() -> None:
    table = BandTable()
    assert table.insert(1, [10, 11]) == set()
    assert table.insert(2, [11, 12]) == {1}
    assert table.insert(3, [11, 13]) == {1, 2}
    assert table.insert(3, [11]) == {1, 2}  # again: not its own match
    assert table.query([11]) == {1, 2, 3}
    assert table.query([12, 99]) == {2}


def test_band_table_pairs_a_lead_only_with_a_probe() -> None:
    """Lead keys (filed under ~node) meet the probes of short documents; two leads, two probes, or a whole-text
    key and a lead key, never make a pair."""
    table = BandTable()
    assert table.candidates(0, DocumentKeys([1, 2], [50, 51], [])) == {}  # a long document: whole and lead keys
    assert table.candidates(1, DocumentKeys([3, 4], [50, 52], [])) == {}  # another lead sharing 50: no pair
    assert table.candidates(2, DocumentKeys([5, 50], [], [60])) == {}  # a whole key equal to a lead's: no pair
    assert table.candidates(3, DocumentKeys([6, 7], [], [51, 60])) == {0: BY_LEAD}  # a probe meets a lead only
    assert table.candidates(4, DocumentKeys([6, 8], [60], [])) == {3: BY_WHOLE | BY_LEAD, 2: BY_LEAD}
    assert table.candidates(-1, DocumentKeys([1], [], [52]), insert=False) == {0: BY_WHOLE, 1: BY_LEAD}


def test_lead_banding_proposes_short_copies_at_their_similarity_with_a_lead() -> None:
    """20 bands of 2 rows over the first 40 bins: a summary in a lead (J 0.3 to 0.4) is proposed most of the time,
    an unrelated pair (J 0.05) seldom; its keys live apart from the whole-text keys."""
    banding = lead_banding(128)
    assert (banding.bands, banding.rows) == (LEAD_BANDS, 2) and LEAD_BANDS * 2 <= LEAD_BINS
    assert candidate_probability(0.3, banding.bands, banding.rows) > 0.8
    assert candidate_probability(0.35, banding.bands, banding.rows) > 0.9
    assert candidate_probability(0.05, banding.bands, banding.rows) < 0.05
    signature = MinHasher().signature(shingle(prose(1), 5).hashes)
    assert not set(banding.keys(signature).tolist()) & set(Banding(128, 42).keys(signature).tolist())
    assert lead_banding(16).bands == 8 and lead_banding(1).bands == 1  # fewer bins than the lead banding's


# --- clusters ----------------------------------------------------------------------------------------------------


def test_representative_is_the_most_complete_then_first_seen() -> None:
    stars = Stars()
    a = stars.add(Rank(100, 0))
    b = stars.add(Rank(300, 1))
    c = stars.add(Rank(300, 2))
    d = stars.add(Rank(50, 3))
    stars.link(a, d, 0.9)
    assert stars.places()[d].representative == a
    stars.link(c, d, 0.8)
    assert [place.representative for place in stars.places()] == [a, b, c, a]  # d: the more similar of the two
    stars.link(b, d, 0.9)
    assert stars.places()[d] == Place(a, 0.9)  # as similar to b as to a: a was seen first
    stars.link(a, b, 0.95)
    stars.link(a, c, 0.75)
    places = stars.places()
    assert places[a].representative == b  # 300 words like c, but seen first
    assert places[c].representative == c  # never verified against b: not joined through a


def test_a_document_matching_only_a_member_is_checked_against_its_representative() -> None:
    stars = Stars()
    r, m, d = stars.add(Rank(900, 0)), stars.add(Rank(500, 1)), stars.add(Rank(100, 2))
    stars.link(r, m, 0.9)
    stars.link(m, d, 0.95)
    asked: list[tuple[int, int]] = []

    def check(a: int, b: int) -> float | None:
        asked.append((a, b))
        return 0.8 if verified else None

    verified = True
    assert stars.places(check)[d] == Place(r, 0.8)  # verified against r itself: its similarity is that pair's
    assert asked == [(d, r)]
    stars.link(r, m, 0.9)  # any change: placed again
    verified = False
    assert stars.places(check)[d] == Place(d, 1.0)  # not through m


def test_no_chaining_through_a_page_that_holds_two_stories() -> None:
    """A page carrying story A and, further down, a card with the whole of story B matches a copy of each; the
    two copies must not end up in one cluster through it, and every member is at or above the thresholds."""
    story_a, story_b = prose(61, 300), prose(62, 300)
    both = story_a + "\n\nRelated stories\n\n" + story_b
    copy_b = "PARIS — " + story_b
    dedup = Deduplicator()
    dedup.add("both", both)
    dedup.add("copy of A", story_a)
    dedup.add("copy of B", copy_b)
    rows = {row.id: row for row in dedup.assignments()}
    assert rows["copy of A"].cluster == "both"
    assert rows["copy of B"].cluster == "copy of B"  # B stands a whole article down the page: a card
    for row in rows.values():
        assert row.duplicate_of is None or row.similarity >= Thresholds().containment


def test_chained_pairs_do_not_make_one_cluster() -> None:
    """Verified pairs a-b and b-c without a-c: c joins no cluster through b (the old connected components did)."""
    words = prose(63, 400).split()
    a = " ".join(words[:300])  # the most complete: the representative
    b = " ".join(words[:120])
    c = " ".join(words[:120] + prose(64, 330).split())  # b's text, then another story: longer than b, not than a
    dedup = Deduplicator()
    for doc_id, text in (("a", a), ("b", b), ("c", c)):
        dedup.add(doc_id, text)
    sketches = {doc_id: dedup.sketch(text) for doc_id, text in (("a", a), ("b", b), ("c", c))}
    judge = lambda x, y: is_duplicate(estimate(sketches[x], sketches[y]), sketches[x], sketches[y], Thresholds())  # noqa: E731
    assert judge("a", "b") and judge("b", "c") and not judge("a", "c")
    clusters = {row.id: row.cluster for row in dedup.assignments()}
    assert clusters["b"] in ("a", "c") and clusters["a"] != clusters["c"]


def test_a_story_carried_as_a_card_is_not_contained() -> None:
    """The same containment, told apart by where the shared text stands: at the top (a trimmed copy) or a whole
    article down the page (a card)."""
    story, other = prose(65, 250), prose(66, 500)
    dedup = Deduplicator()
    page_with_card, longer_version = dedup.sketch(other + " " + story), dedup.sketch(story + " " + other)
    copy = dedup.sketch(story)
    for page in (page_with_card, longer_version):
        assert estimate(copy, page).containment > 0.8
    assert is_duplicate(estimate(copy, longer_version), copy, longer_version, Thresholds())
    assert not is_duplicate(estimate(copy, page_with_card), copy, page_with_card, Thresholds())
    # a shift of a dateline or a new title is no card; a shift past the allowance is
    shifted = dedup.sketch("LONDON, Tuesday — a new title for the story here. " + story)
    assert is_duplicate(estimate(copy, shifted), copy, shifted, Thresholds())
    assert not is_duplicate(estimate(copy, shifted), copy, shifted, Thresholds(shift=2))


def test_short_copies_are_found_through_the_lead_of_a_long_one() -> None:
    """A feed excerpt (the story's opening) and a short summary of a 1,500-word story: a Jaccard similarity of a
    few hundredths with the whole text, which LSH never proposes, but contained in its lead. Reported at the
    lead containment, never below the threshold."""
    story = prose(70, 1500)
    words = story.split()
    excerpt = "Associated Press " + " ".join(words[:80])
    summary = " ".join(words[:45])
    dedup = Deduplicator()
    dedup.add("story", story)
    whole = estimate(dedup.sketch(excerpt), dedup.sketch(story))
    assert whole.jaccard < 0.1
    for text in (excerpt, summary):
        match = dedup.query(text)
        assert match is not None and match.id == "story" and match.similarity >= Thresholds().containment
    for doc_id, text in (("excerpt", excerpt), ("summary", summary)):
        match = dedup.add(doc_id, text)
        assert match is not None and match.similarity >= Thresholds().containment
    rows = {row.id: row for row in dedup.assignments()}
    assert rows["excerpt"].cluster == rows["summary"].cluster == "story"
    assert all(row.similarity >= Thresholds().containment for row in rows.values())


def test_the_lead_finds_no_copy_of_a_card_and_keeps_min_words() -> None:
    """A page with its own article and, after it, a card carrying the opening of another story: the card's text
    is not in the page's lead (the top of the page is its own article), so an excerpt of that story joins the
    story, never the page, and the page does not glue the two stories together. An opening shorter than
    `min_words` is no story, lead or not."""
    own, other = prose(71, 600), prose(72, 900)
    card = " ".join(other.split()[:80])
    dedup = Deduplicator()
    dedup.add("page", own + "\n\nMore stories\n\n" + card + " Read more")
    dedup.add("other", other)
    match = dedup.add("excerpt of other", card)
    assert match is not None and match.id == "other"
    assert dedup.add("opening of own", " ".join(own.split()[:80])) is not None
    assert dedup.add("too short", " ".join(other.split()[:25])) is None
    rows = {row.id: row.cluster for row in dedup.assignments()}
    assert rows["excerpt of other"] == "other" and rows["opening of own"] == "page"
    assert rows["page"] == "page" and rows["other"] == "other"


def test_two_pages_with_the_same_top_are_not_paired_through_their_leads() -> None:
    """Chrome atop every page of a site (a raw dump): their leads agree, but a lead meets only whole-text keys,
    never another lead, and the pages are told apart on their whole texts."""
    chrome = prose(73, 120)
    dedup = Deduplicator()
    dedup.add("one", chrome + " " + prose(74, 700))
    assert dedup.add("two", chrome + " " + prose(75, 700)) is None
    assert [cluster.members for cluster in dedup.clusters()] == [["one"], ["two"]]


def test_lead_sketches_in_a_batch_and_alone_agree() -> None:
    story = prose(76, 400)
    dedup = Deduplicator()
    alone = dedup.sketch(story)
    (together,) = dedup.sketch_many([story])
    assert alone.lead is not None and together.lead is not None
    assert np.array_equal(alone.lead.signature, together.lead.signature)
    assert np.array_equal(alone.lead.positions, together.lead.positions)
    # the lead is the first LEAD_BINS bins of the signature of the first words, copied out (no view of a batch)
    head = dedup.sketch(" ".join(story.split()[:LEAD_WORDS]))
    assert alone.lead.signature.shape == alone.lead.positions.shape == (LEAD_BINS,)
    assert head.lead is None and np.array_equal(head.signature[:LEAD_BINS], alone.lead.signature)
    assert np.array_equal(head.positions[:LEAD_BINS], alone.lead.positions)
    assert alone.lead.distinct == head.distinct
    assert together.lead.signature.base is None or together.lead.signature.base.shape[1] == LEAD_BINS


def test_positions_are_where_the_minimum_first_stands() -> None:
    text = prose(67, 3000)  # every bin reached by some shingle: none borrows another's value
    hasher = MinHasher()
    shingled = shingle(text, 5)
    signature, positions = hasher.signature_positions(shingled.hashes)
    for column in range(0, 128, 7):
        value, place = signature[column], int(positions[column])
        again = hasher.signature_positions(shingled.hashes[place:])  # from that shingle on, the minimum stays
        assert again[0][column] == value
        if place:
            before = hasher.signature_positions(shingled.hashes[:place])[0]  # before it, it is not there
            assert before[column] != value


def test_clusters_and_assignments() -> None:
    story = paragraphs(40)
    full = "\n\n".join(story)
    trimmed = "\n\n".join(story[:4])
    edited = "\n\n".join(story).replace(story[2].split()[3], "zzzz", 1)
    other = prose(41, 360)
    dedup = Deduplicator()
    assert dedup.add("trimmed", trimmed) is None
    match = dedup.add("full", full)
    assert match is not None and match.id == "trimmed"
    assert dedup.add("other", other) is None
    assert dedup.add("edited", edited) is not None
    assert dedup.add("empty", "") is None
    assert dedup.add("empty too", "  ...  ") is None  # empty texts never match

    rows = list(dedup.assignments())
    assert [row.id for row in rows] == ["trimmed", "full", "other", "edited", "empty", "empty too"]
    by_id = {row.id: row for row in rows}
    # the representative is the most complete copy: full (edited has as many words but came later)
    assert by_id["full"].duplicate_of is None and by_id["full"].cluster == "full" and by_id["full"].similarity == 1
    for copy in ("trimmed", "edited"):
        assert by_id[copy].cluster == "full" and by_id[copy].duplicate_of == "full"
        assert 0.8 <= by_id[copy].similarity <= 1.0
    assert by_id["other"].duplicate_of is None and by_id["empty"].duplicate_of is None
    clusters = dedup.clusters()
    assert [c.representative for c in clusters] == ["full", "other", "empty", "empty too"]
    assert clusters[0].members == ["trimmed", "full", "edited"]


def test_query_does_not_add_and_complete_asks_for_a_longer_match() -> None:
    story = paragraphs(50)
    dedup = Deduplicator()
    dedup.add("short", "\n\n".join(story[:4]))
    full = "\n\n".join(story)
    assert dedup.query(full) is not None
    assert dedup.query(full, complete=True) is None  # the match is shorter
    assert len(dedup) == 1
    assert dedup.query("\n\n".join(story[:3]), complete=True) is not None


def test_options_are_checked() -> None:
    for bad in ({"jaccard": 1.5}, {"shingle_size": 0}, {"bands": 200}, {"containment": -0.1}):
        with pytest.raises(ValueError):
            DedupOptions(**bad)


# --- properties ----------------------------------------------------------------------------------------------------

texts = st.builds(prose, st.integers(0, 10_000), st.integers(0, 200))


@settings(max_examples=40, deadline=None)
@given(texts, st.lists(st.integers(0, 5_000), max_size=3))
def test_identical_texts_always_cluster(text: str, others: list[int]) -> None:
    dedup = Deduplicator()
    dedup.add("first", text)
    for position, seed in enumerate(others):
        dedup.add(f"other{position}", prose(seed + 20_000))
    match = dedup.add("again", text)
    if len(normalise(text).split()) < Thresholds().min_words:
        assert match is None  # nothing to compare, or too short to be a story (an error page, a caption)
        return
    assert match is not None and match.similarity == 1.0
    by_id = {row.id: row for row in dedup.assignments()}
    assert by_id["again"].cluster == by_id["first"].cluster


def _pairs(docs: list[tuple[str, str]]) -> set[frozenset[str]]:
    """The pairs in the same cluster."""
    dedup = Deduplicator()
    for doc_id, text in docs:
        dedup.add(doc_id, text)
    return {frozenset(pair) for cluster in dedup.clusters() for pair in combinations(cluster.members, 2)}


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 1000), st.randoms(use_true_random=False))
def test_input_order_does_not_change_the_pairs_found(seed: int, rng: random.Random) -> None:
    story = paragraphs(seed, count=5)
    docs = [
        ("full", "\n\n".join(story)),
        ("trim", "\n\n".join(story[:3])),
        ("dateline", "PARIS — " + "\n\n".join(story)),
        ("other", prose(seed + 5000, 300)),
        ("other copy", prose(seed + 5000, 300) + " And one more sentence here."),
    ]
    shuffled = docs[:]
    rng.shuffle(shuffled)
    assert _pairs(docs) == _pairs(shuffled)


mixed = st.one_of(
    texts,
    st.text(alphabet=st.sampled_from("ab é東京ก—, .\n😀𠀀"), max_size=40),
    st.sampled_from(["", "x", "one two", "LONDON — a b c d e f"]),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(mixed, max_size=8))
def test_a_batch_sketches_each_text_as_alone(batch: list[str]) -> None:
    dedup = Deduplicator()
    together = dedup.sketch_many(batch)
    for text, sketch in zip(batch, together, strict=True):
        alone = dedup.sketch(text)
        assert np.array_equal(alone.signature, sketch.signature)
        assert np.array_equal(alone.positions, sketch.positions)
        assert (alone.distinct, alone.words, alone.exact) == (sketch.distinct, sketch.words, sketch.exact)
        assert (alone.lead is None) == (sketch.lead is None)
        if alone.lead is not None and sketch.lead is not None:
            assert np.array_equal(alone.lead.signature, sketch.lead.signature)
            assert alone.lead.distinct == sketch.lead.distinct
    keys = dedup.keys(together)
    assert keys.shape == (len(together), 42 + LEAD_BANDS)
    for sketch, row in zip(together, keys, strict=True):
        assert np.array_equal(row[:42], Banding(128, 42).keys(sketch.signature))
        # a long text's lead keys, a short one's probe (its own first bins), in the lead banding: none if empty
        narrow = sketch.lead.signature if sketch.lead is not None else sketch.signature
        second = lead_banding(128).keys(narrow) if not sketch.empty else np.full(LEAD_BANDS, NO_KEY)
        assert np.array_equal(row[42:], second)


def test_add_many_is_add_in_turn() -> None:
    docs = [(n, prose(n % 4, 200) if n % 3 else prose(100 + n, 200)) for n in range(40)]
    one_by_one = Deduplicator()
    expected = [one_by_one.add(doc_id, text) for doc_id, text in docs]
    assert list(Deduplicator().add_many(docs, batch=7)) == expected


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 11), min_size=1, max_size=40), st.integers(1, 9))
def test_add_batch_is_add_sketch_in_turn(stories: list[int], size: int) -> None:
    """Copies (trimmed, or with words changed), empty texts and other stories, added a batch at a time: the same
    matches, clusters and assignments as one document at a time."""
    texts = []
    for number, story in enumerate(stories):
        if story == 11:
            texts.append("")
            continue
        words = prose(story % 6, 240).split()
        if number % 3 == 1:
            words = words[: 40 + story * 16]  # trimmed: some to an excerpt of the opening, matched on the lead
        elif number % 3 == 2:
            words[number % 50] = "changed"
        texts.append(" ".join(words) if story < 6 else prose(500 + number, 200))
    one_by_one, batched = Deduplicator(), Deduplicator()
    sketches = one_by_one.sketch_many(texts)
    expected = [one_by_one.add_sketch(number, sketch) for number, sketch in enumerate(sketches)]
    got: list[object] = []
    keys = batched.keys(sketches)
    for start in range(0, len(texts), size):
        chunk = range(start, min(start + size, len(texts)))
        got.extend(batched.add_batch([(n, sketches[n], keys[n] if n % 2 else None) for n in chunk]))
    assert got == expected
    assert batched.clusters() == one_by_one.clusters()
    assert list(batched.assignments()) == list(one_by_one.assignments())


def test_a_listing_is_nobodys_duplicate_though_its_cards_carry_a_whole_story() -> None:
    from cleaner.document import Document, RelatedItem

    story = prose(41)
    article = Document(title="The story", text=story, kind="article")
    listing = Document(
        title="Latest news", kind="listing", related=[RelatedItem("The story", "Wire", None, story), RelatedItem("B")]
    )
    dedup = Deduplicator()
    assert dedup.add("article", article) is None
    assert dedup.add("listing", listing) is None
    assert dedup.add("copy", Document(title="The story", text=story, kind="article")) is not None
    # The listing's text form (what `clean` writes for it) still holds the story: as text it is a copy.
    assert Deduplicator().sketch(listing.render()).words >= 300
