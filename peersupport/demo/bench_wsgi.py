"""The WSGI application `bench_pages` serves with gunicorn: the service's own, with each
response carrying the number of SQL queries it ran (`X-Bench-Queries`), so the benchmark can
report queries over HTTP without DEBUG. Never used by the running service."""

import os

from django.core.wsgi import get_wsgi_application
from django.db import connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")

service = get_wsgi_application()


def application(environ, start_response):
    count = 0

    def counted(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    def start_with_count(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Bench-Queries", str(count))], exc_info)

    with connection.execute_wrapper(counted):
        return service(environ, start_with_count)
