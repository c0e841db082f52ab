"""Sphinx extensions of the site build (listed under ``sphinx: extra_extensions`` in ``_config.yml``).

- :mod:`~booktools.sphinx.theme_fixes` repairs of the theme stack's console errors.
"""
