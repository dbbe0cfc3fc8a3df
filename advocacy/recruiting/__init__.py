"""Recruiting: referrals of candidates through employees' tracked job links."""
