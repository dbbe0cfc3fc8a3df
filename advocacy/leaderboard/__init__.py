"""Reach and the leaderboard: tracked-link clicks, attribution, conversions, points, standings."""
