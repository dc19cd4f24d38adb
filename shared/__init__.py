"""What crosses service boundaries: config, errors, auth tokens, events, database and Celery plumbing."""
