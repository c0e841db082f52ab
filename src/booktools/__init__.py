"""Book tooling for *Optimize and Learn*, laid out by who uses it.

- :mod:`booktools.pipeline` — for the maintainer and ``make``: execute the chapters with papermill,
  cache them by content, adopt their outputs, generate the appendix pages, build the HTML/PDF book.
- :mod:`booktools.figures` — for the chapters: live figures (a widget with a precomputed gallery) and
  explorable static figures, which work in the built book without a kernel.
- :mod:`booktools.coursework` — for the instructor: build the assignments' student and autograder
  versions, grade submissions in a sandbox, write the gradebook.
- :mod:`booktools.sphinx` — for the site build: a Sphinx extension with the theme stack's repairs.

:mod:`booktools.cli` is ``python -m booktools …`` (all of them); :mod:`booktools.errors` the errors
it reports in one line.

The tooling never imports the science library ``minimax`` (and ``minimax`` never imports it): a chapter
depends on the library only through the *source files* that :mod:`booktools.pipeline.cache` hashes, those
its imports reach (:mod:`booktools.pipeline.dependencies`).
"""

from booktools.errors import BooktoolsError

__all__ = ["BooktoolsError"]
