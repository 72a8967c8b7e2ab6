from django.urls import path

from webhooks import views

urlpatterns = [
    path("", views.subscription_list, name="webhook-list"),
    path("new/", views.subscription_new, name="webhook-new"),
    path("<int:pk>/", views.subscription_detail, name="webhook-detail"),
    path("<int:pk>/edit/", views.subscription_edit, name="webhook-edit"),
    path("<int:pk>/pause/", views.subscription_pause, name="webhook-pause"),
    path("<int:pk>/resume/", views.subscription_resume, name="webhook-resume"),
    path("<int:pk>/rotate-secret/", views.subscription_rotate_secret, name="webhook-rotate-secret"),
    path("<int:pk>/ping/", views.subscription_ping, name="webhook-ping"),
    path("<int:pk>/delete/", views.subscription_delete, name="webhook-delete"),
]
