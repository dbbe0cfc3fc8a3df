"""Analytics: CSV exports of every table, the ROI calculator, content supply vs demand."""
