"""Analytics use cases: one module per question a firm asks of its data, the registry that lists
them, the stored results of the default view and the dashboard's numbers."""
