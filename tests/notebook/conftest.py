"""Shared set-up of the notebook tests: the store and the `sunlight` binary that
scripts/test.d/30-notebook.sh built, and a started kernel for the protocol tests."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
KERNEL_NAME = "sunlight"


def need(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run scripts/test.d/30-notebook.sh")
    return value


@pytest.fixture(scope="session")
def store() -> pathlib.Path:
    return pathlib.Path(need("SUNLIGHT_STORE"))


@pytest.fixture(scope="session")
def sunlight_bin() -> str:
    return need("SUNLIGHT_BIN")


def cli_json(sunlight_bin: str, store: pathlib.Path, query: str) -> list:
    """Runs a query with the command line (`sunlight sql --format json`), not the kernel."""
    import json

    out = subprocess.run(
        [sunlight_bin, "sql", "--store", str(store), "--format", "json", query],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]
