"""The price table and the cost of calls, case by case."""

import datetime as dt

import pytest

from workbench.pricing import PRICES_AS_OF, Cost, ModelPrice, base_model, cost, estimate, format_usd, price_for

# (model, input, output, 5m write, 1h write, cache read), USD per million tokens, from the published list prices
LIST_PRICES = [
    ("claude-opus-5-5", 4, 20, 5, 8, 0.20),
    ("claude-opus-5", 5, 25, 6.25, 10, 0.50),
    ("claude-opus-4-8", 5, 25, 6.25, 10, 0.50),
    ("claude-opus-4-7", 5, 25, 6.25, 10, 0.50),
    ("claude-opus-4-6", 5, 25, 6.25, 10, 0.50),
    ("claude-opus-4-5", 5, 25, 6.25, 10, 0.50),
    ("claude-opus-4-1", 15, 75, 18.75, 30, 1.50),
    ("claude-sonnet-5-5", 2, 10, 2.50, 4, 0.10),
    ("claude-sonnet-5", 2, 10, 2.50, 4, 0.20),
    ("claude-sonnet-4-6", 3, 15, 3.75, 6, 0.30),
    ("claude-sonnet-4-5", 3, 15, 3.75, 6, 0.30),
    ("claude-haiku-5-5", 0.10, 0.50, 0.125, 0.20, 0.01),
    ("claude-haiku-4-5", 1, 5, 1.25, 2, 0.10),
    ("claude-fable-5-1", 10, 50, 12.50, 20, 0.25),
    ("claude-mythos-5-1", 10, 50, 12.50, 20, 0.25),
    ("claude-fable-5", 10, 50, 12.50, 20, 1.00),
    ("claude-mythos-5", 10, 50, 12.50, 20, 1.00),
]
TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize("model, inp, out, w5, w1, read", LIST_PRICES)
def test_list_prices(model, inp, out, w5, w1, read):
    price = price_for(model, at=TODAY)
    assert isinstance(price, ModelPrice)
    assert (price.input, price.output, price.cache_write_5m, price.cache_write_1h, price.cache_read) == pytest.approx(
        (inp, out, w5, w1, read)
    )


def test_table_is_dated():
    assert isinstance(PRICES_AS_OF, dt.date)


@pytest.mark.parametrize(
    "model, base",
    [
        ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
        ("claude-opus-4-5-20251101", "claude-opus-4-5"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("claude-opus-4-20250514", "claude-opus-4-0"),
        ("claude-opus-4-1-20250805", "claude-opus-4-1"),
        ("claude-sonnet-5-5", "claude-sonnet-5-5"),
    ],
)
def test_dated_ids_and_aliases_share_the_base_price(model, base):
    assert base_model(model) == base
    assert price_for(model) == price_for(base)


@pytest.mark.parametrize("model", ["claude-fable-5-2", "claude-mythos-5-2", "claude-mythos-preview", "gpt-9", "sim-model"])
def test_unknown_prices_are_none_not_zero(model):
    assert price_for(model) is None
    assert cost(model, {"input_tokens": 1000, "output_tokens": 1000}) is None
    assert estimate(model, 1000, 1000) is None


def test_sonnet_5_5_cache_reads_got_cheaper_on_2026_10_07():
    usage = {"input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 1_000_000}
    assert cost("claude-sonnet-5-5", usage, at=dt.date(2026, 10, 6)).cache_read == pytest.approx(0.20)
    assert cost("claude-sonnet-5-5", usage, at=dt.date(2026, 10, 7)).cache_read == pytest.approx(0.10)


def test_input_and_output_thinking_included():
    # 2,000 output tokens of which 1,500 were thinking: all billed as output
    usage = {"input_tokens": 10_000, "output_tokens": 2_000, "output_tokens_details": {"thinking_tokens": 1_500}}
    c = cost("claude-opus-4-8", usage)
    assert c.input == pytest.approx(0.05)
    assert c.output == pytest.approx(0.05)
    assert (c.cache_write_5m, c.cache_write_1h, c.cache_read) == (0, 0, 0)
    assert c.total == pytest.approx(0.10)


def test_cache_writes_by_ttl_and_reads():
    usage = {
        "input_tokens": 100,
        "output_tokens": 200,
        "cache_creation_input_tokens": 30_000,
        "cache_read_input_tokens": 50_000,
        "cache_creation": {"ephemeral_5m_input_tokens": 10_000, "ephemeral_1h_input_tokens": 20_000},
    }
    c = cost("claude-sonnet-4-5", usage)
    assert c.input == pytest.approx(100 * 3 / 1e6)
    assert c.output == pytest.approx(200 * 15 / 1e6)
    assert c.cache_write_5m == pytest.approx(10_000 * 3.75 / 1e6)
    assert c.cache_write_1h == pytest.approx(20_000 * 6 / 1e6)
    assert c.cache_read == pytest.approx(50_000 * 0.30 / 1e6)
    assert c.total == pytest.approx(c.input + c.output + c.cache_write_5m + c.cache_write_1h + c.cache_read)


def test_cache_writes_without_breakdown_count_as_5m():
    c = cost("claude-haiku-4-5", {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 1_000_000})
    assert c.cache_write_5m == pytest.approx(1.25)
    assert c.cache_write_1h == 0


def test_null_fields_count_as_zero():
    c = cost("claude-haiku-4-5", {"input_tokens": 1_000_000, "output_tokens": 0, "cache_creation_input_tokens": None,
                                  "cache_read_input_tokens": None, "cache_creation": None})
    assert c.total == pytest.approx(1.0)


def test_batch_halves_every_part():
    usage = {"input_tokens": 1_000_000, "output_tokens": 1_000_000, "cache_read_input_tokens": 1_000_000,
             "cache_creation": {"ephemeral_5m_input_tokens": 1_000_000, "ephemeral_1h_input_tokens": 1_000_000}}
    full = cost("claude-opus-4-8", usage)
    half = cost("claude-opus-4-8", usage, batch=True)
    assert full == Cost(input=5, output=25, cache_write_5m=6.25, cache_write_1h=10, cache_read=0.5, total=46.75)
    assert half == Cost(input=2.5, output=12.5, cache_write_5m=3.125, cache_write_1h=5, cache_read=0.25, total=23.375)


def test_haiku_5_5_long_prompt_tier_applies_to_the_whole_request():
    short = cost("claude-haiku-5-5", {"input_tokens": 100_000, "output_tokens": 1_000_000})
    assert short.input == pytest.approx(0.01) and short.output == pytest.approx(0.50)
    # over 100K prompt tokens, counting cache reads and writes too
    long = cost("claude-haiku-5-5", {"input_tokens": 50_000, "output_tokens": 1_000_000, "cache_read_input_tokens": 50_001})
    assert long.input == pytest.approx(50_000 * 0.50 / 1e6)
    assert long.output == pytest.approx(2.50)
    assert long.cache_read == pytest.approx(50_001 * 0.05 / 1e6)


def test_usage_object_from_the_client():
    from workbench.api.types import Usage

    usage = Usage.model_validate({"input_tokens": 1_000_000, "output_tokens": 0, "cache_creation_input_tokens": 1_000_000,
                                  "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 1_000_000}})
    c = cost("claude-opus-5-5", usage)
    assert (c.input, c.cache_write_5m, c.cache_write_1h) == pytest.approx((4, 0, 8))


def test_estimate_is_input_plus_worst_case_output():
    e = estimate("claude-sonnet-4-6", 2_000, 1_000)
    assert e.input == pytest.approx(0.006)
    assert e.output == pytest.approx(0.015)
    assert e.total == pytest.approx(0.021)
    assert estimate("claude-sonnet-4-6", 2_000, 1_000, batch=True).total == pytest.approx(0.0105)


@pytest.mark.parametrize(
    "amount, text",
    [
        (None, "price unknown"),
        (0, "$0.00"),
        (0.000123, "$0.000123"),
        (0.00012345, "$0.000123"),
        (0.0123, "$0.0123"),
        (0.05, "$0.05"),
        (0.0999999, "$0.10"),
        (0.5, "$0.50"),
        (1.234, "$1.23"),
        (1234.5, "$1,234.50"),
        (0.000000001, "$0.000000001"),
    ],
)
def test_format_usd(amount, text):
    assert format_usd(amount) == text
