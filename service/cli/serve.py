"""`clausewise serve`: run the HTTP API with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn
from pydantic import ValidationError

from extractors.errors import ConfigError
from service.batches.config import BatchSettings
from service.cli.common import EXIT_OK
from service.cli.settings import service_settings
from service.jobs.config import JobSettings


def run(args: argparse.Namespace) -> int:
    """Run the API; our middleware logs requests, so uvicorn's access log is off.

    Every group of settings is read before the app is imported (importing
    `service.web` or `service.app` reads them too, for the Celery app), so a
    bad `CLAUSEWISE_*` value is one error and exit status 2, not a traceback;
    hence the two imports inside this function.
    """
    settings = service_settings()
    try:
        jobs, batches = JobSettings(), BatchSettings()
        from service.web.config import WebSettings  # imports the Celery app

        web = WebSettings()
    except ValidationError as exc:
        raise ConfigError(f"invalid CLAUSEWISE_* setting: {exc}") from exc

    from service.app import create_app  # after the settings are known good

    app = create_app(settings)
    app.state.job_settings = jobs
    app.state.batch_settings = batches
    app.state.web_settings = web
    uvicorn.run(app, host=args.host, port=args.port, access_log=False)
    return EXIT_OK
