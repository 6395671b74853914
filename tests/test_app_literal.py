"""What a link, an upload or the score box supplies is shown literally, once, in one line."""

import pytest

from makemore import data as data_module
from tests.helpers.apptest import (
    app,
    check,
    count_nlls,
    figure,
    open_tab,
    plain,
    tables,
    text,
    widget,
)

pytestmark = pytest.mark.app


def markdown_sources(at) -> list[str]:
    """The Markdown source of everything that can quote user text: messages, labels, tables."""
    els = [*at.markdown, *at.error, *at.warning, *at.info, *at.success, *at.caption, *at.get("metric")]
    out = []
    for el in els:
        out.append(getattr(el, "value", "") if el.type != "metric" else el.label)
    return [str(x) for x in out]


HOSTILE = [
    "![](http://127.0.0.1:9/track)",
    "[Session expired: log in](http://127.0.0.1:9/login)",
    "**HACKED** ![](/mmx)",
    "$$x^2$$",
    "<img src=/mmx>",
    "http://127.0.0.1:9/auto",
]


def assert_literal(at, *originals: str) -> None:
    """Each value is on the page as typed, and not one of them reaches Markdown as syntax."""
    sources = markdown_sources(at)
    for original in originals:
        assert any(original in plain(src) for src in sources), f"{original!r} is not shown"
        for src in sources:
            for token in ("![", "](", "**", "$$", "<img", "http://"):
                if token in original:
                    assert original not in src, f"{original!r} reached Markdown as it is in {src!r}"


@pytest.mark.parametrize("value", HOSTILE)
def test_link_values_are_quoted_literally_once(value):
    at = app({"smoothing": value, "seed": value})
    notes = [text(w) for w in at.sidebar.warning if "Link" in text(w)]
    assert len(notes) == 1, f"one note for all ignored values, not {len(notes)}"
    assert notes[0].count(value[:39]) == 2, "each bad value is quoted once"
    assert_literal(at, value[:39])
    assert not any(t in src for src in markdown_sources(at) for t in ("![", "](", "$$", "http://"))


def test_uploaded_words_and_file_name_are_shown_literally():
    words = "![](/mmx)\n**HACKED**\n$$x$$\n[a](/x)\nhttp://localhost:9/auto\n<img src=/mmx>\n"
    at = app({"dataset": "upload", "tab": "Compare", "n_samples": "30"})
    at.file_uploader(key="upload").upload("**bold**.txt", words.encode(), "text/plain").run()
    check(at)
    assert not at.error, [text(e) for e in at.error]
    shown = [row["name"] for row in tables(at)[0].values()]
    assert any(t in n for n in shown for t in ("](", "**", "$$", "<img")), f"no syntax in the samples: {shown}"
    assert_literal(at, *shown)
    open_tab(at, "Sample step by step")
    for _ in range(300):  # until the first name is finished
        at.button(key="next_char").click().run()
        if any(text(m).startswith("Finished") for m in at.markdown):
            break
    check(at)
    finished = next(text(m) for m in at.markdown if text(m).startswith("Finished"))
    assert_literal(at, *finished.removeprefix("Finished: ").split(", "))
    bad = app({"dataset": "upload"})
    bad.file_uploader(key="upload").upload("![x](/mmx).txt", b"**HACKED** ![](/mmx).\n", "text/plain").run()
    message = text(bad.main.error[0])  # the reason is in the main area, where the reader looks
    assert "![x](/mmx).txt" in message
    assert "**HACKED** ![](/mmx)." in message
    assert_literal(bad, "![x](/mmx).txt", "**HACKED** ![](/mmx).")


def test_score_box_text_is_shown_literally():
    at = app({"tab": "Score a name", "name": "**emma**"})  # '*' is not in the names: a warning quotes it
    assert_literal(at, "'*' is not in the vocabulary")
    at = app({"dataset": "upload", "tab": "Score a name", "name": "$$"})
    at.file_uploader(key="upload").upload("m.txt", b"$$\n$a$\n", "text/plain").run()
    check(at)
    assert at.get("metric")
    said = [plain(m.value) for m in at.markdown if "Average NLL of" in m.value]  # the word, once, over the metrics
    assert said and "$$" in said[0], said
    assert_literal(at, "$$")


def test_upload_error_once_without_double_punctuation():
    at = app({"dataset": "upload"})
    at.file_uploader(key="upload").upload("photo.txt", bytes(range(256)) * 64, "text/plain").run()
    messages = [text(e) for e in at.error]
    assert len(messages) == 1, f"the upload error is shown {len(messages)} times"
    assert "binary file" in messages[0], messages[0]
    assert "?." not in messages[0], messages[0]
    assert ".." not in messages[0], messages[0]


def test_many_bad_link_values_make_one_note():
    query = {"smoothing": "x", "epochs": "0", "lr": "-1", "seed": "y", "temperature": "9", "view": "z"}
    at = app(query)
    notes = [text(w) for w in at.sidebar.warning if "Link" in text(w)]
    assert len(notes) == 1, notes
    assert all(key in notes[0] for key in query), notes


def test_a_rejected_upload_is_parsed_once(monkeypatch):
    calls = []
    real = data_module.parse_words

    def counting(raw):
        calls.append(len(raw))
        return real(raw)

    import ui.corpus

    monkeypatch.setattr(ui.corpus, "parse_words", counting)
    at = app({"dataset": "upload"})
    at.file_uploader(key="upload").upload("bad.txt", b"ok\nj.r.\n", "text/plain").run()
    for s in (2.0, 5.0, 10.0):
        widget(at, "smoothing").set_value(s)
        at.run()
        check(at)
    assert len(calls) == 1, f"parsed {len(calls)} times"
    assert at.main.error
    assert "line 2" in text(at.main.error[0])


def test_a_deterministic_list_shows_nll_zero_not_minus_zero():
    at = app({"dataset": "upload", "smoothing": "0.0"})
    at.file_uploader(key="upload").upload("one.txt", b"ab\n", "text/plain").run()
    nll = count_nlls(check(at))["all"]
    assert nll == "0.0000", nll


def test_cr_only_line_endings_are_words():
    at = app({"dataset": "upload"})
    at.file_uploader(key="upload").upload("mac.txt", b"emma\rava\rbo\r", "text/plain").run()
    check(at)
    assert not at.error
    assert figure(at, "heatmap")["x"] == [".", "a", "b", "e", "m", "o", "v"]
