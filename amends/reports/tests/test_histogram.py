"""Time bands and the quantiles read from them: exact band edges and the documented error bound."""

import math

from hypothesis import given
from hypothesis import strategies as st

from amends.reports.histogram import LAST, bucket_bounds, bucket_estimate, bucket_of, quantile


def test_band_edges_are_exact():
    assert bucket_of(0) == 0
    assert bucket_of(59) == 0
    assert bucket_of(60) == 1
    assert bucket_of(84) == 1  # 60·√2 = 84.85…
    assert bucket_of(85) == 2
    assert bucket_of(119) == 2
    assert bucket_of(120) == 3
    assert bucket_of(10**12) == LAST


@given(st.integers(min_value=0, max_value=10**9))
def test_every_duration_lies_in_its_band(seconds):
    low, high = bucket_bounds(bucket_of(seconds))
    assert low <= seconds < high or (seconds < 60 and low == 0)


@given(
    st.lists(st.integers(min_value=0, max_value=50_000_000), min_size=1, max_size=200),
    st.sampled_from([0.5, 0.9]),
)
def test_a_quantile_is_within_the_documented_bound_of_the_exact_one(values, q):
    # given
    counts: dict[int, int] = {}
    for value in values:
        counts[bucket_of(value)] = counts.get(bucket_of(value), 0) + 1
    exact = sorted(values)[math.ceil(q * len(values)) - 1]  # nearest rank
    # when
    estimate = quantile(counts, q)
    # then: at most 2^(1/4) off (19 % high, 16 % low), or 30 s below a minute
    if exact < 60:
        assert abs(estimate - exact) <= 30
    elif bucket_of(exact) < LAST:
        assert 2**-0.25 <= estimate / exact <= 2**0.25 + 1e-9


def test_nothing_to_measure_gives_none():
    assert quantile({}, 0.5) is None
    assert quantile({3: 0}, 0.9) is None
    assert bucket_estimate(0) == 30
