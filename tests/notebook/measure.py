"""Measures (not a test) the kernel's start time and the round trip of a trivial query.

    start: from starting the kernel process to its kernel_info_reply (the first request a
           frontend sends), through jupyter_client as a notebook server would
    SELECT 1: from sending execute_request to receiving both the execute_reply and the `idle`
              status that ends the request on IOPub

Run after scripts/test.d/30-notebook.sh installed the kernelspec into target/venv-notebook:

    SUNLIGHT_STORE=target/demo/store target/venv-notebook/bin/python tests/notebook/measure.py [RUNS]
"""

import statistics
import sys
import time

from jupyter_client.manager import KernelManager


def wait_reply(kc, msg_id, timeout=30.0):
    while True:
        msg = kc.get_shell_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def wait_idle(kc, msg_id, timeout=30.0):
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["msg_type"] == "status"
            and msg["content"]["execution_state"] == "idle"
        ):
            return msg


def start_once():
    km = KernelManager(kernel_name="sunlight")
    started = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    msg_id = kc.kernel_info()
    wait_reply(kc, msg_id)
    elapsed = time.perf_counter() - started
    return km, kc, elapsed


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    starts = []
    for _ in range(runs):
        km, kc, elapsed = start_once()
        starts.append(elapsed)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    km, kc, _ = start_once()
    kc.wait_for_ready(timeout=30)
    # The first query waits for the store to open; measure the steady state after it.
    wait_reply(kc, kc.execute("SELECT 1"))
    trips = []
    for _ in range(runs * 5):
        t0 = time.perf_counter()
        msg_id = kc.execute("SELECT 1")
        reply = wait_reply(kc, msg_id)
        wait_idle(kc, msg_id)
        trips.append(time.perf_counter() - t0)
        assert reply["content"]["status"] == "ok", reply["content"]
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    ms = lambda xs: ", ".join(f"{x * 1000:.0f}" for x in sorted(xs))
    print(f"kernel start to kernel_info_reply: median {statistics.median(starts) * 1000:.0f} ms over {runs} starts ({ms(starts)} ms)")
    print(f"SELECT 1 round trip (reply and idle): median {statistics.median(trips) * 1000:.1f} ms over {len(trips)} runs "
          f"(min {min(trips) * 1000:.1f}, max {max(trips) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
