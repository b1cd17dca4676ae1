import logging
from types import SimpleNamespace

from drako.log_redaction import RedactingGunicornLogger, RedactSecretsFilter, redact


def test_redact_hides_every_url_secret():
    text = (
        "POST /api/tavus/callbacks/12.s3cr3t/ GET /calendar/feedtoken.ics "
        "GET /documents/doctoken/file.pdf GET /schedule/"
    )
    assert redact(text) == (
        "POST /api/tavus/callbacks/[redacted]/ GET /calendar/[redacted] "
        "GET /documents/[redacted]/file.pdf GET /schedule/"
    )


def test_filter_redacts_formatted_records():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/calendar/abc.ics",),
        None,
    )
    assert RedactSecretsFilter().filter(record) is True
    assert record.getMessage() == "Not Found: /calendar/[redacted]"


def test_gunicorn_access_log_atoms_are_redacted():
    cfg = SimpleNamespace(
        errorlog="-", accesslog="-", loglevel="info", syslog=False, capture_output=False,
        logconfig=None, logconfig_dict={}, logconfig_json=None, access_log_format="%(U)s",
        disable_redirect_access_to_syslog=False, user=0, group=0, umask=0, proc_name="x",
    )  # fmt: skip
    logger = RedactingGunicornLogger.__new__(RedactingGunicornLogger)
    logger.cfg = cfg
    request = SimpleNamespace(headers=[], method="POST", uri="/x", version=(1, 1))
    response = SimpleNamespace(status="200 OK", headers=[], sent=0, response_length=0)
    environ = {
        "PATH_INFO": "/api/tavus/callbacks/7.topsecret/",
        "QUERY_STRING": "",
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/api/tavus/callbacks/7.topsecret/",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    from datetime import timedelta

    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=3))
    assert "topsecret" not in atoms["U"] and "topsecret" not in atoms["r"]
