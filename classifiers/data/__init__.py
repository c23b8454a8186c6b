"""Labelled training data for the signal head and the generator that builds it (``build_dataset.py``)."""
