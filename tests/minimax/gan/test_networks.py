import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax.gan import networks


def test_mlp_shapes_and_zero_biases():
    params = networks.mlp_init(jax.random.PRNGKey(0), [2, 16, 8, 1])
    assert [layer["w"].shape for layer in params] == [(2, 16), (16, 8), (8, 1)]
    assert [layer["b"].shape for layer in params] == [(16,), (8,), (1,)]
    assert all(layer["w"].dtype == jnp.float32 for layer in params)
    assert all(float(jnp.abs(layer["b"]).max()) == 0.0 for layer in params)
    assert networks.mlp_apply(params, jnp.ones((5, 2))).shape == (5, 1)
    assert networks.mlp_apply(params, jnp.ones((3, 5, 2))).shape == (3, 5, 1)


def test_init_is_deterministic_and_scaled_by_fan_in():
    first = networks.mlp_init(jax.random.PRNGKey(1), [512, 512, 512])
    second = networks.mlp_init(jax.random.PRNGKey(1), [512, 512, 512])
    for a, b in zip(jax.tree_util.tree_leaves(first), jax.tree_util.tree_leaves(second)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(float(first[0]["w"].std()), np.sqrt(2 / 512), rtol=0.02)  # He, before a ReLU
    np.testing.assert_allclose(float(first[1]["w"].std()), np.sqrt(1 / 512), rtol=0.02)  # LeCun, last layer


def test_apply_is_the_composition_of_affine_maps_and_activations():
    params = networks.mlp_init(jax.random.PRNGKey(2), [3, 4, 2])
    inputs = jax.random.normal(jax.random.PRNGKey(3), (6, 3))
    hidden = jnp.tanh(inputs @ params[0]["w"] + params[0]["b"])
    expected = hidden @ params[1]["w"] + params[1]["b"]
    np.testing.assert_allclose(networks.mlp_apply(params, inputs, activation=jnp.tanh), expected, rtol=1e-6)


@pytest.mark.parametrize("sizes", [[2], [2, 0, 1], [2, 3.5], "23", 3])
def test_bad_sizes_raise(sizes):
    with pytest.raises(ValueError, match="sizes"):
        networks.mlp_init(jax.random.PRNGKey(0), sizes)


def test_mlp_players_init_draws_both_players_from_one_key():
    import jax

    from minimax.gan import networks

    key = jax.random.PRNGKey(3)
    generator, discriminator = networks.mlp_players_init(data_dim=2, latent_dim=5, width=8)(key)
    key_x, key_y = jax.random.split(key)
    for ours, reference in ((generator, networks.mlp_init(key_x, [5, 8, 8, 2])),
                            (discriminator, networks.mlp_init(key_y, [2, 8, 8, 1]))):
        assert jax.tree_util.tree_all(jax.tree_util.tree_map(lambda a, b: bool((a == b).all()), ours, reference))
    assert [layer["w"].shape for layer in networks.mlp_players_init(3, 4, 6, depth=1)(key)[0]] == [(4, 6), (6, 3)]
