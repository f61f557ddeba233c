"""Record mapping details that the round trip does not reach."""

from __future__ import annotations

import pytest

from mcaudit.collectors.salesforce import records
from mcaudit.collectors.salesforce.collector import _system_user
from mcaudit.snapshot.salesforce import SalesforceUser
from mcaudit.snapshot.sending import ScheduledSendStatus

USERS = [SalesforceUser(id="005000000000001AAA", username="mcc.system@acme.example")]


def test_system_user_by_id_of_either_length_or_by_username() -> None:
    assert _system_user("005000000000001", USERS).username == "mcc.system@acme.example"
    assert _system_user("005000000000001AAA", USERS).username == "mcc.system@acme.example"
    assert _system_user("MCC.System@acme.example", USERS).id == "005000000000001AAA"
    assert _system_user("gone@acme.example", USERS).id is None
    assert _system_user(None, USERS) is None


def test_salesforce_timestamps_and_numbers() -> None:
    assert records.timestamp("2026-10-31T00:00:00.000+0000").isoformat() == "2026-10-31T00:00:00+00:00"
    assert records.timestamp("2026-10-31").isoformat() == "2026-10-31T00:00:00+00:00"
    assert records.whole_number(510000001.0) == records.whole_number("510000001") == 510000001
    assert records.whole_number(True) is None and records.whole_number("5.5") is None


def test_send_statuses_are_read_or_refused_never_guessed() -> None:
    sends = records.scheduled_sends([{"Id": "a1", "et4ae5__SendStatus__c": "In Progress"}],
                                    [{"Id": "a2", "et4ae5__Active__c": False}])
    assert [send.status for send in sends] == [ScheduledSendStatus.in_progress, ScheduledSendStatus.paused]
    with pytest.raises(ValueError, match="unknown status 'Queued'"):
        records.scheduled_sends([{"Id": "a3", "et4ae5__SendStatus__c": "Queued"}], [])
