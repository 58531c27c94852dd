"""Pages clients open from a signed link under /c/, without signing in: surveys, testimonials,
introductions, references, unsubscribe and mail preferences."""
