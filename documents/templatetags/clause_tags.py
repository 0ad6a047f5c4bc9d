"""{{ clause|clause_title }}: a clause named by its full citation (documents.clause_names)."""

from django import template

from documents.clause_names import clause_title as _clause_title

register = template.Library()


@register.filter
def clause_title(clause) -> str:
    return _clause_title(clause) if clause is not None else ""
