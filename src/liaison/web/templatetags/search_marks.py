"""`{{ text|highlight:query }}`: the words of a search result that match the query, in <mark>,
the rest escaped (core.search.highlight)."""

from django import template

from liaison.core import search

register = template.Library()


@register.filter
def highlight(value, query):
    return search.highlight(str(value or ""), query if isinstance(query, search.Query) else None)
