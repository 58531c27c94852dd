"""Flask extensions, created unbound and bound to the app in create_app (flaskr's init_app style)."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
# Limits are declared on the views that need them (sign-in); nothing is limited by default.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
