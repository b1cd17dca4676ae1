"""drako.wsgi: the application gunicorn loads, with what it loaded frozen out of the collector."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]
PROBE = """
import gc, json, sys
import drako.wsgi
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "views_loaded": "conversations.relay" in sys.modules and "schedules.views" in sys.modules,
}))
"""


def test_loading_the_application_leaves_what_it_loaded_out_of_the_collectors_view():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "drako.settings"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=BASE, env=env, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    # The URLconf's views are imported before the freeze, not by the first request after it.
    assert loaded["views_loaded"]
    # A full collection walks what is still tracked: a sliver of what the app loaded.
    assert loaded["frozen"] > 50_000
    assert loaded["tracked"] < loaded["frozen"] // 20
