"""Journey entry sources come from the lists where they can; detail calls are few and bounded."""

from __future__ import annotations

from pathlib import Path

from mcaudit.snapshot.sending import JourneyStatus
from mcaudit.testing.expectations import collectable
from mcaudit.testing.scenarios import with_empty_sections

from .conftest import collect, sample, statuses

RUNNING = {JourneyStatus.published, JourneyStatus.scheduled_to_publish, JourneyStatus.paused}


def test_no_detail_calls_when_the_list_names_the_entry_event(serve, tmp_path: Path, capsys) -> None:
    source = with_empty_sections(sample("rotation/live.yaml"))
    api = serve(source)
    result = collect(api, source, tmp_path / "journeys.yaml", capsys)
    assert result.exit_code == 0
    assert api.counts()["mc.rest.interaction"] == 0
    assert [j.entry_source.type for j in result.snapshot.marketing_cloud.journeys] == [
        j.entry_source.type for j in source.marketing_cloud.journeys]


def test_detail_calls_only_for_running_versions(serve, tmp_path: Path, capsys) -> None:
    source = with_empty_sections(sample("rotation/live.yaml"))
    api = serve(source, journey_entry_hints=False)
    result = collect(api, source, tmp_path / "journeys.yaml", capsys)
    assert result.exit_code == 0
    running = sum(1 for journey in source.marketing_cloud.journeys if journey.status in RUNNING)
    assert 0 < api.counts()["mc.rest.interaction"] == running < len(source.marketing_cloud.journeys)
    expected = collectable(source, collected_at=result.snapshot.collected_at)
    assert statuses(result.snapshot, "preflight") == statuses(expected, "preflight")


def test_detail_calls_are_capped(serve, tmp_path: Path, capsys) -> None:
    source = with_empty_sections(sample("rotation/live.yaml"))
    api = serve(source, journey_entry_hints=False)
    result = collect(api, source, tmp_path / "journeys.yaml", capsys, "--journey-detail-limit", "1")
    assert result.exit_code == 3
    assert api.counts()["mc.rest.interaction"] == 1
    run = next(run for run in result.snapshot.collection.collectors if run.name == "marketing_cloud")
    assert run.failed_sections == ["marketing_cloud.journeys"]
    assert "--journey-detail-limit" in (run.error or "")
    unresolved = [j for j in result.snapshot.marketing_cloud.journeys if j.status in RUNNING and not j.entry_source]
    assert len(unresolved) == sum(1 for j in source.marketing_cloud.journeys if j.status in RUNNING) - 1
