"""The filters, each a small function over a `Page` with one job, run in this order by the pipeline:

patterns (rule packs) -> teasers (cards and listings) -> density (prose vs chrome) -> title.
"""
