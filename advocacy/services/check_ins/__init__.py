"""Check-ins: generate them, work them, the daily digest, the calendar feed, the week page."""
