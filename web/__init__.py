"""The web front end: public case dashboard, statistics, feeds, read-only API, subscriptions."""
