"""The portal's routes under /bulletins/: public pages, the editor's and the moderator's."""

from django.urls import path

from ketnghia.core.gate import gate
from ketnghia.portal import views, views_rights, views_staff
from ketnghia.portal.cache import public_page
from ketnghia.portal.feeds import BulletinFeed

app_name = "portal"
urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("feed/", gate("public")(public_page(BulletinFeed())), name="feed"),
    path("tags/<slug:slug>/", views.tag, name="tag"),
    path("images/<uuid:key>/", views.image, name="image"),
    path("figures/<slug:program>/", views.program_figures, name="program_figures"),
    path("figures/<slug:program>/<str:commune>/", views.commune_figures, name="commune_figures"),
    path("rights/", views_rights.rights, name="rights"),
    path("rights/<str:token>/", views_rights.rights_link, name="rights_link"),
    path("manage/", views_staff.manage, name="manage"),
    path("manage/new/", views_staff.bulletin_new, name="bulletin_new"),
    path("manage/from-report/", views_staff.from_report, name="from_report"),
    path("manage/<int:pk>/", views_staff.bulletin_edit, name="bulletin_edit"),
    path("manage/<int:pk>/images/", views_staff.image_add, name="image_add"),
    path("manage/<int:pk>/<str:action>/", views_staff.bulletin_move, name="bulletin_move"),
    path("moderation/", views_staff.moderation, name="moderation"),
    path("moderation/<int:pk>/reply/", views_staff.reply, name="reply"),
    path("<slug:slug>/", views.bulletin, name="bulletin"),
    path("<slug:slug>/comments/", views.comment_post, name="comment"),
]
