"""Bad input through the CLI: a clear diagnostic, exit code 2, no traceback, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import QUICKSTART, SETUP, write_notebook


def _bad_notebooks(tmp_path):
    not_json = tmp_path / "not_json.ipynb"
    not_json.write_text("this is not a notebook")
    truncated = tmp_path / "truncated.ipynb"
    truncated.write_text(QUICKSTART.read_text()[:500])
    unsupported = write_notebook(tmp_path / "unsupported.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")', "%%export\nclass Features:\n    pass"])
    no_input = write_notebook(tmp_path / "no_input.ipynb", ["%%export\nf = users.select('a')"])
    return {
        "not-json": ([not_json], "NB002"),
        "truncated": ([truncated], "NB002"),
        "missing-notebook": ([tmp_path / "absent.ipynb"], "NB001"),
        "unsupported-cell": ([unsupported], "E101"),
        "missing-input": ([no_input], "IN001"),
        "missing-data-file": ([QUICKSTART, "--data", f"transactions={tmp_path}/absent.parquet"],
                              "IN002"),
        "wrong-data-file": ([QUICKSTART, "--data", f"transactions={not_json}"], "IN003"),
        "unknown-data-name": ([QUICKSTART, "--data", f"nope={tmp_path}/x.parquet"], "IN005"),
    }


CASES = ["not-json", "truncated", "missing-notebook", "unsupported-cell", "missing-input",
         "missing-data-file", "wrong-data-file", "unknown-data-name"]


@pytest.mark.parametrize("command", ["build", "verify", "check"])
@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_a_clear_error(cli, tmp_path, command, case):
    args, code = _bad_notebooks(tmp_path)[case]
    out_dir = tmp_path / "out"
    extra = ["-o", out_dir] if command == "build" else []
    exit_code, out, err = cli(command, *args, *extra)
    assert exit_code == 2
    # verify gives each feature set its verdict on stdout (a refused one with its diagnostic)
    assert code in (err + out if command == "verify" else err)
    assert "Traceback" not in err + out
    assert not out_dir.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_unsupported_cell_error_shows_place_and_caret(cli, tmp_path):
    args, _ = _bad_notebooks(tmp_path)["unsupported-cell"]
    _, _, err = cli("check", *args)
    assert "unsupported.ipynb: cell 2 [cell-2], line 2, col 1: error E101: `class` definitions" in err
    assert "   2 | class Features:" in err and "^" in err


def test_check_json_format(cli, tmp_path):
    args, _ = _bad_notebooks(tmp_path)["unsupported-cell"]
    code, out, _ = cli("check", *args, "--format", "json")
    diagnostics = json.loads(out)
    assert code == 2
    assert diagnostics[0]["code"] == "E101"
    assert diagnostics[0]["span"]["cell"] == 2 and diagnostics[0]["span"]["line"] == 2


def test_check_clean_notebook(cli):
    code, out, _ = cli("check", QUICKSTART)
    assert code == 0 and "enriched, user_features" in out


def test_build_refuses_to_replace_a_foreign_directory(cli, tmp_path):
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "precious.txt").write_text("do not delete")
    code, _, err = cli("build", QUICKSTART, "-o", keep)
    assert code == 2 and "OUT002" in err
    assert (keep / "precious.txt").read_text() == "do not delete"


@pytest.mark.parametrize("args,text", [
    (["build", str(QUICKSTART)], "the following arguments are required: -o/--output"),
    (["verify", str(QUICKSTART), "--data", "no-equals-sign"], "expected NAME=PATH"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments(cli, args, text):
    code, out, err = cli(*args)
    assert code == 2 and text in err and "Traceback" not in err


def test_console_script_help():
    out = subprocess.run([sys.executable, "-m", "transpiler.interfaces.cli", "--help"], capture_output=True,
                         text=True)
    assert out.returncode == 0
    for command in ("check", "build", "verify", "run"):
        assert command in out.stdout


def test_subset_page_is_generated_from_the_tables():
    from transpiler import docs

    assert docs.main(["--check"]) == 0, "run: python -m transpiler.docs"


@pytest.mark.parametrize("args", [
    ["build", str(QUICKSTART), "-o", "/proc/nb2jvm-nope/out"],
    ["verify", str(QUICKSTART), "--report", "/proc/nb2jvm-nope/r.json"],
])
def test_unwritable_output_is_a_clear_error(cli, args):
    code, out, err = cli(*args)
    assert code == 2 and "OUT003" in err and "Traceback" not in err
