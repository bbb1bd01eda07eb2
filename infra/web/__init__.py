"""Build-time helpers of the two web apps (admin site, resident app): the API contract they are typed
against. The apps themselves live in web/."""
