"""`cleaner.meta.parse_meta`: metadata lines (ages, dates, outlets glued to them, bylines, reading times) told
apart from prose that happens to mention a date or say "ago"."""

from __future__ import annotations

import time

import pytest

from cleaner.meta import Meta, has_bullet, parse_meta, strip_bullet

AGES = [
    # en
    ("2 hours ago", "2 hours ago"),
    ("a day ago", "a day ago"),
    ("an hour ago", "an hour ago"),
    ("15 minutes ago", "15 minutes ago"),
    ("about 3 weeks ago", "about 3 weeks ago"),
    ("5m ago", "5m ago"),
    ("Yesterday", "Yesterday"),
    ("just now", "just now"),
    # de
    ("vor 2 Stunden", "vor 2 Stunden"),
    ("vor einer Stunde", "vor einer Stunde"),
    ("vor 3 Tagen", "vor 3 Tagen"),
    ("vor 1 Std.", "vor 1 Std."),
    ("vor 20 Min.", "vor 20 Min."),
    ("gestern", "gestern"),
    # fr
    ("il y a 3 heures", "il y a 3 heures"),
    ("il y a une semaine", "il y a une semaine"),
    # es
    ("hace 5 minutos", "hace 5 minutos"),
    ("hace una hora", "hace una hora"),
    ("ayer", "ayer"),
    # pt
    ("há 2 dias", "há 2 dias"),
    ("há uma hora", "há uma hora"),
    ("ontem", "ontem"),
    # it
    ("3 ore fa", "3 ore fa"),
    ("un giorno fa", "un giorno fa"),
    # nl
    ("2 uur geleden", "2 uur geleden"),
    ("4 dagen geleden", "4 dagen geleden"),
    # ru
    ("5 минут назад", "5 минут назад"),
    ("2 часа назад", "2 часа назад"),
    ("3 дня назад", "3 дня назад"),
    ("вчера", "вчера"),
    # ja
    ("2時間前", "2時間前"),
    ("3日前", "3日前"),
    ("15分前", "15分前"),
    ("昨日", "昨日"),
]


@pytest.mark.parametrize(("line", "date"), AGES)
def test_ages_in_many_languages(line: str, date: str) -> None:
    assert parse_meta(line) == Meta(date=date)


@pytest.mark.parametrize(
    ("line", "source", "date"),
    [
        ("Russia Todaya day ago", "Russia Today", "a day ago"),
        ("Harbour Chronicle2 hours ago", "Harbour Chronicle", "2 hours ago"),
        ("Valley Courier · 3h", "Valley Courier", "3h"),
        ("Lagos Ledger · 45m", "Lagos Ledger", "45m"),
        ("Le Petit Écho · 2d", "Le Petit Écho", "2d"),
        ("Nordwind Zeitung · vor 5 Stunden", "Nordwind Zeitung", "vor 5 Stunden"),
        ("Blatt für Stadt und Land · vor 1 Std.", "Blatt für Stadt und Land", "vor 1 Std."),
        ("Gazeta do Vale – há 4 horas", "Gazeta do Vale", "há 4 horas"),
        ("Сорока, 2 часа назад", "Сорока", "2 часа назад"),
        ("はやみ新聞｜3時間前", "はやみ新聞", "3時間前"),
        ("Island Wire | 12 March 2024", "Island Wire", "12 March 2024"),
        ("Associated Press November 19, 2019, 9:02 AM", "Associated Press", "November 19, 2019, 9:02 AM"),
        ("• Coastal Herald · 6h", "Coastal Herald", "6h"),
        # A name that starts with a label word keeps it ("Times" is not "time"); lower-case words inside a name.
        ("Times of Lagos 2 hours ago", "Times of Lagos", "2 hours ago"),
        ("Diario de la Bahía 3 May 2021", "Diario de la Bahía", "3 May 2021"),
        ("the gull 3 hours ago", "the gull", "3 hours ago"),
    ],
)
def test_outlet_glued_to_or_separated_from_its_age(line: str, source: str, date: str) -> None:
    assert parse_meta(line) == Meta(date=date, source=source)


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("· 3h", "3h"),
        ("3h", "3h"),
        ("12 min", "12 min"),
        ("2024-03-12", "2024-03-12"),
        ("2024-03-12 14:30", "2024-03-12 14:30"),
        ("12.03.2024", "12.03.2024"),
        ("March 12, 2024", "March 12, 2024"),
        ("12 Mar 2024", "12 Mar 2024"),
        ("Tuesday, March 12, 2024 at 10:15 am EST", "Tuesday, March 12, 2024 at 10:15 am EST"),
        ("12. März 2024", "12. März 2024"),
        ("12 mars 2024", "12 mars 2024"),
        ("12 de março de 2024", "12 de março de 2024"),
        ("12 марта 2024", "12 марта 2024"),
        ("2024年3月12日", "2024年3月12日"),
    ],
)
def test_compact_ages_and_dates(line: str, date: str) -> None:
    assert parse_meta(line) == Meta(date=date)


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Published: 12 March 2024", "12 March 2024"),
        ("Updated 2 hours ago", "2 hours ago"),
        ("Veröffentlicht am 12. März 2024", "12. März 2024"),
        ("Publié le 12 mars 2024", "12 mars 2024"),
        ("Publicado em 12 de março de 2024", "12 de março de 2024"),
        ("2 days ago · 4 min read", "2 days ago"),
    ],
)
def test_labels_before_a_date_are_not_the_outlet(line: str, date: str) -> None:
    assert parse_meta(line) == Meta(date=date)


@pytest.mark.parametrize(
    ("line", "author", "date"),
    [
        ("By Mira Castellan", "Mira Castellan", None),
        ("by Tobias Wren", "Tobias Wren", None),
        ("Von Katrin Vogel", "Katrin Vogel", None),
        ("Par Léa Martin", "Léa Martin", None),
        ("Por Ana Lúcia Prado", "Ana Lúcia Prado", None),
        ("Di Marco Bellini", "Marco Bellini", None),
        ("Door Jan van Dijk", "Jan van Dijk", None),
        ("Автор: Иван Соколов", "Иван Соколов", None),
        ("By Mira Castellan · March 4, 2024", "Mira Castellan", "March 4, 2024"),
        ("By Mira Castellan | 3 hours ago", "Mira Castellan", "3 hours ago"),
        ("By Mira Castellan | 5 min read", "Mira Castellan", None),
    ],
)
def test_bylines(line: str, author: str, date: str | None) -> None:
    assert parse_meta(line) == Meta(date=date, author=author)


@pytest.mark.parametrize(
    "line", ["5 min read", "12 minute read", "Lesezeit: 4 Minuten", "3 min de lecture", "Reading time: 6 minutes",
             "Время чтения: 3 минуты", "読了時間 3分", "Tempo de leitura: 7 minutos"],
)  # fmt: skip
def test_reading_times_are_metadata_without_a_date(line: str) -> None:
    assert parse_meta(line) == Meta()


@pytest.mark.parametrize(
    "line",
    [
        # Sentences that end in a full stop, mentioning a date or an age.
        "He left the village two years ago.",
        "The council first met to discuss the bridge on 12 March 2024.",
        "The council met on 2024-03-12 and again a week later to discuss the bridge.",
        "Prices rose by a third compared with a year ago, the statistics office said.",
        "Three days ago the ferry ran aground off the northern cape, and it is still stuck there.",
        "Our reporter, who visited the mill a day ago, found the gates locked and the yard empty",
        "Vor 2 Stunden hatte der Bürgermeister noch ganz anders gesprochen.",
        "Il y a 3 heures, le maire a annoncé sa démission devant le conseil municipal.",
        "Hace 5 minutos que el tren salió de la estación central.",
        "Há 2 dias a cidade inteira ficou sem energia elétrica.",
        "3 ore fa il sindaco ha parlato ai giornalisti in piazza.",
        "2 uur geleden sprak de burgemeester de raad toe over de nieuwe brug.",
        "5 минут назад мэр города выступил с заявлением о мосте.",
        "2時間前に市長が記者会見を開いた。",
        # Short clauses without a full stop that end in a date: not an outlet's name before it.
        "It all began on 3 May 2021",
        "The ferry sails again on 12 March 2024",
        # Long lines that end in an age: far more than an outlet's name before it.
        "Everything the harbour master said at the meeting turned out to be wrong a day ago",
        "Die Brücke über den Fluss wurde nach dem schweren Unwetter gesperrt vor 3 Tagen",
        # Sentences that start like a byline.
        "By the end of the week, the river had risen two metres above its usual level.",
        "Von Anfang an war klar, dass das Projekt am Geld scheitern würde.",
        "Par ailleurs, le gouvernement a annoncé de nouvelles mesures pour les pêcheurs.",
        "Por lo tanto, la decisión fue aplazada hasta el lunes por la mañana.",
        # A date inside a link.
        "https://example.org/news/2024-03-12",
        "www.harbourchronicle.example/archive/2024/03/12",
        # Not metadata at all.
        "Ferry Strike Delays Island Deliveries",
        "The 3h",
        "Share",
        "",
    ],
)
def test_prose_and_other_lines_are_not_metadata(line: str) -> None:
    assert parse_meta(line) is None


def test_lines_over_the_length_limit_are_not_metadata() -> None:
    assert parse_meta("Harbour Chronicle" + " " * 200 + "· 3h") is None


@pytest.mark.parametrize(
    "hostile",
    [
        "1 " * 50_000,
        "a" * 100_000,
        "Todaya day ago " * 7_000,
        "vor 1 " * 20_000,
        "By " * 35_000,
        "12 March " * 12_000,
        "2024-03-12 " * 9_000,
        ("x" * 50 + " · ") * 2_000,
        "1." * 50_000,
        "·" * 100_000,
        "By Mira " + "Castellan-" * 10_000,
        "il y a " * 15_000,
    ],
)
def test_hostile_lines_return_quickly(hostile: str) -> None:
    """Linear time: a long line of repeated near-matches must not make the patterns backtrack for ever."""
    started = time.perf_counter()
    parse_meta(hostile)
    for width in (60, 119, 120):  # lines under the length limit are really parsed
        for offset in range(0, 40, 3):
            parse_meta(hostile[offset : offset + width])
    assert time.perf_counter() - started < 1.0


def test_bullets() -> None:
    assert has_bullet("• Coastal Herald") and strip_bullet("• Coastal Herald") == "Coastal Herald"
    assert has_bullet("- Russia Today") and strip_bullet("- Russia Today") == "Russia Today"
    assert has_bullet("o Island Wire") and strip_bullet("o Island Wire") == "Island Wire"
    assert not has_bullet("Coastal Herald")
    assert not has_bullet("once upon a time")
    assert strip_bullet("Coastal Herald") == "Coastal Herald"


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Updated 9:01 AM EST, Sun November 16, 2025", "9:01 AM EST, Sun November 16, 2025"),
        ("7:28 p.m. ET, November 16, 2025", "7:28 p.m. ET, November 16, 2025"),
    ],
)
def test_a_time_before_a_date_is_the_dates_not_an_outlet(line: str, date: str) -> None:
    meta = parse_meta(line)
    assert meta is not None and meta.source is None and meta.date == date


@pytest.mark.parametrize(
    ("line", "author"),
    [("Story by Priya Raman • 2d • 7 min read", "Priya Raman"), ("Written by Jane Doe", "Jane Doe")],
)
def test_a_byline_may_open_with_a_word_before_by(line: str, author: str) -> None:
    meta = parse_meta(line)
    assert meta is not None and meta.author == author


def test_a_line_opening_with_story_is_no_byline_without_by() -> None:
    assert parse_meta("Story of the day") is None


def test_a_byline_may_set_its_parts_apart_with_slashes() -> None:
    meta = parse_meta("by Priya Raman / The New York Times / 9h")
    assert meta is not None and meta.author == "Priya Raman" and meta.date == "9h"
