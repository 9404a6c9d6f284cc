# Shared by scripts/backup and scripts/restore: Ayo's database URL, in the tools' dialects.
ayo_database_url() {
  local url="${AYO_DATABASE_URL:-}"
  if [[ -z "$url" && -f .env ]]; then
    url="$(sed -n 's/^AYO_DATABASE_URL=//p' .env | tail -n 1)"
  fi
  if [[ -z "$url" ]]; then
    # Ayo's embedded default: a SQLite file in AYO_DATA_DIR.
    url="sqlite:///${AYO_DATA_DIR:-./data}/ayo.db"
  fi
  printf '%s' "$url"
}
# postgresql+asyncpg://u:p@h/db?ssl=require -> postgresql://u:p@h/db?sslmode=require
libpq_url() {
  printf '%s' "$1" | sed -e 's#^postgres[a-z]*+[a-z0-9]*://#postgresql://#' -e 's/[?&]ssl=/\?sslmode=/'
}
sqlite_path() {
  printf '%s' "$1" | sed -e 's#^sqlite[a-z+]*:///##'
}
