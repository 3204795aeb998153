"""Start and stop Amazon DynamoDB Local (the Java one) as a child process.

Generic: it knows nothing about any table or application. Typical use::

    with DynamoDBLocal(".cache/dynamodb-local", data_dir=".local/dynamodb") as ddb:
        client = boto3.client("dynamodb", endpoint_url=ddb.endpoint, ...)

DynamoDB Local accepts any credentials and has no bind-address option (its Jetty server
listens on every interface). Since anyone who can reach the port can read and write the
data, we bind it to 127.0.0.1 through a tiny Java launcher (``_LAUNCHER_SOURCE``) that sets
the connector's host before starting the server. The launcher is compiled once with
``javac`` and cached; without ``javac`` it runs as a single-file source program (Java 11+,
about 3 s slower to start). ``host=None`` runs the stock jar on all interfaces.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import http.client
import logging
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

logger = logging.getLogger(__name__)

JAR_NAME = "DynamoDBLocal.jar"
LIB_DIR = "DynamoDBLocal_lib"
_LAUNCHER_CLASS = "LoopbackDynamoDBLocal"
_LAUNCHER_SOURCE = """\
import java.lang.reflect.Field;

/** Runs DynamoDB Local's own ServerRunner with its Jetty connectors bound to one host. */
public class LoopbackDynamoDBLocal {
    public static void main(String[] args) throws Exception {
        String host = System.getProperty("dynamodblocal.host", "127.0.0.1");
        var proxy = com.amazonaws.services.dynamodbv2.local.main.ServerRunner
            .createServerFromCommandLineArgs(args);
        Field field = proxy.getClass().getDeclaredField("server");
        field.setAccessible(true);
        var server = (org.eclipse.jetty.server.Server) field.get(proxy);
        for (var connector : server.getConnectors()) {
            ((org.eclipse.jetty.server.ServerConnector) connector).setHost(host);
        }
        proxy.start();
        proxy.join();
    }
}
"""
_PR_SET_PDEATHSIG = 1


_MAIN_FAILED = 'Exception in thread "main"'


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local is missing, or did not start in time."""


class _StartFailedError(DynamoDBLocalError):
    """This attempt failed (process exited or its main thread died); another port may work."""


def missing_requirements(jar_dir: str | os.PathLike[str], java: str = "java") -> str | None:
    """Why DynamoDB Local cannot run here (a sentence for a skip or error), or None."""
    if shutil.which(java) is None:
        return (
            f"no Java runtime ({java!r} not on PATH); DynamoDB Local needs Java 17+ "
            "(Debian/Ubuntu: apt-get install -y default-jre-headless)"
        )
    if not (Path(jar_dir) / JAR_NAME).is_file():
        return f"{Path(jar_dir) / JAR_NAME} is missing (run `make dynamodb-local`)"
    return None


class DynamoDBLocal:
    """One DynamoDB Local process on ``host:port``.

    Parameters
    ----------
    jar_dir
        folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/.
    data_dir
        persist tables in this folder (``-dbPath DIR -sharedDb``); None: ``-inMemory``.
    port
        None picks a free port.
    host
        interface to bind; None keeps DynamoDB Local's default (every interface).
    """

    def __init__(
        self,
        jar_dir: str | os.PathLike[str],
        *,
        data_dir: str | os.PathLike[str] | None = None,
        port: int | None = None,
        host: str | None = "127.0.0.1",
        java: str = "java",
        java_options: Sequence[str] = (),
        startup_timeout: float = 60.0,
    ) -> None:
        self.jar_dir = Path(jar_dir).resolve()
        self.data_dir = Path(data_dir).resolve() if data_dir is not None else None
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._java = java
        self._java_options = tuple(java_options)
        self._startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._scratch: Path | None = None
        self._finalizer: weakref.finalize[..., DynamoDBLocal] | None = None

    # ------------------------------------------------------------------ public

    @property
    def port(self) -> int:
        if self._port is None:
            raise DynamoDBLocalError("DynamoDB Local is not started")
        return self._port

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT`` (the loopback address even when bound to every interface)."""
        host = self.host if self.host not in (None, "0.0.0.0", "::") else "127.0.0.1"  # noqa: S104
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> DynamoDBLocal:
        """Start the process and return once it answers requests.

        Raises
        ------
        DynamoDBLocalError
            Java or the jar is missing, or the server did not answer within the timeout.
        """
        if self.running:
            return self
        reason = missing_requirements(self.jar_dir, self._java)
        if reason is not None:
            raise DynamoDBLocalError(reason)
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        # A port we picked can be taken by someone else before Java binds it: try again.
        attempts = 1 if self._requested_port is not None else 3
        for attempt in range(1, attempts + 1):
            self._port = self._requested_port or _free_port(self.host or "127.0.0.1")
            started = time.monotonic()
            self._spawn()
            try:
                self._wait_until_ready()
            except _StartFailedError:
                self.stop()
                if attempt == attempts:
                    raise
                logger.warning("DynamoDB Local failed to start on port %s; retrying", self._port)
                continue
            except BaseException:
                self.stop()
                raise
            logger.info(
                "DynamoDB Local on %s (%s) after %.1f s",
                self.endpoint,
                self.data_dir or "in memory",
                time.monotonic() - started,
            )
            return self
        raise AssertionError("unreachable")  # pragma: no cover

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and reap it. Safe to call twice."""
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if self._proc is not None:
            _terminate(self._proc, timeout)
            self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"{self.endpoint}" if self.running else "stopped"
        return f"DynamoDBLocal({state}, data_dir={self.data_dir})"

    # ------------------------------------------------------------------ internals

    def _command(self) -> list[str]:
        jar = self.jar_dir / JAR_NAME
        cmd = [self._java, f"-Djava.library.path={self.jar_dir / LIB_DIR}", *self._java_options]
        if self.host is None:
            cmd += ["-jar", str(jar)]
        else:
            cmd += [f"-Ddynamodblocal.host={self.host}"]
            cmd += _launcher_args(jar, self._java)
        cmd += ["-port", str(self.port), "-sharedDb", "-disableTelemetry"]
        cmd += ["-dbPath", str(self.data_dir)] if self.data_dir is not None else ["-inMemory"]
        return cmd

    def _spawn(self) -> None:
        self._log = tempfile.TemporaryFile(prefix="dynamodb-local-")  # noqa: SIM115
        # DynamoDB Local writes dynamodb-local-metadata.json into its working directory:
        # keep it out of the jar folder (whose files are checksummed) and out of the caller's.
        if self.data_dir is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="dynamodb-local-"))
        cwd = self.data_dir or self._scratch
        cmd = self._command()
        logger.debug("starting %s", " ".join(cmd))
        self._proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # Own process group: stop() signals the group, so nothing Java starts survives.
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        # If the owner forgets stop(), end the process at garbage collection or exit.
        self._finalizer = weakref.finalize(self, _terminate, self._proc, 5.0)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise _StartFailedError(
                    f"DynamoDB Local exited with {self._proc.returncode}:\n{self._log_tail()}"
                )
            tail = self._log_tail()
            if _MAIN_FAILED in tail:
                # e.g. the port is taken: Java stays alive (Jetty threads) but never serves.
                raise _StartFailedError(f"DynamoDB Local failed to start:\n{tail}")
            if _answers(self.host or "127.0.0.1", self.port):
                return
            time.sleep(0.1)
        raise DynamoDBLocalError(
            f"DynamoDB Local did not answer on port {self.port} within "
            f"{self._startup_timeout:.0f} s:\n{self._log_tail()}"
        )

    def _log_tail(self, limit: int = 4000) -> str:
        if self._log is None:
            return ""
        # pread: Java shares this file's offset, so seeking here would move its writes.
        fd = self._log.fileno()
        size = os.fstat(fd).st_size
        start = max(0, size - limit)
        return os.pread(fd, size - start, start).decode("utf-8", "replace")


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _answers(host: str, port: int) -> bool:
    """True when a DynamoDB ListTables call gets a DynamoDB answer (not just an open port)."""
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request(
            "POST",
            "/",
            body=b"{}",
            headers={
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
                "Content-Type": "application/x-amz-json-1.0",
                # DynamoDB Local wants an Authorization header but never checks the signature.
                "Authorization": "AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/"
                "aws4_request, SignedHeaders=host, Signature=0",
            },
        )
        response = conn.getresponse()
        return response.status == 200 and b"TableNames" in response.read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _launcher_args(jar: Path, java: str) -> list[str]:
    """java arguments that run the loopback launcher: compiled once, else from source."""
    digest = hashlib.sha256(_LAUNCHER_SOURCE.encode()).hexdigest()[:16]
    for root in (jar.parent / ".launcher", _private_tmp):
        folder = root if isinstance(root, Path) else root()  # the temp folder only if needed
        if folder is None:
            continue
        classes = folder / digest
        if (classes / f"{_LAUNCHER_CLASS}.class").is_file() or _compile(jar, java, classes):
            return ["-cp", f"{jar}{os.pathsep}{classes}", _LAUNCHER_CLASS]
    private = _private_tmp()
    if private is None:
        raise DynamoDBLocalError(
            "no private folder for the loopback launcher; pass host=None to run the stock "
            "jar (it listens on every interface)"
        )
    source = private / f"src-{digest}" / f"{_LAUNCHER_CLASS}.java"
    source.parent.mkdir(exist_ok=True)
    source.write_text(_LAUNCHER_SOURCE)
    return ["-cp", str(jar), str(source)]


def _private_tmp() -> Path | None:
    """A temp folder only we can write (else someone could plant the class we run)."""
    path = Path(tempfile.gettempdir()) / f"dynamodb-local-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        st = path.lstat()
    except OSError:
        return None
    mine = st.st_uid == os.getuid() and stat.S_ISDIR(st.st_mode) and not st.st_mode & 0o077
    if not mine:
        logger.warning("%s is not a private folder of ours; not using it", path)
        return None
    return path


def _compile(jar: Path, java: str, classes: Path) -> bool:
    java_path = shutil.which(java)
    javac = Path(java_path).resolve().with_name("javac") if java_path else None
    if javac is None or not javac.is_file():
        return False
    try:
        classes.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=classes.parent))
    except OSError:
        return False  # not writable: try the next cache folder
    try:
        source = work / f"{_LAUNCHER_CLASS}.java"
        source.write_text(_LAUNCHER_SOURCE)
        subprocess.run(  # noqa: S603 - fixed argv, no shell
            [str(javac), "-nowarn", "-cp", str(jar), "-d", str(work), str(source)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        # Atomic publish: a concurrent compiler may win; either copy is identical.
        with contextlib.suppress(OSError):
            work.rename(classes)
        return (classes / f"{_LAUNCHER_CLASS}.class").is_file()
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("could not compile the DynamoDB Local loopback launcher: %s", exc)
        return False
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    # Linux: the kernel sends SIGTERM to Java if our process dies without calling stop()
    # (kill -9, crash). Caveat: it fires when the *thread* that started Java exits, so start
    # DynamoDBLocal from a long-lived thread (normally the main thread).
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _terminate(proc: subprocess.Popen[bytes], timeout: float) -> None:
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
