"""Support pages under /support/; each view declares its gate rule."""

from django.urls import path

from ketnghia.support import views

app_name = "support"
urlpatterns = [
    path("", views.documents, name="documents"),
    path("funds/", views.funds, name="funds"),
    path("packages/", views.packages, name="packages"),
    path("cycles/", views.cycles, name="cycles"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/recipients/", views.recipient_add, name="recipient_add"),
    path("cycles/<int:pk>/do/<slug:slug>/", views.cycle_action, name="cycle_action"),
    path("cycles/<int:pk>/<str:village>/list.docx", views.list_docx, name="list_docx"),
    path("cycles/<int:pk>/<str:village>/list.xlsx", views.list_xlsx, name="list_xlsx"),
    path("cycles/<int:pk>/<str:village>/signed/", views.signed_upload, name="signed_upload"),
]
