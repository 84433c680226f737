"""newscrawl.security: no secret survives masking, whatever it looks like and wherever it is logged."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl import security

pytestmark = pytest.mark.timeout(60)
FUZZ = settings(max_examples=100, deadline=None, derandomize=True)
# what a URI password may contain unescaped (RFC 3986 userinfo, minus ':' and '@')
PASSWORDS = st.text(alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters="!$&()*+,;=-._~%"),
                    min_size=4, max_size=40)


@FUZZ
@given(PASSWORDS, st.sampled_from(["mongodb", "mongodb+srv", "redis", "rediss", "http", "https", "amqp"]),
       st.text(max_size=20), st.text(max_size=20))
def test_uri_passwords_are_masked_anywhere_in_a_line(password, scheme, before, after):
    line = f"{before} {scheme}://crawler:{password}@127.0.0.1:27017/?authSource=admin {after}"
    masked = security.mask(line, secrets=())
    assert f":{password}@" not in masked
    assert f"{scheme}://crawler:***@127.0.0.1:27017" in masked


@FUZZ
@given(PASSWORDS, st.sampled_from(["MONGO_PASSWORD", "SCRAPYD_PASSWORD", "api_token", "NEWSCRAWL_ALERT_SMTP_PASSWORD",
                                   "client_secret", "password"]),
       st.sampled_from(["{k}={v}", "'{k}': '{v}'", '"{k}": "{v}"', "?{k}={v}&x=1", "{k}: {v}"]))
def test_values_of_secret_named_keys_are_masked(password, key, shape):
    line = "settings " + shape.format(k=key, v=password) + " end"
    assert password not in security.mask(line, secrets=())


@FUZZ
@given(st.text(min_size=4, max_size=30).filter(lambda s: s.strip() == s and s))
def test_known_secret_values_are_masked_verbatim(secret):
    assert secret not in security.mask(f"x{secret}y {secret}", secrets={secret})


def test_secrets_are_collected_from_names_and_uris():
    found = security.secrets_in({"REDIS_URL": "redis://:r3dis-pw@127.0.0.1:6379/0", "HOME": "/root",
                                 "SCRAPYD_PASSWORD": "scrapyd-pw", "GITHUB_TOKEN": "ghp_x1y2z3",
                                 "MONGODB_URI": "mongodb://u:m0ngo-pw@h/", "SHORT_TOKEN": "ab"})
    assert found == {"r3dis-pw", "scrapyd-pw", "ghp_x1y2z3", "m0ngo-pw"}


def test_ordinary_lines_are_left_alone():
    line = "Crawled (200) <GET https://english.almayadeen.net/news/politics/a> (referer: None) 3 Min Read"
    assert security.mask(line, secrets=()) == line


def test_installed_factory_masks_messages_args_and_tracebacks(caplog):
    security.install({"NEWSCRAWL_TEST_PASSWORD": "env-pa55word"})
    logger = logging.getLogger("newscrawl.test.masking")
    with caplog.at_level(logging.DEBUG, logger="newscrawl.test.masking"):
        logger.info("store %s", "mongodb://u:uri-pa55@127.0.0.1:1/")
        logger.debug("plain env-pa55word in text")
        try:
            raise RuntimeError("connecting with env-pa55word failed")
        except RuntimeError:
            logger.exception("boom %(uri)s", {"uri": "redis://:redis-pa55@h:1/0"})
    text = "\n".join(caplog.messages) + "\n".join(r.exc_text or "" for r in caplog.records)
    for secret in ("uri-pa55", "env-pa55word", "redis-pa55"):
        assert secret not in text
    assert text.count("***") >= 4 and "RuntimeError" in text
