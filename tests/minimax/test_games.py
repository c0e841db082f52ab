import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax import games


def test_bilinear_vector_field_is_rotation():
    matrix = jnp.array([[1.0, 2.0], [0.0, 3.0]])
    x, y = jnp.array([1.0, -1.0]), jnp.array([0.5, 2.0])
    grad_x, grad_y = games.vector_field(games.bilinear(matrix), x, y)
    np.testing.assert_allclose(grad_x, matrix @ y)
    np.testing.assert_allclose(grad_y, -matrix.T @ x)


def test_regularized_bilinear_adds_identity():
    game = games.bilinear(jnp.eye(1), regularization=0.5)
    grad_x, grad_y = games.vector_field(game, jnp.ones(1), jnp.ones(1))
    np.testing.assert_allclose(grad_x, [1.5])
    np.testing.assert_allclose(grad_y, [-0.5])


def test_jvp_and_vjp_match_the_dense_jacobian():
    matrix = jnp.array([[1.0, 2.0], [0.5, -1.0]])
    game = games.bilinear(matrix, regularization=0.3)
    x, y = jnp.array([0.3, -0.2]), jnp.array([1.0, 0.4])
    vx, vy = jnp.array([1.0, 2.0]), jnp.array([-1.0, 0.5])

    def flat_field(z):
        gx, gy = games.vector_field(game, z[:2], z[2:])
        return jnp.concatenate([gx, gy])

    jacobian = jax.jacobian(flat_field)(jnp.concatenate([x, y]))
    v = jnp.concatenate([vx, vy])
    np.testing.assert_allclose(jnp.concatenate(games.field_jvp(game, x, y, vx, vy)), jacobian @ v, rtol=1e-6)
    np.testing.assert_allclose(jnp.concatenate(games.field_vjp(game, x, y, vx, vy)), jacobian.T @ v, rtol=1e-6)


def test_dirac_gan_jacobian_at_equilibrium_is_a_rotation():
    """Mescheder et al. (2018): purely imaginary eigenvalues +-i h'(0) at (0, 0); h'(0) = 1/2 for the standard loss."""
    game = games.dirac_gan("standard")

    def flat_field(z):
        gx, gy = games.vector_field(game, z[0], z[1])
        return jnp.stack([gx, gy])

    jacobian = jax.jacobian(flat_field)(jnp.zeros(2))
    np.testing.assert_allclose(jacobian, [[0.0, 0.5], [-0.5, 0.0]], atol=1e-7)
    eigenvalues = np.linalg.eigvals(np.asarray(jacobian))
    np.testing.assert_allclose(eigenvalues.real, 0.0, atol=1e-7)
    np.testing.assert_allclose(np.abs(eigenvalues.imag), 0.5, atol=1e-7)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: games.bilinear(jnp.ones(3)), "matrix must be a 2-D array"),
        (lambda: games.bilinear(jnp.eye(2), regularization=-1.0), "regularization must be a finite number >= 0"),
        (lambda: games.dirac_gan("hinge"), "loss must be one of 'standard', 'wasserstein'; got 'hinge'"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
