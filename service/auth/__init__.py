"""Tenants and their API keys: who is calling, and whether they may.

`tables` holds the tenant and key rows; `keys` makes keys, checks them on
every request (API and web sessions alike) and applies the rate limits.
"""
