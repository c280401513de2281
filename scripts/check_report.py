#!/usr/bin/env python3
"""Checks `voctag report` and `voctag query` as a user would.

1. Splits the bundled sample into one export per month and runs `voctag run`
   on each, into nightly partitions `VOC/run_date=YYYY-MM/`.
2. Builds the report over all of them (JSON and HTML), and recomputes its
   numbers with DuckDB, an independent engine, straight from the Parquet:
   per-theme comments, share, mentions by polarity and net sentiment; the
   overall NPS with its promoters and detractors; each theme's NPS with and
   without it and its impact; NPS and comments per month and per channel.
   Also checks `voctag query` against DuckDB.
3. Opens the HTML in headless Chromium, with no network, through the
   DevTools protocol over a pipe (no port, no extra packages): checks that
   the page has no script, fetched nothing but itself, and that every chart
   is an SVG element with a non-zero size and marks in it; takes a
   screenshot.

Usage:
    python3 scripts/check_report.py [--voctag target/debug/voctag]
        [--screenshot docs/report.png] [--keep DIR]

Needs: `duckdb` (pip) and `chromium` (Debian package) — `.ci/run` installs
them. Exits non-zero on any disagreement or missing tool.
"""

import argparse
import base64
import csv
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "testdata" / "comments_sample.csv"
REPORT_ARGS = ["--score-col", "nps", "--date-col", "created_at", "--by", "channel"]
CHARTS = [
    "chart-themes",
    "chart-priority",
    "chart-segment-0",
    "chart-trend-metric",
    "chart-trend-comments",
    "chart-trend-themes",
]
TOLERANCE = 1e-6


def run(cmd, **kw):
    print("$", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run(cmd, check=True, **kw)


def make_runs(voctag, work):
    """One export per month of the sample, one run per export."""
    exports = work / "exports"
    exports.mkdir()
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        date = header.index("created_at")
        months = {}
        for row in reader:
            months.setdefault(row[date][:7], []).append(row)
    voc = work / "voc"
    for month, rows in sorted(months.items()):
        path = exports / f"export-{month}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        run([voctag, "run", path, "--out", voc / f"run_date={month}", "--quiet"])
    return voc


# ---------------------------------------------------------------- DuckDB --


def duckdb_numbers(voc):
    import duckdb

    con = duckdb.connect()
    for table in ["comments", "mentions"]:
        # The run is the file's directory: nightly runs may read files of
        # the same name, so (source_file, source_row) alone is not a key.
        con.execute(
            f"""CREATE VIEW {table} AS
                SELECT *, regexp_replace(filename, '/[^/]*$', '') AS run
                FROM read_parquet('{voc}/*/{table}.parquet', filename = true,
                                  union_by_name = true)"""
        )
    con.execute(
        """CREATE VIEW scored AS
           SELECT run, source_file, source_row, channel,
                  strftime(date_trunc('month', TRY_CAST(created_at AS DATE)), '%Y-%m-%d') AS month,
                  TRY_CAST(trim(nps) AS DOUBLE) AS s
           FROM comments"""
    )
    con.execute(
        """CREATE VIEW valid AS
           SELECT *, CASE WHEN s BETWEEN 0 AND 10 THEN s END AS v FROM scored"""
    )
    # NPS as the textbook has it: % promoters − % detractors.
    nps = """100.0 * (count(*) FILTER (WHERE {c} v >= 9) - count(*) FILTER (WHERE {c} v < 7))
             / nullif(count(v) FILTER (WHERE {c} true), 0)"""
    one = lambda sql: con.execute(sql).fetchone()
    total = one("SELECT count(*) FROM comments")[0]
    out = {"comments": total}
    out["mentions"] = one("SELECT count(*) FROM mentions")[0]
    out["comments_with_mentions"] = one(
        "SELECT count(DISTINCT (run, source_file, source_row)) FROM mentions"
    )[0]
    scored, value, promoters, detractors = one(
        f"""SELECT count(v), {nps.format(c='')},
                   count(*) FILTER (WHERE v >= 9), count(*) FILTER (WHERE v < 7)
            FROM valid"""
    )
    out["nps"] = {"scored": scored, "value": value, "promoters": promoters, "detractors": detractors}

    out["themes"] = {}
    for theme, comments, neg, neu, pos in con.execute(
        """SELECT theme, count(DISTINCT (run, source_file, source_row)),
                  count(*) FILTER (WHERE polarity = 'negative'),
                  count(*) FILTER (WHERE polarity = 'neutral'),
                  count(*) FILTER (WHERE polarity = 'positive')
           FROM mentions GROUP BY theme"""
    ).fetchall():
        out["themes"][theme] = {
            "comments": comments,
            "share_pct": 100.0 * comments / total,
            "negative": neg,
            "neutral": neu,
            "positive": pos,
            "net_sentiment": 100.0 * (pos - neg) / (neg + neu + pos),
        }

    with_theme = "t.theme IS NOT NULL AND"
    without = "t.theme IS NULL AND"
    out["drivers"] = {}
    for theme, n_with, nps_with, nps_without in con.execute(
        f"""WITH t AS (SELECT DISTINCT run, source_file, source_row, theme FROM mentions),
                 themes AS (SELECT DISTINCT theme FROM t)
            SELECT th.theme, count(v) FILTER (WHERE t.theme IS NOT NULL),
                   {nps.format(c=with_theme)}, {nps.format(c=without)}
            FROM themes th CROSS JOIN valid c
            LEFT JOIN t ON t.theme = th.theme AND t.run = c.run
                 AND t.source_file = c.source_file AND t.source_row = c.source_row
            GROUP BY th.theme"""
    ).fetchall():
        out["drivers"][theme] = {
            "n_with": n_with,
            "metric_with": nps_with,
            "metric_without": nps_without,
            "impact": nps_without - value,
        }

    out["months"] = {
        month: {"comments": n, "metric": m}
        for month, n, m in con.execute(
            f"SELECT month, count(*), {nps.format(c='')} FROM valid "
            "WHERE month IS NOT NULL GROUP BY month"
        ).fetchall()
    }
    out["channels"] = {
        ch: {"comments": n, "metric": m}
        for ch, n, m in con.execute(
            f"SELECT channel, count(*), {nps.format(c='')} FROM valid GROUP BY channel"
        ).fetchall()
    }
    out["polarity_counts"] = sorted(
        con.execute(
            "SELECT theme, polarity, count(*) FROM mentions GROUP BY ALL"
        ).fetchall()
    )
    return out


class Comparison:
    def __init__(self):
        self.checked = 0
        self.failures = []

    def eq(self, what, ours, theirs):
        self.checked += 1
        same = (
            ours is None and theirs is None
            or isinstance(ours, (int, float))
            and isinstance(theirs, (int, float))
            and abs(ours - theirs) <= TOLERANCE * (1 + abs(theirs))
            or ours == theirs
        )
        if not same:
            self.failures.append(f"{what}: voctag {ours!r}, DuckDB {theirs!r}")


def compare(report, d):
    c = Comparison()
    o = report["overview"]
    for key in ["comments", "mentions", "comments_with_mentions"]:
        c.eq(f"overview.{key}", o[key], d[key])
    s = o["score"]
    c.eq("NPS", s["value"], d["nps"]["value"])
    c.eq("scored", s["scored"], d["nps"]["scored"])
    c.eq("promoters", s["groups"][0]["count"], d["nps"]["promoters"])
    c.eq("detractors", s["groups"][2]["count"], d["nps"]["detractors"])

    ours = {t["theme"]: t for t in report["themes"]}
    c.eq("theme ids", sorted(ours), sorted(d["themes"]))
    for theme, x in d["themes"].items():
        t = ours.get(theme, {"mentions": {}})
        for key in ["comments", "share_pct", "net_sentiment"]:
            c.eq(f"{theme}.{key}", t.get(key), x[key])
        for pol in ["negative", "neutral", "positive"]:
            c.eq(f"{theme}.{pol}", t["mentions"].get(pol), x[pol])

    drivers = {t["theme"]: t for t in report["drivers"]["themes"]}
    c.eq("overall NPS (drivers)", report["drivers"]["overall"], d["nps"]["value"])
    for theme, x in d["drivers"].items():
        t = drivers.get(theme, {})
        for key in ["n_with", "metric_with", "metric_without", "impact"]:
            c.eq(f"driver {theme}.{key}", t.get(key), x[key])

    points = {p["period"]: p for p in report["trend"]["points"]}
    c.eq("months", sorted(points), sorted(d["months"]))
    for month, x in d["months"].items():
        for key in ["comments", "metric"]:
            c.eq(f"month {month}.{key}", points.get(month, {}).get(key), x[key])

    rows = {r["value"]: r for r in report["segments"][0]["rows"]}
    for ch, x in d["channels"].items():
        for key in ["comments", "metric"]:
            c.eq(f"channel {ch}.{key}", rows.get(ch, {}).get(key), x[key])
    return c


def check_query(voctag, voc, work, d, c):
    out = work / "polarity.csv"
    run(
        [
            voctag,
            "query",
            "SELECT theme, polarity, count(*) AS n FROM mentions GROUP BY theme, polarity",
            voc,
            "--out",
            out,
        ]
    )
    with open(out, newline="", encoding="utf-8") as f:
        rows = sorted((r["theme"], r["polarity"], int(r["n"])) for r in csv.DictReader(f))
    c.eq("voctag query: mentions by theme and polarity", rows, [tuple(r) for r in d["polarity_counts"]])


# -------------------------------------------------------------- Chromium --


class Browser:
    """Headless Chromium driven over --remote-debugging-pipe: commands go in
    on the child's fd 3, replies and events come out on its fd 4, each a JSON
    message ended by a NUL byte."""

    def __init__(self, binary, profile):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        # Move the child's ends above 4 so the dup2 below cannot clobber them.
        keep_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
        keep_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
        os.close(to_child_r)
        os.close(from_child_w)

        def wire():
            os.dup2(keep_r, 3)
            os.dup2(keep_w, 4)

        args = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            # No network: every name resolves to nothing, no proxy either.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--no-proxy-server",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            args,
            preexec_fn=wire,
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(keep_r)
        os.close(keep_w)
        self.w = to_child_w
        self.r = from_child_r
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.r], [], [], left)
            if ready:
                chunk = os.read(self.r, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.w)
        os.close(self.r)


MEASURE = """JSON.stringify({
  scripts: document.scripts.length,
  charts: Array.from(document.querySelectorAll('svg')).map(s => {
    const r = s.getBoundingClientRect();
    return {id: s.id, width: r.width, height: r.height,
            marks: s.querySelectorAll('rect, path, circle').length};
  }),
  height: document.documentElement.scrollHeight,
  sections: Array.from(document.querySelectorAll('section')).map(s => s.id)
})"""


def check_browser(html, screenshot, work):
    binary = next(
        (b for b in ["chromium", "chromium-browser", "google-chrome"] if shutil.which(b)), None
    )
    if binary is None:
        raise SystemExit("check_report: no chromium on PATH (apt-get install chromium)")
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-", dir=work))
    browser = Browser(binary, profile)
    failures = []
    try:
        target = next(
            t for t in browser.send("Target.getTargets")["targetInfos"] if t["type"] == "page"
        )
        session = browser.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )["sessionId"]
        browser.send("Network.enable", session=session)
        browser.send("Page.enable", session=session)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1100, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        url = html.resolve().as_uri()
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait_event("Page.loadEventFired")
        result = browser.send(
            "Runtime.evaluate", {"expression": MEASURE, "returnByValue": True}, session=session
        )
        page = json.loads(result["result"]["value"])
        requests = [
            e["params"]["request"]["url"]
            for e in browser.events
            if e.get("method") == "Network.requestWillBeSent"
        ]
        fetched = [u for u in requests if u != url and not u.startswith("data:")]
        if fetched:
            failures.append(f"the page fetched {fetched}")
        if page["scripts"]:
            failures.append(f"the page has {page['scripts']} script(s)")
        charts = {c["id"]: c for c in page["charts"]}
        for chart in CHARTS:
            c = charts.get(chart)
            if c is None:
                failures.append(f"no SVG #{chart}")
            elif not (c["width"] > 100 and c["height"] > 50 and c["marks"] > 0):
                failures.append(f"SVG #{chart} did not render: {c}")
        print(
            f"browser: {len(page['charts'])} SVG charts rendered, "
            + ", ".join(f"#{c['id']} {c['width']:.0f}x{c['height']:.0f}" for c in page["charts"])
        )
        print(f"browser: sections {page['sections']}, page height {page['height']} px")

        height = min(page["height"], 2500)
        shot = browser.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": 1100, "height": height, "scale": 0.75},
            },
            session=session,
        )
        png = base64.b64decode(shot["data"])
        if not png.startswith(b"\x89PNG") or len(png) < 10_000:
            failures.append(f"the screenshot looks empty ({len(png)} bytes)")
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        screenshot.write_bytes(png)
        print(f"browser: screenshot {screenshot} ({len(png) // 1024} KB)")
    finally:
        browser.close()
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--voctag", default=str(ROOT / "target" / "debug" / "voctag"))
    ap.add_argument("--screenshot", type=Path, help="also save the screenshot here")
    ap.add_argument("--keep", type=Path, help="work here and keep the files")
    args = ap.parse_args()

    voctag = Path(args.voctag)
    if not voctag.exists():
        raise SystemExit(f"check_report: {voctag} not found; run cargo build first")
    if args.keep:
        shutil.rmtree(args.keep, ignore_errors=True)
        args.keep.mkdir(parents=True)
        work = args.keep
    else:
        work = Path(tempfile.mkdtemp(prefix="voctag-report-check-"))
    try:
        voc = make_runs(voctag, work)
        report_json = work / "report.json"
        html = work / "report.html"
        run([voctag, "report", voc, *REPORT_ARGS, "--out", report_json])
        run([voctag, "report", voc, *REPORT_ARGS, "--out", html])
        report = json.loads(report_json.read_text(encoding="utf-8"))

        d = duckdb_numbers(voc)
        c = compare(report, d)
        check_query(voctag, voc, work, d, c)
        print(
            f"duckdb: {c.checked} numbers compared: overview counts, NPS, promoters, detractors, "
            f"{len(d['themes'])} themes (comments, share, mentions by polarity, net sentiment), "
            f"driver NPS with/without and impact per theme, {len(d['months'])} months, "
            f"{len(d['channels'])} channels, voctag query"
        )

        failures = list(c.failures)
        failures += check_browser(html, args.screenshot or work / "report.png", work)
        if failures:
            print("check_report: FAILED", file=sys.stderr)
            for f in failures:
                print("  " + f, file=sys.stderr)
            sys.exit(1)
        print("check_report: ok")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
