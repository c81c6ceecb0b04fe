from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeersupportConfig(AppConfig):
    name = "peersupport"
    verbose_name = "Service and accounts"

    def ready(self):
        from peersupport import probe, signals  # noqa: F401
        from peersupport.db_roles import grant_after_migrate

        probe.register()
        # After every `migrate`, so the tables it added get the service role's grants.
        post_migrate.connect(
            grant_after_migrate, sender=self, dispatch_uid="peersupport.db_roles.grant"
        )
