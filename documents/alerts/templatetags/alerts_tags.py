"""Small tags for the includes other pages use (Watch buttons, "check a ticket")."""

from django import template
from django.utils.http import urlencode

from documents.alerts import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def clause_watch(context, lineage):
    return selectors.user_watch_state(context["request"].user, lineage=lineage)


@register.simple_tag(takes_context=True)
def document_watch(context, document):
    return selectors.user_watch_state(context["request"].user, document=document)


@register.simple_tag
def citations_query(text):
    return urlencode({"text": text})
