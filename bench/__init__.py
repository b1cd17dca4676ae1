"""DRAKO's benchmarks: `make bench` runs bench.run against gunicorn + PostgreSQL on loopback."""
