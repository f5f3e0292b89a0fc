"""The official Jupyter kernel test suite (jupyter_kernel_test) with this kernel's SQL samples."""

import unittest

import jupyter_kernel_test as jkt

from conftest import KERNEL_NAME


class SunlightKernelTests(jkt.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "sql"
    file_extension = ".sql"

    # SQL has no print statement: %echo (as psql's \echo) writes to standard output.
    code_hello_world = "%echo hello, world"

    completion_samples = [
        {"text": "SELECT * FROM level_c", "matches": {"level_counts"}},
        {"text": "SELECT * FROM risk_points_a", "matches": {"risk_points_all"}},
        {"text": "SELECT department_na", "matches": {"department_name"}},
        {"text": "SELECT risk_catalog.resp", "matches": {"responsible", "responsible_role"}},
        {"text": "SELEC", "matches": {"SELECT"}},
        {"text": "%sch", "matches": {"%schemes"}},
        {"text": "%chart heat", "matches": {"heatmap"}},
    ]

    complete_code_samples = [
        "SELECT 1",
        "SELECT 'a;b' AS x;",
        "SELECT * FROM level_counts;\nSELECT 2",
        "%limit 10",
    ]
    incomplete_code_samples = [
        "SELECT (1 + ",
        "SELECT 'not closed",
        "SELECT * FROM level_counts WHERE",
        "/* an open comment",
    ]
    invalid_code_samples = ["SELECT 1 1 1 FROM FROM", ")"]

    code_inspect_sample = "SELECT * FROM level_counts"

    code_generate_error = "SELECT * FROM no_such_table"

    code_execute_result = [
        {
            "code": "SELECT 1 + 1 AS two",
            "result": "+-----+\n| two |\n+-----+\n| 2   |\n+-----+",
        },
        {"code": "SELECT COUNT(*) AS n FROM submissions", "mime": "text/html"},
        {"code": "%schemes", "mime": "text/html"},
    ]

    code_display_data = [
        {
            "code": "SELECT year, COUNT(*) AS n FROM risk_points GROUP BY year ORDER BY year\n"
            "%chart line x=year y=n",
            "mime": "image/svg+xml",
        },
    ]

    def test_sunlight_html_is_escaped(self) -> None:
        self.flush_channels()
        reply, outputs = self.execute_helper("SELECT '<b>x</b> & \"y\"' AS markup")
        self.assertEqual(reply["content"]["status"], "ok")
        [result] = [m for m in outputs if m["msg_type"] == "execute_result"]
        html = result["content"]["data"]["text/html"]
        self.assertIn("&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;", html)
        self.assertNotIn("<b>x</b>", html)

    def test_sunlight_error_carries_the_datafusion_message_and_the_kernel_goes_on(self) -> None:
        self.flush_channels()
        reply, outputs = self.execute_helper("SELECT no_such_column FROM level_counts")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "DataFusionError")
        self.assertIn("no_such_column", reply["content"]["evalue"])
        reply, outputs = self.execute_helper("SELECT 41 + 1 AS answer")
        self.assertEqual(reply["content"]["status"], "ok")

    def test_sunlight_rows_past_the_limit_are_counted(self) -> None:
        self.flush_channels()
        reply, outputs = self.execute_helper(
            "%limit 3\nSELECT value FROM generate_series(1, 10) ORDER BY value"
        )
        self.assertEqual(reply["content"]["status"], "ok")
        [result] = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertIn("7 more rows not shown (10 in all)", result["content"]["data"]["text/plain"])
        self.assertEqual(result["content"]["data"]["text/html"].count("<tr>"), 4)
        self.execute_helper("%limit 50")

    def test_sunlight_inspect_shows_the_schema(self) -> None:
        self.flush_channels()
        msg_id = self.kc.inspect("risk_catalog", 3)
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertTrue(reply["content"]["found"])
        text = reply["content"]["data"]["text/plain"]
        for column in ("department_name", "risk_point", "level", "measures", "responsible"):
            self.assertIn(column, text)

    def test_sunlight_comm_info(self) -> None:
        self.flush_channels()
        msg_id = self.kc.comm_info()
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        jkt.validate_message(reply, "comm_info_reply", msg_id)
        self.assertEqual(reply["content"]["comms"], {})


class SunlightIopubWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = KERNEL_NAME
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
