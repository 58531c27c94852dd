"""The content library: the items marketing offers clients, kept by marketing and administrators."""
