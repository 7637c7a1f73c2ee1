"""`{% portal_case_link case %}`: the case-bound portal link, for customer mail templates.

notify may not import the portal (layers), but its templates may load this library, as they
already reverse URLs of the interfaces.
"""

from django import template

from amends.portal.services import portal_case_link as _portal_case_link

register = template.Library()


@register.simple_tag
def portal_case_link(case) -> str:
    return _portal_case_link(case)
