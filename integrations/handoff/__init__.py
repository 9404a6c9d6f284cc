"""Human handoff: cases, the teams that answer them, and their service levels."""
