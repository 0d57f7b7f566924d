"""Drain3 beside our miner (bench/patterns.ts): reads {"sets": {name: [content, ...]}, "rounds": n} on stdin,
mines each set with Drain3's default configuration, a fresh TemplateMiner per round, and prints
{name: {"ids": [cluster id per line], "lines_per_second": best round, per CPU second}} as JSON."""
import json
import logging
import sys
import time

from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig

logging.disable(logging.CRITICAL)


def mine(contents, rounds):
    best = 0.0
    ids = []
    for _ in range(rounds):
        # An empty config is Drain3's defaults without looking for a drain3.ini file.
        miner = TemplateMiner(config=TemplateMinerConfig())
        started = time.process_time()
        ids = [miner.add_log_message(content)["cluster_id"] for content in contents]
        best = max(best, len(contents) / max(time.process_time() - started, 1e-9))
    return {"ids": [str(i) for i in ids], "lines_per_second": round(best)}


request = json.load(sys.stdin)
json.dump({name: mine(contents, request["rounds"]) for name, contents in request["sets"].items()}, sys.stdout)
