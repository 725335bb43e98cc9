from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "shanzhi.mediation"
    label = "mediation"
    verbose_name = "矛盾纠纷调解"
    default_auto_field = "django.db.models.BigAutoField"
