"""Python's cyclic garbage collection on the GUI thread only.

Python runs a collection on whichever thread happens to allocate past the threshold. When that
is a worker (the training thread inside torch.save, say) and the garbage holds Qt widgets (a
replaced overlay plot, a closed Follow tab: widgets in reference cycles), the widgets are
destroyed on the worker, which Qt forbids; seen as a deadlock, QObject::~QObject on the worker
waiting for the GIL while the GUI thread waits for Qt's lock.
"""

from __future__ import annotations

from pyqtgraph.util.garbage_collector import GarbageCollector

INTERVAL_S = 1.0  # pyqtgraph's default: a collection costs milliseconds, once a second is plenty


def collect_garbage_on_gui_thread(interval_s: float = INTERVAL_S) -> GarbageCollector:
    """Turn automatic collection off and collect on a timer of the calling (GUI) thread.

    pyqtgraph's remedy: the timer's collections honour the interpreter's thresholds, so
    collections are as frequent as before, only never on another thread. Call it once the
    QApplication exists, and keep the returned object: its timer is then the only collector.
    """
    return GarbageCollector(interval=interval_s)
