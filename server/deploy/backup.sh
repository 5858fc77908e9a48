#!/usr/bin/env bash
# Backs up the weapp-login store: the PostgreSQL database of DATABASE_URL (pg_dump, custom
# format), or the SQLite file in DATA_DIR (SQLite's online backup), into BACKUP_DIR, keeping the
# newest KEEP. Run it from cron or a systemd timer with the service's environment file:
#
#   set -a; . /etc/weapp-login/weapp-login.env; set +a
#   BACKUP_DIR=/var/backups/weapp-login server/deploy/backup.sh
#
# Restore: pg_restore --clean --if-exists -d "$DATABASE_URL" <file>.dump (or copy the .sqlite3
# back into DATA_DIR with the server stopped). A backup holds every user's session_key: keep it
# as secret as the database.
set -euo pipefail

: "${BACKUP_DIR:?set BACKUP_DIR to the directory the backups go in}"
KEEP=${KEEP:-14}
stamp=$(date -u +%Y%m%dT%H%M%S.%NZ)
umask 077
mkdir -p "$BACKUP_DIR"

if [ -n "${DATABASE_URL:-}" ]; then
  file="$BACKUP_DIR/weapp-login-$stamp.dump"
  # Written aside, then renamed: a failed run never leaves a file that looks like a backup.
  pg_dump --format=custom --no-owner --file="$file.partial" "$DATABASE_URL"
  mv "$file.partial" "$file"
  pattern='weapp-login-*.dump'
else
  source_file="${DATA_DIR:?set DATABASE_URL or DATA_DIR}/weapp-login.sqlite3"
  [ -f "$source_file" ] || { echo "backup: no $source_file" >&2; exit 1; }
  file="$BACKUP_DIR/weapp-login-$stamp.sqlite3"
  sqlite3 "$source_file" ".backup '$file.partial'"
  mv "$file.partial" "$file"
  pattern='weapp-login-*.sqlite3'
fi
echo "backup: $file"

# The newest KEEP stay.
find "$BACKUP_DIR" -maxdepth 1 -name "$pattern" -type f | sort -r | tail -n +$((KEEP + 1)) |
  while read -r old; do rm -f -- "$old"; done
