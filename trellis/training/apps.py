from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "trellis.training"
    label = "training"
    verbose_name = "Training"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from trellis.core.selectors import attention_provider
        from trellis.training import jobs, selectors  # noqa: F401  (registers the tick jobs)

        attention_provider(selectors.attention)
