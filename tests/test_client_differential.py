"""Our streaming accumulation against the official `anthropic` SDK, on the same bytes from the same server.

For every transcript in tests/transcripts/ and every way of cutting it into network writes, the final Message
we build must dump to the same JSON as the one the installed SDK builds.
"""
from __future__ import annotations

import random
import warnings

import anthropic
import pytest
from test_client_loopback import TRANSCRIPTS, Loopback, isolated_env, sse_reply  # noqa: F401 - autouse fixture

from workbench.api import Client
from workbench.api._sse import SSEDecoder
from workbench.api.streaming import MessageAccumulator

TRANSCRIPT_NAMES = sorted(p.stem for p in TRANSCRIPTS.glob("*.sse"))
CHUNKINGS = [None, 1, "random"]
PARAMS = {"model": "claude-opus-4-8", "max_tokens": 1024, "messages": [{"role": "user", "content": "Hi"}]}
KNOWN_BLOCKS = {
    "text",
    "thinking",
    "redacted_thinking",
    "tool_use",
    "server_tool_use",
    "web_search_tool_result",
    "web_fetch_tool_result",
    "code_execution_tool_result",
    "bash_code_execution_tool_result",
    "text_editor_code_execution_tool_result",
    "tool_search_tool_result",
    "container_upload",
}


def sdk_final(url: str) -> dict:
    sdk = anthropic.Anthropic(api_key="sk-ant-test", base_url=url, max_retries=0)
    with warnings.catch_warnings():
        # The SDK warns while dumping block types it does not know; that is its business, not ours.
        warnings.simplefilter("ignore")
        with sdk.messages.stream(**PARAMS) as stream:
            return stream.get_final_message().model_dump(mode="json")


def ours_final(url: str) -> dict:
    with Client(api_key="sk-ant-test", base_url=url, max_retries=0) as client:
        with client.messages.stream(**PARAMS) as stream:
            return stream.get_final_message().model_dump(mode="json")


def without_sdk_fallback_artifacts(sdk_dump: dict, ours: dict) -> dict:
    """The SDK parses a block type it does not know as a TextBlock, adding `text: null, citations: null`.

    We keep such a block exactly as it arrived instead; everything else must match field for field.
    """
    for sdk_block, our_block in zip(sdk_dump["content"], ours["content"]):
        if sdk_block.get("type") not in KNOWN_BLOCKS:
            for key in ("text", "citations"):
                if sdk_block.get(key) is None and key not in our_block:
                    sdk_block.pop(key, None)
    return sdk_dump


@pytest.mark.parametrize("chunking", CHUNKINGS, ids=["whole", "1-byte", "random"])
@pytest.mark.parametrize("name", TRANSCRIPT_NAMES)
def test_final_message_matches_official_sdk(name, chunking):
    body = (TRANSCRIPTS / f"{name}.sse").read_bytes()
    with Loopback([sse_reply(body, chunking=chunking), sse_reply(body, chunking=chunking)], seed=7) as server:
        ours = ours_final(server.url)
        theirs = sdk_final(server.url)
    assert ours == without_sdk_fallback_artifacts(theirs, ours)


@pytest.mark.parametrize("name", TRANSCRIPT_NAMES)
def test_decoder_gives_same_events_for_any_cut(name):
    """The decoder is fed directly, so the 1-byte and random cuts really reach it (TCP may merge writes)."""
    body = (TRANSCRIPTS / f"{name}.sse").read_bytes()
    whole = list(SSEDecoder().iter_events([body]))
    one_byte = list(SSEDecoder().iter_events(body[i : i + 1] for i in range(len(body))))
    rng = random.Random(name)
    cuts, pos = [], 0
    while pos < len(body):
        size = rng.randint(1, 40)
        cuts.append(body[pos : pos + size])
        pos += size
    assert one_byte == whole
    assert list(SSEDecoder().iter_events(cuts)) == whole


@pytest.mark.parametrize("name", TRANSCRIPT_NAMES)
def test_decoder_matches_sdk_decoder(name):
    from anthropic._streaming import SSEDecoder as SDKDecoder

    body = (TRANSCRIPTS / f"{name}.sse").read_bytes()
    theirs = [(e.event, e.data) for e in SDKDecoder().iter_bytes(iter([body[i : i + 3] for i in range(0, len(body), 3)]))]
    assert list(SSEDecoder().iter_events([body])) == theirs


def test_unknown_block_and_fields_round_trip_unchanged():
    body = (TRANSCRIPTS / "unknown_future_types.sse").read_bytes()
    with Loopback([sse_reply(body)]) as server:
        with Client(api_key="sk-ant-test", base_url=server.url) as client:
            with client.messages.stream(**PARAMS) as stream:
                events = list(stream)
                message = stream.get_final_message()
    kinds = [type(e).__name__ for e in events]
    assert "UnknownEvent" in kinds
    assert message.content[1].type == "hologram"
    assert message.model_dump(mode="json")["content"][1] == {"type": "hologram", "frames": [{"t": 0}], "label": "new"}
    dumped = message.model_dump(mode="json", exclude_unset=True)
    assert dumped["future_top_level"] == {"nested": [1, 2]}
    assert dumped["content"][0]["future_block_field"] == "kept"
    # Like the SDK, a message_delta only updates the fields it is known to carry.
    assert "future_usage_field" not in dumped["usage"]


def test_exclude_unset_dump_is_what_came_in():
    from workbench.api.types import Message

    wire = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-future-9",
        "content": [{"type": "text", "text": "hi"}, {"type": "new_kind", "x": {"y": [1]}}],
        "stop_reason": "a_new_reason",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 2, "cache_creation": {"ephemeral_5m_input_tokens": 3, "ephemeral_1h_input_tokens": 4}},
        "brand_new": True,
    }
    assert Message.model_validate(wire).model_dump(mode="json", exclude_unset=True) == wire


def test_accumulator_snapshot_of_truncated_tool_json_matches_sdk_partial_parse():
    from jiter import from_json

    acc = MessageAccumulator()
    acc.apply({"type": "message_start", "message": {"id": "m", "type": "message", "role": "assistant", "model": "x",
                                                    "content": [], "usage": {"input_tokens": 1, "output_tokens": 1}}})
    acc.apply({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "t", "name": "n", "input": {}}})
    sent = ""
    for fragment in ['{"city": "Par', 'is", "days": [1, 2', ', 3], "note": "unfin']:
        acc.apply({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": fragment}})
        sent += fragment
        assert acc.snapshot().content[0].input == from_json(sent.encode(), partial_mode=True)


def test_invalid_tool_json_fails_the_final_message_but_not_the_snapshot():
    acc = MessageAccumulator()
    acc.apply({"type": "message_start", "message": {"id": "m", "type": "message", "role": "assistant", "model": "x",
                                                    "content": [], "usage": {"input_tokens": 1, "output_tokens": 1}}})
    acc.apply({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "t", "name": "n", "input": {}}})
    acc.apply({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{nope"}})
    assert acc.snapshot().content[0].input == {}
    with pytest.raises(ValueError, match="Unable to parse tool parameter JSON"):
        acc.snapshot(strict=True)
