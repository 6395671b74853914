"""Regression tests for the defects of issue 7, each through the page as AppTest drives it."""

import csv
import io
import math

import pytest

from makemore import data as data_module
from makemore.counts import count_matrix, fit_counts
from makemore.table import score
from ui.boundary import CRASH

from .test_app import (
    app,
    check,
    count_nlls,
    crashes,
    curve,
    figure,
    open_tab,
    plain,
    tables,
    text,
    trace,
    train,
    widget,
)


def markdown_sources(at) -> list[str]:
    """The Markdown source of everything that can quote user text: messages, labels, tables."""
    els = [*at.markdown, *at.error, *at.warning, *at.info, *at.success, *at.caption, *at.get("metric")]
    out = []
    for el in els:
        out.append(getattr(el, "value", "") if el.type != "metric" else el.label)
    return [str(x) for x in out]


# ------------------------------------------------------------------ the harness can fail


def test_an_exception_in_one_tab_fails_the_harness_and_keeps_the_sidebar(monkeypatch):
    from ui.tabs import compare

    def boom(*_):
        raise RuntimeError("injected")

    at = app({"smoothing": "10.0"})
    monkeypatch.setattr(compare, "show_samples", boom)
    at.session_state["_kept"]["tab"] = "Compare"
    with pytest.raises(AssertionError, match="the page met an exception"):
        at.run()  # every run the helper makes fails on it
    found = crashes(at)
    assert found, f"the harness missed the failure: {found}"
    assert "Compare" in found[0], f"the harness missed the failure: {found}"
    assert "injected" in found[0], f"the harness missed the failure: {found}"
    with pytest.raises(AssertionError, match="the page met an exception"):
        check(at)
    # defect 2: the error stays in its tab; the sidebar and the settings are intact
    assert widget(at, "smoothing").value == 10.0, "the sidebar lost its setting"
    assert len(at.sidebar.get("slider")) + len(at.sidebar.get("select_slider")) >= 3, "the sidebar was not drawn"
    assert at.query_params["smoothing"] == "10.0", "the URL lost the setting"
    widget(at, "seed").set_value(42)
    with pytest.raises(AssertionError, match="injected"):
        at.run()  # the Compare tab still fails; the rest of the page took the new seed
    assert widget(at, "seed").value == 42
    assert at.query_params["seed"] == "42"
    monkeypatch.undo()
    open_tab(at, "Counts")
    assert figure(at, "heatmap")["z"], "the other tabs must keep working"


# ------------------------------------------------------------------ 1. tabs keep settings


def test_switching_tabs_keeps_tab_only_settings():
    at = app({"view": "probabilities", "context": "2", "slice": "e"})
    open_tab(at, "Compare")
    open_tab(at, "Counts")
    assert widget(at, "view").value == "probabilities", "the view was reset"
    assert widget(at, "slice").value == "e", "the trigram slice was reset"
    assert at.query_params["view"] == "probabilities", dict(at.query_params)
    assert at.query_params["slice"] == "e", dict(at.query_params)
    assert figure(at, "heatmap")["y"][1] == "ea", "the heatmap shows another slice"
    open_tab(at, "Score a name")
    widget(at, "name").set_value("anna")
    at.run()
    open_tab(at, "Compare")
    open_tab(at, "Score a name")
    assert widget(at, "name").value == "anna"
    assert at.query_params["name"] == "anna"


def test_sidebar_widgets_drawn_only_for_one_dataset_keep_their_values():
    at = app({"dataset": "SSA year", "year": "1950"})
    widget(at, "dataset").set_value("names.txt")
    at.run()
    widget(at, "dataset").set_value("SSA year")
    at.run()
    check(at)
    assert widget(at, "year").value == 1950


# ------------------------------------------------------------------ 3. the loss chart shows a bad run


def in_range(ys: list[float], axis: dict) -> bool:
    lo, hi = axis["range"]
    if axis.get("type") == "log":
        lo, hi = 10**lo, 10**hi
    return all(lo <= y <= hi for y in ys)


def test_a_rising_loss_stays_on_the_chart_and_is_a_warning():
    at = train(app(), epochs=300, lr=500.0)
    fig = figure(at, "loss")
    ys = trace(fig, "run")["y"]
    assert len(ys) == 300, "lr 500 should end above where it started"
    assert ys[-1] > ys[0], "lr 500 should end above where it started"
    assert in_range(ys, fig["layout"]["yaxis"]), f"points off the chart: axis {fig['layout']['yaxis']['range']}"
    assert not at.success, "a run that went uphill must not be a success"
    assert at.warning
    assert "rose from" in text(at.warning[0])
    assert "learning rate 500" in text(at.warning[0])


def test_a_diverged_run_keeps_its_curve_and_the_previous_matrices():
    at = train(app(), epochs=20)
    assert figure(at, "net_P")["data"][0]["z"], "a finished run shows its matrices"
    train(at, epochs=300, lr=1_000_000.0)
    fig = figure(at, "loss")
    ys = trace(fig, "run")["y"]
    message = text(at.error[0])
    assert "diverged at epoch 13" in message, message
    assert "12 finite epochs" in message, message
    assert len(ys) == 12
    assert all(math.isfinite(y) for y in ys)
    assert in_range(ys, fig["layout"]["yaxis"])
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert any("diverged at epoch 13" in str(a.get("text")) for a in fig["layout"].get("annotations", []))
    assert figure(at, "net_P")["data"][0]["z"], "the previous run's matrices vanished"
    assert any("last run that finished" in text(c) for c in at.caption)


# ------------------------------------------------------------------ 4. one bar per transition


def test_score_shows_one_bar_and_one_row_per_transition(words, vocab):
    at = app({"tab": "Score a name", "name": "mississippi"})
    fig = figure(at, "score_bars")
    bars = fig["data"][0]
    expected = score(fit_counts(words, vocab), "mississippi")
    assert len(bars["y"]) == 12, "12 transitions, 12 bars in order"
    assert bars["x"] == list(range(1, 13)), "12 transitions, 12 bars in order"
    assert fig["layout"]["xaxis"]["ticktext"] == [f"{s.context}→{s.next}" for s in expected.steps]
    assert bars["y"] == pytest.approx([s.p for s in expected.steps], rel=1e-6)
    assert max(bars["y"]) <= 1
    assert fig["layout"]["yaxis"]["range"] == [0, 1]
    rows = tables(at)[-1]
    assert list(rows) == [str(i) for i in range(1, 13)]
    assert rows["4"]["context"] == "s"
    assert rows["4"]["next"] == "s"
    assert rows["4"]["pair in the data"] == "yes"
    assert float(rows["2"]["p (count model)"]) == pytest.approx(expected.steps[1].p, abs=1e-4)
    N = count_matrix(words, vocab)
    a, b = next((a, b) for a in range(1, 27) for b in range(1, 27) if N[a, b] == 0)  # a pair no name has
    widget(at, "name").set_value(vocab.itos[a] + vocab.itos[b])
    at.run()
    rows = tables(check(at))[-1]
    assert rows["2"]["context"] == vocab.itos[a]
    assert rows["2"]["next"] == vocab.itos[b]
    marks = [r["pair in the data"] for r in rows.values()]
    assert marks[1] == "unseen", rows
    assert "yes" in marks, rows
    widget(at, "name").set_value("a" * 64)
    at.run()
    assert max(figure(check(at), "score_bars")["data"][0]["y"]) < 1


# ------------------------------------------------------------------ 5. exact p in the heatmap


def test_heatmap_sends_the_exact_p(words, vocab):
    at = app({"smoothing": "0.01"})
    p = figure(at, "heatmap")["p"][0][0]
    exact = fit_counts(words, vocab, smoothing=0.01).P[0, 0].item()
    assert 0 < p == pytest.approx(exact, rel=1e-6), p  # ~3.1e-7; rounded to 6 decimals it was 0
    assert math.isfinite(-math.log(p))


# ------------------------------------------------------------------ 6. memory and time before a run


def test_a_run_over_the_memory_budget_is_refused_before_it_starts():
    at = app({"context": "2", "method": "onehot", "tab": "Neural net"})
    warning = " ".join(text(e) for e in at.sidebar.error)
    assert "onehot method would need about 2." in warning, warning
    assert "limit is 1 GB" in warning, warning
    assert "the index method gives the same losses in" in warning, "it names a method that fits"
    train(at, epochs=5, method="onehot")
    assert at.error, [text(e) for e in at.error]
    assert "would need about" in text(at.error[0]), [text(e) for e in at.error]
    assert curve(at) == [], "nothing was trained"


def test_a_slow_run_is_announced_with_its_duration():
    at = app({"method": "onehot", "epochs": "1000"})
    slow = [text(w) for w in at.sidebar.warning if "Slow run" in text(w)]
    assert slow, [text(w) for w in at.sidebar.warning]
    assert "min" in slow[0], [text(w) for w in at.sidebar.warning]
    widget(at, "method").set_value("counts")
    at.run()
    assert not [w for w in at.sidebar.warning if "Slow run" in text(w)]
    assert any("Estimate" in text(c) for c in at.sidebar.caption)


# ------------------------------------------------------------------ 7. trigram labels


def test_trigram_is_titled_and_labelled_as_a_trigram():
    at = app({"context": "2", "slice": "q"})
    assert "trigram" in at.title[0].value
    assert "bigram" not in at.title[0].value
    cells = figure(at, "heatmap")
    assert cells["y"][:3] == ["q.", "qa", "qb"], "rows are labelled with their whole context"
    assert "context" in cells["rows"]
    assert "next" in cells["cols"]
    assert cells["legend"] == "count"
    assert "bigram" in app().title[0].value


# ------------------------------------------------------------------ 8. square, labelled matrices


def test_trained_matrices_are_square_and_label_every_symbol():
    at = train(app({"context": "2", "slice": "e"}), epochs=5)
    for key in ("net_P", "count_P", "diff_P"):
        layout = figure(at, key)["layout"]
        assert layout["meta"] == "square", key
        assert len(layout["xaxis"]["tickvals"]) == 27, key
        assert len(layout["yaxis"]["tickvals"]) == 27, key
        assert layout["yaxis"]["tickvals"][1] == "ea", key
        assert len(layout["title"]["text"]) <= 28, f"{key}: title too long for a column at 1280 px"


# ------------------------------------------------------------------ 10. user text is shown literally

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
    message = text(bad.sidebar.error[0])
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
    assert "$$" in plain(at.get("metric")[0].label)
    assert_literal(at, "$$")


# ------------------------------------------------------------------ 11. messages


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


def test_samples_csv_has_both_models_after_training(monkeypatch):
    from makemore import export
    from ui.tabs import compare

    made = []
    monkeypatch.setattr(compare, "samples_csv", lambda models: made.append(export.samples_csv(models)) or made[-1])
    at = train(app({"tab": "Compare"}), epochs=20)
    open_tab(at, "Compare")
    rows = list(csv.DictReader(io.StringIO(made[-1])))
    assert {r["model"] for r in rows} == {"count model", "neural net"}, "the CSV holds both models"
    shown = tables(at)
    for model, column in (("count model", 0), ("neural net", 1)):
        names = [r["name"] for r in rows if r["model"] == model]
        assert names == [row["name"] for row in shown[column].values()], f"{model}: CSV differs from the page"


# ------------------------------------------------------------------ 12-13. uploads and small defects


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
    assert at.sidebar.error
    assert "line 2" in text(at.sidebar.error[0])


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


def test_counts_match_the_corpus(words, vocab):
    assert figure(app(), "heatmap")["count"] == count_matrix(words, vocab).tolist()


def test_crash_marker_is_not_in_ordinary_messages():
    at = train(app(), epochs=50, lr=1_000_000.0)
    assert at.error
    assert all(CRASH not in text(e) for e in at.error)
