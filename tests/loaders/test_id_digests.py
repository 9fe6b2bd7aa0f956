"""The compact id-digest set behind the CSV loader's repeated-id check."""

from __future__ import annotations

from loaders.id_digests import IdDigestSet, id_digest


def test_add_reports_new_and_repeated_ids() -> None:
    seen = IdDigestSet()
    assert seen.add("a")
    assert seen.add("b")
    assert not seen.add("a")
    assert len(seen) == 2


def test_growth_keeps_every_id() -> None:
    seen = IdDigestSet()
    ids = [f"row-{number}" for number in range(50_000)]
    assert all(seen.add(value) for value in ids)
    assert len(seen) == 50_000
    assert not any(seen.add(value) for value in ids[::997])
    assert seen.add("row-50000")


def test_digest_is_stable_and_non_zero() -> None:
    assert id_digest("名前.jpg") == id_digest("名前.jpg")
    assert id_digest("a") != id_digest("b")
    assert id_digest("bad\udcff") != 0
