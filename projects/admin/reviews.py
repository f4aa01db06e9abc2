"""Reviews in the admin: every review with its history. Staff write reviews from the proposal page's form."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import CRITERIA_FIELDS, Review


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    list_display = [
        "proposal",
        "reviewer",
        "conflict_of_interest",
        *CRITERIA_FIELDS,
        "operations",
        "overall",
        "comment_released",
        "updated_at",
    ]
    list_filter = ["conflict_of_interest", "operations", "comment_released", "updated_at"]
    search_fields = ["proposal__title", "reviewer__email", "reviewer__full_name", "comment"]
    list_select_related = ["proposal", "reviewer"]
    date_hierarchy = "updated_at"
    readonly_fields = [
        "public_id",
        "proposal",
        "reviewer",
        "conflict_of_interest",
        *CRITERIA_FIELDS,
        "operations",
        "comment",
        "comment_released",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False  # written through the review form, which checks conflicts of interest

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="overall")
    def overall(self, review):
        return "conflict" if review.overall is None else f"{review.overall:.2f}"
