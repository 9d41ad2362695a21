"""Tools from Python functions (schemas checked with jsonschema), tool dict checks, and calling tools."""

import enum
from dataclasses import dataclass
from typing import Annotated, Literal, Optional

import jsonschema
import pytest
from pydantic import BaseModel, Field

from workbench.prompt import PromptError, call_tool, tool_from_function, tool_result
from workbench.prompt.tools import check_tool_dict


class Unit(str, enum.Enum):
    celsius = "celsius"
    fahrenheit = "fahrenheit"


class Place(BaseModel):
    city: str
    country: str = "FR"


@dataclass
class Window:
    start: int
    end: int


def get_weather(location: str, unit: Unit = Unit.celsius, days: int = 1, detailed: bool = False) -> str:
    """Get the current weather for a location.

    Uses the national weather service when it can.

    Args:
        location: The city and country,
            for example "Paris, France".
        unit (Unit): Temperature unit.
        days: How many days of forecast.

    Returns:
        A short report.
    """
    return f"{location}: 21 degrees {unit.value}, {days} day(s), detailed={detailed}"


def search(query: str, tags: list[str], limit: Optional[int] = None, mode: Literal["fast", "deep"] = "fast",
           place: Place | None = None, window: Window | None = None,
           score: Annotated[float, Field(ge=0, le=1)] = 0.5) -> dict:
    """Search the archive.

    Parameters
    ----------
    query : str
        Words to look for.
    tags : list of str
        Tags that must all match.
    """
    return {"query": query, "tags": tags, "limit": limit, "mode": mode, "place": place and place.city,
            "window": window and [window.start, window.end], "score": score}


def test_schema_from_a_google_style_docstring():
    tool = tool_from_function(get_weather)
    assert tool["name"] == "get_weather"
    assert tool["description"] == "Get the current weather for a location."
    schema = tool["input_schema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert schema["required"] == ["location"]
    assert schema["properties"]["location"] == {
        "type": "string", "description": 'The city and country, for example "Paris, France".'
    }
    assert schema["properties"]["days"]["description"] == "How many days of forecast."
    assert schema["properties"]["days"]["type"] == "integer"
    assert schema["properties"]["detailed"] == {"type": "boolean", "default": False}
    assert "title" not in schema and all("title" not in p for p in schema["properties"].values())


def test_schema_validates_good_and_rejects_bad_inputs():
    validator = jsonschema.Draft202012Validator(tool_from_function(get_weather)["input_schema"])
    assert validator.is_valid({"location": "Oslo", "unit": "fahrenheit", "days": 3})
    assert not validator.is_valid({"unit": "celsius"})
    assert not validator.is_valid({"location": "Oslo", "unit": "kelvin"})
    assert not validator.is_valid({"location": "Oslo", "days": "three"})
    assert not validator.is_valid({"location": "Oslo", "colour": "red"})


def test_schema_with_nested_models_literals_and_constraints():
    tool = tool_from_function(search)
    schema = tool["input_schema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert tool["description"] == "Search the archive."
    assert schema["required"] == ["query", "tags"]
    assert schema["properties"]["query"]["description"] == "Words to look for."
    assert schema["properties"]["tags"]["description"] == "Tags that must all match."
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"query": "q", "tags": ["a"], "mode": "deep", "place": {"city": "Lyon"},
                               "window": {"start": 1, "end": 2}, "score": 0.9})
    assert not validator.is_valid({"query": "q", "tags": ["a"], "mode": "slow"})
    assert not validator.is_valid({"query": "q", "tags": ["a"], "score": 2})
    assert not validator.is_valid({"query": "q", "tags": ["a"], "place": {"country": "DE"}})


def test_functions_without_hints_or_docstrings():
    def ping(host, count=3, *args, **kwargs):
        return host

    tool = tool_from_function(ping)
    assert "description" not in tool
    assert tool["input_schema"]["required"] == ["host"]
    assert set(tool["input_schema"]["properties"]) == {"host", "count"}
    jsonschema.Draft202012Validator.check_schema(tool["input_schema"])


def test_function_without_parameters():
    def now() -> str:
        """The time."""
        return "noon"

    assert tool_from_function(now)["input_schema"] == {"additionalProperties": False, "properties": {}, "type": "object"}


def test_sphinx_style_parameter_docs():
    def lookup(word: str) -> str:
        """Look a word up.

        :param word: The word to define.
        :returns: its definition
        """
        return word

    assert tool_from_function(lookup)["input_schema"]["properties"]["word"]["description"] == "The word to define."


def test_bound_methods_drop_self():
    class Shop:
        def price(self, item: str) -> float:
            """Price of an item."""
            return 1.0

    assert tool_from_function(Shop().price)["input_schema"]["required"] == ["item"]


def test_lambdas_and_unschemable_types_are_refused():
    with pytest.raises(PromptError, match="tool name '<lambda>' must match"):
        tool_from_function(lambda x: x)

    class Opaque:
        pass

    def use(thing: Opaque) -> None:
        """Use it."""

    with pytest.raises(PromptError, match="cannot make a tool schema for 'use'") as caught:
        tool_from_function(use)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "tool, fragment",
    [
        ({"name": "x", "input_schema": {"type": "array"}}, 'input_schema.type must be "object"'),
        ({"name": "x"}, "input_schema must be a JSON schema object"),
        ({"name": "x" * 65, "input_schema": {"type": "object"}}, "name must match"),
        ({"name": "x", "input_schema": {"type": "object", "properties": []}}, "input_schema.properties must be an object"),
        ({"name": "x", "input_schema": {"type": "object", "required": "a"}}, "input_schema.required must be a list"),
        ({"name": "x", "description": 3, "input_schema": {"type": "object"}}, "description must be a string"),
    ],
)
def test_bad_tool_dicts(tool, fragment):
    with pytest.raises(PromptError, match="bad tool schema for") as caught:
        check_tool_dict(tool, "x")
    assert fragment in str(caught.value)


def test_call_tool_coerces_input_and_returns_text():
    assert call_tool(get_weather, {"location": "Oslo", "unit": "fahrenheit", "days": "2"}) == (
        "Oslo: 21 degrees fahrenheit, 2 day(s), detailed=False"
    )
    result = call_tool(search, {"query": "q", "tags": ["a"], "place": {"city": "Lyon"}, "window": {"start": 1, "end": 2}})
    assert result == '{"query": "q", "tags": ["a"], "limit": null, "mode": "fast", "place": "Lyon", "window": [1, 2], "score": 0.5}'


def test_call_tool_reports_errors_as_text():
    def divide(a: float, b: float) -> float:
        """Divide."""
        return a / b

    assert call_tool(divide, {"a": 1, "b": 0}) == "Error: ZeroDivisionError: float division by zero"
    assert call_tool(divide, {"a": 1}).startswith("Error: invalid input for divide: b: Field required")
    assert call_tool(divide, {"a": 1, "b": 2, "c": 3}).startswith("Error: invalid input for divide: c:")


def test_tool_result_blocks():
    def shout(text: str) -> str:
        """Shout."""
        return text.upper()

    def silent() -> None:
        """Nothing."""

    def broken() -> str:
        """Fails."""
        raise KeyError("gone")

    assert tool_result("toolu_1", shout, {"text": "hi"}) == {"type": "tool_result", "tool_use_id": "toolu_1", "content": "HI"}
    assert tool_result("toolu_2", silent, {}) == {"type": "tool_result", "tool_use_id": "toolu_2"}
    assert tool_result("toolu_3", broken, {}) == {
        "type": "tool_result", "tool_use_id": "toolu_3", "content": "Error: KeyError: 'gone'", "is_error": True
    }


def test_call_tool_returns_pydantic_models_as_json():
    def where() -> Place:
        """Where."""
        return Place(city="Nice")

    assert call_tool(where, {}) == '{"city":"Nice","country":"FR"}'
