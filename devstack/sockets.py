"""Listening sockets for the local stack: restartable at once, and a busy port is one line.

Every server of the stack listens on 127.0.0.1 through ``listen``. It sets
``SO_REUSEADDR``, so a restart within a minute of stopping is not refused
while the last run's connections sit in TIME_WAIT; a port another program is
really listening on still fails (Linux refuses the bind) with a one-line
message naming the variable that moves it.
"""

from __future__ import annotations

import errno
import socket

HOST = "127.0.0.1"
BACKLOG = 128  # browsers and tests open dozens of connections at once


class PortBusyError(RuntimeError):
    """Another program is already listening on the port."""


def listen(port: int, variable: str, host: str = HOST) -> socket.socket:
    """A socket bound to ``host:port`` (0 picks a free port) and listening.

    Raises:
        PortBusyError: the port is in use; the message names ``variable``.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            message = f"port {port} on {host} is already in use (set {variable} to use another)"
            raise PortBusyError(message) from None
        raise
    return sock
