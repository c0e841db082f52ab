"""How fast is one compiled sweep of GAN runs on this machine's CPU?

Times N GAN-sized runs (MLP generator and discriminator on the 8-Gaussian ring, Adam, simultaneous
updates) done four ways, for width 32 / batch 64 and width 128 / batch 256:

* ``jax sweep``             -- ``minimax.runner.sweep``: one ``jit(vmap(scan))`` over the N runs, on one
                               XLA CPU device (JAX's default);
* ``jax sweep, C devices``  -- the same call with the machine's C cores exposed as C XLA host devices
                               (``--xla_force_host_platform_device_count=C``), so that ``sweep`` shards
                               the runs across them;
* ``jax loop``              -- baseline (a): a Python loop over runs and steps calling one jitted step
                               function (state in, state out), ``block_until_ready`` after every step;
* ``torch eager``           -- baseline (b): the same runs in PyTorch eager mode (``nn.Sequential`` with
                               ReLU, one ``torch.optim.Adam`` per player and run, both players'
                               gradients taken at the same point, then both optimizers step), skipped
                               when torch is not installed (``pip install -e .[bench]``).

It reports run-steps per second (runs x steps / wall time, compile excluded; compile is timed apart),
the ratios to PyTorch, and the achieved FLOP/s of the step's matrix products against this machine's
measured matmul FLOP/s (a jitted float32 1024 x 1024 x 1024 product, and a batched product shaped like
the workload's). Each measurement runs in a fresh process; each time is the best of ``--repeats``
repetitions, and the CPU time used by *other* processes during it is recorded (this is often a shared
machine: numbers taken while it is busy are slower, never faster).

Usage (about 2.5 minutes on 2 idle cores)::

    python benchmarks/sweep_benchmark.py                 # or: make bench
    python benchmarks/sweep_benchmark.py --quick         # a smoke test, seconds, numbers meaningless

It prints a markdown table and writes ``benchmarks/results/sweep_benchmark.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "benchmarks" / "results" / "sweep_benchmark.json"
CONFIGS = ((32, 64), (128, 256))  # (width, batch)
LATENT_DIM, DATA_DIM = 2, 2
LEARNING_RATE = 1e-3

# The issue's targets on 2 CPU cores.
TARGET_SPEEDUP_SMALL = 20.0  # jax sweep / torch eager at width 32, batch 64
TARGET_SPEEDUP_LARGE = 2.5  # jax sweep / torch eager at width 128, batch 256
TARGET_PEAK_FRACTION = 0.5  # achieved / measured 1024^3 matmul FLOP/s at width 128, batch 256


# ----------------------------------------------------------------------------------------------------
# FLOP count
# ----------------------------------------------------------------------------------------------------


def mlp_forward_flops(sizes, batch: int) -> int:
    """Matrix-product FLOPs of one forward pass: 2 * batch * fan_in * fan_out per layer."""
    return sum(2 * batch * fan_in * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))


def step_flops(width: int, batch: int) -> int:
    """Matrix-product FLOPs of one simultaneous GAN step of one run.

    A step evaluates three networks on a batch: G(z), D(x_real) and D(G(z)). With the usual convention
    that forward + backward costs 3x the forward matrix products, the count is 3 * (F_G + 2 F_D). It
    ignores biases, activations, losses, the Adam update and sampling (all O(parameters) or O(batch)),
    and it slightly *under*-counts: the non-saturating generator loss needs a second backward pass
    through D(G(z)) (input gradients only, about one more F_D), so achieved FLOP/s are conservative.
    """
    generator = mlp_forward_flops((LATENT_DIM, width, width, DATA_DIM), batch)
    discriminator = mlp_forward_flops((DATA_DIM, width, width, 1), batch)
    return 3 * (generator + 2 * discriminator)


# ----------------------------------------------------------------------------------------------------
# Measuring time and the machine's other load
# ----------------------------------------------------------------------------------------------------


def _busy_ticks() -> int | None:
    """Busy CPU time of the whole machine (all processes), in clock ticks, from /proc/stat."""
    try:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = values
    return user + nice + system + irq + softirq + steal


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# Set by the worker from --patience / --max-other-load (module-level so every timed() call sees them).
PATIENCE_SECONDS = 0.0
MAX_OTHER_LOAD = 0.1


def timed(function, repeats: int) -> dict:
    """Best wall time of ``function()`` over ``repeats`` *clean* repetitions.

    A repetition is clean when other processes used at most ``MAX_OTHER_LOAD`` of the machine's CPU time
    while it ran. Contaminated repetitions are repeated for up to ``PATIENCE_SECONDS`` more; after that
    the best of all repetitions is kept and flagged by its ``other_cpu_share``.
    """
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    cores = len(os.sched_getaffinity(0))
    samples = []
    started = time.monotonic()
    while True:
        busy, own = _busy_ticks(), _own_cpu_seconds()
        start = time.perf_counter()
        function()
        wall = time.perf_counter() - start
        busy_after, own_after = _busy_ticks(), _own_cpu_seconds()
        other = None
        if busy is not None and busy_after is not None:
            other_seconds = (busy_after - busy) / ticks_per_second - (own_after - own)
            other = max(0.0, other_seconds / (wall * cores))
        samples.append((wall, other))
        clean = [sample for sample in samples if sample[1] is None or sample[1] <= MAX_OTHER_LOAD]
        if len(clean) >= repeats:
            break
        if len(samples) >= repeats and time.monotonic() - started > PATIENCE_SECONDS:
            break
    wall, other = min(clean or samples)
    return {"seconds": wall, "all_seconds": [s[0] for s in samples], "all_other_cpu_share": [s[1] for s in samples],
            "other_cpu_share": other, "clean_repeats": len(clean)}


# ----------------------------------------------------------------------------------------------------
# Workers (each runs in its own process)
# ----------------------------------------------------------------------------------------------------


def _jax_setup(width: int, batch: int):
    import jax
    import jax.numpy as jnp

    from minimax import gan, rules, schemes

    mixture = gan.ring()
    game = gan.gan_game(mixture, gan.mlp_apply, gan.mlp_apply, latent_dim=LATENT_DIM, batch_size=batch)

    @jax.jit
    def init(key):
        key_x, key_y = jax.random.split(key)
        return (gan.mlp_init(key_x, [LATENT_DIM, width, width, DATA_DIM]),
                gan.mlp_init(key_y, [DATA_DIM, width, width, 1]))

    def make_scheme(learning_rate):
        return schemes.simultaneous(rules.adam(learning_rate))

    def losses(game, state, key):
        batch_ = game.sample(key)
        return {"loss_x": game.loss_x(state.x, state.y, batch_), "loss_y": game.loss_y(state.x, state.y, batch_)}

    return jax, jnp, game, init, make_scheme, losses


def worker_jax_sweep(args) -> dict:
    jax, jnp, game, init, make_scheme, losses = _jax_setup(args.width, args.batch)
    import numpy as np

    from minimax import runner

    points = runner.grid(learning_rate=[LEARNING_RATE], seed=range(args.runs))
    results = []

    def one_sweep():
        result = runner.sweep(game, make_scheme, init, points, args.steps, log_every=args.steps, metrics=losses)
        jax.block_until_ready(result)
        results.append(result)

    start = time.perf_counter()
    one_sweep()
    first = time.perf_counter() - start
    timing = timed(one_sweep, args.repeats)
    final = results[-1]
    return {
        **timing,
        "compile_seconds": max(0.0, first - timing["seconds"]),
        "first_call_seconds": first,
        "devices": len(jax.devices()),
        "finite": bool(np.all(np.isfinite(np.asarray(final.metrics["loss_y"])))) and not bool(np.any(final.diverged)),
    }


def worker_jax_loop(args) -> dict:
    jax, jnp, game, init, make_scheme, losses = _jax_setup(args.width, args.batch)
    import numpy as np

    scheme = make_scheme(LEARNING_RATE)

    def step(state, key):
        key, step_key = jax.random.split(key)
        return scheme.step(game, state, step_key), key

    step = jax.jit(step, donate_argnums=(0, 1))
    init_state = jax.jit(lambda key: scheme.init(*init(key)))
    finals = []

    def all_runs(num_steps):
        for run in range(args.runs):
            key = jax.random.PRNGKey(run)
            state = init_state(key)
            for _ in range(num_steps):
                state, key = step(state, key)
                jax.block_until_ready(state)
            finals.append(state)

    start = time.perf_counter()
    state = init_state(jax.random.PRNGKey(0))
    jax.block_until_ready(step(state, jax.random.PRNGKey(0)))
    compile_seconds = time.perf_counter() - start
    timing = timed(lambda: all_runs(args.steps), args.repeats)
    final = finals[-1]
    loss = losses(game, final, jax.random.PRNGKey(1))["loss_y"]
    return {**timing, "compile_seconds": compile_seconds, "finite": bool(np.isfinite(float(loss)))}


def worker_torch(args) -> dict:
    import math

    import torch

    torch.set_num_threads(args.threads)
    functional = torch.nn.functional
    angles = 2 * math.pi * torch.arange(8, dtype=torch.float32) / 8
    means = 2.0 * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    std = 0.02
    width, batch = args.width, args.batch

    def mlp(fan_in, fan_out):
        return torch.nn.Sequential(
            torch.nn.Linear(fan_in, width), torch.nn.ReLU(),
            torch.nn.Linear(width, width), torch.nn.ReLU(),
            torch.nn.Linear(width, fan_out),
        )

    def adam(params):
        # The fastest Adam torch offers on CPU (fused kernels; else multi-tensor); its default
        # single-tensor implementation is slower. Same hyper-parameters as optax.adam.
        options = {"lr": LEARNING_RATE, "betas": (0.9, 0.999), "eps": 1e-8}
        if args.torch_adam == "fused":
            return torch.optim.Adam(params, fused=True, **options)
        if args.torch_adam == "foreach":
            return torch.optim.Adam(params, foreach=True, **options)
        return torch.optim.Adam(params, **options)

    finals = []

    def one_run(seed, num_steps):
        torch.manual_seed(seed)
        generator, discriminator = mlp(LATENT_DIM, DATA_DIM), mlp(DATA_DIM, 1)
        params_g, params_d = list(generator.parameters()), list(discriminator.parameters())
        optimizer_g, optimizer_d = adam(params_g), adam(params_d)
        for _ in range(num_steps):
            with torch.no_grad():
                real = means[torch.randint(0, 8, (batch,))] + std * torch.randn(batch, DATA_DIM)
                latent = torch.randn(batch, LATENT_DIM)
            real_logits = discriminator(real)
            fake_logits = discriminator(generator(latent))
            loss_d = functional.softplus(-real_logits).mean() + functional.softplus(fake_logits).mean()
            loss_g = functional.softplus(-fake_logits).mean()  # non-saturating
            # Simultaneous: both gradients at the current point, then both players step.
            grads_g = torch.autograd.grad(loss_g, params_g, retain_graph=True)
            grads_d = torch.autograd.grad(loss_d, params_d)
            for param, grad in zip(params_g, grads_g):
                param.grad = grad
            for param, grad in zip(params_d, grads_d):
                param.grad = grad
            optimizer_g.step()
            optimizer_d.step()
        finals.append(float(loss_d))

    one_run(0, 5)  # warm-up: allocator, kernels
    timing = timed(lambda: [one_run(run, args.steps) for run in range(args.runs)], args.repeats)

    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    torch.mm(a, b)
    mm = timed(lambda: [torch.mm(a, b) for _ in range(8)], 10)
    return {
        **timing,
        "finite": all(math.isfinite(v) for v in finals),
        "adam": args.torch_adam,
        "threads": torch.get_num_threads(),
        "mm1024_gflops": 8 * 2 * 1024**3 / mm["seconds"] / 1e9,
    }


def worker_matmul(args) -> dict:
    import jax
    import jax.numpy as jnp

    def rate(flops, seconds):
        return flops / seconds / 1e9

    a = jax.random.normal(jax.random.PRNGKey(0), (1024, 1024), jnp.float32)
    b = jax.random.normal(jax.random.PRNGKey(1), (1024, 1024), jnp.float32)
    product = jax.jit(lambda a, b: a @ b)
    jax.block_until_ready(product(a, b))
    products = 8  # per timed call, so that one call lasts long enough (~0.1 s) to time and to check the load

    def eight_products():
        jax.block_until_ready([product(a, b) for _ in range(products)])

    large = timed(eight_products, 10)
    out = {"mm1024": {**large, "gflops": rate(products * 2 * 1024**3, large["seconds"])}}

    # Workload-shaped: the batched (runs, batch, width) @ (runs, width, width) products of the sweep,
    # chained in a compiled loop (x <- x Q with Q orthogonal, so values stay bounded); with several
    # devices the runs axis is sharded across them, as the sweep shards its runs.
    sharding = None
    if len(jax.devices()) > 1:
        import numpy as np
        from jax.sharding import Mesh, NamedSharding, PartitionSpec

        sharding = NamedSharding(Mesh(np.asarray(jax.devices()), ("runs",)), PartitionSpec("runs"))
    for width, batch in CONFIGS:
        x = jax.random.normal(jax.random.PRNGKey(2), (args.runs, batch, width), jnp.float32)
        q = jnp.linalg.qr(jax.random.normal(jax.random.PRNGKey(3), (args.runs, width, width), jnp.float32))[0]
        if sharding is not None:
            x, q = jax.device_put(x, sharding), jax.device_put(q, sharding)
        flops_each = 2 * args.runs * batch * width * width
        iterations = max(10, int(4e9 / flops_each))
        # Each closure below is compiled and timed within this iteration: B023's late binding cannot bite.
        chain = jax.jit(lambda x, q: jax.lax.fori_loop(
            0, iterations, lambda i, h: jnp.einsum("rbk,rkn->rbn", h, q), x))  # noqa: B023
        jax.block_until_ready(chain(x, q))
        shaped = timed(lambda: jax.block_until_ready(chain(x, q)), 3)  # noqa: B023
        out[f"batched_{width}_{batch}"] = {
            **shaped,
            "shape": f"({args.runs}, {batch}, {width}) @ ({args.runs}, {width}, {width})",
            "gflops": rate(flops_each * iterations, shaped["seconds"]),
        }
    out["devices"] = len(jax.devices())
    return out


WORKERS = {"jax-sweep": worker_jax_sweep, "jax-loop": worker_jax_loop, "torch": worker_torch, "matmul": worker_matmul}


# ----------------------------------------------------------------------------------------------------
# Orchestration
# ----------------------------------------------------------------------------------------------------


def _other_cpu_share_now(seconds: float = 2.0) -> float | None:
    before = _busy_ticks()
    if before is None:
        return None
    time.sleep(seconds)
    return (_busy_ticks() - before) / os.sysconf("SC_CLK_TCK") / (seconds * os.cpu_count())


def wait_until_quiet(max_seconds: float, threshold: float) -> float | None:
    """Wait (up to ``max_seconds``) until other processes use less than ``threshold`` of the CPUs."""
    deadline = time.monotonic() + max_seconds
    share = _other_cpu_share_now(1.0)
    while share is not None and share > threshold and time.monotonic() < deadline:
        share = _other_cpu_share_now(2.0)
    return share


def run_worker(name: str, args, width=None, batch=None, devices: int = 1) -> dict:
    if args.wait_quiet > 0:
        wait_until_quiet(args.wait_quiet, args.max_other_load)
    env = dict(os.environ)
    flags = [f for f in env.get("XLA_FLAGS", "").split() if "xla_force_host_platform_device_count" not in f]
    if devices > 1:
        flags.append(f"--xla_force_host_platform_device_count={devices}")
    env["XLA_FLAGS"] = " ".join(flags)
    env.setdefault("JAX_PLATFORMS", "cpu")
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--runs", str(args.runs),
               "--steps", str(args.steps), "--repeats", str(args.repeats), "--threads", str(args.threads),
               "--torch-adam", args.torch_adam, "--patience", str(args.patience),
               "--max-other-load", str(args.max_other_load)]
    if width is not None:
        command += ["--width", str(width), "--batch", str(batch)]
    label = f"{name}" + (f" width {width} batch {batch}" if width else "") + (f" ({devices} devices)" if devices > 1 else "")
    print(f"  running {label} ...", file=sys.stderr, flush=True)
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"worker {label} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def torch_version() -> str | None:
    try:
        import importlib.metadata

        return importlib.metadata.version("torch")
    except Exception:  # noqa: BLE001 - any failure means "not installed"
        return None


def machine_info(args) -> dict:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import importlib.metadata as metadata

    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "jax": metadata.version("jax"),
        "jaxlib": metadata.version("jaxlib"),
        "optax": metadata.version("optax"),
        "torch": torch_version(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": list(os.getloadavg()),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "threads": {
            "torch": f"torch.set_num_threads({args.threads})",
            "jax": "XLA:CPU default (its intra-op thread pool spans all cores); no XLA flags except the "
            "host device count of the multi-device rows",
        },
    }


def summarize(args, machine, matmul, matmul_sharded, measured) -> dict:
    peak = matmul["mm1024"]["gflops"]
    configs = []
    for (width, batch), rows in zip(CONFIGS, measured):
        flops = step_flops(width, batch)
        torch_rate = None
        out_rows = []
        for method, row in rows:
            run_steps = args.runs * args.steps / row["seconds"]
            if method == "torch eager":
                torch_rate = run_steps
            out_rows.append({"method": method, "run_steps_per_second": run_steps,
                             "gflops": run_steps * flops / 1e9, **row})
        key = f"batched_{width}_{batch}"
        shaped = matmul[key]["gflops"]
        shaped_sharded = matmul_sharded[key]["gflops"] if matmul_sharded else None
        for row in out_rows:
            row["speedup_vs_torch"] = row["run_steps_per_second"] / torch_rate if torch_rate else None
            row["fraction_of_mm1024"] = row["gflops"] / peak
            reference = shaped_sharded if row.get("devices", 1) > 1 else shaped
            row["fraction_of_batched_matmul"] = row["gflops"] / reference
        configs.append({"width": width, "batch": batch, "flops_per_run_step": flops,
                        "batched_matmul_gflops": shaped, "batched_matmul_sharded_gflops": shaped_sharded,
                        "rows": out_rows})

    def jax_rows(config):
        return [row for row in config["rows"] if row["method"].startswith("jax sweep")]

    verdicts = []
    small, large = configs
    for row in jax_rows(small):
        ratio = row["speedup_vs_torch"]
        verdicts.append({"target": f">= {TARGET_SPEEDUP_SMALL:g}x torch eager at width 32 / batch 64",
                         "method": row["method"], "measured": ratio,
                         "met": None if ratio is None else ratio >= TARGET_SPEEDUP_SMALL})
    for row in jax_rows(large):
        ratio = row["speedup_vs_torch"]
        verdicts.append({"target": f">= {TARGET_SPEEDUP_LARGE:g}x torch eager at width 128 / batch 256",
                         "method": row["method"], "measured": ratio,
                         "met": None if ratio is None else ratio >= TARGET_SPEEDUP_LARGE})
    for row in jax_rows(large):
        verdicts.append({"target": f">= {TARGET_PEAK_FRACTION:.0%} of measured 1024^3 matmul FLOP/s at width 128 / batch 256",
                         "method": row["method"], "measured": row["fraction_of_mm1024"],
                         "met": row["fraction_of_mm1024"] >= TARGET_PEAK_FRACTION})
    return {
        "machine": machine,
        "settings": {"runs": args.runs, "steps": args.steps, "repeats": args.repeats, "latent_dim": LATENT_DIM,
                     "learning_rate": LEARNING_RATE, "data": "ring of 8 Gaussians, radius 2, std 0.02",
                     "loss": "non-saturating", "scheme": "simultaneous", "rule": "Adam (both players)",
                     "quick": args.quick},
        "flop_count": "3 * (F_G + 2 F_D) per run-step, F = 2 * batch * sum(fan_in * fan_out) of a forward pass",
        "matmul": matmul,
        "matmul_sharded": matmul_sharded,
        "configs": configs,
        "verdicts": verdicts,
    }


def _fmt(value, spec, missing="--"):
    return missing if value is None else format(value, spec)


def markdown(summary) -> str:
    machine, settings = summary["machine"], summary["settings"]
    peak = summary["matmul"]["mm1024"]["gflops"]
    shapes = {(w, b): summary["matmul"][f"batched_{w}_{b}"]["shape"] for w, b in CONFIGS}
    lines = [
        f"Machine: {machine['cpu']}, {machine['cores']} cores; jax {machine['jax']}, "
        f"torch {machine['torch'] or 'not installed'}; {machine['date']}.",
        f"{settings['runs']} runs x {settings['steps']} steps per measurement, best of {settings['repeats']}."
        + (" QUICK MODE: numbers are not meaningful." if settings["quick"] else ""),
        "",
        f"Measured matmul: {peak:.1f} GFLOP/s (jitted float32 1024x1024x1024); "
        + "; ".join(f"{c['batched_matmul_gflops']:.1f} GFLOP/s batched {shapes[(c['width'], c['batch'])]}"
                    + (f" ({c['batched_matmul_sharded_gflops']:.1f} sharded over "
                       f"{summary['matmul_sharded']['devices']} devices)" if c["batched_matmul_sharded_gflops"] else "")
                    for c in summary["configs"])
        + ".",
        "",
        "| width / batch | method | run-steps/s | vs torch | GFLOP/s | % of 1024³ matmul | % of batched matmul | compile (s) | other load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for config in summary["configs"]:
        for row in config["rows"]:
            lines.append(
                f"| {config['width']} / {config['batch']} | {row['method']} | {row['run_steps_per_second']:,.0f} | "
                f"{_fmt(row['speedup_vs_torch'], '.1f')}{'x' if row['speedup_vs_torch'] else ''} | {row['gflops']:.1f} | "
                f"{100 * row['fraction_of_mm1024']:.0f}% | {100 * row['fraction_of_batched_matmul']:.0f}% | "
                f"{_fmt(row.get('compile_seconds'), '.1f')} | {_fmt(row.get('other_cpu_share'), '.0%')} |"
            )
    lines += ["", "| target | method | measured | verdict |", "|---|---|---:|---|"]
    for verdict in summary["verdicts"]:
        measured = verdict["measured"]
        if verdict["met"] is None:
            shown, status = "--", "not measured (torch missing)"
        else:
            shown = f"{measured:.0%}" if "matmul" in verdict["target"] else f"{measured:.1f}x"
            status = "met" if verdict["met"] else "MISSED"
        lines.append(f"| {verdict['target']} | {verdict['method']} | {shown} | {status} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=16, help="runs per sweep (default 16)")
    parser.add_argument("--steps", type=int, default=200, help="steps per run (default 200)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions; the best is kept (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--torch-adam", choices=("fused", "foreach", "default"), default="fused",
                        help="torch Adam implementation (default fused, torch's fastest on CPU)")
    parser.add_argument("--devices", type=int, default=None,
                        help="XLA host devices of the multi-device sweep row (default: the number of cores; 1 skips it)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch baseline")
    parser.add_argument("--wait-quiet", type=float, default=0.0,
                        help="before each measurement, wait up to this many seconds for other processes to go idle")
    parser.add_argument("--patience", type=float, default=0.0,
                        help="per measurement, keep repeating for up to this many seconds until --repeats "
                        "repetitions ran with other processes nearly idle (default 0: no retries)")
    parser.add_argument("--max-other-load", type=float, default=0.1,
                        help="a repetition is clean when other processes used at most this share of the CPUs")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 4 runs, 10 steps, 1 repeat")
    parser.add_argument("--output", type=Path, default=None,
                        help=f"where to write the JSON results (default {DEFAULT_OUTPUT.relative_to(ROOT)}; "
                        "--quick writes nothing unless given)")
    parser.add_argument("--worker", choices=tuple(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--width", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name in ("runs", "steps", "repeats", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be an integer >= 1; got {getattr(args, name)}.")

    if args.worker:
        global PATIENCE_SECONDS, MAX_OTHER_LOAD
        PATIENCE_SECONDS, MAX_OTHER_LOAD = args.patience, args.max_other_load
        print(json.dumps(WORKERS[args.worker](args)))
        return 0

    if args.quick:
        args.runs, args.steps, args.repeats = 4, 10, 1
    cores = len(os.sched_getaffinity(0))
    devices = cores if args.devices is None else args.devices
    has_torch = torch_version() is not None and not args.no_torch
    machine = machine_info(args)
    print(f"Benchmarking on {machine['cpu']} ({cores} cores); torch: {machine['torch'] or 'absent, skipped'}",
          file=sys.stderr)
    started = time.perf_counter()

    measured = []
    for width, batch in CONFIGS:
        rows = [("jax sweep", run_worker("jax-sweep", args, width, batch, devices=1))]
        if devices > 1:
            rows.append((f"jax sweep, {devices} devices", run_worker("jax-sweep", args, width, batch, devices=devices)))
        rows.append(("jax loop", run_worker("jax-loop", args, width, batch)))
        if has_torch:
            torch_row = run_worker("torch", args, width, batch)
            machine["torch_mm1024_gflops"] = torch_row.pop("mm1024_gflops")
            rows.append(("torch eager", torch_row))
        measured.append(rows)
    matmul = run_worker("matmul", args)
    matmul_sharded = run_worker("matmul", args, devices=devices) if devices > 1 else None

    summary = summarize(args, machine, matmul, matmul_sharded, measured)
    summary["machine"]["load_average_at_end"] = list(os.getloadavg())
    summary["total_seconds"] = time.perf_counter() - started
    table = markdown(summary)
    summary["markdown"] = table
    print(table)
    for config in summary["configs"]:
        for row in config["rows"]:
            if not row.get("finite", True):
                print(f"WARNING: {row['method']} at width {config['width']} produced non-finite losses.", file=sys.stderr)
            share = row.get("other_cpu_share")
            if share is not None and share > 0.1:
                print(f"WARNING: other processes used {share:.0%} of the CPUs during {row['method']} at width "
                      f"{config['width']}; its time is unreliable. Re-run on an idle machine, or with "
                      "--wait-quiet 120 --patience 300.", file=sys.stderr)
    missed = [v for v in summary["verdicts"] if v["met"] is False]
    for verdict in missed:
        print(f"TARGET MISSED: {verdict['target']} ({verdict['method']})", file=sys.stderr)
    output = args.output if args.output is not None or args.quick else DEFAULT_OUTPUT
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(summary, indent=2) + "\n")
        print(f"\nwrote {output}", file=sys.stderr)
    print(f"total {summary['total_seconds']:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
