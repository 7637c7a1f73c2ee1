"""Start Django for a bench script run as `python bench/<script>.py`.

bench/run.py measures a snapshot of the committed code (BENCH_APP_ROOT); bench/ itself comes
from this checkout, so both go on sys.path before Django starts.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, Path(os.environ.get("BENCH_APP_ROOT", ROOT))):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")

import django  # noqa: E402

django.setup()
