"""`clausewise serve`: run the HTTP API with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from service.cli.common import EXIT_OK
from service.cli.settings import service_settings


def run(args: argparse.Namespace) -> int:
    """Run the API; our middleware logs requests, so uvicorn's access log is off.

    Every section of the settings is read and checked before the app is
    imported, so a bad `CLAUSEWISE_*` value is one error and exit status 2,
    not a traceback; hence the import inside this function.
    """
    settings = service_settings()

    from service.app import create_app  # after the settings are known good

    uvicorn.run(create_app(settings), host=args.host, port=args.port, access_log=False)
    return EXIT_OK
