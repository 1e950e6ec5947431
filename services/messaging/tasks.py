"""django-q2 tasks: thin calls into the services (DESIGN §3)."""

from . import delivery, services


def deliver(delivery_id):
    return delivery.deliver(delivery_id)


def deliver_batch(low, high):
    return delivery.deliver_batch(low, high)


def fan_out(broadcast_id):
    return services.broadcast_fan_out(broadcast_id=broadcast_id)


def retry_due():
    return delivery.retry_due()
