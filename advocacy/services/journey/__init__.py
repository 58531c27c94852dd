"""The client journey: accounts and their stages, people, engagements, touchpoints, signals."""
