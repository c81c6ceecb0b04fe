# syntax=docker/dockerfile:1
#
# One image for every process of the service: the web app (gunicorn, the default command),
# the Celery worker, Celery beat and the one-off `migrate` step. docker-compose.yml shows how
# they fit together; docs/adr/0002-settings-and-deployment.md says why.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed, unprivileged user. The numeric id lets an orchestrator check "runs as non-root".
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app app

# Dependencies first, so a code change does not reinstall them. pyproject.toml declares no
# packages (`[tool.setuptools] packages = []`), so this installs the dependencies only; the
# application code is copied in below and imported from /app.
COPY pyproject.toml /tmp/build/pyproject.toml
RUN pip install /tmp/build && rm -rf /tmp/build

WORKDIR /app
# The code belongs to root and is read-only for the service user.
COPY . /app

# Static files are collected and fingerprinted at build time (whitenoise's
# CompressedManifestStaticFilesStorage, chosen by settings when DEBUG is off) and served by
# whitenoise from STATIC_ROOT. The settings refuse to load without SECRET_KEY when DEBUG is
# off, so collectstatic gets a throwaway key that exists only for this one build step and is
# not kept in the image's environment.
ARG COLLECTSTATIC_SECRET_KEY=collectstatic-only-throwaway-key-never-used-to-sign-anything
ENV STATIC_ROOT=/app/staticfiles \
    RUN_DIR=/var/lib/peersupport \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=peersupport.settings
RUN SECRET_KEY="$COLLECTSTATIC_SECRET_KEY" DEBUG=false RUN_DIR=/tmp/collectstatic-run \
        python manage.py collectstatic --noinput \
    && rm -rf /tmp/collectstatic-run \
    && mkdir -p "$RUN_DIR/ledger" \
    && chown -R app:app "$RUN_DIR"

USER 10001:10001

# Gunicorn reads WEB_CONCURRENCY for its number of workers; override it per host.
ENV WEB_CONCURRENCY=3

EXPOSE 8000

# /healthz/ checks the database and the broker and answers 200 or 503 (no login needed).
# slim has no curl, so Python's urllib does the request. The Host header is the first
# ALLOWED_HOSTS entry (a DEBUG-off Django answers 400 to any other), and the request says it
# came over HTTPS: behind the TLS proxy, with TRUST_X_FORWARDED_PROTO=true, that stops
# SECURE_SSL_REDIRECT sending the probe to https://. Any error or non-2xx status exits 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; hosts = [h.strip().lstrip('.') for h in os.environ.get('ALLOWED_HOSTS', '').split(',') if h.strip() and '*' not in h] or ['localhost']; u.urlopen(u.Request('http://127.0.0.1:8000/healthz/', headers={'Host': hosts[0], 'X-Forwarded-Proto': 'https'}), timeout=4)"]

# Sync workers behind a proxy: a request that takes more than 30 s is killed and logged; the
# worker heartbeat lives in memory (/dev/shm), not on the container's overlay filesystem;
# workers are recycled now and then so a slow leak cannot grow for ever.
CMD ["gunicorn", "peersupport.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "30", \
     "--graceful-timeout", "30", \
     "--keep-alive", "5", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm"]
# No gunicorn access log: it would write whole request paths, and a person's answer link
# carries a token in its path. Django's own request logging redacts tokens (feedback.logging).
