"""Superset's configuration for the news warehouse (loaded through SUPERSET_CONFIG_PATH).

`bi/serve.py` sets SUPERSET_HOME to the BI state folder (NEWS_BI_HOME) and writes the secret
key there before Superset starts; this file only reads them.
"""

import os
from pathlib import Path

_HOME = Path(os.environ["SUPERSET_HOME"])

SECRET_KEY = (_HOME / "secret_key").read_text(encoding="utf-8").strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_HOME / 'superset.db'}"
DATA_DIR = str(_HOME)

# No cache: every chart and SQL Lab query reads the published copy as it is now, so a build
# republished by `make run` shows on the next refresh.
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
FILTER_STATE_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 86400}
EXPLORE_FORM_DATA_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 86400}
RATELIMIT_STORAGE_URI = "memory://"

# Served on loopback to one local user: no HTTPS to enforce, nothing phoning home.
TALISMAN_ENABLED = False
CONTENT_SECURITY_POLICY_WARNING = False
SCARF_ANALYTICS = False
SESSION_COOKIE_SAMESITE = "Lax"
WTF_CSRF_ENABLED = True

# Files and other databases stay out of reach of SQL Lab users; the warehouse is read-only.
PREVENT_UNSAFE_DB_CONNECTIONS = True
SQLLAB_CTAS_NO_LIMIT = False
ROW_LIMIT = 10000
