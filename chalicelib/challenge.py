"""The ``WWW-Authenticate`` header of Locker's 401s: why, in words a caller can act on.

RFC 6750 lets a 401 carry an ``error_description``. Locker's says what to fix
(an expired token, an ID token where an access token belongs, the wrong
scheme) from a small fixed table keyed by ``AuthError.reason``: it never
contains anything from the request, so it cannot leak a token or a claim.
Anything not in the table gets the generic description.
"""

from __future__ import annotations

from chalicelib.auth import AuthError

CHALLENGE_NO_TOKEN = 'Bearer realm="locker"'
CHALLENGE_BAD_TOKEN = 'Bearer error="invalid_token"'
INVALID = "The access token is invalid"
MALFORMED = "The access token is malformed"
ID_TOKEN_REASON = "token_use not allowed: an ID token"
_DESCRIPTIONS = {
    "expired": "The access token expired",
    "not valid yet": "The access token is not valid yet",
    ID_TOKEN_REASON: "An ID token was sent; an access token is required",
    "not the Bearer scheme": "Send the access token as Authorization: Bearer <token>",
    "several Authorization headers": "Send exactly one Authorization header",
    "malformed bearer credentials": MALFORMED,
    "token is not a compact JWS": MALFORMED,
    "header is not base64url JSON": MALFORMED,
    "header is not a JSON object": MALFORMED,
    "payload is not base64url JSON": MALFORMED,
    "payload is not a JSON object": MALFORMED,
    "signature is not base64url": MALFORMED,
}


def description(reason: str) -> str:
    """The fixed, safe ``error_description`` for a refusal's reason."""
    return _DESCRIPTIONS.get(reason, INVALID)


def www_authenticate(refusal: AuthError) -> str:
    """The challenge for ``refusal``: bare when no credentials at all were sent (RFC 6750 3.1)."""
    if refusal.reason == "no Authorization header":
        return CHALLENGE_NO_TOKEN
    base = CHALLENGE_BAD_TOKEN if refusal.token_sent else CHALLENGE_NO_TOKEN
    return f'{base}, error_description="{description(refusal.reason)}"'
