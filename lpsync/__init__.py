"""lpsync: keep OpenStack-style spec repositories in sync with Launchpad blueprints."""

__version__ = "0.1.0"
