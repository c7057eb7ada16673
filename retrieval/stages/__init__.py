"""The search pipeline's stages, each a small component with its own settings slice.

``Searcher.search`` (``retrieval/search.py``) runs them in this order:

1. ``candidates.CandidateGenerator`` — BM25 legs (typed words, lexicon expansions, doc2query
   questions) and the dense leg; the union of each leg's best ``candidates``.
2. ``fusion.Fusion`` — one hybrid score per candidate.
3. ``rerank`` — ``CoverageReranker``, ``NumericReranker``, ``policyfield.PolicyFieldReranker`` (the
   field of a named policy-list policy that the question asks for), ``RecencyReranker``, then
   ``validity.ValidityReranker`` (documents in force on the as-of date first), then ``RegionReranker``.
4. ``dedupe.Deduplicator`` — near-duplicate provisions collapse into the most specific one.
5. ``confidence.ConfidenceScorer`` — how well the best result answers, and whether that is reliable.

Every component checks its settings in ``__init__`` (``ValueError`` for a value out of range) and
returns typed results (``model``).
"""
