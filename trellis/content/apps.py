from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "trellis.content"
    label = "content"
    verbose_name = "Trellis content hub"

    def ready(self) -> None:
        from trellis.content import jobs, selectors  # noqa: F401  (registers the tick job and the attention item)
        from trellis.core.selectors import attention_provider

        attention_provider(selectors.drafts_attention)
