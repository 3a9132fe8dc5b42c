from functools import cache
from typing import Any

import factory
from django.contrib.auth.hashers import make_password

from antt.accounts.models import User

PASSWORD = "Correct-Horse-Battery-9"


@cache
def _password_hash() -> str:
    """Argon2 is slow on purpose: hash the shared test password once per run."""
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.LazyFunction(_password_hash)

    @factory.post_generation
    def finish(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.refresh_search_text()
            obj.save()
