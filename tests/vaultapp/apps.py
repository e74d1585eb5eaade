from django.apps import AppConfig


class VaultAppConfig(AppConfig):
    """A tests-only app (installed when TRELLIS_ENV=test) with a model using the vault's SealedTextField."""

    name = "tests.vaultapp"
    label = "vaultapp"
    default_auto_field = "django.db.models.BigAutoField"
