from django.contrib import admin

from shanzhi.grid.models import (
    CheckIn,
    Course,
    CourseRecord,
    GridImport,
    GridMember,
    GridReport,
    MethodStep,
    Patrol,
    ServiceDay,
    ServiceDayAttendance,
    Verification,
)


@admin.register(Patrol)
class PatrolAdmin(admin.ModelAdmin):
    list_display = ["id", "grid", "worker", "state", "started_at", "ended_at", "checkin_count", "distance_m"]
    list_filter = ["state"]
    search_fields = ["grid__code", "grid__name", "worker__username"]
    raw_id_fields = ["grid", "worker"]
    date_hierarchy = "started_at"


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["id", "patrol", "worker", "at", "longitude", "latitude", "inside_grid"]
    raw_id_fields = ["patrol", "worker"]


@admin.register(GridReport)
class GridReportAdmin(admin.ModelAdmin):
    list_display = ["id", "appeal", "grid", "worker", "at", "boundary_version"]
    search_fields = ["appeal__tracking_no", "grid__code"]
    raw_id_fields = ["appeal", "grid", "worker", "patrol"]


@admin.register(Verification)
class VerificationAdmin(admin.ModelAdmin):
    list_display = ["id", "appeal", "grid", "worker", "round", "passed", "at"]
    list_filter = ["passed"]
    search_fields = ["appeal__tracking_no"]
    raw_id_fields = ["appeal", "grid", "worker", "photo"]


@admin.register(GridImport)
class GridImportAdmin(admin.ModelAdmin):
    list_display = ["id", "at", "filename", "feature_count", "created_units", "actor"]
    raw_id_fields = ["actor"]


@admin.register(GridMember)
class GridMemberAdmin(admin.ModelAdmin):
    list_display = ["id", "grid", "role", "user", "from_unit", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["grid__code", "grid__name"]
    raw_id_fields = ["grid", "user", "from_unit"]


@admin.register(MethodStep)
class MethodStepAdmin(admin.ModelAdmin):
    list_display = ["order", "label", "tracks", "is_active"]
    list_editable = ["label", "tracks", "is_active"]


class ServiceDayAttendanceInline(admin.TabularInline):
    model = ServiceDayAttendance
    raw_id_fields = ["member"]
    extra = 0


@admin.register(ServiceDay)
class ServiceDayAdmin(admin.ModelAdmin):
    list_display = ["id", "grid", "title", "starts_at", "residents_served"]
    search_fields = ["grid__code", "title"]
    raw_id_fields = ["grid", "created_by"]
    inlines = [ServiceDayAttendanceInline]


class CourseRecordInline(admin.TabularInline):
    model = CourseRecord
    raw_id_fields = ["worker"]
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "held_on", "hours", "pass_score"]
    inlines = [CourseRecordInline]
