"""From the webhook to the engine: the inbox (group commits), chat leases, the workers, replay."""
