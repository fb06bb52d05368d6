"""Recognise the metadata lines of a page: an age or a date, often glued to the outlet's name.

"Russia Todaya day ago", "Lagos Ledger · 3h", "vor 2 Stunden", "Associated Press November 19, 2019, 9:02 AM",
"2時間前". Teaser cards are built around such lines, and an article's own dateline is one.

All patterns are linear: alternations of literals and bounded digit runs, no nested repetition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import regexes
from .memo import LINE_CACHE_SIZE
from .rule_screen import PatternScreen

_NUM = r"(?:\d{1,3}|an?|one|two|three|few)"
_AGE_EN = (
    rf"(?:about |around |over |almost )?{_NUM} ?"
    r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?|[smhdwy]) ago"
)
_AGE_OTHER = (
    r"vor (?:einer|einem|\d{1,3}) "
    r"(?:sekunden?|sek\.|minuten?|min\.|stunden?|std\.|tag(?:en)?|wochen?|monat(?:en)?|jahr(?:en)?)"
    r"|il y a (?:une?|\d{1,3}) (?:secondes?|minutes?|heures?|jours?|semaines?|mois|ans?)"
    r"|hace (?:una?|\d{1,3}) (?:segundos?|minutos?|horas?|días?|semanas?|mes(?:es)?|años?)"
    r"|há (?:uma?|\d{1,3}) (?:segundos?|minutos?|horas?|dias?|semanas?|mês|meses|anos?)"
    r"|(?:una?|\d{1,3}) (?:secondi|secondo|minuti|minuto|ora|ore|giorni|giorno|settimane?|mesi|mese|anni|anno) fa"
    r"|\d{1,3} (?:minuten|minuut|uur|dagen|dag|weken|week|maanden|maand|jaar) geleden"
    r"|\d{1,3} (?:секунд\w{0,2}|минут\w{0,2}|час\w{0,2}|дн\w{0,2}|день|недел\w{0,2}|месяц\w{0,2}|год\w{0,2}|лет) назад"
    r"|\d{1,3} ?(?:秒|分|時間|日|週間|か月|ヶ月|年)前"
    r"|just now|yesterday|gestern|hier|ayer|ontem|ieri|вчера|昨日"
)
_MONTHS_EN = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTHS_OTHER = (
    r"(?:januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août"
    r"|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre"
    r"|octubre|noviembre|diciembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro"
    r"|dezembro|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
)
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,? )?"
_TIME = r"(?:,? (?:at )?\d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?(?: [a-z]{2,5})?)?"
_DATE = (
    rf"{_WEEKDAY}(?:{_MONTHS_EN} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\.? (?:{_MONTHS_EN}|{_MONTHS_OTHER}),? \d{{4}}"
    rf"|\d{{1,2}} de {_MONTHS_OTHER} de \d{{4}}"
    # ISO 8601, with a time and a zone as <time datetime> gives them ("2026-07-09T10:00:00Z")
    r"|\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
    r"|\d{4}年\d{1,2}月\d{1,2}日)"
    rf"{_TIME}"
)
# A date or age at the end of the line, optionally followed by a short trailer ("· 5 min read", "| Updated").
_META_AT_END = regexes.compile(
    rf"(?P<date>{_AGE_EN}|{_AGE_OTHER}|{_DATE})(?P<trailer>\s*[|｜·•–—-]\s*[^|｜·•]{{0,30}})?\s*$",
    re.IGNORECASE,
)
# "Lagos Ledger · 3h": a bare compact age is metadata only after a separator or alone on its line.
_COMPACT_AGE = regexes.compile(r"(?:^|(?<=[|·•] ))(?P<date>\d{1,3} ?(?:h|hrs?|m|mins?|d|w|mo))\s*$", re.IGNORECASE)
# Labels standing before a date, which are not the outlet's name.
_LABELS = regexes.compile(
    r"^(?:time|published|updated|posted|last updated|modified|veröffentlicht|aktualisiert|publicado|"
    r"atualizado|publié|mis à jour|опубликовано|обновлено)(?![^\W\d_])(?:\s*(?:on|am|le|em|el)\b)?\s*[:]?\s*",
    re.IGNORECASE,
)
SEPARATORS = " \t|｜·•–—-,:/"
# List bullets as text dumps render them; a lone "o" is the second-level bullet of text browsers.
_BULLET = regexes.compile(r"^(?:[•·\-–—*+|>»▪►■□◦]\s*|o (?=[A-Z0-9]))")
MAX_SOURCE_WORDS = 6
MAX_META_CHARS = 120
# The longest date with its trailer ("Wednesday, September 18th, 2019 at 10:45 p.m. EST | 5 min read").
DATE_TAIL_CHARS = 90


# Reading time: "5 min read", "Lesezeit: 4 Minuten", "3 min de lecture", "Время чтения: 3 минуты", "読了時間 3分".
_READING_TIME = regexes.compile(
    r"(?:\d{1,3} ?(?:min(?:ute)?s?|minuten|minutos|минут\w{0,2}|分)\.? ?(?:read|reading|de lecture|de leitura|"
    r"de lectura|di lettura|leestijd|lesezeit)"
    r"|(?:lesezeit|reading time|read time|temps de lecture|tempo de leitura|tiempo de lectura|время чтения|読了時間)"
    r":? ?(?:\d{1,3}) ?(?:min(?:ute)?s?|minuten|minutos|минут\w{0,2}|分)?\.?)\s*$",
    re.IGNORECASE,
)
# A byline: "By Jane Doe", "Story by Jane Doe", "by Jane Doe / The Times / 9h", "Von Katrin Hollmann", "Автор: Иван".
_BYLINE = regexes.compile(
    r"^(?:(?:story|written|posted|reported|words)\s+)?(?:by|von|par|por|di|door|автор:?|текст:?|文[:：]?)\s+"
    r"(?P<author>[^\W\d_][\w.'’ -]{1,50}?)"
    r"(?:\s*[|·•,–—-]\s*(?P<rest>.{1,60})|\s+/\s+(?P<slashed>.{1,60}))?\s*$",
    re.IGNORECASE,
)
MAX_AUTHOR_WORDS = 5
# Most lines are no metadata. One RE2 pass over such a line tells that none of the expressions above can match
# it, where trying them took 17 us a line (see `rule_screen`: the screen may let through a line that then
# fails, never stop one that would match).
_MAY_BE_META = PatternScreen(
    (_BYLINE, _META_AT_END, _COMPACT_AGE, _READING_TIME), how=("match", "search", "search", "search")
)


@dataclass(frozen=True)
class Meta:
    """What a metadata line says: the date or age as written, the outlet glued before it, the author of a
    byline; any of them may be missing, not all."""

    date: str | None = None
    source: str | None = None
    author: str | None = None


@lru_cache(maxsize=LINE_CACHE_SIZE)
def parse_meta(line: str) -> Meta | None:
    """The metadata in `line` when the whole line is metadata: an outlet name, then a date or age; or a byline,
    perhaps with a date or reading time; or a reading time alone. (Memoised: pages of a site share lines.)"""
    if len(line) > MAX_META_CHARS or not _MAY_BE_META.candidates(line):
        return None
    byline = _BYLINE.match(line)
    if byline is not None and len(byline.group("author").split()) <= MAX_AUTHOR_WORDS:
        # "by Jane Doe / The Times / 9h": slashes between its parts, read as the other separators.
        rest = byline.group("rest") or (byline.group("slashed") or "").replace(" / ", " · ")
        dated = parse_meta(rest) if rest else None
        if not rest or dated is not None or _READING_TIME.search(rest):
            return Meta(date=dated.date if dated else None, author=byline.group("author").strip())
    dated = _parse_dated(line)
    if dated is None and _READING_TIME.search(line) and len(line.split()) <= 8:
        return Meta()
    return dated


def _parse_dated(line: str) -> Meta | None:
    # The date stands at the end: search only the tail, so the cost does not grow with the line.
    offset = max(0, len(line) - DATE_TAIL_CHARS)
    tail = line[offset:]
    match = _META_AT_END.search(tail) or _COMPACT_AGE.search(tail)
    if match is None:
        return None
    prefix = line[: offset + match.start()].strip(SEPARATORS)
    prefix = _LABELS.sub("", _BULLET.sub("", prefix)).strip(SEPARATORS)
    if prefix and (len(prefix.split()) > MAX_SOURCE_WORDS or _reads_as_prose(prefix)):
        return None
    # A glued age ("Todaya day ago") starts inside a word: that is fine, but a date inside a longer word is not
    # ("2019-11-19" at the end of a URL).
    if "/" in prefix or "http" in prefix.lower():
        return None
    if _TIME_OF_DAY.fullmatch(prefix):
        # "Updated 9:01 AM EST, Sun November 16, 2025": the time is the date's, not an outlet.
        return Meta(date=line[line.rindex(prefix) :].strip(), source=None)
    return Meta(date=match.group("date").strip(), source=prefix or None)


# A time of day, perhaps with its zone: "9:01 AM EST", "14.30", "7:28 p.m. ET".
_TIME_OF_DAY = regexes.compile(r"\d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\.?)?(?:\s?[A-Z]{1,4})?", re.IGNORECASE)


def _reads_as_prose(prefix: str) -> bool:
    """A clause, not an outlet's name: three words or more, most of them lower case ("It all began on" 3 May
    2021). Names are capitalised ("Russia Today", "Times of India", "Diario de la Marina") or one word
    ("techcrunch")."""
    words = prefix.split()
    return len(words) >= 3 and 2 * sum(word[0].islower() for word in words) > len(words)


def strip_bullet(line: str) -> str:
    """`line` without a leading list bullet ("• Russia Today" -> "Russia Today")."""
    return _BULLET.sub("", line).strip()


def has_bullet(line: str) -> bool:
    return bool(_BULLET.match(line))
