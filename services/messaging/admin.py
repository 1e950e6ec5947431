"""System staff (django-admin) watch WeChat deliveries and set an org's broadcast allowance."""

from django.contrib import admin

from .models import Broadcast, BroadcastQuota, Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "target", "status", "attempts", "errcode", "errmsg", "created_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["target"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ["id", "org", "title", "status", "attempts", "recipients", "created_at", "queued_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Broadcast._meta.fields]
    raw_id_fields = ["org"]

    def has_add_permission(self, request):
        return False


@admin.register(BroadcastQuota)
class BroadcastQuotaAdmin(admin.ModelAdmin):
    list_display = ["org", "monthly_allowance"]
    raw_id_fields = ["org"]
    search_fields = ["org__full_name", "org__code"]
