"""Packages the app once per session (as `make package` does) and reads the result.

The tests check the merged SAM template and the Lambda zip that would really be
deployed, not infra/template.json on its own: Chalice's deep merge replaces
lists and keeps everything else, so only the merged output tells the truth.
Packaging needs PyPI (Chalice downloads Lambda wheels; cached afterwards).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FUNCTION = "AWS::Serverless::Function"
ROLE = "LambdaRole"


@dataclass(frozen=True)
class Packaged:
    """What `scripts.package` produced."""

    out_dir: Path
    template: dict[str, Any]
    zip_names: list[str]

    @property
    def resources(self) -> dict[str, Any]:
        return self.template["Resources"]

    def props(self, name: str) -> dict[str, Any]:
        return self.resources[name]["Properties"]

    def functions(self) -> dict[str, dict[str, Any]]:
        """Every Lambda function's properties, by logical id."""
        return {n: r["Properties"] for n, r in self.resources.items() if r["Type"] == FUNCTION}

    def effective_env(self, function: str) -> dict[str, Any]:
        """The function's variables after SAM merges Globals into it (maps merge, local wins)."""
        shared = self.template.get("Globals", {}).get("Function", {}).get("Environment", {})
        local = self.props(function).get("Environment", {})
        return {**shared.get("Variables", {}), **local.get("Variables", {})}


def _packaging_env() -> dict[str, str]:
    # Nothing from a developer's or another suite's shell may leak into the build.
    leaky = ("LOCKER_", "AWS_ENDPOINT_URL")
    return {k: v for k, v in os.environ.items() if not k.startswith(leaky)}


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    out = tmp_path_factory.mktemp("package")
    done = subprocess.run(
        [sys.executable, "-m", "scripts.package", "--out", str(out)],
        cwd=ROOT,
        env=_packaging_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        names = archive.namelist()
    return Packaged(out, json.loads((out / "sam.json").read_text()), names)


@pytest.fixture(scope="session")
def prod_stage() -> dict[str, Any]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    stage: dict[str, Any] = config["stages"]["prod"]
    return stage


def unwrap_if(value: Any) -> list[Any]:
    """Both branches of an ``Fn::If`` (dropping ``AWS::NoValue``), or the value itself."""
    if isinstance(value, dict) and "Fn::If" in value:
        _, yes, no = value["Fn::If"]
        return [v for v in (yes, no) if v != {"Ref": "AWS::NoValue"}]
    return [value]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
