import numpy as np
import pytest

from minimax import metrics


def test_final_mean_averages_the_last_logs_per_run():
    logged = np.arange(12.0).reshape(2, 2, 3)          # (step size, seed, log)
    np.testing.assert_array_equal(metrics.final_mean(logged, num_logs=2), [[1.5, 4.5], [7.5, 10.5]])
    np.testing.assert_array_equal(metrics.final_mean(logged), logged[..., -1])


def test_final_mean_scores_a_diverged_run_as_told():
    logged = np.array([[1.0, 6.0, 8.0], [2.0, 5.0, np.nan]])
    assert np.isnan(metrics.final_mean(logged, num_logs=2)[1])
    np.testing.assert_array_equal(metrics.final_mean(logged, num_logs=2, diverged=0.0), [7.0, 2.5])
    assert metrics.final_mean(np.array([1.0, np.inf]), num_logs=2, diverged=0.0) == np.inf   # only NaN is replaced


@pytest.mark.parametrize("num_logs", [0, 4, 1.5, True])
def test_final_mean_rejects_a_bad_number_of_logs(num_logs):
    with pytest.raises(ValueError, match=rf"num_logs must be an integer between 1 and the number of logs \(3.*got {num_logs!r}"):
        metrics.final_mean(np.zeros((2, 3)), num_logs=num_logs)
