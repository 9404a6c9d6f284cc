"""Settings read from the environment (prefix ``AYO_``) and an optional ``.env`` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.cwd() / "data"


# The city's local time when nothing else says (an employee's own zone comes first). The one
# place this zone is written: everything else takes it from here (tests/test_architecture.py).
DEFAULT_TIMEZONE = "Asia/Jakarta"


class Settings(BaseSettings):
    """Every setting Ayo reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_prefix="AYO_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str = ""
    timezone: str = DEFAULT_TIMEZONE
    language: str = "id"
    host: str = "127.0.0.1"
    port: int = 8080
    # demo: the demo organisation, the employee picker in the web chat (./scripts/start).
    # production: real data only; the web chat needs a login (default for `ayo serve`).
    env: Literal["demo", "production"] = "production"
    # The older switch, kept working: AYO_DEMO=1 means AYO_ENV=demo, 0 means production.
    # After validation it always equals `env == "demo"`.
    demo: bool | None = None
    log_level: str = "INFO"

    # Web chat login: session cookie lifetime, one-time code lifetime, and whether the
    # cookie is Secure (set it behind TLS; requests arriving over https get it anyway).
    session_hours: float = 12.0
    login_code_minutes: int = 5
    cookie_secure: bool = False
    # Bearer token for /metrics; required in production (without it /metrics answers 403).
    metrics_token: str = ""

    services_dir: Path | None = None
    lessons_dir: Path | None = None
    calendar_overrides: Path | None = None
    # Teams answering handed-over conversations (YAML; else integrations/handoff/teams.yaml).
    handoff_teams: Path | None = None
    # The FAQ HR maintains: a YAML file or a folder of them (else integrations/faq/faq.yaml).
    faq_path: Path | None = None
    # What the back office adds to the FAQ (question variants, drafts of new entries), merged
    # at load (integrations/faq/additions.py); default AYO_DATA_DIR/faq-additions.yaml.
    faq_additions: Path | None = None
    # The OPD (unit code) of the city's HR agency: its HR admins see the whole city in the
    # back office; HR admins of other OPDs see their own OPD.
    city_hr_opd: str = "BKPSDM"

    # Learning (JP = jam pelajaran, the civil service's unit of learning time).
    minutes_per_jp: int = 45
    jp_target_pns: float = 20.0
    jp_target_pppk: float = 24.0
    lesson_default_time: str = "08:00"
    # The provider named on learning records (the SIASN "penyelenggara" field).
    learning_provider: str = "Ayo – Pemerintah Kota Harapan"
    # The government named on letters Ayo issues (the Surat Izin Cuti's heading).
    organisation_name: str = "Pemerintah Kota Harapan"

    # Documents employees send (doctor's letters, certificates): integrations/documents.py.
    # Kept outside the database, in this folder (default: AYO_DATA_DIR/documents).
    documents_dir: Path | None = None
    documents_max_bytes: int = 5 * 1024 * 1024
    documents_types: list[str] = Field(
        default_factory=lambda: ["application/pdf", "image/jpeg", "image/png"]
    )
    # Signs the links approvers open; empty = a new key per process (links die on restart).
    documents_link_secret: str = ""
    documents_link_minutes: int = 7 * 24 * 60
    # Where people reach Ayo's web side (document links in chat messages start with it).
    public_url: str = "http://127.0.0.1:8080"

    # Channels: a channel whose settings are absent is off.
    telegram_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_url: str = "https://api.telegram.org/bot"
    whatsapp_token: str = ""
    whatsapp_phone_id: str = ""
    whatsapp_app_secret: str = ""
    whatsapp_verify_token: str = ""
    whatsapp_api_url: str = "https://graph.facebook.com"
    # Telegram bot username (without @) for t.me links; asked of Telegram when empty.
    telegram_bot_username: str = ""
    # The bot's WhatsApp number in international digits (62811…) for wa.me links on letters.
    whatsapp_number: str = ""
    # Approved WhatsApp templates used outside the 24-hour window, by kind (the Reply's
    # `template`; "default" for any other push), e.g. {"default": "ayo_pesan_baru"}.
    # Each template has one body parameter ({{1}}) and an optional "Lanjutkan" quick reply.
    whatsapp_templates: dict[str, str] = Field(default_factory=dict)
    # Largest webhook body accepted (bytes); bigger ones get 413 before anything else.
    webhook_max_bytes: int = 256 * 1024
    # Largest body of any other request (inbound API, local web chat); 413 past it.
    api_max_bytes: int = 64 * 1024

    # Delivery limits (messages per second).
    telegram_rate_global: float = 30.0
    telegram_rate_per_chat: float = 1.0
    whatsapp_rate_global: float = 80.0
    # Instances sending for the same bot share its limits: each paces at rate / instances.
    sender_instances: int = 1

    # Inbox workers (bot/inbound/worker.py). `ayo serve` on PostgreSQL starts this many worker
    # processes (0: process in the web process). On SQLite (one writer) the web process
    # processes unless AYO_WORKERS or `--workers` is given, and then one worker does. Each
    # holds up to `worker_concurrency` chats at once under a lease of `worker_lease_seconds`,
    # renewed while it lives, and looks for new updates every `worker_poll_seconds`.
    workers: int = Field(2, ge=0)
    worker_concurrency: int = 8
    worker_lease_seconds: float = 10.0
    worker_poll_seconds: float = 0.1
    # How long the sender may hold a claimed message before another instance takes it over
    # (renewed while a send runs), and how often it looks for due messages.
    sender_lease_seconds: float = 30.0
    sender_poll_seconds: float = 0.2

    # A failed send or backend call is retried: the n-th failure waits base·2^n seconds (at
    # most max); a message gives up after `outbox_max_attempts`. A backend's circuit opens
    # after `breaker_failures` failures in a row and stays open `breaker_open_seconds`.
    outbox_max_attempts: int = 10
    outbox_backoff_base_seconds: float = 5.0
    outbox_backoff_max_seconds: float = 3600.0
    backend_backoff_base_seconds: float = 30.0
    backend_backoff_max_seconds: float = 3600.0
    backend_dead_letter_hours: float = 24.0
    breaker_failures: int = 5
    breaker_open_seconds: float = 60.0
    # Redis shared by the instances of one bot (redis://host:6379/0): they pace their sends
    # under one budget per bot (Telegram 30/s, WhatsApp per number). Empty: each instance
    # paces alone at the rates above divided by AYO_SENDER_INSTANCES.
    redis_url: str = ""
    redis_prefix: str = "ayo"

    # Scheduling: no non-urgent push in the employee's local quiet hours ("HH:MM-HH:MM");
    # requests waiting this many office hours at one step get a nudge to the employee.
    quiet_hours: str = "21:00-06:00"
    nudge_after_working_hours: float = 16.0

    @model_validator(mode="after")
    def _one_environment(self) -> Settings:
        chosen = "env" in self.model_fields_set
        if self.demo is not None and not chosen:
            self.env = "demo" if self.demo else "production"
        elif self.demo is not None and self.demo != (self.env == "demo"):
            raise ValueError(
                f"AYO_ENV={self.env} contradicts AYO_DEMO={int(self.demo)}; set only AYO_ENV"
            )
        self.demo = self.env == "demo"
        return self

    @property
    def production(self) -> bool:
        return self.env == "production"

    def resolved_faq_additions(self) -> Path:
        """Where the back office keeps what it adds to the FAQ (integrations/faq/additions.py)."""
        return self.faq_additions or (self.data_dir / "faq-additions.yaml")

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'ayo.db').resolve()}"
