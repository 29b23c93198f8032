"""Template helpers of the portal: comments as inert text, form fields with their errors."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ketnghia.portal.rules import inert_links

register = template.Library()


@register.filter
def inert_text(text: str) -> SafeString:
    """Return a comment as escaped paragraphs, its web addresses as `nofollow ugc` links."""
    paragraphs = [p for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    # inert_links escapes everything first; only its own <a> tags are markup.
    return mark_safe(
        "".join(f"<p>{inert_links(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    )


@register.simple_tag
def field_input(field: BoundField) -> str:
    """Render `field`'s input with Bootstrap's class, marked invalid and described by its error."""
    attrs = {"class": "form-control" + (" is-invalid" if field.errors else "")}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}-error"
    if field.help_text and not field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}-help"
    rendered = field.as_widget(attrs=attrs)
    if field.help_text:
        rendered += format_html(
            '<div class="form-text" id="{}-help">{}</div>', field.auto_id, field.help_text
        )
    return rendered


@register.simple_tag
def field_errors(field: BoundField) -> str:
    if not field.errors:
        return ""
    return format_html(
        '<div class="invalid-feedback d-block" id="{}-error" data-testid="error-{}">{}</div>',
        field.auto_id,
        field.name,
        format_html_join(" ", "{}", ((e,) for e in field.errors)),
    )
