"""Settings for the test suite: the real settings, with the suite's own environment.

The suite depends on nothing in the caller's environment except the services it runs against
(`.ci/run` points them at PostgreSQL and Redis). Every other variable the settings read is
removed and set here, so `DEMO_PASSWORD=... make test`, or a shell with `DEBUG` or `SITE_URL`
exported as the README describes, tests exactly what CI tests.
"""

import os
import re
from pathlib import Path

FROM_THE_CALLER = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")

SUITE_ENVIRONMENT = {
    "SECRET_KEY": "test-only-secret-key-not-for-any-real-use-0123456789abcdef",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "DEMO_PASSWORD": "peer-support-demo",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "CELERY_TASK_ALWAYS_EAGER": "true",
    "SMS_PROVIDER": "record",
    "RUN_DIR": os.path.join(os.path.dirname(__file__), "..", ".run", "test"),
}


def variables_the_settings_read() -> set[str]:

    source = (Path(__file__).parent / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', source))


for _name in variables_the_settings_read() - set(FROM_THE_CALLER):
    os.environ.pop(_name, None)
os.environ.update(SUITE_ENVIRONMENT)

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
