"""The national benchmark geography: the land border chained from three Natural Earth arcs, and each
border province's stretch of it where the province really is (bounds from the map, stated here)."""

from __future__ import annotations

import sys
from pathlib import Path

from liaison.geo import reference

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import national  # noqa: E402  (bench/ is not a package: its scripts run as files)


def test_the_land_border_runs_from_the_gulf_of_tonkin_to_the_gulf_of_thailand_without_a_gap():
    line = reference.vietnam_land_border()
    (lon0, lat0), (lon1, lat1) = line[0], line[-1]
    assert 107.5 < lon0 < 108.2 and 21.3 < lat0 < 21.7  # Móng Cái coast
    assert 104.2 < lon1 < 104.7 and 10.2 < lat1 < 10.6  # Hà Tiên coast
    gaps = [reference.km(line[i], line[i + 1]) for i in range(len(line) - 1)]
    assert max(gaps) < 40
    assert 3_500 < sum(gaps) < 4_100  # the 1:10m line is shorter than the surveyed 4,9xx km


def test_every_border_province_gets_its_own_stretch_in_the_right_place():
    stretches = national.stretches()
    assert len(stretches) == len(national.BORDER_PROVINCES) == 22
    assert all(len(s) >= 1 for s in stretches.values())

    def lats(code):
        return [lat for _lon, lat in stretches[code]]

    assert min(lats(15)) > 22.0  # Lào Cai: on the China border
    assert 18.2 < min(lats(40)) and max(lats(40)) < 20.3  # Nghệ An
    assert max(lats(91)) < 11.5  # An Giang: the southern end
    assert min(lats(38)) > 19.9 and max(lats(38)) < 20.8  # Thanh Hóa keeps the reference stretch
