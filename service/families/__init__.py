"""License families: version histories and clause-level diffs between versions.

`versions` orders a family's documents and diffs two of them, `schemas` the
response bodies, `routes` the family and compare endpoints. A document joins
a family through its labels (`service.documents.labels`).
"""
