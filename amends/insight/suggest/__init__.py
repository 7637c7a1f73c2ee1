"""Cause category suggestions (R-LE-2, issue 6 point 4): docs/subsystems/suggest.md.

When a case opens, a drain suggests its cause category from the subject and the first
customer message, with a confidence and a runner-up. The agent confirms it with one click on
the case page or picks another category (a correction); both are events on the case, and the
confirmed labels, with the seed set in train/, retrain the model in the worker.
"""
