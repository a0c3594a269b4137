"""The waiver gate of the scan suite (waivers.py) fails where it should (pytest runs these
unittest cases with the rest of tests/scan)."""

import unittest
from pathlib import Path

from waivers import judge, read_waivers

CONFIG = """framework:
  - kubernetes
skip-check:
  # CKV_K8S_38 tokens
  #   only: Deployment.ns.prometheus
  #         Deployment.ns.other
  #   why: Prometheus reads the API
  #   for service discovery.
  - CKV_K8S_38
  # CKV_K8S_43 digests
  #   only: Job.ns.migrate-*
  #   why: no registry
  - CKV_K8S_43
"""


def problems_of(config, failed, names_may_be_absent=False):
    waivers, problems = read_waivers(config)
    return problems + judge(waivers, failed, names_may_be_absent)[1]


class WaiverGateTest(unittest.TestCase):
    def test_reads_each_entrys_objects_and_reason_over_several_comment_lines(self):
        waivers, problems = read_waivers(CONFIG)
        self.assertEqual([], problems)
        self.assertEqual(["Deployment.ns.prometheus", "Deployment.ns.other"], waivers["CKV_K8S_38"][0])
        self.assertEqual("Prometheus reads the API for service discovery.", waivers["CKV_K8S_38"][1])

    def test_failures_on_the_named_objects_pass(self):
        failed = {"CKV_K8S_38": ("t", ["Deployment.ns.other", "Deployment.ns.prometheus"]),
                  "CKV_K8S_43": ("d", ["Job.ns.migrate-0123"])}
        self.assertEqual([], problems_of(CONFIG, failed))

    def test_a_failure_on_an_object_the_waiver_does_not_name_fails_naming_it(self):
        failed = {"CKV_K8S_38": ("t", ["Deployment.ns.other", "Deployment.ns.prometheus", "Deployment.ns.backend"]),
                  "CKV_K8S_43": ("d", ["Job.ns.migrate-0123"])}
        problems = problems_of(CONFIG, failed)
        self.assertEqual(1, len(problems), problems)
        self.assertIn("also fails on Deployment.ns.backend", problems[0])

    def test_a_check_no_waiver_covers_fails(self):
        failed = {"CKV_K8S_38": ("t", ["Deployment.ns.other", "Deployment.ns.prometheus"]),
                  "CKV_K8S_43": ("d", ["Job.ns.migrate-0123"]),
                  "CKV_K8S_35": ("secrets", ["Deployment.ns.backend"])}
        problems = problems_of(CONFIG, failed)
        self.assertEqual(1, len(problems), problems)
        self.assertIn("CKV_K8S_35 (secrets) fails on Deployment.ns.backend", problems[0])

    def test_a_waiver_or_a_name_that_matches_no_failure_must_be_removed(self):
        problems = problems_of(CONFIG, {"CKV_K8S_38": ("t", ["Deployment.ns.prometheus"])})
        self.assertEqual(2, len(problems), problems)
        self.assertIn("names Deployment.ns.other, on which it no longer fails", problems[0])
        self.assertIn("CKV_K8S_43 is waived but fails nowhere", problems[1])

    def test_for_another_stack_names_may_match_nothing_but_a_whole_waiver_may_not(self):
        problems = problems_of(CONFIG, {"CKV_K8S_38": ("t", ["Deployment.ns.prometheus"])}, names_may_be_absent=True)
        self.assertEqual(1, len(problems), problems)
        self.assertIn("CKV_K8S_43 is waived but fails nowhere", problems[0])

    def test_an_entry_without_objects_or_without_a_reason_fails(self):
        config = "skip-check:\n  # CKV_K8S_40 uid\n  #   why: because\n  - CKV_K8S_40\n  # CKV_K8S_15\n  #   only: X.y.z\n  - CKV_K8S_15\n"
        problems = read_waivers(config)[1]
        self.assertEqual(2, len(problems), problems)
        self.assertIn("CKV_K8S_40: its comment names no object", problems[0])
        self.assertIn("CKV_K8S_15: its comment gives no reason", problems[1])

    def test_every_waiver_of_the_repository_names_its_objects_and_gives_a_reason(self):
        config = Path(__file__).resolve().parents[2] / ".checkov.yaml"
        waivers, problems = read_waivers(config.read_text())
        self.assertEqual([], problems)
        self.assertTrue(waivers, "no waiver read from .checkov.yaml")
        for check, (_, reason) in waivers.items():
            self.assertGreater(len(reason), 80, f"{check}: a reason of one line is not a reason")


if __name__ == "__main__":
    unittest.main()
