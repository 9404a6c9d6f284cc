"""The shared kernel every Ayo package may import: settings, clock, calendar, text, storage."""
