"""Fuzzing the mail parser: corpus mails mutated (byte flips, truncation, duplicated headers,
damaged boundaries, swapped charset and transfer-encoding labels, spliced and nested mails...)
for at least 100,000 parse calls per run. None may raise, none may take a second.

Hypothesis draws a seed per batch; a seeded random.Random drives the mutations of the batch's
cases, which keeps hypothesis' own cost out of the 100,000. A failure names the seed and the
mutation steps; ``_mutant(random.Random(seed))`` rebuilds the mail. AMENDS_FUZZ_CASES changes
the number of cases (e.g. 2000 for a quick look, 1000000 for a long hunt); ``-k "not fuzz"``
leaves the test out. Plain pytest, no database.
"""

import base64
import os
import pathlib
import random
import re
import time

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from amends.mail.parsing import parse

CORPUS = [path.read_bytes() for path in sorted((pathlib.Path(__file__).parent / "corpus").glob("*.eml"))]
CASES = int(os.environ.get("AMENDS_FUZZ_CASES", "100000"))
PER_BATCH = 200
MAX_SIZE = 256 << 10  # mutants are capped so a run stays about the parser, not about copying

CHARSETS = [
    b"utf-8",
    b"UTF-16",
    b"utf-16le",
    b"utf-32",
    b"windows-1255",
    b"iso-8859-8",
    b"iso-8859-8-i",
    b"hebrew",
    b"windows-1256",
    b"iso-8859-6",
    b"koi8-r",
    b"windows-1251",
    b"cp866",
    b"us-ascii",
    b"iso-8859-1",
    b"x-unknown",
    b"",
    b'"',
    b"punycode",
    b"rot13",
    b"unicode_escape",
    b"idna",
    b"base64",
    b"utf-7",
    b"gb18030",
    b"iso-2022-jp",
    b"\xd7\xa9",
]
ENCODINGS = [
    b"base64",
    b"quoted-printable",
    b"8bit",
    b"7bit",
    b"binary",
    b"x-uuencode",
    b"x-gzip",
    b"",
    b"BASE64",
]
JUNK = [
    b"=?",
    b"?=",
    b"=?utf-8?b?",
    b"=?utf-8?q?",
    b"=?x?B?",
    b"\r",
    b"\n",
    b"\r\n\r\n",
    b"\x00",
    b"--",
    b">",
    b"<",
    b"\xd7\xa9\xd7",
    b"\xff\xfe",
    b"=\r\n",
    b"=E9",
    b"%",
    b"*0*=",
    b"*=utf-8''%",
    b"\\",
    b'"',
    b";",
    b":",
    b"\t",
    "\u202e".encode(),
    b"Content-Type: multipart/mixed; boundary=j\r\n",
    b"Content-Type: message/rfc822\r\n\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"begin 644 x.bin\n",
    b"<html><script>",
    b"<blockquote>",
    b"&#0;&#x110000;",
    b"On Mon, 3 Mar 2025 at 10:15, X <x@y> wrote:\n",
    b"\n-- \n",
    b"From: ",
    b"\xe0\xf9",
]
HEADER_LINE = re.compile(rb"^[!-9;-~]+:[^\r\n]*\r?\n", re.MULTILINE)
BOUNDARY = re.compile(rb'boundary="?([^";\r\n]+)"?', re.IGNORECASE)
CHARSET = re.compile(rb'charset="?[^";\r\n\s]*"?', re.IGNORECASE)
ENCODING = re.compile(rb"(content-transfer-encoding:[ \t]*)[^\r\n]*", re.IGNORECASE)


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _duplicate_header(rng: random.Random, data: bytes) -> bytes:
    lines = HEADER_LINE.findall(data[:4096])
    if not lines:
        return data
    line = rng.choice(lines)
    return line * rng.choice([1, 2, 5, 50]) + data


def _damage_boundary(rng: random.Random, data: bytes) -> bytes:
    found = list(BOUNDARY.finditer(data))
    if not found:
        return data
    boundary = rng.choice(found).group(1)
    choice = rng.randrange(5)
    if choice == 0:
        return data.replace(b"boundary=", b"boundery=", 1)
    if choice == 1:
        return data.replace(b"--" + boundary + b"--", b"", 1)
    if choice == 2:
        return data.replace(b"--" + boundary, b"--" + boundary[:-1], rng.randint(1, 3))
    if choice == 3:
        return data.replace(boundary, b"", 1)
    return data.replace(b"--" + boundary + b"\r\n", b"--" + boundary + b"\r\n--" + boundary + b"\r\n", 1)


def _swap_charset(rng: random.Random, data: bytes) -> bytes:
    label = rng.choice(CHARSETS)
    return CHARSET.sub(lambda _m: b"charset=" + label, data, count=rng.randint(1, 3))


def _swap_encoding(rng: random.Random, data: bytes) -> bytes:
    encoding = rng.choice(ENCODINGS)
    return ENCODING.sub(lambda m: m.group(1) + encoding, data, count=rng.randint(1, 3))


def _insert_junk(rng: random.Random, data: bytes) -> bytes:
    position = rng.randrange(len(data) + 1)
    return data[:position] + rng.choice(JUNK) * rng.choice([1, 1, 1, 3, 40]) + data[position:]


def _line_endings(rng: random.Random, data: bytes) -> bytes:
    plain = data.replace(b"\r\n", b"\n")
    return rng.choice([plain, plain.replace(b"\n", b"\r\n"), plain.replace(b"\n", b"\r")])


def _splice(rng: random.Random, data: bytes) -> bytes:
    other = rng.choice(CORPUS)
    head, _, _ = data.partition(b"\r\n\r\n")
    _, _, body = other.partition(b"\r\n\r\n")
    if rng.random() < 0.5:
        return head + b"\r\n\r\n" + body
    position = rng.randrange(len(data) + 1)
    return data[:position] + other[rng.randrange(len(other) + 1) :] + data[position:]


def _shuffle_lines(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    if len(lines) < 3:
        return data
    start = rng.randrange(len(lines) - 1)
    end = min(len(lines), start + rng.randint(1, 20))
    chunk = lines[start:end]
    choice = rng.randrange(3)
    if choice == 0:
        del lines[start:end]
    elif choice == 1:
        lines[start:start] = chunk * rng.randint(1, 5)
    else:
        rng.shuffle(chunk)
        lines[start:end] = chunk
    return b"\n".join(lines)


def _nest(rng: random.Random, data: bytes) -> bytes:
    for level in range(rng.choice([1, 2, 3, 40])):
        if rng.random() < 0.5:
            data = b"Content-Type: message/rfc822\r\n\r\n" + data
        else:
            data = (
                b"Content-Type: multipart/mixed; boundary=L%d\r\n\r\n--L%d\r\n" % (level, level)
                + data
                + b"\r\n--L%d--\r\n" % level
            )
    return b"From: nest@example.com\r\n" + data


def _repeat(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    chunk = data[start : start + rng.randint(1, 100)]
    return data[:start] + chunk * rng.choice([2, 2, 10, 10, 400]) + data[start:]


def _header_case(rng: random.Random, data: bytes) -> bytes:
    head, separator, body = data.partition(b"\r\n\r\n")
    return rng.choice([head.upper(), head.lower(), head.swapcase()]) + separator + body


MUTATIONS = [
    _flip,
    _truncate,
    _duplicate_header,
    _damage_boundary,
    _swap_charset,
    _swap_encoding,
    _insert_junk,
    _line_endings,
    _splice,
    _shuffle_lines,
    _nest,
    _repeat,
    _header_case,
]


def _mutant(rng: random.Random) -> tuple[bytes, list[str]]:
    """A corpus mail with one to four mutations; returns it and the steps taken."""
    index = rng.randrange(len(CORPUS))
    data = CORPUS[index]
    steps = [f"corpus[{index}]"]
    for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
        mutation = rng.choice(MUTATIONS)
        data = mutation(rng, data)[:MAX_SIZE]
        steps.append(mutation.__name__)
    return data, steps


done = {"cases": 0, "slowest": 0.0}


@settings(
    max_examples=max(1, -(-CASES // PER_BATCH)),
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**64 - 1))
def _fuzz_batch(seed: int) -> None:
    rng = random.Random(seed)
    for case in range(PER_BATCH):
        data, steps = _mutant(rng)
        started = time.process_time()
        try:
            parse(data)
        except Exception as error:
            raise AssertionError(f"parse raised: seed {seed}, case {case}, steps {steps}") from error
        elapsed = time.process_time() - started
        assert elapsed < 1, f"parse took {elapsed:.2f} s: seed {seed}, case {case}, steps {steps}"
        done["cases"] += 1
        done["slowest"] = max(done["slowest"], elapsed)


def _big_mail(rng: random.Random) -> bytes:
    """Over 1 MiB, so long base64 runs are set aside before parsing (parsing._Blobs)."""
    attachment = base64.encodebytes(rng.randbytes(600_000)).replace(b"\n", b"\r\n")
    return (
        b"From: big@example.com\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=big\r\n\r\n"
        b"--big\r\nContent-Type: text/plain\r\n\r\nsee the scan\r\n--big\r\n"
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + attachment
        + b"--big\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + attachment
        + b"--big--\r\n"
    )


@settings(max_examples=25, deadline=None, database=None, phases=[Phase.explicit, Phase.generate])
@given(seed=st.integers(min_value=0, max_value=2**64 - 1))
def test_fuzz_big_mails_set_aside_and_restored_never_raise(seed):
    """Mails over 1 MiB take another path (base64 runs read in place); mutate around it:
    truncated or broken runs, other transfer encodings, forwarded, boundary lost."""
    # given
    rng = random.Random(seed)
    data = _big_mail(rng)
    for _ in range(rng.randint(1, 3)):
        data = rng.choice([_flip, _truncate, _damage_boundary, _swap_encoding, _nest, _insert_junk])(
            rng, data
        )
    if rng.random() < 0.3:
        position = rng.randrange(len(data))
        data = data[:position] + b"\x1b" + os.urandom(6).hex().encode() + b".0\x1b" + data[position:]

    # when
    started = time.process_time()
    mail = parse(data)

    # then
    assert time.process_time() - started < 1
    assert mail.from_address in ("big@example.com", "nest@example.com", "")


def test_fuzz_mutated_corpus_never_raises_and_no_case_takes_a_second():
    # given
    done.update(cases=0, slowest=0.0)

    # when
    _fuzz_batch()

    # then
    assert done["cases"] >= CASES
    assert done["slowest"] < 1
