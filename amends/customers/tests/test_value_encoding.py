"""Which encoding a CSV is in, and its lines as text (no database)."""

import codecs
import io

import pytest

from amends.customers.tests.texts import ARABIC, HEBREW, RUSSIAN
from amends.customers.value.encoding import LineReader, best_code_page, binary_lines, reads_well_in, sniff

CASES = [("cp1255", HEBREW), ("cp1256", ARABIC), ("cp1251", RUSSIAN)]


def _csv(names: list[str]) -> str:
    lines = ["email,name,purchases_per_year"] + [f"c{i}@example.com,{n},{i}" for i, n in enumerate(names)]
    return "\r\n".join(lines) + "\r\n"


def _read(data: bytes) -> tuple[str, list[str], set[str]]:
    found = sniff(io.BytesIO(data))
    reader = LineReader(io.BytesIO(data), found.encoding)
    return found.encoding, list(reader), reader.used


@pytest.mark.parametrize(("code_page", "names"), CASES)
def test_each_windows_code_page_is_recognised_and_read(code_page, names):
    text = _csv(names)
    encoding, lines, used = _read(text.encode(code_page))
    assert encoding == code_page
    assert "".join(lines) == text
    assert used == {code_page}


@pytest.mark.parametrize(("code_page", "names"), CASES)
def test_a_single_name_is_enough(code_page, names):
    data = f"email,name\r\na@example.com,{names[1]}\r\n".encode(code_page)
    assert sniff(io.BytesIO(data)).encoding == code_page


@pytest.mark.parametrize("bom", [False, True])
def test_utf8_with_or_without_a_byte_order_mark(bom):
    text = _csv(HEBREW + ARABIC + RUSSIAN)
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    encoding, lines, _used = _read(data)
    assert encoding == ("utf-8-sig" if bom else "utf-8")
    assert "".join(lines) == text  # the mark is not part of the first column's name


def test_utf16_with_a_byte_order_mark():
    text = _csv(ARABIC)
    encoding, lines, _used = _read(text.encode("utf-16"))
    assert encoding == "utf-16"
    assert "".join(lines) == text


def test_a_file_pasted_together_reads_each_line_in_its_own_encoding():
    parts = [
        b"email,name,purchases_per_year\r\n",
        f"a@example.com,{HEBREW[0]},1\r\n".encode("cp1255"),
        f"b@example.com,{HEBREW[1]},2\r\n".encode("cp1255"),
        f"c@example.com,{RUSSIAN[1]},3\r\n".encode("cp1251"),
        f"d@example.com,{ARABIC[1]},4\r\n".encode(),
    ]
    encoding, lines, used = _read(b"".join(parts))
    assert encoding == "cp1255"  # most of what is not UTF-8
    assert lines[1:] == [
        f"a@example.com,{HEBREW[0]},1\r\n",
        f"b@example.com,{HEBREW[1]},2\r\n",
        f"c@example.com,{RUSSIAN[1]},3\r\n",
        f"d@example.com,{ARABIC[1]},4\r\n",
    ]
    assert used == {"cp1255", "cp1251", "utf-8"}


def test_a_line_that_reads_as_either_keeps_the_files_code_page():
    # "мама" in windows-1251 is also four Hebrew letters in windows-1255.
    assert best_code_page("мама".encode("cp1251"), default="cp1251") == "cp1251"
    assert best_code_page("мама".encode("cp1251"), default="cp1255") == "cp1255"


def test_lines_are_counted_with_or_without_a_final_line_break():
    assert sniff(io.BytesIO(b"a\nb\nc\n")).lines == 3
    assert sniff(io.BytesIO(b"a\nb\nc")).lines == 3
    assert sniff(io.BytesIO(b"")).lines == 0


def test_a_spreadsheet_is_not_taken_for_text():
    found = sniff(io.BytesIO(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"))
    assert found.binary


def test_a_file_cut_inside_a_character_is_not_utf8():
    data = "email,name\nx@example.com,נועה".encode()[:-1]
    assert sniff(io.BytesIO(data)).encoding != "utf-8"


def test_binary_lines_are_read_in_chunks_and_cut_when_endless():
    data = b"one\r\ntwo\nthree"
    assert list(binary_lines(io.BytesIO(data), chunk=2)) == [b"one\r\n", b"two\n", b"three"]
    endless = b"x" * ((1 << 20) + 10)
    parts = list(binary_lines(io.BytesIO(endless)))
    assert len(parts) == 2 and len(parts[0]) == (1 << 20) + 1


def test_nul_characters_are_dropped():
    assert list(LineReader(io.BytesIO(b"a,\x00b\n"), "utf-8")) == ["a,b\n"]


def test_a_line_reads_well_in_a_code_page_when_every_word_is_plausible_there():
    line = f"a@example.com,{HEBREW[0]},{HEBREW[1]},1\r\n".encode("cp1255")
    assert reads_well_in(line, "cp1255")
    assert not reads_well_in(line, "cp1256")
    assert reads_well_in(b"a@example.com,1,2,3\r\n", "cp1251")  # nothing to judge


def test_a_file_with_only_carriage_returns_has_lines_too():
    data = "email,name\ra@example.com,נועה\rb@example.com,דוד\r".encode("cp1255")
    assert sniff(io.BytesIO(data)).lines == 3
    assert list(LineReader(io.BytesIO(data), "cp1255")) == [
        "email,name\r",
        "a@example.com,נועה\r",
        "b@example.com,דוד\r",
    ]
