from __future__ import annotations

import re

import pytest
from test_runs_support import message, request

from workbench.runs import Ledger, RunSelectionError, render_compare, render_history, select_runs
from workbench.runs._diff import diff_html, diff_text, word_diff
from workbench.runs.compare import cache_explanation, prompt_sections
from workbench.runs.locate import CellIdentity

HOSTILE = 'Done. <script>alert("x")</script> <img src=x onerror="alert(1)"> <a href="javascript:1">y</a>'


def make(ledger, prompt, reply, *, name="story", usage=None, cost=None, **kw):
    run = ledger.start(request=request(prompt, **kw), api_version="2023-06-01", name=name, backend="simulator")
    return ledger.finish(run, response=message(reply, **(usage or {})), cost=cost)


def assert_inert(html_text: str) -> None:
    lowered = html_text.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<a " not in lowered
    assert not re.search(r"<[^>]*\son\w+\s*=", lowered)  # no event handler attribute inside any tag


def test_word_diff():
    ops = word_diff("the quick brown fox", "the slow brown fox!")
    assert diff_text(ops) == "the [-quick-]{+slow+} brown fox{+!+}"
    assert diff_html(word_diff("a <b>", "a <i>")) == (
        'a &lt;<del class="wb-del">b</del><ins class="wb-ins">i</ins>&gt;'
    )


def test_compare_shows_prompt_diffs_parameters_figures_and_outputs(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb")
    a = make(ledger, "Write a short story about a cat", "Once a cat.", system="Be terse.", temperature=0.2,
             usage={"input_tokens": 100, "output_tokens": 20}, cost=0.0012)
    b = make(ledger, "Write a long story about a dog", "Once a dog.", system="Be terse and kind.", temperature=0.9,
             usage={"input_tokens": 110, "output_tokens": 400}, cost=0.0105)
    html_view, text = render_compare([a, b])
    assert "[-short-]{+long+}" in text and "[-cat-]{+dog+}" in text and "terse{+ and kind+}" in text
    assert "temperature:" in text and "0.2" in text and "0.9" in text
    assert "$0.0012" in text and "$0.0105" in text and "out 400" in text
    assert "story@1" in text and "story@2" in text
    assert '<del class="wb-del">short</del>' in html_view and '<ins class="wb-ins">long</ins>' in html_view
    assert "Once a dog." in html_view and "white-space:pre-wrap" in html_view


def test_model_text_is_inert_in_compare_and_history(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb")
    a = make(ledger, "<script>evil()</script> prompt", HOSTILE)
    b = make(ledger, "<img src=x onerror=alert(2)> prompt", HOSTILE + " <style>body{display:none}</style>")
    for html_view in (render_compare([a, b])[0], render_history([a, b])[0]):
        assert_inert(html_view)
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html_view
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html_view
    assert "&lt;style&gt;" in render_compare([a, b])[0]


def test_prompt_sections_cover_system_turns_tools_and_blobs(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb")
    body = request("look", image=b"png", system=[{"type": "text", "text": "sys", "cache_control": {"type": "ephemeral"}}])
    body["messages"] += [{"role": "assistant", "content": "ok"}, {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "t1", "content": "42"}]}]
    body["tools"] = [{"name": "calc", "input_schema": {"type": "object"}}]
    run = ledger.start(request=body, api_version="2023-06-01")
    sections = prompt_sections(run.request)
    assert list(sections) == ["system", "user 1", "assistant 2", "user 3", "tools"]
    assert sections["system"] == "sys [cache breakpoint 5m]"
    assert sections["user 1"].startswith("[image image/png sha256:") and sections["user 1"].endswith("\nlook")
    assert sections["user 3"] == "[tool_result t1] 42"


def cached(prompt_tail, *, breakpoint_on_system=True):
    system = [{"type": "text", "text": "A long shared context. " * 50}]
    if breakpoint_on_system:
        system[0]["cache_control"] = {"type": "ephemeral"}
    return system, prompt_tail


def test_cache_explanations(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb")
    system, _ = cached("q")
    a = make(ledger, "Question one", "A1", system=system, usage={"cache_creation_input_tokens": 1500})
    b = make(ledger, "Question two", "A2", system=system, usage={"cache_read_input_tokens": 1500})
    note = cache_explanation(a, b)
    assert "hit" in note and "system block 1" in note and "user 1" in note and "cache read 1,500" in note

    changed = [{"type": "text", "text": "Another context.", "cache_control": {"type": "ephemeral"}}]
    c = make(ledger, "Question two", "A3", system=changed, usage={"cache_creation_input_tokens": 900})
    assert "miss expected" in cache_explanation(b, c) and "system block 1" in cache_explanation(b, c)

    plain = [{"type": "text", "text": "A long shared context. " * 50}]
    d = make(ledger, "Question one", "A4", system=plain)
    e = make(ledger, "Question two", "A5", system=plain)
    assert "no cache_control breakpoint" in cache_explanation(d, e)

    f = make(ledger, "Question three", "A6", system=system)  # identical prefix, nothing read
    assert "miss although" in cache_explanation(b, f)
    assert "cache" in render_compare([a, b])[1].split("== cache")[1]


def test_history_lists_versions(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb")
    runs = [make(ledger, p, f"reply {i}") for i, p in enumerate(["one", "two", "one"])]
    html_view, text = render_history(runs)
    assert [line.split()[0] for line in text.splitlines()[2:]] == ["story@1", "story@2", "story@1"]
    assert html_view.count("<tr>") == 4
    assert render_history([])[1] == "No runs recorded yet."


def test_select_runs(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb")
    s1 = make(ledger, "one", "r1")
    s2 = make(ledger, "two", "r2")
    s2b = make(ledger, "two", "r2 again")
    cell = CellIdentity("c1", persistent=True, source="frontend")
    other = ledger.finish(ledger.start(request=request("x"), api_version="2023-06-01", cell=cell),
                          response=message("x"))
    runs = ledger.runs()
    assert select_runs(runs, [s1.run_id, "story@2"]) == [s1, s2b]
    assert select_runs(runs, ["story"]) == [s2b]
    assert select_runs(runs, [s2.run_id[:8]]) == [s2]
    assert select_runs(runs, ["last2"]) == [s2b, other] == select_runs(runs, ["last:2"])
    assert select_runs(runs, ["last"]) == [other]
    assert select_runs(runs, ["v2"]) == [s2b]
    with pytest.raises(RunSelectionError, match="v1 matches runs in 2 cells"):
        select_runs(runs, ["v1"])
    with pytest.raises(RunSelectionError, match="^nope: no run"):
        select_runs(runs, ["nope"])
    with pytest.raises(RunSelectionError, match="no such version"):
        select_runs(runs, ["story@7"])
