"""The sweep needs no cron: the worker's periodic tick enqueues it and the worker runs it."""

from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conversations.models import Conversation
from conversations.tasks import conversation_sweep_task
from workers.worker import Worker

pytestmark = pytest.mark.django_db


def test_worker_sweeps_overdue_calls_with_no_cron(live_conversation, tavus_on):
    Conversation.objects.filter(pk=live_conversation.pk).update(
        started_at=timezone.now() - timedelta(minutes=10)
    )
    worker = Worker()
    while worker.run_once():
        pass

    live_conversation.refresh_from_db()
    assert live_conversation.status == "ended"
    assert live_conversation.shutdown_reason == Conversation.ENDED_BY_SWEEP
    cid = live_conversation.tavus_conversation_id
    assert any(r.path.endswith(f"{cid}/end") for r in tavus_on.requests)
    sweep = DBTaskResult.objects.get(task_path=conversation_sweep_task.module_path)
    assert sweep.status == TaskResultStatus.SUCCESSFUL
    assert sweep.return_value["ended"] == 1


def test_sweep_task_reports_what_it_did(live_conversation, tavus_on):
    result = conversation_sweep_task.enqueue()
    Worker().run_once()
    result.refresh()
    assert result.return_value == {
        "ended": 0, "failed_starts": 0, "transcripts": 0, "errors": [], "stragglers": 0
    }  # fmt: skip
