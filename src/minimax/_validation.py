"""Checks of user input that run before anything is traced or compiled.

Every check raises ``ValueError`` naming the parameter, the value received and what is accepted.
Values that are JAX tracers (a hyper-parameter swept under ``vmap``) cannot be inspected and are
let through: sweeps validate their grids concretely before compiling (see :func:`minimax.runner.sweep`).
"""

from __future__ import annotations

from collections.abc import Iterable

import jax
import numpy as np


def _is_traced(value) -> bool:
    return isinstance(value, jax.core.Tracer)


def _concrete_values(value) -> np.ndarray | None:
    if _is_traced(value):
        return None
    return np.asarray(value, dtype=float)


def check_positive(name: str, value) -> None:
    """Require every entry of ``value`` to be a finite number > 0."""
    values = _concrete_values(value)
    if values is None:
        return
    if values.size == 0 or not np.all(np.isfinite(values)) or not np.all(values > 0):
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}.")


def check_nonnegative(name: str, value) -> None:
    """Require every entry of ``value`` to be a finite number >= 0."""
    values = _concrete_values(value)
    if values is None:
        return
    if not np.all(np.isfinite(values)) or not np.all(values >= 0):
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}.")


def check_open_interval(name: str, value, low: float, high: float) -> None:
    """Require every entry of ``value`` to lie in the open interval (low, high)."""
    values = _concrete_values(value)
    if values is None:
        return
    if not np.all(np.isfinite(values)) or not np.all((values > low) & (values < high)):
        raise ValueError(f"{name} must lie in the open interval ({low:g}, {high:g}); got {value!r}.")


def check_decay(name: str, value) -> None:
    """Require every entry of ``value`` to lie in [0, 1), the range of a moving-average decay."""
    values = _concrete_values(value)
    if values is None:
        return
    if not np.all(np.isfinite(values)) or not np.all((values >= 0) & (values < 1)):
        raise ValueError(f"{name} must lie in [0, 1); got {value!r}.")


def check_choice(name: str, value, accepted: Iterable[str]) -> None:
    """Require ``value`` to be one of the ``accepted`` names."""
    accepted = tuple(accepted)
    if value not in accepted:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, accepted))}; got {value!r}.")


def check_positive_int(name: str, value) -> None:
    """Require a Python integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")


def check_finite_tree(name: str, tree) -> None:
    """Require every leaf of a concrete pytree to be finite."""
    for leaf in jax.tree_util.tree_leaves(tree):
        if _is_traced(leaf):
            continue
        array = np.asarray(leaf)
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite everywhere; got non-finite values in {array!r}.")


def check_same_structure(name: str, tree, reference, reference_name: str) -> None:
    """Require ``tree`` to have the structure and leaf shapes of ``reference``."""
    tree_def, ref_def = jax.tree_util.tree_structure(tree), jax.tree_util.tree_structure(reference)
    if tree_def != ref_def:
        raise ValueError(f"{name} must have the structure of {reference_name} ({ref_def}); got {tree_def}.")
    for leaf, ref in zip(jax.tree_util.tree_leaves(tree), jax.tree_util.tree_leaves(reference)):
        if np.shape(leaf) != np.shape(ref):
            raise ValueError(
                f"{name} must have the shapes of {reference_name}: expected {np.shape(ref)}, got {np.shape(leaf)}."
            )


def check_options(kind: str, options) -> tuple:
    """Require a non-empty sequence (of rules, schemes, ...) and return it as a tuple."""
    options = tuple(options)
    if not options:
        raise ValueError(f"options must be a non-empty sequence of {kind}; got {options!r}.")
    return options


def check_option_index(name: str, value, num_options: int) -> None:
    """Require an index into ``num_options`` options: an integer (or a boolean, or a float with an integer value)
    from 0 to ``num_options - 1``. Traced values are not checked."""
    values = _concrete_values(value)
    if values is None:
        return
    if values.shape != () or not np.isfinite(values) or values != np.round(values) or not 0 <= values < num_options:
        raise ValueError(f"{name} must be an integer from 0 to {num_options - 1} (one of the {num_options} options); "
                         f"got {value!r}.")
