"""What a student meets first: uploads and their messages, the SSA year's range, a name with an accent."""

import pytest

from .test_app import app, check, figure, text

pytestmark = pytest.mark.app


def main_area(at, kind: str) -> list[str]:
    """The main area's messages of one kind (warning, error, info), as the reader sees them."""
    return [text(e) for e in getattr(at.main, kind)]


def sidebar(at, kind: str) -> list[str]:
    return [text(e) for e in getattr(at.sidebar, kind)]


def test_score_blames_the_accent_not_the_capital():
    at = app({"tab": "Score a name", "name": "Zoë"})
    warnings = [text(w) for w in at.warning]
    assert len(warnings) == 1 and warnings[0].startswith("'ë' is not in the vocabulary"), warnings
    at = app({"tab": "Score a name", "name": "Andrej"})
    assert not at.warning and at.get("metric")


def test_choosing_upload_without_a_link_asks_for_a_file_not_for_the_link():
    at = app(dataset="upload")
    assert not any("link" in m for m in main_area(at, "warning")), main_area(at, "warning")
    infos = main_area(at, "info")
    assert len(infos) == 1 and "Choose a word list in the sidebar" in infos[0], infos
    assert not sidebar(at, "info") and not sidebar(at, "error")
    assert figure(at, "heatmap")["z"]  # names.txt meanwhile


def test_a_link_to_an_upload_still_says_a_link_cannot_carry_the_file():
    at = app({"dataset": "upload"})
    assert any("link cannot carry" in m for m in main_area(at, "warning")), main_area(at, "warning")
    at.file_uploader(key="upload").upload("pets.txt", b"rex\nfido\n", "text/plain").run()
    check(at)
    assert not at.warning and not at.info and not at.error


@pytest.mark.parametrize(
    "name, content, mime, needle",
    [
        ("empty.txt", b"", "text/plain", "the word list is empty"),
        ("photo.png", bytes(range(256)) * 64, "application/octet-stream", "not UTF-8 text"),
        ("blank.txt", b"\n  \n\n", "text/plain", "the word list is empty"),
    ],
)
def test_a_rejected_upload_says_why_in_the_main_area_in_one_line(name, content, mime, needle):
    at = app(dataset="upload")
    at.file_uploader(key="upload").upload(name, content, mime).run()
    check(at)
    errors = main_area(at, "error")
    assert len(errors) == 1 and not sidebar(at, "error"), (errors, sidebar(at, "error"))
    assert errors[0].startswith(f"{name}: ")
    assert needle in errors[0] and "\n" not in errors[0]
    assert "Showing names.txt instead." in errors[0]
    assert not any("link" in m for m in main_area(at, "warning")), "no link was followed"
    assert not any(w in errors[0] for w in ("Error", "Traceback", "octet-stream"))


def test_an_upload_of_any_name_is_read_by_the_server():
    at = app(dataset="upload")
    at.file_uploader(key="upload").upload("names.csv", b"ann\nbob\n", "text/csv").run()
    check(at)
    assert not at.error
    assert figure(at, "heatmap")["x"] == [".", "a", "b", "n", "o"]


def test_lowercase_and_strip_accents_says_how_many_words_it_changed():
    at = app(dataset="upload")
    at.file_uploader(key="upload").upload("real.txt", "Zoë\nJosé\nemma\nChloé\nava\n".encode(), "text/plain").run()
    check(at)
    assert figure(at, "heatmap")["x"] == [".", "C", "J", "Z", "a", "e", "h", "l", "m", "o", "s", "v", "é", "ë"]
    at.checkbox(key="upload_fold").check().run()
    check(at)
    assert figure(at, "heatmap")["x"] == [".", "a", "c", "e", "h", "j", "l", "m", "o", "s", "v", "z"]
    assert "3 of 5 words changed" in " ".join(sidebar(at, "caption")), sidebar(at, "caption")
    assert "lowercased without accents (3 words changed)" in text(at.main.caption[0])
    at.checkbox(key="upload_fold").uncheck().run()
    assert "ë" in figure(check(at), "heatmap")["x"]


def test_folding_can_bring_a_list_under_the_symbol_limit():
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    accented = [unicode for unicode in "àáâãäåèéêëìíîïòóôõöùúûüýÿ"]
    words = letters + [c.upper() for c in letters] + accented + [c.upper() for c in accented]  # 102 symbols
    at = app(dataset="upload")
    at.file_uploader(key="upload").upload("many.txt", "\n".join(words).encode(), "text/plain").run()
    assert "102 distinct characters" in main_area(check(at), "error")[0]
    at.checkbox(key="upload_fold").check().run()
    check(at)
    assert not at.error
    assert len(figure(at, "heatmap")["x"]) == 27


@pytest.mark.parametrize("typed, shown, said", [(2020, 2017, "2020 is after the last"), (1700, 1880, "1700 is before")])
def test_an_ssa_year_out_of_range_says_the_range(typed, shown, said):
    at = app({"dataset": "SSA year", "year": "1950"})
    year = at.number_input(key="year")
    assert "1880-2017" in year.label
    year.set_value(typed).run()
    check(at)
    notes = sidebar(at, "warning")
    assert len(notes) == 1 and said in notes[0] and "from 1880 to 2017" in notes[0], notes
    assert f"SSA {shown}, both" in text(at.main.caption[0])
    assert at.query_params["year"] == str(shown)
    assert at.number_input(key="year").value == shown
    at.number_input(key="year").set_value(1990).run()
    assert not sidebar(check(at), "warning")
    assert "SSA 1990, both" in text(at.main.caption[0])
