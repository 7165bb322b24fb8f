import pytest

from chalicelib import config

GOOD = {
    "AWS_REGION": "eu-west-1",
    "LOCKER_BUCKET": "b",
    "LOCKER_TABLE": "t",
    "LOCKER_USER_POOL_ID": "eu-west-1_AbC123",
    "LOCKER_CLIENT_IDS": "client1, client2",
    "LOCKER_CURSOR_KEY": "k" * 32,
}


def test_defaults_follow_the_contract() -> None:
    settings = config.load(GOOD)
    assert settings.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    assert settings.jwks_url == settings.issuer + "/.well-known/jwks.json"
    assert settings.client_ids == {"client1", "client2"}
    assert settings.token_uses == {"access"}
    assert settings.max_size == 5 * 1024**3
    assert (settings.multipart_threshold, settings.part_size) == (100 * 1024**2, 16 * 1024**2)
    assert (settings.upload_expires, settings.download_expires) == (300, 60)
    assert (settings.quota_bytes, settings.quota_files) == (10 * 1024**3, 1000)
    assert settings.pending_ttl == 86400
    assert "application/pdf" in settings.allowed_types


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.load({"LOCKER_UPLOAD_EXPIRES": "7200", "LOCKER_TOKEN_USES": "refresh"})
    message = str(caught.value)
    for name in (
        "AWS_REGION",
        "LOCKER_BUCKET",
        "LOCKER_TABLE",
        "LOCKER_USER_POOL_ID",
        "LOCKER_CLIENT_IDS",
        "LOCKER_CURSOR_KEY",
        "LOCKER_UPLOAD_EXPIRES",
        "LOCKER_TOKEN_USES",
    ):
        assert name in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOCKER_MAX_SIZE", "0"),
        ("LOCKER_MAX_SIZE", "1e6"),
        ("LOCKER_MAX_SIZE", str(5 * 1024**4 + 1)),
        ("LOCKER_MULTIPART_THRESHOLD", str(5 * 1024**3 + 1)),
        ("LOCKER_PART_SIZE", str(5 * 1024**2 - 1)),
        ("LOCKER_DOWNLOAD_EXPIRES", "-5"),
        ("LOCKER_DOWNLOAD_EXPIRES", "3601"),
        ("LOCKER_CURSOR_KEY", "short"),
        ("LOCKER_WEB_ORIGIN", "*"),
        ("LOCKER_ISSUER", "ftp://x"),
    ],
)
def test_malformed_values_are_refused(name: str, value: str) -> None:
    with pytest.raises(config.ConfigError, match=name):
        config.load({**GOOD, name: value})


def test_overrides_for_the_emulator() -> None:
    settings = config.load(
        {
            **GOOD,
            "LOCKER_JWKS_URL": "http://127.0.0.1:5000/pool/.well-known/jwks.json",
            "LOCKER_TOKEN_USES": "access,id",
        }
    )
    assert settings.jwks_url.startswith("http://127.0.0.1:5000/")
    assert settings.issuer.startswith("https://cognito-idp.")
    assert settings.token_uses == {"access", "id"}


def test_a_missing_value_is_named_once() -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.load({k: v for k, v in GOOD.items() if k != "LOCKER_CURSOR_KEY"})
    assert str(caught.value).count("LOCKER_CURSOR_KEY") == 1


def test_lambda_refuses_to_start_with_bad_settings() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("LOCKER_")}
    env.update({"AWS_LAMBDA_FUNCTION_NAME": "locker-dev", "AWS_REGION": "eu-west-1", "LOCKER_BUCKET": "b"})
    started = subprocess.run(
        [sys.executable, "-c", "import app"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert started.returncode == 1
    lines = started.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("[FATAL] Locker settings are invalid:")
    assert "LOCKER_TABLE is required" in lines[0] and "LOCKER_BUCKET" not in lines[0]
