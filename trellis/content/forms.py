"""Forms of the content hub: the editor, publishing, subscribing and a member's subscription settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from trellis.content.models import Article, Subscriber, Tag


def tag_choices() -> list[tuple[str, str]]:
    return list(Tag.objects.filter(articles__publish_at__isnull=False).distinct().values_list("slug", "name"))


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=110, required=False, label="Address", help_text="/blog/<address>/ — leave empty to use the title."
    )
    summary = forms.CharField(
        max_length=300, widget=forms.Textarea(attrs={"rows": 2}), help_text="One or two sentences for lists and feeds."
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 20}), help_text="Markdown: ## headings, *emphasis*, [links](/choose/)."
    )
    tags = forms.CharField(max_length=400, required=False, help_text="Comma-separated, e.g. coaching, mentoring.")

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


def article_initial(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "tags": ", ".join(t.name for t in article.tags.all()),
    }


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In your time zone.",
    )

    def __init__(self, *args: Any, timezone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(timezone)

    def clean_publish_at(self) -> datetime:
        value: datetime = self.cleaned_data["publish_at"]
        return value.replace(tzinfo=self.zone) if value.tzinfo is None else value.astimezone(self.zone)


SCOPES = [("all", "Every new article"), ("tags", "Only articles with these tags")]


class SubscribeForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    scope = forms.ChoiceField(label="What to send", choices=SCOPES, initial="all", widget=forms.RadioSelect)
    tags = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Tags")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = tag_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "tags" and not data.get("tags"):
            raise ValidationError("Choose at least one tag, or ask for every new article.")
        return data

    def chosen_tags(self) -> list[str] | None:
        return list(self.cleaned_data["tags"]) if self.cleaned_data["scope"] == "tags" else None


class SubscriptionSettingsForm(forms.Form):
    subscribed = forms.BooleanField(required=False, label="E-mail me new articles")
    scope = forms.ChoiceField(label="What to send", choices=SCOPES, initial="all", widget=forms.RadioSelect)
    tags = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Tags")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = tag_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("subscribed") and data.get("scope") == "tags" and not data.get("tags"):
            raise ValidationError("Choose at least one tag, or ask for every new article.")
        return data

    def chosen_tags(self) -> list[str] | None:
        return list(self.cleaned_data["tags"]) if self.cleaned_data["scope"] == "tags" else None


def settings_initial(subscriber: Subscriber | None) -> dict[str, Any]:
    if subscriber is None:
        return {"subscribed": False, "scope": "all"}
    return {
        "subscribed": subscriber.status == "active",
        "scope": "all" if subscriber.all_tags else "tags",
        "tags": [t.slug for t in subscriber.tags.all()],
    }
