"""The zygote of tests/security/harness.py: a Python that imported mcaudit once and forks one capped
child per case, each made to look like a fresh `python -m mcaudit ARGS` (see harness.py).

Run as a script (`python zygote.py REQUESTS REPLIES`, two pipe descriptors) and imported by the
harness for `send` and `receive`, so the module imports nothing at its top but the standard
library: whatever mcaudit imports is imported in `main`, where the imports' reads of the
environment are recorded.
"""

from __future__ import annotations

import os
import pickle
from typing import Any


def send(fd: int, message: object) -> None:
    """One message: its length in 8 bytes, then its pickle."""
    data = pickle.dumps(message)
    view = memoryview(len(data).to_bytes(8, "big") + data)
    while view:
        view = view[os.write(fd, view):]


def receive(fd: int) -> Any:
    """The next message on `fd`, or None at its end."""
    def read(size: int) -> bytes | None:
        chunks: list[bytes] = []
        while size:
            chunk = os.read(fd, min(size, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)
    head = read(8)
    body = None if head is None else read(int.from_bytes(head, "big"))
    return None if body is None else pickle.loads(body)


def main() -> None:
    """Import what `python -m mcaudit` imports, then serve requests. Each child breaks out of the
    loop and runs mcaudit's __main__ as `python -m` does; the interpreter then ends it as it ends
    any program."""
    import io
    import os
    import resource
    import selectors
    import signal
    import sys
    import time

    requests, replies = int(sys.argv[1]), int(sys.argv[2])
    sys.path[0] = os.getcwd()  # as `python -m` sets it

    # the environment variables the imports read: a request that changes one needs a fresh interpreter
    read: set[str] = set()
    environ_type = type(os.environ)

    class Recording(environ_type):  # type: ignore[valid-type, misc]
        def __getitem__(self, key: str) -> str:
            read.add(key)
            value: str = super().__getitem__(key)
            return value

        def __contains__(self, key: object) -> bool:
            read.add(str(key))
            return bool(super().__contains__(key))

        def __iter__(self):  # type: ignore[no-untyped-def]
            read.update(dict.fromkeys(self._data))  # whole environment read: every name counts
            return super().__iter__()

    os.environ.__class__ = Recording
    try:
        import runpy

        import mcaudit.cli  # noqa: F401  (what mcaudit/__main__.py imports)
    finally:
        os.environ.__class__ = environ_type
    read = {os.fsdecode(key) if isinstance(key, bytes) else key for key in read}
    if os.path.isdir("/proc/self/task") and len(os.listdir("/proc/self/task")) != 1:
        raise SystemExit("the zygote has threads after its imports: it cannot fork safely")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    send(replies, {"startup": usage.ru_utime + usage.ru_stime, "read": sorted(read)})
    templates = sys.stdin, sys.stdout, sys.stderr  # their encoding, errors and buffering, as configured

    while True:
        request = receive(requests)
        if request is None:
            os._exit(0)
        assert isinstance(request, dict)
        stdin_r, stdin_w = os.pipe() if request["stdin"] is not None else (None, None)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            break
        for fd in (stdin_r, out_w, err_w):
            if fd is not None:
                os.close(fd)
        output: dict[int, list[bytes]] = {out_r: [], err_r: []}
        pending = memoryview(request["stdin"] or b"")
        deadline = time.monotonic() + request["wall"]
        timed_out = False
        with selectors.DefaultSelector() as selector:
            for fd in output:
                selector.register(fd, selectors.EVENT_READ)
            if stdin_w is not None:
                if pending:
                    os.set_blocking(stdin_w, False)
                    selector.register(stdin_w, selectors.EVENT_WRITE)
                else:
                    os.close(stdin_w)
            while selector.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    break
                for key, _ in selector.select(left):
                    if key.fd == stdin_w:
                        try:
                            pending = pending[os.write(stdin_w, pending[:1 << 16]):]
                        except BlockingIOError:
                            continue
                        except BrokenPipeError:
                            pending = pending[:0]
                        if not pending:
                            selector.unregister(stdin_w)
                            os.close(stdin_w)
                        continue
                    chunk = os.read(key.fd, 1 << 16)
                    if chunk:
                        output[key.fd].append(chunk)
                    else:
                        selector.unregister(key.fd)
                        os.close(key.fd)
            for key in list(selector.get_map().values()):
                os.close(key.fd)
        pause = 0.0005
        while not timed_out:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() >= deadline:
                timed_out = True
                break
            time.sleep(pause)
            pause = min(pause * 2, 0.01)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
        send(replies, {"timeout": timed_out, "code": os.waitstatus_to_exitcode(status),
              "stdout": b"".join(output[out_r]), "stderr": b"".join(output[err_r]),
              "cpu": usage.ru_utime + usage.ru_stime})

    # -- the child: a fresh `python -m mcaudit ARGV` in all that it can see -------------------------
    try:
        os.close(requests)
        os.close(replies)
        if stdin_r is not None and stdin_w is not None:
            os.dup2(stdin_r, 0)
            os.close(stdin_r)
            os.close(stdin_w)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        for fd in (out_r, out_w, err_r, err_w):
            os.close(fd)
        os.chdir(request["cwd"])
        sys.path[0] = os.getcwd()
        os.environ.clear()
        os.environ.update(request["env"])
        os.umask(request["umask"])
        for limit, (soft, hard) in request["limits"].items():
            if resource.getrlimit(limit) != (soft, hard):
                resource.setrlimit(limit, (soft, hard))
        resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
        streams = []
        for fd, template, name in zip((0, 1, 2), templates, ("<stdin>", "<stdout>", "<stderr>"), strict=True):
            # as Python/pylifecycle.c create_stdio builds them
            assert isinstance(template, io.TextIOWrapper)
            writing = fd != 0
            unbuffered = template.write_through
            raw = io.FileIO(fd, "wb" if writing else "rb", closefd=False)
            raw.name = name
            buffer: Any = raw  # stdin is always buffered
            if not writing:
                buffer = io.BufferedReader(raw)
            elif not unbuffered:
                buffer = io.BufferedWriter(raw)
            stream = io.TextIOWrapper(buffer, template.encoding, template.errors, "\n",
                                      not unbuffered and (raw.isatty() or fd == 2), unbuffered)
            stream.mode = "w" if writing else "r"  # type: ignore[misc]
            streams.append(stream)
        for name, stream in zip(("stdin", "stdout", "stderr"), streams, strict=True):
            setattr(sys, name, stream)
            setattr(sys, f"__{name}__", stream)  # mcaudit.cli.errors tells a replaced stdout by it
        sys.argv = ["-m", *request["argv"]]
    except BaseException:
        import traceback
        traceback.print_exc()
        os._exit(70)
    runpy._run_module_as_main("mcaudit")  # type: ignore[attr-defined]  # what `python -m mcaudit` calls


if __name__ == "__main__":
    main()
