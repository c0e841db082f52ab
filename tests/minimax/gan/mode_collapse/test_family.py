import numpy as np
import pytest

from minimax import runner
from minimax.gan import mode_collapse as mc


def test_a_family_sweep_equals_runner_sweep_of_the_game_and_embeds_smaller_games():
    setting = mc.two_mode_setting(dim=16, inner=0.3, gen_width=4, disc_width=3, batch_size=16)
    full = runner.grid(eta_g=[0.01, 0.05], eta_d=[0.02], seed=[0, 5])
    smaller = runner.grid(eta_g=[0.05], eta_d=[0.02], dim=[5], disc_width=[2], seed=[0])
    points, (part_full, part_small) = runner.stack_grids(full, smaller, dim=16, disc_width=3)
    family = mc.setting_family(setting, gen_norm=0.2, disc_norm=0.3, neurons=True)
    ours = runner.sweep(family, mc.nsgda, None, points, num_steps=30, log_every=10)
    reference = runner.sweep(mc.two_mode_game(setting), mc.nsgda, mc.initializer(setting, 0.2, 0.3), full,
                             num_steps=30, log_every=10, metrics=mc.recovery_metric(setting, neurons=True))
    for name in reference.metrics:
        np.testing.assert_allclose(np.asarray(ours.metrics[name])[part_full], reference.metrics[name], rtol=1e-5, atol=1e-6)
    generator = np.asarray(ours.final.x)[part_small][0]
    weights = np.asarray(ours.final.y["w"])[part_small][0]
    assert np.abs(generator[:, 5:]).max() == 0.0 and np.abs(weights[:, 5:]).max() == 0.0  # the 5-dim game stays in R^5
    assert np.abs(weights[2:]).max() == 0.0 and np.abs(weights[:2]).max() > 0  # the third neuron of D stays at zero
    assert np.abs(generator[:, :5]).max() > 0


def test_families_that_differ_only_in_traced_defaults_share_one_compiled_sweep():
    setting = mc.two_mode_setting(dim=8, inner=0.3, gen_width=2, disc_width=2, batch_size=4)
    points = runner.grid(eta_g=[0.01], eta_d=[0.02], seed=[0])

    def compiled_after(family):
        runner.sweep(family, mc.sgda, None, points, num_steps=2)
        return runner._compiled_family_sweep.cache_info()

    before = runner._compiled_family_sweep.cache_info()
    first = compiled_after(mc.setting_family(setting, gen_norm=0.1, disc_norm=0.1))
    other_start = compiled_after(mc.setting_family(setting, gen_norm=0.3, disc_norm=0.2))
    other_metric = compiled_after(mc.setting_family(setting, gen_norm=0.1, disc_norm=0.1, neurons=True))
    assert first.misses == before.misses + 1
    assert (other_start.misses, other_start.hits) == (first.misses, first.hits + 1)  # the start is traced
    assert other_metric.misses == first.misses + 1  # another metric is another program


def test_builds_of_different_types_with_equal_fields_do_not_share_a_compiled_sweep():
    family = mc.setting_family(mc.two_mode_setting(dim=8, inner=0.3, gen_width=2, disc_width=2), gen_norm=0.1,
                               disc_norm=0.1)
    impostor = type("Impostor", (type(family.build),), {})(*family.build)
    assert impostor == family.build  # tuples compare by their fields: the cache key must also hold the type
    points = runner.grid(eta_g=[0.01], eta_d=[0.02], seed=[0])
    runner.sweep(family, mc.sgda, None, points, num_steps=2)
    misses = runner._compiled_family_sweep.cache_info().misses
    runner.sweep(family._replace(build=impostor), mc.sgda, None, points, num_steps=2)
    assert runner._compiled_family_sweep.cache_info().misses == misses + 1


@pytest.mark.parametrize(
    "points, message",
    [
        (runner.grid(eta_g=[0.1], eta_d=[0.1], dim=[32]), r"dim must hold integers in \[2, 16\]"),
        (runner.grid(eta_g=[0.1], eta_d=[0.1], inner=[1.0]), r"inner must lie in the open interval \(0, 1\)"),
        (runner.grid(eta_g=[-0.1], eta_d=[0.1]), r"eta_g must be a finite number > 0; got -0.1"),
    ],
)
def test_bad_game_axes_raise_before_compiling(points, message):
    family = mc.setting_family(mc.two_mode_setting(16, 0.3, 4, 2), gen_norm=0.1, disc_norm=0.1)
    with pytest.raises(ValueError, match=message):
        runner.sweep(family, mc.sgda, None, points, num_steps=10)


def test_a_family_sweep_shards_over_devices_with_the_same_numbers(run_with_host_devices):
    import textwrap

    code = textwrap.dedent(
        """
        import jax, numpy as np
        from minimax import runner
        from minimax.gan import mode_collapse as mc
        setting = mc.two_mode_setting(dim=16, inner=0.3, gen_width=4, disc_width=3, batch_size=8)
        points = runner.grid(eta_g=[0.01, 0.05, 0.1], eta_d=[0.02], seed=[0])  # 3 runs: padded on 2 devices
        family = mc.setting_family(setting, gen_norm=0.2, disc_norm=0.3)
        result = runner.sweep(family, mc.nsgda, None, points, num_steps=20, log_every=10)
        print(jax.device_count())
        np.save(__import__("sys").argv[1], np.asarray(result.metrics["shares"]))
        """
    )
    outputs = {devices: run_with_host_devices(code, devices) for devices in (1, 2)}
    assert outputs[2].shape == (3, 3, 3)
    np.testing.assert_allclose(outputs[2], outputs[1], rtol=1e-5, atol=1e-7)
