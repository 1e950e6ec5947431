"""Helpers for the cadre-end tests: a cadre who has joined WeChat Work and done the entry steps."""

from services.cadres import services
from services.cadres.models import CadrePerson, CadrePost

from ...factories import actor_of
from .test_cadres import add_cadre

BACKEND = "portal.backends.WeChatBackend"


def joined(post, duty=1):
    """The post's cadre joined (working there) with their 职务 filled in; returns the person."""
    services.cadre_join(person=post.person, userid=post.person.phone)
    CadrePost.objects.filter(pk=post.pk).update(duty=duty)
    return CadrePerson.objects.get(pk=post.person_id)


def cadre_login(client, org, *, operator=False, **extra):
    """Log a cadre of ``org`` in on the cadre end (an operator of it with ``operator``)."""
    post = add_cadre(org, **extra)
    if operator:
        services.operator_set(actor=actor_of(org), post=post, label="组织委员")
    person = joined(post)
    client.force_login(person.user, backend=BACKEND)
    return post
