"""Local times entered in forms: DST gaps refused, overlaps mean the first occurrence, midnight."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from advocacy.errors import ValidationFailed
from advocacy.feeds.times import is_ambiguous, local_to_utc, utc_to_local


@pytest.mark.parametrize(
    ("local", "zone", "utc"),
    [
        (datetime(2026, 1, 15, 0, 0), "Europe/London", datetime(2026, 1, 15, 0, 0, tzinfo=UTC)),
        (datetime(2026, 7, 15, 0, 0), "Europe/London", datetime(2026, 7, 14, 23, 0, tzinfo=UTC)),
        (datetime(2026, 3, 29, 0, 30), "Europe/London", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        (datetime(2026, 3, 29, 2, 0), "Europe/London", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        (datetime(2026, 3, 8, 0, 0), "America/Vancouver", datetime(2026, 3, 8, 8, 0, tzinfo=UTC)),
        (datetime(2026, 3, 9, 0, 0), "America/Vancouver", datetime(2026, 3, 9, 7, 0, tzinfo=UTC)),
        (
            datetime(2026, 12, 31, 23, 59),
            "Asia/Singapore",
            datetime(2026, 12, 31, 15, 59, tzinfo=UTC),
        ),
        (datetime(2027, 1, 1, 0, 0), "Asia/Singapore", datetime(2026, 12, 31, 16, 0, tzinfo=UTC)),
    ],
)
def test_local_midnights_and_dst_days_convert_exactly(local, zone, utc):
    assert local_to_utc(local, zone, "publish_at") == utc
    assert utc_to_local(utc, zone) == local


@pytest.mark.parametrize(
    ("local", "zone"),
    [
        (datetime(2026, 3, 29, 1, 30), "Europe/London"),
        (datetime(2026, 3, 8, 2, 15), "America/Vancouver"),
    ],
)
def test_times_skipped_by_the_clocks_are_refused(local, zone):
    with pytest.raises(ValidationFailed) as caught:
        local_to_utc(local, zone, "publish_at")
    assert "does not exist in" in caught.value.errors["publish_at"][0]


def test_times_that_happen_twice_mean_the_first(app):
    local = datetime(2026, 10, 25, 1, 30)  # London: 01:30 BST, then 01:30 GMT
    assert is_ambiguous(local, "Europe/London")
    assert local_to_utc(local, "Europe/London", "expire_at") == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert not is_ambiguous(datetime(2026, 10, 25, 3, 0), "Europe/London")
