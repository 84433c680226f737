"""`newscrawl submit`: schedule a spider on the least busy Scrapyd node, once.

A job is recognised by its id, ``SPIDER-HASH-TIME-RANDOM``, where HASH is derived from
the spider and its arguments: Scrapyd 1.6 lists the arguments of pending jobs but not of
running ones, and a spider argument of our own would be refused by spiders that check
their arguments. So the id prefix ``SPIDER-HASH-`` names "this spider with these arguments"
on every node, whatever its state.

Exit codes: 0 scheduled or skipped as a duplicate; 2 bad usage; 3 authentication failed
on a node; 4 no node answered; 5 a node refused the job.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from newscrawl.cli import CommandError
from newscrawl.scrapyd_client import (ApiError, AuthenticationFailed, NodeUnreachable, ScrapydError,
                                      ScrapydNode, public_url)

NODES_ENV = "NEWSCRAWL_SCRAPYD_NODES"
PROJECT_ENV = "NEWSCRAWL_SCRAPYD_PROJECT"
DEFAULT_PROJECT = "newscrawl"
# schedule.json reads these form fields itself; as spider arguments they would be lost
RESERVED_ARGS = {"project", "spider", "jobid", "priority", "setting", "_version", "_job"}

EXIT_AUTH = 3
EXIT_NO_NODE = 4
EXIT_REFUSED = 5


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "submit", help="schedule a spider on the least busy Scrapyd node (skips duplicates)",
        description="Schedule SPIDER on the least busy Scrapyd node (fewest pending+running jobs), "
                    "unless the same spider with the same arguments is already pending or running "
                    "on any node. Credentials: env SCRAPYD_USERNAME and SCRAPYD_PASSWORD.")
    parser.add_argument("spider", help="spider name, e.g. almayadeen or breaking")
    parser.add_argument("-a", dest="spider_args", action="append", default=[], metavar="NAME=VALUE",
                        help="spider argument (repeatable)")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="Scrapy setting for this job (repeatable)")
    parser.add_argument("--nodes", default=None, metavar="URL[,URL...]",
                        help=f"Scrapyd nodes (default: env {NODES_ENV})")
    parser.add_argument("--project", default=None,
                        help=f"Scrapyd project (default: env {PROJECT_ENV}, else {DEFAULT_PROJECT})")
    # schedule.json runs `scrapy list` (seconds) the first time after a deploy, blocking the node meanwhile
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each node (default 30)")
    parser.add_argument("--dry-run", action="store_true", help="say what would be done, schedule nothing")
    parser.set_defaults(func=run)


# --- job identity ---------------------------------------------------------------


def parse_pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"{flag} {value!r}: expected NAME=VALUE")
        pairs[name.strip()] = text
    return pairs


def args_hash(spider: str, args: dict[str, str]) -> str:
    canonical = json.dumps([spider, sorted(args.items())], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def job_prefix(spider: str, args: dict[str, str]) -> str:
    return f"{spider}-{args_hash(spider, args)}-"


def new_job_id(spider: str, args: dict[str, str], now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"{job_prefix(spider, args)}{now.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:6]}"


# --- choosing --------------------------------------------------------------------


@dataclass
class NodeState:
    node: ScrapydNode
    status: dict
    jobs: dict

    @property
    def load(self) -> int:
        return int(self.status.get("pending", 0)) + int(self.status.get("running", 0))


@dataclass
class Duplicate:
    node: str
    state: str
    job_id: str


def find_duplicate(states: list[NodeState], spider: str, args: dict[str, str]) -> Duplicate | None:
    """The first pending or running job of this spider with these arguments, on any node."""
    prefix = job_prefix(spider, args)
    for state in states:
        for kind in ("running", "pending"):
            for job in state.jobs.get(kind, []):
                if job.get("spider") != spider:
                    continue
                # pending jobs scheduled by other means are still recognised by their arguments
                listed = {k: v for k, v in (job.get("args") or {}).items() if k not in RESERVED_ARGS}
                if str(job.get("id", "")).startswith(prefix) or (kind == "pending" and listed == args):
                    return Duplicate(state.node.url, kind, job.get("id", "?"))
    return None


def by_load(states: list[NodeState]) -> list[NodeState]:
    """Least busy first; ties keep the order the nodes were given in."""
    return sorted(states, key=lambda state: state.load)


# --- the command -----------------------------------------------------------------


def node_urls(args: argparse.Namespace) -> list[str]:
    text = args.nodes if args.nodes is not None else os.environ.get(NODES_ENV, "")
    urls = [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]
    if not urls:
        raise CommandError(f"no Scrapyd node given: use --nodes URL[,URL...] or set {NODES_ENV}")
    try:
        return list(dict.fromkeys(public_url(url) for url in urls))
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def survey(nodes: list[ScrapydNode], project: str) -> tuple[list[NodeState], list[ScrapydError]]:
    states, failures = [], []
    for node in nodes:
        try:
            states.append(NodeState(node, node.daemon_status(), node.list_jobs(project)))
        except ScrapydError as exc:
            failures.append(exc)
    return states, failures


def check_locally(spider: str, spider_args: dict[str, str], settings: dict[str, str]) -> str | None:
    """What `scrapy crawl` would refuse in this job, asked here before any node is: the project's
    settings given with -s, and the arguments of a spider this checkout has (others are the nodes' call)."""
    from scrapy.settings import Settings
    from scrapy.spiderloader import get_spider_loader

    from newscrawl.validation import check_settings, check_spider_arguments

    project = Settings()
    project.setmodule("newscrawl.settings", priority="project")
    project.setdict(settings, priority="cmdline")
    problems = check_settings(project)
    if problems:
        return "\n".join(problems)
    try:
        spidercls = get_spider_loader(project).load(spider)
    except KeyError:
        return None
    return check_spider_arguments(spidercls, spider_args, project)


def run(args: argparse.Namespace) -> int:
    spider_args = parse_pairs(args.spider_args, "-a")
    settings = parse_pairs(args.settings, "-s")
    reserved = sorted(RESERVED_ARGS & set(spider_args))
    if reserved:
        raise CommandError(f"-a {', '.join(reserved)}: reserved by Scrapyd's schedule.json; use another name")
    problem = check_locally(args.spider, spider_args, settings)
    if problem:
        raise CommandError(problem)
    project = args.project or os.environ.get(PROJECT_ENV) or DEFAULT_PROJECT
    username = os.environ.get("SCRAPYD_USERNAME", "")
    password = os.environ.get("SCRAPYD_PASSWORD", "")
    nodes = [ScrapydNode(url, username, password, timeout=args.timeout) for url in node_urls(args)]

    states, failures = survey(nodes, project)
    denied = [f for f in failures if isinstance(f, AuthenticationFailed)]
    if denied:
        raise CommandError("authentication failed (check SCRAPYD_USERNAME / SCRAPYD_PASSWORD) on: "
                           + ", ".join(f.node for f in denied), code=EXIT_AUTH)
    if not states:
        raise CommandError("no Scrapyd node answered:\n" + "\n".join(f"  {f}" for f in failures), code=EXIT_NO_NODE)
    for failure in failures:
        print(f"newscrawl submit: warning: skipping node {failure}", file=sys.stderr)

    described = " ".join([args.spider, *(f"-a {k}={v}" for k, v in spider_args.items())])
    duplicate = find_duplicate(states, args.spider, spider_args)
    if duplicate:
        print(f"skipped: {described} is already {duplicate.state} on {duplicate.node} (job {duplicate.job_id})")
        return 0

    job_id = new_job_id(args.spider, spider_args)
    for state in by_load(states):
        where = f"{state.node.url} ({state.status.get('pending', 0)} pending, {state.status.get('running', 0)} running)"
        if args.dry_run:
            print(f"would schedule {described} on {where} as job {job_id}")
            return 0
        try:
            state.node.schedule(project, args.spider, jobid=job_id, args=spider_args, settings=settings)
        except NodeUnreachable as exc:
            print(f"newscrawl submit: warning: {exc}; trying the next node", file=sys.stderr)
            continue
        except AuthenticationFailed as exc:
            raise CommandError(str(exc), code=EXIT_AUTH) from None
        except ApiError as exc:
            raise CommandError(f"job refused: {exc}", code=EXIT_REFUSED) from None
        print(f"scheduled {described} on {where} as job {job_id}")
        print(f"log: {state.node.url}logs/{project}/{args.spider}/{job_id}.log")
        return 0
    raise CommandError("no Scrapyd node took the job (all became unreachable)", code=EXIT_NO_NODE)
