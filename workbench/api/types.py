"""Pydantic models of the Messages API surface: request params, responses, stream events, errors.

Two families with opposite rules:

- Response models (`Message`, blocks, events, `Usage`, ...) accept whatever the API sends: unknown fields are
  kept, unknown block / event / delta / citation types become an `Unknown*` model holding the JSON as-is, and
  `model_dump(mode="json", exclude_unset=True)` returns exactly what came in. Plain `model_dump(mode="json")`
  also lists known optional fields as null, which is the shape the official SDK dumps.
- Request models reject what the API would reject (extra keys, wrong types), so `validate_request` can say
  what is wrong in one line before anything is sent.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag, ValidationError

from .errors import RequestValidationError
from .versions import API_VERSIONS, DEFAULT_API_VERSION, check_api_version
JSON = Any


class ResponseModel(BaseModel):
    """Base of everything the API returns: forward compatible, never strict."""

    model_config = ConfigDict(extra="allow", protected_namespaces=(), defer_build=True)


def _tagged_union(*variants: type[BaseModel], fallback: type[BaseModel]) -> Any:
    """A union discriminated on `type` where any type we do not know lands in `fallback` unchanged."""
    known = {v.model_fields["type"].default: v for v in variants}

    def tag_of(value: Any) -> str:
        kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
        return kind if kind in known else "__unknown__"

    members = [Annotated[v, Tag(name)] for name, v in known.items()]
    members.append(Annotated[fallback, Tag("__unknown__")])
    return Annotated[Union[tuple(members)], Discriminator(tag_of)]


# --------------------------------------------------------------------------------------------------------------
# Response side
# --------------------------------------------------------------------------------------------------------------


class CitationCharLocation(ResponseModel):
    type: Literal["char_location"] = "char_location"
    cited_text: str
    document_index: int
    document_title: str | None = None
    start_char_index: int
    end_char_index: int
    file_id: str | None = None


class CitationPageLocation(ResponseModel):
    type: Literal["page_location"] = "page_location"
    cited_text: str
    document_index: int
    document_title: str | None = None
    start_page_number: int
    end_page_number: int
    file_id: str | None = None


class CitationContentBlockLocation(ResponseModel):
    type: Literal["content_block_location"] = "content_block_location"
    cited_text: str
    document_index: int
    document_title: str | None = None
    start_block_index: int
    end_block_index: int
    file_id: str | None = None


class CitationWebSearchResultLocation(ResponseModel):
    type: Literal["web_search_result_location"] = "web_search_result_location"
    cited_text: str
    url: str
    title: str | None = None
    encrypted_index: str


class CitationSearchResultLocation(ResponseModel):
    type: Literal["search_result_location"] = "search_result_location"
    cited_text: str
    search_result_index: int
    source: str
    title: str | None = None
    start_block_index: int
    end_block_index: int


class UnknownCitation(ResponseModel):
    type: str


Citation = _tagged_union(
    CitationCharLocation,
    CitationPageLocation,
    CitationContentBlockLocation,
    CitationWebSearchResultLocation,
    CitationSearchResultLocation,
    fallback=UnknownCitation,
)


class TextBlock(ResponseModel):
    type: Literal["text"] = "text"
    text: str
    citations: list[Citation] | None = None


class ThinkingBlock(ResponseModel):
    type: Literal["thinking"] = "thinking"
    thinking: str
    signature: str


class RedactedThinkingBlock(ResponseModel):
    type: Literal["redacted_thinking"] = "redacted_thinking"
    data: str


class ToolUseBlock(ResponseModel):
    type: Literal["tool_use"] = "tool_use"
    id: str
    name: str
    input: dict[str, JSON]
    # {"type": "direct"} or {"type": "code_execution_...", "tool_id": ...}: kept as JSON, new callers keep coming.
    caller: dict[str, JSON] | None = None
    toolset_name: str | None = None


class ServerToolUseBlock(ResponseModel):
    type: Literal["server_tool_use"] = "server_tool_use"
    id: str
    name: str
    input: dict[str, JSON]
    caller: dict[str, JSON] | None = None


class _ServerToolResult(ResponseModel):
    # The result payloads (search hits, fetched documents, stdout, ...) are echoed back verbatim in later turns,
    # so they are kept as the JSON that arrived rather than re-shaped.
    tool_use_id: str
    content: JSON


class WebSearchToolResultBlock(_ServerToolResult):
    type: Literal["web_search_tool_result"] = "web_search_tool_result"
    caller: dict[str, JSON] | None = None


class WebFetchToolResultBlock(_ServerToolResult):
    type: Literal["web_fetch_tool_result"] = "web_fetch_tool_result"
    caller: dict[str, JSON] | None = None


class CodeExecutionToolResultBlock(_ServerToolResult):
    type: Literal["code_execution_tool_result"] = "code_execution_tool_result"


class BashCodeExecutionToolResultBlock(_ServerToolResult):
    type: Literal["bash_code_execution_tool_result"] = "bash_code_execution_tool_result"


class TextEditorCodeExecutionToolResultBlock(_ServerToolResult):
    type: Literal["text_editor_code_execution_tool_result"] = "text_editor_code_execution_tool_result"


class ToolSearchToolResultBlock(_ServerToolResult):
    type: Literal["tool_search_tool_result"] = "tool_search_tool_result"


class ContainerUploadBlock(ResponseModel):
    type: Literal["container_upload"] = "container_upload"
    file_id: str


class UnknownBlock(ResponseModel):
    """A content block type this version of the workbench does not know; its JSON is kept as-is."""

    type: str


ContentBlock = _tagged_union(
    TextBlock,
    ThinkingBlock,
    RedactedThinkingBlock,
    ToolUseBlock,
    ServerToolUseBlock,
    WebSearchToolResultBlock,
    WebFetchToolResultBlock,
    CodeExecutionToolResultBlock,
    BashCodeExecutionToolResultBlock,
    TextEditorCodeExecutionToolResultBlock,
    ToolSearchToolResultBlock,
    ContainerUploadBlock,
    fallback=UnknownBlock,
)


class CacheCreation(ResponseModel):
    ephemeral_5m_input_tokens: int = 0
    ephemeral_1h_input_tokens: int = 0


class ServerToolUsage(ResponseModel):
    web_search_requests: int = 0
    web_fetch_requests: int = 0


class OutputTokensDetails(ResponseModel):
    thinking_tokens: int = 0


class Usage(ResponseModel):
    """Token counts. `input_tokens` is the uncached part; the whole prompt is input + cache writes + cache reads."""

    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_creation: CacheCreation | None = None
    server_tool_use: ServerToolUsage | None = None
    service_tier: str | None = None
    inference_geo: str | None = None
    speed: str | None = None
    output_tokens_details: OutputTokensDetails | None = None


class StopDetails(ResponseModel):
    type: str
    category: str | None = None
    explanation: str | None = None


class Container(ResponseModel):
    id: str
    expires_at: str
    skills: list[JSON] | None = None


class Diagnostics(ResponseModel):
    cache_miss_reason: dict[str, JSON] | None = None


class Message(ResponseModel):
    id: str
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    model: str
    content: list[ContentBlock]
    stop_reason: str | None = None
    stop_sequence: str | None = None
    stop_details: StopDetails | None = None
    container: Container | None = None
    diagnostics: Diagnostics | None = None
    usage: Usage

    _request_id: str | None = PrivateAttr(default=None)
    _timings: Any = PrivateAttr(default=None)

    @property
    def request_id(self) -> str | None:
        """The `request-id` header of the response that carried this message (quote it to support)."""
        return self._request_id

    @property
    def timings(self) -> Any:
        """`workbench.api.streaming.Timings` of the call that produced this message, when it came from one."""
        return self._timings

    @property
    def text(self) -> str:
        """The concatenated text of the text blocks."""
        return "".join(b.text for b in self.content if isinstance(b, TextBlock))


class MessageTokensCount(ResponseModel):
    input_tokens: int


# Stream deltas and events ------------------------------------------------------------------------------------


class TextDelta(ResponseModel):
    type: Literal["text_delta"] = "text_delta"
    text: str


class InputJSONDelta(ResponseModel):
    type: Literal["input_json_delta"] = "input_json_delta"
    partial_json: str


class CitationsDelta(ResponseModel):
    type: Literal["citations_delta"] = "citations_delta"
    citation: Citation


class ThinkingDelta(ResponseModel):
    type: Literal["thinking_delta"] = "thinking_delta"
    thinking: str


class SignatureDelta(ResponseModel):
    type: Literal["signature_delta"] = "signature_delta"
    signature: str


class UnknownDelta(ResponseModel):
    type: str


ContentBlockDelta = _tagged_union(
    TextDelta, InputJSONDelta, CitationsDelta, ThinkingDelta, SignatureDelta, fallback=UnknownDelta
)


class MessageDeltaUsage(ResponseModel):
    """Cumulative counts so far: later values replace earlier ones."""

    output_tokens: int
    input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    server_tool_use: ServerToolUsage | None = None
    output_tokens_details: OutputTokensDetails | None = None


class MessageDeltaFields(ResponseModel):
    stop_reason: str | None = None
    stop_sequence: str | None = None
    stop_details: StopDetails | None = None
    container: Container | None = None


class MessageStartEvent(ResponseModel):
    type: Literal["message_start"] = "message_start"
    message: Message


class ContentBlockStartEvent(ResponseModel):
    type: Literal["content_block_start"] = "content_block_start"
    index: int
    content_block: ContentBlock


class ContentBlockDeltaEvent(ResponseModel):
    type: Literal["content_block_delta"] = "content_block_delta"
    index: int
    delta: ContentBlockDelta


class ContentBlockStopEvent(ResponseModel):
    type: Literal["content_block_stop"] = "content_block_stop"
    index: int


class MessageDeltaEvent(ResponseModel):
    type: Literal["message_delta"] = "message_delta"
    delta: MessageDeltaFields
    usage: MessageDeltaUsage


class MessageStopEvent(ResponseModel):
    type: Literal["message_stop"] = "message_stop"


class PingEvent(ResponseModel):
    type: Literal["ping"] = "ping"


class UnknownEvent(ResponseModel):
    """A stream event type this version does not know; passed through untouched."""

    type: str


StreamEvent = _tagged_union(
    MessageStartEvent,
    ContentBlockStartEvent,
    ContentBlockDeltaEvent,
    ContentBlockStopEvent,
    MessageDeltaEvent,
    MessageStopEvent,
    PingEvent,
    fallback=UnknownEvent,
)


# Errors -------------------------------------------------------------------------------------------------------


class ErrorDetail(ResponseModel):
    type: str
    message: str
    details: dict[str, JSON] | None = None


class ErrorBody(ResponseModel):
    """`{"type": "error", "error": {...}, "request_id": ...}` as sent by the API (HTTP errors and stream events)."""

    type: Literal["error"] = "error"
    error: ErrorDetail
    request_id: str | None = None


# Models, batches, files ---------------------------------------------------------------------------------------


class ModelInfo(ResponseModel):
    type: Literal["model"] = "model"
    id: str
    display_name: str
    created_at: str
    max_input_tokens: int | None = None
    max_tokens: int | None = None
    lifecycle: str | None = None
    line: str | None = None
    deprecated_at: str | None = None
    retires_at: str | None = None
    # Nested `{"supported": bool}` leaves; new capabilities appear often, so kept as JSON.
    capabilities: dict[str, JSON] | None = None


class MessageBatchRequestCounts(ResponseModel):
    processing: int = 0
    succeeded: int = 0
    errored: int = 0
    canceled: int = 0
    expired: int = 0


class MessageBatch(ResponseModel):
    id: str
    type: Literal["message_batch"] = "message_batch"
    processing_status: str
    request_counts: MessageBatchRequestCounts
    created_at: str
    expires_at: str
    ended_at: str | None = None
    cancel_initiated_at: str | None = None
    archived_at: str | None = None
    results_url: str | None = None


class DeletedMessageBatch(ResponseModel):
    id: str
    type: Literal["message_batch_deleted"] = "message_batch_deleted"


class BatchSucceededResult(ResponseModel):
    type: Literal["succeeded"] = "succeeded"
    message: Message


class BatchErroredResult(ResponseModel):
    type: Literal["errored"] = "errored"
    error: ErrorBody


class BatchCanceledResult(ResponseModel):
    type: Literal["canceled"] = "canceled"


class BatchExpiredResult(ResponseModel):
    type: Literal["expired"] = "expired"


class UnknownBatchResult(ResponseModel):
    type: str


BatchResult = _tagged_union(
    BatchSucceededResult, BatchErroredResult, BatchCanceledResult, BatchExpiredResult, fallback=UnknownBatchResult
)


class MessageBatchIndividualResponse(ResponseModel):
    custom_id: str
    result: BatchResult


class FileMetadata(ResponseModel):
    id: str
    type: Literal["file"] = "file"
    filename: str
    mime_type: str
    size_bytes: int
    created_at: str
    downloadable: bool | None = None
    expires_at: str | None = None


class DeletedFile(ResponseModel):
    id: str
    type: Literal["file_deleted"] = "file_deleted"


# --------------------------------------------------------------------------------------------------------------
# Request side
# --------------------------------------------------------------------------------------------------------------


class RequestModel(BaseModel):
    """Base of request params: unknown keys are an error, as they are for the API."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=(), defer_build=True)


class CacheControl(RequestModel):
    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"] | None = None


class CitationsConfig(RequestModel):
    enabled: bool


class TextBlockParam(RequestModel):
    type: Literal["text"]
    text: str
    cache_control: CacheControl | None = None
    citations: list[dict[str, JSON]] | None = None


class Base64ImageSource(RequestModel):
    type: Literal["base64"]
    media_type: Literal["image/jpeg", "image/png", "image/gif", "image/webp"]
    data: str


class URLSource(RequestModel):
    type: Literal["url"]
    url: str


class FileSource(RequestModel):
    type: Literal["file"]
    file_id: str


ImageSource = Annotated[Union[Base64ImageSource, URLSource, FileSource], Field(discriminator="type")]


class ImageBlockParam(RequestModel):
    type: Literal["image"]
    source: ImageSource
    cache_control: CacheControl | None = None
    transformations: dict[str, JSON] | None = None


class Base64PDFSource(RequestModel):
    type: Literal["base64"]
    media_type: Literal["application/pdf"]
    data: str


class PlainTextSource(RequestModel):
    type: Literal["text"]
    media_type: Literal["text/plain"]
    data: str


class ContentBlockSource(RequestModel):
    type: Literal["content"]
    content: Union[str, list[Annotated[Union[TextBlockParam, ImageBlockParam], Field(discriminator="type")]]]


DocumentSource = Annotated[
    Union[Base64PDFSource, PlainTextSource, ContentBlockSource, URLSource, FileSource], Field(discriminator="type")
]


class DocumentBlockParam(RequestModel):
    type: Literal["document"]
    source: DocumentSource
    title: str | None = None
    context: str | None = None
    citations: CitationsConfig | None = None
    cache_control: CacheControl | None = None


class SearchResultBlockParam(RequestModel):
    type: Literal["search_result"]
    source: str
    title: str
    content: list[TextBlockParam]
    citations: CitationsConfig | None = None
    cache_control: CacheControl | None = None


class ThinkingBlockParam(RequestModel):
    type: Literal["thinking"]
    thinking: str
    signature: str


class RedactedThinkingBlockParam(RequestModel):
    type: Literal["redacted_thinking"]
    data: str


class ToolUseBlockParam(RequestModel):
    type: Literal["tool_use"]
    id: str
    name: str
    input: dict[str, JSON]
    cache_control: CacheControl | None = None
    caller: dict[str, JSON] | None = None
    toolset_name: str | None = None


ToolResultContent = Annotated[
    Union[TextBlockParam, ImageBlockParam, SearchResultBlockParam, DocumentBlockParam],
    Field(discriminator="type"),
]


class ToolResultBlockParam(RequestModel):
    type: Literal["tool_result"]
    tool_use_id: str
    content: Union[str, list[ToolResultContent]] | None = None
    is_error: bool | None = None
    cache_control: CacheControl | None = None
    toolset_name: str | None = None


class ServerToolUseBlockParam(RequestModel):
    type: Literal["server_tool_use"]
    id: str
    name: str
    input: dict[str, JSON]
    caller: dict[str, JSON] | None = None
    cache_control: CacheControl | None = None


class ServerToolResultBlockParam(BaseModel):
    """Server tool results are echoed back exactly as the API returned them, so their payload is not re-checked."""

    model_config = ConfigDict(extra="allow", defer_build=True)
    type: Literal[
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result",
        "tool_search_tool_result",
    ]
    tool_use_id: str
    cache_control: CacheControl | None = None


class ContainerUploadBlockParam(RequestModel):
    type: Literal["container_upload"]
    file_id: str
    cache_control: CacheControl | None = None


_SERVER_RESULT_TYPES = ServerToolResultBlockParam.model_fields["type"].annotation.__args__  # type: ignore[union-attr]


def _request_block_tag(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return "server_tool_result" if kind in _SERVER_RESULT_TYPES else kind


ContentBlockParam = Annotated[
    Union[
        Annotated[TextBlockParam, Tag("text")],
        Annotated[ImageBlockParam, Tag("image")],
        Annotated[DocumentBlockParam, Tag("document")],
        Annotated[SearchResultBlockParam, Tag("search_result")],
        Annotated[ThinkingBlockParam, Tag("thinking")],
        Annotated[RedactedThinkingBlockParam, Tag("redacted_thinking")],
        Annotated[ToolUseBlockParam, Tag("tool_use")],
        Annotated[ToolResultBlockParam, Tag("tool_result")],
        Annotated[ServerToolUseBlockParam, Tag("server_tool_use")],
        Annotated[ServerToolResultBlockParam, Tag("server_tool_result")],
        Annotated[ContainerUploadBlockParam, Tag("container_upload")],
    ],
    Discriminator(_request_block_tag),
]


class MessageParam(RequestModel):
    role: Literal["user", "assistant", "system"]
    content: Union[str, list[ContentBlockParam]]


class Tool(RequestModel):
    """A custom (client) tool: the model calls it, your code runs it."""

    name: str = Field(min_length=1, max_length=128)
    input_schema: dict[str, JSON]
    description: str | None = None
    type: Literal["custom"] | None = None
    cache_control: CacheControl | None = None
    strict: bool | None = None
    input_examples: list[JSON] | None = None
    defer_loading: bool | None = None
    eager_input_streaming: bool | None = None
    allowed_callers: list[str] | None = None


class VersionedTool(BaseModel):
    """A built-in tool such as `web_search_20250305` or `bash_20250124`.

    Their options differ per version and new versions ship often, so only the shape is checked here.
    """

    model_config = ConfigDict(extra="allow", defer_build=True)
    type: str = Field(pattern=r"^[a-z_]+_\d{8}$")
    name: str
    cache_control: CacheControl | None = None


def _tool_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return "custom" if kind in (None, "custom") else "versioned"


ToolParam = Annotated[
    Union[Annotated[Tool, Tag("custom")], Annotated[VersionedTool, Tag("versioned")]], Discriminator(_tool_tag)
]


class ToolChoiceAuto(RequestModel):
    type: Literal["auto"]
    disable_parallel_tool_use: bool | None = None


class ToolChoiceAny(RequestModel):
    type: Literal["any"]
    disable_parallel_tool_use: bool | None = None


class ToolChoiceTool(RequestModel):
    type: Literal["tool"]
    name: str
    disable_parallel_tool_use: bool | None = None


class ToolChoiceNone(RequestModel):
    type: Literal["none"]


ToolChoice = Annotated[
    Union[ToolChoiceAuto, ToolChoiceAny, ToolChoiceTool, ToolChoiceNone], Field(discriminator="type")
]


class ThinkingEnabled(RequestModel):
    type: Literal["enabled"]
    budget_tokens: int = Field(ge=1024)
    display: Literal["summarized", "omitted"] | None = None


class ThinkingAdaptive(RequestModel):
    type: Literal["adaptive"]
    display: Literal["summarized", "omitted"] | None = None


class ThinkingDisabled(RequestModel):
    type: Literal["disabled"]


class ThinkingBetweenTools(RequestModel):
    type: Literal["between_tools"]
    display: Literal["summarized", "omitted"] | None = None


ThinkingConfig = Annotated[
    Union[ThinkingEnabled, ThinkingAdaptive, ThinkingDisabled, ThinkingBetweenTools], Field(discriminator="type")
]


class JSONSchemaFormat(RequestModel):
    type: Literal["json_schema"]
    schema_: dict[str, JSON] = Field(alias="schema")

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class OutputConfig(RequestModel):
    effort: Literal["low", "medium", "high", "xhigh", "max"] | None = None
    format: JSONSchemaFormat | None = None


class Metadata(RequestModel):
    user_id: str | None = None


class MessageCountTokensParams(RequestModel):
    """Body of POST /v1/messages/count_tokens."""

    model: str = Field(min_length=1)
    messages: list[MessageParam]
    system: Union[str, list[TextBlockParam]] | None = None
    tools: list[ToolParam] | None = None
    tool_choice: ToolChoice | None = None
    thinking: ThinkingConfig | None = None
    output_config: OutputConfig | None = None
    cache_control: CacheControl | None = None
    speed: Literal["standard", "fast"] | None = None


class MessageCreateParams(MessageCountTokensParams):
    """Body of POST /v1/messages. `temperature`, `top_p` and `top_k` exist only in API version 2023-06-01."""

    max_tokens: int = Field(ge=0)
    stream: bool | None = None
    stop_sequences: list[str] | None = None
    metadata: Metadata | None = None
    service_tier: Literal["auto", "standard_only"] | None = None
    inference_geo: str | None = None
    container: Union[str, dict[str, JSON]] | None = None
    diagnostics: dict[str, JSON] | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=1.0)
    top_p: float | None = Field(default=None, ge=0.0, le=1.0)
    top_k: int | None = Field(default=None, ge=0)


_SAMPLING_PARAMS = ("temperature", "top_p", "top_k")
MAX_CACHE_BREAKPOINTS = 4


def validate_request(
    body: dict[str, Any], api_version: str = DEFAULT_API_VERSION, *, count_tokens: bool = False
) -> dict[str, Any]:
    """Check a Messages request body against `api_version`; return the normalized JSON body (unset fields omitted).

    Raises `RequestValidationError` with one line such as `temperature: not accepted by API version 2026-10-21`.
    """
    check_api_version(api_version)
    if api_version != "2023-06-01":
        for name in _SAMPLING_PARAMS:
            if name in body:
                raise RequestValidationError(f"{name}: not accepted by API version {api_version}")
    model = MessageCountTokensParams if count_tokens else MessageCreateParams
    try:
        params = model.model_validate(body)
    except ValidationError as exc:
        raise RequestValidationError(_first_error_line(exc, body)) from None
    _check_semantics(params, api_version)
    return params.model_dump(mode="json", exclude_unset=True, by_alias=True)


def _check_semantics(params: MessageCountTokensParams, api_version: str) -> None:
    messages = params.messages
    if not messages:
        raise RequestValidationError("messages: at least one message is required")
    if messages[0].role != "user":
        raise RequestValidationError('messages: first message must use the "user" role')
    for i, message in enumerate(messages):
        if isinstance(message.content, str):
            continue
        for j, block in enumerate(message.content):
            where = f"messages.{i}.content.{j}"
            if message.role == "system" and not isinstance(block, TextBlockParam):
                raise RequestValidationError(f"{where}: system messages may only contain text blocks")
            if api_version == "2023-06-01":
                continue
            if message.role == "assistant" and isinstance(block, DocumentBlockParam):
                raise RequestValidationError(
                    f"{where}: document blocks in assistant messages are not accepted by API version {api_version}"
                )
            texts = block.content if isinstance(block, SearchResultBlockParam) else [block]
            if message.role == "user" and any(isinstance(t, TextBlockParam) and t.citations for t in texts):
                raise RequestValidationError(
                    f"{where}: citations in user text are not accepted by API version {api_version}"
                )
    thinking = params.thinking
    max_tokens = getattr(params, "max_tokens", None)
    if isinstance(thinking, ThinkingEnabled) and max_tokens is not None and thinking.budget_tokens >= max_tokens:
        raise RequestValidationError("max_tokens: must be greater than thinking.budget_tokens")
    if isinstance(params, MessageCreateParams) and isinstance(thinking, (ThinkingEnabled, ThinkingAdaptive)):
        if params.temperature is not None and params.temperature != 1:
            raise RequestValidationError("temperature: may only be set to 1 when thinking is enabled")
    breakpoints = _count_cache_breakpoints(params)
    if breakpoints > MAX_CACHE_BREAKPOINTS:
        raise RequestValidationError(
            f"cache_control: a maximum of {MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided, found {breakpoints}"
        )


def _count_cache_breakpoints(params: MessageCountTokensParams) -> int:
    count = 1 if params.cache_control is not None else 0
    for tool in params.tools or ():
        count += tool.cache_control is not None
    if isinstance(params.system, list):
        count += sum(block.cache_control is not None for block in params.system)
    for message in params.messages:
        if isinstance(message.content, list):
            count += sum(getattr(block, "cache_control", None) is not None for block in message.content)
    return count


def _first_error_line(exc: ValidationError, body: Any) -> str:
    # The deepest error is the most specific one: for `content: str | list[...]` the `str` branch error is noise.
    error = max(exc.errors(), key=lambda e: len(e["loc"]))
    path = ".".join(str(part) for part in _data_path(error["loc"], body)) or "body"
    if error["type"] == "extra_forbidden":
        message = "Extra inputs are not permitted"
    elif error["type"] == "union_tag_invalid":
        message = f"unknown type {error['ctx']['tag']!r}"
    else:
        message = error["msg"]
    return f"{path}: {message}"


def _data_path(loc: tuple[Any, ...], data: Any) -> list[Any]:
    """The location of an error as keys and indexes into the body, without pydantic's union-branch labels."""
    if not loc:
        return []
    part, rest = loc[0], loc[1:]
    if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
        return [part, *_data_path(rest, data[part])]
    if isinstance(part, str) and isinstance(data, dict):
        if not rest:
            return [part]
        skipped = _data_path(rest, data)
        if part in data:
            taken = [part, *_data_path(rest, data[part])]
            # A label is only dropped when the rest of the location makes sense without it.
            if len(taken) - 1 >= len(skipped):
                return taken
        return skipped
    return _data_path(rest, data)
