"""Scheduled work and the outbound sender: rows with a due time, claimed by short sweeps.

- `runner`: `start_scheduler(...)` → `Runner` (APScheduler `AsyncIOScheduler`), `stop()`.
- `sweeps`: the sweeps the runner drives (`sweep_outbox`, `sweep_lessons`, `sweep_approvals`,
  `sweep_backend_calls`, `sweep_weekly_digest`, `sweep_request_nudges`,
  `sweep_needs_reminders`).
- `sender` + `outbox_claims` + `pacing`: the one outbound path for Telegram and WhatsApp.
- `channel_port`: the `ChannelSender` protocol and its outcomes (`RetryLater`, `Blocked`,
  `Rejected`).
- `broadcasts` + `cli`: `ayo broadcast`.
- `timing`: grace windows after downtime, quiet hours.
"""
