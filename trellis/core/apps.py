from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "trellis.core"
    label = "core"
    verbose_name = "Trellis core"

    def ready(self) -> None:
        from trellis.core import vault  # noqa: F401  (registers the vault's system checks)
