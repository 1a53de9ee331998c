"""Deliberation: participants vote agree / disagree / pass on short statements (issue 13).

`analysis` is the pure part: tallies, common ground, divisive statements and opinion groups
from a vote matrix. It does no I/O; the caller loads the votes and shows the results.
"""
