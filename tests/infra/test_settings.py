"""Every function gets every setting it needs from the template, and nothing local."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chalicelib import config
from chalicelib.config import ConfigError
from tests.infra.conftest import Packaged

REFS = {
    "LOCKER_BUCKET": {"Ref": "FilesBucket"},
    "LOCKER_TABLE": {"Ref": "FilesTable"},
    "LOCKER_USER_POOL_ID": {"Ref": "UserPool"},
    "LOCKER_CLIENT_IDS": {"Ref": "UserPoolClient"},
    "LOCKER_WEB_ORIGIN": {"Ref": "WebOrigin"},
}
LIMITS = {
    "LOCKER_ALLOWED_TYPES": ("AllowedTypes", "allowed_types"),
    "LOCKER_MAX_SIZE": ("MaxSize", "max_size"),
    "LOCKER_MULTIPART_THRESHOLD": ("MultipartThreshold", "multipart_threshold"),
    "LOCKER_PART_SIZE": ("PartSize", "part_size"),
    "LOCKER_UPLOAD_EXPIRES": ("UploadExpires", "upload_expires"),
    "LOCKER_DOWNLOAD_EXPIRES": ("DownloadExpires", "download_expires"),
    "LOCKER_QUOTA_BYTES": ("QuotaBytes", "quota_bytes"),
    "LOCKER_QUOTA_FILES": ("QuotaFiles", "quota_files"),
    "LOCKER_PENDING_TTL": ("PendingTtl", "pending_ttl"),
}
# Only the emulator needs these: deployed, the issuer and JWKS follow from region and pool.
EMULATOR_ONLY = re.compile(r"^(AWS_ENDPOINT_URL.*|LOCKER_JWKS_URL|LOCKER_ISSUER)$")
LOCAL_VALUES = (
    "127.0.0.1",
    "localhost",
    "local-only",
    "testing",
    "moto",
    "000000000000",
    "REPLACEDBYTEMPLATE",
)
# Stand-ins for what CloudFormation resolves, shaped like the real values.
FAKE_RESOLVED = {
    "FilesBucket": "locker-prod-filesbucket-1a2b3c4d5e6f",
    "FilesTable": "locker-prod-FilesTable-ABCDEF123456",
    "UserPool": "eu-west-1_AbCdEfGhI",
    "UserPoolClient": "4tq1example2client3id4abcd",
    "WebOrigin": "https://app.example.com",
}


def _settings_names() -> set[str]:
    names = {v for k, v in vars(config).items() if k.isupper() and isinstance(v, str)}
    return {n for n in names if n.startswith("LOCKER_")}


def _resolve(value: Any, parameters: dict[str, Any]) -> str:
    if isinstance(value, str):
        return value
    if "Ref" in value:
        name = value["Ref"]
        return FAKE_RESOLVED.get(name) or str(parameters[name]["Default"])
    if "{{resolve:secretsmanager:" in value.get("Fn::Sub", ""):
        return "k" * 64
    raise AssertionError(f"unexpected setting value {value}")


def _deployed_env(packaged: Packaged, function: str, **overrides: str) -> dict[str, str]:
    parameters = packaged.template["Parameters"]
    env = {k: _resolve(v, parameters) for k, v in packaged.effective_env(function).items()}
    return {**env, "AWS_REGION": "eu-west-1", **overrides}  # Lambda sets AWS_REGION


def test_every_function_gets_every_setting(packaged: Packaged) -> None:
    wanted = _settings_names() - {config.ISSUER, config.JWKS_URL}
    for name in packaged.functions():
        env = packaged.effective_env(name)
        assert wanted <= set(env), (name, wanted - set(env))
        for setting, ref in REFS.items():
            assert env[setting] == ref, (name, setting)
        for setting, (parameter, _) in LIMITS.items():
            assert env[setting] == {"Ref": parameter}, (name, setting)
        assert env["LOCKER_TOKEN_USES"] == "access"  # must agree with the authorizer's scopes


def test_function_env_does_not_override_the_shared_settings(packaged: Packaged) -> None:
    shared = set(packaged.template["Globals"]["Function"]["Environment"]["Variables"])
    for name, props in packaged.functions().items():
        assert not shared & set(props["Environment"]["Variables"]), name


def test_the_deployed_env_passes_config_validation(packaged: Packaged) -> None:
    for name in packaged.functions():
        settings = config.load(_deployed_env(packaged, name))
        assert settings.bucket == FAKE_RESOLVED["FilesBucket"]
        assert settings.issuer == f"https://cognito-idp.eu-west-1.amazonaws.com/{FAKE_RESOLVED['UserPool']}"
        assert settings.token_uses == frozenset({"access"})
        assert settings.web_origin == FAKE_RESOLVED["WebOrigin"]


def test_limit_parameters_default_to_the_app_defaults(packaged: Packaged) -> None:
    env = _deployed_env(packaged, "APIHandler")
    from_template = config.load(env)
    app_defaults = config.load({k: v for k, v in env.items() if k not in LIMITS})
    for _, field in LIMITS.values():
        assert getattr(from_template, field) == getattr(app_defaults, field), field


@pytest.mark.parametrize("setting", [s for s, (p, _) in LIMITS.items() if p != "AllowedTypes"])
def test_limit_parameter_bounds_match_what_the_app_accepts(packaged: Packaged, setting: str) -> None:
    parameter = packaged.template["Parameters"][LIMITS[setting][0]]
    low, high = parameter["MinValue"], parameter["MaxValue"]
    for accepted in (low, high):
        config.load(_deployed_env(packaged, "APIHandler", **{setting: str(accepted)}))
    for refused in (low - 1, high + 1):
        with pytest.raises(ConfigError, match=setting):
            config.load(_deployed_env(packaged, "APIHandler", **{setting: str(refused)}))


def test_cursor_key_is_a_generated_secret_resolved_at_deploy(packaged: Packaged) -> None:
    for name in packaged.functions():
        key = packaged.effective_env(name)["LOCKER_CURSOR_KEY"]
        assert key == {"Fn::Sub": "{{resolve:secretsmanager:${CursorKeySecret}}}"}
    secret = packaged.resources["CursorKeySecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32


def test_no_emulator_setting_in_the_prod_stage_or_template(
    packaged: Packaged, prod_stage: dict[str, Any]
) -> None:
    names = set(prod_stage["environment_variables"])
    names |= set(packaged.template["Globals"]["Function"]["Environment"]["Variables"])
    for props in packaged.functions().values():
        names |= set(props["Environment"]["Variables"])
    assert not {n for n in names if EMULATOR_ONLY.match(n)}


@pytest.mark.parametrize("marker", LOCAL_VALUES)
def test_no_local_only_value_anywhere(packaged: Packaged, prod_stage: dict[str, Any], marker: str) -> None:
    assert marker not in json.dumps(prod_stage)
    assert marker not in (packaged.out_dir / "sam.json").read_text()


def test_functions_are_sized_for_the_cost_estimate(packaged: Packaged) -> None:
    for name, props in packaged.functions().items():
        assert props["MemorySize"] == 256, name
        assert props["Runtime"] == "python3.11", name
