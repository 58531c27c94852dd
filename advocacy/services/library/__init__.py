"""Marketing's library: search quotes, collections of them, and the showcase shown outside."""
