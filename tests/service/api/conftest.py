"""The API tests use the root conftest's database, app and tenant fixtures."""
