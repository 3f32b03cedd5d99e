"""`{% kept "name" %}…{% endkept %}`: a stretch of template kept with the shared parts of
pages (core/fragments.py), rendered once per site version instead of on every page.

For what every page shows every reader alike and that only a visible change alters: the
site's masthead, its feed links, its footer. Never wrap anything of one request or one
reader in it (a query, a form, a token, the current path): every reader is served what
the first one rendered. Without a request in the context it simply renders.
"""

from django import template

from core import fragments

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        request = context.get("request")
        if request is None:
            return self.nodelist.render(context)
        return fragments.fragment(request, "kept", self.name, lambda: self.nodelist.render(context))


@register.tag
def kept(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Usage: {% kept "name" %}…{% endkept %}')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(bits[1][1:-1], nodelist)
