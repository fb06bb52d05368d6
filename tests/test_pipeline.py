"""The library API (`cleaner.clean`, `cleaner.clean_many`, `Document`): the output contract, laziness, order,
determinism (also across processes: language detection is random unless seeded) and language detection."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator

import pytest
from strategies import PIER_ARTICLE

import cleaner
from cleaner import Document, Options, RelatedItem, Removal, clean, clean_many
from cleaner.blocks import split_blocks
from cleaner.describe import describe
from cleaner.filters.patterns import settle_missing_page
from cleaner.page import Page
from cleaner.rules import shipped_pack

TITLE = "Veldmark shuts its grain pier as shipworm eats the piles"
# Four paragraphs of the shared test article (its spokesman and renovation paragraphs left out).
BODY = [PIER_ARTICLE[i] for i in (0, 1, 2, 4)]
CARDS = [
    "Ferry Strike Delays Island Deliveries",
    "Island Wire · 3h",
    "Shops on the outer islands are running short of milk and bread as the ferry crews stay ashore for a third day.",
    "Old Mill Roof Torn Off in Night Storm",
    "Valley Courier · 5h",
    "The miller and his family were asleep in the house next door when the gale lifted the slates off the roof.",
]
PAGE = "\n".join(
    ["Quayside Gazette", "Fleet", "Tides", "Share", TITLE, "", *(p + "\n" for p in BODY), "Related Articles", *CARDS,
     "", "Privacy Policy", "© 2024 Quayside Gazette"]
)  # fmt: skip

CONTRACT_KEYS = {"title", "text", "kind", "language", "source", "date", "related", "removed"}


# ── Empty input ─────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("text", ["", "\n\n", "   \t  \r\n", "\ufeff\u200b", "\x00\x07"])
def test_nothing_in_is_an_empty_document(text: str) -> None:
    doc = clean(text)
    assert doc.kind == "empty"
    assert doc.title == "" and doc.text == ""
    assert doc.related == [] and doc.removed == []
    assert doc.language is None
    assert doc.render() == ""


def test_only_chrome_is_empty() -> None:
    doc = clean("Share\nFacebook\nPrivacy Policy\nTerms of Use")
    assert doc.kind == "empty"
    assert doc.text == "" and doc.title == ""
    assert len(doc.removed) == 4


# ── The output contract ─────────────────────────────────────────────────────────────────────────────────────


def test_to_dict_has_exactly_the_contract_keys() -> None:
    data = clean(PAGE).to_dict()
    assert set(data) == CONTRACT_KEYS
    assert data["kind"] == "article"
    assert data["title"] == TITLE
    assert isinstance(data["text"], str) and isinstance(data["title"], str)
    assert data["language"] == "en"
    assert isinstance(data["related"], list) and len(data["related"]) == 2
    for item in data["related"]:
        assert set(item) == {"title", "source", "date", "text"}
    assert isinstance(data["removed"], list) and data["removed"]
    for removal in data["removed"]:
        assert set(removal) == {"text", "reason"}
        assert isinstance(removal["text"], str) and isinstance(removal["reason"], str) and removal["reason"]


def test_to_dict_is_json_and_plain() -> None:
    data = clean(PAGE).to_dict()
    assert json.loads(json.dumps(data)) == data


def test_to_dict_of_a_hand_made_document() -> None:
    doc = Document(
        title="T",
        text="a\n\nb",
        kind="article",
        language="en",
        source="Island Wire",
        date="3h",
        related=[RelatedItem(title="R", source=None, date="2h", text="")],
        removed=[Removal(text="Share", reason="generic/share-bar")],
    )
    assert doc.to_dict() == {
        "title": "T",
        "text": "a\n\nb",
        "kind": "article",
        "language": "en",
        "source": "Island Wire",
        "date": "3h",
        "related": [{"title": "R", "source": None, "date": "2h", "text": ""}],
        "removed": [{"text": "Share", "reason": "generic/share-bar"}],
    }


def test_text_is_paragraphs_joined_by_one_blank_line() -> None:
    doc = clean(PAGE)
    assert doc.text == "\n\n".join(BODY)
    assert "\n\n\n" not in doc.text
    assert TITLE not in doc.text


def test_removed_is_in_page_order_with_reasons() -> None:
    doc = clean(PAGE)
    removed = [r.text for r in doc.removed]
    for line in ["Quayside Gazette", "Share", TITLE, "Related Articles", *CARDS, "Privacy Policy",
                 "© 2024 Quayside Gazette"]:  # fmt: skip
        assert line in removed
    positions = [PAGE.index(text) for text in removed if text in PAGE]
    assert positions == sorted(positions)


def test_removed_is_in_page_order_with_a_strip_fragment() -> None:
    """A fragment cut out of the first paragraph is listed before the chrome below it (`Document`: "`removed`
    lists every line taken out, in page order")."""
    page = "\n\n".join(["Advertisement" + BODY[0], *BODY[1:], "Share", "Privacy Policy"])
    doc = clean(page)
    assert doc.text == "\n\n".join(BODY)
    assert [(r.text, r.reason) for r in doc.removed] == [
        ("Advertisement", "generic/ad-glued"),
        ("Share", "generic/share-bar"),
        ("Privacy Policy", "generic/legal-links"),
    ]


# ── render ──────────────────────────────────────────────────────────────────────────────────────────────────


def test_render_format() -> None:
    assert Document(title="T", text="a\n\nb", kind="article").render() == "T\n\na\n\nb\n"
    assert Document(title="", text="a\n\nb", kind="article").render() == "a\n\nb\n"
    assert Document(title="T", text="", kind="article").render() == "T\n"
    assert Document().render() == ""


def test_render_of_a_cleaned_page() -> None:
    doc = clean(PAGE)
    assert doc.render() == TITLE + "\n\n" + "\n\n".join(BODY) + "\n"


def test_render_is_a_fixed_point() -> None:
    doc = clean(PAGE)
    again = clean(doc.render())
    assert again.render() == doc.render()
    assert again.title == doc.title and again.text == doc.text


def test_passes_an_already_clean_article_once_and_a_page_with_chrome_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaner.pipeline as pipeline

    passes: list[str] = []
    one_pass = pipeline._clean_pass

    def counted(text: str, *args: object, **kwargs: object) -> object:
        passes.append(text)
        return one_pass(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_clean_pass", counted)
    rendered = clean(PAGE).render()
    assert len(passes) == 2  # the chrome went: the output is read again to confirm it settles
    passes.clear()
    assert clean(rendered).render() == rendered
    assert len(passes) == 1  # given back unchanged: a second pass would see exactly what the first saw


# ── Options ─────────────────────────────────────────────────────────────────────────────────────────────────


def test_unknown_option_is_an_error() -> None:
    with pytest.raises(TypeError):
        clean(PAGE, colour="blue")


def test_options_accept_lists() -> None:
    assert Options.of(packs=["generic"], rule_files=[]) == Options(packs=("generic",), rule_files=())
    assert clean(PAGE, packs=["generic"]).kind == "article"


def test_without_density_only_rules_and_structure_remove_lines() -> None:
    doc = clean(PAGE, density=False)
    assert "Fleet" in doc.text.split("\n\n")  # a menu entry no rule knows
    assert all(not r.reason.startswith("density:") for r in doc.removed)
    for paragraph in BODY:
        assert paragraph in doc.text


# ── clean_many ──────────────────────────────────────────────────────────────────────────────────────────────


def test_clean_many_is_lazy_and_ordered() -> None:
    pages = [PAGE, "", "\n\n".join(BODY[:2]), "\n".join(CARDS)]
    consumed: list[int] = []

    def source() -> Iterator[str]:
        for i, page in enumerate(pages):
            consumed.append(i)
            yield page

    results = clean_many(source())
    assert consumed == []
    first = next(results)
    assert consumed == [0]
    assert first.to_dict() == clean(pages[0]).to_dict()
    rest = list(results)
    assert consumed == [0, 1, 2, 3]
    assert [doc.to_dict() for doc in [first, *rest]] == [clean(page).to_dict() for page in pages]
    assert [doc.kind for doc in [first, *rest]] == ["article", "empty", "article", "listing"]


def test_clean_many_passes_options() -> None:
    (doc,) = clean_many([PAGE], density=False)
    assert doc.to_dict() == clean(PAGE, density=False).to_dict()


def test_clean_many_of_nothing() -> None:
    assert list(clean_many([])) == []


# ── Determinism ─────────────────────────────────────────────────────────────────────────────────────────────

# Short, mixed lines: the kind of text on which an unseeded language detector changes its mind.
AMBIGUOUS = "\n".join(
    ["Ferry Vote", "Porto Ferry Strike", "Hotel Central Bar Restaurant", "Die Ferry Hotel Porto Bar", TITLE, "",
     *(p + "\n" for p in BODY), "Related Articles", *CARDS]
)  # fmt: skip

_SCRIPT = (
    "import json, sys, cleaner\n"
    "texts = json.loads(sys.stdin.read())\n"
    "print(json.dumps([cleaner.clean(t).to_dict() for t in texts], sort_keys=True, ensure_ascii=False))\n"
)


def test_same_input_twice_same_output() -> None:
    for page in (PAGE, AMBIGUOUS):
        assert clean(page).to_dict() == clean(page).to_dict()


def test_same_output_across_fresh_processes() -> None:
    texts = [PAGE, AMBIGUOUS, "Porto Bar", "Hotel Central"]
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", _SCRIPT],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=True,
        )
        outputs.append(json.loads(run.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0] == [clean(t).to_dict() for t in texts]


# ── Language ────────────────────────────────────────────────────────────────────────────────────────────────

LANGUAGES = {
    "de": [
        "Der Stadtrat von Veldmark hat am Dienstag beschlossen, den alten Getreidepier für mindestens zwei Jahre zu "
        "sperren, weil die hölzernen Pfähle unter dem Steg von Schiffsbohrwürmern zerfressen sind.",
        "Die Fischer, die seit Generationen an dem Pier anlegen, sind über die Entscheidung verärgert und fordern "
        "eine provisorische Anlegestelle am nördlichen Wellenbrecher.",
        "Nach Angaben der Hafenbehörde werden die Reparaturen mehr als vierzig Millionen Kronen kosten; die Stadt "
        "hofft auf Unterstützung durch die Landesregierung.",
    ],
    "pt": [
        "A prefeitura de Veldmark decidiu nesta terça-feira fechar o velho cais de cereais por pelo menos dois "
        "anos, porque as estacas de madeira foram devoradas pelo gusano.",
        "Os pescadores, que atracam no cais há gerações, ficaram irritados com a decisão e pedem um ancoradouro "
        "provisório no quebra-mar do norte.",
        "Segundo a autoridade portuária, as obras vão custar mais de quarenta milhões de coroas, e a cidade espera "
        "a ajuda do governo regional.",
    ],
    "ru": [
        "Городской совет Вельдмарка во вторник решил закрыть старый зерновой причал как минимум на два года, "
        "потому что деревянные сваи под ним источены корабельным червём.",
        "Рыбаки, которые поколениями швартуются у этого причала, недовольны решением и требуют временной стоянки "
        "у северного волнолома.",
        "По словам портовых властей, ремонт обойдётся более чем в сорок миллионов крон, и город надеется на помощь "
        "областного правительства.",
    ],
    "ja": [
        "ヴェルドマルク市議会は火曜日、古い穀物桟橋を少なくとも二年間閉鎖することを決めた。桟橋を支える木の杭がフナクイムシに食い荒らされていたためだ。",
        "何世代にもわたってこの桟橋に船を着けてきた漁師たちは決定に不満を示し、北側の防波堤に仮の係留場所を設けるよう求めている。",
        "港湾当局によると、修理費は四千万クローネを超える見通しで、市は県からの支援を期待している。",
    ],
}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_language_is_detected(language: str) -> None:
    paragraphs = LANGUAGES[language]
    doc = clean("\n\n".join(["Quayside Gazette", "Share", *paragraphs]))
    assert doc.kind == "article"
    assert doc.language == language
    for paragraph in paragraphs:
        assert paragraph in doc.text


def test_version_and_public_names() -> None:
    assert isinstance(cleaner.__version__, str)
    assert set(cleaner.__all__) >= {"Document", "Options", "RelatedItem", "Removal", "clean", "clean_many"}


def test_a_document_survives_pickling_whole() -> None:
    # Workers send Documents back pickled; removals and cards travel as plain tuples.
    doc = clean(PAGE)
    assert doc.removed and doc.related
    again = pickle.loads(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == doc
    assert [r.line for r in again.removed] == [r.line for r in doc.removed]  # `line` is not compared by ==


# ── A page that says it is missing ──────────────────────────────────────────────────────────────────────────


def _missing_page(*lines: str) -> Page:
    """A page after the filters: its first line dropped by a `missing` rule, the other lines kept."""
    page = Page(blocks=split_blocks("\n".join(["Page not found", *lines])))
    page.blocks[0].verdict = "generic/error-page"
    page.missing = True
    return page


def test_a_page_that_says_it_is_missing_is_empty_whatever_menu_lines_are_left() -> None:
    """The density model may keep a menu line or two ("Read Later"); once a `missing` rule has fired and no
    sentence of prose is left, those are the missing page's menus, not an article."""
    page = _missing_page("Read Later", "Back to home")
    settle_missing_page(page)
    assert page.kept() == []
    doc = describe(page)
    assert doc.kind == "empty"
    assert [r.text for r in doc.removed] == ["Page not found", "Read Later", "Back to home"]


def test_a_missing_page_that_keeps_prose_keeps_it() -> None:
    page = _missing_page("Read Later", PIER_ARTICLE[0])
    settle_missing_page(page)
    assert [block.text for block in page.kept()] == ["Read Later", PIER_ARTICLE[0]]


def test_the_generic_packs_error_page_rules_say_the_page_is_missing() -> None:
    rules = {rule.id: rule for rule in shipped_pack("generic").rules}
    assert rules["error-page"].missing and rules["error-page-message"].missing
    assert not rules["newsletter"].missing
