"""Page- and API-shaped reads: the rows a screen or an endpoint shows, gathered in a few queries.
Queries only: nothing here writes."""
