"""The verbs, one module per group; each module's ``register`` adds its subcommands.

Sharing verbs (grants, groups, links) belong in their own module here,
registered in VERB_GROUPS like the others, using the same Context and errors.
"""

from __future__ import annotations

from locker_cli.commands import auth, files, transfer

VERB_GROUPS = (auth, files, transfer)
