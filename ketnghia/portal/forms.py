"""The portal's forms: the public comment and rights forms, the editor's bulletin form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import ProseEditorWidget

from ketnghia.core.errors import KetnghiaError, add_problems
from ketnghia.portal.conf import setting
from ketnghia.portal.rules import CONSENT_TEXTS


def consent_text() -> str:
    """Return the consent box's text in force (purpose and retention stated)."""
    return gettext(CONSENT_TEXTS[str(setting("consent_version"))]) % {
        "days": int(setting("retention_days"))
    }


class CommentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Your email will not be published."),
    )
    content = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    consent = forms.BooleanField(label="", required=False)
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    # A field people never see: a robot that fills it is dropped (nothing stored).
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_text()
        self.fields["name"].widget.attrs.update({"autocomplete": "name", "required": True})
        self.fields["email"].widget.attrs["required"] = True
        self.fields["content"].widget.attrs.update(
            {"required": True, "maxlength": int(setting("comment_max_chars"))}
        )

    def add_problems(self, error: KetnghiaError) -> None:
        add_problems(self, error)


class RightsForm(forms.Form):
    email = forms.EmailField(label=_("Your email"), max_length=254)
    kind = forms.ChoiceField(
        label=_("What you ask for"),
        choices=[("list", _("The list of my comments")), ("erase", _("Erase my comments"))],
        widget=forms.RadioSelect,
        initial="list",
    )


class BulletinForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    lead = forms.CharField(
        label=_("Lead"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        widget=ProseEditorWidget(
            config={
                "extensions": {
                    "Bold": True,
                    "Italic": True,
                    "Heading": {"levels": [2, 3]},
                    "BulletList": True,
                    "OrderedList": True,
                    "ListItem": True,
                    "Blockquote": True,
                    "Link": {"protocols": ["http", "https", "mailto"]},
                    "Table": True,
                    "TableRow": True,
                    "TableHeader": True,
                    "TableCell": True,
                }
            }
        ),
    )
    byline = forms.CharField(label=_("Byline"), max_length=200, required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separated by commas."), max_length=500
    )
    comments_open = forms.BooleanField(label=_("Comments open"), required=False, initial=True)

    def tag_names(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]

    def content(self) -> dict[str, Any]:
        """The bulletin's content as `bulletin_create` and `bulletin_update` take it."""
        data = self.cleaned_data
        names = ("title", "lead", "body", "byline", "comments_open")
        return {name: data[name] for name in names} | {"tags": self.tag_names()}

    def add_problems(self, error: KetnghiaError) -> None:
        add_problems(self, error)


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Picture (JPEG or PNG)"))
    alt = forms.CharField(label=_("Text alternative"), max_length=300)
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)
