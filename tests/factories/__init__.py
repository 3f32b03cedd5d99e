"""Factories, one module per app: import them from `tests.factories.<app>`."""
