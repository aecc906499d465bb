"""External references the export tests check against: files written by others, installed from registries."""
