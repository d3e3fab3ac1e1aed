"""Set up Superset's metadata database, roles and local admin in one process (run by
bi/serve.py with the BI environment's Python and Superset's settings in the environment).

The same steps as `superset db upgrade`, `superset init` and `superset fab create-admin`, which
would each start the whole application again. Usage: initialise.py USERNAME (the password on
standard input, so it never shows in a process list).
"""

from __future__ import annotations

import sys

from flask_migrate import upgrade
from superset.app import create_app


def main(username: str, password: str) -> None:
    app = create_app()
    with app.app_context():
        from superset import appbuilder, security_manager

        upgrade()
        appbuilder.add_permissions(update_perms=True)
        security_manager.sync_role_definitions()
        user = security_manager.find_user(username=username)
        if user is None:
            user = security_manager.add_user(
                username,
                "News",
                "Admin",
                f"{username}@localhost",
                security_manager.find_role(security_manager.auth_role_admin),
                password=password,
            )
            if not user:
                raise SystemExit(f"could not create the Superset user {username!r}")
        else:
            security_manager.reset_password(user.id, password)


if __name__ == "__main__":
    main(sys.argv[1], sys.stdin.read().strip())
