# Ayo: one image for the web chat, the webhooks and the background work (`ayo serve`).
# Build: docker build -t ayo .    Run with PostgreSQL: docker compose up -d (compose.yaml)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    AYO_ENV=production \
    AYO_HOST=0.0.0.0 \
    AYO_PORT=8080 \
    AYO_DATA_DIR=/var/lib/ayo \
    AYO_CACHE_DIR=/var/lib/ayo/cache

# pg_dump/pg_restore for scripts/backup and scripts/restore inside the container.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/ayo
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY core ./core
COPY integrations ./integrations
COPY intents ./intents
COPY lessons ./lessons
COPY scheduler ./scheduler
COPY scripts ./scripts
RUN pip install . \
    && useradd --system --home-dir /var/lib/ayo --create-home ayo \
    && chown ayo /var/lib/ayo

USER ayo
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/readyz', timeout=4).status != 200)"
CMD ["ayo", "serve"]
