"""A projection runner in its own process, for the crash test (``python -m tests.projections.crash_runner``).

Follows the log with the person-centred read models in small batches (so a ``kill -9`` finds
it mid-stream); ``--once`` catches up to the head and exits. Settings from the environment.
"""

from __future__ import annotations

import sys
import threading

from projections.registry import select
from projections.runner import ProjectionRunner
from service.application import open_ledger
from service.settings import Settings
from tests.projections.support import MODELS


def main() -> None:
    ledger = open_ledger(Settings(), create_schema=False)
    runner = ProjectionRunner(ledger, select(MODELS), batch_size=int(sys.argv[1]) if len(sys.argv) > 1 else 50)
    if "--once" in sys.argv:
        with runner.store.lock(runner.names) as held:
            assert held
            runner.prepare()
            runner.catch_up()
    else:
        runner.run(threading.Event())
    ledger.close()


if __name__ == "__main__":
    main()
