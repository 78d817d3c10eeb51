from django.apps import AppConfig


class Config(AppConfig):
    name = "liaison.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        _lao_falls_back_to_english()


def _lao_falls_back_to_english() -> None:
    """Django has no Lao catalogue of its own, and a language it cannot translate falls back to the
    default language's (Vietnamese here): the admin's own words would be Vietnamese inside a Lao
    page. Our Lao catalogue is complete for our words; what Django alone says stays in English."""
    from django.utils.translation import trans_real

    original = trans_real.DjangoTranslation._add_fallback
    if getattr(original, "lao_to_english", False):
        return

    def _add_fallback(self, localedirs=None):
        if getattr(self, "_DjangoTranslation__language", "").startswith("lo"):
            return None
        return original(self, localedirs)

    _add_fallback.lao_to_english = True
    trans_real.DjangoTranslation._add_fallback = _add_fallback
