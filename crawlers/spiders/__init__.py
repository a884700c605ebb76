"""One spider per source, named <market>_<source> like its entry in config/sources.yaml."""
