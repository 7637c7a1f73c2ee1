"""Settings for the test suite: the real settings with AMENDS_TESTING on (inline tasks, fast
password hashing, a file-based SQLite test database). pytest loads this module first."""

import os

os.environ.setdefault("AMENDS_TESTING", "1")

from amends.settings import *  # noqa: F403
