"""compose(): options -> request body, the checks that run before sending, and the spec's identity."""

import hashlib
import json

import pytest
from prompt_bad_inputs import BAD_INPUTS, BAD_INPUTS_WITH_SETUP

from workbench.api.types import validate_request
from workbench.prompt import PromptError, PromptOptions, PromptSpec, compose

MODEL = "claude-sonnet-4-5"


def request(cell="Hi", namespace=None, *, model_info=None, **options):
    options.setdefault("model", MODEL)
    return compose(PromptOptions(**options), cell, namespace or {}, model_info=model_info).request


@pytest.mark.parametrize("options, cell, fragment", BAD_INPUTS, ids=[f for _, _, f in BAD_INPUTS])
def test_bad_input_gives_one_clear_line(options, cell, fragment):
    with pytest.raises(PromptError) as caught:
        compose(options, cell, {})
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message and "\r" not in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("setup, options, cell, fragment", BAD_INPUTS_WITH_SETUP, ids=[f for *_, f in BAD_INPUTS_WITH_SETUP])
def test_bad_input_with_namespace_gives_one_clear_line(setup, options, cell, fragment):
    namespace = {}
    exec(setup, namespace)
    with pytest.raises(PromptError) as caught:
        compose(options, cell, namespace)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_shared_table_is_large():
    assert len(BAD_INPUTS) + len(BAD_INPUTS_WITH_SETUP) >= 30


def test_minimal_body():
    assert request() == {"model": MODEL, "max_tokens": 4096, "messages": [{"role": "user", "content": "Hi"}]}


def test_every_option_lands_in_the_body():
    body = request(
        "%system\nCell system.\n%user\nHi",
        max_tokens=2000,
        system="Option system.",
        temperature=0.3,
        top_p=0.9,
        top_k=20,
        stop_sequences=["###", "END"],
        effort="low",
        user_id="user-123",
    )
    assert body == {
        "model": MODEL,
        "max_tokens": 2000,
        "system": "Option system.\n\nCell system.",
        "messages": [{"role": "user", "content": "Hi"}],
        "output_config": {"effort": "low"},
        "stop_sequences": ["###", "END"],
        "temperature": 0.3,
        "top_p": 0.9,
        "top_k": 20,
        "metadata": {"user_id": "user-123"},
    }
    assert validate_request(body, "2023-06-01")


def test_a_single_stop_sequence_string_is_accepted():
    assert request(stop_sequences="###")["stop_sequences"] == ["###"]


@pytest.mark.parametrize(
    "thinking, expected",
    [
        ("off", {"type": "disabled"}),
        ("adaptive", {"type": "adaptive"}),
        (2048, {"type": "enabled", "budget_tokens": 2048}),
        ("3000", {"type": "enabled", "budget_tokens": 3000}),
    ],
)
def test_thinking_forms(thinking, expected):
    body = request(thinking=thinking)
    assert body["thinking"] == expected
    validate_request(body, "2026-10-21")


def test_thinking_with_temperature_one_is_allowed():
    assert request(thinking=2048, temperature=1.0, top_p=0.95)["temperature"] == 1.0


def test_new_api_version_without_sampling_params():
    spec = compose(PromptOptions(model=MODEL, api_version="2026-10-21"), "Hi", {})
    assert spec.api_version == "2026-10-21"
    assert not {"temperature", "top_p", "top_k"} & spec.request.keys()


OPUS_5 = {
    "id": "claude-opus-5",
    "max_tokens": 128000,
    "max_input_tokens": 1000000,
    "capabilities": {
        "thinking": {"supported": True, "types": {"enabled": {"supported": False}, "adaptive": {"supported": True},
                                                  "disabled": {"supported": True}}},
        "effort": {"supported": True, "low": {"supported": True}, "max": {"supported": True}, "xhigh": {"supported": False}},
        "image_input": {"supported": True},
        "pdf_input": {"supported": False},
        "citations": {"supported": True},
    },
}


def test_model_info_limits_max_tokens():
    with pytest.raises(PromptError, match="max_tokens 200000 is above the limit of 128000 for claude-opus-5"):
        request(model="claude-opus-5", max_tokens=200000, model_info=OPUS_5)
    assert request(model="claude-opus-5", max_tokens=128000, model_info=OPUS_5)["max_tokens"] == 128000


def test_model_info_rejects_budget_thinking_where_the_model_does():
    with pytest.raises(PromptError, match="claude-opus-5 does not accept a thinking budget: use thinking='adaptive'"):
        request(model="claude-opus-5", thinking=2048, model_info=OPUS_5)
    assert request(model="claude-opus-5", thinking="adaptive", model_info=OPUS_5)["thinking"] == {"type": "adaptive"}


def test_model_info_as_a_pydantic_model():
    from workbench.api.types import ModelInfo

    info = ModelInfo.model_validate({**OPUS_5, "type": "model", "display_name": "Opus 5", "created_at": "2026-07-24T00:00:00Z"})
    with pytest.raises(PromptError, match="does not accept a thinking budget"):
        request(model="claude-opus-5", thinking=2048, model_info=info)


def test_model_info_checks_thinking_off_effort_levels_and_inputs():
    always_thinks = json.loads(json.dumps(OPUS_5))
    always_thinks["capabilities"]["thinking"]["types"]["disabled"]["supported"] = False
    with pytest.raises(PromptError, match="thinking cannot be turned off on claude-opus-5"):
        request(model="claude-opus-5", thinking="off", model_info=always_thinks)
    with pytest.raises(PromptError, match="claude-opus-5 does not support effort 'xhigh'"):
        request(model="claude-opus-5", effort="xhigh", model_info=OPUS_5)
    with pytest.raises(PromptError, match="claude-opus-5 does not accept PDF documents"):
        request("{{ document('https://example.com/a.pdf') }}", model="claude-opus-5", model_info=OPUS_5)


def test_cache_shortcut_system():
    body = request(system="You are helpful.", cache="system")
    assert body["system"] == [{"type": "text", "text": "You are helpful.", "cache_control": {"type": "ephemeral"}}]


def test_cache_shortcut_all_with_1h_ttl():
    def lookup(term: str) -> str:
        """Look a term up."""
        return term

    body = request("%system\nS\n%user\nFirst\n%assistant\nOk\n%user\nSecond", {"lookup": lookup},
                   tools=["lookup"], cache="all", cache_ttl="1h")
    one_hour = {"type": "ephemeral", "ttl": "1h"}
    assert body["tools"][-1]["cache_control"] == one_hour
    assert body["system"][-1]["cache_control"] == one_hour
    assert body["messages"][-1]["content"] == [{"type": "text", "text": "Second", "cache_control": one_hour}]
    assert body["messages"][0]["content"] == "First"
    validate_request(body, "2023-06-01")


def test_cache_shortcut_tools_needs_tools():
    with pytest.raises(PromptError, match="cache='tools' but no tools are offered"):
        request(cache="tools")


def test_four_breakpoints_are_fine_and_1h_before_5m_is_fine():
    body = request("%system\nS {{ cache('1h') }}\n%user\na {{ cache('1h') }} b {{ cache() }} c {{ cache() }} d")
    assert len(body["messages"][0]["content"]) == 4


def test_tool_choice_forms():
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    namespace = {"add": add}
    for choice, expected in [("auto", {"type": "auto"}), ("any", {"type": "any"}), ("none", {"type": "none"}),
                             ("add", {"type": "tool", "name": "add"})]:
        assert request(namespace=namespace, tools=["add"], tool_choice=choice)["tool_choice"] == expected


def test_tools_given_as_objects_and_dicts():
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    weather = {"name": "weather", "description": "Weather", "input_schema": {"type": "object", "properties": {}}}
    search = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
    spec = compose(PromptOptions(model=MODEL, tools=[add, "weather", search]), "Hi", {"weather": weather})
    assert [t["name"] for t in spec.request["tools"]] == ["add", "weather", "web_search"]
    assert spec.tool_functions == {"add": add}
    validate_request(spec.request, "2023-06-01")


def test_bodies_pass_the_wire_validator_for_both_versions(tmp_path):
    cell = "%system\nBe brief.\n{{ cache() }}\n%user\n{{ image(p) }} What is it? {{ document(t, title='t') }}\n%assistant\nIt is"
    for version in ("2023-06-01", "2026-10-21"):
        spec = compose(PromptOptions(model=MODEL, api_version=version), cell,
                       {"p": __file__.replace("test_prompt_compose.py", "data/tiny.png"), "t": "text"})
        assert validate_request(spec.to_request(stream=True), version)["stream"] is True


def test_fingerprint_is_stable_and_sensitive():
    def spec(**changes):
        return compose(PromptOptions(model=MODEL, **changes), "Hello {{ who }}", {"who": "world"})

    first = spec()
    assert first.fingerprint() == spec().fingerprint()
    assert len(first.fingerprint()) == 64
    assert first.fingerprint() != spec(max_tokens=100).fingerprint()
    assert first.fingerprint() != spec(api_version="2026-10-21").fingerprint()
    assert spec(betas=("b", "a")).fingerprint() == spec(betas=("a", "b")).fingerprint()
    assert first.fingerprint() != spec(betas=("a",)).fingerprint()
    assert spec(name="run one").fingerprint() == first.fingerprint()


def test_fingerprint_ignores_key_order():
    a = PromptSpec(request={"model": "m", "max_tokens": 1, "messages": []}, api_version="2023-06-01")
    b = PromptSpec(request={"messages": [], "max_tokens": 1, "model": "m"}, api_version="2023-06-01")
    assert a.fingerprint() == b.fingerprint()


def test_fingerprint_of_a_known_request_does_not_drift():
    spec = PromptSpec(request={"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "é"}]},
                      api_version="2023-06-01", betas=("x",))
    canonical = '{"api_version":"2023-06-01","betas":["x"],"request":{"max_tokens":1,"messages":[{"content":"é","role":"user"}],"model":"m"}}'
    assert spec.fingerprint() == hashlib.sha256(canonical.encode()).hexdigest()


def test_images_render_identically_each_time():
    from PIL import Image

    picture = Image.new("RGB", (8, 8), (1, 2, 3))
    first = compose(PromptOptions(model=MODEL), "{{ image(p) }}", {"p": picture})
    again = compose(PromptOptions(model=MODEL), "{{ image(p) }}", {"p": picture})
    assert first.fingerprint() == again.fingerprint()


def test_to_request_is_a_copy_and_adds_stream_only_when_asked():
    spec = compose(PromptOptions(model=MODEL, name="greeting", betas=["files-api-2025-04-14"]), "Hi", {})
    body = spec.to_request(stream=False)
    assert "stream" not in body
    body["messages"].append({"role": "assistant", "content": "x"})
    assert len(spec.request["messages"]) == 1
    assert spec.to_request(stream=True)["stream"] is True
    assert spec.name == "greeting" and spec.betas == ("files-api-2025-04-14",)


def test_too_many_images_and_large_images_in_a_crowd():
    from PIL import Image

    small = Image.new("L", (10, 10))
    with pytest.raises(PromptError, match="too many images: 101"):
        request("{% for i in range(101) %}{{ image(p) }}{% endfor %}", {"p": small},
                model_info={"max_input_tokens": 200000})
    wide = Image.new("L", (2500, 1))
    with pytest.raises(PromptError, match="with more than 20 images each image must be at most 2000 px"):
        request("{% for i in range(21) %}{{ image(p) }}{% endfor %}", {"p": wide})


def test_no_model_is_a_clear_error():
    with pytest.raises(PromptError, match="no model chosen"):
        compose(PromptOptions(), "Hi", {})
