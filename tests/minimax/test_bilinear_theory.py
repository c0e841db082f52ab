"""The closed forms agree with the eigenvalues of the schemes' iteration matrices, built independently here."""

import numpy as np
import pytest

from minimax import bilinear_theory as theory

ETAS = np.linspace(0.05, 2.5, 37)


def spectral_radius(matrix):
    return np.max(np.abs(np.linalg.eigvals(matrix)))


def rotation_field(a):
    """The linear map z -> eta * F(z) of the scalar bilinear game f = sigma * x * y, with a = eta * sigma."""
    return np.array([[0.0, a], [-a, 0.0]])


@pytest.mark.parametrize("a", ETAS)
def test_simultaneous(a):
    assert theory.simultaneous_rate(a) == pytest.approx(spectral_radius(np.eye(2) - rotation_field(a)))


@pytest.mark.parametrize("a", ETAS)
def test_alternating(a):
    matrix = np.array([[1.0, -a], [a, 1 - a**2]])
    assert theory.alternating_rate(a) == pytest.approx(spectral_radius(matrix))


@pytest.mark.parametrize("a", ETAS)
def test_extragradient(a):
    step = rotation_field(a)
    matrix = np.eye(2) - step @ (np.eye(2) - step)
    assert theory.extragradient_rate(a) == pytest.approx(spectral_radius(matrix))


@pytest.mark.parametrize("a", ETAS)
def test_optimistic(a):
    step = rotation_field(a)
    matrix = np.block([[np.eye(2) - 2 * step, step], [np.eye(2), np.zeros((2, 2))]])
    assert theory.optimistic_rate(a) == pytest.approx(spectral_radius(matrix), abs=1e-6)


def test_optimistic_threshold_and_best_step():
    assert theory.optimistic_rate(1 / np.sqrt(3)) == pytest.approx(1.0)
    assert theory.optimistic_rate(0.5) == pytest.approx(1 / np.sqrt(2))


@pytest.mark.parametrize("eta", [0.1, 0.5, 1.0, 1.9])
@pytest.mark.parametrize("sigma", [0.5, 1.0])
def test_hamiltonian_and_consensus(eta, sigma):
    gram = sigma**2 * np.eye(2)
    assert theory.hamiltonian_rate(eta, sigma) == pytest.approx(spectral_radius(np.eye(2) - eta * gram))
    gamma = 0.7
    matrix = np.eye(2) - eta * (rotation_field(sigma) + gamma * gram)
    assert theory.consensus_rate(eta, gamma, sigma) == pytest.approx(spectral_radius(matrix))


def test_negative_momentum_reference_values():
    """facts.md: eta = 0.5, beta = -0.5 gives 0.9625; the best rate is about 0.48 near beta = -0.08, eta = 1.8."""
    assert theory.momentum_rate(0.5, -0.5, alternating=True) == pytest.approx(0.9625, abs=1e-4)
    etas, betas = np.meshgrid(np.linspace(1.5, 2.1, 61), np.linspace(-0.2, 0.0, 41))
    rates = theory.momentum_rate(etas, betas, alternating=True)
    best = np.unravel_index(np.argmin(rates), rates.shape)
    assert rates[best] == pytest.approx(0.48, abs=0.01)
    assert etas[best] == pytest.approx(1.8, abs=0.05) and betas[best] == pytest.approx(-0.08, abs=0.02)


def test_simultaneous_heavy_ball_never_converges():
    etas, betas = np.meshgrid(np.linspace(0.01, 3, 40), np.linspace(-0.99, 0.99, 40))
    assert np.all(theory.momentum_rate(etas, betas, alternating=False) >= 1 - 1e-9)
