from django.urls import path

from amends.portal import views, views_folder, views_signin

app_name = "portal"
urlpatterns = [
    path("complain/", views.complain, name="complain"),
    path("complain/thanks/<uuid:public_id>/", views.thanks, name="thanks"),
    path("followup/<str:token>/", views.followup, name="followup"),
    path("portal/", views_signin.signin, name="signin"),
    path("portal/code/", views_signin.signin_code, name="signin-code"),
    path("portal/sign-in/<str:token>/", views_signin.signin_link, name="signin-link"),
    path("portal/case/<str:token>/", views_signin.case_link, name="case-link"),
    path("portal/sign-out/", views_signin.sign_out, name="sign-out"),
    path("portal/cases/", views_folder.case_list, name="cases"),
    path("portal/cases/<uuid:public_id>/", views_folder.case_detail, name="case"),
    path("portal/cases/<uuid:public_id>/message/", views_folder.case_message, name="case-message"),
    path("portal/cases/<uuid:public_id>/manager/", views_folder.case_manager, name="case-manager"),
    path("portal/cases/<uuid:public_id>/followup/", views_folder.case_followup, name="case-followup"),
    path("portal/cases/<uuid:public_id>/download.pdf", views_folder.case_pdf, name="case-pdf"),
    path("portal/cases/<uuid:public_id>/download.zip", views_folder.case_zip, name="case-zip"),
    path("portal/settings/", views_folder.preferences, name="preferences"),
    path("portal/attachments/<uuid:public_id>/", views_folder.attachment_download, name="attachment"),
]
