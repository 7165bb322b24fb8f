"""Locker's composition root: middleware, route blueprints, bucket events and the sweep.

Routes live in ``chalicelib/routes/`` (one blueprint per resource); each view
parses, calls one use case in chalicelib, and returns a dict.

Authentication is not a per-route opt-in: ``gateway.middleware`` verifies the
bearer token for every route except ``GET /health``, ``GET /openapi.json`` and
the link page before any view runs.
Deployed, API Gateway's Cognito authorizer also checks it first (``deployment``).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from chalice.app import Chalice, Cron, Response

from chalicelib import deployment, gateway, metrics, requestlog, runtime
from chalicelib.routes import unmatched
from chalicelib.routes.activity import activity
from chalicelib.routes.common import ANY_BODY
from chalicelib.routes.files import files
from chalicelib.routes.grants import grants
from chalicelib.routes.groups import groups
from chalicelib.routes.links import links
from chalicelib.routes.uploads import uploads

app = Chalice(app_name="locker")
app.log.setLevel(logging.INFO)  # Chalice defaults its logger (and so locker.*) to ERROR
app.register_middleware(requestlog.middleware, "http")  # outermost: sees every answer
app.register_middleware(gateway.middleware, "http")
app.register_middleware(metrics.middleware, "cloudwatch")  # the bucket events
app.register_middleware(metrics.middleware, "scheduled")  # the sweep
runtime.fail_fast_in_lambda(os.environ)
for blueprint in (files, uploads, grants, groups, links, activity):
    app.register_blueprint(blueprint)


@app.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    """Liveness probe; needs no token."""
    return {"status": "ok"}


@app.route("/openapi.json", methods=["GET"], content_types=ANY_BODY)
def openapi_document() -> Response:
    """This API's OpenAPI 3.1 document; needs no token."""
    from chalicelib import openapi  # only when asked: cold starts never import the document's code

    return Response(body=openapi.served(app.routes), headers={"Content-Type": "application/json"})


# Last, once every route exists: Locker's 404/405 for everything else.
unmatched.register(app)


@app.on_cw_event(deployment.OBJECT_CREATED_PATTERN, name="object_created")
def object_created(event: Any) -> None:
    """The bucket's ObjectCreated events (EventBridge) run the same completion as the API."""
    locker = runtime.locker()
    key = deployment.created_key(event.to_dict(), locker.settings.bucket)
    if key is not None:
        locker.object_created(key)


@app.schedule(Cron("17", "*", "*", "*", "?", "*"), name="sweep")
def sweep(event: Any) -> None:
    """Hourly: reclaim abandoned uploads, finish half-done deletes and group purges, then repair."""
    runtime.locker().sweep()
    runtime.sharing().groups.sweep()
    runtime.repairs().run()
