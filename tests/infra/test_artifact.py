"""The Lambda zip holds the app and its runtime dependencies only; the template lints clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import Packaged

# Development and test tools, and the project's non-runtime folders.
FORBIDDEN_TOP = (
    "moto",
    "pytest",
    "_pytest",
    "werkzeug",
    "flask",
    "hypothesis",
    "cfnlint",
    "mypy",
    "ruff",
    "playwright",
    "click",
    "httpx",
    "rich",
    "locker_cli",
    "cli",
    "scripts",
    "tests",
    "web",
    "bench",
    "infra",
    "assets",
    "postman",
    ".chalice",
    ".local",
)
RUNTIME_TOP = ("app.py", "chalicelib", "boto3", "botocore", "jwt", "cryptography")
# Chalice puts only its runtime module in the zip, never the CLI or the deployer.
CHALICE_RUNTIME = {"chalice/__init__.py", "chalice/app.py", "chalice/app.pyi"}


def _top_levels(names: list[str]) -> set[str]:
    return {n.split("/", 1)[0].lower() for n in names}


@pytest.mark.parametrize("name", FORBIDDEN_TOP)
def test_zip_holds_no_dev_tool_or_project_folder(packaged: Packaged, name: str) -> None:
    tops = _top_levels(packaged.zip_names)
    assert name.lower() not in tops
    assert not any(t.startswith(f"{name.lower()}-") and t.endswith(".dist-info") for t in tops)


def test_zip_holds_the_app_and_runtime_dependencies(packaged: Packaged) -> None:
    assert set(RUNTIME_TOP) <= _top_levels(packaged.zip_names)
    chalice = {n for n in packaged.zip_names if n.startswith("chalice/") and "/__pycache__/" not in n}
    assert chalice
    assert chalice <= CHALICE_RUNTIME


def test_zip_carries_every_chalicelib_module(packaged: Packaged) -> None:
    root = Path(__file__).resolve().parents[2]
    modules = {f"chalicelib/{p.name}" for p in (root / "chalicelib").glob("*.py")}
    assert modules <= set(packaged.zip_names)


def test_cfn_lint_finds_no_error_or_warning(packaged: Packaged) -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    done = subprocess.run(
        [str(cfn_lint), str(packaged.out_dir / "sam.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_zip_carries_bytecode_lambda_can_use_without_writing(packaged: Packaged) -> None:
    """Lambda's code directory is read-only: without bytecode in the zip it recompiles every cold start."""
    import importlib.util
    import zipfile

    sources = [n for n in packaged.zip_names if n.endswith(".py")]
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(packaged.out_dir / "deployment.zip") as archive:
        for source in sources:
            folder, _, name = source.rpartition("/")
            cached = f"{folder}/__pycache__/{name[:-3]}.{tag}.pyc".lstrip("/")
            assert cached in packaged.zip_names, cached
        header = archive.read(f"chalicelib/__pycache__/auth.{tag}.pyc")[:8]
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, not checked against the source
