"""Checks of user input that run before anything is traced or compiled.

Every check raises an error naming the parameter, the value received and what is accepted: a
``ValueError`` for a value out of range, an :class:`ArgumentTypeError` (a ``TypeError`` that is also a
``ValueError``) for a value of the wrong kind, such as a string or a bool where a number goes.
Values that are JAX tracers (a hyper-parameter swept under ``vmap``) cannot be inspected and are
let through once their dtype fits: sweeps validate their grids concretely before compiling (see
:func:`minimax.runner.sweep`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import jax
import jax.numpy as jnp
import numpy as np
import optax

MAX_SEED = 2**32  # PRNGKey keeps the low 32 bits of a seed: 0, 2**32 and 2**40 would give the same runs


class ArgumentTypeError(TypeError, ValueError):
    """A parameter of the wrong kind; a ``ValueError`` too, like every other bad-input error of the library."""


def _is_traced(value) -> bool:
    return isinstance(value, jax.core.Tracer)


def _kind(value) -> str:
    """`` (a str)``, `` (a bool, not a number)``...: what the value is, for the error message."""
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, (np.ndarray, jax.Array)) and value.dtype == bool):
        return " (a bool, not a number)"
    if isinstance(value, (np.ndarray, jax.Array)):
        return f" (an array of dtype {value.dtype})"
    return f" (a {type(value).__name__})"


def _type_error(name: str, value, accepted: str) -> ArgumentTypeError:
    return ArgumentTypeError(f"{name} must be {accepted}; got {value!r}{_kind(value)}.")


def _is_real_dtype(dtype) -> bool:
    return jnp.issubdtype(dtype, jnp.integer) or jnp.issubdtype(dtype, jnp.floating)


def _is_real(value) -> bool:
    """A real number or an array of them (NumPy, JAX, or a tracer): no bools, strings, lists or complex numbers."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    return isinstance(value, (np.ndarray, jax.Array)) and _is_real_dtype(value.dtype)


def _concrete_values(name: str, value, accepted: str) -> np.ndarray | None:
    """``value`` as a float array, or None when it is traced; a value that is not real numbers is an error."""
    if not _is_real(value):
        raise _type_error(name, value, accepted)
    if _is_traced(value):
        return None
    return np.asarray(value, dtype=float)


def check_number(name: str, value, accepted: str = "a number") -> None:
    """Require a real number (or an array of them, or a tracer); NaN and infinities are let through."""
    _concrete_values(name, value, accepted)


def _list_array(value) -> np.ndarray | None:
    """A list or tuple as a NumPy array of real numbers, or None when it is not one (ragged, strings, bools...)."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        return None
    return array if array.size == 0 or _is_real_dtype(array.dtype) else None


def check_numbers(name: str, value, accepted: str = "a number or an array of numbers") -> np.ndarray:
    """Require real numbers, also as a list or tuple; returns them as a float array (not for traced values)."""
    array = _list_array(value) if isinstance(value, (list, tuple)) else None
    if array is None and (not _is_real(value) or _is_traced(value)):
        raise _type_error(name, value, accepted)
    return np.asarray(value if array is None else array, dtype=float)


def check_positive(name: str, value) -> None:
    """Require every entry of ``value`` to be a finite number > 0."""
    values = _concrete_values(name, value, "a finite number > 0")
    if values is None:
        return
    if values.size == 0 or not np.all(np.isfinite(values)) or not np.all(values > 0):
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}.")


def check_step_size(name: str, value) -> None:
    """Require a step size: a finite number > 0 (possibly traced), or an optax schedule (a callable of the step count)."""
    if callable(value) and not hasattr(value, "shape"):
        return
    values = _concrete_values(name, value, "a finite number > 0 or a schedule (a callable of the step count)")
    if values is None:
        return
    if values.size == 0 or not np.all(np.isfinite(values)) or not np.all(values > 0):
        raise ValueError(f"{name} must be a finite number > 0 or a schedule (a callable of the step count); "
                         f"got {value!r}.")


def check_nonnegative(name: str, value) -> None:
    """Require every entry of ``value`` to be a finite number >= 0."""
    values = _concrete_values(name, value, "a finite number >= 0")
    if values is None:
        return
    if not np.all(np.isfinite(values)) or not np.all(values >= 0):
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}.")


def check_finite(name: str, value) -> None:
    """Require every entry of ``value`` to be a finite number."""
    values = _concrete_values(name, value, "a finite number")
    if values is not None and not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be a finite number; got {value!r}.")


def check_open_interval(name: str, value, low: float, high: float) -> None:
    """Require every entry of ``value`` to lie in the open interval (low, high)."""
    values = _concrete_values(name, value, f"a number in the open interval ({low:g}, {high:g})")
    if values is None:
        return
    if not np.all(np.isfinite(values)) or not np.all((values > low) & (values < high)):
        raise ValueError(f"{name} must lie in the open interval ({low:g}, {high:g}); got {value!r}.")


def check_decay(name: str, value) -> None:
    """Require every entry of ``value`` to lie in [0, 1), the range of a moving-average decay."""
    values = _concrete_values(name, value, "a number in [0, 1)")
    if values is None:
        return
    if not np.all(np.isfinite(values)) or not np.all((values >= 0) & (values < 1)):
        raise ValueError(f"{name} must lie in [0, 1); got {value!r}.")


def check_choice(name: str, value, accepted: Iterable[str]) -> None:
    """Require ``value`` to be one of the ``accepted`` names."""
    accepted = tuple(accepted)
    if not isinstance(value, str) or value not in accepted:
        error = ArgumentTypeError if not isinstance(value, str) else ValueError
        raise error(f"{name} must be one of {', '.join(map(repr, accepted))}; got {value!r}.")


def _is_integer(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_integer(name: str, value) -> None:
    """Require a Python or NumPy integer (not a bool, not a float)."""
    if not _is_integer(value):
        raise _type_error(name, value, "an integer")


def check_positive_int(name: str, value) -> None:
    """Require a Python or NumPy integer >= 1 (not a bool, not a float)."""
    if not _is_integer(value):
        raise _type_error(name, value, "an integer >= 1")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")


def check_nonnegative_int(name: str, value) -> None:
    """Require a Python or NumPy integer >= 0 (not a bool, not a float)."""
    if not _is_integer(value):
        raise _type_error(name, value, "an integer >= 0")
    if value < 0:
        raise ValueError(f"{name} must be an integer >= 0; got {value!r}.")


def check_seed(name: str, value) -> None:
    """Require a seed: an integer from 0 to 2**32 - 1 (``jax.random.PRNGKey`` keeps only 32 bits)."""
    accepted = f"an integer seed from 0 to 2**32 - 1 = {MAX_SEED - 1}"
    if not _is_integer(value):
        raise _type_error(name, value, accepted)
    if not 0 <= value < MAX_SEED:
        raise ValueError(f"{name} must be {accepted}; got {value!r}.")


def check_seeds(name: str, values) -> None:
    """Require a 1-D array of seeds (see :func:`check_seed`)."""
    values = np.asarray(values)
    accepted = f"integer seeds from 0 to 2**32 - 1 = {MAX_SEED - 1}"
    if not jnp.issubdtype(values.dtype, jnp.integer):
        raise ArgumentTypeError(f"{name} must hold {accepted}; got {values!r}{_kind(values)}.")
    if values.size and not (values.min() >= 0 and values.max() < MAX_SEED):
        shown = values.tolist() if values.size <= 10 else f"values from {values.min()} to {values.max()}"
        raise ValueError(f"{name} must hold {accepted}; got {shown}.")


def check_grid_axis(name: str, values) -> np.ndarray:
    """Require a grid axis: a non-empty list, tuple, range or 1-D array of numbers (seeds for the axis ``seed``)."""
    accepted = "a non-empty 1-D sequence of numbers (a list, tuple, range or 1-D array of values)"
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple, range, np.ndarray, jax.Array)):
        hint = f"; write {name}=[{values!r}]" if _is_real(values) and np.ndim(values) == 0 else ""
        raise ArgumentTypeError(f"grid axis {name} must be {accepted}; got {values!r}{_kind(values)}{hint}.")
    column = _list_array(list(values)) if not isinstance(values, (np.ndarray, jax.Array)) else np.asarray(values)
    if column is None or not (column.size == 0 or _is_real_dtype(column.dtype)):
        raise ArgumentTypeError(f"grid axis {name} must be {accepted}; got {values!r}, not all numbers "
                                f"(bools and strings are not numbers).")
    if column.ndim != 1 or column.size == 0:
        raise ValueError(f"grid axis {name} must be {accepted}; got {values!r}.")
    if name == "seed":
        check_seeds("grid axis seed", column)
    return column


def check_key(name: str, value) -> None:
    """Require a PRNG key: ``jax.random.PRNGKey(seed)`` (uint32, shape ``(2,)``) or ``jax.random.key(seed)``.

    A traced key is checked by its dtype and shape, which tracing keeps."""
    if isinstance(value, (np.ndarray, jax.Array)):
        if jnp.issubdtype(value.dtype, jax.dtypes.prng_key) and value.ndim == 0:
            return
        if value.dtype == jnp.uint32 and value.ndim == 1:
            return
    raise _type_error(name, value, "a PRNG key, e.g. jax.random.PRNGKey(0)")


def check_bool(name: str, value) -> None:
    """Require ``True`` or ``False`` (a NumPy bool too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be True or False; got {value!r} (a {type(value).__name__}).")


def check_bool_like(name: str, value) -> None:
    """Require a verdict: a Python or NumPy bool, or a boolean array of one entry (a comparison of arrays)."""
    if isinstance(value, (bool, np.bool_)):
        return
    if isinstance(value, (np.ndarray, jax.Array)) and value.dtype == bool and value.size == 1 and not _is_traced(value):
        return
    raise ArgumentTypeError(f"{name} must be a bool (e.g. a comparison such as measured < 1); got {value!r}"
                            f" (a {type(value).__name__}).")


def check_string(name: str, value) -> None:
    """Require a ``str``."""
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be a string; got {value!r} (a {type(value).__name__}).")


def check_path(name: str, value) -> None:
    """Require a file or folder path: a ``str`` or an ``os.PathLike`` such as ``pathlib.Path``."""
    if not isinstance(value, (str, os.PathLike)):
        raise ArgumentTypeError(f"{name} must be a path (a str or a pathlib.Path); got {value!r} "
                                f"(a {type(value).__name__}).")


def check_callable(name: str, value, what: str) -> None:
    """Require a function; ``what`` says which, e.g. ``"a function key -> (x0, y0)"``."""
    if not callable(value):
        raise ArgumentTypeError(f"{name} must be {what}; got {value!r} (a {type(value).__name__}).")


def check_sampler(name: str, value) -> None:
    """Require a data set: anything with a ``sample(key, n)`` method, e.g. ``minimax.gan.data.ring()``."""
    if not callable(getattr(value, "sample", None)):
        raise ArgumentTypeError(f"{name} must have a sample(key, n) method, e.g. minimax.gan.data.ring(); got "
                                f"{value!r} (a {type(value).__name__}).")


def check_instance(name: str, value, kind: type, hint: str) -> None:
    """Require an instance of ``kind``; ``hint`` says how to make one."""
    if not isinstance(value, kind):
        raise ArgumentTypeError(f"{name} must be a {kind.__name__} ({hint}); got {value!r} (a {type(value).__name__}).")


def check_rule(name: str, value) -> None:
    """Require an update rule, an :class:`optax.GradientTransformation` (e.g. ``rules.sgd(0.1)``)."""
    check_instance(name, value, optax.GradientTransformation, "an update rule, e.g. minimax.rules.sgd(0.1)")


def check_array(name: str, value, ndim: int | None = None, shape_hint: str = "") -> None:
    """Require an array of real numbers (a list of numbers too; traced arrays let through), with ``ndim`` axes."""
    accepted = "an array of numbers" + (f" of shape {shape_hint}" if shape_hint else "")
    if isinstance(value, (list, tuple)):
        if _list_array(value) is None:
            raise _type_error(name, value, accepted)
    elif not _is_real(value):
        raise _type_error(name, value, accepted)
    if ndim is not None and np.ndim(value) != ndim:
        raise ValueError(f"{name} must be {accepted}; got shape {np.shape(value)}.")


def check_finite_array(name: str, value, ndim: int | None = None, shape_hint: str = "") -> None:
    """:func:`check_array`, and every entry finite (when not traced)."""
    check_array(name, value, ndim, shape_hint)
    if not _is_traced(value) and not np.all(np.isfinite(np.asarray(value, dtype=float))):
        raise ValueError(f"{name} must be finite everywhere (no NaN or inf); got {value!r}.")


def check_matrix(name: str, value, shape_hint: str = "(n, m)") -> None:
    """Require a non-empty 2-D array of finite real numbers (a nested list too)."""
    check_array(name, value, shape_hint=shape_hint)
    if np.ndim(value) != 2 or 0 in np.shape(value):
        raise ValueError(f"{name} must be a 2-D array {shape_hint} with at least one entry; got shape {np.shape(value)}.")
    if not _is_traced(value) and not np.all(np.isfinite(np.asarray(value, dtype=float))):
        raise ValueError(f"{name} must be finite (no NaN or inf); got {value!r}.")


def check_finite_tree(name: str, tree) -> None:
    """Require every leaf of a concrete pytree to be finite."""
    for leaf in jax.tree_util.tree_leaves(tree):
        if not _is_real(leaf):
            raise _type_error(name, leaf, "a pytree of arrays of numbers (each leaf an array or a number)")
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


def check_options(kind: str, options, name: str = "options") -> tuple:
    """Require a non-empty sequence (of rules, schemes, ...) and return it as a tuple."""
    if not isinstance(options, (list, tuple)):
        raise _type_error(name, options, f"a non-empty list or tuple of {kind}")
    options = tuple(options)
    if not options:
        raise ValueError(f"{name} must be a non-empty sequence of {kind}; got {options!r}.")
    return options


def check_index_like(name: str, value, accepted: str = "an integer (or a bool, or a float with an integer value)"):
    """Require what may index options: a number, a bool, or an array of them (a tracer too); not a string."""
    if not (_is_real(value) or isinstance(value, (bool, np.bool_))
            or (isinstance(value, (np.ndarray, jax.Array)) and value.dtype == bool)):
        raise _type_error(name, value, accepted)


def check_option_index(name: str, value, num_options: int) -> None:
    """Require an index into ``num_options`` options: an integer (or a boolean, or a float with an integer value)
    from 0 to ``num_options - 1``. Traced values are not checked."""
    check_index_like(name, value, f"an integer from 0 to {num_options - 1} (one of the {num_options} options)")
    if _is_traced(value):
        return
    values = np.asarray(value, dtype=float)
    if values.shape != () or not np.isfinite(values) or values != np.round(values) or not 0 <= values < num_options:
        raise ValueError(f"{name} must be an integer from 0 to {num_options - 1} (one of the {num_options} options); "
                         f"got {value!r}.")
