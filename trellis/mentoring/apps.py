from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "trellis.mentoring"
    label = "mentoring"
    verbose_name = "Mentoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from trellis.mentoring import jobs  # noqa: F401  (registers the pair tick jobs)
