from __future__ import annotations

from pathlib import Path

import pytest
from test_runs_support import make_notebook

from workbench.runs.locate import cell_identity, execute_metadata, notebook_path

ENV = ("WORKBENCH_NOTEBOOK", "JPY_SESSION_NAME")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def test_notebook_path_lookup_order(monkeypatch, tmp_path):
    vscode_uri = "vscode-notebook-cell:/home/u/from%20uri.ipynb#W1sZmlsZQ%3D%3D"
    namespace = {"__vsc_ipynb_file__": "/home/u/vscode.ipynb", "__session__": "/home/u/session.ipynb"}
    assert notebook_path({}, cell_id=vscode_uri) == Path("/home/u/from uri.ipynb")
    assert notebook_path({"__session__": "/home/u/session.ipynb"}, cell_id=vscode_uri) == Path("/home/u/session.ipynb")
    assert notebook_path(namespace) == Path("/home/u/vscode.ipynb")
    monkeypatch.setenv("JPY_SESSION_NAME", "/srv/lab/study.ipynb")
    assert notebook_path(namespace) == Path("/srv/lab/study.ipynb")
    monkeypatch.setenv("WORKBENCH_NOTEBOOK", str(tmp_path / "ci.ipynb"))
    assert notebook_path(namespace) == tmp_path / "ci.ipynb"
    assert notebook_path(namespace, explicit="/x/explicit.ipynb") == Path("/x/explicit.ipynb")


def test_notebook_path_unknown(monkeypatch):
    # A console kernel's JPY_SESSION_NAME names no notebook.
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/u/console-1")
    assert notebook_path({"__session__": "/home/u/console-1"}) is None


def test_lab_cell_id_is_persistent_in_a_4_5_notebook(tmp_path):
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ["x = 1"])
    identity = cell_identity({"cellId": "204763f4", "tags": []}, notebook=path)
    assert (identity.cell_id, identity.persistent, identity.source) == ("204763f4", True, "frontend")


def test_cell_ids_of_a_4_4_notebook_are_not_persistent(tmp_path):
    path = tmp_path / "old.ipynb"
    make_notebook(path, ["x = 1"], minor=4)
    identity = cell_identity({"cellId": "e08c4976-aaaa"}, notebook=path)
    assert identity.cell_id == "e08c4976-aaaa" and not identity.persistent


def test_nbclient_cells_are_found_in_the_file_by_source(tmp_path):
    path = tmp_path / "nb.ipynb"
    ids = make_notebook(path, ["import workbench", "%%claude -n a\nFirst prompt", "%%claude\nSecond prompt"])
    found = cell_identity({}, notebook=path, cell_source="%%claude \nSecond prompt\n")
    assert (found.cell_id, found.persistent, found.source) == (ids[2], True, "file")
    assert cell_identity({}, notebook=path, cell_source="%%claude\nnot there").cell_id is None
    assert cell_identity({}, notebook=None, cell_source="%%claude\nSecond prompt").source == "none"


def test_duplicate_cells_are_not_guessed(tmp_path):
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ["%%claude\nSame", "%%claude\nSame"])
    assert cell_identity({}, notebook=path, cell_source="%%claude\nSame").cell_id is None


def test_vscode_uris_are_kept_but_not_persistent(tmp_path):
    path = tmp_path / "nb.ipynb"
    ids = make_notebook(path, ["%%claude\nHello"])
    uri = f"vscode-notebook-cell:{path}#W0sZmlsZQ%3D%3D"
    assert cell_identity({"cellId": uri}).persistent is False
    assert cell_identity({"cellId": uri}).cell_id == uri
    assert cell_identity({"cellId": uri}, notebook=path, cell_source="%%claude\nHello").cell_id == ids[0]


def test_execute_metadata_reads_the_kernels_parent_message():
    class Kernel:
        def get_parent(self):
            return {"header": {}, "metadata": {"cellId": "abc123", "recordTiming": False}}

    class Shell:
        kernel = Kernel()

    assert execute_metadata(Shell())["cellId"] == "abc123"
    assert execute_metadata(object()) == {}
