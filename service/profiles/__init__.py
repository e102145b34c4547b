"""Organisation profiles: the facts a scan's findings are judged against.

`tables` the stored profile, `schemas` its bodies, `queries` the tenant's
profiles, `routes` the `/v1/profiles` endpoints.
"""
