"""The embedded AWS emulator: moto's server in a thread of this process.

One port serves S3, DynamoDB and Cognito, with no Docker and no second process,
so ``make run`` and the test suites start it in milliseconds. moto alone is too
lenient where Locker's security lives, so its dispatcher runs behind
``S3Gate`` (presigned-URL, checksum and anonymous-access checks, as S3 does)
and ``CognitoCors`` (Cognito's browser CORS), and its DynamoDB Query reads one
partition, as DynamoDB's does (``dynamodb_partition_query``, ``dynamodb_index_query``), its
projections convert only what they name (``dynamodb_projection``), a transaction
backs up only the items it names (``dynamodb_transactions``), its multipart
answers carry S3's CORS headers and ListParts shape (``s3_multipart_answers``), and a large
object's bytes are copied once, not four times, and a ranged GET reads only its range
(``s3_object_bytes``, ``s3_multipart_complete``). Given a consumer,
it also delivers the bucket's ObjectCreated events (``events``), as EventBridge does.

``MOTO_DISABLE_GLOBAL_CORS`` is set before moto is imported: moto reads it once,
and only with it do buckets answer browsers by their own CORS rules. Cognito ids
are deterministic (moto's documented ``HASH`` id strategy): the same pool and app
client requests give the same ids on every run, as a deployed pool keeps its ids.
"""

from __future__ import annotations

import os

os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"
# Pool and app client ids are a hash of their creation request, not random, so
# the local stage in .chalice/config.json can name the ones provisioning makes.
os.environ["MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"] = "HASH"
os.environ["MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY"] = "HASH"

import threading
import urllib.request
from dataclasses import dataclass, field
from wsgiref.types import WSGIApplication

from moto import settings as moto_settings
from moto.moto_server import werkzeug_app
from werkzeug.serving import BaseWSGIServer, make_server

from devstack.emulator import (
    dynamodb_attribute_values,
    dynamodb_index_query,
    dynamodb_partition_query,
    dynamodb_projection,
    dynamodb_transactions,
    s3_multipart_answers,
    s3_multipart_complete,
    s3_object_bytes,
)
from devstack.emulator.cognito_cors import CognitoCors
from devstack.emulator.dynamodb_lock import SerializedDynamoDB
from devstack.emulator.events import Consumer, ObjectCreatedEvents
from devstack.emulator.s3gate import S3Gate
from devstack.sockets import PortBusyError, listen

CREDENTIALS: dict[str, str] = {"testing": "testing"}
PORT_ENV = "LOCKER_EMULATOR_PORT"
__all__ = ["CREDENTIALS", "Emulator", "PortBusyError", "start"]


@dataclass
class Emulator:
    """A running emulator; ``url`` is its endpoint (``AWS_ENDPOINT_URL``)."""

    url: str
    _server: BaseWSGIServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    events: ObjectCreatedEvents | None = field(default=None, repr=False)

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()

    def reset(self) -> None:
        """Wipe every bucket, table and user pool (``POST /moto-api/reset``)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (our own http:// URL)
            answer.read()


def start(host: str = "127.0.0.1", port: int = 5000, object_created: Consumer | None = None) -> Emulator:
    """Serve the emulator on ``host:port`` (0 picks a free port) in a daemon thread.

    ``object_created`` receives each ObjectCreated event, asynchronously (none without it).

    Raises:
        PortBusyError: the port is taken.
        RuntimeError: moto was imported with global CORS on, before this module.
    """
    if not moto_settings.DISABLE_GLOBAL_CORS:
        raise RuntimeError(
            "moto was imported before MOTO_DISABLE_GLOBAL_CORS=true was set; "
            "import devstack.emulator.server first or export the variable"
        )
    dynamodb_attribute_values.install()
    dynamodb_partition_query.install()
    dynamodb_index_query.install()
    dynamodb_projection.install()
    dynamodb_transactions.install()
    s3_multipart_answers.install()
    s3_object_bytes.install()
    s3_multipart_complete.install()
    dispatcher = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
    s3: WSGIApplication = S3Gate(dispatcher, CREDENTIALS)
    events = None if object_created is None else ObjectCreatedEvents(s3, object_created)
    app = SerializedDynamoDB(CognitoCors(events or s3))
    sock = listen(port, PORT_ENV, host)
    try:  # werkzeug would print and sys.exit() on a busy port; hand it our socket instead
        server = make_server(
            host, port, app, threaded=True, request_handler=werkzeug_app.MotoRequestHandler, fd=sock.fileno()
        )
    finally:
        sock.close()  # the server holds its own duplicate
    thread = threading.Thread(target=server.serve_forever, name="aws-emulator", daemon=True)
    thread.start()
    return Emulator(f"http://{host}:{server.port}", server, thread, events)


def main() -> None:
    """Serve in the foreground until Ctrl-C (``python -m devstack.emulator``)."""
    raw = os.environ.get(PORT_ENV, "5000")
    if not raw.isdigit() or not 0 <= int(raw) <= 65535:
        raise SystemExit(f"{PORT_ENV} must be a port number, not {raw!r}")
    try:
        emulator = start(port=int(raw))
    except PortBusyError as error:
        raise SystemExit(str(error)) from None
    print(f"AWS emulator (S3, DynamoDB, Cognito) on {emulator.url}; Ctrl-C stops", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        emulator.stop()


if __name__ == "__main__":
    main()
