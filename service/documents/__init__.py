"""Documents: upload, type sniffing, parsing, dedupe, quota, family labels.

`tables` the stored document, `schemas` its request and response bodies,
`store` storing an upload, `labels` the family and version labels,
`queries` the tenant's documents, `routes` the `/v1/documents` endpoints.
"""
