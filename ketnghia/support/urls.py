"""Support pages under /support/; each view declares its gate rule."""

from django.urls import path

from ketnghia.support import views, views_entry

app_name = "support"
urlpatterns = [
    path("", views.documents, name="documents"),
    path("funds/", views.funds, name="funds"),
    path("packages/", views.packages, name="packages"),
    path("cycles/", views.cycles, name="cycles"),
    path("documents/new/", views_entry.document_new, name="document_new"),
    path("funds/new/", views_entry.fund_new, name="fund_new"),
    path("funds/<int:pk>/entries/", views_entry.fund_entry, name="fund_entry"),
    path("packages/new/", views_entry.package_new, name="package_new"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/deliveries/", views_entry.deliveries_import, name="deliveries_import"),
    path(
        "cycles/<int:pk>/deliveries/template.xlsx",
        views_entry.deliveries_template,
        name="deliveries_template",
    ),
    path(
        "cycles/<int:pk>/deliveries/form.xlsx",
        views_entry.deliveries_xlsform,
        name="deliveries_xlsform",
    ),
    path("cycles/<int:pk>/recipients/", views.recipient_add, name="recipient_add"),
    path("cycles/<int:pk>/do/<slug:slug>/", views.cycle_action, name="cycle_action"),
    path("cycles/<int:pk>/<str:village>/list.docx", views.list_docx, name="list_docx"),
    path("cycles/<int:pk>/<str:village>/list.xlsx", views.list_xlsx, name="list_xlsx"),
    path("cycles/<int:pk>/<str:village>/signed/", views.signed_upload, name="signed_upload"),
]
