from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "trellis.coaching"
    label = "coaching"
    verbose_name = "Coaching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from trellis.coaching import jobs, running_jobs, selectors  # noqa: F401  (registers the tick jobs)
        from trellis.core.selectors import attention_provider

        attention_provider(selectors.attention)
