"""Coursework for an instructor.

- :mod:`~booktools.coursework.assignments` the student and autograder versions of each assignment, and
  the student pages of the book;
- :mod:`~booktools.coursework.grading`     grading submissions in a sandbox, batch grading to a gradebook.
"""
