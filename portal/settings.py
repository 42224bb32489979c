"""Precinct's settings. Every deployment-specific value comes from the environment
through ``portal.env``; see README.md ("Settings") for the full list."""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PRECINCT_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

# A local run may use a throw-away key; production must bring its own.
SECRET_KEY = env_str("SECRET_KEY", required=not DEBUG) or "insecure-local-development-key-never-use-in-production"
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")
# Keys retired by a rotation, newest first: signed links and sealed outbox rows made with them still open.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the portal answers to.")

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}.")
SITE_NAME = env_str("SITE_NAME", "Precinct")
CITY_NAME = env_str("CITY_NAME", "Riverton")
EMERGENCY_NUMBER = env_str("EMERGENCY_NUMBER", "911")
# The police's non-emergency line, shown beside the emergency number (home page, contact page).
NON_EMERGENCY_NUMBER = env_str("NON_EMERGENCY_NUMBER", "311")
# Where residents write for help with their account or the portal ("Please contact us"); optional.
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Precinct
    "portal",
    "neighbourhoods",
    "accounts",
    "audit",
    "outbox",
    "programs",
    "meetings",
    "tips",
    "newsletters",
    "alerts",
    "watch",
    "transparency",
    "actions",
    "audits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Headers only: outside OwnPageCacheMiddleware, so pages it serves get them too.
    "portal.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # ?lang=es speaks Spanish for that one page, with no cookie (the tip pages' language switcher).
    "accounts.language.QueryLanguageMiddleware",
    "portal.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.cache.OwnPageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.StaffAccountMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.site",
                "portal.context_processors.navigation",
                "alerts.context_processors.safety_alerts",
            ],
        },
    },
]
# Selects and inputs written in Python, the same HTML as Django's widget templates (portal/form_renderer.py).
FORM_RENDERER = "portal.form_renderer.FormRenderer"

# Database: SQLite for the embedded run, PostgreSQL in production and CI.
DATABASE_URL = env_str("DATABASE_URL", "")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'precinct.sqlite3'}"
DATABASES = {"default": database_from_url("DATABASE_URL", DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60 if not DEBUG else 0)
# Survive a database restart without restarting the portal.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is the broker and the cache; without it, an embedded broker and a local cache.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}.")
if REDIS_URL:
    CACHES = {
        "default": {
            # Errors are logged and count as misses: the site keeps working without Redis.
            "BACKEND": "portal.cache_backend.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "precinct",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Sessions are read from Redis (one round trip) and written through to the database, so a
    # logged-in request skips a query, and with Redis down they still load from the database.
    # Both copies are sealed (portal/sessions.py): allauth keeps reset-link keys and the like in them.
    SESSION_ENGINE = "portal.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "portal.sessions_db"
# Meetings: anonymous feedback is written in shuffled batches of at least this many answers
# (or when feedback closes, this many days after the meeting), so none can be tied to its author.
MEETINGS_FEEDBACK_BATCH_SIZE = env_int("MEETINGS_FEEDBACK_BATCH_SIZE", 5)
MEETINGS_FEEDBACK_WINDOW_DAYS = env_int("MEETINGS_FEEDBACK_WINDOW_DAYS", 14)
# Calendar feeds list meetings from this many days ago on, at most this many, whatever the history.
MEETINGS_FEED_PAST_DAYS = env_int("MEETINGS_FEED_PAST_DAYS", 90)
MEETINGS_FEED_MAX_EVENTS = env_int("MEETINGS_FEED_MAX_EVENTS", 500)
# Per resident: RSVPs and cancellations, and question votes (given or withdrawn), in a window.
MEETINGS_RSVP_LIMIT = env_int("MEETINGS_RSVP_LIMIT", 10)
MEETINGS_RSVP_LIMIT_SECONDS = env_int("MEETINGS_RSVP_LIMIT_SECONDS", 3600)
MEETINGS_VOTE_LIMIT = env_int("MEETINGS_VOTE_LIMIT", 30)
MEETINGS_VOTE_LIMIT_SECONDS = env_int("MEETINGS_VOTE_LIMIT_SECONDS", 600)
# Following / unfollowing action items: per resident and window.
ACTIONS_FOLLOW_LIMIT = env_int("ACTIONS_FOLLOW_LIMIT", 30)
ACTIONS_FOLLOW_LIMIT_SECONDS = env_int("ACTIONS_FOLLOW_LIMIT_SECONDS", 600)
# The officers' desk (admin index): a guardian's consent is overdue this many days after it was
# asked for; a tip nobody has written on for this many days is listed as "no activity".
DESK_CONSENT_OVERDUE_DAYS = env_int("DESK_CONSENT_OVERDUE_DAYS", 7)
DESK_TIP_STALE_DAYS = env_int("DESK_TIP_STALE_DAYS", 14)
# Anonymous public pages are cached this long at most (portal/cache.py); edits invalidate them at once.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 120)
# Seats left and vote counts on cached pages are at most this many seconds behind; a stream of
# RSVPs or votes invalidates the meeting pages at most once in that time (portal/cache.py).
PUBLIC_PAGE_COUNTS_SECONDS = env_int("PUBLIC_PAGE_COUNTS_SECONDS", 30)

# Celery (read by portal/celery.py with the CELERY_ prefix).
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    for folder in ("queue", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
# A request that queues work must never wait on a dead broker: one quick retry, then the
# outbox sweep takes over.
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 1,
    "interval_start": 0,
    # A task a worker took and never acknowledged (acks_late: it died) goes back on its queue after
    # this long. Longer than any task's hard time limit, so a task still running is never handed to
    # a second worker. E-mail does not wait for it: the outbox rows, not the task messages, are the
    # source of truth, and the sweep re-enqueues a dead worker's rows within seconds (OUTBOX_* below).
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300),
}
CELERY_BROKER_TRANSPORT_OPTIONS = (
    REDIS_BROKER_TRANSPORT_OPTIONS
    if REDIS_URL
    else {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
    }
)
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# Two queues: "high" for what must not wait behind a newsletter (alerts), "default" for the rest.
# Run at least one worker on each (docs/deploy.md).
CELERY_TASK_ROUTES = {"alerts.tasks.*": {"queue": "high"}}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE = {
    # Often: a dead worker's claimed rows are re-enqueued within a lease and one tick of this.
    "outbox-sweep": {"task": "outbox.tasks.sweep_outbox", "schedule": float(env_int("OUTBOX_SWEEP_SECONDS", 10))},
    # An alert's fan-out whose worker died starts again within seconds (alerts/services.py).
    "alerts-resume": {"task": "alerts.tasks.resume_alert_deliveries", "schedule": 10.0},
    # Hourly: sent, failed and withdrawn e-mails older than OUTBOX_RETENTION_DAYS are deleted in batches.
    "outbox-purge": {"task": "outbox.tasks.purge_outbox", "schedule": 3600.0},
    # Meeting reminders and feedback requests are found in the database on every tick (no countdowns).
    "meetings-reminders": {"task": "meetings.tasks.send_due_reminders", "schedule": 60.0},
    "meetings-feedback-requests": {"task": "meetings.tasks.send_feedback_requests", "schedule": 300.0},
    # Anonymous feedback: full batches a worker missed, and what still waits when feedback closes.
    "meetings-feedback-release": {"task": "meetings.tasks.release_closed_feedback", "schedule": 3600.0},
    # Starts scheduled newsletters, resumes a fan-out that died, refreshes sending progress.
    "newsletters-resume": {"task": "newsletters.tasks.resume_newsletters", "schedule": 60.0},
    # Hourly; each subscriber's digest goes out once per ISO week, from Monday 08:00 local time.
    "newsletters-weekly-digest": {"task": "newsletters.tasks.send_weekly_digests", "schedule": 3600.0},
    # Hourly: each seated applicant hears about a session once, during the day before it.
    "programs-session-reminders": {"task": "programs.tasks.send_session_reminders", "schedule": 3600.0},
    # Tips: reviewers hear of new tips once the hour they arrived in is over (the e-mail must not date them).
    "tips-notify-reviewers": {"task": "tips.tasks.notify_reviewers_of_new_tips", "schedule": 300.0},
    "tips-purge-expired": {"task": "tips.tasks.purge_expired_tips", "schedule": 3600.0},
    # The "How we're doing" figures: recomputed every hour into a small table the pages read.
    "transparency-compute": {"task": "transparency.tasks.compute_figures", "schedule": 3600.0},
    # Hourly; each officer hears of their due-soon and overdue action items once per local day.
    "actions-officer-reminders": {"task": "actions.tasks.send_officer_reminders", "schedule": 3600.0},
}

# E-mail. A local run (DEBUG) with no mail server configured keeps what it sends in a development
# mailbox, read at /dev/emails/ (portal/dev_mailbox.py): the default here rather than in bin/run alone,
# so `manage.py runserver`, a worker started by hand and `manage.py shell` all deliver to the page that
# DEBUG serves. Otherwise mail is printed on the console unless EMAIL_BACKEND says where it goes.
DEV_MAILBOX_DIR = VAR_DIR / "mail"
DEV_MAILBOX_KEEP = env_int("DEV_MAILBOX_KEEP", 500)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "portal.dev_mailbox.DevMailboxBackend"
    if DEBUG and not env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@precinct.example>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("Administrators", address) for address in env_list("ADMINS", [])]
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5)
# A worker holds the rows it claimed for this long and renews the claim every third of it while it
# sends; rows of a worker that died go back to the queue once it runs out (outbox/services.py).
OUTBOX_CLAIM_LEASE_SECONDS = env_int("OUTBOX_CLAIM_LEASE_SECONDS", 15)
# A queued row whose task never reached a worker (broker down, or held by a worker that died) is
# re-enqueued by the sweep after this long; rows for a named queue ("high": alerts) sooner.
OUTBOX_SWEEP_GRACE_SECONDS = env_int("OUTBOX_SWEEP_GRACE_SECONDS", 60)
OUTBOX_URGENT_SWEEP_GRACE_SECONDS = env_int("OUTBOX_URGENT_SWEEP_GRACE_SECONDS", 15)
# Sent, failed and withdrawn e-mails are deleted this many days after they were queued (outbox_purge).
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 30)
# /health/ready waits this many milliseconds for its checks, "down" for any that has not answered: the
# answer comes within 500 ms (a load balancer's usual probe time-out) on a busy machine.
HEALTH_READY_TIMEOUT = env_int("HEALTH_READY_TIMEOUT_MILLISECONDS", 300) / 1000
# Keys that seal queued e-mails' contexts at rest (outbox/sealing.py), newest first; the rest still open rows
# sealed before a rotation. Empty: SECRET_KEY and SECRET_KEY_FALLBACKS are used (with HKDF, never as they are).
OUTBOX_KEYS = env_list("OUTBOX_KEYS", [])
# How long the signed links in every e-mail work, counted from when it was sent. A preferences link
# changes what someone receives; an unsubscribe link (RFC 8058 one-click) only stops mail, so it lasts
# longer, for old newsletters kept in a mailbox. An expired link's page e-mails a fresh one, at most
# NEWSLETTER_FRESH_LINK_LIMIT times per address in NEWSLETTER_FRESH_LINK_PERIOD seconds.
NEWSLETTER_PREFERENCES_LINK_MAX_AGE = timedelta(days=env_int("NEWSLETTER_PREFERENCES_LINK_DAYS", 60))
NEWSLETTER_UNSUBSCRIBE_LINK_MAX_AGE = timedelta(days=env_int("NEWSLETTER_UNSUBSCRIBE_LINK_DAYS", 365))
NEWSLETTER_FRESH_LINK_LIMIT = env_int("NEWSLETTER_FRESH_LINK_LIMIT", 3)
NEWSLETTER_FRESH_LINK_PERIOD = env_int("NEWSLETTER_FRESH_LINK_PERIOD", 3600)
# Subscription requests (each e-mails the address typed) per client address (IPv6: per /64).
NEWSLETTER_SUBSCRIBE_PER_CLIENT_LIMIT = env_int("NEWSLETTER_SUBSCRIBE_PER_CLIENT_LIMIT", 10)
NEWSLETTER_SUBSCRIBE_PER_CLIENT_PERIOD = env_int("NEWSLETTER_SUBSCRIBE_PER_CLIENT_PERIOD", 3600)
# With the broker down, a subscription request is handled in the request, padded to this many seconds.
NEWSLETTER_SUBSCRIBE_INLINE_SECONDS = env_int("NEWSLETTER_SUBSCRIBE_INLINE_MILLISECONDS", 250) / 1000
# A password-reset request is answered no sooner than this, known address or not (portal/timing.py).
ACCOUNT_RESET_ANSWER_SECONDS = env_int("ACCOUNT_RESET_ANSWER_MILLISECONDS", 250) / 1000
# Shared secret the mail provider sends in X-Precinct-Secret to /newsletters/bounces/ (empty: intake off).
BOUNCE_WEBHOOK_SECRET = env_str("BOUNCE_WEBHOOK_SECRET", "")

# Programs: how long a guardian's consent link stays valid.
PROGRAMS_CONSENT_LINK_MAX_AGE = timedelta(days=env_int("PROGRAMS_CONSENT_LINK_DAYS", 7))
# Guardian e-mails (the first request and every resend) a day: per applicant, per guardian's
# address and per application, so nobody can make the portal mail a stranger over and over.
PROGRAMS_CONSENT_LIMIT_SECONDS = env_int("PROGRAMS_CONSENT_LIMIT_SECONDS", 24 * 3600)
PROGRAMS_CONSENT_LIMIT_PER_APPLICANT = env_int("PROGRAMS_CONSENT_LIMIT_PER_APPLICANT", 5)
PROGRAMS_CONSENT_LIMIT_PER_GUARDIAN = env_int("PROGRAMS_CONSENT_LIMIT_PER_GUARDIAN", 3)
PROGRAMS_CONSENT_LIMIT_PER_APPLICATION = env_int("PROGRAMS_CONSENT_LIMIT_PER_APPLICATION", 3)

# Neighbourhood Watch: how often a resident's action may e-mail someone else (portal/ratelimit.py).
WATCH_PROPOSALS_PER_DAY = env_int("WATCH_PROPOSALS_PER_DAY", 3)
WATCH_JOIN_REQUESTS_PER_GROUP_DAY = env_int("WATCH_JOIN_REQUESTS_PER_GROUP_DAY", 2)
WATCH_JOIN_REQUESTS_PER_HOUR = env_int("WATCH_JOIN_REQUESTS_PER_HOUR", 10)
WATCH_JOIN_REQUESTS_PER_COORDINATOR_HOUR = env_int("WATCH_JOIN_REQUESTS_PER_COORDINATOR_HOUR", 30)
WATCH_CONCERNS_PER_HOUR = env_int("WATCH_CONCERNS_PER_HOUR", 5)
WATCH_CONCERNS_PER_LIAISON_HOUR = env_int("WATCH_CONCERNS_PER_LIAISON_HOUR", 60)
WATCH_POSTS_PER_DAY = env_int("WATCH_POSTS_PER_DAY", 10)
WATCH_POSTS_PER_GROUP_DAY = env_int("WATCH_POSTS_PER_GROUP_DAY", 20)

# Safety alerts. With approval on, an officer in "Alert approvers" other than its composer publishes.
ALERTS_REQUIRE_APPROVAL = env_bool("ALERTS_REQUIRE_APPROVAL", False)
# CAP <sender>: who other alerting systems see as the originator (no spaces, commas, < or &).
ALERTS_CAP_SENDER = env_str("ALERTS_CAP_SENDER", SITE_URL.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0])

# Accounts (django-allauth): e-mail only, verified before the first log-in.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# "Signed in as …" and allauth's other pages name the resident by their display name, not the user name.
ACCOUNT_USER_DISPLAY = "accounts.selectors.display_name_for"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "add_email": "accounts.forms.AddEmailForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
}
# A stolen session is not enough to take an account over: changing the address (or removing one)
# asks for the password again, and the owner is e-mailed about every address, password and
# second-factor change (templates/account/email/, templates/mfa/email/).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("ACCOUNT_REAUTHENTICATION_SECONDS", 300)
ACCOUNT_EMAIL_NOTIFICATIONS = True
# One address per account; a new one replaces the old only once it is confirmed.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's limits, per client address ("ip"), account ("user") or typed address ("key"). Rate-limited
# pages answer 429 with templates/429.html. Each is listed in docs/deploy.md.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("ACCOUNT_RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": env_str("ACCOUNT_RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/300s/key"),
    "signup": env_str("ACCOUNT_RATE_LIMIT_SIGNUP", "20/m/ip"),
    # Per typed address too, by the hour: each request e-mails that address (a reset link, or "no
    # account here"), so a minute's limit alone let anyone send any inbox 300 police e-mails an hour.
    "reset_password": env_str("ACCOUNT_RATE_LIMIT_RESET_PASSWORD", "20/m/ip,5/m/key,10/h/key"),
    "reset_password_from_key": env_str("ACCOUNT_RATE_LIMIT_RESET_PASSWORD_FROM_KEY", "20/m/ip"),
    "change_password": env_str("ACCOUNT_RATE_LIMIT_CHANGE_PASSWORD", "5/m/user"),
    "manage_email": env_str("ACCOUNT_RATE_LIMIT_MANAGE_EMAIL", "10/m/user"),
    "confirm_email": env_str("ACCOUNT_RATE_LIMIT_CONFIRM_EMAIL", "1/3m/key,5/h/key"),
    "reauthenticate": env_str("ACCOUNT_RATE_LIMIT_REAUTHENTICATE", "10/m/user"),
}
# "Download my data" and "delete my account": attempts per resident in that many seconds
# (accounts/views.py); wrong passwords on the deletion page count.
ACCOUNTS_DATA_DOWNLOAD_LIMIT = env_int("ACCOUNTS_DATA_DOWNLOAD_LIMIT", 5)
ACCOUNTS_DATA_DOWNLOAD_LIMIT_SECONDS = env_int("ACCOUNTS_DATA_DOWNLOAD_LIMIT_SECONDS", 3600)
ACCOUNTS_DELETE_LIMIT = env_int("ACCOUNTS_DELETE_LIMIT", 5)
ACCOUNTS_DELETE_LIMIT_SECONDS = env_int("ACCOUNTS_DELETE_LIMIT_SECONDS", 900)
# A staff member's first second factor needs an enrolment link sent to their verified address
# (accounts/enrolment.py): their password alone never lets anyone enrol an authenticator.
STAFF_ENROLMENT_LINK_HOURS = env_int("STAFF_ENROLMENT_LINK_HOURS", 72)
# After the link is opened, how long the officer has to finish setting up the authenticator app.
STAFF_ENROLMENT_WINDOW_SECONDS = env_int("STAFF_ENROLMENT_WINDOW_SECONDS", 15 * 60)
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Authenticator apps' keys and recovery-code seeds are stored sealed (accounts/mfa_secrets.py) under
# MFA_KEYS, newest first (the rest still open older values); empty: SECRET_KEY and SECRET_KEY_FALLBACKS.
MFA_ADAPTER = "accounts.mfa_secrets.MFAAdapter"
MFA_KEYS = env_list("MFA_KEYS", [])
MFA_TOTP_ISSUER = SITE_NAME
# Accept the code of the previous or next 30-second step too: phones drift, and a code typed as
# the step turns over should not lock an officer out.
MFA_TOTP_TOLERANCE = 1
# Security keys and passkeys need HTTPS; a local run on http://127.0.0.1 may still try them.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Internationalisation: user-facing text is translatable, every datetime aware.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True
# Dates, times and numbers in each language's one style (portal/formats, portal/dates.py).
FORMAT_MODULE_PATH = ["portal.formats"]
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known time zone (e.g. America/Chicago).") from None

# Static and uploaded files.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Security. Production (DEBUG off) passes `manage.py check --deploy` with no warning.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        # Log-in rate limits count per client address: take it from the proxy's X-Forwarded-For.
        ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)
# Officers' sessions end sooner: the admin holds what attackers want (accounts/adapters.py).
STAFF_SESSION_AGE = env_int("STAFF_SESSION_AGE", 60 * 60 * 8)

# Records and error reports about tip pages lose their request details (tips/privacy.py): the
# filter sits on every handler, and on django.request so the record itself is cleaned at the source.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # Records about tip pages: warnings dropped, errors held until their hour is over (tips/privacy.py).
        "scrub_tip_requests": {"()": "tips.privacy.ScrubTipRequests"},
        # Consent, confirmation, reset and newsletter tokens in paths are written as "[secret]".
        "mask_secret_paths": {"()": "portal.secret_paths.MaskSecretPaths"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub_tip_requests", "mask_secret_paths"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "scrub_tip_requests", "mask_secret_paths"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.request": {"level": "WARNING", "filters": ["scrub_tip_requests"]},
        # The hourly report of errors on tip pages: to the console and to ADMINS, like Django's errors.
        "tips.errors": {"handlers": ["console", "mail_admins"], "level": "ERROR", "propagate": False},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "tips.privacy.TipExceptionReporterFilter"

# Anonymous tips (docs/tips-threat-model.md). TIP_ENCRYPTION_KEYS: Fernet keys, comma-separated, newest
# first; make one with `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
# A local run (DEBUG) without it uses a key derived from SECRET_KEY: fine for demo data, useless for secrets.
TIP_ENCRYPTION_KEYS = env_list("TIP_ENCRYPTION_KEYS", [])
if not TIP_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "TIP_ENCRYPTION_KEYS must be set: anonymous tips are stored encrypted (docs/tips-threat-model.md)."
        )
    TIP_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(hashlib.sha256(f"tips:{SECRET_KEY}".encode()).digest()).decode()]
# What Fernet(key) checks, without loading cryptography into every process that reads the settings
# (a Celery worker's main process opens nothing).
for _position, _key in enumerate(TIP_ENCRYPTION_KEYS, start=1):
    try:
        _key_length = len(base64.urlsafe_b64decode(_key))
    except (ValueError, TypeError):
        _key_length = None
    if _key_length != 32:
        raise ImproperlyConfigured(
            f"TIP_ENCRYPTION_KEYS: key {_position} is not a Fernet key (32 url-safe base64-encoded bytes)."
        )
# Closed (and spam) tips, with their files, are deleted this many days after closing.
TIP_RETENTION_DAYS = env_int("TIP_RETENTION_DAYS", 365)

# Published figures ("How we're doing", open data): a count under this is shown as "fewer than N",
# with complementary cells hidden so that it cannot be worked out (docs/transparency.md).
TRANSPARENCY_MIN_CELL = env_int("TRANSPARENCY_MIN_CELL", 5)
if TRANSPARENCY_MIN_CELL < 2:
    raise ImproperlyConfigured("TRANSPARENCY_MIN_CELL must be at least 2.")
# A zero is published (it says "no one", so it points at no one; hiding it would also hide every
# total beside it). False hides zeros like the other small counts.
TRANSPARENCY_PUBLISH_ZEROS = env_bool("TRANSPARENCY_PUBLISH_ZEROS", True)
# The open licence the data sets are published under: (name, URL).
TRANSPARENCY_LICENCE_NAME = env_str("TRANSPARENCY_LICENCE_NAME", "Creative Commons Attribution 4.0 (CC BY 4.0)")
TRANSPARENCY_LICENCE_URL = env_str("TRANSPARENCY_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")
