"""A loader worker process: ``python -m odlm_kg.sources.batch_worker``.

Started by :class:`odlm_kg.sources.batches.PreparerPool`. Reads the source (one pickle) and then batches
of records from standard input, and writes one ``("ok", PreparedBatch)`` or ``("error", traceback)``
per batch to standard output, in order. A thread keeps reading standard input while a batch is being
prepared, so the parent's writes never wait on this process's output (which would deadlock).
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import sys
import threading
import traceback
from typing import BinaryIO

from odlm_kg.sources.batches import BatchPreparer, receive_message, send_message

_END = object()


def _read_all(stream: BinaryIO, inbox: queue.Queue[object]) -> None:
    try:
        while True:
            inbox.put(receive_message(stream))
    except EOFError:
        pass
    finally:
        inbox.put(_END)


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    preparer = BatchPreparer(receive_message(stdin))  # type: ignore[arg-type]
    # The ontology, shapes and libraries live as long as the process: keep the collector off them
    # (it walked them on every full collection). Batches make no reference cycles worth collecting
    # often: the preparer collects every batches.COLLECT_EVERY batches (see batches.collector_paused).
    gc.freeze()
    gc.disable()
    inbox: queue.Queue[object] = queue.Queue()
    threading.Thread(target=_read_all, args=(stdin, inbox), daemon=True).start()
    while (records := inbox.get()) is not _END:
        try:
            reply: tuple[str, object] = ("ok", preparer.prepare(records))  # type: ignore[arg-type]
        except Exception:  # a bug, not a bad record (those are rejects): report it and go on
            reply = ("error", traceback.format_exc())
        send_message(stdout, reply)


def main() -> None:
    # The protocol owns the real standard output; anything a library prints goes to standard error.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    # The loading process went away or was interrupted: nothing to report to.
    with contextlib.suppress(EOFError, BrokenPipeError, KeyboardInterrupt):
        serve(sys.stdin.buffer, channel)


if __name__ == "__main__":
    main()
