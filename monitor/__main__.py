"""``python -m monitor`` runs the capwatch CLI."""

from monitor.cli import main

main()
