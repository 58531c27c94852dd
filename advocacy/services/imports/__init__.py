"""CSV in and out: map and import files, plan each row, export every table."""
