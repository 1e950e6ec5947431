"""The league's business: one Django app per workflow (DESIGN §3).

members/, cadres/, transfers/, dues/, awards/, evaluation/ and messaging/ arrive
with their issues; each is a full app listed in INSTALLED_APPS as
``services.<name>``.
"""
