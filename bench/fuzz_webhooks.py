"""The long fuzz run: hostile bodies at a real `ayo serve`, counted by answer; 0 server errors.

    python bench/fuzz_webhooks.py --examples 2000            # per endpoint, SQLite
    python bench/fuzz_webhooks.py --examples 2000 --postgres

Telegram and WhatsApp webhooks (authentic: right secret, valid signature) and the inbound API
(valid key) get bodies from tests/support/hostile.py. The script prints the answers by status
and the tracebacks found in the server's output, and exits 1 if any answer was a 5xx or any
traceback was printed. The CI test (tests/bot/test_fuzz_inputs.py) runs the same strategies
with a small fixed budget.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.serving import TG_SECRET, WA_SECRET, database, served
from tests.support import hostile
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_whatsapp import sign


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="per endpoint")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    answers: Counter[str] = Counter()
    server_errors: list[str] = []
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="ayo-fuzz-"))
    with (
        FakeTelegram(chats=(5550001,)) as tg,
        database(args.postgres) as url,
        served(url, folder, telegram_api=tg.base_url) as ayo,
        httpx.Client(base_url=ayo.url, timeout=30) as web,
    ):

        def record(target: str, response: httpx.Response) -> None:
            answers[f"{target} {response.status_code}"] += 1
            if response.status_code >= 500:
                server_errors.append(f"{target} {response.status_code}")

        budget = settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )

        @budget
        @given(body=hostile.bodies(hostile.TELEGRAM_UPDATE))
        def telegram(body: bytes) -> None:
            headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
            record("telegram", web.post("/telegram/webhook", content=body, headers=headers))

        @budget
        @given(body=hostile.bodies(hostile.WHATSAPP_PAYLOAD))
        def whatsapp(body: bytes) -> None:
            headers = {"X-Hub-Signature-256": sign(body, WA_SECRET)}
            record("whatsapp", web.post("/whatsapp/webhook", content=body, headers=headers))

        @budget
        @given(route=st.sampled_from(["notifications", "approvals", "status"]), data=st.data())
        def api(route: str, data: st.DataObject) -> None:
            headers = {"X-API-Key": ayo.api_key, "content-type": "application/json"}
            if route == "status":
                ref = quote(data.draw(hostile.REF), safe="")
                path = f"/api/v1/requests/{ref}/status"
                body = data.draw(hostile.bodies(hostile.STATUS))
            else:
                path = f"/api/v1/{route}"
                shape = hostile.NOTIFICATION if route == "notifications" else hostile.APPROVAL
                body = data.draw(hostile.bodies(shape))
            record("api", web.post(path, content=body, headers=headers))

        for run in (telegram, whatsapp, api):
            run()
        time.sleep(1)  # let the background work on the last updates finish
    said = ayo.output.read_text()
    tracebacks = said.count("Traceback")
    shutil.rmtree(folder, ignore_errors=True)
    total = sum(answers.values())
    print(
        json.dumps(
            {
                "backend": "postgresql" if args.postgres else "sqlite",
                "requests": total,
                "seconds": round(time.monotonic() - started, 1),
                "answers": dict(sorted(answers.items())),
                "server_errors": len(server_errors),
                "tracebacks_in_output": tracebacks,
            },
            indent=2,
        )
    )
    return 1 if server_errors or tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
