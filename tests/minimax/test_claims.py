import json

import numpy as np
import pytest
import scipy.stats

from minimax import claims


def test_ledger_writes_the_documented_json(tmp_path, monkeypatch):
    monkeypatch.setenv("MINIMAX_CLAIMS_DIR", str(tmp_path / "claims"))
    ledger = claims.Ledger("book/part1/02_bilinear_games.ipynb", profile="quick", seed=3)
    assert ledger.record("eg-converges", "EG converges.", kind=claims.VERIFICATION, source="Korpelevich (1976)",
                         measured=np.float32(0.866), expected=0.866, holds=np.bool_(True)) == "holds"
    ledger.record("gda-converges", "GDA converges.", kind=claims.EMPIRICAL, source="folklore", measured=float("inf"),
                  expected="< 1", holds=False, revised="the claim was 'GDA diverges' before the first run")
    path = ledger.write()
    assert path == tmp_path / "claims" / "02_bilinear_games.json"
    data = json.loads(path.read_text())
    assert data["chapter"] == "book/part1/02_bilinear_games.ipynb" and data["profile"] == "quick" and data["seed"] == 3
    assert data["claims"][0] == {"id": "eg-converges", "statement": "EG converges.", "source": "Korpelevich (1976)",
                                 "kind": "verification", "measured": pytest.approx(0.866), "expected": 0.866,
                                 "verdict": "holds", "seeds_to_decide": None, "revised": None,
                                 "measured_text": "0.866", "expected_text": "0.866"}
    assert data["claims"][1]["measured"] == "inf" and data["claims"][1]["verdict"] == "does not hold"
    assert data["claims"][1]["revised"].startswith("the claim was")


def test_default_claims_dir(monkeypatch):
    monkeypatch.delenv("MINIMAX_CLAIMS_DIR", raising=False)
    assert str(claims.claims_dir()) == "_build/claims"


def test_verdict_table_is_rounded_and_says_does_not_hold():
    ledger = claims.Ledger("chapter.ipynb", profile="quick", seed=0)
    ledger.record("a", "...", kind=claims.VERIFICATION, source="s", measured=0.123456, expected=0.1234, holds=True)
    ledger.record("b", "...", kind=claims.EMPIRICAL, source="s", measured=[1.0, 2.5], expected="bounded", holds=False)
    table = ledger.verdict_table(digits=2)
    assert "0.12" in table and "0.123" not in table and "[1.00, 2.50]" in table
    assert table.splitlines()[3].endswith("DOES NOT HOLD")
    assert table.splitlines()[-1] == "2 claims: empirical 1 does not hold; verification 1 holds"


def test_duplicate_ids_are_rejected():
    ledger = claims.Ledger("chapter.ipynb", profile="quick", seed=0)
    ledger.record("a", "...", kind=claims.VERIFICATION, source="s", measured=1, expected=1, holds=True)
    with pytest.raises(ValueError, match="claim id 'a' is already recorded"):
        ledger.record("a", "...", kind=claims.VERIFICATION, source="s", measured=1, expected=1, holds=True)


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
    assert interval[:3] == (pytest.approx(2.0), pytest.approx(2.0), pytest.approx(2.0)) and interval.n == 3


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


@pytest.mark.parametrize("interval, margin, verdict", [
    (claims.Interval(1.5, 1.2, 1.8), claims.above(1.0), "holds"),
    (claims.Interval(0.5, 0.2, 0.8), claims.above(1.0), "does not hold"),
    (claims.Interval(1.0, 0.7, 1.3), claims.above(1.0), "undecided"),
    (claims.Interval(0.8, 0.7, 1.0), claims.above(1.0), "does not hold"),  # high == margin: never above it
    (claims.Interval(10.0, 5.0, 15.0), claims.below(20.0), "holds"),
    (claims.Interval(25.0, 21.0, 29.0), claims.below(20.0), "does not hold"),
    (claims.Interval(19.0, 15.0, 23.0), claims.below(20.0), "undecided"),
    (claims.Interval(0.0, -0.5, 0.5), claims.within(1.0), "holds"),
    (claims.Interval(-2.0, -2.5, -1.5), claims.within(1.0), "does not hold"),
    (claims.Interval(2.0, 1.5, 2.5), claims.within(1.0), "does not hold"),
    (claims.Interval(0.8, 0.5, 1.1), claims.within(1.0), "undecided"),
    (claims.Interval(0.0, -1.5, 1.5), claims.within(1.0), "undecided"),  # wider than the band on both sides
])
def test_interval_verdicts(interval, margin, verdict):
    assert claims.interval_verdict(interval, margin) == verdict


def test_a_ledger_scores_intervals_itself_and_says_how_many_seeds_would_decide():
    ledger = claims.Ledger("c.ipynb", profile="quick", seed=0)
    lead = claims.mean_interval([0.5, 1.5, 1.0, 2.0])
    assert ledger.record("lead", "s", kind=claims.EMPIRICAL, source="p", measured=lead, expected=claims.above(1.0)) \
        == "undecided"
    needed = ledger.claims[0].seeds_to_decide
    # With that many seeds at the same mean and spread the interval clears the margin; with one fewer it does not.
    spread = np.std([0.5, 1.5, 1.0, 2.0], ddof=1)
    half_width = lambda n: scipy.stats.t.ppf(0.95, n - 1) * spread / np.sqrt(n)
    assert half_width(needed) < 0.25 <= half_width(needed - 1)
    decided = claims.mean_interval([1.9, 2.0, 2.1])
    ledger.record("clear", "s", kind=claims.EMPIRICAL, source="p", measured=decided, expected=claims.above(1.0))
    assert ledger.claims[1].verdict == "holds" and ledger.claims[1].seeds_to_decide is None
    assert "(about 20 seeds would decide)" in ledger.verdict_table()


def test_a_ledger_refuses_verdicts_it_should_compute_and_bools_as_measurements():
    ledger = claims.Ledger("c.ipynb", profile="quick", seed=0)
    interval = claims.mean_interval([1.0, 2.0])
    with pytest.raises(ValueError, match="leave holds out"):
        ledger.record("a", "s", kind=claims.EMPIRICAL, source="p", measured=interval, expected=claims.above(0.0),
                      holds=True)
    with pytest.raises(TypeError, match="must be a margin"):
        ledger.record("a", "s", kind=claims.EMPIRICAL, source="p", measured=interval, expected="> 0")
    with pytest.raises(ValueError, match="a margin scores an Interval"):
        ledger.record("a", "s", kind=claims.EMPIRICAL, source="p", measured=1.0, expected=claims.above(0.0), holds=True)
    with pytest.raises(TypeError, match="measured must be the measured quantity"):
        ledger.record("a", "s", kind=claims.EMPIRICAL, source="p", measured=True, expected=True, holds=True)
    with pytest.raises(ValueError, match="kind"):
        ledger.record("a", "s", kind="theorem", source="p", measured=1.0, expected=1.0, holds=True)
    assert ledger.claims == []


def test_shares_and_margins_are_written_as_json_and_described(tmp_path, monkeypatch):
    monkeypatch.setenv("MINIMAX_CLAIMS_DIR", str(tmp_path))
    ledger = claims.Ledger("c.ipynb", profile="quick", seed=0)
    ledger.record("every-seed", "s", kind=claims.EMPIRICAL, source="p",
                  measured=claims.share(np.array([True, True, False]), "seeds"), expected="every seed", holds=False)
    ledger.record("lead", "s", kind=claims.EMPIRICAL, source="p", measured=claims.mean_interval([2.0, 3.0, 4.0]),
                  expected=claims.within(1.0))
    data = json.loads(ledger.write().read_text())["claims"]
    assert data[0]["measured"] == {"count": 2, "total": 3, "unit": "seeds"}
    assert data[1]["expected"] == {"side": "within", "value": 1.0} and data[1]["verdict"] == "does not hold"
    assert [claims.describe(claim["measured"]) for claim in data] == ["2 of 3 seeds", "3.000 [1.314, 4.686], n = 3"]
    assert [claim["measured_text"] for claim in data] == ["2 of 3 seeds", "3.000 [1.314, 4.686], n = 3"]
    assert claims.describe(data[1]["expected"]) == "|·| < 1"


def test_step_size_choices_are_written_with_where_they_sit(tmp_path, monkeypatch):
    from minimax import studies
    monkeypatch.setenv("MINIMAX_CLAIMS_DIR", str(tmp_path))
    ledger = claims.Ledger("c.ipynb", profile="quick", seed=0)
    scores = np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]])
    ledger.record_step_size("sgda", [0.1, 0.2, 0.4], studies.choose_on_tuning_seeds(scores, num_tuning=2))
    with pytest.raises(ValueError, match="already recorded"):
        ledger.record_step_size("sgda", [0.1, 0.2, 0.4], studies.choose_on_tuning_seeds(scores, num_tuning=2))
    entry = json.loads(ledger.write().read_text())["step_sizes"][0]
    assert entry == {"method": "sgda", "eta": 0.4, "grid": [0.1, 0.4], "grid_size": 3, "where": "largest",
                     "bracketed": False, "tuning_seeds": 2, "scoring_seeds": 1}
    assert "sgda: η = 0.4 (largest of 3 in [0.1, 0.4]; 2 tuning, 1 scoring seeds)" in ledger.verdict_table()


@pytest.mark.parametrize("environment, chapter", [
    ({"MINIMAX_CHAPTER": "book/part1/01_gan_game.ipynb", "JPY_SESSION_NAME": "other.ipynb"},
     "book/part1/01_gan_game.ipynb"),                       # the pipeline says it
    ({"JPY_SESSION_NAME": "book/part2/05_natural_gan.ipynb"}, "book/part2/05_natural_gan.ipynb"),  # JupyterLab
    ({"JPY_SESSION_NAME": "a console, not a notebook"}, claims.UNNAMED_CHAPTER),
    ({}, claims.UNNAMED_CHAPTER),                            # e.g. a downloaded chapter in Colab
])
def test_a_ledger_knows_its_chapter(monkeypatch, tmp_path, environment, chapter):
    for name in claims.CHAPTER_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MINIMAX_CLAIMS_DIR", str(tmp_path))
    ledger = claims.Ledger(profile="quick", seed=0)
    assert ledger.chapter == chapter and ledger.path == tmp_path / f"{chapter.rsplit('/', 1)[-1][:-6]}.json"
