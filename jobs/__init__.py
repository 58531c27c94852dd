"""The jobs process: one APScheduler scheduler, jobs declared as data, each a thin call into a service."""
