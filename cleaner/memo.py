"""How much per-line work is remembered.

Rule matches, metadata parses, word counts and block features are memoised per line: the fixed-point pass
repeats every kept line of a page, and the pages of one site repeat their chrome. The caches are bounded so a
worker's memory stays flat however large the corpus: 8,192 lines each, a few megabytes in all.
"""

LINE_CACHE_SIZE = 1 << 13
