from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "shanzhi.exchange"
    label = "exchange"
    verbose_name = _("市级12345对接")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from shanzhi.appeals.models import AppealEvent
        from shanzhi.core import menu, periodic
        from shanzhi.exchange import signals
        from shanzhi.exchange.services import may_manage_exchange

        post_save.connect(signals.on_event_saved, sender=AppealEvent, dispatch_uid="exchange.outbox")
        periodic.register("exchange.deliver_outbox", "* * * * *", "shanzhi.exchange.tasks.deliver_outbox")
        periodic.register(
            "exchange.webhooks_new_appeals", "* * * * *", "shanzhi.exchange.tasks.queue_new_appeals_for_webhooks"
        )
        periodic.register("exchange.poll_city_orders", "*/2 * * * *", "shanzhi.exchange.tasks.poll_city_orders")
        menu.register(
            menu.MenuEntry("exchange", _("两线联动"), "exchange:index", order=160, visible=may_manage_exchange)
        )
