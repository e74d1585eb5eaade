from django.apps import AppConfig


class ChoosingConfig(AppConfig):
    name = "trellis.choosing"
    label = "choosing"
    verbose_name = "Trellis chooser"

    def ready(self) -> None:
        from trellis.choosing import selectors
        from trellis.core.selectors import attention_provider

        attention_provider(selectors.attention)
