"""Learn an aggregator's chrome from the corpus itself.

No rule pack knows every site, but chrome gives itself away: the same lines stand on hundreds of a site's
pages, while an article's sentences stand on one (or on the handful of pages that carry a copy of the story).
`Learner` counts, per site, on how many pages each line stands (`count`), leaves out the lines that travel
with a story (`syndication`), notes where the rest stand and whether teaser cards start under them
(`position`), and writes a rule pack (`pack`) that `cleaner clean --rules` applies like any other.

>>> from cleaner.learn import CorpusPage, learn_pages
>>> pack = learn_pages(CorpusPage(path, "mysite", text) for path, text in pages)
>>> Path("mysite.toml").write_text(pack.to_toml())
"""

from .learner import CorpusPage, Learner, LearnSettings, learn_pages
from .pack import LearnedPack, LearnedRule

__all__ = ["CorpusPage", "LearnSettings", "LearnedPack", "LearnedRule", "Learner", "learn_pages"]
