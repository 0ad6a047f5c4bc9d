"""Small builders for tests: real services, no JSON fixtures."""

from __future__ import annotations

import datetime as dt

from documents import services

POLICY_V1 = """# Example Privacy Policy

Effective: January 1, 2024

## 1. Introduction

This policy explains how Example Corp handles personal information.

## 2. Information We Collect

We collect your name and email address when you register.

## 3. How We Use Information

We use information to provide the service and to send receipts.

## 4. Contact Us

Write to privacy@example.com with any question about this policy.
"""

# Inserts a section, so "How We Use Information" and "Contact Us" are renumbered;
# amends section 2.
POLICY_V2 = """# Example Privacy Policy

Effective: June 1, 2024

## 1. Introduction

This policy explains how Example Corp handles personal information.

## 2. Information We Collect

We collect your name, email address and phone number when you register.

## 3. Cookies

We use cookies to keep you signed in.

## 4. How We Use Information

We use information to provide the service and to send receipts.

## 5. Contact Us

Write to privacy@example.com with any question about this policy.
"""


def document(publisher="Example Corp", title="Privacy Policy", kind="privacy", slug=""):
    return services.document_get_or_create(publisher_name=publisher, title=title, kind=kind, slug=slug)


def publish(doc, text, date: dt.date | None = None, **kwargs):
    return services.version_publish(document=doc, source_text=text, effective_date=date, **kwargs)


def publish_groups():
    """The Publishers and Reviewers groups, as migration 0006 makes them. The flush that
    ends each transactional test (browser tests) empties every table; permissions come
    back through post_migrate, but groups from a data migration do not."""
    import importlib

    from django.apps import apps

    importlib.import_module("documents.migrations.0006_immutable_versions_publish_rights").groups_create(apps, None)
