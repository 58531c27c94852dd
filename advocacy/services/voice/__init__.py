"""The client's voice: surveys, testimonials and their consent, referrals, references, repair calls."""
