"""Templating over the namespace with image(), document(), include() and cache()."""

import base64
import hashlib
import io
from pathlib import Path

import pytest

from workbench.prompt import MediaRef, PromptError, PromptOptions, compose

DATA = Path(__file__).resolve().parent / "data"


def spec_for(cell, namespace=None, base_dir=DATA, **options):
    return compose(PromptOptions(model="claude-sonnet-4-5", **options), cell, namespace or {}, base_dir=base_dir)


def user_blocks(spec):
    return spec.request["messages"][0]["content"]


def decoded(block):
    return base64.b64decode(block["source"]["data"])


@pytest.mark.parametrize(
    "name, media_type",
    [("tiny.png", "image/png"), ("tiny.jpg", "image/jpeg"), ("tiny.gif", "image/gif"), ("tiny.webp", "image/webp")],
)
def test_image_from_a_relative_path(name, media_type):
    spec = spec_for(f"What colour is this?\n{{{{ image('{name}') }}}}\nAnswer in one word.")
    text, image, tail = user_blocks(spec)
    assert text == {"type": "text", "text": "What colour is this?"}
    assert tail == {"type": "text", "text": "Answer in one word."}
    assert image["type"] == "image" and image["source"]["type"] == "base64"
    assert image["source"]["media_type"] == media_type
    data = (DATA / name).read_bytes()
    assert decoded(image) == data
    digest = hashlib.sha256(data).hexdigest()
    assert spec.media == {digest: MediaRef("path", media_type, str(DATA / name), len(data))}


def test_image_path_from_a_variable_and_pathlike():
    spec = spec_for("{{ image(p) }} {{ image(q) }}", {"p": str(DATA / "tiny.png"), "q": DATA / "tiny.gif"}, base_dir=None)
    assert [b["source"]["media_type"] for b in user_blocks(spec)] == ["image/png", "image/gif"]


def test_relative_paths_start_at_the_current_directory_by_default(monkeypatch):
    monkeypatch.chdir(DATA)
    spec = spec_for("{{ image('tiny.png') }}", base_dir=None)
    assert decoded(user_blocks(spec)[0]) == (DATA / "tiny.png").read_bytes()


def test_image_from_url_is_a_url_source():
    spec = spec_for("{{ image('https://example.com/cat.jpg') }}")
    assert user_blocks(spec) == [{"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}]
    assert spec.media == {}


def test_image_from_bytes():
    data = (DATA / "tiny.jpg").read_bytes()
    spec = spec_for("{{ image(raw) }}", {"raw": data})
    assert decoded(user_blocks(spec)[0]) == data
    assert list(spec.media.values()) == [MediaRef("bytes", "image/jpeg", None, len(data))]


def test_image_from_a_pil_image():
    from PIL import Image

    picture = Image.new("RGB", (40, 30), (10, 200, 10))
    spec = spec_for("{{ image(picture) }}", {"picture": picture})
    block = user_blocks(spec)[0]
    assert block["source"]["media_type"] == "image/png"
    assert Image.open(io.BytesIO(decoded(block))).size == (40, 30)
    assert list(spec.media.values())[0].kind == "pil"


def test_image_from_a_cmyk_pil_image_is_converted():
    from PIL import Image

    spec = spec_for("{{ image(picture) }}", {"picture": Image.new("CMYK", (4, 4))})
    assert Image.open(io.BytesIO(decoded(user_blocks(spec)[0]))).mode == "RGB"


def test_image_from_a_matplotlib_figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    ax.plot([1, 2, 3], [3, 1, 2])
    try:
        spec = spec_for("Describe the trend: {{ image(fig) }}", {"fig": fig})
    finally:
        plt.close(fig)
    text, block = user_blocks(spec)
    assert text["text"] == "Describe the trend:"
    assert block["source"]["media_type"] == "image/png"
    assert Image.open(io.BytesIO(decoded(block))).format == "PNG"
    assert list(spec.media.values())[0].kind == "figure"


def test_image_from_an_ipython_image():
    from IPython.display import Image as IPythonImage

    data = (DATA / "tiny.png").read_bytes()
    spec = spec_for("{{ image(img) }}", {"img": IPythonImage(data=data)})
    assert decoded(user_blocks(spec)[0]) == data
    assert list(spec.media.values())[0].kind == "ipython_image"
    by_file = spec_for("{{ image(img) }}", {"img": IPythonImage(filename=str(DATA / "tiny.png"))})
    assert list(by_file.media.values())[0] == MediaRef("path", "image/png", str(DATA / "tiny.png"), len(data))
    by_url = spec_for("{{ image(img) }}", {"img": IPythonImage(url="https://example.com/a.png")})
    assert user_blocks(by_url) == [{"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}]


def test_same_image_twice_is_one_media_entry():
    spec = spec_for("{{ image('tiny.png') }} and again {{ image('tiny.png') }}")
    assert len(user_blocks(spec)) == 3 and len(spec.media) == 1


def test_image_over_5_mb_of_base64_is_refused(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes((DATA / "tiny.png").read_bytes() + bytes(4 * 1024 * 1024))
    with pytest.raises(PromptError, match=r"image too large: 5\.\d MB as base64 \(the API limit is 5 MB per image\)"):
        spec_for("{{ image(p) }}", {"p": big})


def test_unrecognized_image_bytes_are_refused():
    with pytest.raises(PromptError, match=r"unsupported image type \(unrecognized bytes\) in bytes \(supported: image/jpeg"):
        spec_for("{{ image(b) }}", {"b": b"not an image"})


def test_pdf_document_from_path_with_title_and_citations():
    spec = spec_for("{{ document('tiny.pdf', title='Tiny', citations=True) }}\nSummarize it.")
    doc, text = user_blocks(spec)
    assert doc["type"] == "document"
    assert doc["source"]["type"] == "base64" and doc["source"]["media_type"] == "application/pdf"
    assert decoded(doc) == (DATA / "tiny.pdf").read_bytes()
    assert doc["title"] == "Tiny" and doc["citations"] == {"enabled": True}
    assert text == {"type": "text", "text": "Summarize it."}
    assert list(spec.media.values())[0].kind == "path"


def test_pdf_document_from_bytes_and_url():
    spec = spec_for("{{ document(pdf) }} {{ document('https://example.com/a.pdf') }}", {"pdf": (DATA / "tiny.pdf").read_bytes()})
    first, second = user_blocks(spec)
    assert first["source"]["media_type"] == "application/pdf"
    assert second == {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}}


def test_text_document_from_a_string_and_a_text_file():
    spec = spec_for("{{ document(essay, context='draft') }} {{ document('notes.txt') }}", {"essay": "It was a dark night."})
    first, second = user_blocks(spec)
    assert first == {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "It was a dark night."},
        "context": "draft",
    }
    assert second["source"]["data"] == (DATA / "notes.txt").read_text()


def test_include_inserts_file_text_literally():
    spec = spec_for("Notes:\n{{ include('notes.txt') }}\nEnd.")
    notes = (DATA / "notes.txt").read_text()
    assert "{{ literal }}" in notes and "\n%user\n" in notes
    assert spec.request["messages"] == [{"role": "user", "content": "Notes:\n" + notes + "\nEnd."}]


def test_cache_splits_text_at_the_breakpoint():
    spec = spec_for("Long reference text.\n{{ cache() }}\nThe question.")
    assert user_blocks(spec) == [
        {"type": "text", "text": "Long reference text.", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "The question."},
    ]


def test_cache_in_mid_line_and_with_a_1h_ttl():
    spec = spec_for("Prefix {{ cache('1h') }} suffix")
    assert user_blocks(spec) == [
        {"type": "text", "text": "Prefix", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
        {"type": "text", "text": "suffix"},
    ]


def test_cache_after_an_image_marks_the_image():
    spec = spec_for("{{ image('tiny.png') }}{{ cache() }} What is it?")
    image, text = user_blocks(spec)
    assert image["type"] == "image" and image["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in text


def test_cache_in_system_marks_the_system_block():
    spec = spec_for("%system\nYou know this manual: {{ manual }}\n{{ cache('1h') }}\n%user\nQuestion", {"manual": "..."})
    assert spec.request["system"] == [
        {"type": "text", "text": "You know this manual: ...", "cache_control": {"type": "ephemeral", "ttl": "1h"}}
    ]
    assert spec.request["messages"] == [{"role": "user", "content": "Question"}]


def test_cache_at_end_of_a_text_only_prompt():
    spec = spec_for("Everything {{ cache() }}")
    assert user_blocks(spec) == [{"type": "text", "text": "Everything", "cache_control": {"type": "ephemeral"}}]


def test_helpers_compose_with_loops():
    spec = spec_for("{% for p in pics %}Picture {{ loop.index }}: {{ image(p) }}\n{% endfor %}Compare them.", {"pics": ["tiny.png", "tiny.gif"]})
    kinds = [b["type"] for b in user_blocks(spec)]
    assert kinds == ["text", "image", "text", "image", "text"]
    assert user_blocks(spec)[2]["text"] == "Picture 2:"


def test_namespace_functions_and_filters_work():
    spec = spec_for("{{ shout(name) | trim }} has {{ items | length }} items", {"shout": str.upper, "name": " ada ", "items": [1, 2]})
    assert spec.request["messages"][0]["content"] == "ADA has 2 items"


def test_cells_without_template_syntax_skip_jinja():
    spec = spec_for("Use {braces} and %(name)s freely")
    assert spec.request["messages"][0]["content"] == "Use {braces} and %(name)s freely"


def test_raw_blocks_keep_template_syntax_literal():
    spec = spec_for("{% raw %}{{ not_a_variable }}{% endraw %}")
    assert spec.request["messages"][0]["content"] == "{{ not_a_variable }}"


def test_filters_applied_to_helper_output():
    spec = spec_for("{% filter upper %}look: {{ image('tiny.png') }}{% endfilter %}")
    assert [b["type"] for b in user_blocks(spec)] == ["text", "image"]
    with pytest.raises(PromptError, match="a template filter changed the output of image"):
        spec_for("{{ image('tiny.png') | replace(':', '-') }}")


def test_private_use_characters_in_text_are_kept():
    text = "icons \ue000\ue001 stay"
    assert spec_for("{{ t }}", {"t": text}).request["messages"][0]["content"] == text
