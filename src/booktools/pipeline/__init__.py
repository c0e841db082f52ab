"""Executing and building the book, one concept per module.

- :mod:`~booktools.pipeline.paths`        where a profile's run, claims and staged site live under ``_build/``;
- :mod:`~booktools.pipeline.chapters`     the chapters, read from ``_toc.yml``;
- :mod:`~booktools.pipeline.profiles`     the per-chapter parameter overrides of a profile (``book/profiles/*.yml``),
  checked against the chapters' parameters cells;
- :mod:`~booktools.pipeline.dependencies` the project files and environment variables a chapter reads (``ast``);
- :mod:`~booktools.pipeline.cache`        the cache key that decides whether a chapter must be re-executed, by content;
- :mod:`~booktools.pipeline.locks`        one writer per run folder (and assignments build): ``fcntl.flock``;
- :mod:`~booktools.pipeline.run`          executing chapters with papermill, atomically, in parallel;
- :mod:`~booktools.pipeline.adopt`        copying a run's outputs (or a full run's ledgers) into the repository;
- :mod:`~booktools.pipeline.compare`      the claims whose verdicts differ between two runs (another seed, scale, machine);
- :mod:`~booktools.pipeline.pages`        the generated appendix pages: claims ledger, chapter times, benchmark tables;
- :mod:`~booktools.pipeline.setup_cell`   the first cell of every notebook, which installs the book where it is missing;
- :mod:`~booktools.pipeline.stage`        building the HTML (and PDF) book from a run.
"""
