from django.apps import AppConfig


class PeersupportConfig(AppConfig):
    name = "peersupport"
    verbose_name = "Service and accounts"

    def ready(self):
        from peersupport import probe, signals  # noqa: F401

        probe.register()
