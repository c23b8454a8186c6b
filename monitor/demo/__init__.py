"""The offline demo: bundled sample sources served on 127.0.0.1 and the whole pipeline run against them."""
