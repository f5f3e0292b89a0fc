"""What the official suite does not cover: badly signed messages are ignored (never executed),
interrupt cancels a running query, and restart gives a working kernel."""

import pathlib
import queue
import time

import pytest
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

from conftest import KERNEL_NAME


@pytest.fixture
def kernel(tmp_path):
    log = open(tmp_path / "kernel-stderr.log", "w")
    km = KernelManager(kernel_name=KERNEL_NAME)
    km.start_kernel(stderr=log)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=30)
    yield km, kc, tmp_path / "kernel-stderr.log"
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    log.close()


def reply_to(kc, msg_id, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        msg = kc.get_shell_msg(timeout=deadline - time.time())
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg
    raise AssertionError("no reply")


def test_a_badly_signed_message_is_not_executed(kernel, tmp_path):
    km, kc, log = kernel
    target = tmp_path / "leak.csv"
    code = f"SELECT 'secret' AS x\n%export csv {target}"
    forger = Session(key=b"not-the-kernel-key", session=kc.session.session, username="mallory")
    assert forger.key != kc.session.key
    forged = forger.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                             "user_expressions": {}, "allow_stdin": False,
                                             "stop_on_error": True})
    forger.send(kc.shell_channel.socket, forged)
    # Also one with no signature at all.
    unsigned = Session(key=b"", session=kc.session.session)
    unsigned.send(kc.shell_channel.socket, unsigned.msg("execute_request", forged["content"]))
    with pytest.raises(queue.Empty):
        kc.get_shell_msg(timeout=2)
    assert not target.exists(), "the forged cell ran"
    # Both logged: an empty signature fails the check like a wrong one.
    assert log.read_text().count("with a bad signature") == 2, log.read_text()
    # The same code, properly signed, runs: so the check above could have failed.
    msg_id = kc.execute(code)
    reply = reply_to(kc, msg_id)
    assert reply["content"]["status"] == "ok", reply["content"]
    assert target.read_text().splitlines() == ["x", "secret"]


def test_interrupt_cancels_a_running_query(kernel):
    km, kc, _ = kernel
    msg_id = kc.execute("SELECT SUM(value) FROM generate_series(1, 1000000000000)")
    time.sleep(1.0)
    started = time.time()
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id, timeout=20)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "Interrupted"
    assert time.time() - started < 10
    msg_id = kc.execute("SELECT 1 AS one")
    assert reply_to(kc, msg_id)["content"]["status"] == "ok"


def test_restart_gives_a_working_kernel(kernel):
    km, kc, _ = kernel
    msg_id = kc.execute("%limit 7")
    assert reply_to(kc, msg_id)["content"]["status"] == "ok"
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=30)
    msg_id = kc.execute("%limit")
    reply_to(kc, msg_id)
    # A fresh process: the default limit again.
    texts = []
    while True:
        try:
            m = kc.get_iopub_msg(timeout=2)
        except queue.Empty:
            break
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream":
            texts.append(m["content"]["text"])
    assert texts == ["results show at most 50 rows\n"]
