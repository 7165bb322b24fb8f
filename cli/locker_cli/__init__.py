"""The ``locker`` command: Locker's files from a terminal or a script, outside the browser.

It speaks the HTTP contract (shared API.md) like any client: Cognito's
``InitiateAuth`` for a token, Locker's API for presigned URLs, and storage
directly for the bytes, which never pass through Locker.
"""

__version__ = "0.1.0"
