"""Tracebacks in the logs keep their frames and types, never the exception messages (which may quote personal
data, as a database error quotes the row it refused)."""

from __future__ import annotations

import io
import logging

from shanzhi.core.log_filters import WITHHELD, WithholdExceptionMessages


def logged(raise_it) -> str:  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(WithholdExceptionMessages())
    logger = logging.getLogger("tests.log_filters")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise_it()
    except Exception:
        logger.exception("Internal Server Error: /console/intake/")
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


PHONE = "138" + "00001234"  # built, so that no source line a traceback shows holds it


def test_the_message_is_withheld_the_frames_and_types_kept():
    def fail() -> None:
        raise ValueError(f"Key (citizen_phone)=({PHONE}) already exists")

    text = logged(fail)
    assert PHONE not in text
    assert f"ValueError: {WITHHELD}" in text
    assert "Internal Server Error: /console/intake/" in text
    assert "in fail\n    raise ValueError(" in text  # the frame and its source line, as Python shows them


def test_causes_and_contexts_are_withheld_too():
    def fail() -> None:
        try:
            raise KeyError(PHONE)
        except KeyError as error:
            raise RuntimeError(f"wrote {PHONE}") from error

    text = logged(fail)
    assert PHONE not in text
    assert f"KeyError: {WITHHELD}" in text and f"RuntimeError: {WITHHELD}" in text
    assert "direct cause" in text


def test_the_console_handler_withholds_them_unless_debug_is_on():
    import json
    import os
    import subprocess
    import sys

    def handler_filters(debug: str) -> list[str]:
        code = (
            "import json, django; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.LOGGING['handlers']['console']['filters']))"
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shanzhi.settings", "DEBUG": debug}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    assert handler_filters("0") == ["request_id", "withhold_exception_messages"]
    assert handler_filters("1") == ["request_id"]
