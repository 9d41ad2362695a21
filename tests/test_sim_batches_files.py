"""Message Batches state machine and the Files API, with an injected clock."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from workbench.simulator import Engine, ManualClock, SimulatorTransport

HI = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Hi"}]}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def client(clock):
    engine = Engine(clock=clock, options=Engine().options.replace(batch_seconds=40))
    with httpx.Client(transport=SimulatorTransport(engine), base_url="http://sim.test",
                      headers={"x-api-key": "sk-ant-test", "anthropic-version": "2026-10-21"}) as c:
        yield c


def create_batch(client: httpx.Client, count: int, params: dict[str, Any] = HI) -> dict[str, Any]:
    response = client.post("/v1/messages/batches",
                           json={"requests": [{"custom_id": f"r-{i}", "params": params} for i in range(count)]})
    assert response.status_code == 200, response.text
    return response.json()


def results(client: httpx.Client, batch: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.get(batch["results_url"])
    assert response.status_code == 200
    return [json.loads(line) for line in response.text.splitlines() if line]


def test_in_progress_until_processed(client, clock):
    batch = create_batch(client, 4)
    assert batch["id"].startswith("msgbatch_") and batch["processing_status"] == "in_progress"
    clock.advance(39)
    assert client.get(f"/v1/messages/batches/{batch['id']}").json()["request_counts"]["processing"] == 4
    assert client.get(f"/v1/messages/batches/{batch['id']}/results").status_code == 400
    assert client.delete(f"/v1/messages/batches/{batch['id']}").status_code == 400
    clock.advance(1)
    ended = client.get(f"/v1/messages/batches/{batch['id']}").json()
    assert ended["processing_status"] == "ended" and ended["request_counts"]["succeeded"] == 4
    assert ended["results_url"] == f"http://sim.test/v1/messages/batches/{batch['id']}/results"
    assert [r["custom_id"] for r in results(client, ended)] == ["r-0", "r-1", "r-2", "r-3"]


def test_cancel_keeps_finished_requests(client, clock):
    batch = create_batch(client, 4)
    clock.advance(25)  # r-0 (10 s) and r-1 (20 s) are done
    canceling = client.post(f"/v1/messages/batches/{batch['id']}/cancel").json()
    assert canceling["processing_status"] == "canceling" and canceling["request_counts"]["processing"] == 4
    ended = client.get(f"/v1/messages/batches/{batch['id']}").json()
    assert ended["processing_status"] == "ended"
    assert ended["request_counts"] == {"processing": 0, "succeeded": 2, "errored": 0, "canceled": 2, "expired": 0}
    assert [r["result"]["type"] for r in results(client, ended)] == ["succeeded", "succeeded", "canceled", "canceled"]
    assert client.delete(f"/v1/messages/batches/{batch['id']}").json() == {"id": batch["id"],
                                                                         "type": "message_batch_deleted"}
    assert client.get(f"/v1/messages/batches/{batch['id']}").status_code == 404


def test_expiry_after_24_hours(client, clock):
    client._transport.engine.options.batch_seconds = 48 * 3600  # type: ignore[attr-defined]
    batch = create_batch(client, 4)  # one request per 12 h: two finish inside the 24 h window
    clock.advance(24 * 3600)
    ended = client.get(f"/v1/messages/batches/{batch['id']}").json()
    assert ended["processing_status"] == "ended"
    assert ended["request_counts"]["succeeded"] == 2 and ended["request_counts"]["expired"] == 2
    assert [r["result"]["type"] for r in results(client, ended)][2:] == ["expired", "expired"]


def test_errored_results_carry_the_api_error(client, clock):
    bad = dict(HI, temperature=0.5)  # not accepted by API version 2026-10-21
    batch = create_batch(client, 1, bad)
    clock.advance(60)
    (line,) = results(client, client.get(f"/v1/messages/batches/{batch['id']}").json())
    error = line["result"]["error"]
    assert line["result"]["type"] == "errored" and error["type"] == "error"
    assert error["error"] == {"type": "invalid_request_error", "message": "temperature: Extra inputs are not permitted"}
    assert error["request_id"].startswith("req_")


def test_batch_request_validation(client):
    def post(requests: Any) -> httpx.Response:
        return client.post("/v1/messages/batches", json={"requests": requests})

    assert post([]).json()["error"]["message"] == "requests: List should have between 1 and 100000 items, not 0"
    dup = [{"custom_id": "a", "params": HI}, {"custom_id": "a", "params": HI}]
    assert post(dup).json()["error"]["message"] == "requests.1.custom_id: custom_id 'a' is not unique within the batch"
    assert post([{"custom_id": "a b", "params": HI}]).status_code == 400
    assert post([{"params": HI}]).json()["error"]["message"] == "requests.0.custom_id: Field required"


def test_batch_list_pages(client):
    ids = [create_batch(client, 1)["id"] for _ in range(3)]
    page = client.get("/v1/messages/batches", params={"limit": 2}).json()
    assert [b["id"] for b in page["data"]] == ids[::-1][:2] and page["has_more"]
    rest = client.get("/v1/messages/batches", params={"limit": 2, "after_id": page["last_id"]}).json()
    assert [b["id"] for b in rest["data"]] == [ids[0]] and not rest["has_more"]


def upload(client: httpx.Client, name: str, data: bytes, mime: str | None = None, **form: str) -> httpx.Response:
    file = (name, data, mime) if mime else (name, data)
    return client.post("/v1/files", files={"file": file}, data=form)


def test_files_list_pages_and_expiry(client, clock):
    made = [upload(client, f"f{i}.txt", b"hello %d" % i).json() for i in range(3)]
    assert made[0]["mime_type"] == "text/plain" and made[0]["size_bytes"] == 7 and made[0]["downloadable"] is False
    first = client.get("/v1/files", params={"limit": 2}).json()
    assert [f["id"] for f in first["data"]] == [made[2]["id"], made[1]["id"]] and first["next_page"]
    second = client.get("/v1/files", params={"limit": 2, "page": first["next_page"]}).json()
    assert [f["id"] for f in second["data"]] == [made[0]["id"]] and second["next_page"] is None

    short = upload(client, "short.txt", b"soon gone", expires_in_seconds="3600").json()
    assert short["expires_at"] is not None
    clock.advance(3601)
    gone = client.get(f"/v1/files/{short['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["details"] == {"error_code": "file_expired"}
    content = client.get(f"/v1/files/{made[0]['id']}/content")
    assert content.status_code == 400 and content.json()["error"]["details"]["error_code"] == "file_not_downloadable"


def test_file_blocks_in_messages(client):
    text_file = upload(client, "notes.txt", b"Tea was first drunk in China. It spread west.").json()
    doc = {"type": "document", "source": {"type": "file", "file_id": text_file["id"]}, "citations": {"enabled": True}}
    reply = client.post("/v1/messages", json=dict(HI, max_tokens=300, messages=[
        {"role": "user", "content": [doc, {"type": "text", "text": "Where was tea first drunk?"}]}])).json()
    citation = next(b for b in reply["content"] if b.get("citations"))["citations"][0]
    assert citation["cited_text"] == "Tea was first drunk in China." and citation["file_id"] == text_file["id"]

    as_image = client.post("/v1/messages", json=dict(HI, messages=[{"role": "user", "content": [
        {"type": "image", "source": {"type": "file", "file_id": text_file["id"]}}]}]))
    assert as_image.status_code == 400 and "not an image" in as_image.json()["error"]["message"]
    missing = client.post("/v1/messages", json=dict(HI, messages=[{"role": "user", "content": [
        {"type": "image", "source": {"type": "file", "file_id": "file_nope"}}]}]))
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "File not found: file_nope"
