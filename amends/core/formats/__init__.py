"""Date formats that replace Django's for a language (settings.FORMAT_MODULE_PATH). Only what
Django gets wrong is here; everything else still comes from django.conf.locale."""
