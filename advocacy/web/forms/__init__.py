"""The forms of the staff and client pages, and the names of their codes in the reader's language."""
