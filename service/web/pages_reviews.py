"""Review pages: live accuracy on the tenant's reviewed documents, the queue."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from extractors.labels import ClauseType
from service.deps import SessionDep
from service.reviews.accuracy import tenant_accuracy
from service.reviews.archive import archive_response, reviewed_documents
from service.reviews.queue import review_queue
from service.web.deps import WebDep
from service.web.plots import Series, line_chart
from service.web.rendering import PageRoute, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/accuracy")
def accuracy(request: Request, session: SessionDep, web: WebDep) -> Response:
    """Show each engine version's figures on the reviewed documents, plotted."""
    found = tenant_accuracy(session, web.caller.tenant_id)
    versions = found.versions
    labels = [v.engine for v in versions]
    chart = line_chart(
        labels,
        [
            Series(
                "precision", "s-precision", [v.report.micro.precision for v in versions]
            ),
            Series("recall", "s-recall", [v.report.micro.recall for v in versions]),
            Series("F1", "s-f1", [v.report.micro.f1 for v in versions]),
        ],
        "Micro precision, recall and F1 by engine version",
    )
    context = {
        "web": web,
        "accuracy": found,
        "latest": versions[-1] if versions else None,
        "types": list(ClauseType),
        "chart": Markup(chart)
        if versions
        else None,  # every text in it went through escape()
    }
    return render(request, "accuracy.html", context)


@router.get("/accuracy/labels.tar.gz")
def export_labels(session: SessionDep, web: WebDep) -> Response:
    """Download the reviewed documents as a corpus archive (as `/v1/labels/export`)."""
    return archive_response(reviewed_documents(session, web.caller.tenant_id))


@router.get("/review-queue")
def queue(request: Request, session: SessionDep, web: WebDep) -> Response:
    """List unreviewed documents, where a reviewer helps most first."""
    reviewed = reviewed_documents(session, web.caller.tenant_id)
    found = tenant_accuracy(session, web.caller.tenant_id)
    items = review_queue(session, web.caller.tenant_id, reviewed, found)
    return render(
        request, "queue.html", {"web": web, "items": items, "reviewed": len(reviewed)}
    )
