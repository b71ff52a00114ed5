from django.contrib import admin

from orgunits.models import CareerGroup, Ministry, OrgUnit, ServiceOffice


@admin.register(Ministry)
class MinistryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "abbreviation", "is_active"]
    search_fields = ["name", "code"]


@admin.register(ServiceOffice)
class ServiceOfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "town", "parent", "ministry", "is_active"]
    list_filter = ["is_active", "kind", "ministry"]
    search_fields = ["name", "common_name", "code", "town"]
    list_select_related = ["parent", "ministry"]
    autocomplete_fields = ["parent"]


@admin.register(CareerGroup)
class CareerGroupAdmin(admin.ModelAdmin):
    list_display = ["short_name", "code", "name", "is_active", "position"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["__str__", "service_office", "career_group"]
    list_filter = ["career_group"]
    search_fields = ["service_office__name", "service_office__common_name"]
    list_select_related = ["service_office", "career_group"]
    autocomplete_fields = ["service_office"]
