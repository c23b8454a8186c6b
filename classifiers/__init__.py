"""capwatch classifiers: tag news articles with financial-stability signals.

The public surface is :mod:`classifiers.types` (data types and the ``Classifier`` protocol),
:mod:`classifiers.taxonomy` (the tag list) and :func:`classifiers.loader.load_classifier`.
"""
