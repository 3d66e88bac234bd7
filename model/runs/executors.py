"""Where runs go: in this process, in local processes, or on a Dask cluster.

An executor takes a picklable, module-level function and an iterator of work items and yields
``(item, result, error)`` as items finish, in completion order. It never changes a number: a
run's result depends only on its item (parameters and seed), so the same experiment gives
bit-identical results on every executor. As in EMA Workbench, *where* runs execute is kept
apart from *what* runs (``model.experiments``) and from the model itself.

Three executors share one interface (:class:`Executor`):

- :class:`SerialExecutor` — in this process, one run after the other (debugging, profiling,
  tiny sweeps);
- :class:`ProcessExecutor` — local worker processes with the ``spawn`` start method (the one
  mesa forces on import), the default;
- :class:`DaskExecutor` — a ``dask.distributed`` cluster: an existing scheduler (``address``),
  a client you already have, or a ``LocalCluster`` it starts and stops itself.

Work is submitted in a bounded window (a few items per worker), so memory stays flat however
many runs a sweep has: items are drawn lazily from the iterator and results are handed back as
soon as they arrive. An item whose worker dies (a crashed process, a killed Dask worker) comes
back with an error instead of stopping the others.

Each run uses ``numba_threads`` threads inside numba kernels (default 1 in worker processes and
on Dask, since a sweep parallelises whole runs; design.md "Parallel across runs first"). The
model's counter-based random numbers make results independent of the thread count.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: ``(item, result, error)``: ``error`` is None when ``fn(item)`` returned, else a message.
Outcome = tuple[Any, Any, str | None]


def progress_bar(**kwargs: Any):
    """A tqdm progress bar: the notebook widget where ipywidgets is installed, text elsewhere.

    ``tqdm.auto`` warns "IProgress not found" in a notebook without ipywidgets, which is not a
    dependency; the text bar works in a terminal and in a notebook alike.
    """
    import importlib.util

    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm(**kwargs)


def call_with_threads(fn: Callable[[Any], Any], numba_threads: int | None, item: Any) -> Any:
    """Call ``fn(item)`` with numba limited to ``numba_threads`` threads in this thread.

    ``numba.set_num_threads`` is per thread, so it is set inside the task (Dask runs tasks in
    a thread pool). ``None`` leaves numba's setting alone.
    """
    if numba_threads is not None:
        import numba

        numba.set_num_threads(max(1, min(int(numba_threads), numba.config.NUMBA_NUM_THREADS)))
    return fn(item)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the process that started it dies.

    Without it, a sweep killed with SIGKILL would leave its pool workers running (they hold
    the task queue's write end, so they never see it close). Best effort: a no-op elsewhere.
    """
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() == 1:  # the parent already died before prctl took effect
            os._exit(1)
    except (OSError, AttributeError):
        pass


def _init_process_worker() -> None:
    _die_with_parent()


class Executor:
    """Interface of the executors: a context manager with :meth:`imap_unordered`.

    Attributes
    ----------
    name : str
        ``"serial"``, ``"processes"`` or ``"dask"`` (recorded in manifests).
    workers : int
        Runs that can execute at once.
    """

    name = "executor"
    workers = 1

    def __enter__(self) -> Executor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Acquire resources (pools, clusters); called by ``__enter__``."""

    def close(self) -> None:
        """Release resources; called by ``__exit__``."""

    def describe(self) -> dict[str, Any]:
        """Settings recorded in a manifest."""
        return {"name": self.name, "workers": self.workers}

    def imap_unordered(
        self, fn: Callable[[Any], Any], items: Iterable[Any], max_in_flight: int | None = None
    ) -> Iterator[Outcome]:
        """Yield ``(item, fn(item), None)`` or ``(item, None, error)`` as items finish.

        Parameters
        ----------
        fn : callable
            A module-level function (picklable by reference).
        items : iterable
            Work items, drawn lazily.
        max_in_flight : int, optional
            Items submitted but not yet handed back (default: twice the workers).
        """
        raise NotImplementedError


class SerialExecutor(Executor):
    """Run items one after the other in this process.

    Parameters
    ----------
    numba_threads : int, optional
        Threads for numba kernels (default: numba's setting, usually all cores).
    """

    name = "serial"

    def __init__(self, numba_threads: int | None = None):
        self.workers = 1
        self.numba_threads = numba_threads

    def describe(self) -> dict[str, Any]:
        """Settings recorded in a manifest."""
        return {**super().describe(), "numba_threads": self.numba_threads}

    def imap_unordered(self, fn, items, max_in_flight=None):
        """Run each item in turn; see :meth:`Executor.imap_unordered`."""
        for item in items:
            try:
                yield item, call_with_threads(fn, self.numba_threads, item), None
            except Exception as err:  # noqa: BLE001 - a failed item never stops the others
                yield item, None, f"{type(err).__name__}: {err}"


class ProcessExecutor(Executor):
    """Run items in local worker processes (``spawn`` start method).

    Parameters
    ----------
    workers : int, optional
        Worker processes (default: the number of CPUs).
    numba_threads : int
        Threads for numba kernels in each worker (default 1).

    Notes
    -----
    Scripts that use it need an ``if __name__ == "__main__":`` guard: with ``spawn`` each
    worker re-imports the main module. A worker that dies (segfault, out of memory) fails the
    items it held; the pool is rebuilt and the other items go on.
    """

    name = "processes"

    def __init__(self, workers: int | None = None, numba_threads: int | None = 1):
        self.workers = max(1, int(workers or os.cpu_count() or 1))
        self.numba_threads = numba_threads
        self._pool: cf.ProcessPoolExecutor | None = None

    def describe(self) -> dict[str, Any]:
        """Settings recorded in a manifest."""
        return {**super().describe(), "numba_threads": self.numba_threads, "start": "spawn"}

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_process_worker,
        )

    def start(self) -> None:
        """Create the pool (workers start on first use)."""
        if self._pool is None:
            self._pool = self._new_pool()

    def close(self) -> None:
        """Shut the pool down, cancelling items not yet started."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def imap_unordered(self, fn, items, max_in_flight=None):
        """Run items in the pool; see :meth:`Executor.imap_unordered`."""
        self.start()
        window = max(1, max_in_flight or 2 * self.workers)
        source = iter(items)
        pending: dict[cf.Future, Any] = {}
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                pending[self._submit(fn, item)] = item
            if not pending:
                return
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            broken = False
            for fut in done:
                item = pending.pop(fut)
                try:
                    yield item, fut.result(), None
                except cf.process.BrokenProcessPool as err:
                    broken = True
                    yield item, None, f"worker process died: {err}"
                except Exception as err:  # noqa: BLE001
                    yield item, None, f"{type(err).__name__}: {err}"
            if broken:
                # every item still held by the dead pool fails too; a new pool takes the rest
                for fut, item in list(pending.items()):
                    del pending[fut]
                    yield item, None, "worker process died while this run was queued or running"
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()

    def _submit(self, fn, item) -> cf.Future:
        return self._pool.submit(call_with_threads, fn, self.numba_threads, item)


class DaskExecutor(Executor):
    """Run items on a ``dask.distributed`` cluster.

    Parameters
    ----------
    address : str, optional
        Address of a running scheduler (``"tcp://host:8786"``). Its workers must be able to
        import ``model`` (the same package version).
    client : distributed.Client, optional
        An existing client to use instead (not closed by this executor).
    n_workers : int
        With neither ``address`` nor ``client``: a ``LocalCluster`` of this many worker
        processes (one thread each) is started and stopped with the executor.
    numba_threads : int
        Threads for numba kernels in each run (default 1).

    Notes
    -----
    Results travel back to this process, which writes them; the workers need no shared file
    system. Each task has a unique key, so re-running an item never reuses a cached result.
    """

    name = "dask"

    def __init__(
        self,
        address: str | None = None,
        client: Any = None,
        n_workers: int | None = None,
        numba_threads: int | None = 1,
    ):
        self.address = address
        self.numba_threads = numba_threads
        self._n_workers = max(1, int(n_workers or os.cpu_count() or 1))
        self._given_client = client
        self._client = client
        self._cluster = None
        self.workers = self._n_workers

    def describe(self) -> dict[str, Any]:
        """Settings recorded in a manifest."""
        return {
            **super().describe(),
            "scheduler": self.address or ("client" if self._given_client else "LocalCluster"),
            "numba_threads": self.numba_threads,
        }

    def start(self) -> None:
        """Connect to the scheduler, or start a local cluster."""
        if self._client is not None:
            self.workers = self._total_threads()
            return
        from distributed import Client, LocalCluster

        if self.address:
            self._client = Client(self.address)
        else:
            self._cluster = LocalCluster(
                n_workers=self._n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
        self.workers = self._total_threads()

    def _total_threads(self) -> int:
        threads = self._client.nthreads()
        return max(1, sum(threads.values())) if threads else self._n_workers

    def close(self) -> None:
        """Close the client and the local cluster this executor started."""
        if self._client is not None and self._given_client is None:
            self._client.close()
        self._client = self._given_client
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def imap_unordered(self, fn, items, max_in_flight=None):
        """Run items on the cluster; see :meth:`Executor.imap_unordered`."""
        import uuid

        from distributed import as_completed

        self.start()
        client = self._client
        window = max(1, max_in_flight or 2 * self.workers)
        source = iter(items)
        tag = uuid.uuid4().hex[:12]
        count = 0
        pending: dict[str, Any] = {}

        def submit(item):
            nonlocal count
            count += 1
            fut = client.submit(
                call_with_threads,
                fn,
                self.numba_threads,
                item,
                key=f"innovsim-run-{tag}-{count}",
                pure=False,
                retries=0,
            )
            pending[fut.key] = item
            return fut

        first = []
        for item in source:
            first.append(submit(item))
            if len(first) >= window:
                break
        if not first:
            return
        queue = as_completed(first)
        for fut in queue:
            item = pending.pop(fut.key)
            try:
                result = fut.result()
            except Exception as err:  # noqa: BLE001 - includes KilledWorker
                yield item, None, f"{type(err).__name__}: {err}"
            else:
                yield item, result, None
            finally:
                fut.release()
            try:
                queue.add(submit(next(source)))
            except StopIteration:
                pass


def make_executor(
    workers: int | None = None, scheduler: str | None = None, numba_threads: int | None = 1
) -> Executor:
    """Choose an executor the way ``innovsim sweep`` does.

    Parameters
    ----------
    workers : int, optional
        1: serial, in this process; more (default: the number of CPUs): local processes, or
        the size of the local Dask cluster with ``scheduler="local"``.
    scheduler : str, optional
        A Dask scheduler address, or ``"local"`` for a ``LocalCluster`` of ``workers``.
    numba_threads : int, optional
        Threads per run inside numba (serial runs keep numba's own setting).
    """
    if scheduler:
        if scheduler == "local":
            return DaskExecutor(n_workers=workers, numba_threads=numba_threads)
        return DaskExecutor(address=scheduler, numba_threads=numba_threads)
    n = int(workers or os.cpu_count() or 1)
    if n <= 1:
        return SerialExecutor()
    return ProcessExecutor(workers=n, numba_threads=numba_threads)
