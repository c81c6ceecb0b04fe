#!/usr/bin/env bash
# The `backup` service of docker-compose.yml (docs/adr/0011-backup-and-restore.md): a pg_dump of
# the database when it starts and then every day at BACKUP_AT (UTC), encrypted before it touches
# the disk, and dumps older than BACKUP_KEEP_DAYS deleted.
#
#   /backups/peersupport-YYYYMMDDTHHMMSSZ.dump.gpg   pg_dump --format=custom, then gpg --symmetric
#                                                    (AES-256) with the passphrase in the
#                                                    backup_passphrase secret
#
# It logs in as the service's role (read access to every table is all pg_dump needs), never as
# the owner or the superuser. Restoring is a person's job: README.md, "Backups and restore".
set -euo pipefail

: "${PGHOST:?}" "${PGDATABASE:?}" "${PGUSER:?}"
PASSPHRASE_FILE=${BACKUP_PASSPHRASE_FILE:-/run/secrets/backup_passphrase}
BACKUP_DIR=${BACKUP_DIR:-/backups}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-35}
BACKUP_AT=${BACKUP_AT:-02:00}

if [[ ! -s "$PASSPHRASE_FILE" ]]; then
    echo "backup: no passphrase in $PASSPHRASE_FILE: set BACKUP_PASSPHRASE (README.md)" >&2
    exit 1
fi
umask 077

take_backup() {
    local stamp name partial
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    name="$BACKUP_DIR/peersupport-$stamp.dump.gpg"
    partial="$BACKUP_DIR/.partial-$stamp"
    # The plain dump only ever passes through the pipe: what reaches the disk is encrypted.
    if pg_dump --format=custom \
        | gpg --batch --yes --quiet --symmetric --cipher-algo AES256 \
            --passphrase-file "$PASSPHRASE_FILE" --output "$partial"; then
        mv "$partial" "$name"
        echo "backup: wrote $(basename "$name") ($(stat -c %s "$name") bytes)"
    else
        rm -f "$partial"
        echo "backup: FAILED at $stamp; the previous backups are kept" >&2
        return 1
    fi
    find "$BACKUP_DIR" -maxdepth 1 -name 'peersupport-*.dump.gpg' -mtime +"$BACKUP_KEEP_DAYS" \
        -print -delete | sed 's/^/backup: deleted (older than the retention) /'
}

seconds_until_next() {
    local now next
    now=$(date -u +%s)
    next=$(date -u -d "today $BACKUP_AT" +%s)
    if (( next <= now )); then
        next=$(date -u -d "tomorrow $BACKUP_AT" +%s)
    fi
    echo $(( next - now ))
}

take_backup || true
while true; do
    sleep "$(seconds_until_next)"
    take_backup || true
done
