"""Organisations: the bundled catalogue, model-to-maker resolution and subject-versus-mention attribution."""
