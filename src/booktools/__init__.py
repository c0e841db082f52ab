"""Book tooling for *Optimize and Learn*: run chapters with papermill, cache them, build the HTML.

The tooling never imports the science library ``minimax`` (and ``minimax`` never imports it): a chapter
depends on the library only through the *source files* that :mod:`booktools.cache` hashes, those its
imports reach (:mod:`booktools.dependencies`).

Modules, one concept each:

- :mod:`booktools.paths`     where a profile's run, claims and staged site live under ``_build/``;
- :mod:`booktools.chapters`  the chapters, read from ``_toc.yml``;
- :mod:`booktools.profiles`  the per-chapter parameter overrides of a profile (``book/profiles/*.yml``),
                              checked against the chapters' parameters cells;
- :mod:`booktools.dependencies` the project files and environment variables a chapter reads (``ast``);
- :mod:`booktools.cache`     the cache key that decides whether a chapter must be re-executed, by content;
- :mod:`booktools.locks`     one writer per run folder (and assignments build): ``fcntl.flock``;
- :mod:`booktools.run`       executing chapters with papermill, atomically, in parallel;
- :mod:`booktools.stage`     building the HTML book from a run;
- :mod:`booktools.adopt`     copying a run's outputs back into the committed notebooks;
- :mod:`booktools.cli`       ``python -m booktools …``.
"""

from booktools.errors import BooktoolsError

__all__ = ["BooktoolsError"]
