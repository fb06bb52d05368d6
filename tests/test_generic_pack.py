"""The shipped `generic` rule pack, checked as data.

The pack is read with `tomllib` directly and matched by a reference matcher written here from the format's
definition, so these tests judge the data alone, not the engine that applies it:

* phrases are whole lines, compared after folding case, trimming punctuation, symbols, bullets and spaces from
  both ends and folding runs of spaces; the first rule listing a phrase owns it;
* patterns are Python regular expressions compiled with re.IGNORECASE and fullmatched against the line with
  its whitespace folded (`strip` patterns are searched), tried in the pack's order after the phrase lookup;
* a rule only looks at lines of at most `max_words` words (default 12), words being runs of word characters,
  plus half the characters of scripts written without spaces (CJK).

Groups of checks: the schema; patterns compile and are linear-time (no nested or unbounded repetition, no
backreferences, no lookbehind; audited on the parsed pattern, then timed on hostile lines); phrase hygiene;
behaviour (chrome lines hit the rule meant for them, every rule has such a line; prose that uses the same
words, in ten languages, hits nothing; fixture gold text hits nothing; mid-article teaser labels never truncate).
"""

from __future__ import annotations

import json
import re
import string
import time
import tomllib
from functools import cache
from pathlib import Path
from re import _constants as sre_constants
from re import _parser as sre_parser
from typing import Any

import pytest

ROOT = Path(__file__).parents[1]
PACK_PATH = ROOT / "cleaner" / "packs" / "generic.toml"
FIXTURE_GOLD = ROOT / "fixtures" / "gold"

ACTIONS = {"drop", "truncate", "rail", "strip", "extract"}
WHERES = {"any", "head", "tail"}
RULE_KEYS = {"id", "action", "note", "phrases", "pattern", "where", "max_words", "related", "missing"}
METADATA_GROUPS = {"source", "date", "author"}
DEFAULT_MAX_WORDS = 12
# The largest bound a repeat may have: lines are short, and a bound keeps the backtracking finite.
MAX_REPEAT_BOUND = 1000
# Time one pattern may take on all the hostile lines together (they run in well under a millisecond each).
PATTERN_TIME_BUDGET = 0.5

_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# ── The pack and the reference matcher ──────────────────────────────────────────────────────────────────────


@cache
def pack() -> dict[str, Any]:
    with PACK_PATH.open("rb") as handle:
        return tomllib.load(handle)


def rules() -> list[dict[str, Any]]:
    return pack()["rules"]


def rule_ids() -> list[str]:
    return [rule["id"] for rule in rules()]


@cache
def compiled(rule_id: str) -> re.Pattern[str]:
    rule = next(rule for rule in rules() if rule["id"] == rule_id)
    return re.compile(rule["pattern"], re.IGNORECASE)


def fold(line: str) -> str:
    """A line as phrases are compared: case folded, punctuation and symbols trimmed at both ends."""
    return _SPACES.sub(" ", _EDGE.sub("", line.casefold())).strip()


def squash(line: str) -> str:
    """A line as patterns see it: whitespace folded."""
    return " ".join(line.split())


def count_words(line: str) -> int:
    unspaced = len(_UNSPACED.findall(line))
    return len(_WORD.findall(_UNSPACED.sub(" ", line))) + (unspaced + 1) // 2


def max_words(rule: dict[str, Any]) -> int:
    return rule.get("max_words", DEFAULT_MAX_WORDS)


@cache
def phrase_owner() -> dict[str, dict[str, Any]]:
    owners: dict[str, dict[str, Any]] = {}
    for rule in rules():
        for phrase in rule.get("phrases", ()):
            owners.setdefault(fold(phrase), rule)
    return owners


def first_rule(line: str) -> dict[str, Any] | None:
    """The whole-line rule (drop, truncate, extract) a line falls to, position on the page aside."""
    line = squash(line)
    words = count_words(line)
    owner = phrase_owner().get(fold(line))
    if owner is not None and words <= max_words(owner):
        return owner
    for rule in rules():
        applies = "pattern" in rule and rule["action"] != "strip" and words <= max_words(rule)
        if applies and compiled(rule["id"]).fullmatch(line):
            return rule
    return None


def strips(line: str) -> list[tuple[str, str]]:
    """(rule id, what it cuts) for every strip rule that finds something in the line."""
    line = squash(line)
    found = []
    for rule in rules():
        if rule["action"] == "strip" and count_words(line) <= max_words(rule):
            match = compiled(rule["id"]).search(line)
            if match and match.group(0):
                found.append((rule["id"], match.group(0)))
    return found


# ── Schema ───────────────────────────────────────────────────────────────────────────────────────────────────


def test_pack_header() -> None:
    header = pack()["pack"]
    assert set(pack()) == {"pack", "rules", "selectors"}
    assert header["name"] == "generic"
    assert isinstance(header["version"], int) and header["version"] >= 1
    assert isinstance(header["description"], str) and header["description"].strip()


def test_rule_count_is_in_the_intended_range() -> None:
    assert 40 <= len(rules()) <= 80


def test_ids_are_unique_and_kebab_case() -> None:
    ids = rule_ids()
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(_KEBAB.fullmatch(i) for i in ids), [i for i in ids if not _KEBAB.fullmatch(i)]


@pytest.mark.parametrize("rule", rules(), ids=rule_ids())
def test_rule_schema(rule: dict[str, Any]) -> None:
    assert set(rule) <= RULE_KEYS, set(rule) - RULE_KEYS
    assert rule["action"] in ACTIONS
    assert rule.get("where", "any") in WHERES
    limit = rule.get("max_words", DEFAULT_MAX_WORDS)
    assert isinstance(limit, int) and not isinstance(limit, bool) and limit >= 1
    note = rule.get("note", "")
    assert isinstance(note, str) and note.strip() and "\n" not in note
    assert ("phrases" in rule) != ("pattern" in rule), "exactly one of phrases and pattern"
    if "phrases" in rule:
        assert rule["action"] in ("drop", "truncate", "rail"), "strip and extract rules need a pattern"
        assert isinstance(rule["phrases"], list) and rule["phrases"]
        assert all(isinstance(phrase, str) and phrase for phrase in rule["phrases"])
    else:
        assert isinstance(rule["pattern"], str) and rule["pattern"]


@pytest.mark.parametrize("rule", [r for r in rules() if "pattern" in r], ids=lambda r: r["id"])
def test_pattern_compiles_and_names_only_metadata_groups(rule: dict[str, Any]) -> None:
    pattern = compiled(rule["id"])
    groups = set(pattern.groupindex)
    if rule["action"] == "extract":
        assert groups, "an extract pattern names at least one group"
        assert groups <= METADATA_GROUPS, groups - METADATA_GROUPS
    else:
        assert not groups, f"named groups only mean something in extract rules: {groups}"


# ── Linear time ──────────────────────────────────────────────────────────────────────────────────────────────

_C = sre_constants
_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", _C.MAX_REPEAT)}
_SINGLE = {_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY}
_CATEGORY = {
    _C.CATEGORY_DIGIT: re.compile(r"\d"),
    _C.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    _C.CATEGORY_SPACE: re.compile(r"\s"),
    _C.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    _C.CATEGORY_WORD: re.compile(r"\w"),
    _C.CATEGORY_NOT_WORD: re.compile(r"\W"),
}


@cache
def probe_alphabet() -> str:
    """Characters to test character classes on: all those of the pack and the examples, and ASCII."""
    text = PACK_PATH.read_text(encoding="utf-8") + "".join(line for line, _ in CHROME) + "".join(PROSE)
    return "".join(sorted(set(text) | set(string.printable) | set("…«»‹›—–·•→©ⓒ\u00a0\u3000")))


def _flags(ignorecase: bool, add: int, remove: int) -> bool:
    return bool(add & re.IGNORECASE) or (ignorecase and not remove & re.IGNORECASE)


def _class_item(op: Any, av: Any, char: str) -> bool:
    if op is _C.LITERAL:
        return ord(char) == av
    if op is _C.RANGE:
        return av[0] <= ord(char) <= av[1]
    if op is _C.CATEGORY:
        return bool(_CATEGORY[av].fullmatch(char))
    raise AssertionError(f"unexpected item in a character class: {op}")


def _single_matches(op: Any, av: Any, char: str, ignorecase: bool) -> bool:
    variants = {v for v in (char, char.lower(), char.upper()) if len(v) == 1} if ignorecase else {char}
    for variant in variants:
        if op is _C.LITERAL:
            hit = ord(variant) == av
        elif op is _C.NOT_LITERAL:
            hit = ord(variant) != av
        elif op is _C.ANY:
            hit = variant != "\n"
        else:
            negate = bool(av) and av[0][0] is _C.NEGATE
            inside = any(_class_item(o, a, variant) for o, a in av if o is not _C.NEGATE)
            hit = inside != negate
        if hit:
            return True
    return False


def _charset(op: Any, av: Any, ignorecase: bool) -> frozenset[str]:
    return frozenset(c for c in probe_alphabet() if _single_matches(op, av, c, ignorecase))


def _unwrap(items: Any, ignorecase: bool) -> tuple[Any, bool]:
    """A repeat's body without the non-capturing group around it."""
    while len(items) == 1 and items[0][0] is _C.SUBPATTERN:
        _group, add, remove, inner = items[0][1]
        items, ignorecase = inner, _flags(ignorecase, add, remove)
    return items, ignorecase


def _repeated_singles(items: Any, ignorecase: bool, inside: bool = False) -> list[tuple[Any, Any, bool]]:
    """The single-character items that a repeat of more than one can match again and again."""
    found = []
    for op, av in items:
        if op in _REPEATS:
            found += _repeated_singles(av[2], ignorecase, inside or av[1] > 1)
        elif op is _C.SUBPATTERN:
            found += _repeated_singles(av[3], _flags(ignorecase, av[1], av[2]), inside)
        elif op is _C.BRANCH:
            for branch in av[1]:
                found += _repeated_singles(branch, ignorecase, inside)
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            found += _repeated_singles(av[1], ignorecase, inside)
        elif op in _SINGLE and inside:
            found.append((op, av, ignorecase))
    return found


def _delimited(body: Any, ignorecase: bool) -> list[str]:
    """A repeated group is safe when every pass starts with one separator character that nothing repeated
    inside the group can match, and the rest of the pass cannot be empty: then the passes cannot be split
    up in more than one way, which is what makes nested repetition blow up."""
    items, ignorecase = _unwrap(body, ignorecase)
    op, av = items[0]
    if op not in _SINGLE:
        return ["a repeated group must start with a single separator character"]
    rest = sre_parser.SubPattern(body.state, list(items[1:]))
    if rest.getwidth()[0] == 0:
        return ["a repeated group must not be able to match its separator alone"]
    separator = _charset(op, av, ignorecase)
    for inner_op, inner_av, inner_case in _repeated_singles(rest, ignorecase):
        overlap = separator & _charset(inner_op, inner_av, inner_case)
        if overlap:
            return [f"a repeat inside a repeat can match its separator ({''.join(sorted(overlap))[:10]!r})"]
    return []


def _audit(items: Any, ignorecase: bool, problems: list[str]) -> None:
    for op, av in items:
        if op in (_C.GROUPREF, _C.GROUPREF_EXISTS):
            problems.append("backreference")
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            direction, sub = av
            if direction < 0:
                problems.append("lookbehind")
            _audit(sub, ignorecase, problems)
        elif op is _C.SUBPATTERN:
            _audit(av[3], _flags(ignorecase, av[1], av[2]), problems)
        elif op is _C.BRANCH:
            for branch in av[1]:
                _audit(branch, ignorecase, problems)
        elif op is getattr(_C, "ATOMIC_GROUP", None):
            _audit(av, ignorecase, problems)
        elif op in _REPEATS:
            _low, high, sub = av
            if high == _C.MAXREPEAT:
                problems.append("unbounded repeat (* + or {n,}): give it a bound")
            elif high > MAX_REPEAT_BOUND:
                problems.append(f"repeat bound {high} > {MAX_REPEAT_BOUND}")
            body, _ = _unwrap(sub, ignorecase)
            if high > 1 and not (len(body) == 1 and body[0][0] in _SINGLE):
                problems += _delimited(sub, ignorecase)
            _audit(sub, ignorecase, problems)


def audit(pattern: str) -> list[str]:
    """Why a pattern could take more than linear time (empty when it cannot)."""
    problems: list[str] = []
    _audit(sre_parser.parse(pattern, re.IGNORECASE), True, problems)
    return problems


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)+", r"(?:\w{1,9} ?){1,20}", r"(?:a|a){1,30}", r"(\w)\1", r"(?<=x)y", r".*", r"(?: \w{0,5} ?){1,9}"],
)
def test_audit_rejects_backtracking_traps(pattern: str) -> None:
    assert audit(pattern)


@pytest.mark.parametrize(
    "pattern",
    [r"\W{0,3}(?:a|b) ?\d{1,3}", r"x(?: [a-z]{1,9}){1,5}", r"[^|]{2,40}(?:\|[^|]{2,40}){1,12}", r"(?=.{0,9}z).{1,20}"],
)
def test_audit_accepts_delimited_repetition(pattern: str) -> None:
    assert audit(pattern) == []


@pytest.mark.parametrize("rule", [r for r in rules() if "pattern" in r], ids=lambda r: r["id"])
def test_pattern_is_linear_time(rule: dict[str, Any]) -> None:
    assert audit(rule["pattern"]) == []


def _hostile_lines(rule_id: str) -> list[str]:
    lines = [unit * (2000 // len(unit)) for unit in ("a", "A ", "1 ", "a1", ". ", "| a ", ", a", "© ", "-", "あ")]
    lines += [(line + " ") * 30 + "!" for line, expected in CHROME if expected == rule_id]
    return lines


@pytest.mark.parametrize("rule", [r for r in rules() if "pattern" in r], ids=lambda r: r["id"])
def test_pattern_is_fast_on_hostile_lines(rule: dict[str, Any]) -> None:
    pattern = compiled(rule["id"])
    run = pattern.search if rule["action"] == "strip" else pattern.fullmatch
    start = time.perf_counter()
    for line in _hostile_lines(rule["id"]):
        run(line)
    assert time.perf_counter() - start < PATTERN_TIME_BUDGET


# ── Phrase hygiene ───────────────────────────────────────────────────────────────────────────────────────────


def _all_phrases() -> list[tuple[str, str]]:
    return [(rule["id"], phrase) for rule in rules() for phrase in rule.get("phrases", ())]


def test_phrases_are_written_folded() -> None:
    """Lower case, nothing to trim at the ends, single spaces (lower() rather than casefold(), so that a
    phrase may keep its ß)."""
    unfolded = [(i, p) for i, p in _all_phrases() if _SPACES.sub(" ", _EDGE.sub("", p.lower())) != p]
    assert not unfolded


def test_no_phrase_is_listed_twice() -> None:
    seen: dict[str, str] = {}
    twice = []
    for rule_id, phrase in _all_phrases():
        if phrase in seen:
            twice.append((phrase, seen[phrase], rule_id))
        seen.setdefault(phrase, rule_id)
    assert not twice


def test_phrases_fit_their_rules_word_limit() -> None:
    too_long = [(r["id"], p) for r in rules() for p in r.get("phrases", ()) if count_words(p) > max_words(r)]
    assert not too_long


def test_apostrophe_phrases_come_in_both_spellings() -> None:
    phrases = {phrase for _, phrase in _all_phrases()}
    missing = [p for p in phrases if "'" in p and p.replace("'", "’") not in phrases]
    missing += [p for p in phrases if "’" in p and p.replace("’", "'") not in phrases]
    assert not missing


# ── Behaviour ────────────────────────────────────────────────────────────────────────────────────────────────

# Chrome lines as scrapers save them, and the rule that must take each one.
CHROME: list[tuple[str, str]] = [
    ("Page not found", "error-page"),
    ("404", "error-page"),
    ("We can't find the page you're looking for.", "error-page-message"),
    ("This story is no longer available.", "error-page"),
    ("It may have been removed by the publisher.", "error-page-message"),
    ("Seite nicht gefunden", "error-page"),
    ("Der Artikel ist leider nicht mehr verfügbar.", "error-page-message"),
    ("Página não encontrada", "error-page"),
    ("O conteúdo que você procura não está mais disponível.", "error-page-message"),
    ("La página que buscas no existe.", "error-page-message"),
    ("Share this article:", "share-bar"),
    ("• SHARE THIS ARTICLE", "share-bar"),
    ("Print", "share-bar"),
    ("Copy link", "share-bar"),
    ("Teilen", "share-bar"),
    ("Partager l’article", "share-bar"),
    ("Compartir", "share-bar"),
    ("Поделиться", "share-bar"),
    ("シェアする", "share-bar"),
    ("Udostępnij", "share-bar"),
    ("Facebook | Twitter | Email", "share-bar-row"),
    ("Share: Facebook, X, WhatsApp", "share-bar-row"),
    ("Teilen Drucken", "share-bar-row"),
    ("Поделиться: ВКонтакте Telegram", "share-bar-row"),
    ("Facebook", "social-networks"),
    ("• WhatsApp", "social-networks"),
    ("ВКонтакте", "social-networks"),
    ("Follow us on Twitter and Instagram", "social-follow"),
    ("Folgen Sie uns auf Instagram", "social-follow"),
    ("Suivez-nous", "social-follow"),
    ("Síguenos en X", "social-follow"),
    ("Подписывайтесь на нас в Telegram", "social-follow"),
    ("Advertisement", "ad-label"),
    ("- ADVERTISEMENT -", "ad-label"),
    ("Anzeige", "ad-label"),
    ("Werbung", "ad-label"),
    ("Publicité", "ad-label"),
    ("Publicidad", "ad-label"),
    ("Publicidade", "ad-label"),
    ("Pubblicità", "ad-label"),
    ("Реклама", "ad-label"),
    ("Reclame", "ad-label"),
    ("Reklama", "ad-label"),
    ("広告", "ad-label"),
    ("【PR】", "ad-label"),
    ("Sponsored", "ad-label"),
    ("Story continues below advertisement", "ad-continue"),
    ("Continue reading the main story", "ad-continue"),
    ("Advertisement - Scroll to continue", "ad-continue"),
    ("La suite après cette publicité", "ad-continue-i18n"),
    ("Continua após a publicidade", "ad-continue-i18n"),
    ("Продолжение после рекламы", "ad-continue-i18n"),
    ("Sponsored by Acme Bank", "sponsored-by"),
    ("Präsentiert von Musterbank", "sponsored-by"),
    (
        "We use cookies to improve your experience on our site. By continuing to browse, you agree to our use "
        "of cookies.",
        "cookie-notice",
    ),
    (
        "We and our partners store and/or access information on a device, such as cookies, and process personal "
        "data for personalised ads and content, ad and content measurement.",
        "cookie-notice",
    ),
    (
        "Wir verwenden Cookies, um Ihnen ein optimales Nutzungserlebnis zu bieten. Mit der Nutzung der Seite "
        "stimmen Sie dem zu.",
        "cookie-notice",
    ),
    ("Nous utilisons des cookies pour améliorer votre expérience de navigation.", "cookie-notice"),
    (
        "Utilizamos cookies propias y de terceros para mejorar nuestros servicios. Si continúa navegando, "
        "consideramos que acepta su uso.",
        "cookie-notice",
    ),
    (
        "Мы используем файлы cookie, чтобы сделать сайт удобнее. Продолжая пользоваться сайтом, вы "
        "соглашаетесь с этим.",
        "cookie-notice",
    ),
    ("Używamy plików cookies, aby zapewnić najlepsze doświadczenia.", "cookie-notice"),
    (
        "当サイトではCookieを使用しています。サイトの利用を続けることで、Cookieの使用に同意したものとみなします。",
        "cookie-notice",
    ),
    ("Accept all", "consent-buttons"),
    ("Manage preferences", "consent-buttons"),
    ("We value your privacy", "consent-buttons"),
    ("Alle akzeptieren", "consent-buttons"),
    ("Tout accepter", "consent-buttons"),
    ("Aceptar todas", "consent-buttons"),
    ("Accetta tutti", "consent-buttons"),
    ("Принять все", "consent-buttons"),
    ("Alles accepteren", "consent-buttons"),
    ("Zaakceptuj wszystkie", "consent-buttons"),
    ("すべて同意する", "consent-buttons"),
    ("Sign up for our newsletter", "newsletter"),
    ("Subscribe", "newsletter"),
    ("Enter your email address", "newsletter"),
    ("Newsletter abonnieren", "newsletter"),
    ("Abonnez-vous à notre newsletter", "newsletter"),
    ("Suscríbete", "newsletter"),
    ("Assine nossa newsletter", "newsletter"),
    ("Iscriviti alla newsletter", "newsletter"),
    ("Подпишитесь на нашу рассылку", "newsletter"),
    ("Schrijf je in voor de nieuwsbrief", "newsletter"),
    ("Zapisz się do newslettera", "newsletter"),
    ("メルマガ登録", "newsletter"),
    ("Get the best of our journalism delivered to your inbox every morning.", "newsletter-pitch"),
    ("Sign up for our daily newsletter to get the top stories first.", "newsletter-pitch"),
    ("Receba as principais notícias no seu e-mail", "newsletter-pitch-i18n"),
    ("Erhalten Sie die wichtigsten Nachrichten jeden Morgen in Ihr Postfach.", "newsletter-pitch-i18n"),
    ("Recevez chaque matin l’essentiel de l’actualité dans votre boîte mail", "newsletter-pitch-i18n"),
    ("Получайте главные новости на почту", "newsletter-pitch-i18n"),
    (
        "By signing up, you agree to our Privacy Policy and Terms of Use. You can unsubscribe at any time.",
        "newsletter-legalese",
    ),
    ("En vous inscrivant, vous acceptez notre politique de confidentialité.", "newsletter-legalese"),
    ("This article is for subscribers only", "paywall"),
    ("Réservé aux abonnés", "paywall"),
    ("Conteúdo exclusivo para assinantes", "paywall"),
    ("Только для подписчиков", "paywall"),
    ("有料会員限定", "paywall"),
    ("Try it free", "paywall"),
    ("Tempo de leitura: 1 minuto", "reading-time"),
    ("Follow Harbour News on Instagram, Facebook, Twitter and YouTube.", "social-follow-named"),
    (
        "Follow the Harbour Chronicle's opinion desk on Facebook, Twitter (@HarbourOpinion) and Instagram.",
        "social-follow-named",
    ),
    ("If you enjoyed this article, we have a proposition for you: join our members' club.", "support-pitch"),
    ("Tell us what YOU think...", "comment-widget"),
    ("Comments are moderated and will be published after review.", "comment-policy"),
    ("ATENÇÃO: Comentários ofensivos não serão aprovados pelo moderador.", "comment-policy"),
    ("Los comentarios serán revisados por el moderador antes de publicarse.", "comment-policy"),
    ("Kommentare werden erst nach Prüfung freigeschaltet.", "comment-policy"),
    ("This copy is for your personal, non-commercial use only.", "usage-notice"),
    ("An error has occurred, please try again later.", "ui-controls"),
    ("Start your free trial", "paywall"),
    ("Read more stories like this with Harbour News+.", "subscription-pitch"),
    ("Get unlimited articles like this", "subscription-pitch"),
    ("Already a subscriber? Log in", "already-subscriber"),
    ("Bereits Abonnent? Hier anmelden", "already-subscriber"),
    ("Déjà abonné ? Se connecter", "already-subscriber"),
    ("¿Ya eres suscriptor? Inicia sesión", "already-subscriber"),
    ("Al abonnee? Log in", "already-subscriber"),
    ("Download the app", "app-banner"),
    ("Get it on Google Play", "app-banner"),
    ("Available on the App Store", "app-banner"),
    ("App herunterladen", "app-banner"),
    ("Télécharger l'application", "app-banner"),
    ("Baixe o app", "app-banner"),
    ("Скачать приложение", "app-banner"),
    ("アプリで読む", "app-banner"),
    ("Download the Herald app now", "app-banner-named"),
    ("Comments", "comment-heading"),
    ("Kommentare", "comment-heading"),
    ("Комментарии", "comment-heading"),
    ("コメント", "comment-heading"),
    ("Leave a comment", "comment-widget"),
    ("34 responses to “Lynn: We needed to win this game”", "comment-thread"),
    ("12 Thoughts on “A quiet week at the harbour”", "comment-thread"),
    ("Leave a Reply", "comment-thread"),
    ("Join the conversation", "comment-thread"),
    ("Be the first to comment", "comment-widget"),
    ("Log in to comment", "comment-widget"),
    ("Laisser un commentaire", "comment-widget"),
    ("Deixe um comentário", "comment-widget"),
    ("Оставить комментарий", "comment-widget"),
    ("Dodaj komentarz", "comment-widget"),
    ("12 comments", "comment-count"),
    ("Comments (12)", "comment-count"),
    ("View all 24 comments", "comment-count"),
    ("3 Kommentare", "comment-count"),
    ("15 комментариев", "comment-count"),
    ("コメント（3）", "comment-count"),
    ("© 2024 Example Media Ltd. All rights reserved.", "copyright-notice"),
    ("Copyright © 2024 Example Media", "copyright-notice"),
    ("Copyright 2024 Example Media", "copyright-notice"),
    ("© Reuters", "copyright-notice"),
    ("Example Media GmbH. Alle Rechte vorbehalten.", "copyright-notice"),
    ("Tous droits réservés", "copyright-notice"),
    ("Все права защищены", "copyright-notice"),
    ("Copyright © Example News 無断転載を禁じます", "copyright-notice"),
    ("Privacy Policy", "legal-links"),
    ("Terms of Use", "legal-links"),
    ("Cookie Policy", "legal-links"),
    ("Impressum", "legal-links"),
    ("Mentions légales", "legal-links"),
    ("Política de privacidad", "legal-links"),
    ("Политика конфиденциальности", "legal-links"),
    ("プライバシーポリシー", "legal-links"),
    ("Privacy Policy | Terms of Use | Contact", "legal-link-row"),
    ("Impressum · Datenschutz · AGB", "legal-link-row"),
    ("Home", "nav-words"),
    ("Menu", "nav-words"),
    ("Search", "nav-words"),
    ("Sign in", "nav-words"),
    ("Log in", "nav-words"),
    ("Startseite", "nav-words"),
    ("Accueil", "nav-words"),
    ("Главная", "nav-words"),
    ("ホーム", "nav-words"),
    ("Skip to content", "skip-links"),
    ("Back to top ↑", "skip-links"),
    ("Zum Inhalt springen", "skip-links"),
    ("Retour en haut", "skip-links"),
    ("Наверх", "skip-links"),
    ("Home > World > Europe", "breadcrumb"),
    ("Startseite › Politik › Ausland", "breadcrumb"),
    ("Главная / Новости / Политика", "breadcrumb"),
    ("You are here: News / Local", "breadcrumb"),
    ("Show less", "ui-controls"),
    ("Full screen", "ui-controls"),
    ("Vollbild", "ui-controls"),
    ("Loading...", "loading"),
    ("Загрузка…", "loading"),
    ("Please enable JavaScript to view the comments.", "browser-notice"),
    ("Your browser does not support the video tag.", "browser-notice"),
    ("Click here to read the full report", "click-here"),
    ("Cliquez ici", "click-here"),
    ("Next", "pagination"),
    ("Previous", "pagination"),
    ("Load more", "pagination"),
    ("Weiter", "pagination"),
    ("Suivant", "pagination"),
    ("Siguiente", "pagination"),
    ("Далее", "pagination"),
    ("次へ", "pagination"),
    ("Page 2 of 5", "page-counter"),
    ("Image 3 of 12", "page-counter"),
    ("Seite 2 von 5", "page-counter"),
    ("1 2 3 4 5 … 10 Next »", "pager-row"),
    ("« Prev 1 2 3 Next", "pager-row"),
    ("5 min read", "reading-time"),
    ("Lesezeit: 4 Minuten", "reading-time"),
    ("5 min de lecture", "reading-time"),
    ("Lectura: 3 min", "reading-time"),
    ("Время чтения: 3 минуты", "reading-time"),
    ("Czas czytania: 4 min", "reading-time"),
    ("読了時間：約5分", "reading-time"),
    ("Listen to this article", "listen-audio"),
    ("Artikel anhören", "listen-audio"),
    ("Écouter cet article", "listen-audio"),
    ("Слушать", "listen-audio"),
    ("Listen · 5 min", "listen-duration"),
    ("Listen to this article 4:32", "listen-duration"),
    ("3 hours ago", "relative-time"),
    ("Updated 5h ago", "relative-time"),
    ("vor 2 Stunden", "relative-time"),
    ("il y a 5 min", "relative-time"),
    ("hace 2 horas", "relative-time"),
    ("há 3 horas", "relative-time"),
    ("2 ore fa", "relative-time"),
    ("2 часа назад", "relative-time"),
    ("3 uur geleden", "relative-time"),
    ("2 godziny temu", "relative-time"),
    ("3時間前", "relative-time"),
    ("Report an error", "article-tools"),
    ("Fehler melden", "article-tools"),
    ("Photo: Jane Doe/Reuters", "image-credit"),
    ("(Photo by Jane Doe/Getty Images)", "image-credit"),
    ("Jane Doe/AFP via Getty Images", "image-credit"),
    ("Getty Images", "image-credit"),
    ("Foto: dpa", "image-credit"),
    ("Фото: ТАСС", "image-credit"),
    ("（写真：共同）", "image-credit"),
    ("Fot. PAP", "image-credit"),
    ("Image caption", "media-labels"),
    ("Photo gallery", "media-labels"),
    ("Video", "media-labels"),
    ("Bildergalerie", "media-labels"),
    ("Фотогалерея", "media-labels"),
    ("Read more", "read-also"),
    ("Lesen Sie auch", "read-also"),
    ("À lire aussi", "read-also"),
    ("Lee también", "read-also"),
    ("Leia também", "read-also"),
    ("Leggi anche", "read-also"),
    ("Читайте также", "read-also"),
    ("Lees ook", "read-also"),
    ("Czytaj też", "read-also"),
    ("あわせて読みたい", "read-also"),
    ("READ MORE: Minister resigns over leaked memo", "read-also-teaser"),
    ("Lire aussi : Le gouvernement présente son budget", "read-also-teaser"),
    ("Читайте также: Правительство утвердило бюджет", "read-also-teaser"),
    ("【関連記事】新型車両、来春デビュー", "read-also-teaser"),
    ("Related Articles", "rail-en"),
    ("Related stories", "rail-en"),
    ("You may also like", "rail-en"),
    ("Recommended for you", "rail-en"),
    ("Most read", "rail-en"),
    ("Trending now", "rail-en"),
    ("Read next", "rail-en"),
    ("Latest news", "rail-en"),
    ("More stories", "rail-en"),
    ("Das könnte Sie auch interessieren", "rail-de"),
    ("Meistgelesen", "rail-de"),
    ("Articles similaires", "rail-fr"),
    ("Les plus lus", "rail-fr"),
    ("Noticias relacionadas", "rail-es"),
    ("Lo más leído", "rail-es"),
    ("Notícias relacionadas", "rail-pt"),
    ("Mais lidas", "rail-pt"),
    ("Articoli correlati", "rail-it"),
    ("I più letti", "rail-it"),
    ("Похожие статьи", "rail-ru"),
    ("Самое читаемое", "rail-ru"),
    ("Gerelateerde artikelen", "rail-nl"),
    ("Meest gelezen", "rail-nl"),
    ("Najczęściej czytane", "rail-pl"),
    ("Podobne artykuły", "rail-pl"),
    ("関連記事", "rail-ja"),
    ("【関連記事】", "rail-ja"),
    ("アクセスランキング", "rail-ja"),
    ("More from The Herald", "rail-more-from"),
    ("More stories on Climate", "rail-more-from"),
    ("More on this story", "rail-more-from"),
    ("Mehr aus Berlin", "rail-more-from"),
    ("Tags", "tags-heading"),
    ("Themen", "tags-heading"),
    ("タグ", "tags-heading"),
    ("Tags: economy, trade, China", "tags-line"),
    ("Теги: экономика, бюджет", "tags-line"),
    ("By Jane Doe", "byline"),
    ("Published 3 March 2024", "published-date"),
    ("March 3, 2024", "bare-date"),
]

# Metadata lines and what the extract rule that takes them must read out of them.
EXTRACT: list[tuple[str, str, dict[str, str | None]]] = [
    ("By Jane Doe", "byline", {"author": "Jane Doe", "date": None}),
    ("By Jane Doe, Reuters", "byline", {"author": "Jane Doe", "date": None}),
    ("By DANICA KIRKA and JILL LAWLESS", "byline", {"author": "DANICA KIRKA and JILL LAWLESS", "date": None}),
    ("By Jane Doe | March 3, 2024", "byline", {"author": "Jane Doe", "date": "March 3, 2024"}),
    ("Von Anna Schmidt | 3. März 2024", "byline", {"author": "Anna Schmidt", "date": "3. März 2024"}),
    ("Par Élodie Marchand", "byline", {"author": "Élodie Marchand", "date": None}),
    ("Por Juan Pérez García", "byline", {"author": "Juan Pérez García", "date": None}),
    ("Автор: Иван Петров", "byline", {"author": "Иван Петров", "date": None}),
    ("Published 3 March 2024", "published-date", {"date": "3 March 2024"}),
    ("Updated: Tuesday, November 19, 2019 08:38 AM", "published-date", {"date": "Tuesday, November 19, 2019 08:38 AM"}),
    ("Aktualisiert: 03.03.2024, 12:30 Uhr", "published-date", {"date": "03.03.2024, 12:30 Uhr"}),
    ("Publié le mercredi 3 mars 2024 à 10h00", "published-date", {"date": "mercredi 3 mars 2024 à 10h00"}),
    ("Publicado el 3 de marzo de 2024", "published-date", {"date": "3 de marzo de 2024"}),
    ("Опубликовано: 3 марта 2024", "published-date", {"date": "3 марта 2024"}),
    ("公開日：2024年3月3日", "published-date", {"date": "2024年3月3日"}),
    ("March 3, 2024", "bare-date", {"date": "March 3, 2024"}),
    ("2024-03-03T12:30:00Z", "bare-date", {"date": "2024-03-03T12:30:00Z"}),
    ("• 3 marca 2024", "bare-date", {"date": "3 marca 2024"}),
    ("Updated 5h ago", "relative-time", {"date": "5h ago"}),
    ("vor 2 Stunden", "relative-time", {"date": "vor 2 Stunden"}),
    ("2 часа назад", "relative-time", {"date": "2 часа назад"}),
]

# Glued fragments a strip rule must cut, and what must be left.
STRIP: list[tuple[str, str, str]] = [
    (
        "AdvertisementThe minister said on Tuesday that talks would resume.",
        "ad-glued",
        "The minister said on Tuesday that talks would resume.",
    ),
    ("WerbungDie Regierung plant neue Gesetze.", "ad-glued", "Die Regierung plant neue Gesetze."),
    ("РекламаПравительство утвердило бюджет.", "ad-glued", "Правительство утвердило бюджет."),
]

# Sentences and headlines of articles that use chrome words: no rule may touch them.
PROSE: list[str] = [
    "Fans who cannot travel to the island can follow the final on the regional channel's website.",
    "If you enjoyed the ferry ride in summer, the winter crossing will test your stomach, the captain warned.",
    "The council said comments from residents would shape the final plan for the harbour front.",
    "Fishermen were asked for comments on the new quota, and most said the ministry had not listened to them.",
    "Readers who enjoy more stories like this one can find them in the harbour library's archive.",
    "The ferry company offers a free trial of its new season ticket to commuters from the outer islands.",
    # en
    "Rescuers said the page of the logbook could not be found after the storm.",
    "The article was removed from the print edition, the editor said, but remains online.",
    "The page has been removed from the archive, the council said, after complaints.",
    "Readers can share this article with friends, the editor said.",
    "The company said it would print fewer copies next year.",
    "Cookies were served at the summit.",
    "Comments by the minister angered opposition lawmakers.",
    "Home prices rose 5% in March, according to the latest figures.",
    "The search for survivors continued overnight.",
    "Next year the company plans to open a second factory.",
    "More than 300 people were evacuated from the area.",
    "More from the minister's speech is expected on Friday.",
    "Related charges were filed against two other executives on Tuesday.",
    "By the end of the year, officials expect inflation to ease.",
    "By Monday, Smith had resigned.",
    "By Jane Smith's account, the deal collapsed in the final hour.",
    "Subscribers to the streaming service will pay more from June.",
    "Advertisements for the show appeared on buses across the city.",
    "Photos of the scene were shared widely on social media.",
    "Photo by photo, the archive was restored.",
    "She said she would log in to the system to check the records.",
    "Most read the report before the vote, lawmakers said.",
    "Copyright infringement claims rose sharply last year.",
    "Privacy advocates criticised the new law.",
    "Sponsored by the government, the programme reached 10,000 families.",
    "Follow us on this journey, the campaign urged voters.",
    "Email remains the most common way phishing attacks begin.",
    "Tweet by tweet, the senator built a following.",
    "Accept all the risks, the coach told his players.",
    "Published figures show 3 percent growth in the second quarter.",
    "Updated guidance was issued on 3 March 2024.",
    "March 3, 2024 was a turning point for the company.",
    "Listen to this: the band has reunited after 20 years.",
    "We use cookies from a local bakery for the reception, organisers said.",
    "The story continues below the fold in most print editions.",
    "Page 2 of the report lists the names of the victims.",
    "3 hours ago the bridge was still open, a witness said.",
    "Home secretary resigns after leaked memo",
    "Search for missing hikers called off",
    "More on the way as storms batter the coast",
    # de
    "Die Regierung will die Werbung für Tabak verbieten.",
    "Teilen Sie Ihre Meinung mit uns, sagte der Bürgermeister.",
    "Mehr als 300 Menschen wurden evakuiert.",
    "Von Montag an gilt die neue Regel.",
    "Weiter geht es am Dienstag mit den Verhandlungen.",
    "Wir verwenden das Geld für neue Schulen, sagte die Ministerin.",
    # fr
    "Partager les richesses est une priorité, a déclaré le ministre.",
    "La publicité en ligne a reculé de 3 % cette année.",
    "Plus de 300 personnes ont été évacuées.",
    "Par ailleurs, le maire a annoncé de nouveaux travaux.",
    "Il y a 3 ans, l'usine employait encore 500 personnes.",
    # es
    "Compartir información es clave, dijo el portavoz.",
    "La publicidad institucional creció un 12 %.",
    "Más de 100 personas resultaron heridas.",
    "Hace 2 años que el proyecto está parado.",
    "Recibe cartas de sus lectores por correo cada semana.",
    "Por la tarde, el presidente visitó la zona afectada.",
    # pt
    "Leia também o relatório, sugeriu o ministro.",
    "Mais de 300 pessoas foram retiradas de casa.",
    "A publicidade digital cresceu 8% no ano.",
    "Por Deus, gritou o torcedor ao ver o gol.",
    # it
    "La pubblicità televisiva è calata del 4 per cento.",
    "Condividi le tue idee, ha detto il sindaco.",
    "Di Maio ha incontrato i sindacati a Roma.",
    # ru
    "Реклама на телевидении подорожала на 10%.",
    "Поделиться опытом приехали эксперты из пяти стран.",
    "Читайте также интервью министра в следующем номере.",
    "Мы используем новые технологии, заявил директор.",
    # nl
    "Reclame voor gokken wordt verboden, meldt het kabinet.",
    "Lees ook de reacties van de oppositie, zei de minister.",
    # pl
    "Reklama w telewizji zdrożała o 10 procent.",
    "Zobacz także, jak zmieniły się ceny mieszkań.",
    # ja
    "広告収入は前年比で5％減少した。",
    "関連記事によると、政府は来年度予算を増やす方針だ。",
    "シェアを拡大するため、同社は新製品を発表した。",
    "ホームで電車を待っていた乗客が転倒した。",
]

# Labels that also introduce a single teaser in the middle of an article: dropping them is fine, cutting the
# rest of the page at them is not.
INLINE_LABELS = [
    "More",
    "Related",
    "Read more",
    "Read also",
    "See also",
    "Up next",
    "Don't miss",
    "Latest",
    "In other news",
    "Lesen Sie auch",
    "Mehr zum Thema",
    "À lire aussi",
    "Lire aussi",
    "Te puede interesar",
    "Leia também",
    "Leggi anche",
    "Читайте также",
    "По теме",
    "Lees ook",
    "Czytaj też",
    "あわせて読みたい",
    "関連",
]


@pytest.mark.parametrize(("line", "expected"), CHROME, ids=[f"{e}:{line[:30]}" for line, e in CHROME])
def test_chrome_line_falls_to_its_rule(line: str, expected: str) -> None:
    found = first_rule(line)
    assert found is not None, f"no rule matches {line!r}"
    assert found["id"] == expected


def test_every_rule_has_a_chrome_example() -> None:
    covered = {expected for _, expected in CHROME} | {rule_id for _, rule_id, _ in EXTRACT + STRIP}
    assert set(rule_ids()) - covered == set()


@pytest.mark.parametrize(("line", "rule_id", "groups"), EXTRACT, ids=[line[:30] for line, _, _ in EXTRACT])
def test_extract_reads_metadata(line: str, rule_id: str, groups: dict[str, str | None]) -> None:
    found = first_rule(line)
    assert found is not None and found["id"] == rule_id
    match = compiled(rule_id).fullmatch(squash(line))
    assert match is not None
    assert {key: match.group(key) for key in groups} == groups


@pytest.mark.parametrize(("line", "rule_id", "rest"), STRIP, ids=[line[:30] for line, _, _ in STRIP])
def test_strip_cuts_the_glued_fragment(line: str, rule_id: str, rest: str) -> None:
    found = strips(line)
    assert [found_id for found_id, _ in found] == [rule_id]
    cut = found[0][1]
    assert squash(line).replace(cut, "", 1).strip() == rest


@pytest.mark.parametrize("sentence", PROSE, ids=[s[:30] for s in PROSE])
def test_prose_matches_no_rule(sentence: str) -> None:
    found = first_rule(sentence)
    assert found is None, f"{found and found['id']} takes prose: {sentence!r}"
    assert strips(sentence) == []


def _gold_lines() -> list[tuple[str, str]]:
    lines = []
    for path in sorted(FIXTURE_GOLD.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        for line in [gold.get("title", ""), *gold.get("text", "").split("\n")]:
            if line.strip():
                lines.append((path.stem, squash(line)))
    return lines


def test_fixture_gold_text_matches_no_rule() -> None:
    lines = _gold_lines()
    assert len(lines) > 100, "the fixture gold files are missing"
    taken = [(name, first_rule(line)["id"], line[:80]) for name, line in lines if first_rule(line)]  # type: ignore[index]
    taken += [(name, "strip", line[:80]) for name, line in lines if strips(line)]
    assert not taken


@pytest.mark.parametrize("label", INLINE_LABELS)
def test_mid_article_teaser_labels_never_truncate(label: str) -> None:
    found = first_rule(label)
    assert found is None or found["action"] != "truncate"


def test_truncate_rules_are_not_limited_to_the_tail() -> None:
    """The engine cuts at a truncate marker only below the first paragraph of prose, and the cards under it
    often carry prose snippets; `where = "tail"` (after the last prose line) would keep most rails from ever
    being cut."""
    assert all(rule.get("where", "any") == "any" for rule in rules() if rule["action"] == "truncate")
