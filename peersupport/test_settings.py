"""Settings for the test suite: the real settings, with test-only defaults filled in first."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-use-0123456789abcdef")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DEMO_PASSWORD", "peer-support-demo")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("SMS_PROVIDER", "record")
os.environ.setdefault("RUN_DIR", os.path.join(os.path.dirname(__file__), "..", ".run", "test"))

from peersupport.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CRISPY_FAIL_SILENTLY = False
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (whitenoise warns when it is missing)
# Most tests log in with force_login and no authenticator; the MFA tests switch this back on.
MFA_REQUIRED = False
