"""Collectors: read live systems (read-only) into a snapshot. They know no rules.

    collect(CollectRequest, Redactor, Progress) -> Snapshot

One module per source (salesforce/, marketing_cloud/), an explicit registry (run.COLLECTORS), and
one HTTP layer (http.py) that enforces read-only access, TLS, timeouts and polite retries.

The package itself imports nothing, so that `mcaudit audit` never pays for the HTTP, Salesforce
and SOAP stacks; import mcaudit.collectors.run for the entry points.
"""
