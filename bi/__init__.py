"""Apache Superset over the published warehouse: its configuration, set-up and dashboard."""
