import json

import numpy as np
import pytest
import scipy.stats

from minimax import claims


def test_ledger_writes_the_documented_json(tmp_path, monkeypatch):
    monkeypatch.setenv("MINIMAX_CLAIMS_DIR", str(tmp_path / "claims"))
    ledger = claims.Ledger("book/part1/02_bilinear_games.ipynb", profile="quick", seed=3)
    assert ledger.record("eg-converges", "EG converges.", source="Korpelevich (1976)",
                         measured=np.float32(0.866), expected=0.866, holds=np.bool_(True)) is True
    ledger.record("gda-converges", "GDA converges.", source="folklore", measured=float("inf"), expected="< 1", holds=False)
    path = ledger.write()
    assert path == tmp_path / "claims" / "02_bilinear_games.json"
    data = json.loads(path.read_text())
    assert data["chapter"] == "book/part1/02_bilinear_games.ipynb" and data["profile"] == "quick" and data["seed"] == 3
    assert data["claims"][0] == {"id": "eg-converges", "statement": "EG converges.", "source": "Korpelevich (1976)",
                                 "measured": pytest.approx(0.866), "expected": 0.866, "holds": True}
    assert data["claims"][1]["measured"] == "inf" and data["claims"][1]["holds"] is False


def test_default_claims_dir(monkeypatch):
    monkeypatch.delenv("MINIMAX_CLAIMS_DIR", raising=False)
    assert str(claims.claims_dir()) == "_build/claims"


def test_verdict_table_is_rounded_and_says_does_not_hold():
    ledger = claims.Ledger("chapter.ipynb", profile="quick", seed=0)
    ledger.record("a", "...", source="s", measured=0.123456, expected=0.1234, holds=True)
    ledger.record("b", "...", source="s", measured=[1.0, 2.5], expected="bounded", holds=False)
    table = ledger.verdict_table(digits=2)
    assert "0.12" in table and "0.123" not in table and "[1.00, 2.50]" in table
    assert table.splitlines()[-1].endswith("does NOT hold")


def test_duplicate_ids_are_rejected():
    ledger = claims.Ledger("chapter.ipynb", profile="quick", seed=0)
    ledger.record("a", "...", source="s", measured=1, expected=1, holds=True)
    with pytest.raises(ValueError, match="claim id 'a' is already recorded"):
        ledger.record("a", "...", source="s", measured=1, expected=1, holds=True)


def test_paired_difference_interval_matches_scipy_t_interval():
    first, second = np.array([7.0, 6.5, 7.5, 6.0]), np.array([5.0, 5.5, 5.0, 6.5])
    interval = claims.paired_difference_interval(first, second, level=0.9)
    low, high = scipy.stats.t.interval(0.9, 3, loc=np.mean(first - second), scale=scipy.stats.sem(first - second))
    assert interval.mean == pytest.approx(1.25)
    assert (interval.low, interval.high) == (pytest.approx(low), pytest.approx(high))


def test_paired_difference_interval_is_paired():
    # Same shift on every seed: zero spread of the differences, so a zero-width interval,
    # although each array alone varies a lot.
    base = np.array([1.0, 5.0, 3.0])
    interval = claims.paired_difference_interval(base + 2.0, base)
    assert interval == (pytest.approx(2.0), pytest.approx(2.0), pytest.approx(2.0))


@pytest.mark.parametrize("first, second, level, name", [
    ([1.0], [2.0], 0.9, "same length >= 2"),
    ([1.0, 2.0], [1.0, 2.0, 3.0], 0.9, "same length"),
    ([1.0, float("nan")], [1.0, 2.0], 0.9, "finite"),
    ([1.0, 2.0], [1.0, 2.0], 1.0, "level"),
])
def test_paired_difference_interval_rejects_bad_input(first, second, level, name):
    with pytest.raises(ValueError, match=name):
        claims.paired_difference_interval(first, second, level=level)


def test_mean_interval_matches_scipy_and_rejects_bad_input():
    values = np.array([5.0, 6.5, 7.0, 4.0])
    low, high = scipy.stats.t.interval(0.95, 3, loc=values.mean(), scale=scipy.stats.sem(values))
    interval = claims.mean_interval(values, level=0.95)
    assert (interval.mean, interval.low, interval.high) == (pytest.approx(5.625), pytest.approx(low), pytest.approx(high))
    for bad, name in [([1.0], "length >= 2"), ([[1.0, 2.0]], "1-D"), ([1.0, float("inf")], "finite")]:
        with pytest.raises(ValueError, match=name):
            claims.mean_interval(bad)
