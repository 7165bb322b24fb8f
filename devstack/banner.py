"""What ``make run`` and ``make emulator`` print once the stack is ready."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from devstack import cognito, environment

WATCHED = "app.py, chalicelib/ and .chalice/config.json"


def _token_lines(stack: dict[str, Any]) -> str:
    demo = stack["demoUser"]
    token = cognito.login(
        stack["awsEndpointUrl"], stack["region"], stack["clientId"], demo["username"], demo["password"]
    )["AccessToken"]
    return f"""An access token for the demo user (valid 1 hour; a fresh one: TOKEN=$(make -s token)):
export TOKEN={token}
curl -H "Authorization: Bearer $TOKEN" {stack["apiUrl"]}/files"""


def _stage_mismatch(stack: dict[str, Any]) -> str:
    """A note when ports or region differ from what the ``local`` stage names."""
    stage = environment.stage_environment()
    expected = {
        "AWS_ENDPOINT_URL": stack["awsEndpointUrl"],
        "AWS_REGION": stack["region"],
        "LOCKER_WEB_ORIGIN": stack["webUrl"],
    }
    differ = sorted(name for name, value in expected.items() if stage.get(name) != value)
    if not differ:
        return ""
    return (
        f"\nNote: .chalice/config.json's local stage names other values for {', '.join(differ)}; "
        "plain `chalice local --stage local` needs the default ports and region.\n"
    )


def banner(stack: dict[str, Any], stack_file: Path, with_api: bool) -> str:
    """The ready message: where everything is, a token to paste whole, what to run next."""
    demo = stack["demoUser"]
    postman = stack_file.parent / "locker.postman_environment.json"
    if with_api:
        return f"""
Locker is running on the embedded emulator (Ctrl-C stops everything).
  API       {stack["apiUrl"]}   (restarts when {WATCHED} change)
  Web app   {stack["webUrl"]}
  Emulator  {stack["awsEndpointUrl"]}  (S3, DynamoDB, Cognito)
  Demo user {demo["username"]} / {demo["password"]}
  Settings  {stack_file}
  Postman   {postman}

{_token_lines(stack)}
"""
    return f"""
The emulator is running with Locker's bucket, table, user pool and demo user (Ctrl-C stops it).
  Emulator  {stack["awsEndpointUrl"]}  (S3, DynamoDB, Cognito)
  Demo user {demo["username"]} / {demo["password"]}
  Settings  {stack_file}
  Postman   {postman}   (for the API at {stack["apiUrl"]})
{_stage_mismatch(stack)}
Next, in other terminals at the repository root:
  .venv/bin/chalice local --stage local   # the API on {stack["apiUrl"]}; it reloads on edits
  make web                                # the web app on {stack["webUrl"]}

{_token_lines(stack)}
"""
