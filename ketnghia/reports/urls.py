"""Review report pages under /reports/; each view declares its gate rule."""

from django.urls import path

from ketnghia.reports import views

app_name = "reports"
urlpatterns = [
    path("review/", views.review, name="review"),
    path("review/save/", views.review_save, name="review_save"),
    path("review/report.json", views.review_file, {"fmt": "json"}, name="review_json"),
    path("review/report.xlsx", views.review_file, {"fmt": "xlsx"}, name="review_xlsx"),
    path("review/report.docx", views.review_file, {"fmt": "docx"}, name="review_docx"),
]
