"""Command-line tools: hlox-opt and hlox-run."""
