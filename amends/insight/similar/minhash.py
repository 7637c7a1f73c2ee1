"""MinHash signatures of case texts, their LSH band keys, and the similarity of two signatures.

Signatures are computed with datasketch (docs/decisions/0012-minhash-with-datasketch.md), in the
worker only: datasketch imports numpy and scipy, which the web processes never need, because
comparing two stored signatures is a byte-wise count done here in plain Python.

A signature is NUM_PERM 32-bit minimum hashes stored as bytes. It is cut into BANDS bands of
ROWS values; two texts whose Jaccard similarity is J share at least one band with probability
1 - (1 - J**ROWS) ** BANDS (docs/subsystems/similar.md has the table). Changing any constant
here, or the shingles in text.py, changes what a stored signature means: bump SCHEME, and
`manage.py similar_rebuild` recomputes every signature of an older scheme.
"""

import hashlib
from functools import cache

from amends.insight.similar.text import shingles

SCHEME = 1
NUM_PERM = 128
BANDS = 32
ROWS = 4
SEED = 1
# Fewer distinct shingles than this ("Help!!!", one emoji, a lone order number) is too little
# text to call two complaints alike.
MIN_FEATURES = 12
_BAND_BYTES = ROWS * 4
_SIGNATURE_BYTES = NUM_PERM * 4


@cache
def _permutations():
    # Built once per process: datasketch would draw them again for every MinHash.
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations


def signature(text: str) -> bytes | None:
    """The text's MinHash signature, or None when there is too little text to compare."""
    features = shingles(text)
    if len(features) < MIN_FEATURES:
        return None
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", permutations=_permutations())
    minhash.update_batch([feature.encode() for feature in features])
    return minhash.hashvalues.astype("<u4").tobytes()


def band_keys(sig: bytes) -> list[int]:
    """One signed 64-bit key per band (a bigint column on every database): the band's number
    and values hashed together, so equal values in different bands never meet."""
    keys = []
    for band in range(BANDS):
        values = sig[band * _BAND_BYTES : (band + 1) * _BAND_BYTES]
        digest = hashlib.blake2b(bytes((band,)) + values, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def similarity(a: bytes | None, b: bytes | None) -> float:
    """Estimated Jaccard similarity of the two texts: the share of equal minimum hashes."""
    if not a or not b or len(a) != _SIGNATURE_BYTES or len(a) != len(b):
        return 0.0
    # Two equal values XOR to a zero lane; one XOR of two big integers and a count in C is
    # three times faster than comparing 128 pairs in Python (the lookup compares ~100).
    lanes = (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(len(a), "little")
    return memoryview(lanes).cast("I").tolist().count(0) / NUM_PERM
