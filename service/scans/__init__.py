"""Scans: run the engine on a stored document and keep every result.

`tables` the scan, clause and finding rows, `schemas` the response bodies,
`scanning` running and storing a scan (in the request or as a job), `jobs`
the queued-scan job handler, `queries` the tenant's scans and a document's
latest one, `routes` the scan, export and evaluation endpoints.
"""
