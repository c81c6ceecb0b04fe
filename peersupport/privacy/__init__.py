"""Privacy operations for administrators: the top layer beside reporting, reading every app and
read by none (the root URL configuration, the Celery tasks and `manage.py apply_retention` call
it).

- `held`: everything held about a person, found the same way for the export and anonymisation.
- `subject_access`: the subject access export (everything held, support notes included; audited).
- `anonymise`: anonymising a person, a request for support or a supporter who left (identity and
  free text removed, rows and counts kept), and refusing a request to erase, with the reason.
- `retention`: how long each record is kept, and the daily job that anonymises what is past it.
- `audit_purge`: the audit log's own retention, the one deletion it allows (database owner only).
- `replay`: after a restore, the restore ledger's anonymisations applied again and its sent
  messages marked sent (docs/adr/0011-backup-and-restore.md).
- `drill`: the restore drill, `manage.py restore_drill`.
- `views`: the administrators' pages inside the Django admin (subject access, erasure).
"""
