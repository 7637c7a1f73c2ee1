"""Telling people what happened: customer notifications in their language, sent by the
task worker through Django's mail backends, and a local outbox for the embedded demo.

Depends on core and customers.
"""
