"""Backup and restore: the whole database to one portable file and back (`flask backup`)."""
