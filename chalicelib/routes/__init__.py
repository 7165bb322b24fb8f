"""Locker's HTTP routes, one Chalice blueprint per resource; ``app.py`` registers them."""
