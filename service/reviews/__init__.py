"""Review: reviewers correct a scan's clauses; the corrections become gold labels.

A review is per (document, reviewer) and is an append-only log of events
(`tables.ReviewEventRecord`): each decision keeps who, when, on which scan,
and the clause before and after. The scan itself is never changed. Folding
a reviewer's events over the clauses of the scan they started from gives
their current clauses (`state.fold`); a reviewed document's kept clauses are
its gold labels in the ANNOTATION.md format (`labels`), which the corpus
archive (`archive`) carries to `clausewise eval` and `clausewise train`.
"""
